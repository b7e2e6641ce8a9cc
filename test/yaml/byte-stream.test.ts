// The byte-level stream: the same segments as the text split, each a slice of the input, written back byte for byte.
import { readFileSync } from 'node:fs';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { STREAMS } from '../support/streams.js';
import { HOSTILE } from './hostile-cases.js';
import { resolveConfig } from '../../src/pipeline/config.js';
import { transformStream } from '../../src/pipeline/pipeline.js';
import { bytesOf, mayBeResourceList, splitBytes } from '../../src/yaml/byte-stream.js';
import { decodeInput, splitStream } from '../../src/yaml/stream.js';
import { readStream } from '../../src/yaml/read-stream.js';
import { modelKinds } from '../../src/model/model.js';
import { corpusFiles, needsCorpus } from '../support/helpers.js';

const streams = STREAMS;

for (const [name, text] of Object.entries(streams)) {
  test(`splitBytes gives splitStream's segments, as slices of the input: ${name}`, () => {
    const buf = Buffer.from(text);
    const bytes = splitBytes(buf);
    const texts = splitStream(text);
    assert.equal(
      bytes.map((s) => [s.index, s.line, s.text]),
      texts.map((s) => [s.index, s.line, s.text]),
    );
    for (const s of bytes) {
      const own = bytesOf(s);
      assert.ok(Buffer.isBuffer(own) && own.buffer === buf.buffer, `segment ${s.index} is a slice of the input`);
      assert.is((own as Buffer).toString('utf8'), buf.toString('utf8', s.offset, s.offset + own.length));
    }
    assert.equal(Buffer.concat(bytes.map((s) => bytesOf(s) as Buffer)), buf);
  });
}

test('splitBytes refuses what decodeInput refuses, with the same message', () => {
  const bad: Array<[Buffer, string]> = [
    [
      Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0x0a]),
      'input is not valid UTF-8 (byte 3, line 1, column 4); Kubernetes manifests must be UTF-8',
    ],
    [Buffer.from('a: 1\nb: \0\n'), 'input contains a NUL byte at line 2, column 4; this is not a YAML text stream'],
    [Buffer.from('a: “x”\n---\nb: \0\n'), 'input contains a NUL byte at line 3, column 4; this is not a YAML text stream'],
  ];
  for (const [buf, message] of bad) {
    assert.throws(
      () => splitBytes(buf),
      (err: Error) => err.message === message,
    );
    assert.throws(
      () => decodeInput(buf),
      (err: Error) => err.message === message,
    );
  }
});

test('mayBeResourceList: JSON, or at most one column-0 kind: line', () => {
  const cases: Array<[string, boolean]> = [
    ['  {"kind":"ResourceList"}', true],
    ['apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n', true],
    ["kind: 'ResourceList'\n", true],
    ['kind:\tResourceList # x\n', true],
    ['kind: ConfigMap\n---\nkind: ResourceList\n', false],
    ['---\nkind: A\n---\nkind: B\n', false],
    ['kind: Deployment\n', true],
  ];
  for (const [text, want] of cases) assert.is(mayBeResourceList(Buffer.from(text)), want, text);
});

const edited = [
  '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: hook\n  namespace: ns\n  annotations:\n    note: “ü”\nspec:\n' +
    '  selector:\n    app: hook\n  ports:\n  - port: 443\n    targetPort: 9443\n',
  '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hook\n  namespace: ns\nspec:\n  replicas: 1\n  selector:\n' +
    '    matchLabels:\n      app: hook\n  template:\n    metadata:\n      labels:\n        app: hook\n    spec:\n' +
    '      containers:\n      - name: hook\n        image: hook:1 # “pinned”\n',
  '---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: hook\nwebhooks:\n' +
    '- name: v.hook.example.com\n  admissionReviewVersions: ["v1"]\n ' +
    ' sideEffects: None\n  failurePolicy: Fail\n  clientConfig:\n' +
    '    service:\n      name: hook\n      namespace: ns\n  rules:\n  - apiGroups: [""]\n    apiVersions: ["v1"]\n' +
    '    operations: ["CREATE"]\n    resources: ["pods"]\n',
  '---\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: untouched\n  namespace: ns\ndata:\n  text: “ünchanged” 😀\n',
].join('');

// The reading pass looks at ASCII documents through the Latin-1 view of the bytes, decoding only what it reads fully.
const reading = { ...streams, ...Object.fromEntries(Object.entries(HOSTILE).map(([k, v]) => [`hostile: ${k}`, v.input])) };
for (const [name, text] of Object.entries(reading)) {
  test(`readStream over bytes reads what it reads over text, and lets go of the view: ${name}`, () => {
    const view = (docs: ReturnType<typeof readStream>) =>
      docs.map((d) => [d.kind, d.original, d.unreadable, d.crdScope, d.conversions, d.webhookConfigMap, d.read?.error]);
    let segments: ReturnType<typeof splitBytes>;
    let fromBytes: ReturnType<typeof readStream>;
    try {
      segments = splitBytes(Buffer.from(text));
      fromBytes = readStream(segments, modelKinds());
    } catch (err) {
      assert.throws(
        () => readStream(splitStream(text), modelKinds()),
        (e: Error) => e.message === (err as Error).message,
      );
      return;
    }
    const fromText = readStream(splitStream(text), modelKinds());
    assert.equal(view(fromBytes), view(fromText));
    assert.ok(
      segments.every((s) => s.peek?.() === undefined),
      'released after the reading pass',
    );
  });
}

test('a run over bytes writes what a run over text writes, untouched documents as the input slices', () => {
  const fromText = transformStream(edited, resolveConfig(undefined));
  const fromBytes = transformStream(Buffer.from(edited), resolveConfig(undefined));
  assert.ok(fromText.changes.length > 0, 'the stream is edited');
  assert.is(fromBytes.output, fromText.output);
  assert.equal(
    Buffer.concat(fromBytes.pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))),
    Buffer.from(fromText.output),
  );
  assert.ok(fromBytes.pieces.some((p) => Buffer.isBuffer(p) && p.toString().includes('name: untouched')));
});

const corpus = suite('byte stream on the corpus');
needsCorpus(corpus, 'every corpus render gives the same output from bytes as from text', [], () => {
  for (const file of corpusFiles('byte stream')) {
    const buf = readFileSync(file);
    const fromText = transformStream(decodeInput(buf), resolveConfig(undefined));
    const fromBytes = transformStream(buf, resolveConfig(undefined));
    assert.is(fromBytes.output, fromText.output, file);
  }
});

test.run();
corpus.run();
