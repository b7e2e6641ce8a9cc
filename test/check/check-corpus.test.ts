// check over ../shared/corpus: the acceptance scenarios, every file after the transforms, SARIF against the 2.1.0 schema.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sarifValidator } from '../support/sarif.js';
import { resolveConfig } from '../../src/pipeline/config.js';
import { transformStream } from '../../src/pipeline/pipeline.js';
import { checkInputs, type CheckResult } from '../../src/check/run.js';
import { sarifReport } from '../../src/check/report.js';
import { stringify } from 'yaml';
import { Model } from '../../src/model/model.js';
import { CORPUS, corpusFiles, needsCorpus } from '../support/helpers.js';

const files = corpusFiles('check corpus');
const read = (name: string) => ({ source: name, text: readFileSync(join(CORPUS, name), 'utf8') });
const check = (...names: string[]): CheckResult => checkInputs(names.map(read));
const has = (r: CheckResult, id: string, severity?: string) =>
  r.findings.filter((f) => f.id === id && (!severity || f.severity === severity));
const ERRORS_FIXED = ['self-deadlock', 'service-selector-overlap', 'single-point-of-failure'];

const acceptance = suite('check: the corpus scenarios');

needsCorpus(
  acceptance,
  'kruise-1.5.2-seed: self-deadlock on mpod.kb.io; the default render (labelled Namespace) has none',
  [],
  () => {
    const seed = has(check('kruise-1.5.2-seed.yaml'), 'self-deadlock', 'error');
    assert.equal(
      seed.map((f) => f.field),
      ['webhooks[mpod.kb.io]/namespaceSelector'],
    );
    assert.equal(seed[0].location.source, 'kruise-1.5.2-seed.yaml');
    assert.equal(has(check('kruise-1.5.2-default.yaml'), 'self-deadlock'), []);
  },
);

needsCorpus(acceptance, 'kueue-0.11.4 + lws-0.6.1 overlap on lws-webhook-service; kueue-0.19.2 + lws-0.10.0 do not', [], () => {
  const old = has(check('kueue-0.11.4.yaml', 'lws-0.6.1-in-kueue-system.yaml'), 'service-selector-overlap', 'error');
  assert.equal(
    old.map((f) => f.resourceId),
    ['v1 Service kueue-system/lws-webhook-service'],
  );
  assert.match(old[0].message, /kueue-controller-manager/);
  assert.equal(has(check('kueue-0.19.2.yaml', 'lws-0.10.0-in-kueue-system.yaml'), 'service-selector-overlap'), []);
  assert.equal(has(check('lws-0.6.1-in-kueue-system.yaml'), 'service-selector-overlap'), [], 'alone, LWS 0.6.1 has no overlap');
});

needsCorpus(acceptance, 'capsule-0.12.4: cluster-scoped critical resources and a single point of failure', [], () => {
  const r = check('capsule-0.12.4.yaml');
  assert.equal(
    has(r, 'cluster-scoped-critical')
      .map((f) => f.field)
      .sort(),
    ['webhooks[namespaces.projectcapsule.dev]/rules', 'webhooks[namespaces.tenants.projectcapsule.dev]/rules'],
  );
  const spof = has(r, 'single-point-of-failure', 'error');
  assert.equal(
    spof.map((f) => f.resourceId),
    ['apps/v1 Deployment capsule-system/capsule-controller-manager'],
  );
  assert.match(spof[0].message, /namespace creation/);
});

acceptance('every corpus file after webhook-guard: no self-deadlock, overlap or single-point-of-failure errors left', () => {
  for (const file of files) {
    const name = basename(file);
    const before = check(name);
    const out = transformStream(read(name).text, resolveConfig(undefined)).output;
    const after = checkInputs([{ source: name, text: out }]);
    const left = after.findings.filter((f) => f.severity === 'error' && ERRORS_FIXED.includes(f.id));
    assert.equal(
      left.map((f) => `${f.id} ${f.resourceId}`),
      [],
      `${name}: ${left.map((f) => f.message).join('\n')}`,
    );
    for (const id of ERRORS_FIXED) assert.ok(has(after, id).length <= has(before, id).length, `${name}: ${id} grew`);
  }
});

needsCorpus(
  acceptance,
  'the Kueue + LWS pair after the transforms (each release hardened on its own) no longer overlaps',
  [],
  () => {
    const harden = (name: string) => ({ source: name, text: transformStream(read(name).text, resolveConfig(undefined)).output });
    const r = checkInputs([harden('kueue-0.11.4.yaml'), harden('lws-0.6.1-in-kueue-system.yaml')]);
    assert.equal(has(r, 'service-selector-overlap'), []);
  },
);

needsCorpus(acceptance, 'a live-cluster dump (one List built from corpus objects, plus Namespaces and Pods) is read', [], () => {
  const model = Model.fromInputs([read('kruise-1.5.2-seed.yaml'), read('kueue-0.19.2.yaml')]);
  const kinds = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'Service', 'Deployment', 'DaemonSet'];
  const items: unknown[] = model.resources
    .filter((r) => kinds.includes(r.kind))
    .map((r) => ({
      ...r.obj,
      metadata: {
        ...r.obj.metadata,
        namespace: r.obj.kind.endsWith('Configuration') ? undefined : model.namespaceOf(r),
        managedFields: [{ manager: 'helm', operation: 'Update' }],
      },
      status: { observedGeneration: 1 },
    }));
  for (const ns of ['kruise-system', 'kueue-system', 'kube-system', 'default'])
    items.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
      status: { phase: 'Active' },
    });
  items.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'kruise-controller-manager-6d4f-x1',
      namespace: 'kruise-system',
      labels: { 'control-plane': 'controller-manager', 'pod-template-hash': '6d4f' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'kruise-controller-manager-6d4f', controller: true }],
    },
    spec: { nodeName: 'n1', containers: [{ name: 'm', image: 'i' }] },
  });
  items.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'etcd-n1',
      namespace: 'kube-system',
      labels: { component: 'etcd', tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.mirror': 'abc' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', controller: true }],
    },
    spec: { nodeName: 'n1', containers: [{ name: 'etcd', image: 'i' }] },
  });
  const dump = stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });
  const r = checkInputs([{ source: 'cluster.yaml', text: dump }]);
  assert.ok(r.admission.webhooks().length > 30, 'webhooks read from the List');
  const kruise = r.admission.sources().find((s) => s.name === 'kruise-controller-manager')!;
  assert.equal(kruise.pods.length, 1, 'the live Pod joins its Deployment through its ReplicaSet');
  assert.ok(
    r.admission.sources().some((s) => s.kind === 'Pod' && s.name === 'etcd-n1'),
    'a mirror pod is its own source',
  );
  assert.equal(
    has(r, 'self-deadlock', 'error').map((f) => f.field),
    ['webhooks[mpod.kb.io]/namespaceSelector'],
    'the live kruise-system Namespace lacks control-plane=openkruise',
  );
  assert.equal(
    r.assumptions.filter((a) => a.startsWith('namespace kruise-system')),
    [],
    'Namespaces in the dump are not assumed',
  );
  assert.ok(has(r, 'mutual-deadlock', 'error').length === 1, 'Kruise and Kueue in one cluster block each other');
  for (const f of r.findings) assert.equal(f.location.source, 'cluster.yaml');
});

const sarif = suite('check: SARIF 2.1.0');

needsCorpus(sarif, 'validates against the SARIF 2.1.0 JSON schema, with locations in the input files', [], async () => {
  const validate = await sarifValidator();
  for (const names of [
    ['kruise-1.5.2-seed.yaml'],
    ['kueue-0.11.4.yaml', 'lws-0.6.1-in-kueue-system.yaml'],
    ['capsule-0.12.4.yaml'],
  ]) {
    const text = sarifReport(check(...names), '0.0.0-test');
    const ok = validate(JSON.parse(text));
    const log = JSON.parse(text);
    assert.ok(ok, `${names}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    assert.is(log.version, '2.1.0');
    const results = log.runs[0].results as Array<{
      ruleId: string;
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
    }>;
    assert.ok(results.length > 0);
    for (const r of results) {
      assert.ok(
        names.includes(r.locations[0].physicalLocation.artifactLocation.uri),
        r.locations[0].physicalLocation.artifactLocation.uri,
      );
      assert.ok(r.locations[0].physicalLocation.region.startLine >= 1);
    }
  }
  const seed = JSON.parse(sarifReport(check('kruise-1.5.2-seed.yaml'), '0.0.0-test'));
  const dead = seed.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'self-deadlock');
  const text = readFileSync(join(CORPUS, 'kruise-1.5.2-seed.yaml'), 'utf8').split('\n');
  assert.match(
    text[dead.locations[0].physicalLocation.region.startLine - 1],
    /namespaceSelector:/,
    'the region is the namespaceSelector line of mpod.kb.io',
  );
});

// A common namespace-isolation policy (admit the namespace's own pods only) beside a real release: the API server is
// not a pod, so the webhook's calls are dropped; the fix names the pod port the rule must open (targetPort 9876).
needsCorpus(
  acceptance,
  'kruise-1.5.2-default with an isolation NetworkPolicy: network-policy, with the ipBlock rule on port 9876',
  ['kruise-1.5.2-default.yaml'],
  () => {
    const isolation = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: same-namespace-only, namespace: kruise-system}',
      'spec:',
      '  podSelector: {}',
      '  policyTypes: [Ingress]',
      '  ingress: [{from: [{podSelector: {}}]}]',
      '',
    ].join('\n');
    const r = checkInputs([read('kruise-1.5.2-default.yaml'), { source: 'policy.yaml', text: isolation }]);
    const found = has(r, 'network-policy', 'warning');
    assert.equal(
      found.map((f) => [f.location.source, f.message, f.fix]),
      [
        [
          'policy.yaml',
          'NetworkPolicy kruise-system/same-namespace-only selects the pods of Deployment ' +
            'kruise-system/kruise-controller-manager, which serve mpod.kb.io, madvancedcronjob.kb.io and 32 more ' +
            "(failurePolicy Fail), and admits only traffic from pod and namespace selectors: the API server's webhook " +
            'calls do not come from a pod and are dropped on most CNIs.',
          'Add an ingress rule for the control plane to NetworkPolicy kruise-system/same-namespace-only: ' +
            '`- {from: [{ipBlock: {cidr: <control-plane CIDR>}}], ports: [{port: 9876, protocol: TCP}]}` ' +
            "(the CIDR of the API servers' addresses; on managed clusters, the one the provider documents for its " +
            'control plane).',
        ],
      ],
    );
  },
);

// The seeds' other remedies found on the real renders: Capsule's one replica without memory bounds (it was
// OOM-killed), and Kueue's serving Secret reached through LWS's Service.
needsCorpus(
  acceptance,
  "capsule-0.12.4: backend-resources; kueue-0.11.4 + lws-0.6.1: one serving Secret behind two releases' Services",
  ['capsule-0.12.4.yaml', 'kueue-0.11.4.yaml', 'lws-0.6.1-in-kueue-system.yaml'],
  () => {
    assert.equal(
      has(check('capsule-0.12.4.yaml'), 'backend-resources').map((f) => `${f.severity} ${f.message}`),
      [
        'warning Deployment capsule-system/capsule-controller-manager serves mutating webhook ' +
          'pod.defaults.projectcapsule.dev (failurePolicy Fail), mutating webhook storage.defaults.projectcapsule.dev ' +
          '(failurePolicy Fail) and 22 more: container manager has no memory request or limit.',
      ],
    );
    assert.equal(
      has(check('kueue-0.11.4.yaml', 'lws-0.6.1-in-kueue-system.yaml'), 'certificate-names').map(
        (f) => `${f.severity} ${f.location.source}:${f.location.line} ${f.message}`,
      ),
      [
        'warning kueue-0.11.4.yaml:13042 Secret kueue-system/kueue-webhook-server-cert is mounted by the backends of ' +
          'Services kueue-system/kueue-webhook-service and kueue-system/lws-webhook-service (Deployment ' +
          'kueue-system/kueue-controller-manager): one serving certificate for two webhook Services, so calls to one ' +
          'are answered with a certificate made for the other unless it names both (kueue-system/kueue-webhook-service ' +
          'first).',
      ],
    );
    assert.equal(has(check('kueue-0.11.4.yaml'), 'certificate-names'), [], 'Kueue alone: its Secret serves one Service');
  },
);

acceptance.run();
sarif.run();
