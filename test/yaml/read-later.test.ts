// Documents read only when asked: which are left for later, how readLater reads them, and when a text may hold a name.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { splitBytes } from '../../src/yaml/byte-stream.js';
import { HoldIndex, mayHold, readLater, readStream, type Doc } from '../../src/yaml/read-stream.js';
import { splitStream } from '../../src/yaml/stream.js';
import { readFileSync } from 'node:fs';
import { corpusFiles, lines, needsCorpus } from '../support/helpers.js';

const KINDS = new Set(['ClusterRole', 'Service']);
const LATER = new Set(['ClusterRole']);
const docOf = (text: string): Doc => readStream(splitBytes(Buffer.from(text)), KINDS, LATER)[0];

const later = suite('yaml: documents read later');
later('a document whose text settles a later kind is left unread; one whose text does not is read now', () => {
  const cases: Array<[string, string, boolean]> = [
    ['block style', lines('kind: ClusterRole', 'metadata: {name: r}', 'rules: []'), true],
    ['kind quoted', lines('kind: "ClusterRole"', 'metadata: {name: r}'), true],
    ['a quoted top-level key (which could set the kind again)', lines('kind: ClusterRole', '"metadata": {name: r}'), false],
    ['flow style', '{kind: ClusterRole, metadata: {name: r}}\n', false],
    ['JSON', '{"kind": "ClusterRole", "metadata": {"name": "r"}}\n', false],
    ['a kind that is not later', lines('kind: Service', 'metadata: {name: s}'), false],
    ['a kind that goes on to the next line', lines('kind: ClusterRole', '  x', 'metadata: {name: r}'), false],
    ['a second kind on the next line', lines('kind: ClusterRole', 'kind:', '  Service'), false],
    ['a second kind under an anchor', lines('kind: ClusterRole', 'kind: &k Service'), false],
    ['a second kind with a tag', lines('kind: ClusterRole', 'kind: !!str Service'), false],
    ['a comment after the kind line', lines('kind: ClusterRole', '  # note', 'metadata: {name: r}'), true],
    ['a blank line after the kind line', lines('kind: ClusterRole', '', 'metadata: {name: r}'), true],
  ];
  for (const [what, text, left] of cases) {
    for (const doc of [docOf(text), readStream(splitStream(text), KINDS, LATER)[0]]) {
      assert.is(doc.later === true, left, what);
      assert.is(doc.original === undefined, left, what);
      // Read whole, the kind is what the document reads as.
      if (!left) assert.is(doc.kind, (doc.original as { kind?: string }).kind, what);
      else assert.is(doc.kind, 'ClusterRole', what);
    }
  }
});
later('readLater gives the value, read result and kind a read with the stream gives, once', () => {
  const text = lines(
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: ClusterRole',
    'metadata:',
    '  name: r',
    'rules: []',
  );
  const now = readStream(splitStream(text), KINDS)[0];
  const doc = docOf(text);
  readLater(doc);
  assert.equal(
    { kind: doc.kind, read: doc.read, original: doc.original, later: doc.later },
    { kind: 'ClusterRole', read: now.read, original: now.original, later: undefined },
  );
  const value = doc.original;
  readLater(doc);
  assert.ok(doc.original === value);
});
later('readLater marks a document Go cannot read either as unreadable', () => {
  const doc = docOf(lines('kind: ClusterRole', 'metadata: {name: r', 'rules: []'));
  readLater(doc);
  assert.equal({ unreadable: doc.unreadable, original: doc.original }, { unreadable: true, original: undefined });
  assert.ok(doc.read?.error);
});
later.run();

const hold = suite('yaml: mayHold');
const holds: Array<[string, string, string, boolean]> = [
  ['plain', 'name: admin', 'admin', true],
  ['double-quoted', 'name: "admin"', 'admin', true],
  ['single-quoted', "name: 'admin'", 'admin', true],
  ['in a flow map', 'metadata: {name: admin}', 'admin', true],
  ['in a flow list', 'names: [admin,other]', 'admin', true],
  ['a key', 'admin: x', 'admin', true],
  ['a block scalar', 'name: |-\n  admin', 'admin', true],
  ['the whole text', 'admin', 'admin', true],
  ['after a JSON key and its colon, no space', 'metadata: {"name":admin}', 'admin', true],
  ['after another colon (one scalar, but it may be read as two)', 'name: system:admin', 'admin', true],
  ['before a slash', 'name: admin/x', 'admin', true],
  ['only next to an underscore', 'name: my_admin', 'admin', false],
  ['only next to a digit', 'name: admin2', 'admin', false],
  ['only next to a dot', 'name: admin.x', 'admin', false],
  ['only as the start of a longer name', 'name: admin-view', 'admin', false],
  ['only as the end of a longer name', 'name: cluster-admin', 'admin', false],
  ['inside a longer name, between colons', 'name: "system:admin:x"', 'admin', true],
  ['not at all', 'name: view', 'admin', false],
  ['an escape could spell it', 'name: "\\x61dmin"', 'admin', true],
  ['a tag could spell it', 'name: !!binary YWRtaW4=', 'admin', true],
  ['a name with a space (a line could fold into it)', 'name: cluster\n  admin', 'cluster admin', true],
  ['a name with a quote', "name: 'it''s'", "it's", true],
  ['an empty name', 'name: x', '', true],
  ['non-ASCII', 'name: café-admin', 'café', false],
  ['non-ASCII, whole', 'name: café', 'café', true],
];
for (const [what, text, value, want] of holds)
  hold(`${what}: ${JSON.stringify(value)} in ${JSON.stringify(text)} → ${want}`, () => {
    const [bytes] = readStream(splitBytes(Buffer.from(text)), new Set());
    const [fromText] = readStream(splitStream(text), new Set());
    assert.is(mayHold(bytes, value), want, 'from bytes');
    assert.is(mayHold(fromText, value), want, 'from text');
  });
// HoldIndex gives, for any value, the documents mayHold says may hold it, in their order: from bytes and from text.
hold('HoldIndex lists the documents mayHold says yes to, for every value, in order', () => {
  const texts = holds.map(([, text]) => text);
  const values = [
    ...new Set([...holds.map(([, , value]) => value), 'system:admin', 'admin-view', 'x', 'café-admin', 'ü', ':', 'admin/x']),
  ];
  for (const [from, docs] of [
    ['bytes', readStream(splitBytes(Buffer.from(texts.map((t) => `---\n${t}\n`).join(''))), new Set())],
    ['text', readStream(splitStream(texts.map((t) => `---\n${t}\n`).join('')), new Set())],
  ] as const) {
    const index = new HoldIndex(docs);
    let some = 0;
    for (const value of values) {
      const want = docs.filter((d) => mayHold(d, value));
      some += want.length;
      assert.equal(index.holding(value), want, `${from}: ${JSON.stringify(value)}`);
    }
    assert.ok(some > values.length, 'values held by some documents and not others');
  }
});
// Every string a document reads as (keys and values, however written) must be one mayHold says its text can hold.
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  return out;
}
function everyStringHeld(doc: Doc, what: string): number {
  readLater(doc);
  const found = strings(doc.original);
  for (const value of found) assert.ok(mayHold(doc, value), `${what}: ${JSON.stringify(value)} is read, but mayHold says no`);
  return found.length;
}
const styles: Record<string, string> = {
  block: lines('kind: ClusterRole', 'metadata:', '  name: admin-role', '  labels:', '    app.kubernetes.io/name: x_y'),
  flow: lines('kind: ClusterRole', 'metadata: {name: admin-role, labels: {a: b}}', 'rules: [{verbs: [get, list]}]'),
  'JSON in a value': lines('kind: ClusterRole', 'metadata: {"name":"admin-role","labels":{"a":"b"}}'),
  'adjacent JSON values': lines('kind: ClusterRole', 'metadata: {"name":admin-role,"namespace":ops}', 'rules: [{"verbs":[get]}]'),
  quoted: lines('kind: ClusterRole', 'metadata: {name: \'admin-role\', namespace: "ops"}'),
  'block scalars': lines('kind: ClusterRole', 'metadata:', '  name: |-', '    admin-role', '  namespace: >-', '    ops'),
  'anchors and aliases': lines('kind: ClusterRole', 'x: &n admin-role', 'metadata:', '  name: *n'),
  'merge key': lines('kind: ClusterRole', 'base: &b {name: admin-role}', 'metadata:', '  <<: *b'),
  'compact lists': lines('kind: ClusterRoleBinding', 'subjects:', '- kind: ServiceAccount', '  name: sa-1', '  namespace: ops'),
  'explicit key': lines('kind: ClusterRole', 'metadata:', '  ? name', '  : admin-role'),
  'a document marker and comments': lines('--- # the role', 'kind: ClusterRole', 'metadata: {name: admin-role} # named'),
};
for (const [style, text] of Object.entries(styles))
  hold(`every string a document reads as is one mayHold says it can hold (${style})`, () => {
    const [doc] = readStream(splitBytes(Buffer.from(text)), new Set(), new Set(['ClusterRole', 'ClusterRoleBinding']));
    assert.ok(everyStringHeld(doc, style) > 2, 'read');
  });
needsCorpus(hold, 'every string every RBAC document of the corpus reads as is one mayHold says it can hold', [], () => {
  let checked = 0;
  const rbac = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
  for (const file of corpusFiles('mayHold')) {
    for (const doc of readStream(splitBytes(readFileSync(file)), new Set(), rbac))
      if (doc.later) checked += everyStringHeld(doc, `${file} document ${doc.segment.index + 1}`);
  }
  assert.ok(checked > 1000, `${checked} strings`);
});
hold.run();
