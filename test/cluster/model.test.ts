// The admission model agrees with the real thing: which requests reach the webhooks webhook-guard writes, asked both ways.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { webhookIntercepts, type AdmissionRequest } from '../../src/model/selectors.js';
import { gatedSuite, lines } from '../support/helpers.js';
import { KUBELET, missingControlPlane, type Cluster } from './harness.js';
import { harden, kubectl, NODE, objects, ok, ready, withCluster } from './kube.js';
import { missingTestNet, serveWebhook, testNet } from './webhook-server.js';

const test = gatedSuite('cluster: the admission model agrees with a real API server', missingControlPlane() ?? missingTestNet());

const BACKEND_NS = 'probe-system';
const PORT = 9443;
const ADMIN = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const ALICE = { username: 'alice', groups: ['system:masters', 'system:authenticated'] };

/** chart is a render with three Fail webhooks of the shapes webhook-guard hardens: pods, nodes and CSRs, and both. */
function chart(): string {
  const hook = (name: string, path: string, resources: string[][]) => [
    `- name: ${name}`,
    '  admissionReviewVersions: [v1]',
    '  sideEffects: None',
    '  failurePolicy: Fail',
    '  clientConfig:',
    `    service: {name: probe, namespace: ${BACKEND_NS}, path: ${path}}`,
    '  rules:',
    ...resources.map(
      ([group, resource]) => `  - {apiGroups: ["${group}"], apiVersions: [v1], operations: ["*"], resources: [${resource}]}`,
    ),
  ];
  return lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: probe}',
    'webhooks:',
    ...hook('pods.probe.dev', '/pods', [['', 'pods']]),
    ...hook('nodes.probe.dev', '/nodes', [
      ['', 'nodes'],
      ['certificates.k8s.io', 'certificatesigningrequests'],
    ]),
    ...hook('mixed.probe.dev', '/mixed', [
      ['', 'pods'],
      ['', 'nodes'],
      ['certificates.k8s.io', 'certificatesigningrequests'],
    ]),
    '---',
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: probe, namespace: ${BACKEND_NS}}`,
    'spec: {selector: {app: probe}, ports: [{port: 443, targetPort: 9443}]}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: probe, namespace: ${BACKEND_NS}}`,
    'spec:',
    '  replicas: 2',
    '  selector: {matchLabels: {app: probe}}',
    '  template:',
    '    metadata: {labels: {app: probe}}',
    '    spec: {containers: [{name: probe, image: probe:1, args: [--leader-elect]}]}',
  );
}

/** Probe is one request made to the real server and handed to the model. */
interface Probe {
  label: string;
  run(c: Cluster): void;
  request: AdmissionRequest;
}

const pod = (name: string, namespace: string, mirror: boolean): Record<string, any> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, ...(mirror ? { annotations: { 'kubernetes.io/config.mirror': 'f00d' } } : {}) },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
});

function podCreate(name: string, namespace: string, mirror: boolean, user: 'kubelet' | 'admin' | 'alice'): Probe {
  const object = pod(name, namespace, mirror);
  return {
    label: `${user} creates ${mirror ? 'mirror ' : ''}pod ${namespace}/${name}`,
    run: (c) => {
      const as = user === 'alice' ? ['--as', 'alice', '--as-group', 'system:masters'] : [];
      if (user === 'kubelet') {
        const uid = JSON.parse(ok(c, ['get', 'node', 'node-1', '-o', 'json'])).metadata.uid;
        object.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid, controller: true }];
      }
      kubectl(c, ['create', ...as, '-f', '-'], { input: JSON.stringify(object), kubelet: user === 'kubelet' });
    },
    request: {
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      operation: 'CREATE',
      namespaced: true,
      namespace,
      name,
      namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
      object,
      oldObject: null,
      userInfo: user === 'kubelet' ? KUBELET : user === 'admin' ? ADMIN : ALICE,
    },
  };
}

function podDelete(name: string, namespace: string): Probe {
  return {
    label: `admin deletes pod ${namespace}/${name}`,
    run: (c) => void kubectl(c, ['delete', 'pod', name, '-n', namespace, '--wait=false']),
    request: {
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      operation: 'DELETE',
      namespaced: true,
      namespace,
      name,
      namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
      object: null,
      oldObject: pod(name, namespace, false),
      userInfo: ADMIN,
    },
  };
}

function nodeLabel(value: string, user: 'kubelet' | 'admin'): Probe {
  return {
    label: `${user} labels node-1 probe=${value}`,
    run: (c) => void kubectl(c, ['label', 'node', 'node-1', `probe=${value}`, '--overwrite'], { kubelet: user === 'kubelet' }),
    request: {
      group: '',
      version: 'v1',
      resource: 'nodes',
      kind: 'Node',
      operation: 'UPDATE',
      namespaced: false,
      name: 'node-1',
      object: NODE,
      oldObject: NODE,
      userInfo: user === 'kubelet' ? KUBELET : ADMIN,
    },
  };
}

function csrCreate(name: string, user: 'kubelet' | 'admin'): Probe {
  // A syntactically valid CSR request is needed; its content is irrelevant to which webhooks see it.
  const object = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: CSR_PEM_B64,
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: ['client auth', 'digital signature'],
    },
  };
  return {
    label: `${user} creates CSR ${name}`,
    run: (c) => void kubectl(c, ['create', '-f', '-'], { input: JSON.stringify(object), kubelet: user === 'kubelet' }),
    request: {
      group: 'certificates.k8s.io',
      version: 'v1',
      resource: 'certificatesigningrequests',
      kind: 'CertificateSigningRequest',
      operation: 'CREATE',
      namespaced: false,
      name,
      object,
      oldObject: null,
      userInfo: user === 'kubelet' ? KUBELET : ADMIN,
    },
  };
}

let CSR_PEM_B64 = '';

test('for every probe request and every hardened webhook, the model and the API server agree on who is called', async () => {
  const output = harden(chart());
  const config = objects(output, ['ValidatingWebhookConfiguration'])[0];
  const webhooks = config.webhooks as Array<Record<string, any>>;
  assert.ok(
    webhooks.every((w) => Array.isArray(w.matchConditions) && w.matchConditions.length),
    'webhook-guard added conditions to each',
  );
  await withCluster(async (c) => {
    CSR_PEM_B64 = csrRequest(c);
    await ready(c, ['kube-system']);
    ok(c, ['create', 'namespace', BACKEND_NS]);
    ok(c, ['create', '-f', '-'], { input: JSON.stringify(NODE) });
    const net = testNet(1);
    const backend = await serveWebhook(c, net, { service: 'probe', namespace: BACKEND_NS, ip: net.ips[0], port: PORT });
    try {
      // The webhooks call the backend by URL, so the probes need no Service endpoints; the rest is as written.
      const caBundle = Buffer.from(c.caCert).toString('base64');
      for (const w of webhooks) w.clientConfig = { url: `https://${net.ips[0]}:${PORT}${w.clientConfig.service.path}`, caBundle };
      ok(c, ['apply', '--server-side', '-f', '-'], { input: JSON.stringify(config) });
      const probes: Probe[] = [
        podCreate('mirror-ks', 'kube-system', true, 'kubelet'),
        podCreate('mirror-def', 'default', true, 'kubelet'),
        podCreate('forged-ks', 'kube-system', true, 'admin'),
        podCreate('forged-def', 'default', true, 'alice'),
        podCreate('plain-def', 'default', false, 'admin'),
        podCreate('plain-ks', 'kube-system', false, 'admin'),
        podCreate('plain-own', BACKEND_NS, false, 'admin'),
        podDelete('plain-def', 'default'),
        nodeLabel('a', 'kubelet'),
        nodeLabel('b', 'admin'),
        csrCreate('csr-kubelet', 'kubelet'),
        csrCreate('csr-admin', 'admin'),
      ];
      const disagreements: string[] = [];
      let compared = 0;
      let called = 0;
      for (const p of probes) {
        const before = backend.calls.length;
        p.run(c);
        // The API server has made its calls before kubectl returns (it waits for each webhook), but the backend's
        // report of them comes through a pipe this process reads only when it is not blocked in kubectl.
        await settle(backend.calls);
        const calls = backend.calls.slice(before);
        for (const w of webhooks) {
          const model = webhookIntercepts(w, p.request);
          const real = calls.some((call) => call.path.split('?')[0] === new URL(w.clientConfig.url).pathname);
          if (model.verdict === 'unknown') continue;
          compared++;
          if (real) called++;
          if ((model.verdict === 'yes') !== real) {
            disagreements.push(
              `${p.label}: ${w.name}: model ${model.verdict} ` +
                `(${model.reason ?? ''}), API server ${real ? 'called it' : 'did not'}`,
            );
          }
        }
      }
      console.log(
        `    ${compared} request/webhook pairs compared (${called} called, ${compared - called} skipped), ` +
          `${disagreements.length} disagreements`,
      );
      // Both answers must occur, or the comparison proves nothing about the conditions and selectors.
      assert.ok(called > 0 && called < compared, `${called} of ${compared} pairs were called`);
      assert.equal(disagreements, []);
      assert.ok(compared >= probes.length * webhooks.length - 3, `only ${compared} pairs had a definite model answer`);
    } finally {
      await backend.close();
      net.remove();
    }
  });
});

/** settle waits until no more calls come in for a while: what was written to the pipe has been read. */
async function settle(calls: unknown[]): Promise<void> {
  for (let seen = -1; seen !== calls.length;) {
    seen = calls.length;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** csrRequest makes a PEM certificate request for node-1's kubelet client certificate, base64-encoded. */
function csrRequest(c: Cluster): string {
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      '/dev/null',
      '-subj',
      '/O=system:nodes/CN=system:node:node-1',
    ],
    { cwd: c.dir, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return Buffer.from(r.stdout).toString('base64');
}

test.run();
