// Upgrades: the output applied over a running release, as `helm upgrade` would, never leaves the webhook without endpoints.
import * as assert from 'uvu/assert';
import { gatedSuite, needsCorpus } from '../support/helpers.js';
import { missingControlPlane, type Cluster } from './harness.js';
import {
  install,
  kubectlAsync,
  NODE,
  objects,
  ok,
  pick,
  readyEndpoints,
  readyPatch,
  ready,
  render,
  waitFor,
  withCluster,
} from './kube.js';
import { missingTestNet, serveWebhook, testNet, type Backend, type TestNet } from './webhook-server.js';

const test = gatedSuite(
  'cluster: upgrading to the output keeps the webhook answering',
  missingControlPlane() ?? missingTestNet(),
);

const NS = 'kueue-system';
const LWS = 'lws-0.6.1-in-kueue-system.yaml';
const SERVICE = 'lws-webhook-service';
const PORT = 9443;
// How long the test's kubelet takes to report a new pod Ready, and to finish a terminating one.
const START_DELAY_MS = 1500;
const STOP_DELAY_MS = 500;
const NAIVE_START_DELAY_MS = 6000;

/**
 * Kubelet plays node-1 for the namespace: it gives each new pod an address of the test network and a real backend
 * there, reports it Ready after `startDelay` (START_DELAY_MS unless given), and removes terminating pods after
 * STOP_DELAY_MS.
 */
class Kubelet {
  private readonly backends = new Map<string, Backend>();
  private readonly seen = new Map<string, number>();
  private readonly deleted = new Map<string, number>();
  private free: string[];
  private running = true;
  private loop: Promise<void>;

  constructor(
    private readonly c: Cluster,
    private readonly net: TestNet,
    private readonly startDelay = START_DELAY_MS,
  ) {
    this.free = [...net.ips];
    this.loop = this.run();
  }

  /** failure is why the kubelet stopped tending pods, if it did: the test's waits end on it instead of timing out. */
  failure: Error | undefined;

  private async run(): Promise<void> {
    try {
      while (this.running) {
        const r = await kubectlAsync(this.c, ['get', 'pods', '-n', NS, '-o', 'json']);
        if (r.status === 0) for (const pod of JSON.parse(r.stdout).items) await this.tend(pod);
        await new Promise((res) => setTimeout(res, 100));
      }
    } catch (err) {
      this.failure = err as Error;
    }
  }

  /** healthy throws the kubelet's failure, if any. */
  healthy(): void {
    if (this.failure) throw this.failure;
  }

  private async tend(pod: Record<string, any>): Promise<void> {
    const name = pod.metadata.name as string;
    const first = this.seen.get(name) ?? Date.now();
    this.seen.set(name, first);
    if (pod.metadata.deletionTimestamp) {
      // A terminating pod keeps serving for STOP_DELAY_MS (its grace period), then its process ends and it is gone.
      const since = this.deleted.get(name) ?? Date.now();
      this.deleted.set(name, since);
      if (Date.now() - since < STOP_DELAY_MS) return;
      const ip = pod.status?.podIP as string | undefined;
      await this.backends.get(name)?.close();
      this.backends.delete(name);
      if (ip && !this.free.includes(ip)) this.free.push(ip);
      await kubectlAsync(this.c, ['delete', 'pod', name, '-n', NS, '--grace-period=0', '--force']);
      return;
    }
    if (pod.status?.podIP || Date.now() - first < this.startDelay) return;
    const ip = this.free.shift();
    if (!ip) throw new Error('the test network has no address left for a new pod');
    // There is no scheduler: bind the pod to node-1 as it would. The EndpointSlice controller skips a pod on no node.
    if (!pod.spec.nodeName) {
      const binding = {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: NS },
        target: { kind: 'Node', name: NODE.metadata.name },
      };
      const bound = await kubectlAsync(this.c, ['create', '-f', '-'], { input: JSON.stringify(binding) });
      if (bound.status !== 0) {
        this.free.push(ip);
        // A pod the rollout deleted between the listing and the binding: nothing to run.
        if (/NotFound/.test(bound.stderr)) return;
        throw new Error(`binding ${name}: ${bound.stderr}`);
      }
    }
    this.backends.set(name, await serveWebhook(this.c, this.net, { service: SERVICE, namespace: NS, ip, port: PORT }));
    const patched = await kubectlAsync(this.c, readyPatch(name, NS, ip));
    if (patched.status !== 0 && !/NotFound/.test(patched.stderr)) throw new Error(`status of ${name}: ${patched.stderr}`);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.backends.values()].map((b) => b.close()));
  }
}

/** lws is a minimal LeaderWorkerSet: creating one calls LWS's Fail webhooks. */
const lws = (name: string) =>
  JSON.stringify({
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata: { name, namespace: NS },
    spec: { leaderWorkerTemplate: { size: 1, workerTemplate: { spec: { containers: [{ name: 'w', image: 'pause' }] } } } },
  });

/** Watch is what was seen while an upgrade rolled out: the fewest ready endpoints, and webhook calls that failed. */
interface Watch {
  minEndpoints: number;
  samples: number;
  calls: number;
  failures: string[];
  /** Whether the Deployment finished its rollout before the deadline. */
  rolledOut: boolean;
}

/** upgrade runs `before`, waits until it serves, applies `after` and watches the Service until the rollout is done. */
async function upgrade(before: string, after: string, startDelay = START_DELAY_MS): Promise<Watch> {
  return withCluster(async (c) => {
    ok(c, ['create', 'namespace', NS]);
    await ready(c, [NS]);
    ok(c, ['create', '-f', '-'], { input: JSON.stringify(NODE) });
    const net = testNet(8);
    const kubelet = new Kubelet(c, net, startDelay);
    try {
      const running = pick(before, ['ServiceAccount', 'Service', 'Deployment']);
      ok(c, ['apply', '--server-side', '-f', '-'], { input: running });
      await waitFor(
        'the release to serve',
        () => (kubelet.healthy(), readyEndpoints(c, NS, SERVICE).length ? true : undefined),
        60_000,
      );
      install(c, before);
      const watch: Watch = { minEndpoints: Infinity, samples: 0, calls: 0, failures: [], rolledOut: false };
      ok(c, ['apply', '--server-side', '--force-conflicts', '-f', '-'], {
        input: pick(after, ['ServiceAccount', 'Service', 'Deployment', 'PodDisruptionBudget']),
      });
      install(c, after);
      const deadline = Date.now() + 90_000;
      for (let i = 0; Date.now() < deadline; i++) {
        kubelet.healthy();
        const slices = await kubectlAsync(c, [
          'get',
          'endpointslices',
          '-n',
          NS,
          '-l',
          `kubernetes.io/service-name=${SERVICE}`,
          '-o',
          'json',
        ]);
        const endpoints = JSON.parse(slices.stdout).items.flatMap((s: any) =>
          (s.endpoints ?? []).filter((e: any) => e.conditions?.ready !== false),
        ).length;
        watch.minEndpoints = Math.min(watch.minEndpoints, endpoints);
        watch.samples++;
        const created = await kubectlAsync(c, ['create', '-f', '-'], { input: lws(`during-${i}`) });
        watch.calls++;
        if (created.status !== 0) watch.failures.push(created.stderr.trim());
        const d = JSON.parse(
          (await kubectlAsync(c, ['get', 'deployment', 'lws-controller-manager', '-n', NS, '-o', 'json'])).stdout,
        );
        const pods = JSON.parse((await kubectlAsync(c, ['get', 'pods', '-n', NS, '-o', 'json'])).stdout).items;
        const done =
          d.status?.observedGeneration >= d.metadata.generation &&
          d.status?.updatedReplicas === d.spec.replicas &&
          d.status?.readyReplicas === d.spec.replicas &&
          pods.length === d.spec.replicas;
        if (done && i > 2) {
          watch.rolledOut = true;
          break;
        }
      }
      return watch;
    } finally {
      try {
        await kubelet.stop();
      } finally {
        net.remove();
      }
    }
  });
}

needsCorpus(
  test,
  'LWS 0.6.1 upgraded to the output: ready endpoints never drop to zero and every webhook call succeeds',
  [LWS],
  async () => {
    const input = render(LWS, 'input');
    const output = render(LWS, 'output');
    assert.is.not(output, input, 'the output changes the release (a rollout is what is tested)');
    const watch = await upgrade(input, output);
    console.log(
      `    output: ${watch.samples} samples, fewest ready endpoints ` +
        `${watch.minEndpoints}, ${watch.failures.length}/${watch.calls} calls failed`,
    );
    assert.ok(watch.rolledOut, 'the Deployment rolled out to the output');
    assert.ok(watch.minEndpoints > 0, `the webhook Service had no ready endpoint during the rollout`);
    assert.equal(watch.failures, []);
  },
);

needsCorpus(
  test,
  'the outage the rule prevents is real: a selector tightened with a label the old pods lack empties the Service',
  [LWS],
  async () => {
    // What an unconditional tightening did: the same apply adds a label to the pod template and to the selector.
    const input = render(LWS, 'input');
    const naive = input
      .replace(/(\n {2}selector:\n {4}control-plane: controller-manager\n)/, '$1    app.kubernetes.io/component: webhook\n')
      .replace(
        /(\n {4}metadata:\n {6}labels:\n {8}control-plane: controller-manager\n)/,
        '$1        app.kubernetes.io/component: webhook\n',
      );
    assert.is.not(naive, input);
    const objectsOf = (s: string) => objects(s, ['Service', 'Deployment']).map((o) => JSON.stringify(o));
    assert.is.not(objectsOf(naive).join(), objectsOf(input).join(), 'the naive edit changes the Service and the pods');
    // New pods take NAIVE_START_DELAY_MS to be Ready: an outage window the sampling (a few kubectl calls a round, each
    // some hundred milliseconds on a loaded machine) cannot step over, as it once did with 1.5 s (0 endpoints seen,
    // but the webhook call after it found the new pods Ready).
    const watch = await upgrade(input, naive, NAIVE_START_DELAY_MS);
    console.log(
      `    naive: ${watch.samples} samples, fewest ready endpoints ` +
        `${watch.minEndpoints}, ${watch.failures.length}/${watch.calls} calls failed`,
    );
    assert.is(watch.minEndpoints, 0, 'the naive edit must leave the Service without endpoints for a while');
    assert.ok(
      watch.failures.some((f) => f.includes(`no endpoints available for service "${SERVICE}"`)),
      watch.failures.join('\n'),
    );
  },
);

test.run();
