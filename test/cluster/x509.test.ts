// Kueue 0.11.4 and LWS 0.6.1 in one namespace with both backends up: LWS's Service also reaches Kueue's server.
import * as assert from 'uvu/assert';
import { gatedSuite, needsCorpus } from '../support/helpers.js';
import { missingControlPlane, type Cluster } from './harness.js';
import {
  install,
  kubectl,
  NODE,
  objects,
  ok,
  podOf,
  readyEndpoints,
  ready,
  render,
  runPod,
  sh,
  unblock,
  waitFor,
  withCluster,
} from './kube.js';
import { captured } from './captured.js';
import { missingTestNet, serveWebhook, testNet, type Backend, type TestNet } from './webhook-server.js';

const test = gatedSuite(
  'cluster: two releases in one namespace, each backend with its own certificate',
  missingControlPlane() ?? missingTestNet(),
);

const NS = 'kueue-system';
const KUEUE = 'kueue-0.11.4.yaml';
const LWS = 'lws-0.6.1-in-kueue-system.yaml';
// LeaderWorkerSets created per run: enough that a Service reaching two servers picks the wrong one at least once
// with overwhelming probability (each call picks an endpoint at random: 2^-20 that all 20 pick the right one).
const LEADER_WORKER_SETS = 20;
const PORT = 9443;

/** leaderWorkerSet is a minimal valid LeaderWorkerSet. */
function leaderWorkerSet(i: number | string): Record<string, unknown> {
  return {
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata: { name: `lws-${i}`, namespace: NS },
    spec: {
      replicas: 1,
      leaderWorkerTemplate: {
        size: 1,
        workerTemplate: { spec: { containers: [{ name: 'worker', image: 'registry.k8s.io/pause:3.10' }] } },
      },
    },
  };
}

/** start runs both releases' backends: a pod of each Deployment at its own loopback address, each a real TLS server. */
async function start(c: Cluster, net: TestNet, kueue: string, lws: string): Promise<Backend[]> {
  ok(c, ['create', '-f', '-'], { input: JSON.stringify(NODE) });
  const backends: Backend[] = [];
  const releases = [
    { stream: kueue, deployment: 'kueue-controller-manager', service: 'kueue-webhook-service', ip: net.ips[0] },
    { stream: lws, deployment: 'lws-controller-manager', service: 'lws-webhook-service', ip: net.ips[1] },
  ];
  for (const r of releases) {
    const deployment = objects(r.stream, ['Deployment']).find((d) => d.metadata.name === r.deployment)!;
    // Without its ServiceAccount's token the pod is the same to the endpoint controllers, and needs no secret.
    const pod = podOf(deployment, NS);
    delete pod.spec.serviceAccountName;
    runPod(c, pod, r.ip);
    backends.push(await serveWebhook(c, net, { service: r.service, namespace: NS, ip: r.ip, port: PORT }));
  }
  return backends;
}

needsCorpus(
  test,
  'LeaderWorkerSets fail with the real x509 error with the input, and never with the output',
  [KUEUE, LWS],
  async () => {
    const session: string[] = [];
    for (const variant of ['input', 'output'] as const) {
      const kueue = render(KUEUE, variant);
      const lws = render(LWS, variant);
      await withCluster(async (c) => {
        ok(c, ['create', 'namespace', NS]);
        await ready(c, [NS]);
        // Backends first: their own pods must not wait on webhooks that are not up yet.
        ok(c, ['apply', '--server-side', '-f', '-'], { input: [kueue, lws].map((s) => pickServices(s)).join('\n') });
        const net = testNet(2);
        let backends: Backend[] = [];
        try {
          backends = await start(c, net, kueue, lws);
          await waitFor('both webhook Services to have ready endpoints', () =>
            readyEndpoints(c, NS, 'lws-webhook-service').length && readyEndpoints(c, NS, 'kueue-webhook-service').length
              ? true
              : undefined,
          );
          install(c, kueue);
          install(c, lws);
          // The CRD must be served, and kubectl's discovery must know it, before the first LeaderWorkerSet: a
          // "no matches for kind" is kubectl's, not the webhook's.
          ok(c, ['wait', '--for', 'condition=established', '--timeout', '60s', 'crd/leaderworkersets.leaderworkerset.x-k8s.io']);
          await waitFor('LeaderWorkerSets to be served', () =>
            kubectl(c, ['get', 'leaderworkersets', '-n', NS]).status === 0 ? true : undefined,
          );
          const failures: string[] = [];
          const created: string[] = [];
          for (let i = 0; i < LEADER_WORKER_SETS; i++) {
            const r = kubectl(c, ['create', '-f', '-', '-o', 'name'], { input: JSON.stringify(leaderWorkerSet(i)) });
            if (r.status !== 0) failures.push(r.stderr.trim());
            else created.push(r.stdout.trim());
          }
          const lwsEndpoints = readyEndpoints(c, NS, 'lws-webhook-service').sort();
          console.log(
            `    ${variant}: lws-webhook-service endpoints ${lwsEndpoints.join(', ')}; ` +
              `${failures.length}/${LEADER_WORKER_SETS} LeaderWorkerSets failed${failures.length ? `, e.g. ${failures[0]}` : ''}`,
          );
          // How many fail is chance (each call picks an endpoint at random): the README shows the error, not the count.
          session.push(
            variant === 'input'
              ? `# the renders as they are: ${LEADER_WORKER_SETS} LeaderWorkerSets, some fail; one of the failures`
              : `# webhook-guard's output, same steps: every LeaderWorkerSet is created`,
            `$ kubectl create -f leaderworkerset.json -o name`,
            // Which call hits the wrong server is chance, so is whether the mutating or the validating webhook fails
            // first: the README shows the first in sort order (the mutating one, unless none of 20 failed there).
            failures.length ? [...failures].sort()[0] : created[0],
          );
          if (variant === 'input') {
            assert.equal(lwsEndpoints, [...net.ips].sort(), "LWS's Service selects Kueue's pod too");
            assert.ok(failures.length > 0, 'with the input some LeaderWorkerSets must reach the wrong server');
            assert.match(failures[0], /x509: certificate is valid for kueue-webhook-service/);
            await breakGlass(c, [...failures].sort()[0]);
          } else {
            assert.equal(lwsEndpoints, [net.ips[1]], "LWS's Service selects only LWS's pod");
            assert.equal(failures, []);
          }
        } finally {
          for (const b of backends) await b.close();
          net.remove();
        }
      });
    }
    captured('kueue-lws-shared-namespace', 'kueue-0.11.4-lws-0.6.1', session.join('\n'));
  },
);

/**
 * breakGlass does what a person would with unblock: paste the error, run the script, create again, paste the next
 * error (LWS's other webhook), until every LeaderWorkerSet goes in; then restore, and the LWS webhook configurations
 * are back as they were in kubectl get -o json.
 */
async function breakGlass(c: Cluster, first: string): Promise<void> {
  const configs = [
    ['mutatingwebhookconfiguration', 'lws-mutating-webhook-configuration'],
    ['validatingwebhookconfiguration', 'lws-validating-webhook-configuration'],
  ];
  const webhooks = () => configs.map((k) => JSON.stringify(JSON.parse(ok(c, ['get', ...k, '-o', 'json'])).webhooks));
  const original = webhooks();
  const named = (error: string) => [...error.matchAll(/failed calling webhook "([^"]+)"/g)].map((m) => m[1]);
  const unblocked = new Set<string>();
  const restores: string[] = [];
  let error = first;
  let attempt = 0;
  // The API server reads webhook configurations through an informer: a patch takes effect a moment later, so an
  // error from a webhook already failed open is a retry, not a new round (bounded by waitFor's deadline).
  await waitFor(
    'every LeaderWorkerSet to go in after unblock',
    () => {
      if (error && !named(error).every((n) => unblocked.has(n))) {
        assert.ok(restores.length < 4, `more rounds than LWS has webhooks: ${error}`);
        const { script, restore, stdout } = unblock(c, ['--error', error], `unblock-${restores.length}`);
        // The script changes only the webhooks the error names.
        const patched = [...stdout.matchAll(/"path":"\/webhooks\/\d+\/name","value":"([^"]+)"/g)].map((m) => m[1]);
        assert.equal([...new Set(patched)].sort(), [...new Set(named(error))].sort(), stdout);
        const run = sh(c, script);
        assert.is(run.status, 0, run.out);
        named(error).forEach((n) => unblocked.add(n));
        restores.push(restore);
      }
      error = '';
      for (let i = 0; i < LEADER_WORKER_SETS && !error; i++) {
        const r = kubectl(c, ['create', '-f', '-', '-o', 'name'], { input: JSON.stringify(leaderWorkerSet(`u${attempt}-${i}`)) });
        if (r.status !== 0) error = r.stderr.trim();
      }
      attempt++;
      return error ? undefined : true;
    },
    60_000,
  );
  console.log(`    unblock: ${restores.length} round(s), failed open ${[...unblocked].join(', ')}; restored`);
  assert.ok(restores.length > 0 && restores.length <= 4, `${restores.length} rounds`);
  assert.is.not(webhooks().join(), original.join(), 'the scripts changed the webhooks');
  for (const restore of restores.reverse()) {
    const undo = sh(c, restore);
    assert.is(undo.status, 0, undo.out);
  }
  assert.equal(webhooks(), original, 'the restores bring the LWS webhooks back as they were in kubectl get -o json');
}

/** pickServices is a release's Services and ServiceAccounts, and its CRDs, which the backends' pods need first. */
function pickServices(stream: string): string {
  return objects(stream, ['Service', 'ServiceAccount'])
    .map((o) => `---\n${JSON.stringify(o)}`)
    .join('\n');
}

test.run();
