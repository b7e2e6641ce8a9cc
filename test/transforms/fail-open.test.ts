// fail-open: opt-in failurePolicy Ignore for mutating webhooks on kube-system and cluster-critical objects.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveConfig } from '../../src/pipeline/config.js';
import { cli, config, lines, run } from '../support/helpers.js';
import { runCases } from '../support/table.js';

const PODS = ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [pods]'];

/** webhook builds a one-webhook configuration; `extra` are lines under the entry before its rules, `after` after them. */
function webhook(kind: 'Mutating' | 'Validating', extra: string[], rules = PODS, after: string[] = []): string {
  return lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    `kind: ${kind}WebhookConfiguration`,
    'metadata:',
    '  name: hook',
    'webhooks:',
    '- name: hook.example.com',
    '  clientConfig:',
    '    service: {name: hook, namespace: guard, path: /x}',
    ...extra.map((l) => '  ' + l),
    '  rules:',
    `  - ${rules[0]}`,
    ...rules.slice(1).map((l) => '    ' + l),
    ...after.map((l) => '  ' + l),
  );
}

const on = { enabled: true };
const NODES = ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [UPDATE]', 'resources: [nodes/status]'];
const LEASES = ['apiGroups: [coordination.k8s.io]', 'apiVersions: [v1]', 'operations: [UPDATE]', 'resources: [leases]'];
const NOT_KUBE_SYSTEM = [
  'namespaceSelector:',
  '  matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]',
];

runCases('fail-open', {
  'off by default': {
    input: webhook('Mutating', ['failurePolicy: Fail']),
    expected: 'unchanged',
  },
  'a mutating webhook on every pod, kube-system included, fails open': {
    input: webhook('Mutating', ['failurePolicy: Fail   # chart default']),
    options: on,
    expected: webhook('Mutating', ['failurePolicy: Ignore   # chart default']),
  },
  'no failurePolicy means Fail: Ignore is written': {
    input: webhook('Mutating', ['sideEffects: None']),
    options: on,
    expected: webhook('Mutating', ['sideEffects: None'], PODS, ['failurePolicy: Ignore']),
  },
  'kube-system excluded and no cluster-critical rules: left Fail': {
    input: webhook('Mutating', ['failurePolicy: Fail', ...NOT_KUBE_SYSTEM]),
    options: on,
    expected: 'unchanged',
  },
  'it judges the exclusions made before it: exclude-namespaces keeps the webhook Fail': {
    input: webhook('Mutating', ['failurePolicy: Fail']),
    options: on,
    with: ['exclude-namespaces'],
    expected: webhook('Mutating', ['failurePolicy: Fail'], PODS, [
      'namespaceSelector:',
      '  matchExpressions:',
      '  - key: kubernetes.io/metadata.name',
      '    operator: NotIn',
      '    values:',
      '    - guard',
      '    - kube-system',
    ]),
  },
  'Nodes are cluster-critical whatever the namespaceSelector': {
    input: webhook('Mutating', ['failurePolicy: Fail', ...NOT_KUBE_SYSTEM], NODES),
    options: on,
    expected: webhook('Mutating', ['failurePolicy: Ignore', ...NOT_KUBE_SYSTEM], NODES),
  },
  'node Leases in kube-node-lease are cluster-critical': {
    input: webhook('Mutating', ['failurePolicy: Fail', ...NOT_KUBE_SYSTEM], LEASES),
    options: on,
    expected: webhook('Mutating', ['failurePolicy: Ignore', ...NOT_KUBE_SYSTEM], LEASES),
  },
  'Leases outside kube-node-lease are not': {
    input: webhook(
      'Mutating',
      [
        'failurePolicy: Fail',
        'namespaceSelector:',
        '  matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, kube-node-lease]}]',
      ],
      LEASES,
    ),
    options: on,
    expected: 'unchanged',
  },
  'validating webhooks stay Fail, and the warning says why': {
    input: webhook('Validating', ['failurePolicy: Fail'], NODES),
    options: on,
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration hook: validating ' +
        'webhook hook.example.com intercepts Nodes and stays Fail: failing open ' +
        'would let requests through unvalidated while its backend is down (to accept ' +
        "that, add validating to fail-open's webhookTypes or pass --fail-open validating)",
    ],
  },
  'validating webhooks fail open only when named, with a warning that enforcement is weakened': {
    input: webhook('Validating', ['failurePolicy: Fail'], NODES),
    options: { enabled: true, webhookTypes: ['mutating', 'validating'] },
    expected: webhook('Validating', ['failurePolicy: Ignore'], NODES),
    warnings: [
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration hook: validating webhook ' +
        'hook.example.com now fails open: requests to Nodes pass unvalidated while its backend is down',
    ],
  },
  'an opt-in objectSelector: only labelled objects reach it': {
    input: webhook('Mutating', ['failurePolicy: Fail', 'objectSelector: {matchLabels: {inject: "true"}}']),
    options: on,
    expected: 'unchanged',
  },
  'already Ignore': {
    input: webhook('Mutating', ['failurePolicy: Ignore']),
    options: on,
    expected: 'unchanged',
  },
  'per-webhook opt-out': {
    input: webhook('Mutating', ['failurePolicy: Fail']),
    options: { enabled: true, skipWebhooks: ['hook.example.com'] },
    expected: 'unchanged',
  },
  'CapsuleConfiguration mutating webhooks are switched in place': {
    input: lines(
      'apiVersion: capsule.clastix.io/v1beta2',
      'kind: CapsuleConfiguration',
      'metadata:',
      '  name: default',
      'spec:',
      '  admission:',
      '    mutating:',
      '      client:',
      '        service: {name: capsule-webhook-service, namespace: capsule-system, port: 9443}',
      '      webhooks:',
      '      - name: namespaces.mutating.projectcapsule.dev',
      '        failurePolicy: Fail',
      '        rules:',
      '        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [namespaces], scope: "*"}',
    ),
    options: on,
    expected: lines(
      'apiVersion: capsule.clastix.io/v1beta2',
      'kind: CapsuleConfiguration',
      'metadata:',
      '  name: default',
      'spec:',
      '  admission:',
      '    mutating:',
      '      client:',
      '        service: {name: capsule-webhook-service, namespace: capsule-system, port: 9443}',
      '      webhooks:',
      '      - name: namespaces.mutating.projectcapsule.dev',
      '        failurePolicy: Ignore',
      '        rules:',
      '        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [namespaces], scope: "*"}',
    ),
  },
});

const s = suite('fail-open: flags');

s('--fail-open mutating switches it on; validating only when named; the report says why', () => {
  assert.equal(resolveConfig(undefined, {}).transforms['fail-open'].enabled, false);
  const one = resolveConfig(undefined, { failOpen: ['mutating'] }).transforms['fail-open'];
  assert.equal([one.enabled, one.webhookTypes], [true, ['mutating']]);
  const both = resolveConfig(undefined, { failOpen: ['mutating', 'validating', 'mutating'] }).transforms['fail-open'];
  assert.equal(both.webhookTypes, ['mutating', 'validating']);
  const result = run(webhook('Mutating', ['failurePolicy: Fail']), config(['fail-open'], { 'fail-open': on }));
  assert.match(result.changes[0].why, /Requests now pass unmutated while the backend is down/);
});

s('the CLI flag: on, repeatable or comma-separated, and a bad value is a usage error with empty stdout', () => {
  const input = webhook('Mutating', ['failurePolicy: Fail']);
  const r = cli(['--fail-open', 'mutating', '--disable', 'exclude-namespaces', '--quiet'], input);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /failurePolicy: Ignore/);
  const v = cli(['--fail-open', 'mutating,validating', '--quiet'], webhook('Validating', ['failurePolicy: Fail'], NODES));
  assert.is(v.status, 0, v.stderr);
  assert.match(v.stdout, /failurePolicy: Ignore/);
  const bad = cli(['--fail-open', 'all'], input);
  assert.is(bad.status, 2);
  assert.is(bad.stdout, '');
  assert.match(bad.stderr, /^webhook-guard: --fail-open all: expected mutating or validating\n/);
});

s.run();
