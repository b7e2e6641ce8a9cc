// guard-cluster-scoped: named matchConditions for Nodes, CSRs, kubelets and mirror pods, gated on the Kubernetes version.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCondition } from '../../src/model/cel.js';
import { CONDITIONS, conditionsFor, matchConditionsAvailable, mergeConditions } from '../../transforms/shared/conditions.js';
import { config, lines, run } from '../support/helpers.js';
import { runCases } from '../support/table.js';

/** webhook builds a one-webhook configuration; `extra` are lines under the entry after its rules. */
function webhook(kind: string, rules: string[], extra: string[] = [], apiVersion = 'admissionregistration.k8s.io/v1'): string {
  return lines(
    `apiVersion: ${apiVersion}`,
    `kind: ${kind}WebhookConfiguration`,
    'metadata:',
    '  name: hook',
    'webhooks:',
    '- name: hook.example.com',
    '  clientConfig:',
    '    service: {name: hook, namespace: guard, path: /x}',
    '  rules:',
    `  - ${rules[0]}`,
    ...rules.slice(1).map((l) => '    ' + l),
    ...extra.map((l) => '  ' + l),
  );
}

const NODES = ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [UPDATE]', 'resources: [nodes, nodes/status]'];
const CSRS = [
  'apiGroups: [certificates.k8s.io]',
  'apiVersions: [v1]',
  'operations: [CREATE]',
  'resources: [certificatesigningrequests]',
];
const PODS = ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [pods]'];
const EVERYTHING = ['apiGroups: ["*"]', 'apiVersions: ["*"]', 'operations: ["*"]', 'resources: ["*"]'];

// The lines the transform writes for each condition, under a new `matchConditions:` key.
const c = (name: keyof typeof CONDITIONS): string[] => [
  `- name: ${CONDITIONS[name].name}`,
  `  expression: ${JSON.stringify(CONDITIONS[name].expression)}`,
];
const added = (...names: Array<keyof typeof CONDITIONS>): string[] => ['matchConditions:', ...names.flatMap(c)];

runCases('guard-cluster-scoped', {
  'a webhook only for Nodes (Capsule nodes.projectcapsule.dev): kubelets skipped, not all Nodes': {
    input: webhook('Validating', NODES, ['failurePolicy: Fail']),
    expected: webhook('Validating', NODES, ['failurePolicy: Fail', ...added('kubelets')]),
  },
  'a webhook only for CSRs: kubelets skipped': {
    input: webhook('Validating', CSRS),
    expected: webhook('Validating', CSRS, added('kubelets')),
  },
  'Nodes and CSRs beside every other resource: both skipped, and mirror pods': {
    input: webhook('Validating', EVERYTHING),
    expected: webhook('Validating', EVERYTHING, added('nodes', 'csrs', 'mirrorPods')),
  },
  'Nodes beside pods in one rule: Nodes and mirror pods skipped': {
    input: webhook('Mutating', [
      'apiGroups: [""]',
      'apiVersions: [v1]',
      'operations: [CREATE, UPDATE]',
      'resources: [nodes, pods]',
    ]),
    expected: webhook(
      'Mutating',
      ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE, UPDATE]', 'resources: [nodes, pods]'],
      added('nodes', 'mirrorPods'),
    ),
  },
  'Pod CREATE (kops pod-identity-webhook): mirror pods skipped, existing conditions kept with their comments': {
    input: webhook('Mutating', PODS, [
      'matchConditions:',
      '- name: not-exempt   # chart default',
      '  expression: "!has(object.metadata.labels) || !(\'exempt\' in object.metadata.labels)"',
    ]),
    expected: webhook('Mutating', PODS, [
      'matchConditions:',
      '- name: not-exempt   # chart default',
      '  expression: "!has(object.metadata.labels) || !(\'exempt\' in object.metadata.labels)"',
      ...c('mirrorPods'),
    ]),
  },
  'conditions already there (a second run, or written by hand) are not added again': {
    input: webhook('Mutating', PODS, ['matchConditions:', `- {name: ${CONDITIONS.mirrorPods.name}, expression: "true"}`]),
    expected: 'unchanged',
  },
  'wildcard resources scoped to namespaces cover neither Nodes nor CSRs': {
    input: webhook('Validating', [
      'apiGroups: ["*"]',
      'apiVersions: ["*"]',
      'operations: [UPDATE]',
      'resources: ["*/*"]',
      'scope: Namespaced',
    ]),
    expected: 'unchanged',
  },
  'Pod UPDATE only: mirror pods are not created through it': {
    input: webhook('Validating', [
      'apiGroups: [""]',
      'apiVersions: [v1]',
      'operations: [UPDATE]',
      'resources: [pods, pods/status]',
    ]),
    expected: 'unchanged',
  },
  'Ignore webhooks already fail open': {
    input: webhook('Validating', NODES, ['failurePolicy: Ignore']),
    expected: 'unchanged',
  },
  'an opt-in objectSelector already keeps kubelets objects out': {
    input: webhook('Validating', EVERYTHING, ['objectSelector:', '  matchLabels: {policy.example.com/enforce: "true"}']),
    expected: 'unchanged',
  },
  'a namespaceSelector that only matches labelled namespaces never sees mirror pods': {
    input: webhook('Mutating', PODS, [
      'namespaceSelector:',
      '  matchExpressions: [{key: capsule.clastix.io/tenant, operator: Exists}]',
    ]),
    expected: 'unchanged',
  },
  'a namespaceSelector that names kube-system still sees mirror pods there': {
    input: webhook('Mutating', PODS, [
      'namespaceSelector:',
      '  matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [kube-system]}]',
    ]),
    expected: webhook('Mutating', PODS, [
      'namespaceSelector:',
      '  matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [kube-system]}]',
      ...added('mirrorPods'),
    ]),
  },
  'options switch each kind of condition off': {
    input: webhook('Validating', EVERYTHING),
    options: { nodesAndCSRs: false },
    expected: webhook('Validating', EVERYTHING, added('mirrorPods')),
  },
  'per-webhook opt-out': {
    input: webhook('Validating', NODES),
    options: { skipWebhooks: ['hook/hook.example.com'] },
    expected: 'unchanged',
  },
  'admissionregistration.k8s.io/v1beta1 has no matchConditions here: warned, left out': {
    input: webhook('Validating', NODES, ['failurePolicy: Fail'], 'admissionregistration.k8s.io/v1beta1'),
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration ' +
        'hook: webhook hook.example.com: would add matchConditions ' +
        'webhook-guard-skip-kubelets, but admissionregistration.k8s.io/v1beta1 is not admissionregistration.k8s.io/v1; left out',
    ],
  },
  'admissionregistration.k8s.io/v1beta1 without failurePolicy fails open (its default there): left alone': {
    input: webhook('Validating', NODES, [], 'admissionregistration.k8s.io/v1beta1'),
    expected: 'unchanged',
  },
  'CapsuleConfiguration (Capsule 0.13+) webhooks get the same conditions': {
    input: lines(
      'apiVersion: capsule.clastix.io/v1beta2',
      'kind: CapsuleConfiguration',
      'metadata:',
      '  name: default',
      'spec:',
      '  admission:',
      '    validating:',
      '      client:',
      '        service: {name: capsule-webhook-service, namespace: capsule-system, port: 9443}',
      '      webhooks:',
      '      - name: nodes.validating.projectcapsule.dev',
      '        path: /nodes',
      '        failurePolicy: Fail',
      '        rules:',
      '        - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [nodes]}',
    ),
    expected: lines(
      'apiVersion: capsule.clastix.io/v1beta2',
      'kind: CapsuleConfiguration',
      'metadata:',
      '  name: default',
      'spec:',
      '  admission:',
      '    validating:',
      '      client:',
      '        service: {name: capsule-webhook-service, namespace: capsule-system, port: 9443}',
      '      webhooks:',
      '      - name: nodes.validating.projectcapsule.dev',
      '        path: /nodes',
      '        failurePolicy: Fail',
      '        rules:',
      '        - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [nodes]}',
      ...added('kubelets').map((l) => '        ' + l),
    ),
  },
});

const s = suite('guard-cluster-scoped: limits and versions');

s('--kube-version 1.27: matchConditions left out, and the warning says what would have been added', () => {
  const input = webhook('Validating', EVERYTHING);
  const result = run(input, config(['guard-cluster-scoped'], {}, { kubeVersion: '1.27' }));
  assert.is(result.output, input);
  assert.equal(
    result.warnings.map((w) => w.message),
    [
      'webhook hook.example.com: would add matchConditions webhook-guard-skip-nodes, ' +
        'webhook-guard-skip-csrs, webhook-guard-skip-mirror-pods, ' +
        'but matchConditions need Kubernetes 1.28+ (target 1.27); left out',
    ],
  );
  assert.ok(
    run(input, config(['guard-cluster-scoped'], {}, { kubeVersion: '1.28' })).output.includes('matchConditions:'),
    '1.28 adds them',
  );
});

s('matchConditionsAvailable: from 1.28 (beta, on by default)', () => {
  const table: Array<[string, boolean]> = [
    ['1.27', false],
    ['1.27.9', false],
    ['v1.28', true],
    ['1.30', true],
    ['1.9', false],
    ['2.0', true],
  ];
  for (const [v, want] of table) assert.is(matchConditionsAvailable(v), want, v);
});

s('64 conditions at most per webhook: nothing added past the limit, with a warning', () => {
  const existing = (n: number): string[] => [
    'matchConditions:',
    ...Array.from({ length: n }, (_, i) => `- {name: c${i}, expression: "true"}`),
  ];
  const full = webhook('Validating', EVERYTHING, existing(62));
  const result = run(full, config(['guard-cluster-scoped']));
  assert.is(result.output, full);
  assert.equal(
    result.warnings.map((w) => w.message),
    [
      'webhook hook.example.com: would add matchConditions webhook-guard-skip-nodes, ' +
        'webhook-guard-skip-csrs, webhook-guard-skip-mirror-pods, but it has 62 and the API allows 64; left out',
    ],
  );
  const fits = run(webhook('Validating', EVERYTHING, existing(61)), config(['guard-cluster-scoped']));
  assert.is(fits.changes.length, 1);
  assert.is((fits.changes[0].after as unknown[]).length, 64);
});

s('mergeConditions keeps the existing list and order, and adds by name only', () => {
  const existing = [
    { name: 'a', expression: 'true' },
    { name: CONDITIONS.nodes.name, expression: 'custom' },
  ];
  const merged = mergeConditions(existing, [CONDITIONS.nodes, CONDITIONS.csrs]);
  assert.ok('list' in merged);
  if ('list' in merged) assert.equal(merged.list, [...existing, CONDITIONS.csrs]);
  assert.equal(merged.added, [CONDITIONS.csrs]);
});

s('conditionsFor reads what the rules cover through ruleMatches (subresources, scope, groups)', () => {
  const all = { nodesAndCSRs: true, mirrorPods: true };
  const names = (rules: unknown[]): string[] =>
    conditionsFor({ rules }, all).map((x) => x.name.replace('webhook-guard-skip-', ''));
  assert.equal(names([{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes/status'] }]), [
    'kubelets',
  ]);
  assert.equal(names([{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'], scope: 'Cluster' }]), [
    'nodes',
    'csrs',
  ]);
  assert.equal(
    names([{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['*'], resources: ['nodes'] }]),
    [],
    'nodes in another group are not Nodes',
  );
  assert.equal(
    names([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ['nodes/proxy'] }]),
    [],
    'node proxy is not a kubelet write',
  );
  assert.equal(
    names([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/eviction'] }]),
    [],
    'evictions are not pods',
  );
});

s.run();

const evaluation = suite('guard-cluster-scoped: the conditions evaluate without error for every request');
evaluation('every operation, resource, user and missing object: a boolean, never an error; skips only what they name', () => {
  const users = {
    kubelet: { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] },
    user: { username: 'alice', groups: ['dev'] },
    bare: { username: 'x' },
  };
  const resources = {
    pods: { group: '', resource: 'pods' },
    nodes: { group: '', resource: 'nodes' },
    csrs: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests' },
    widgets: { group: 'example.com', resource: 'widgets' },
  };
  const objects = {
    none: null,
    plain: { metadata: { name: 'p' } },
    noMeta: {},
    mirror: { metadata: { annotations: { 'kubernetes.io/config.mirror': 'abc' } } },
  };
  let evaluated = 0;
  for (const op of ['CREATE', 'UPDATE', 'DELETE', 'CONNECT']) {
    for (const [rk, res] of Object.entries(resources)) {
      for (const [uk, userInfo] of Object.entries(users)) {
        for (const [ok, object] of Object.entries(objects)) {
          const vars = {
            object,
            oldObject: op === 'CREATE' ? null : object,
            request: { operation: op, resource: { ...res, version: 'v1' }, userInfo },
          };
          for (const [name, cond] of Object.entries(CONDITIONS)) {
            const got = evaluateCondition(cond.expression, vars as never);
            assert.type(got, 'boolean', `${name} on ${op} ${rk} by ${uk} with ${ok}: ${String(got)}`);
            evaluated++;
            const skip = got === false;
            const want =
              name === 'kubelets'
                ? uk === 'kubelet'
                : name === 'nodes'
                  ? rk === 'nodes'
                  : name === 'csrs'
                    ? rk === 'csrs'
                    : op === 'CREATE' && rk === 'pods' && uk === 'kubelet' && ok === 'mirror';
            assert.is(skip, want, `${name} on ${op} ${rk} by ${uk} with ${ok}`);
          }
        }
      }
    }
  }
  assert.is(evaluated, 4 * 4 * 3 * 4 * 4);
});
evaluation.run();
