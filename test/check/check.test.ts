// check: the admission simulation, the CEL subset, and each rule on small inline manifests (one table per rule).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CelError, evaluateCondition, UNKNOWN } from '../../src/model/cel.js';
import { webhookIntercepts, type AdmissionRequest } from '../../src/model/selectors.js';
import { checkInputs, type Located } from '../../src/check/run.js';
import { RULES } from '../../src/check/rules/index.js';
import { lines } from '../support/helpers.js';

/** ids runs check over inline manifests and returns `severity:id` of each finding (optionally of one rule). */
function findings(text: string | string[], only?: string): Located[] {
  const inputs = (Array.isArray(text) ? text : [text]).map((t, i) => ({ source: `in${i}.yaml`, text: t }));
  return checkInputs(inputs).findings.filter((f) => !only || f.id === only);
}
const ids = (text: string | string[], only?: string) => findings(text, only).map((f) => `${f.severity}:${f.id}`);

// Builders for the manifests the tables use.
function webhook(
  opts: {
    name?: string;
    config?: string;
    kind?: 'Mutating' | 'Validating';
    ns?: string;
    svc?: string;
    failurePolicy?: string;
    rules?: unknown;
    nsSel?: unknown;
    objSel?: unknown;
    conditions?: unknown;
    timeout?: number;
    sideEffects?: string | null;
    port?: number;
  } = {},
): string {
  const entry: Record<string, unknown> = {
    name: opts.name ?? 'mpod.example.io',
    admissionReviewVersions: ['v1'],
    clientConfig: {
      service: { namespace: opts.ns ?? 'sys', name: opts.svc ?? 'webhook', ...(opts.port ? { port: opts.port } : {}) },
    },
    rules: opts.rules ?? [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
  };
  if (opts.sideEffects !== null) entry.sideEffects = opts.sideEffects ?? 'None';
  if (opts.failurePolicy) entry.failurePolicy = opts.failurePolicy;
  if (opts.nsSel) entry.namespaceSelector = opts.nsSel;
  if (opts.objSel) entry.objectSelector = opts.objSel;
  if (opts.conditions) entry.matchConditions = opts.conditions;
  if (opts.timeout) entry.timeoutSeconds = opts.timeout;
  return (
    JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: `${opts.kind ?? 'Mutating'}WebhookConfiguration`,
      metadata: { name: opts.config ?? 'cfg' },
      webhooks: [entry],
    }) + '\n'
  );
}
function service(
  ns = 'sys',
  name = 'webhook',
  selector: Record<string, string> = { app: 'server' },
  targetPort: number | string = 9443,
): string {
  return (
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: { selector, ports: [{ port: 443, targetPort }] },
    }) + '\n'
  );
}
function deployment(
  ns = 'sys',
  name = 'server',
  labels: Record<string, string> = { app: 'server' },
  replicas = 2,
  ports: unknown[] = [{ containerPort: 9443, name: 'https' }],
): string {
  return (
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i', ports }] } },
      },
    }) + '\n'
  );
}
function pdb(
  ns = 'sys',
  labels: Record<string, string> = { app: 'server' },
  spec: Record<string, unknown> = { maxUnavailable: 1 },
): string {
  return (
    JSON.stringify({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'pdb', namespace: ns },
      spec: { ...spec, selector: { matchLabels: labels } },
    }) + '\n'
  );
}
function namespace(name: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }) + '\n';
}
const stream = (...docs: string[]) => docs.map((d) => `---\n${d}`).join('');
/** healthy is a backend that passes every availability check. */
const healthy = (ns = 'sys') => [service(ns), deployment(ns), pdb(ns)];

const cel = suite('cel: the matchConditions subset');
cel('evaluates comparisons, has(), in, exists and short-circuits over errors', () => {
  const vars = {
    request: { resource: { group: '', resource: 'pods' }, userInfo: { groups: ['system:nodes'] } },
    object: { metadata: { name: 'a' } },
  };
  const table: Array<[string, unknown]> = [
    ['request.resource.resource != "events"', true],
    ["!('system:nodes' in request.userInfo.groups)", false],
    ['has(object.metadata.annotations)', false],
    ['has(object.metadata.annotations) && "kubernetes.io/config.mirror" in object.metadata.annotations', false],
    ['request.userInfo.groups.exists(g, g == "system:nodes")', true],
    ['object.metadata.name.startsWith("a") ? true : false', true],
    ['false && object.metadata.labels["x"] == "y"', false],
    ['authorizer.group("").resource("pods").check("create").allowed()', UNKNOWN],
  ];
  for (const [expr, want] of table) assert.is(evaluateCondition(expr, vars), want, expr);
  assert.instance(
    evaluateCondition('object.metadata.labels["x"] == "y"', vars),
    CelError,
    'a missing key is an evaluation error',
  );
  assert.is(evaluateCondition('object.spec +', vars), UNKNOWN, 'what does not parse is unknown');
});

const intercepts = suite('webhookIntercepts: rules, selectors, conditions');
const podIn = (ns: string, nsLabels: Record<string, string>, labels: Record<string, string> = {}): AdmissionRequest => ({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  operation: 'CREATE',
  namespaced: true,
  namespace: ns,
  namespaceLabels: { 'kubernetes.io/metadata.name': ns, ...nsLabels },
  object: { metadata: { labels } },
  oldObject: null,
  userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
});
intercepts('namespaceSelector against the namespace, objectSelector against the object, conditions last', () => {
  const rules = [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }];
  const optOut = { matchExpressions: [{ key: 'control-plane', operator: 'NotIn', values: ['openkruise'] }] };
  assert.is(
    webhookIntercepts({ rules, namespaceSelector: optOut }, podIn('kruise-system', {})).verdict,
    'yes',
    'a bare namespace lacks the exempting label',
  );
  assert.is(
    webhookIntercepts({ rules, namespaceSelector: optOut }, podIn('kruise-system', { 'control-plane': 'openkruise' })).verdict,
    'no',
  );
  assert.is(
    webhookIntercepts({ rules, objectSelector: { matchExpressions: [{ key: 'x', operator: 'Exists' }] } }, podIn('a', {}))
      .verdict,
    'no',
  );
  assert.is(
    webhookIntercepts({ rules: [{ ...rules[0], apiVersions: ['v2'] }] }, podIn('a', {})).verdict,
    'yes',
    'matchPolicy Equivalent ignores the version',
  );
  assert.is(
    webhookIntercepts({ rules: [{ ...rules[0], apiVersions: ['v2'] }], matchPolicy: 'Exact' }, podIn('a', {})).verdict,
    'no',
  );
  const unknown = [{ name: 'authz', expression: 'authorizer.requestResource.check("x").allowed()' }];
  assert.is(webhookIntercepts({ rules, matchConditions: unknown }, podIn('a', {})).verdict, 'unknown');
  const errors = [{ name: 'label', expression: 'object.metadata.labels["x"] == "y"' }];
  assert.is(
    webhookIntercepts({ rules, matchConditions: errors }, podIn('a', {})).verdict,
    'yes',
    'an error makes a Fail webhook reject',
  );
  assert.is(webhookIntercepts({ rules, matchConditions: errors, failurePolicy: 'Ignore' }, podIn('a', {})).verdict, 'no');
  const skipNodes = [{ name: 'not-kubelet', expression: "!('system:nodes' in request.userInfo.groups)" }];
  assert.is(webhookIntercepts({ rules, matchConditions: skipNodes }, podIn('a', {})).verdict, 'yes');
});

const rules = suite('check rules');
rules('the registry: unique kebab-case ids, each with a title and documentation', () => {
  const seen = new Set<string>();
  for (const r of RULES) {
    assert.ok(/^[a-z]+(-[a-z]+)*$/.test(r.id), r.id);
    assert.not.ok(seen.has(r.id), `duplicate ${r.id}`);
    seen.add(r.id);
    assert.ok(r.title.length > 10, r.id);
  }
});

rules('self-deadlock: a Fail pod webhook whose namespace exemption a pre-created namespace lacks', () => {
  const optOut = { matchExpressions: [{ key: 'control-plane', operator: 'NotIn', values: ['openkruise'] }] };
  const base = [webhook({ nsSel: optOut }), ...healthy()];
  assert.equal(ids(stream(...base), 'self-deadlock'), ['error:self-deadlock']);
  const f = findings(stream(...base), 'self-deadlock')[0];
  assert.match(f.message, /Deployment sys\/server/);
  assert.equal(f.transform, 'exclude-namespaces');
  assert.ok(f.assumptions?.[0].includes('namespace sys is not in the input'));
  assert.equal(f.field, 'webhooks[mpod.example.io]/namespaceSelector');
  assert.equal(
    ids(stream(namespace('sys', { 'control-plane': 'openkruise' }), ...base), 'self-deadlock'),
    [],
    'the labelled Namespace in the input exempts it',
  );
  assert.equal(ids(stream(webhook({ failurePolicy: 'Ignore' }), ...healthy()), 'self-deadlock'), [], 'Ignore never deadlocks');
  assert.equal(
    ids(
      stream(
        webhook({ nsSel: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['sys'] }] } }),
        ...healthy(),
      ),
      'self-deadlock',
    ),
    [],
  );
  assert.equal(
    ids(
      stream(webhook({ objSel: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['server'] }] } }), ...healthy()),
      'self-deadlock',
    ),
    [],
    'an objectSelector can skip its own pods',
  );
  assert.equal(
    ids(stream(webhook({ conditions: [{ name: 'c', expression: 'authorizer.x()' }] }), ...healthy()), 'self-deadlock'),
    ['warning:self-deadlock'],
    'unknown conditions lower it to a warning',
  );
});

rules("mutual-deadlock: two Fail webhooks in two namespaces intercept each other's backend pods", () => {
  const a = [
    webhook({
      name: 'a.example.io',
      config: 'a',
      ns: 'a',
      nsSel: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['a'] }] },
    }),
    ...healthy('a'),
  ];
  const b = [
    webhook({
      name: 'b.example.io',
      config: 'b',
      ns: 'b',
      nsSel: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['b'] }] },
    }),
    ...healthy('b'),
  ];
  assert.equal(ids([stream(...a), stream(...b)], 'mutual-deadlock'), ['error:mutual-deadlock'], 'two inputs form one cluster');
  const f = findings([stream(...a), stream(...b)], 'mutual-deadlock')[0];
  assert.match(f.message, /Deployment a\/server's pods are intercepted by b\.example\.io/);
  assert.match(f.fix, /--exclude-namespace a --exclude-namespace b|--exclude-namespace b --exclude-namespace a/);
  assert.equal(ids(stream(...a), 'mutual-deadlock'), [], 'alone, neither deadlocks');
  // A three-cycle: a blocks b's pods, b blocks c's, c blocks a's.
  const only = (name: string, ns: string, target: string) =>
    webhook({
      name,
      config: name,
      ns,
      nsSel: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [target] }] },
    });
  assert.equal(
    ids(
      stream(only('a', 'a', 'b'), ...healthy('a'), only('b', 'b', 'c'), ...healthy('b'), only('c', 'c', 'a'), ...healthy('c')),
      'mutual-deadlock',
    ),
    ['error:mutual-deadlock'],
  );
});

rules("service-selector-overlap: a webhook Service selecting two releases' pods, across inputs", () => {
  const shared = { 'control-plane': 'controller-manager' };
  const lws = stream(
    webhook({
      name: 'mlws.example.io',
      svc: 'lws-webhook',
      nsSel: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['sys'] }] },
    }),
    service('sys', 'lws-webhook', shared),
    deployment('sys', 'lws', { ...shared, app: 'lws' }),
    pdb('sys', { app: 'lws' }),
  );
  const kueue = stream(deployment('sys', 'kueue', { ...shared, app: 'kueue' }));
  assert.equal(ids([lws, kueue], 'service-selector-overlap'), ['error:service-selector-overlap']);
  const f = findings([lws, kueue], 'service-selector-overlap')[0];
  assert.equal(f.resourceId, 'v1 Service sys/lws-webhook');
  assert.equal(f.location.source, 'in0.yaml');
  assert.equal(f.transform, 'tighten-service-selectors');
  assert.equal(ids([lws], 'service-selector-overlap'), []);
});

rules('no-endpoints: missing Service, no pods, wrong port, named targetPort not declared', () => {
  assert.equal(ids(stream(webhook()), 'no-endpoints'), ['error:no-endpoints']);
  assert.equal(ids(stream(webhook({ failurePolicy: 'Ignore' })), 'no-endpoints'), ['warning:no-endpoints']);
  assert.equal(ids(stream(webhook(), service(), pdb()), 'no-endpoints'), ['error:no-endpoints'], 'selects no pods');
  assert.equal(
    ids(stream(webhook({ port: 8443 }), ...healthy()), 'no-endpoints'),
    ['error:no-endpoints'],
    'no such Service port',
  );
  assert.equal(
    ids(stream(webhook(), service('sys', 'webhook', { app: 'server' }, 'webhook-server'), deployment(), pdb()), 'no-endpoints'),
    ['error:no-endpoints'],
    'named port missing',
  );
  assert.equal(ids(stream(webhook(), ...healthy()), 'no-endpoints'), []);
  const f = findings(stream(webhook()), 'no-endpoints')[0];
  assert.ok(f.assumptions?.[0].includes('Service sys/webhook is not in the input'));
  assert.match(
    findings(stream(webhook(), service('other')), 'no-endpoints')[0].message,
    /exists in namespace other, so the namespace in clientConfig\.service looks hard-coded/,
  );
});

rules('single-point-of-failure: replicas, PDB, a PDB that forbids every disruption, HPA, DaemonSet', () => {
  const hook = webhook();
  assert.equal(
    ids(stream(hook, service(), deployment('sys', 'server', { app: 'server' }, 1), pdb()), 'single-point-of-failure'),
    ['error:single-point-of-failure'],
    'pods everywhere: high blast radius',
  );
  assert.equal(
    ids(stream(hook, service(), deployment()), 'single-point-of-failure'),
    ['error:single-point-of-failure'],
    'no PDB',
  );
  assert.equal(
    ids(stream(hook, service(), deployment(), pdb('sys', { app: 'server' }, { minAvailable: 2 })), 'single-point-of-failure'),
    ['error:single-point-of-failure'],
    'minAvailable = replicas',
  );
  assert.equal(
    ids(
      stream(hook, service(), deployment(), pdb('sys', { app: 'server' }, { maxUnavailable: '0%' })),
      'single-point-of-failure',
    ),
    ['error:single-point-of-failure'],
  );
  assert.equal(ids(stream(hook, ...healthy()), 'single-point-of-failure'), []);
  const crdOnly = webhook({
    rules: [{ apiGroups: ['example.io'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['widgets'] }],
  });
  assert.equal(
    ids(stream(crdOnly, service(), deployment('sys', 'server', { app: 'server' }, 1), pdb()), 'single-point-of-failure'),
    ['warning:single-point-of-failure'],
    'own resources only: warning',
  );
  const hpa = JSON.stringify({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', namespace: 'sys' },
    spec: { minReplicas: 3, maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'server' } },
  });
  assert.equal(
    ids(stream(hook, service(), deployment('sys', 'server', { app: 'server' }, 1), pdb(), hpa), 'single-point-of-failure'),
    [],
    "the HPA's minReplicas counts",
  );
  assert.equal(
    ids(
      stream(webhook({ failurePolicy: 'Ignore' }), service(), deployment('sys', 'server', { app: 'server' }, 1)),
      'single-point-of-failure',
    ),
    [],
  );
});

rules('intercepts-kube-system and cluster-scoped-critical', () => {
  assert.equal(
    ids(stream(webhook(), ...healthy()), 'intercepts-kube-system'),
    ['error:intercepts-kube-system'],
    'pods in kube-system',
  );
  const excluded = {
    matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'sys'] }],
  };
  assert.equal(ids(stream(webhook({ nsSel: excluded }), ...healthy()), 'intercepts-kube-system'), []);
  assert.equal(
    ids(stream(webhook({ failurePolicy: 'Ignore' }), ...healthy()), 'intercepts-kube-system'),
    ['info:intercepts-kube-system'],
    'an Ignore webhook cannot block kube-system while down: info',
  );
  const operatorOwn = webhook({
    name: 'pools.metallb.example',
    kind: 'Validating',
    rules: [{ apiGroups: ['metallb.io'], apiVersions: ['*'], operations: ['*'], resources: ['*'] }],
  });
  assert.equal(
    ids(stream(operatorOwn, ...healthy()), 'intercepts-kube-system'),
    [],
    'an operator group with resources `*` covers only its own custom resources: nothing in kube-system to report',
  );
  const nodes = webhook({
    name: 'nodes.example.io',
    kind: 'Validating',
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes', 'nodes/status'] }],
    nsSel: excluded,
  });
  assert.equal(ids(stream(nodes, ...healthy()), 'cluster-scoped-critical'), ['error:cluster-scoped-critical']);
  const mixed = webhook({
    name: 'mixed',
    kind: 'Validating',
    rules: [
      {
        apiGroups: ['', 'certificates.k8s.io'],
        apiVersions: ['v1'],
        operations: ['UPDATE'],
        resources: ['nodes', 'certificatesigningrequests', 'configmaps'],
      },
    ],
  });
  assert.equal(
    findings(stream(mixed, ...healthy()), 'intercepts-kube-system').map((x) => x.message.split(': ')[0]),
    ['validating webhook mixed (failurePolicy Fail) intercepts configmaps in kube-system'],
    'cluster-scoped resources are not in kube-system',
  );
  assert.equal(findings(stream(nodes, ...healthy()), 'cluster-scoped-critical')[0].transform, 'guard-cluster-scoped');
  const kubelet = [{ name: 'not-kubelets', expression: "!('system:nodes' in request.userInfo.groups)" }];
  assert.equal(
    ids(
      stream(
        webhook({
          ...{
            name: 'n',
            kind: 'Validating',
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes', 'nodes/status'] }],
          },
          conditions: kubelet,
        }),
        ...healthy(),
      ),
      'cluster-scoped-critical',
    ),
    [],
    'a matchCondition skipping kubelets clears it',
  );
  const ns = webhook({
    name: 'ns.example.io',
    kind: 'Validating',
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'], resources: ['namespaces'] }],
  });
  assert.equal(ids(stream(ns, ...healthy()), 'cluster-scoped-critical'), ['warning:cluster-scoped-critical']);
});

rules('label-exemption and exemption-absent', () => {
  const optOut = { matchExpressions: [{ key: 'policy/ignore', operator: 'DoesNotExist' }] };
  assert.equal(ids(stream(webhook({ kind: 'Validating', nsSel: optOut }), ...healthy()), 'label-exemption'), [
    'warning:label-exemption',
  ]);
  assert.equal(
    ids(
      stream(webhook({ objSel: { matchExpressions: [{ key: 'skip', operator: 'NotIn', values: ['true'] }] } }), ...healthy()),
      'label-exemption',
    ),
    ['info:label-exemption'],
    'mutating: info',
  );
  assert.equal(
    ids(
      stream(
        webhook({ kind: 'Validating', objSel: { matchExpressions: [{ key: 'managed', operator: 'Exists' }] } }),
        ...healthy(),
      ),
      'label-exemption',
    ),
    [],
    'opt-in is fine',
  );
  const kruise = { matchExpressions: [{ key: 'control-plane', operator: 'NotIn', values: ['openkruise'] }] };
  assert.equal(ids(stream(webhook({ nsSel: kruise }), ...healthy()), 'exemption-absent'), ['warning:exemption-absent']);
  assert.equal(
    ids(
      stream(namespace('sys', { 'control-plane': 'openkruise' }), webhook({ nsSel: kruise }), ...healthy()),
      'exemption-absent',
    ),
    [],
  );
  const psa = { matchExpressions: [{ key: 'pod-security.kubernetes.io/enforce', operator: 'NotIn', values: ['privileged'] }] };
  const psaFinding = findings(stream(webhook({ nsSel: psa }), ...healthy()), 'exemption-absent');
  assert.equal(
    psaFinding.map((f) => [f.transform, f.fix]),
    [
      [
        'exclude-namespaces',
        "Exclude it by name: webhook-guard's exclude-namespaces merges `kubernetes.io/metadata.name NotIn [sys]` into the " +
          'namespaceSelector. Do not set pod-security.kubernetes.io/enforce on the namespace: it switches a security or mesh ' +
          'control off for every workload there, so label-namespaces never derives it.',
      ],
    ],
    'a security label is never suggested',
  );
  assert.not.match(
    findings(stream(webhook({ nsSel: psa }), ...healthy()), 'self-deadlock')[0].fix,
    /kubectl label/,
    'nor by self-deadlock',
  );
  const crd = webhook({
    nsSel: kruise,
    rules: [{ apiGroups: ['example.io'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['widgets'] }],
  });
  assert.equal(
    ids(stream(crd, ...healthy()), 'exemption-absent'),
    [],
    'a webhook on its own custom resources needs no exemption',
  );
});

rules('timeout, side-effects and runtime webhooks', () => {
  assert.equal(ids(stream(webhook({ timeout: 30 }), ...healthy()), 'timeout'), ['warning:timeout']);
  assert.equal(ids(stream(webhook({ timeout: 15 }), ...healthy()), 'timeout'), []);
  assert.equal(ids(stream(webhook({ sideEffects: 'Some' }), ...healthy()), 'side-effects'), ['warning:side-effects']);
  assert.equal(ids(stream(webhook({ sideEffects: null }), ...healthy()), 'side-effects'), ['error:side-effects']);
  const kyverno = lines(
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: kyverno',
    '  namespace: kyverno',
    'data:',
    `  webhooks: ` +
      `'{"namespaceSelector":{"matchExpressions":` +
      `[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system"]}]}}'`,
  );
  const f = findings(kyverno, 'runtime-webhooks');
  assert.equal(
    f.map((x) => x.severity),
    ['info'],
  );
  assert.match(f[0].message, /its data\.webhooks key holds 1 selector, which keeps kube-system out, but not kyverno\)/);
  assert.not.match(f[0].message, /NotIn|metadata\.name/, 'ConfigMap data is described, never quoted');
  assert.equal(
    ids(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: other', 'data:', '  a: b'), 'runtime-webhooks'),
    [],
  );
});

rules('a live-cluster List: Pods join their Deployment, bare mirror pods in kube-system are intercepted', () => {
  const dep = JSON.parse(deployment('sys', 'server', { app: 'server' }, 2));
  const pod = (name: string, ns: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels, ...extra },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running' },
  });
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion: '' },
    items: [
      JSON.parse(webhook()),
      JSON.parse(service()),
      { ...dep, status: { replicas: 2, readyReplicas: 2 }, metadata: { ...dep.metadata, managedFields: [{ manager: 'helm' }] } },
      JSON.parse(pdb()),
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'sys', labels: { 'kubernetes.io/metadata.name': 'sys', 'control-plane': 'openkruise' } },
      },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      },
      pod(
        'server-7d9f-abcde',
        'sys',
        { app: 'server', 'pod-template-hash': '7d9f' },
        { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'server-7d9f', controller: true }] },
      ),
      pod(
        'kube-apiserver-n1',
        'kube-system',
        { component: 'kube-apiserver' },
        {
          annotations: { 'kubernetes.io/config.mirror': 'abc' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', controller: true }],
        },
      ),
    ],
  };
  const r = checkInputs([{ source: 'cluster.yaml', text: JSON.stringify(list, null, 2) }]);
  const kinds = r.admission.sources().map((s) => `${s.kind}/${s.name}/${s.pods.length}`);
  assert.equal(kinds.sort(), ['Deployment/server/1', 'Pod/kube-apiserver-n1/1']);
  assert.ok(
    r.findings.some((f) => f.id === 'self-deadlock'),
    'the live Namespace has no exemption for this webhook',
  );
  assert.equal(
    r.assumptions.filter((a) => a.includes('namespace sys')),
    [],
    'Namespaces in the dump are read',
  );
  const f = r.findings.find((x) => x.id === 'self-deadlock')!;
  assert.equal(f.location.source, 'cluster.yaml');
  assert.ok(f.location.line > 1, 'an item of the List has its own line');
});

cel.run();
intercepts.run();
rules.run();

const regex = suite('cel: matches() never backtracks without bound');
regex('patterns that could backtrack badly, and long subjects, are unknown; plain ones are evaluated', () => {
  const vars = { object: { metadata: { name: 'a'.repeat(40) + '!' } } };
  assert.is(evaluateCondition("object.metadata.name.matches('^(a+)+$')", vars), UNKNOWN);
  assert.is(evaluateCondition("object.metadata.name.matches('^(a|aa)*$')", vars), UNKNOWN);
  assert.is(evaluateCondition("object.metadata.name.matches('^a+!$')", vars), true);
  assert.is(evaluateCondition("object.metadata.name.matches('^b')", vars), false);
});
regex.run();
