// The fast editor: where it edits, it must write exactly what the yaml-based editor writes.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fjp, { type Operation } from 'fast-json-patch';
import { applyOperations, applyOperationsWithYaml, deepEqual, readWithYaml } from '../../src/yaml/document.js';
import { fastEdit, renderDocument } from '../../src/yaml/fast-edit.js';
import { toYamlWithYaml } from '../../src/yaml/load.js';
import { resolveConfig } from '../../src/pipeline/config.js';
import { Model } from '../../src/model/model.js';
import { applyTransforms } from '../../src/pipeline/pipeline.js';
import { splitStream } from '../../src/yaml/stream.js';
import { corpusFiles, lines } from '../support/helpers.js';

type Change = (o: any) => void;

/** ops reads `text` with yaml, lets `change` edit a copy, and returns the patch and the edited value. */
function ops(text: string, change: Change): { ops: Operation[]; expected: unknown } {
  const value = readWithYaml(text).value as object;
  const working = structuredClone(value);
  change(working);
  return { ops: fjp.compare(value, working), expected: working };
}

const edits = suite('fast-edit: writes what the yaml editor writes');

const cases: Record<string, { input: string; change: Change; expected: string }> = {
  'keys added after block scalars, literal and folded': {
    input: lines('a:', '  s: |', '    text', 'b:', '  f: >-', '    one', '    two', 'c: 1'),
    change: (o) => Object.assign(o, { a: { ...o.a, t: 1 }, b: { ...o.b, g: 2 } }),
    expected: lines('a:', '  s: |', '    text', '  t: 1', 'b:', '  f: >-', '    one', '    two', '  g: 2', 'c: 1'),
  },
  'strings with quote characters, plain, single-quoted and as JSON': {
    input: lines('data:', '  x: 1'),
    change: (o) => Object.assign(o.data, { p: 'say "hi"', s: '"hi" there', j: `[{"expression":"!(a == '')"}]` }),
    expected: lines('data:', '  x: 1', '  p: say "hi"', `  s: '"hi" there'`, `  j: "[{\\"expression\\":\\"!(a == '')\\"}]"`),
  },
  'scalars replaced in place, quoting and comments kept': {
    input: lines(
      '# Source: x',
      'metadata:',
      "  name: 'web'   # the name",
      '  ns: "a"',
      'spec:',
      '  replicas: 1 # one',
      '  mode: on',
    ),
    change: (o) => Object.assign(o, { metadata: { name: "it's", ns: 'b' }, spec: { replicas: 2, mode: 'yes' } }),
    expected: lines(
      '# Source: x',
      'metadata:',
      "  name: 'it''s'   # the name",
      '  ns: "b"',
      'spec:',
      '  replicas: 2 # one',
      '  mode: "yes"',
    ),
  },
  'an empty value replaced: after a trailing space, without one, and as the last line without a line break': {
    input: 'spec:\n  replicas: \n  paused:\n  x: 1\nlast:',
    change: (o) => Object.assign(o, { spec: { replicas: 2, paused: false, x: 1 }, last: 'v' }),
    expected: 'spec:\n  replicas:  2\n  paused: false\n  x: 1\nlast: v',
  },
  'a key added after the last entry, before trailing blank lines': {
    input: lines('a:', '  b:', '    c: 1', '', '', 'd: 2'),
    change: (o) => (o.a.e = 'x'),
    expected: lines('a:', '  b:', '    c: 1', '  e: x', '', '', 'd: 2'),
  },
  'a nested map and list added to a webhook entry, lists not indented as in the document': {
    input: lines('webhooks:', '- name: w', '  rules:', '  - operations: ["CREATE"]', '  sideEffects: None'),
    change: (o) =>
      (o.webhooks[0].namespaceSelector = {
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'on'] }],
      }),
    expected: lines(
      'webhooks:',
      '- name: w',
      '  rules:',
      '  - operations: ["CREATE"]',
      '  sideEffects: None',
      '  namespaceSelector:',
      '    matchExpressions:',
      '    - key: kubernetes.io/metadata.name',
      '      operator: NotIn',
      '      values:',
      '      - kube-system',
      '      - "on"',
    ),
  },
  'indented lists stay indented; CEL expressions are double-quoted': {
    input: lines('spec:', '  list:', '    - a', '  last: 1'),
    change: (o) => (o.spec.matchConditions = [{ name: 'skip', expression: "!('system:nodes' in request.userInfo.groups)" }]),
    expected: lines(
      'spec:',
      '  list:',
      '    - a',
      '  last: 1',
      '  matchConditions:',
      '    - name: skip',
      `      expression: "!('system:nodes' in request.userInfo.groups)"`,
    ),
  },
  'the first list found sets the list style, not a later sibling (a yaml-editor bug the fuzzer found)': {
    input: lines('spec:', '  rbac:', '    roles:', '    - a', '  users:', '    - kind: Group', '  last: 1'),
    change: (o) => (o.spec.extra = [{ name: 'x' }]),
    expected: lines(
      'spec:',
      '  rbac:',
      '    roles:',
      '    - a',
      '  users:',
      '    - kind: Group',
      '  last: 1',
      '  extra:',
      '  - name: x',
    ),
  },
  'items appended to a block list, CRLF kept': {
    input: 'values:\r\n- a\r\n- b   # last\r\nother: 1\r\n',
    change: (o) => o.values.push('c', { k: 'v', l: [] }),
    expected: 'values:\r\n- a\r\n- b   # last\r\n- c\r\n- k: v\r\n  l: []\r\nother: 1\r\n',
  },
  'a key added at the end of a document without a final line break': {
    input: 'kind: A\nmetadata:\n  name: x',
    change: (o) => (o.metadata.labels = { app: 'x' }),
    expected: 'kind: A\nmetadata:\n  name: x\n  labels:\n    app: x',
  },
};

for (const [name, c] of Object.entries(cases)) {
  edits(name, () => {
    const { ops: patch, expected } = ops(c.input, c.change);
    const fast = fastEdit(c.input, patch);
    assert.ok(fast !== undefined, 'fastEdit gave up');
    assert.fixture(fast!, c.expected);
    assert.fixture(applyOperationsWithYaml(c.input, patch, expected), c.expected, 'the yaml editor writes something else');
    assert.fixture(applyOperations(c.input, patch, expected), c.expected);
  });
}
edits.run();

const leaves = suite('fast-edit: leaves other edits to the yaml editor');

const left: Record<string, { input: string; change?: Change; ops?: Operation[] }> = {
  'a key added to a flow map': { input: lines('a: {b: 1}'), change: (o) => (o.a.c = 2) },
  'a key added to an empty map': { input: lines('a: {}'), change: (o) => (o.a.c = 2) },
  'an item inserted before others': { input: lines('a:', '- x'), ops: [{ op: 'add', path: '/a/0', value: 'w' }] },
  'an item appended to a flow list': { input: lines('a: ["x"]'), change: (o) => o.a.push('y') },
  'a key added where comment lines follow the last entry': {
    input: lines('a:', '  b:', '    c: 1', '    # note', 'd: 2'),
    change: (o) => (o.a.e = 'x'),
  },
  'a key added after a block scalar and a blank line': {
    input: lines('a:', '  s: |', '    text', '', 'b: 1'),
    change: (o) => (o.a.t = 1),
  },
  'a value for a key that has none': { input: lines('a:', 'b: 1'), change: (o) => (o.a = { c: 1 }) },
  'a scalar replaced by a map': { input: lines('a: 1'), change: (o) => (o.a = { b: 1 }) },
  'an empty value with a comment after it replaced': { input: lines('a: # unset', 'b: 1'), change: (o) => (o.a = 2) },
  'a string yaml would quote in its own way': { input: lines('a: 1'), change: (o) => (o.b = '"hi"\\') },
  'a number-like string': { input: lines('a: 1'), change: (o) => (o.b = '0755') },
  'a float': { input: lines('a: 1'), change: (o) => (o.b = 1.5) },
  'a document fast-read cannot read': { input: lines('a: &x 1', 'b: *x'), change: (o) => (o.c = 1) },
  'a removal': { input: lines('a: 1', 'b: 2'), change: (o) => delete o.b },
};

for (const [name, c] of Object.entries(left)) {
  leaves(name, () => {
    const patch = c.ops ?? ops(c.input, c.change!).ops;
    assert.ok(patch.length > 0);
    assert.is(fastEdit(c.input, patch), undefined);
  });
}
leaves.run();

const documents = suite('fast-edit: whole documents written as yaml writes them, or left to it');
const DOCUMENTS: Record<string, { value: unknown; fast: boolean }> = {
  'a PodDisruptionBudget with labels, annotations and matchExpressions': {
    value: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: {
        name: 'kruise-controller-manager-webhook-guard',
        namespace: 'kruise-system',
        labels: { 'app.kubernetes.io/name': 'kruise', 'helm.sh/chart': 'kruise-1.5.2', on: 'yes', empty: '' },
        annotations: { 'helm.sh/hook': 'pre-install,pre-upgrade', note: 'say "hi"', 'a b': "it's: here" },
      },
      spec: {
        maxUnavailable: 1,
        selector: { matchExpressions: [{ key: 'control-plane', operator: 'In', values: ['controller-manager'] }] },
        extra: { list: [], map: {}, nothing: null, flag: true },
      },
    },
    fast: true,
  },
  'versions of three and four numbers': { value: { a: '0.12.4', b: '10.0.0.1' }, fast: true },
  'a version of two numbers (a float to YAML)': { value: { a: '1.2' }, fast: false },
  'a string Go reads as a number': { value: { a: '0o17' }, fast: false },
  'a float': { value: { a: 1.5 }, fast: false },
  'a list of lists': { value: { a: [['x']] }, fast: true },
  'non-ASCII text': { value: { a: 'ü' }, fast: false },
  'an empty map': { value: {}, fast: false },
};
for (const [name, c] of Object.entries(DOCUMENTS)) {
  documents(name, () => {
    const fast = renderDocument(c.value);
    assert.is(fast !== undefined, c.fast, fast === undefined ? 'renderDocument gave up' : 'renderDocument wrote it');
    if (fast !== undefined) assert.fixture(fast, toYamlWithYaml(c.value));
  });
}
documents.run();

const corpus = suite('fast-edit: every corpus edit the transforms make, fast or not, as the yaml editor writes it');
for (const file of corpusFiles('fast-edit corpus', corpus)) {
  corpus(file.split('/').pop()!, () => {
    const model = Model.read(splitStream(readFileSync(file, 'utf8')));
    applyTransforms(model, resolveConfig(undefined));
    for (const doc of model.docs) {
      // What a transform adds is written by renderDocument where it can, as yaml writes it.
      if (doc.addedBy) {
        const fast = renderDocument(doc.working);
        if (fast !== undefined) assert.fixture(fast, toYamlWithYaml(doc.working), `added ${doc.kind}`);
        continue;
      }
      if (doc.working === undefined || doc.read?.relaxed || deepEqual(doc.original, doc.working)) continue;
      const patch = fjp.compare(doc.original as object, doc.working as object);
      const fast = fastEdit(doc.segment.text, patch);
      if (fast === undefined) continue;
      assert.fixture(
        fast,
        applyOperationsWithYaml(doc.segment.text, patch, doc.working),
        `document ${doc.segment.index + 1} (${doc.kind})`,
      );
    }
  });
}
corpus.run();
