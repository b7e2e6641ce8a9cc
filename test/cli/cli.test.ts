// The CLI contract, spawning the built bin: exit codes, stdout only on success, messages on stderr.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, lines, ROOT } from '../support/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'wg-cli-'));
const example = join(ROOT, 'examples', 'openkruise-precreated-namespace');
const input = readFileSync(join(example, 'input.yaml'), 'utf8');

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const ok = suite('cli: success');

ok('hardens stdin to stdout; the summary goes to stderr', () => {
  const r = cli([], input);
  assert.is(r.status, 0);
  assert.ok(r.stdout.startsWith('---\n# Source: kruise/templates/webhookconfiguration.yaml\n'));
  assert.match(r.stdout, /- kruise-system\n/);
  assert.match(r.stderr, /^webhook-guard: warning: label-namespaces: namespace kruise-system is not in the stream/m);
  assert.match(r.stderr, /\n {4}kubectl label namespace kruise-system control-plane=openkruise\n/);
  assert.match(
    r.stderr,
    /^webhook-guard: warning: webhook-replicas: apps\/v1 Deployment kruise-system\/kruise-controller-manager: the PodDisruptionBudget added selects control-plane=controller-manager, labels other releases' pods carry too/m,
  );
  assert.match(
    r.stderr,
    /webhook-guard: 4 fields changed in 2 resources, 1 resource added \(exclude-namespaces 1, guard-cluster-scoped 1, webhook-replicas 3\); 3 warnings\n$/,
  );
});

ok('the bundled example gives its expected output byte for byte', () => {
  const r = cli(['--config', join(example, 'config.yaml')], input);
  assert.is(r.status, 0, r.stderr);
  assert.fixture(r.stdout, readFileSync(join(example, 'expected.yaml'), 'utf8'));
});

ok('--quiet prints nothing on stderr', () => {
  const r = cli(['--quiet'], input);
  assert.is(r.status, 0);
  assert.is(r.stderr, '');
  assert.ok(r.stdout.length > input.length);
});

ok('--report json lists every change; --report-file writes it to a file', () => {
  const r = cli(['--report', 'json', '--quiet'], input);
  assert.is(r.status, 0);
  const report = JSON.parse(r.stderr);
  assert.is(report.tool, 'webhook-guard');
  assert.equal(
    report.changes.map((c: { transform: string; path: string }) => `${c.transform} ${c.path}`),
    [
      'exclude-namespaces webhooks[mpod.kb.io]/namespaceSelector/matchExpressions/1/values',
      'guard-cluster-scoped webhooks[mpod.kb.io]/matchConditions',
      'webhook-replicas spec/replicas',
      'webhook-replicas ',
      'webhook-replicas spec/template/spec/topologySpreadConstraints',
    ],
  );
  assert.equal(report.changes[0].before, ['kube-system']);
  assert.equal(report.changes[0].after, ['kube-system', 'kruise-system']);
  const out = join(tmp, 'report.txt');
  const r2 = cli(['--report-file', out], input);
  assert.is(r2.status, 0);
  assert.match(
    readFileSync(out, 'utf8'),
    /~ exclude-namespaces: admissionregistration.k8s.io\/v1 MutatingWebhookConfiguration kruise-mutating-webhook-configuration \(document 3\)/,
  );
  assert.is(r2.stdout, cli([], input).stdout);
});

ok('--disable, --min-replicas and --exclude-namespace', () => {
  const r = cli(
    ['--disable', 'tighten-service-selectors', '--disable', 'webhook-replicas', '--exclude-namespace', 'monitoring', '--quiet'],
    input,
  );
  assert.is(r.status, 0);
  assert.match(r.stdout, /values:\n {12}- kube-system\n {12}- kruise-system\n {12}- monitoring\n/);
  assert.not.match(r.stdout, /PodDisruptionBudget/);
  const r3 = cli(['--min-replicas', '3', '--quiet'], input);
  assert.match(r3.stdout, /replicas: 3 {3}# installation values/);
});

ok('all transforms disabled: byte-identical output', () => {
  const args = [
    'label-namespaces',
    'tighten-service-selectors',
    'exclude-namespaces',
    'guard-cluster-scoped',
    'kyverno-config',
    'webhook-replicas',
  ].flatMap((t) => ['--disable', t]);
  const r = cli(args, input);
  assert.is(r.status, 0);
  assert.is(r.stdout, input);
  assert.is(r.stderr, 'webhook-guard: nothing to change\n');
});

ok('a second run over its own output changes nothing, and says so with its warnings', () => {
  const hardened = cli([], input).stdout;
  const r = cli([], hardened);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, hardened);
  assert.match(
    r.stderr,
    /\nwebhook-guard: nothing to change \(exclude-namespaces: 1 webhook already skipping the namespaces\); 2 warnings\n$/,
  );
});

ok('a chart whose webhooks are all already safe: byte-identical, and the summary and reports say why', () => {
  const safe = [
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    'metadata: {name: pod-identity-webhook}',
    'webhooks:',
    '  - name: pod-identity-webhook.amazonaws.com',
    '    failurePolicy: Ignore',
    '    clientConfig: {service: {name: pod-identity-webhook, namespace: default, path: /mutate}}',
    '    rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
    '',
  ].join('\n');
  const r = cli([], safe);
  assert.is(r.status, 0);
  assert.is(r.stdout, safe);
  assert.is(
    r.stderr,
    'webhook-guard: nothing to change: every webhook is already safe (exclude-namespaces: 1 webhook failing open (Ignore))\n',
  );
  const why =
    'webhook pod-identity-webhook.amazonaws.com fails open (failurePolicy: Ignore): while its backend is down, requests ' +
    'pass, so it cannot deadlock its backend or the control plane; its selectors are left as the chart wrote them';
  const text = cli(['--report', 'text'], safe);
  assert.is(
    text.stderr,
    `= exclude-namespaces: admissionregistration.k8s.io/v1 MutatingWebhookConfiguration pod-identity-webhook: ${why}\n` +
      'webhook-guard: nothing to change: every webhook is already safe (exclude-namespaces: 1 webhook failing open (Ignore))\n',
  );
  const json = JSON.parse(cli(['--report', 'json', '--quiet'], safe).stderr);
  assert.equal(json.notes, [
    {
      transform: 'exclude-namespaces',
      resource: 'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration pod-identity-webhook',
      message: why,
      short: 'failing open (Ignore)',
    },
  ]);
});

ok('empty stdin: empty stdout, exit 0 only with --allow-empty (Helm 3 --output-dir sends nothing)', () => {
  const r = cli(['--quiet', '--allow-empty'], '');
  assert.is(r.status, 0);
  assert.is(r.stdout, '');
});

ok('--help and --version', () => {
  const h = cli(['--help']);
  assert.is(h.status, 0);
  assert.match(h.stdout, /^Usage: webhook-guard/);
  assert.match(h.stdout, /exclude-namespaces/);
  const v = cli(['--version']);
  assert.is(v.status, 0);
  assert.is(v.stdout, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version + '\n');
});
ok('a ClusterRole that cannot be read and that no workload is bound to passes as it came', () => {
  const input = brokenRole('other');
  const r = cli([], input);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, input);
});

const CM = (name: string) => lines('apiVersion: v1', 'kind: ConfigMap', `metadata: {name: ${name}}`);

ok('a comment right after the dashes between documents is a separator, as for kubectl; it stays', () => {
  const stdin = `${CM('a')}---#x\n${CM('b')}`;
  const r = cli([], stdin);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, stdin);
});

ok.run();

const bad = suite('cli: failures leave stdout empty');

const failures: Record<string, { args: string[]; stdin?: string | Buffer; status: number; stderr: RegExp }> = {
  'unknown flag': {
    args: ['--frobnicate'],
    status: 2,
    stderr: /^webhook-guard: unknown option --frobnicate\nRun webhook-guard --help for usage.\n$/,
  },
  'stray argument': {
    args: ['manifests.yaml'],
    status: 2,
    stderr: /unexpected argument "manifests.yaml"; manifests are read from stdin/,
  },
  'unknown transform': { args: ['--disable', 'nope'], status: 2, stderr: /--disable nope: no such transform/ },
  'bad --min-replicas': {
    args: ['--min-replicas', 'two'],
    status: 2,
    stderr: /--min-replicas two: expected a whole number from 1 to 100/,
  },
  'bad --report': { args: ['--report', 'xml'], status: 2, stderr: /--report xml: expected text or json/ },
  'bad --exclude-namespace': { args: ['--exclude-namespace', 'Kube_System'], status: 2, stderr: /not a namespace name/ },
  'missing config file': {
    args: ['--config', '/nonexistent/guard.yaml'],
    status: 3,
    stderr: /config \/nonexistent\/guard.yaml: cannot read it \(ENOENT\)/,
  },
  'invalid UTF-8': {
    args: [],
    stdin: Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xc3, 0x28, 0x0a]),
    status: 1,
    stderr: /input is not valid UTF-8 \(byte 6, line 1, column 7\)/,
  },
  'unreadable Service': {
    args: [],
    stdin: lines(
      '---',
      'kind: ConfigMap',
      'metadata: {name: fine}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: broken',
      'spec: {}',
    ),
    status: 1,
    stderr:
      /^webhook-guard: document 2 \(kind Service, line 4\): cannot read this Service \(line \d+, column \d+: .+\); webhook-guard must read every document of this kind/,
  },
};

// A ClusterRole that cannot be read, and a workload behind a webhook port whose ServiceAccount it may be bound to (or not).
const brokenRole = (boundTo: string) =>
  lines(
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: w, namespace: ops}',
    'spec: {selector: {app: w}, ports: [{port: 443}]}',
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: ClusterRole',
    'metadata: {name: r',
    'rules: []',
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: ClusterRoleBinding',
    'metadata: {name: b}',
    `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${boundTo}}`,
    'subjects: [{kind: ServiceAccount, name: w, namespace: ops}]',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: w, namespace: ops}',
    'spec:',
    '  selector: {matchLabels: {app: w}}',
    '  template:',
    '    metadata: {labels: {app: w}}',
    '    spec: {serviceAccountName: w, containers: [{name: c, image: i}]}',
  );
failures['unreadable ClusterRole bound to a workload'] = {
  args: [],
  stdin: brokenRole('r'),
  status: 1,
  stderr:
    /^webhook-guard: document 2 \(kind ClusterRole, line 6\): cannot read this ClusterRole \(line 10, column 1: .+\); webhook-guard must read every document of this kind/,
};

// Separator lines kubectl refuses the stream for, or reads as YAML text: one line on stderr, naming the line and the fix.
const separatorFailures: Record<string, { stdin: string; stderr: string }> = {
  'a tag after the dashes': {
    stdin: `${CM('a')}--- !!map\n${CM('b')}`,
    stderr:
      'webhook-guard: line 4, column 5: `--- !!map` is not a valid document separator for Kubernetes, which refuses the ' +
      'whole stream for it ("invalid Yaml document separator: !!map"); only white space and a comment may follow the ' +
      'dashes: end the line after `---` and put `!!map` on the next line, or remove it\n',
  },
  'four dashes': {
    stdin: `${CM('a')}----\n${CM('b')}`,
    stderr:
      'webhook-guard: line 4, column 4: `----` is not a valid document separator for Kubernetes, which refuses the whole ' +
      'stream for it ("invalid Yaml document separator: -"); a separator is three dashes with only white space and a ' +
      'comment after them: write `---` (or `# ---` for a comment)\n',
  },
  'a comment right after the dashes, as the first line': {
    stdin: `---#x\n${CM('a')}`,
    stderr:
      'webhook-guard: line 1, column 4: `---#x` starts the stream, where Kubernetes reads it as YAML text, not as a ' +
      'document separator (YAML needs a space between `---` and a comment); write `--- #x`\n',
  },
};
for (const [name, f] of Object.entries(separatorFailures))
  failures[`separator line: ${name}`] = { args: [], stdin: f.stdin, status: 1, stderr: new RegExp(`^${escape(f.stderr)}$`) };

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

for (const [name, f] of Object.entries(failures)) {
  bad(name, () => {
    const r = cli(f.args, f.stdin ?? input);
    assert.is(r.status, f.status, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, f.stderr);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

bad('UTF-16 input: harden and check say it is UTF-16 and how to convert it, in the same words', () => {
  const utf16 = Buffer.from(`\ufeff${input}`, 'utf16le');
  const text =
    'the input is UTF-16 (it starts with a UTF-16 byte order mark), and webhook-guard reads UTF-8 only: convert it first ' +
    '(iconv -f UTF-16 -t UTF-8)';
  const r = cli([], utf16);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(r.stderr, `webhook-guard: ${text}\n`);
  const path = join(tmp, 'utf16.yaml');
  writeFileSync(path, utf16);
  const c = cli(['check', path]);
  assert.is(c.status, 1);
  assert.is(c.stdout, '');
  assert.is(c.stderr, `webhook-guard: ${path}: ${text}\n`);
});

bad('check: a document it cannot read is named by its number, kind and line (a List has no name to give)', () => {
  const list = file(
    'tab-list.yaml',
    lines('apiVersion: v1', 'kind: List', 'items:', '- apiVersion: v1', '  kind: Namespace', '  metadata:', '\tname: x'),
  );
  const kindless = file(
    'kindless.yaml',
    lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: a}', '---', 'apiVersion: v1', 'metadata: {name: [x'),
  );
  const r = cli(['check', list, kindless], '', { NO_COLOR: '1' });
  assert.is(r.status, 1);
  assert.is(r.stderr, '');
  assert.fixture(
    r.stdout,
    lines(
      `webhook-guard check: 2 inputs (${list}, ${kindless}), 0 webhooks (0 Fail), 0 pod sources`,
      '',
      'no webhooks: the input has no admission webhook, CRD conversion webhook or runtime webhook configuration',
      '',
      'ERROR (2)',
      '[unreadable-document] document 1 (kind List, line 1)',
      `  at ${list}:1:1 (document 1)`,
      '  This List document cannot be read (line 7, column 1: Tabs are not allowed as indentation); whatever it defines ' +
        'is not checked.',
      '[unreadable-document] document 2 (no kind, line 4)',
      `  at ${kindless}:5:1 (document 2)`,
      '  This document cannot be read (line 7, column 1: Flow sequence in block collection must be sufficiently indented ' +
        'and end with a ]); whatever it defines is not checked.',
      '',
      'RULES',
      '[unreadable-document] A document the check needs cannot be read',
      '  why: The apiserver would reject it too, or read it differently; webhooks, Services and workloads in it are missing ' +
        'from the analysis.',
      "  fix: Fix the chart's YAML so the document parses.",
      '',
      'webhook-guard check: 2 errors, 0 warnings, 0 info',
    ),
  );
});

bad('invalid config: each field and what is expected (exit 3)', () => {
  const cfg = file(
    'bad.yaml',
    lines(
      'apiVersion: webhookguard.dev/v1',
      'kind: WebhookGuard',
      'spec:',
      '  transforms:',
      '    webhook-replicas: {minReplicas: 0}',
      '    exclude-namespaces: {namespaces: [kube-system], colour: red}',
      '    frobnicate: {}',
    ),
  );
  const r = cli(['--config', cfg], input);
  assert.is(r.status, 3);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /config .*bad\.yaml is invalid:\n/);
  assert.match(r.stderr, /\n {2}apiVersion: must be "webhookguard.dev\/v1alpha1"/);
  assert.match(r.stderr, /\n {2}spec.transforms: unknown field "frobnicate"/);
  assert.match(r.stderr, /\n {2}spec.transforms.webhook-replicas.minReplicas: must be >= 1/);
  assert.match(r.stderr, /\n {2}spec.transforms.exclude-namespaces: unknown field "colour"/);
});

bad('config that is not YAML: line and column (exit 3)', () => {
  const r = cli(['--config', file('broken.yaml', 'apiVersion: [\n')], input);
  assert.is(r.status, 3);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /config .*broken\.yaml: line \d+, column \d+: /);
});

bad('a transform that must edit a document only Go can read names it (exit 1)', () => {
  const stdin = lines(
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: s, namespace: ns}',
    'spec:',
    '  selector: {control-plane: controller-manager}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: d',
    '  namespace: ns',
    '  annotations:',
    "    note: 'a long note that",
    "    continues under-indented'",
    '  labels: {app.kubernetes.io/name: d, app.kubernetes.io/instance: d}',
    'spec:',
    '  replicas: 2',
    '  selector: {matchLabels: {control-plane: controller-manager}}',
    '  template:',
    '    metadata: {labels: {control-plane: controller-manager}}',
    '    spec: {containers: [{name: c}], affinity: {podAntiAffinity: {}}}',
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: v}',
    'webhooks:',
    '- name: v.example.com',
    '  clientConfig: {service: {name: s, namespace: ns}}',
    '  failurePolicy: Ignore',
    '  namespaceSelector: {matchLabels: {x: y}}',
    '  rules: []',
  );
  // Step 2 of the selector change edits the pod template (the default never adds pod labels).
  const step2 = join(tmp, 'step2.yaml');
  writeFileSync(
    step2,
    lines(
      'apiVersion: webhookguard.dev/v1alpha1',
      'kind: WebhookGuard',
      'metadata: {name: t}',
      'spec: {transforms: {tighten-service-selectors: {step: tighten}}}',
    ),
  );
  const r = cli(['--quiet', '--config', step2], stdin);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(
    r.stderr,
    /^webhook-guard: document 2 \(apps\/v1 Deployment ns\/d, line 7\): tighten-service-selectors at spec\/template\/metadata\/labels\/app.kubernetes.io\/name, .* must edit this document, but it uses YAML that only Go's reader accepts \(line 14, column 28: Missing closing 'quote\); fix the chart's YAML or disable that transform\n$/,
  );
});
bad('a webhook field shared through a YAML anchor: exit 1, empty stdout, what is shared and what to do', () => {
  const hook = (name: string, rules: string, selector: string) => [
    `- name: ${name}`,
    '  clientConfig: {service: {name: wh, namespace: wh-system}}',
    '  failurePolicy: Fail',
    '  sideEffects: None',
    '  admissionReviewVersions: [v1]',
    `  namespaceSelector: ${selector}`,
    `  rules: [{${rules}, apiVersions: [v1], operations: [CREATE]}]`,
  ];
  const stdin = lines(
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: wh, namespace: wh-system}',
    'spec: {selector: {app: wh}, ports: [{port: 443, targetPort: 9443}]}',
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: wh}',
    'webhooks:',
    ...hook('pods.wh.io', 'apiGroups: [""], resources: [pods]', '&sel {matchExpressions: [{key: team, operator: DoesNotExist}]}'),
    ...hook('widgets.wh.io', 'apiGroups: [wh.io], resources: [widgets]', '*sel'),
  );
  const r = cli(['--quiet'], stdin);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(
    r.stderr,
    'webhook-guard: document 2 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration wh, line 5): cannot apply ' +
      'exclude-namespaces at webhooks[pods.wh.io]/namespaceSelector/matchExpressions: ' +
      'webhooks[pods.wh.io]/namespaceSelector is shared through the YAML anchor &sel with ' +
      'webhooks[widgets.wh.io]/namespaceSelector, so an edit for webhook pods.wh.io would change webhook widgets.wh.io ' +
      'as well; write the value out in each place instead of the alias *sel, or have exclude-namespaces leave webhook ' +
      'pods.wh.io as it is (spec.transforms.exclude-namespaces.skipWebhooks: [wh/pods.wh.io])\n',
  );
});
bad.run();
