// The byte-level stream: the same segments as the text split, each a slice of the input, written back byte for byte.
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { STREAMS } from '../support/streams.js';
import { HOSTILE } from './hostile-cases.js';
import { resolveConfig } from '../../src/pipeline/config.js';
import { transformStream } from '../../src/pipeline/pipeline.js';
import { ByteScan, bytesOf, mayBeResourceList, splitBytes } from '../../src/yaml/byte-stream.js';
import { lineScan, madeLineScan, PIECE } from '../../src/yaml/line-scan.js';
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
    // What `iconv -t UTF-16` writes (a byte order mark, then little-endian), and UTF-16 without a mark.
    [
      Buffer.from('\ufeffkind: A\n', 'utf16le'),
      'the input is UTF-16 (it starts with a UTF-16 byte order mark), and webhook-guard reads UTF-8 only: convert it first ' +
        '(iconv -f UTF-16 -t UTF-8)',
    ],
    [
      Buffer.from('kind: A\n', 'utf16le'),
      'the input is UTF-16 (a NUL byte after every other byte: little-endian, without a byte order mark), and ' +
        'webhook-guard reads UTF-8 only: convert it first (iconv -f UTF-16LE -t UTF-8)',
    ],
    [
      Buffer.from('kind: A\n', 'utf16le').swap16(),
      'the input is UTF-16 (a NUL byte before every other byte: big-endian, without a byte order mark), and ' +
        'webhook-guard reads UTF-8 only: convert it first (iconv -f UTF-16BE -t UTF-8)',
    ],
    [
      Buffer.from([0xff, 0xfe, 0, 0, 0x6b, 0, 0, 0]),
      'the input is UTF-32 (it starts with a UTF-32 byte order mark), and webhook-guard reads UTF-8 only: convert it first ' +
        '(iconv -f UTF-32 -t UTF-8)',
    ],
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

// CRDs and kind lines in the shapes the byte look must read as the text patterns do.
const crd = (spec: string, extra = ''): string =>
  `---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a\n${extra}spec:\n${spec}`;
// A ConfigMap that keeps a CRD (`kind` given) as a file in its data, as Capsule's chart does.
const configMapOfCrd = (spec: string, kind = 'CustomResourceDefinition'): string =>
  '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: crds\n  namespace: ns\ndata:\n  crd.yaml: |\n' +
  `    apiVersion: apiextensions.k8s.io/v1\n    kind: ${kind}\n    metadata:\n      name: as.x.io\n    spec:\n` +
  spec.replace(/^(?=.)/gm, '    ');
const CONVERTING =
  '  group: x.io\n  names:\n    plural: as\n  scope: Namespaced\n  conversion:\n    strategy: Webhook\n    webhook:\n' +
  '      clientConfig:\n        service: {name: s, namespace: n}\n';
const LOOKS: Record<string, string> = {
  'crd: plain': crd('  group: x.io\n  names:\n    kind: A\n    plural: as\n  scope: Namespaced\n'),
  'crd: quoted, tabs after the colon, scope before group': crd(
    '  scope: \'Cluster\'\n  group:\t"x.io"\n  names:\n    plural: as\n',
  ),
  'crd: four-space indent, group only deeper first': crd(
    '    names:\n      plural: bs\n    versions:\n    - group: no\n    group: y.io\n    scope: Cluster\n',
  ),
  'crd: names without plural, then a second names block': crd(
    '  group: x.io\n  names:\n    kind: A\n  scope: Cluster\n  names:\n    plural: late\n',
  ),
  'crd: group line without a value, then one with': crd(
    '  group:\n  group: x.io\n  names:\n    plural: as\n  scope: Namespaced\n',
  ),
  'crd: spec with a trailing comment line': crd('  # c\n  group: x.io\n  names: \n    plural: as\n  scope: Cluster\n'),
  'crd: no-break space after the spec indentation': crd('  \u00a0group: x.io\n  names:\n    plural: as\n  scope: Cluster\n'),
  'crd: a spec: line with a value, then a block one': crd(
    '  group: x.io\n  names:\n    plural: as\n  scope: Cluster\n',
    'spec: {}\n',
  ),
  'crd: spec last, nothing after it': crd(''),
  'crd: a conversion webhook': crd(
    '  group: x.io\n  names:\n    plural: as\n  scope: Namespaced\n  conversion:\n    strategy: Webhook\n    webhook:\n' +
      '      conversionReviewVersions: [v1]\n      clientConfig:\n        service: {name: s, namespace: n}\n',
  ),
  'crd: a conversion webhook after other keys, quoted, with comments': crd(
    '  group: x.io\n  names:\n    plural: as\n  scope: Namespaced\n  versions: []\n  conversion: # c\n' +
      '    strategy: "Webhook" # w\n\n    webhook:\n      clientConfig:\n        url: https://x\n',
    '  annotations:\n    cert-manager.io/inject-ca-from: n/c\n',
  ),
  'crd: a conversion webhook in flow style': crd('  group: x.io\n  conversion: {strategy: Webhook, webhook: {}}\n'),
  'crd: a conversion strategy None': crd('  group: x.io\n  conversion:\n    strategy: None # not Webhook\n'),
  'crd: a conversion webhook under a block that is not the top-level spec': crd(
    '  group: x.io\n',
    '  labels:\n    a: b\nstatus:\n  conversion:\n    strategy: Webhook\n',
  ),
  'crd: Webhook in a description only': crd('  group: x.io\n  names:\n    plural: as\n  scope: Namespaced\n  x: "a Webhook"\n'),
  'crd: non-ASCII descriptions': crd('  group: x.io\n  names:\n    plural: “as”\n    singular: ü\n  scope: Cluster\n'),
  'crd: a NEL inside': crd('  group: x.io\n  names:\n    plural: as\n  scope: Cluster\n  d: a\u0085b\n'),
  'crd: a byte order mark inside': crd('  group: x.io\n  names:\n    plural: as\n  scope: Cluster\n  d: a\ufeffb\n'),
  'configmap: a CRD with a conversion webhook': configMapOfCrd(CONVERTING),
  'configmap: a CRD with a conversion webhook, and a Kyverno key in its schema': configMapOfCrd(
    CONVERTING + '  versions:\n  - schema:\n      properties:\n        webhooks: {type: array}\n',
  ),
  'configmap: a CRD without conversion': configMapOfCrd('  group: x.io\n  names:\n    plural: as\n  scope: Cluster\n'),
  'configmap: a CRD whose Webhook is spelled with an escape': configMapOfCrd(
    '  group: x.io\n  conversion:\n    strategy: "\\x57ebhook"\n    webhook: {}\n',
  ),
  'configmap: Webhook and conversion, but no CRD': configMapOfCrd('  conversion:\n    strategy: Webhook\n', 'Other'),
  'kind: two kind lines': '---\nkind: ConfigMap\nkind: Secret\n',
  'kind: a kind line that is not plain, then one that is': '---\nkind: {a: b}\nkind: Secret\n',
  'kind: quoted with a comment': "---\nkind: 'Secret' # x\nmetadata: {name: a}\n",
  'kind: an unsure top-level line': '---\nkind: Secret\n"kind": Deployment\n',
  'kind: a top-level items key': '---\nkind: Secret\nitems: []\n',
  'kind: an indentless list at the top': '---\nkind: Secret\nlist:\n- a\n- b\n',
  'kind: the last line without a line feed': '---\nkind: Secret\nmetadata: {name: a}',
  'marker: a no-break space after ---': 'kind: A\n--- \u00a0\nkind: B\n',
  'marker: a form feed after ---': 'kind: A\n---\f\nkind: B\n',
  'marker: ---- is content': 'kind: A\ndata: |\n  x\n----\nkind: B\n',
  'marker: content after ...': 'kind: A\n...\nkind: B\n',
  'marker: directives before ---': '%YAML 1.1\n---\nkind: A\n%TAG ! x\n---\nkind: B\n',
  'breaks: a line separator': 'kind: A\nx: a\u2028b\n---\nkind: B\n',
  'breaks: a lone carriage return': 'kind: A\nx: a\rb\n---\nkind: B\n',
};

// The reading pass looks at documents through their column-0 lines and bytes, decoding only what it must.
const reading = {
  ...streams,
  ...LOOKS,
  ...Object.fromEntries(Object.entries(HOSTILE).map(([k, v]) => [`hostile: ${k}`, v.input])),
};
const facts = (docs: ReturnType<typeof readStream>) =>
  docs.map((d) => [d.kind, d.original, d.unreadable, d.crdScope, d.conversions, d.webhookConfigMap, d.read?.error]);
for (const [name, text] of Object.entries(reading)) {
  test(`readStream over bytes reads what it reads over text: ${name}`, () => {
    let fromBytes: ReturnType<typeof readStream>;
    try {
      fromBytes = readStream(splitBytes(Buffer.from(text)), modelKinds());
    } catch (err) {
      assert.throws(
        () => readStream(splitStream(text), modelKinds()),
        (e: Error) => e.message === (err as Error).message,
      );
      return;
    }
    assert.equal(facts(fromBytes), facts(readStream(splitStream(text), modelKinds())));
  });
}

// In a large input the words that make a ConfigMap worth reading are searched for in its bytes by the WebAssembly
// module: wherever they are (across its 16-byte steps too), it reads what a search of the text reads.
test('ConfigMaps of a large input are read as their text says, the words searched for in their bytes', () => {
  const configMap = (name: string, body: string, at: number) => {
    const data = Array.from({ length: 300 }, (_, i) => `  d${i}: "${'x'.repeat(90 + (i % 17))}"\n`);
    data.splice(at, 0, body);
    return `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: sys}\ndata:\n${data.join('')}`;
  };
  const bodies = {
    leader: '  config.yaml: |\n    leaderElection:\n      leaderElect: true\n',
    kyverno: '  webhooks: \'[{"namespaceSelector": {}}]\'\n',
    conditions: "  matchConditions: '[]'\n",
    none: '  other: "leader elect webhook"\n',
  };
  const docs = Object.entries(bodies).flatMap(([name, body]) =>
    [0, 7, 150, 300].map((at) => configMap(`${name}-${at}`, body, at)),
  );
  const padding = `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: pad}\ndata:\n  p: "${'y'.repeat(1 << 20)}"\n`;
  const text = padding + docs.join('');
  const fromBytes = readStream(splitBytes(Buffer.from(text)), modelKinds());
  assert.ok(madeLineScan(), 'the module searched');
  assert.equal(facts(fromBytes), facts(readStream(splitStream(text), modelKinds())));
  assert.equal(
    fromBytes.filter((d) => d.webhookConfigMap).length,
    12,
    'the leader-election and Kyverno ConfigMaps are read, wherever their words are',
  );
});

// The look at a ConfigMap's bytes decodes its text only where they hold a CRD's kind and a conversion webhook's words;
// the CRDs it keeps are read all the same.
test('a CRD kept in a ConfigMap gives its conversion webhook when read from bytes', () => {
  const where = (name: string) =>
    readStream(splitBytes(Buffer.from(LOOKS[name])), modelKinds()).flatMap((d) => (d.conversions ?? []).map((c) => c.where));
  assert.equal(where('configmap: a CRD with a conversion webhook'), ['ConfigMap ns/crds data.crd.yaml']);
  assert.equal(where('configmap: a CRD with a conversion webhook, and a Kyverno key in its schema'), [
    'ConfigMap ns/crds data.crd.yaml',
  ]);
  assert.equal(where('configmap: a CRD whose Webhook is spelled with an escape'), ['ConfigMap ns/crds data.crd.yaml']);
  assert.equal(where('configmap: a CRD without conversion'), []);
  assert.equal(where('configmap: Webhook and conversion, but no CRD'), []);
});

test('the byte look is taken where the lines are line feeds only, and not elsewhere', () => {
  const looks = (text: string) => splitBytes(Buffer.from(text)).map((s) => s.look?.() !== undefined);
  assert.equal(looks(LOOKS['crd: plain']), [true]);
  assert.equal(looks(LOOKS['crd: non-ASCII descriptions']), [true]);
  assert.equal(looks(STREAMS.bom), [false, true]);
  assert.equal(looks(STREAMS.crlf), [false, false]);
  assert.equal(looks(LOOKS['breaks: a line separator']), [false, false]);
  const conversions = (name: string) =>
    readStream(splitBytes(Buffer.from(LOOKS[name])), modelKinds()).map((d) => d.conversions?.map((c) => c.crd.name));
  assert.equal(conversions('crd: a conversion webhook'), [['a']]);
  assert.equal(conversions('crd: a conversion webhook after other keys, quoted, with comments'), [['a']]);
  assert.equal(conversions('crd: a conversion strategy None'), [undefined]);
  const [nel] = splitBytes(Buffer.from(LOOKS['crd: a NEL inside']));
  assert.equal(nel.look?.()?.plain, false);
  const [plain] = splitBytes(Buffer.from('---\nkind: A\n  x: 1\n# c\nb: 2')).map((s) => s.look?.());
  assert.equal(plain?.lines, ['---\n', 'kind: A\n', 'b: 2']);
});

// A scan fed the input as it arrives, in reads of any size, finds what one scan of the whole input finds, by Buffer
// searches and by the WebAssembly scan (which `piecesFrom` 1 makes look at every read).
// What a scan found, and what it answers of UTF-8 and ASCII (where it knows, as the Buffer functions answer).
function scanned(scan: ByteScan, buf?: Buffer): unknown[] {
  const found = [scan.tops, scan.nul, scan.breaks, scan.length];
  if (!buf) return found;
  const step = Math.max(1, Math.floor(buf.length / 7));
  for (let from = 0; from < buf.length; from += step) {
    // Where it answers, the range is ASCII.
    if (scan.ascii(from, from + step)) assert.ok(isAscii(buf.subarray(from, from + step)), `ascii at ${from}`);
  }
  return [...found, scan.utf8(buf)];
}
const SCANS: Record<string, () => ByteScan> = {
  'Buffer searches': () => new ByteScan(null),
  WebAssembly: () => new ByteScan(lineScan()!, 1),
};
function scanInReads(buf: Buffer, size: (k: number) => number, make = () => new ByteScan()): { scan: ByteScan; space: Buffer } {
  const space = Buffer.alloc(buf.length);
  const scan = make();
  for (let at = 0, k = 0; at < buf.length; k++) {
    const n = Math.min(buf.length - at, Math.max(1, size(k)));
    buf.copy(space, at, at, at + n);
    at += n;
    scan.more(space.subarray(0, at));
  }
  return { scan: scan.end(space), space };
}
const SCAN_CASES: Record<string, string> = {
  ...reading,
  'a NUL': 'kind: A\nx: a\u0000b\n',
  'a separator split across reads': 'kind: A\nx: \u2028\n',
  'a curly quote, then a separator': 'kind: A\nx: “a”\n---\ny: \u2029\n',
  'a carriage return at the end': 'kind: A\r',
  'E2 80 then no separator': 'kind: A\nx: \u2020\u2026\u20ac\n',
};
const SCAN_BYTES: Record<string, Buffer> = {
  'one byte: NUL': Buffer.from([0x00]),
  'one byte: CR': Buffer.from([0x0d]),
  'one byte: not UTF-8': Buffer.from([0xff]),
  'one byte: a lead byte alone': Buffer.from([0xc3]),
  'not UTF-8: a lone 0xff': Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0x0a]),
  'not UTF-8: a sequence cut short': Buffer.from([0x6b, 0x3a, 0x20, 0xe2, 0x82, 0x0a]),
};
test('the WebAssembly scan is there (Node 20 has SIMD)', () => {
  assert.ok(lineScan());
});
for (const [name, bytes] of Object.entries({ ...SCAN_CASES, ...SCAN_BYTES })) {
  test(`a scan in reads of any size finds what a whole scan finds, both ways: ${name}`, () => {
    const buf = Buffer.from(bytes);
    const whole = scanned(new ByteScan(null).end(Buffer.from(buf)), buf);
    for (const [way, make] of Object.entries(SCANS)) {
      assert.equal(scanned(make().end(Buffer.from(buf)), buf), whole, `${way}, whole`);
      for (const size of [1, 2, 3, 5])
        assert.equal(scanned(scanInReads(buf, () => size, make).scan, buf), whole, `${way}, reads of ${size}`);
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 9) + 1;
      assert.equal(scanned(scanInReads(buf, random, make).scan, buf), whole, `${way}, reads of random sizes`);
    }
  });
}

// Large inputs go to the WebAssembly scan a piece at a time: what sits where the pieces meet is found as the searches
// find it. The input is real text with the cases' bytes put at every place near each piece's end.
test('a large input: the WebAssembly scan finds what the Buffer searches find, whole and in reads', () => {
  const filler = Buffer.from('spec:\n  names:\n    plural: things\n# a comment\n  - item\n\tx\n', 'utf8');
  // Over 1 MiB: the default scan takes the pieces' way.
  const base = Buffer.alloc(4 * PIECE + 1000);
  for (let at = 0; at < base.length; at += filler.length) filler.copy(base, at);
  const inserts = [
    ...['\nkind: A', '\n', '\n#', '\u0000', '\r', '\u2028', '\u2029', '\u2026', '---\n', 'ü'].map((t) => Buffer.from(t)),
    Buffer.from([0xff]),
    Buffer.from([0xe2, 0x82]),
    Buffer.from([0xc0, 0x80]),
  ];
  let seed = 11;
  const random = (m: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % m;
  for (const insert of inserts)
    for (const end of [PIECE, 2 * PIECE - 1, 4 * PIECE - 3, 4 * PIECE + 999])
      for (let shift = -3; shift <= 2; shift++) {
        const buf = Buffer.from(base);
        insert.copy(buf, end + shift);
        const what = `${JSON.stringify(insert.toString())} at ${end + shift}`;
        const whole = scanned(new ByteScan(null).end(Buffer.from(buf)), buf);
        assert.equal(scanned(new ByteScan().end(Buffer.from(buf)), buf), whole, `${what}, whole`);
        const reads = scanInReads(
          buf,
          () => 1 + random(2 * PIECE),
          () => new ByteScan(lineScan()!, 1),
        );
        assert.equal(scanned(reads.scan, buf), whole, `${what}, in reads`);
      }
});

test('a read that brings nothing new changes nothing, even after E2 80 ended the bytes before', () => {
  const buf = Buffer.from([0x61, 0x0a, 0xe2, 0x80, 0xa8]);
  for (const [way, make] of Object.entries(SCANS)) {
    const scan = make();
    for (const at of [2, 4, 4, 4, 5, 5]) scan.more(buf.subarray(0, at));
    assert.equal(scanned(scan.end(buf), buf), scanned(new ByteScan(null).end(Buffer.from(buf)), buf), way);
    assert.is(scan.breaks, true, way);
  }
});

test('UTF-8 is checked in every stretch of pieces that are not ASCII', () => {
  const buf = Buffer.alloc(4 * PIECE, 'a');
  Buffer.from('ü').copy(buf, 10);
  Buffer.from('ü').copy(buf, 3 * PIECE);
  for (const [way, make] of Object.entries(SCANS)) {
    assert.is(make().end(Buffer.from(buf)).utf8(buf), true, way);
    buf[3 * PIECE + 1] = 0x41;
    assert.is(make().end(Buffer.from(buf)).utf8(buf), false, `${way}, the second stretch`);
    buf[3 * PIECE + 1] = 0xbc;
    const ascii = make().end(Buffer.from(buf));
    assert.is(ascii.ascii(PIECE + 5, 2 * PIECE), way === 'WebAssembly' ? true : undefined, `${way}: between the stretches`);
    assert.is(ascii.ascii(0, 20), undefined, `${way}: a stretch`);
    // Given the bytes, the scan looks at the part of a stretch in the range.
    const wasm = way === 'WebAssembly' ? true : undefined;
    assert.is(ascii.ascii(0, 20, buf), way === 'WebAssembly' ? false : undefined, `${way}: a stretch, with the bytes`);
    assert.is(ascii.ascii(12, PIECE + 5, buf), wasm, `${way}: a stretch past its character, with the bytes`);
    const half = ascii.ascii(3 * PIECE - 3, 3 * PIECE + 1, buf);
    assert.is(half, way === 'WebAssembly' ? false : undefined, `${way}: half a character`);
  }
});

test('UTF-8 is checked to the end of stretches of pieces that are not ASCII, across pieces and to the last byte', () => {
  const buf = Buffer.alloc(PIECE + 100, 'a');
  Buffer.from('ü').copy(buf, PIECE - 10);
  buf[buf.length - 1] = 0x80;
  for (const [way, make] of Object.entries(SCANS)) {
    assert.is(make().end(Buffer.from(buf)).utf8(buf), false, way);
    buf[buf.length - 1] = 0x61;
    assert.is(make().end(Buffer.from(buf)).utf8(buf), true, way);
    buf[buf.length - 1] = 0x80;
  }
});

test('splitBytes uses the scan made while reading, and splits as without it', () => {
  const outcome = (b: Buffer) => {
    try {
      return splitBytes(b).map((s) => [s.index, s.offset, s.line, s.text, s.look?.()?.lines, s.look?.()?.plain]);
    } catch (err) {
      return (err as Error).message;
    }
  };
  for (const text of Object.values(reading)) {
    const buf = Buffer.from(text);
    const { space } = scanInReads(buf, (k) => (k % 3) + 1);
    assert.equal(outcome(space), outcome(Buffer.from(buf)), text);
  }
  const b = Buffer.from('kind: A\n');
  new ByteScan().end(b).breaks = true;
  assert.is(splitBytes(b)[0].look?.(), undefined, 'the scan of that buffer decides the way');
});

test('line numbers of byte segments are counted when asked, in any order', () => {
  const segments = splitBytes(Buffer.from('kind: A\n---\nkind: B\nx: 1\n---\n\n\nkind: C\n'));
  assert.equal([segments[2].line, segments[0].line, segments[1].line, segments[2].line], [5, 1, 2, 5]);
});

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

test('documents that follow one another untouched go out as one slice of the input; edited and added ones apart', () => {
  const input = Buffer.from(`kind: A\n---\nkind: B\n${edited}---\nkind: C\n---\nkind: D\n`);
  const result = transformStream(input, resolveConfig(undefined));
  // A PDB is added after the Deployment and the webhook configuration is edited: the untouched documents before them
  // (A, B, the Service, the Deployment) are one slice of the input's memory, and those after (the ConfigMap, C, D) another.
  const webhooks = input.indexOf('---\napiVersion: admissionregistration');
  const after = input.indexOf('---\nkind: ConfigMap');
  const slices = result.pieces.filter((p): p is Buffer => Buffer.isBuffer(p));
  assert.equal(
    slices.map((p) => [p.buffer === input.buffer, p.byteOffset - input.byteOffset, p.length]),
    [
      [true, 0, webhooks],
      [true, after, input.length - after],
    ],
  );
  assert.equal(result.pieces.length, 4, 'the two slices, the added PDB and the edited configuration');
  assert.is(Buffer.concat(result.pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString(), result.output);
});

const corpus = suite('byte stream on the corpus');
needsCorpus(corpus, 'every corpus render gives the same output from bytes as from text', [], () => {
  for (const file of corpusFiles('byte stream')) {
    const buf = readFileSync(file);
    const fromText = transformStream(decodeInput(buf), resolveConfig(undefined));
    const fromBytes = transformStream(buf, resolveConfig(undefined));
    assert.is(fromBytes.output, fromText.output, file);
    assert.equal(facts(fromBytes.model.docs), facts(fromText.model.docs), file);
    const whole = scanned(new ByteScan().end(Buffer.from(buf)));
    for (const size of [65536, 4093])
      assert.equal(scanned(scanInReads(buf, () => size).scan), whole, `${file}: reads of ${size}`);
  }
});

test.run();
corpus.run();
