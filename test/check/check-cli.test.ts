// The `check` subcommand's contract (spawned binary and main()): formats, exit codes, colour, stdin, --explain.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.js';
import { cli as spawn, lines, runMain, type CliResult } from '../support/helpers.js';

// The spawned binary decides colour itself; whatever the test runner's environment says is cleared.
const cli = (args: string[], input: string | Buffer = '', env: NodeJS.ProcessEnv = {}): CliResult =>
  spawn(args, input, { FORCE_COLOR: '', NO_COLOR: '', ...env });

// A kruise-like release: its pod webhook exempts its namespace only through a label a pre-created namespace lacks.
const SEED = lines(
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: MutatingWebhookConfiguration',
  'metadata:',
  '  name: seed-webhooks',
  'webhooks:',
  '- name: mpod.example.io',
  '  admissionReviewVersions: [v1]',
  '  sideEffects: None',
  '  clientConfig:',
  '    service: {namespace: seed-system, name: seed-webhook}',
  '  namespaceSelector:',
  '    matchExpressions:',
  '    - {key: control-plane, operator: NotIn, values: [seed]}',
  '  rules:',
  '  - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: seed-webhook, namespace: seed-system}',
  'spec:',
  '  selector: {app: seed}',
  '  ports: [{port: 443, targetPort: 9443}]',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: seed-manager, namespace: seed-system}',
  'spec:',
  '  replicas: 1',
  '  selector: {matchLabels: {app: seed}}',
  '  template:',
  '    metadata: {labels: {app: seed}}',
  '    spec:',
  "      containers: [{name: m, image: i, args: ['--leader-elect'], ports: [{containerPort: 9443}]}]",
);
const WARN_ONLY = lines(
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: {name: kyverno, namespace: kyverno}',
  'data:',
  `  webhooks: '{}'`,
);

const dir = mkdtempSync(join(tmpdir(), 'wg-check-'));
const seedFile = join(dir, 'seed.yaml');
writeFileSync(seedFile, SEED);

const spawned = suite('check: the spawned binary');

spawned('a file with an error finding: the text report on stdout, exit 1, nothing on stderr', () => {
  const r = cli(['check', seedFile]);
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /ERROR \(\d+\)/);
  assert.match(
    r.stdout,
    /\[self-deadlock\] admissionregistration\.k8s\.io\/v1 MutatingWebhookConfiguration seed-webhooks: webhooks\[mpod\.example\.io\]\/namespaceSelector/,
  );
  assert.match(r.stdout, /seed\.yaml:11:3 \(document 1\)/);
  assert.match(r.stdout, /Avoiding deadlocks in self-hosted webhooks/);
  assert.match(r.stdout, /\[transform: exclude-namespaces\]/);
  assert.match(r.stdout, /assumed:\n {2}- namespace seed-system is not in the input/);
  assert.not.match(r.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
});

spawned('--fail-on decides the exit code; stdin with - or no file', () => {
  assert.is(cli(['check', '--fail-on', 'none', seedFile]).status, 0);
  assert.is(cli(['check', '-'], WARN_ONLY).status, 0, 'only an info finding');
  assert.is(cli(['check', '--fail-on', 'info'], WARN_ONLY).status, 1);
  const r = cli(['check', '--format', 'json', '-'], SEED);
  assert.is(r.status, 1);
  const report = JSON.parse(r.stdout);
  assert.is(report.command, 'check');
  assert.equal(report.inputs, ['-']);
  assert.ok(report.summary.error >= 2);
  const f = report.findings.find((x: { id: string }) => x.id === 'self-deadlock');
  assert.equal([f.file, f.document, f.line, f.transform], ['-', 1, 11, 'exclude-namespaces']);
  assert.ok(f.docs.some((d: { url: string }) => d.url.endsWith('#avoiding-deadlocks-in-self-hosted-webhooks')));
});

spawned('--format mermaid and dot draw webhook → Service → workload, with the deadlock edge highlighted', () => {
  const m = cli(['check', '--format', 'mermaid', '--fail-on', 'none', seedFile]);
  assert.is(m.status, 0);
  assert.match(m.stdout, /^flowchart LR\n/);
  assert.match(m.stdout, /-->\|calls\|/);
  assert.match(m.stdout, /-->\|selects\|/);
  assert.match(m.stdout, /==>\|mpod\.example\.io intercepts pods of\|/);
  assert.match(m.stdout, /linkStyle \d+ stroke:#dd0000/);
  const d = cli(['check', '--format', 'dot', '--fail-on', 'none', seedFile]);
  assert.match(d.stdout, /^digraph admission \{/);
  assert.match(d.stdout, /label="mpod\.example\.io intercepts pods of", style=bold, color="#dd0000"/);
});

spawned('usage errors exit 2 and config errors 3, with stdout empty', () => {
  for (const args of [
    ['check', '--format', 'xml', seedFile],
    ['check', '--fail-on', 'critical', seedFile],
    ['check', '--bogus', seedFile],
    ['check', join(dir, 'missing.yaml')],
    ['check', '--namespace', 'Not_A_Name', seedFile],
  ]) {
    const r = cli(args);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /^webhook-guard: check: /);
  }
  const bad = join(dir, 'bad-config.yaml');
  writeFileSync(bad, 'apiVersion: webhookguard.dev/v1alpha1\nkind: WebhookGuard\nspec: {bogus: 1}\n');
  const r = cli(['check', '--config', bad, seedFile]);
  assert.is(r.status, 3, r.stderr);
  assert.is(r.stdout, '');
  assert.match(cli(['check', '--help']).stdout, /^Usage: webhook-guard check/);
});

spawned('transform mode --explain: findings before and after on stderr, stdout unchanged', () => {
  const plain = cli(['--quiet'], SEED);
  const explained = cli(['--explain'], SEED);
  assert.is(explained.status, 0, explained.stderr);
  assert.is(explained.stdout, plain.stdout);
  assert.match(explained.stderr, /findings before the transforms: \d+ errors?/);
  assert.match(explained.stderr, /error \[self-deadlock\]/);
  assert.match(explained.stderr, /findings after the transforms: 0 errors/);
  assert.match(explained.stderr, /resolved: .*self-deadlock ×1/);
});

const colour = suite('check: colour');

async function run(
  argv: string[],
  opts: { tty?: boolean; env?: Record<string, string> },
): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, {
    readStdin: async () => Buffer.from(SEED),
    stdout: (t) => (out += t),
    stderr: () => {},
    stdoutIsTTY: opts.tty,
    env: opts.env ?? {},
  });
  return { code, out };
}

colour('only on a terminal, never with NO_COLOR or TERM=dumb', async () => {
  assert.match((await run(['check'], { tty: true })).out, /\x1b\[31mERROR/);
  assert.not.match((await run(['check'], { tty: true, env: { NO_COLOR: '1' } })).out, /\x1b\[/);
  assert.not.match((await run(['check'], { tty: true, env: { TERM: 'dumb' } })).out, /\x1b\[/);
  assert.not.match((await run(['check'], { tty: false })).out, /\x1b\[/);
  assert.not.match((await run(['check', '--format', 'json'], { tty: true })).out, /\x1b\[/, 'only the text report is coloured');
});

// Errors of a whole stream (before any document is read) name the input, as findings do: of several, which one.
const streams = suite('check: an input that cannot be split into documents is named');
const CM = (name: string): string => lines('apiVersion: v1', 'kind: ConfigMap', `metadata: {name: ${name}}`);
const STREAM_ERRORS: Record<string, [string | Buffer, string]> = {
  'a separator line Kubernetes refuses (--- !!map)': [
    CM('b') + '--- !!map\n' + CM('c'),
    'line 4, column 5: `--- !!map` is not a valid document separator for Kubernetes, which refuses the whole stream for ' +
      'it ("invalid Yaml document separator: !!map"); only white space and a comment may follow the dashes: end the line ' +
      'after `---` and put `!!map` on the next line, or remove it',
  ],
  'a form feed after ---': [
    CM('b') + '---\f\n' + CM('c'),
    'line 4: a document separator followed by a form feed or Unicode space, which Kubernetes reads as a separator and ' +
      'YAML does not; end the `---` line right after the dashes',
  ],
  'a document after a ... line without ---': [
    CM('b') + '...\n' + CM('c'),
    'document 2 (line 5): follows a `...` line without a `---` line, so Kubernetes never reads it; start it with `---` ' +
      '(or remove it)',
  ],
  'invalid UTF-8': [
    Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b'), Buffer.from([0xff]), Buffer.from('}\n')]),
    'input is not valid UTF-8 (byte 49, line 3, column 19); Kubernetes manifests must be UTF-8',
  ],
};
const good = join(dir, 'good.yaml');
writeFileSync(good, CM('a'));
for (const [name, [text, message]] of Object.entries(STREAM_ERRORS)) {
  streams(`${name}: the second of two files`, async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, text);
    const r = await runMain('', ['check', good, bad]);
    assert.equal([r.exit, r.stdout], [1, '']);
    assert.fixture(r.stderr, `webhook-guard: ${bad}: ${message}\n`);
  });
  streams(`${name}: stdin, named as --stdin-name says`, async () => {
    const r = await runMain(text, ['check', '--stdin-name', 'charts/x.yaml', good, '-']);
    assert.equal([r.exit, r.stdout], [1, '']);
    assert.fixture(r.stderr, `webhook-guard: charts/x.yaml: ${message}\n`);
  });
}
streams('stdin without --stdin-name is stdin', async () => {
  const r = await runMain(STREAM_ERRORS['a form feed after ---'][0], ['check', good, '-']);
  assert.fixture(r.stderr, `webhook-guard: stdin: ${STREAM_ERRORS['a form feed after ---'][1]}\n`);
});

spawned.run();
colour.run();
streams.run();
