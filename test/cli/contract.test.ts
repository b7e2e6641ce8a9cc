// The CLI contract both commands share: one parser, typos answered with the closest flag, short forms, versions as
// Helm writes them, document numbers from 1 everywhere, --quiet silencing --explain.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { suggest } from '../../src/cli/flags.js';
import { minorVersion } from '../../src/pipeline/config.js';
import { cli, lines } from '../support/helpers.js';

const test = suite('cli: contract');
const dir = mkdtempSync(join(tmpdir(), 'wg-contract-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// A one-replica backend without leader election: webhook-replicas leaves its replicas and warns.
const SINGLETON = lines(
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingWebhookConfiguration',
  'metadata: {name: policy}',
  'webhooks:',
  '- name: policy.example.com',
  '  admissionReviewVersions: [v1]',
  '  sideEffects: None',
  '  failurePolicy: Fail',
  '  clientConfig: {service: {namespace: policy, name: policy}}',
  '  rules: [{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [widgets]}]',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: policy, namespace: policy}',
  'spec: {selector: {app: policy}, ports: [{port: 443, targetPort: 9443}]}',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: policy, namespace: policy}',
  'spec:',
  '  replicas: 1',
  '  selector: {matchLabels: {app: policy}}',
  '  template:',
  '    metadata: {labels: {app: policy}}',
  '    spec: {containers: [{name: m, image: example/policy:1, ports: [{containerPort: 9443}]}]}',
);

test('suggest: the closest known flag for a typo, nothing for a stranger', () => {
  assert.is(suggest('--confg', ['config', 'quiet']), '; did you mean --config?');
  assert.is(suggest('--formt=json', ['format', 'fail-on']), '; did you mean --format?');
  assert.is(suggest('--colour', ['config', 'quiet']), '');
});

test('minorVersion: every form Helm accepts, as 1.minor', () => {
  const read = [
    '1.30',
    'v1.30',
    'v1.29.3',
    '1.29.3-eks-adc7111',
    'v1.31.2+k3s1',
    '1.28.15-gke.1234000',
    'v2.0',
    '1',
    'latest',
  ].map(minorVersion);
  assert.equal(read, ['1.30', '1.30', '1.29', '1.29', '1.31', '1.28', undefined, undefined, undefined]);
});

const USAGE: Record<string, [string[], string]> = {
  'a typo in the transform command': [['--confg', 'x'], 'webhook-guard: unknown option --confg; did you mean --config?\n'],
  'a typo in check': [
    ['check', '--fail-onn', 'error', '-'],
    'webhook-guard: check: unknown option --fail-onn; did you mean --fail-on?\n',
  ],
  '--fail-open without a value': [['--fail-open'], 'webhook-guard: --fail-open needs a value (mutating, validating or both)\n'],
  'a version that is not one': [
    ['--kube-version', '2.0'],
    'webhook-guard: --kube-version 2.0: expected a version such as 1.30, v1.29.3 or 1.29.3-eks-adc7111\n',
  ],
  'a version older than the output works on': [
    ['--kube-version', '1.20'],
    "webhook-guard: --kube-version 1.20: Kubernetes 1.20 is older than webhook-guard's output works on (1.21 or later: " +
      'the kubernetes.io/metadata.name label it excludes namespaces by, and policy/v1 PodDisruptionBudgets, came in 1.21)\n',
  ],
};
for (const [name, [args, message]] of Object.entries(USAGE))
  test(`usage: ${name}`, () => {
    const r = cli(args, SINGLETON);
    assert.is(r.status, 2);
    assert.is(r.stdout, '');
    assert.is(r.stderr.split('\n')[0] + '\n', message);
  });

test('--kube-version as Helm writes it: v1.29.3 and 1.29.3-eks-adc7111 give the same output as 1.29', () => {
  const base = cli(['--kube-version', '1.29', '-q'], SINGLETON);
  assert.is(base.status, 0, base.stderr);
  for (const v of ['v1.29.3', '1.29.3-eks-adc7111'])
    assert.is(cli(['--kube-version', v, '-q'], SINGLETON).stdout, base.stdout, v);
});

test('short forms: -c for --config, -q for --quiet, check -o for --format', () => {
  const file = join(dir, 'guard.yaml');
  writeFileSync(
    file,
    lines('apiVersion: webhookguard.dev/v1alpha1', 'kind: WebhookGuard', 'metadata: {name: g}', 'spec: {namespace: policy}'),
  );
  const r = cli(['-c', file, '-q'], SINGLETON);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  const json = cli(['check', '-o', 'json', '--fail-on', 'none', '-'], SINGLETON);
  assert.is(json.status, 0, json.stderr);
  assert.is(JSON.parse(json.stdout).command, 'check');
});

test('--report json numbers documents from 1, as the text report and check do; an added document has none', () => {
  const r = cli(['--report', 'json', '-q'], SINGLETON);
  const changes = JSON.parse(r.stderr).changes as Array<{ resource: string; document: number | null; path: string }>;
  assert.equal(
    changes.map((c) => [c.resource, c.document]),
    [['policy/v1 PodDisruptionBudget policy/policy-webhook-guard', null]],
  );
  assert.match(cli(['--report', 'text'], SINGLETON).stderr, /\(document 3\)|added policy\/v1 PodDisruptionBudget/);
});

test('--explain: silenced by --quiet; never suggests a transform that has just run', () => {
  assert.is(cli(['--explain', '--quiet'], SINGLETON).stderr, '');
  const explained = cli(['--explain'], SINGLETON).stderr;
  const after = explained.slice(explained.indexOf('findings after the transforms'));
  assert.match(after, '[single-point-of-failure] apps/v1 Deployment policy/policy');
  assert.match(after, '    webhook-replicas ran and left this as it is; --report text says why');
  assert.not.match(after, /fix: .*\[transform: webhook-replicas\]/);
});

test.run();
