// The fault contract at the process edge: inputs that would read as "delete everything", closed and full streams, bounds.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, cli, ROOT } from '../support/helpers.js';

const fault = suite('fault contract');

// sh runs the built CLI under /bin/sh with redirections a pipe cannot express (closed or full streams).
function sh(script: string, input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', script], {
    input,
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE: process.execPath, BIN },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: a\nspec:\n  ports:\n  - port: 80\n';

const REFUSED: Record<string, [string, string, string[]]> = {
  'empty stdin': [
    '',
    'webhook-guard: the input is empty: pipe rendered manifests into webhook-guard ' +
      '(--allow-empty if an empty stream is intended)\n',
    [],
  ],
  'only comments and markers': [
    '# Source: chart/templates/none.yaml\n---\n',
    'webhook-guard: the input holds no Kubernetes object (no kind: anywhere); --allow-empty passes such a stream through\n',
    [],
  ],
  'a README piped in': [
    '# My chart\n\nInstall it with helm.\n',
    'webhook-guard: the input holds no Kubernetes object (no kind: anywhere); --allow-empty passes such a stream through\n',
    [],
  ],
};
for (const [name, [input, stderr, args]] of Object.entries(REFUSED)) {
  fault(`${name}: exit 1, empty stdout, the message`, () => {
    const r = cli(['--quiet', ...args], input);
    assert.is(r.stderr, stderr);
    assert.is(r.status, 1);
    assert.is(r.stdout, '');
  });
}

fault('--allow-empty passes a stream with no object through unchanged', () => {
  const input = '# Source: chart/templates/none.yaml\n---\n';
  const r = cli(['--quiet', '--allow-empty'], input);
  assert.is(r.status, 0);
  assert.is(r.stdout, input);
});

fault('stdin a directory: exit 1 with a message', () => {
  const r = sh('"$NODE" "$BIN" < .');
  assert.is(r.stderr, 'webhook-guard: stdin is a directory: pipe rendered manifests into webhook-guard\n');
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
});

fault('stdin closed: exit 1 with a message, no internal error', () => {
  const r = sh('"$NODE" "$BIN" <&-');
  assert.is(r.stderr, 'webhook-guard: stdin is closed: pipe rendered manifests into webhook-guard\n');
  assert.is(r.status, 1);
});

fault('stdout closed: exit 1 with a message (the output would be lost)', () => {
  const r = sh('"$NODE" "$BIN" >&-', SERVICE);
  assert.is(r.stderr, 'webhook-guard: stdout is closed; nothing could be written (run it with stdout open)\n');
  assert.is(r.status, 1);
});

fault("stderr full (2>/dev/full): the output is whole and the exit code is the output's", () => {
  if (!existsSync('/dev/full')) throw new Error('/dev/full is absent on this machine');
  const r = sh('"$NODE" "$BIN" --report text 2>/dev/full', SERVICE);
  assert.is(r.stdout, SERVICE);
  assert.is(r.status, 0);
});

fault('--config /dev/zero is refused quickly (exit 3), not read without end', () => {
  const r = cli(['--config', '/dev/zero'], SERVICE);
  assert.is(r.stderr, 'webhook-guard: config /dev/zero: larger than 1 MiB; a configuration is a few KB\n');
  assert.is(r.status, 3);
});

// One object far over what the apiserver stores (1.5 MiB), in each reading path: refused, never read.
const BIG = 'x'.repeat(4 << 20);
const HUGE: Record<string, string> = {
  'fast reader (a plain block Service)': `${SERVICE}  selector:\n    big: ${BIG}\n`,
  'full reader (a flow-style Service)': `{apiVersion: v1, kind: Service, metadata: {name: s, annotations: {big: ${BIG}}}}\n`,
  'List items':
    `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ` +
    `Service\n  metadata:\n    name: s\n    annotations:\n      big: ${BIG}\n`,
};
for (const [name, input] of Object.entries(HUGE)) {
  fault(`a 4 MiB object, ${name}: refused with a message naming the document`, () => {
    const r = cli(['--quiet'], input);
    assert.is(r.status, 1);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /^webhook-guard: document 1 \(.*the apiserver stores no object over 1\.5 MiB/);
  });
}
fault('a 4 MiB object in a KRM ResourceList: refused', () => {
  const input =
    'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Service\n' +
    `  metadata:\n    name: s\n    annotations:\n      big: ${BIG}\n`;
  const r = cli(['--quiet'], input);
  assert.is(r.status, 1);
  assert.match(
    r.stderr,
    /^webhook-guard: the ResourceList cannot be read \(line 4, column 1: item 1 of the List: the document is 4\.0 MiB; the apiserver stores no object over 1\.5 MiB/,
  );
});

fault('stdout to /dev/null (not closed) still runs', () => {
  const r = sh('"$NODE" "$BIN" >/dev/null', SERVICE);
  assert.is(r.status, 0);
  assert.is(r.stderr, 'webhook-guard: nothing to change\n');
});

fault.run();

const escapes = suite('fault contract: control characters');
escapes('names with ESC, BEL and CR reach stderr escaped, in the summary and the report', () => {
  const input =
    'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n' +
    '  name: "evil\\e[2J\\a\\r"\nwebhooks:\n- name: "w\\e]0;x\\a.example.com"\n  failurePolicy: Fail\n' +
    '  clientConfig: {service: {name: s, namespace: ns}}\n  sideEffects: None\n  admissionReviewVersions: [v1]\n' +
    '  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]\n';
  const r = cli(['--report', 'text'], input);
  assert.is(r.status, 0);
  assert.not.match(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.match(r.stderr, /evil\\x1b\[2J\\x07\\x0d/);
  assert.match(r.stderr, /w\\x1b\]0;x\\x07\.example\.com/);
});
escapes.run();

const quoting = suite('fault contract: messages quote no document text');
const WEBHOOK_HEAD =
  'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: v}\nwebhooks:\n' +
  '- name: a.b.c\n  failurePolicy: Fail\n';
const QUOTED: Record<string, string> = {
  '!!omap with a duplicate key': '  x: !!omap [{S3CRET: 1}, {S3CRET: 2}]\n',
  'an unresolved alias': '  x: *S3CRET\n',
  'an unknown escape': '  x: "\\q S3CRET"\n',
  'a block scalar header with extra characters': '  x: |S3CRET\n    y\n',
};
for (const [name, extra] of Object.entries(QUOTED)) {
  quoting(`${name}: refused without the text`, () => {
    const r = cli(['--quiet'], WEBHOOK_HEAD + extra);
    assert.is(r.status, 1);
    assert.match(r.stderr, /^webhook-guard: document 1 /);
    assert.not.match(r.stderr, /S3CRET/);
  });
}
quoting.run();
