// Hostile and broken input (bombs, huge and deep documents, bad bytes, malformed objects), secrets, and no network.
import { spawn as nodeSpawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, CORPUS, ROOT, lines, runMain } from '../support/helpers.js';

/**
 * spawn runs the built binary with a generous timeout that only catches hangs, and reports its peak
 * memory (bench/max-rss.mjs). `preload` is extra code run before the CLI (see the sandbox below).
 */
function spawn(
  args: string[],
  input: string | Buffer,
  preload?: string,
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string; rssMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'wg-robust-'));
  const rssFile = join(dir, 'rss');
  try {
    // The sandbox below would count max-rss.mjs's own report file as a violation, so it goes without.
    const pre = preload
      ? ['--import', `data:text/javascript,${encodeURIComponent(preload)}`]
      : ['--import', join(ROOT, 'bench', 'max-rss.mjs')];
    const r = spawnSync(process.execPath, [...pre, BIN, ...args], {
      input,
      timeout: 60_000,
      maxBuffer: 256 << 20,
      env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
      cwd: ROOT,
    });
    if (r.error) throw new Error(`webhook-guard ${args.join(' ')}: ${r.error.message} (a hang?)`);
    const rssMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : NaN;
    return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), rssMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NO_STACK = /internal error|\n\s+at /;

// A billion-laughs document: nine levels of nine aliases each would expand to 9^9 strings.
function bomb(kind: string): string {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9)
        .fill(`*${'abcdefghi'[i - 1]}`)
        .join(',')}]`,
    );
  return lines(
    '---',
    'apiVersion: v1',
    `kind: ${kind}`,
    'metadata:',
    '  name: lol',
    '  namespace: default',
    'data:',
    ...levels.map((l) => '  ' + l),
  );
}

function deepBlock(depth: number): string {
  const out = ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: deep', 'spec:'];
  for (let i = 0; i < depth; i++) out.push(`${' '.repeat(2 * i + 2)}k:`);
  out.push(`${' '.repeat(2 * depth + 2)}v: 1`);
  return lines(...out);
}

function bigDeployment(mib: number, anchors: boolean): string {
  const out = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: big',
    '  namespace: default',
    'spec:',
    '  template:',
    '    metadata:',
    '      annotations:',
  ];
  const line = (i: number): string => `        k${i}: ${anchors ? `&a${i} ` : ''}'${'v'.repeat(40)}'`;
  for (let i = 0, size = 0; size < mib * (1 << 20); i++) {
    const l = line(i);
    out.push(l);
    size += l.length + 1;
  }
  return lines(...out);
}

const hostile = suite('robustness: hostile documents are refused quickly, with bounded memory, naming the document');

const refused: Record<string, { input: () => string | Buffer; message: RegExp; maxRssMb?: number }> = {
  'an alias bomb in a Service': {
    input: () => bomb('Service'),
    message:
      /^webhook-guard: document 1 \(kind Service, line 1\): cannot read this Service \(line 1, column 1: Excessive alias count/,
    maxRssMb: 250,
  },
  'a 1.5 MiB Deployment that only the full YAML reader can read (anchors)': {
    input: () => bigDeployment(1.5, true),
    message: /^webhook-guard: document 1 \(kind Deployment, line 1\): .*1\.5 MiB.*limits to 1 MiB/,
    maxRssMb: 250,
  },
  // The apiserver stores no object over 1.5 MiB: one far over it is refused before any reader spends memory on it.
  'a 6 MiB Deployment in plain block style': {
    input: () => bigDeployment(6, false),
    message: /^webhook-guard: document 1 \(kind Deployment, line 1\): .*the document is 6\.0 MiB; the apiserver stores no object/,
    maxRssMb: 250,
  },
  'a Service nested 5000 levels deep': {
    input: () => deepBlock(5000),
    message: /^webhook-guard: document 1 \(kind Service, line 1\): cannot read this Service/,
    maxRssMb: 400,
  },
  'a Service nested 100000 flow levels deep': {
    input: () =>
      lines('apiVersion: v1', 'kind: Service', 'metadata: {name: x}', `spec: ${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    message: /^webhook-guard: document 1 \(kind Service, line 1\): cannot read this Service/,
    maxRssMb: 400,
  },
  'a 1.5 MiB List (read item by item) whose webhook needs the full YAML reader to edit': {
    input: () => {
      const hook = [
        '- apiVersion: admissionregistration.k8s.io/v1',
        '  kind: ValidatingWebhookConfiguration',
        '  metadata: {name: v}',
        '  webhooks:',
        '  - name: v.example.com',
        '    failurePolicy: Fail',
        '    clientConfig: {service: {name: svc, namespace: ns}}',
        '    rules:',
        '    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}',
      ];
      const items = Array.from({ length: 6000 }, (_, i) => [
        `- apiVersion: v1`,
        '  kind: ConfigMap',
        `  metadata: {name: c${i}, labels: &l${i} {a: b}}`,
        `  data: {k: ${'v'.repeat(150)}}`,
      ]).flat();
      return lines('apiVersion: v1', 'kind: List', 'items:', ...hook, ...items);
    },
    message:
      /^webhook-guard: document 1 \(kind List, line 1\): cannot apply .*: the document is 1\.\d MiB and needs the full YAML reader to edit/,
    maxRssMb: 300,
  },
  'invalid UTF-8': {
    input: () => Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xc3, 0x28, 0x0a]),
    message: /^webhook-guard: input is not valid UTF-8 \(byte 6, line 1, column 7\)/,
  },
  'a NUL byte': {
    input: () => 'kind: ConfigMap\nx: a\u0000b\n',
    message: /^webhook-guard: input contains a NUL byte at line 2, column 5/,
  },
};

for (const [name, c] of Object.entries(refused)) {
  hostile(name, () => {
    const r = spawn([], c.input());
    assert.is(r.status, 1, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, c.message);
    assert.not.match(r.stderr, NO_STACK);
    if (c.maxRssMb) assert.ok(r.rssMb < c.maxRssMb, `peak memory ${r.rssMb.toFixed(0)} MB`);
  });
}

const passed: Record<string, () => string> = {
  // Kinds webhook-guard does not model are never parsed, so their aliases are never expanded.
  'an alias bomb in a ConfigMap': () => bomb('ConfigMap'),
  'a 6 MiB stream of small Deployments': () => Array.from({ length: 6 }, () => bigDeployment(1, false)).join('---\n'),
  'byte order mark and CRLF': () =>
    '\ufeff---\r\n# Source: x\r\napiVersion: v1\r\nkind: ConfigMap\r\ndata:\r\n  a: |\r\n    ---\r\n    b\r\n...\r\n',
  'a surrogate pair where the output is cut into pieces': () => `# ${'a'.repeat((4 << 20) - 3)}\u{1F600}\nkind: ConfigMap\n`,
};

for (const [name, input] of Object.entries(passed)) {
  hostile(`${name} passes through untouched`, () => {
    const text = input();
    const r = spawn([], text);
    assert.is(r.status, 0, r.stderr);
    assert.ok(r.stdout === text, 'output differs from input');
    assert.not.match(r.stderr, NO_STACK);
  });
}

hostile('a reader that goes away early gets a one-line message and exit 1, not a stack trace', async () => {
  const text = passed['a 6 MiB stream of small Deployments']();
  const child = nodeSpawn(process.execPath, [BIN], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.once('data', () => child.stdout.destroy());
  child.stdin.end(text);
  const status = await new Promise<number | null>((done) => child.on('close', done));
  assert.is(status, 1);
  assert.match(stderr, /^webhook-guard: cannot write the output \(EPIPE\)$/m);
  assert.not.match(stderr, NO_STACK);
});

hostile('empty stdin gives empty stdout and exit 0 with --allow-empty (Helm 3 --output-dir), exit 1 without', () => {
  const r = spawn(['--allow-empty'], '');
  assert.is(r.status, 0);
  assert.is(r.stdout, '');
  const refused = spawn([], '');
  assert.is(refused.status, 1);
  assert.is(refused.stdout, '');
});

hostile('a configuration with an alias bomb or a code tag is refused as invalid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wg-config-'));
  try {
    const bombFile = join(dir, 'bomb.yaml');
    const codeFile = join(dir, 'code.yaml');
    const levels = [
      'a: &a [1,1,1,1,1,1,1,1,1]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    ];
    writeFileSync(bombFile, lines(...levels));
    writeFileSync(
      codeFile,
      lines(
        'apiVersion: webhookguard.dev/v1alpha1',
        'kind: WebhookGuard',
        'metadata: {name: x}',
        'spec: !!js/function "function () { process.exit(42) }"',
      ),
    );
    const b = spawn(['--config', bombFile], '');
    assert.is(b.status, 3, b.stderr);
    assert.match(b.stderr, /^webhook-guard: config .*bomb\.yaml: Excessive alias count/);
    const c = spawn(['--config', codeFile], '');
    assert.is(c.status, 3, c.stderr);
    assert.match(c.stderr, /spec: must be object/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

hostile.run();

const found = suite('robustness: bugs the fuzzer found');

const webhook = (rule: string[], selector: string[] = []): string =>
  lines(
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: v}',
    'webhooks:',
    '- name: v.example.com',
    '  failurePolicy: Fail',
    '  clientConfig: {service: {name: svc, namespace: ns}}',
    '  rules:',
    ...rule,
    ...selector,
  );

const malformed: Record<string, string> = {
  'resources as a string': webhook([
    '  - apiGroups: [""]',
    '    apiVersions: [v1]',
    '    operations: [CREATE]',
    '    resources: pods',
  ]),
  'apiGroups as a map': webhook([
    '  - apiGroups: {a: b}',
    '    apiVersions: [v1]',
    '    operations: [CREATE]',
    '    resources: [pods]',
  ]),
  'operations as a number': webhook([
    '  - apiGroups: [""]',
    '    apiVersions: [v1]',
    '    operations: 1',
    '    resources: [pods]',
  ]),
  'matchExpressions as a map': webhook(
    ['  - apiGroups: [""]', '    apiVersions: [v1]', '    operations: [CREATE]', '    resources: [pods]'],
    ['  namespaceSelector:', '    matchExpressions: {key: a}'],
  ),
  'a null rule': webhook(['  - null']),
  'a null expression': webhook(
    ['  - apiGroups: [""]', '    apiVersions: [v1]', '    operations: [CREATE]', '    resources: [pods]'],
    ['  namespaceSelector:', '    matchExpressions:', '    - null'],
  ),
  'values as a string': webhook(
    ['  - apiGroups: [""]', '    apiVersions: [v1]', '    operations: [CREATE]', '    resources: [pods]'],
    ['  objectSelector:', '    matchExpressions:', '    - {key: a, operator: In, values: b}'],
  ),
};

for (const [name, input] of Object.entries(malformed)) {
  found(`a webhook rule or selector of the wrong shape (${name}) is no internal error`, async () => {
    const r = await runMain(input);
    assert.not.match(r.stderr, NO_STACK);
    assert.ok(r.exit === 0 || r.exit === 1, `exit ${r.exit}`);
    if (r.exit === 0) assert.is((await runMain(r.stdout)).stdout, r.stdout, 'second run changed the output');
  });
}

found('documents a run added do not change the namespace it infers, so a second run changes nothing', async () => {
  // Namespace `a` has 3 modelled resources, `b` 4; the PodDisruptionBudget added for api-0 would make
  // it 4 to 4 on a second run, and the Service without a namespace would move from b to a.
  const svc = (n: string, ns?: string, app = n): string[] => [
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${n}`,
    ...(ns ? [`  namespace: ${ns}`] : []),
    'spec:',
    '  selector:',
    `    app: ${app}`,
  ];
  const deploy = (n: string): string[] => [
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${n}`,
    '  namespace: a',
    'spec:',
    '  replicas: 1',
    '  selector:',
    '    matchLabels:',
    `      app: ${n}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${n}`,
  ];
  const hook = (n: string): string[] => [
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    'metadata:',
    `  name: ${n}`,
    'webhooks:',
    `- name: ${n}.example.com`,
    '  failurePolicy: Fail',
    '  clientConfig:',
    '    service:',
    `      name: ${n}`,
    '      namespace: a',
    '  rules:',
    '  - apiGroups: [""]',
    '    apiVersions: [v1]',
    '    operations: [CREATE]',
    '    resources: [pods]',
  ];
  const input = lines(
    ...svc('api-0', 'a'),
    ...deploy('api-0'),
    ...deploy('web-0'),
    ...['s1', 's2', 's3', 's4'].flatMap((n) => svc(n, 'b')),
    ...svc('web-0'),
    ...hook('api-0'),
    ...hook('web-0'),
  );
  const first = await runMain(input);
  assert.is(first.exit, 0, first.stderr);
  const second = await runMain(first.stdout);
  assert.is(second.exit, 0, second.stderr);
  assert.fixture(second.stdout, first.stdout);
});

found('a workload whose selector misses its own pod labels gets one PodDisruptionBudget, not one more per run', async () => {
  const input = lines(
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: svc, namespace: ns}',
    'spec:',
    '  selector: {app: web}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web, namespace: ns}',
    'spec:',
    '  selector:',
    '    matchLabels: {app: web, tier: other}',
    '  template:',
    '    metadata:',
    '      labels: {app: web}',
    webhook(['  - apiGroups: [""]', '    apiVersions: [v1]', '    operations: [CREATE]', '    resources: [pods]']),
  );
  const first = await runMain(input);
  assert.is(first.exit, 0, first.stderr);
  assert.is(first.stdout.split('kind: PodDisruptionBudget').length - 1, 1);
  const second = await runMain(first.stdout);
  assert.fixture(second.stdout, first.stdout);
});

found('a CRD whose names block lacks plural: is read in linear time (the regex for it backtracked exponentially, a hang)', () => {
  const deep = Array.from({ length: 40 }, (_, i) => `      x${i}: y`);
  const crd = lines(
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: w.example.com}',
    'spec:',
    '  group: example.com',
    '  scope: Namespaced',
    '  names:',
    ...deep,
  );
  const r = spawn([], crd);
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout === crd);
});

found.run();

const secrets = suite('robustness: Secret and ConfigMap values never appear in reports, findings or messages');

const MARKER = 'hunter2-S3CRET-MARKER';
const withSecrets = lines(
  '---',
  'apiVersion: v1',
  'kind: Secret',
  'metadata: {name: creds, namespace: kyverno}',
  'stringData:',
  `  password: ${MARKER}`,
  'data:',
  `  token: ${Buffer.from(MARKER).toString('base64')}`,
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: kyverno',
  '  namespace: kyverno',
  'data:',
  `  extra: ${MARKER}`,
  `  webhooks: '[{"namespaceSelector":{"matchExpressions":[{"key":"team","operator":"NotIn","values":["x"]}]}}]'`,
  '---',
  'apiVersion: v1',
  'kind: List',
  'items:',
  '- apiVersion: v1',
  '  kind: Secret',
  '  metadata: {name: listed, namespace: kyverno}',
  '  stringData:',
  `    key: ${MARKER}`,
);
const encoded = Buffer.from(MARKER).toString('base64');

const modes: Record<string, string[]> = {
  default: [],
  'text report': ['--report', 'text'],
  'json report': ['--report', 'json'],
  patches: ['--emit', 'patches', '--report', 'json'],
  explain: ['--explain'],
};

for (const [mode, args] of Object.entries(modes)) {
  secrets(`${mode}: the marker is on no report or message`, async () => {
    const r = await runMain(withSecrets, args);
    assert.is(r.exit, 0, r.stderr);
    assert.not.ok(r.stderr.includes(MARKER) || r.stderr.includes(encoded), `stderr shows the secret:\n${r.stderr}`);
    if (mode === 'patches') assert.not.ok(r.stdout.includes(MARKER), 'a patch shows the secret');
    // The report names what changed in the ConfigMap, so it did run.
    if (mode.includes('report')) assert.match(r.stderr, /kyverno-config/);
  });
}

secrets('check: findings and every report format leave the marker out', async () => {
  for (const format of ['text', 'json', 'sarif', 'mermaid', 'dot']) {
    const r = await runMain(withSecrets, ['check', '--format', format, '--fail-on', 'none']);
    assert.is(r.exit, 0, r.stderr);
    assert.not.ok(r.stdout.includes(MARKER) || r.stderr.includes(MARKER), `check --format ${format} shows the secret`);
  }
});

secrets('an unreadable document holding a Secret: the error quotes none of its text', async () => {
  const unreadable = [
    lines('apiVersion: v1', 'kind: List', 'items:', '- kind: Secret', '  data:', `    x: *${MARKER}`),
    lines('apiVersion: v1', 'kind: List', 'items:', '- kind: Secret', '  data:', `    x: "a\\q${MARKER}"`),
    lines('apiVersion: v1', 'kind: List', 'items:', '- kind: Secret', '  data:', `    x: |${MARKER}`, '      a'),
    lines('apiVersion: v1', 'kind: List', 'items:', '- kind: Secret', '  data:', `    x: "${MARKER}`),
  ];
  for (const input of unreadable) {
    const r = await runMain(input);
    assert.is(r.exit, 1);
    assert.match(r.stderr, /^webhook-guard: document 1 \(kind List, line 1\): cannot read this List \(line \d+, column \d+: /);
    assert.not.ok(r.stderr.includes(MARKER), r.stderr);
  }
});

secrets.run();

const sandbox = suite('robustness: no network, and no files written but --report-file');

// Run before the CLI: every way to open a connection or write a file records a violation on stderr
// (and fails), except writes to $WG_ALLOWED_FILE.
const SANDBOX = `
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
const violation = (what) => { process.stderr.write('SANDBOX VIOLATION: ' + what + '\\n'); throw new Error('sandbox: ' + what); };
const allowed = (p) => String(p) === process.env.WG_ALLOWED_FILE;
const NETWORK = [
  [net, ['connect', 'createConnection']],
  [tls, ['connect']],
  [dns, ['lookup', 'resolve', 'resolve4', 'resolve6']],
  [http, ['request', 'get']],
  [https, ['request', 'get']],
];
for (const [mod, names] of NETWORK) {
  for (const n of names) mod[n] = () => violation(n);
}
net.Socket.prototype.connect = () => violation('socket connect');
dns.promises.lookup = async () => violation('dns lookup');
globalThis.fetch = async () => violation('fetch');
const WRITES = ['writeFileSync', 'appendFileSync', 'writeFile', 'appendFile', 'createWriteStream', 'mkdirSync', 'mkdir',
  'renameSync', 'rmSync', 'unlinkSync', 'copyFileSync', 'symlinkSync'];
for (const n of WRITES) {
  const orig = fs[n];
  fs[n] = function (p, ...rest) { if (!allowed(p)) violation(n + ' ' + p); return orig.call(this, p, ...rest); };
}
const openSync = fs.openSync;
fs.openSync = function (p, flags, ...rest) {
  if (flags !== undefined && flags !== 'r' && flags !== 0 && !allowed(p)) violation('openSync ' + p + ' ' + flags);
  return openSync.call(this, p, flags, ...rest);
};
for (const n of ['writeFile', 'appendFile', 'open', 'mkdir', 'rm', 'rename']) {
  const orig = fs.promises[n];
  fs.promises[n] = async function (p, ...rest) {
    if ((n !== 'open' || (rest[0] && rest[0] !== 'r')) && !allowed(p)) violation('promises.' + n + ' ' + p);
    return orig.call(this, p, ...rest);
  };
}
syncBuiltinESMExports();
`;

sandbox('hardening the corpus sample, with a report file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wg-sandbox-'));
  try {
    const report = join(dir, 'report.json');
    const sample = existsSync(CORPUS) ? readFileSync(join(CORPUS, 'kruise-1.8.3-default.yaml'), 'utf8') : withSecrets;
    const r = spawn(['--report', 'json', '--report-file', report], sample, SANDBOX, { WG_ALLOWED_FILE: report });
    assert.is(r.status, 0, r.stderr);
    assert.not.match(r.stderr, /SANDBOX VIOLATION/);
    assert.ok(existsSync(report), 'the report file was not written');
    const bad = spawn(['--report-file', join(dir, 'elsewhere.txt')], sample, SANDBOX, { WG_ALLOWED_FILE: report });
    assert.match(bad.stderr, /SANDBOX VIOLATION: writeFileSync .*elsewhere\.txt/, 'the sandbox catches writes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

sandbox('check over corpus files', () => {
  const files = existsSync(CORPUS) ? ['kyverno-3.9.0.yaml', 'capsule-0.14.0.yaml'].map((f) => join(CORPUS, f)) : [];
  if (!files.length) {
    console.log(`  (sandbox check: skipped, ${CORPUS} is absent)`);
    return;
  }
  const r = spawn(['check', '--fail-on', 'none', ...files], '', SANDBOX);
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stderr, /SANDBOX VIOLATION/);
});

sandbox.run();
