// Minimal-diff editing: object changes become text edits that touch only the edited lines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fjp from 'fast-json-patch';
import {
  applyOperations,
  cloneValue,
  EditError,
  MergeKeyError,
  readDocument,
  removeItems,
  SharedValueError,
  shareUnchanged,
} from '../../src/yaml/document.js';
import { relaxQuotedContinuations } from '../../src/yaml/go-compat.js';
import { readFileSync } from 'node:fs';
import { Model } from '../../src/model/model.js';
import { applyTransforms } from '../../src/pipeline/pipeline.js';
import { resolveConfig } from '../../src/pipeline/config.js';
import { splitStream } from '../../src/yaml/stream.js';
import { corpusFiles, lines, needsCorpus } from '../support/helpers.js';

/** edit reads `text`, lets `change` edit the value, and returns the edited text. */
function edit(text: string, change: (o: any) => void): string {
  const read = readDocument(text);
  assert.ok(read.value !== undefined, read.error?.message);
  const working = structuredClone(read.value) as any;
  change(working);
  return applyOperations(text, fjp.compare(read.value as object, working), working);
}

const cases: Record<string, { input: string; change: (o: any) => void; expected: string }> = {
  'scalar replaced in place, quotes and trailing comment kept': {
    input: lines('# Source: x', 'metadata:', "  name: 'web'   # the name", 'spec:', '  replicas: 1 # one'),
    change: (o) => ((o.metadata.name = 'api'), (o.spec.replicas = 2)),
    expected: lines('# Source: x', 'metadata:', "  name: 'api'   # the name", 'spec:', '  replicas: 2 # one'),
  },
  'double-quoted scalar stays double-quoted': {
    input: lines('a: "x"'),
    change: (o) => (o.a = 'y'),
    expected: lines('a: "y"'),
  },
  'keys appended to a block map after its last entry, comments untouched': {
    input: lines('labels:', '  # keep me', '  a: b  # trailing', 'other: 1'),
    change: (o) => ((o.labels.c = 'on'), (o.labels['app.kubernetes.io/name'] = 'x')),
    expected: lines('labels:', '  # keep me', '  a: b  # trailing', '  c: "on"', '  app.kubernetes.io/name: x', 'other: 1'),
  },
  'YAML 1.1 keywords (y, n, yes, on) and numbers are quoted when new': {
    input: lines('m:', '  k: v'),
    change: (o) => Object.assign(o.m, { y: 'yes', n: '0755', t: 'true', s: 'plain' }),
    expected: lines('m:', '  k: v', '  "y": "yes"', '  "n": "0755"', '  t: "true"', '  s: plain'),
  },
  'untouched YAML 1.1 octal stays as written': {
    input: lines('mode: 0755', 'name: a'),
    change: (o) => (o.name = 'b'),
    expected: lines('mode: 0755', 'name: b'),
  },
  'list items appended with the list own indentation (non-indented style)': {
    input: lines('items:', '- a', '- b', 'next: 1'),
    change: (o) => o.items.push({ k: 'v', l: [1] }),
    expected: lines('items:', '- a', '- b', '- k: v', '  l:', '  - 1', 'next: 1'),
  },
  'a new nested map follows the document list style': {
    input: lines('a:', '  list:', '  - x', 'b: {}'),
    change: (o) => (o.b = { sel: { exprs: [{ key: 'k' }] } }),
    expected: lines('a:', '  list:', '  - x', 'b:', '  sel:', '    exprs:', '    - key: k'),
  },
  'a key with no value gets a block value': {
    input: lines('metadata:', '  labels:', '  name: x'),
    change: (o) => (o.metadata.labels = { a: 'b' }),
    expected: lines('metadata:', '  labels:', '    a: b', '  name: x'),
  },
  'an explicit null replaced by a number keeps the line': {
    input: lines('spec:', '  replicas: null', '  x: 1'),
    change: (o) => (o.spec.replicas = 2),
    expected: lines('spec:', '  replicas: 2', '  x: 1'),
  },
  'a key and an item added to non-empty flow collections go after their last members': {
    input: lines('sel: {a: b}  # c', 'vals: [x]'),
    change: (o) => ((o.sel.c = 'd'), o.vals.push('y')),
    expected: lines('sel: {a: b, c: d}  # c', 'vals: [x, "y"]'),
  },
  'JSON documents stay JSON where edited': {
    input: '{"kind": "X", "spec": {"a": 1}}\n',
    change: (o) => (o.spec.b = 'x'),
    expected: '{"kind": "X", "spec": {"a": 1, "b": "x"}}\n',
  },
  // A null in a flow collection (JSON above all) takes its value in flow style, written where the null was: a block
  // value cannot stand inside a flow collection, and the rest of the line stays as it was.
  'a null in a JSON document replaced by a list, as JSON, nothing else moved': {
    input: '{"kind": "X", "spec": {"namespaceSelector": {"matchExpressions": null}, "n": 1.50}}\n',
    change: (o) => (o.spec.namespaceSelector.matchExpressions = [{ key: 'k', operator: 'NotIn', values: ['a', 'on'] }]),
    expected:
      '{"kind": "X", "spec": {"namespaceSelector": {"matchExpressions": ' +
      '[{"key":"k","operator":"NotIn","values":["a","on"]}]}, "n": 1.50}}\n',
  },
  'a null in a YAML flow map replaced in flow style, its comment kept': {
    input: lines('sel: {matchExpressions: null}  # keep', 'n: 1'),
    change: (o) => (o.sel.matchExpressions = [{ key: 'k', operator: 'NotIn', values: ['a', 'on'] }]),
    expected: lines('sel: {matchExpressions: [ { key: k, operator: NotIn, values: [ a, "on" ] } ]}  # keep', 'n: 1'),
  },
  'values: null in a flow NotIn expression filled in flow style': {
    input: lines('sel: {matchExpressions: [{key: k, operator: NotIn, values: null}]}'),
    change: (o) => (o.sel.matchExpressions[0].values = ['a', 'b']),
    expected: lines('sel: {matchExpressions: [{key: k, operator: NotIn, values: [ a, b ]}]}'),
  },
  'matchConditions: null in a JSON webhook filled as JSON': {
    input: '{"webhooks": [{"name": "w", "matchConditions": null, "rules": []}]}\n',
    change: (o) =>
      (o.webhooks[0].matchConditions = [{ name: 'skip', expression: "!('system:nodes' in request.userInfo.groups)" }]),
    expected:
      '{"webhooks": [{"name": "w", "matchConditions": ' +
      `[{"name":"skip","expression":"!('system:nodes' in request.userInfo.groups)"}], "rules": []}]}\n`,
  },
  'empty values in flow maps: before a comment, a key alone, a pair in a flow list, in JSON': {
    input: lines('b: {q: 1, p: # why', '  }', 'c: {p}', 'd: [p: null]', 'e: {"p":}'),
    change: (o) => Object.assign(o, { b: { q: 1, p: [1] }, c: { p: 'u, v' }, d: [{ p: { k: ['y'] } }], e: { p: [] } }),
    expected: lines('b: {q: 1, p: [ 1 ] # why', '  }', 'c: {p: "u, v"}', 'd: [p: { k: [ "y" ] }]', 'e: {"p":[]}'),
  },
  'CRLF documents get CRLF edits': {
    input: 'a:\r\n  b: 1\r\nc: 2\r\n',
    change: (o) => (o.a.z = 3),
    expected: 'a:\r\n  b: 1\r\n  z: 3\r\nc: 2\r\n',
  },
  'a document without a final line break': {
    input: 'a:\n  b: 1',
    change: (o) => (o.a.c = 2),
    expected: 'a:\n  b: 1\n  c: 2',
  },
  'two edits in the same map are applied one after the other': {
    input: lines('- name: w', '  rules: []'),
    change: (o) => ((o[0].namespaceSelector = { m: 1 }), (o[0].objectSelector = { n: 2 })),
    expected: lines('- name: w', '  rules: []', '  namespaceSelector:', '    m: 1', '  objectSelector:', '    "n": 2'),
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(name, () => assert.fixture(edit(c.input, c.change), c.expected));
}

// A key or an item added to a non-empty flow collection goes after its last member, in the collection's own layout (on
// a line of its own at the members' indentation where they stand one a line; JSON where it is JSON), and every other
// byte stays: re-rendering the collection whole turned a pretty-printed JSON webhook into one line, and lost comments.
const CONDITION = { name: 'skip', expression: "!('system:nodes' in request.userInfo.groups)" };
const flowAppends: Record<string, { input: string; change: (o: any) => void; expected: string }> = {
  'one-line JSON: keys after the last member, without blanks as the JSON has none': {
    input: '{"kind":"X","webhooks":[{"name":"w","rules":[]}]}\n',
    change: (o) => Object.assign(o.webhooks[0], { namespaceSelector: { matchLabels: { a: 'b' } }, matchConditions: [CONDITION] }),
    expected:
      '{"kind":"X","webhooks":[{"name":"w","rules":[],"namespaceSelector":{"matchLabels":{"a":"b"}},' +
      `"matchConditions":[{"name":"skip","expression":"!('system:nodes' in request.userInfo.groups)"}]}]}\n`,
  },
  'pretty-printed JSON: a new member on a line of its own, at the indentation of the others': {
    input: lines(
      '{',
      '  "kind": "X",',
      '  "webhooks": [',
      '    {',
      '      "name": "w",',
      '      "rules": [',
      '        {"operations": ["CREATE"]}',
      '      ]',
      '    }',
      '  ]',
      '}',
    ),
    change: (o) => Object.assign(o.webhooks[0], { namespaceSelector: { matchLabels: { a: 'b' } }, matchConditions: [CONDITION] }),
    expected: lines(
      '{',
      '  "kind": "X",',
      '  "webhooks": [',
      '    {',
      '      "name": "w",',
      '      "rules": [',
      '        {"operations": ["CREATE"]}',
      '      ],',
      '      "namespaceSelector": {"matchLabels":{"a":"b"}},',
      `      "matchConditions": [{"name":"skip","expression":"!('system:nodes' in request.userInfo.groups)"}]`,
      '    }',
      '  ]',
      '}',
    ),
  },
  'pretty-printed JSON with CRLF: a list item on a line of its own, with CRLF': {
    input: '{\r\n  "values": [\r\n    "a",\r\n    "b"\r\n  ]\r\n}\r\n',
    change: (o) => o.values.push('kube-system'),
    expected: '{\r\n  "values": [\r\n    "a",\r\n    "b",\r\n    "kube-system"\r\n  ]\r\n}\r\n',
  },
  'YAML flow map over several lines: comments stay where they were, the new member follows the last': {
    input: lines(
      '- {',
      '    name: w,  # the pod webhook',
      '    sel: {matchExpressions: [{key: team, operator: DoesNotExist}]},  # teams opt out',
      '    rules: [{operations: [CREATE]}]  # pods only',
      '  }',
    ),
    change: (o) => {
      o[0].sel.matchExpressions.push({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['on'] });
      o[0].matchConditions = [{ name: 'skip', expression: 'true' }];
    },
    expected: lines(
      '- {',
      '    name: w,  # the pod webhook',
      '    sel: {matchExpressions: [{key: team, operator: DoesNotExist}, ' +
        '{key: kubernetes.io/metadata.name, operator: NotIn, values: ["on"]}]},  # teams opt out',
      '    rules: [{operations: [CREATE]}],  # pods only',
      '    matchConditions: [{name: skip, expression: "true"}]',
      '  }',
    ),
  },
  'YAML flow map on one line, padded: the new value padded too': {
    input: lines('sel: { a: b }'),
    change: (o) => (o.sel.m = { k: ['v'] }),
    expected: lines('sel: { a: b, m: { k: [ v ] } }'),
  },
  'a flow list gains an item: YAML, and JSON strings in a YAML document': {
    input: lines('values: [kube-system]   # chart default', 'quoted: ["a"]'),
    change: (o) => (o.values.push('wh-system'), o.quoted.push('b')),
    expected: lines('values: [kube-system, wh-system]   # chart default', 'quoted: ["a", "b"]'),
  },
  'a trailing comma stays last: on one line, and after a comment on the last line': {
    input: lines('a: [v, w,]', 'b: {', '  p: 1,  # one', '}'),
    change: (o) => (o.a.push('z'), (o.b.q = 2)),
    expected: lines('a: [v, w, z,]', 'b: {', '  p: 1,  # one', '  q: 2,', '}'),
  },
  'members that close their collection on their own line: the new one does too': {
    input: lines('a: { p: 1,', '     q: 2 }'),
    change: (o) => (o.a.r = 3),
    expected: lines('a: { p: 1,', '     q: 2,', '     r: 3 }'),
  },
  'an empty {} in a JSON document gets its member as JSON': {
    input: '{"kind": "X", "spec": {}}\n',
    change: (o) => (o.spec.b = ['x']),
    expected: '{"kind": "X", "spec": {"b":["x"]}}\n',
  },
  'an empty {} in a block map becomes a block map': {
    input: lines('spec: {}', 'n: 1'),
    change: (o) => (o.spec.b = ['x']),
    expected: lines('spec:', '  b:', '    - x', 'n: 1'),
  },
};
for (const [name, c] of Object.entries(flowAppends))
  test(`added to a flow collection, the rest byte for byte: ${name}`, () => assert.fixture(edit(c.input, c.change), c.expected));

test('an edit through an alias is refused', () => {
  const text = lines('base: &b', '  a: 1', 'use: *b');
  assert.throws(
    () => edit(text, (o) => (o.use.z = 2)),
    (e: unknown) => e instanceof EditError && /alias \*b/.test((e as Error).message),
  );
});

// A value an anchor shares has its text in one place: an edit that would change it for the alias too, or that goes
// through an alias, is refused with the places and the anchor. (Changes assign new objects: the value read shares
// them between the anchor and its aliases.)
const sharedEdits: Record<string, { input: string; change: (o: any) => void; error: string }> = {
  'a key added to the anchored map': {
    input: lines('a: &s {x: 1}', 'b: *s'),
    change: (o) => (o.a = { ...o.a, y: 2 }),
    error: '/a is shared through the anchor &s with /b; write the value out in each place instead of the alias *s',
  },
  'a key added through the alias': {
    input: lines('a: &s {x: 1}', 'b: *s'),
    change: (o) => (o.b = { ...o.b, y: 2 }),
    error: '/b is shared through the anchor &s with /a; write the value out in each place instead of the alias *s',
  },
  'a key added to an anchored block map repeated twice': {
    input: lines('a: &s', '  x: 1', 'b: *s', 'c: {d: *s}'),
    change: (o) => (o.a = { ...o.a, y: 2 }),
    error: '/a is shared through the anchor &s with /b, /c/d; write the value out in each place instead of the alias *s',
  },
  'an anchored scalar replaced': {
    input: lines('a: &n 1', 'b: *n'),
    change: (o) => (o.a = 2),
    error: '/a is shared through the anchor &n with /b; write the value out in each place instead of the alias *n',
  },
  'a flow map re-rendered whole, with an anchor inside it': {
    input: lines('a: [m: &l {k: v}]', 'b: *l'),
    change: (o) => (o.a = [{ ...o.a[0], n: 'x' }]),
    error: '/a/0/m is shared through the anchor &l with /b; write the value out in each place instead of the alias *l',
  },
  'the source of a merge key edited': {
    input: lines('base: &b {x: 1}', 'c:', '  <<: *b', '  y: 2'),
    change: (o) => (o.base = { ...o.base, z: 3 }),
    error: '/base is shared through the anchor &b with /c/<<; write the value out in each place instead of the alias *b',
  },
};
for (const [name, c] of Object.entries(sharedEdits))
  test(`shared through an anchor, refused: ${name}`, () => {
    assert.throws(
      () => edit(c.input, c.change),
      (e: unknown) => e instanceof SharedValueError && e.message === c.error,
    );
  });

// A list item removed (drop-webhooks) that sets an anchor an alias outside the removed items repeats: the alias would be
// left without its value ("Unresolved alias"), or with an earlier anchor's of that name.
const sharedRemovals: Record<string, { input: string; remove: string[]; error?: string; expected?: string }> = {
  'the item that sets the anchor, its alias in another item': {
    input: lines('l:', '- {n: a, s: &s {k: v}}', '- {n: b, s: *s}', '- {n: c}'),
    remove: ['/l/0'],
    error:
      '/l/0/s sets the anchor &s that /l/1/s repeats through the alias *s; write the value out in each place instead ' +
      'of the alias *s, or remove that too',
  },
  'the item that sets the anchor again, an alias after it': {
    input: lines('l:', '- {n: a, s: &s 1}', '- {n: b, s: &s 2}', '- {n: c, s: *s}', 'm: *s'),
    remove: ['/l/1'],
    error:
      '/l/1/s sets the anchor &s that /l/2/s, /m repeat through the alias *s; write the value out in each place ' +
      'instead of the alias *s, or remove those too',
  },
  'the item with the anchor and the one with its alias, together': {
    input: lines('l:', '- {n: a, s: &s {k: v}}', '- {n: b, s: *s}', '- {n: c}'),
    remove: ['/l/0', '/l/1'],
    expected: lines('l:', '- {n: c}'),
  },
  'the item with the alias': {
    input: lines('l:', '- {n: a, s: &s {k: v}}', '- {n: b, s: *s}'),
    remove: ['/l/1'],
    expected: lines('l:', '- {n: a, s: &s {k: v}}'),
  },
};
for (const [name, c] of Object.entries(sharedRemovals))
  test(`removed with a shared anchor: ${name}`, () => {
    const value = readDocument(c.input).value as { l: unknown[] };
    const indexes = new Set(c.remove.map((p) => Number(p.split('/').pop())));
    const expected = { ...value, l: value.l.filter((_, i) => !indexes.has(i)) };
    if (c.expected !== undefined) return assert.fixture(removeItems(c.input, c.remove, expected), c.expected);
    assert.throws(
      () => removeItems(c.input, c.remove, expected),
      (e: unknown) => e instanceof SharedValueError && e.removing && e.message === c.error,
    );
  });

// A key a map has only through a merge key (`<<: *b`) has its text where the anchor is set, shared by every map that
// merges it: an edit inside it is refused, naming the anchor (it failed as "missing key"). A value replaced whole is
// written after the merge key, which it then overrides, as Go reads it.
const mergedEdits: Record<string, { input: string; change: (o: any) => void; error: string }> = {
  'a key inside a value the map has only through <<': {
    input: lines('base: &b {sel: {k: v}}', 'c:', '  <<: *b', '  n: 1'),
    change: (o) => (o.c.sel.z = 1),
    error:
      '/c/sel comes from the merge key << of the anchor &b (set at /base); write sel out in /c after its <<: *b ' +
      '(a key written there overrides the merged one)',
  },
  'of a list of merged maps, the first that has the key gives it': {
    input: lines('a: &a {x: 1}', 'b: &b {sel: {k: v}}', 'd: &d {sel: {k: w}}', 'c: {<<: [*a, *b, *d]}'),
    change: (o) => (o.c.sel.z = 1),
    error:
      '/c/sel comes from the merge key << of the anchor &b (set at /b); write sel out in /c after its <<: *b ' +
      '(a key written there overrides the merged one)',
  },
  'a map written after << itself': {
    input: lines('c: {<<: {sel: {k: v}}, n: 1}'),
    change: (o) => (o.c.sel.z = 1),
    error:
      '/c/sel comes from the map the merge key /c/<< holds; write sel out in /c after its << ' +
      '(a key written there overrides the merged one)',
  },
  'a key of its own that a merge key after it overrides': {
    input: lines('base: &b {x: 1}', 'c:', '  x: 0', '  <<: *b'),
    change: (o) => (o.c.x = 5),
    error:
      '/c/x comes from the merge key << of the anchor &b (set at /base); write x out in /c after its <<: *b ' +
      '(a key written there overrides the merged one)',
  },
};
for (const [name, c] of Object.entries(mergedEdits))
  test(`through a merge key, refused: ${name}`, () => {
    assert.throws(
      () => edit(c.input, c.change),
      (e: unknown) => e instanceof MergeKeyError && e.message === c.error,
    );
  });

const unsharedEdits: Record<string, { input: string; change: (o: any) => void; expected: string }> = {
  'a value the map has through << replaced: written after it': {
    input: lines('base: &b {x: 1, y: 2}', 'c:', '  <<: *b', '  n: 1'),
    change: (o) => (o.c.x = 5),
    expected: lines('base: &b {x: 1, y: 2}', 'c:', '  <<: *b', '  n: 1', '  x: 5'),
  },
  'an anchor no alias repeats': {
    input: lines('a: &s', '  x: 1', 'b: 2'),
    change: (o) => (o.a = { ...o.a, z: 2 }),
    expected: lines('a: &s', '  x: 1', '  z: 2', 'b: 2'),
  },
  'a key added beside an anchored value in a block map': {
    input: lines('a:', '  m: &l {k: v}', 'b: *l'),
    change: (o) => (o.a = { ...o.a, z: 1 }),
    expected: lines('a:', '  m: &l {k: v}', '  z: 1', 'b: *l'),
  },
  'a key added to a map that merges an anchored one': {
    input: lines('base: &b {x: 1}', 'c:', '  <<: *b', '  w: 2'),
    change: (o) => (o.c = { ...o.c, z: 3 }),
    expected: lines('base: &b {x: 1}', 'c:', '  <<: *b', '  w: 2', '  z: 3'),
  },
  'a key added to a flow map that holds an anchor another place repeats': {
    input: lines('a: {m: &l {k: v}}', 'b: *l'),
    change: (o) => (o.a = { ...o.a, z: 'x' }),
    expected: lines('a: {m: &l {k: v}, z: x}', 'b: *l'),
  },
  'a key added to a flow map that holds an alias': {
    input: lines('a: &s {x: 1}', 'b: {m: *s}'),
    change: (o) => (o.b = { ...o.b, z: 1 }),
    expected: lines('a: &s {x: 1}', 'b: {m: *s, z: 1}'),
  },
  'an alias inside a flow map re-rendered whole is written out': {
    input: lines('a: &s {x: 1}', 'b: [m: *s]'),
    change: (o) => (o.b = [{ ...o.b[0], z: 1 }]),
    expected: lines('a: &s {x: 1}', 'b: [{ m: { x: 1 }, z: 1 }]'),
  },
};
for (const [name, c] of Object.entries(unsharedEdits))
  test(`an anchor that shares nothing the edit changes: ${name}`, () => assert.fixture(edit(c.input, c.change), c.expected));

test('alias bombs are refused when read', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    bomb.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
        .fill('*' + String.fromCharCode(96 + i))
        .join(', ')}]`,
    );
  const r = readDocument(lines(...bomb));
  assert.is(r.value, undefined);
  assert.match(r.error!.message, /alias/i);
});

test('multi-line quoted scalars that only Go accepts are read (relaxed), with the strict error kept', () => {
  const text = lines('spec:', "  description: 'first line", "  second line'", '  type: string');
  const r = readDocument(text);
  assert.equal(r.value, { spec: { description: 'first line second line', type: 'string' } });
  assert.ok(r.relaxed);
  assert.ok(r.error && r.error.line >= 2);
  assert.is(relaxQuotedContinuations(lines('a: "x"', 'b: y')), lines('a: "x"', 'b: y'));
});

// Go ends a plain scalar at a colon only before white space: inside a flow collection `p:,` is the text `p:` to it.
const flowColons: Record<string, { input: string; error: { message: string; line: number; column: number } }> = {
  'a key with its colon right before a comma': {
    input: 'a: {p:, q: 1}\n',
    error: {
      message:
        'inside a flow collection Kubernetes takes the colon of `p:` (right before `,`) as part of the text `p:`, or ' +
        'refuses it, where YAML 1.2 reads the key `p`: put a space after the colon (`p: ,`)',
      line: 1,
      column: 6,
    },
  },
  'a key with a space, then its colon right before a closing brace': {
    input: 'a:\n  b: {p :}\n',
    error: {
      message:
        'inside a flow collection Kubernetes takes the colon of `p :` (right before `}`) as part of the text `p :`, or ' +
        'refuses it, where YAML 1.2 reads the key `p`: put a space after the colon (`p : }`)',
      line: 2,
      column: 9,
    },
  },
  'an item of a flow list, right before its closing bracket': {
    input: 'a: [x, b:]\n',
    error: {
      message:
        'inside a flow collection Kubernetes takes the colon of `b:` (right before `]`) as part of the text `b:`, or ' +
        'refuses it, where YAML 1.2 reads the key `b`: put a space after the colon (`b: ]`)',
      line: 1,
      column: 9,
    },
  },
  'a key right before a flow list (Go refuses it)': {
    input: '{p:[1]}\n',
    error: {
      message:
        'inside a flow collection Kubernetes takes the colon of `p:` (right before `[`) as part of the text `p:`, or ' +
        'refuses it, where YAML 1.2 reads the key `p`: put a space after the colon (`p: [`)',
      line: 1,
      column: 3,
    },
  },
};
for (const [name, c] of Object.entries(flowColons))
  test(`refused, as Go reads it otherwise: ${name}`, () => {
    assert.equal(readDocument(c.input), { error: c.error });
  });

test('read as Go reads them: a quoted key before a comma, a space after the colon, a colon inside a plain key', () => {
  assert.equal(readDocument('a: {"p":, q: 1}\n'), { value: { a: { p: null, q: 1 } } });
  assert.equal(readDocument('a: {p: , q: 1}\n'), { value: { a: { p: null, q: 1 } } });
  assert.equal(readDocument('a: {p:#c\n  }\n'), { value: { a: { 'p:#c': null } } });
  assert.equal(readDocument('a: {h:p: 1}\n'), { value: { a: { 'h:p': 1 } } });
});

test('unreadable YAML comes back as an error with a position', () => {
  const r = readDocument(lines('a: [1, 2', 'b: 3'));
  assert.is(r.value, undefined);
  assert.ok(r.error!.line >= 1 && r.error!.column >= 1);
});

test('cloneValue copies what YAML reads, shares nothing that can change, and leaves other values to structuredClone', () => {
  const own = JSON.parse('{"__proto__": {"x": 1}, "a": [1]}') as Record<string, unknown>;
  const date = new Date(0);
  const value = { a: [1, { b: null, c: 'x' }, [true, -0]], d: {}, own, date };
  const copy = cloneValue(value);
  assert.equal(JSON.stringify(copy), JSON.stringify(value));
  assert.ok(copy !== value && copy.a !== value.a && copy.a[1] !== value.a[1] && copy.d !== value.d);
  assert.ok(Object.hasOwn(copy.own, '__proto__') && copy.own !== own, 'an own __proto__ key stays a key');
  assert.ok(copy.date instanceof Date && copy.date !== date);
  (copy.a[1] as { c: string }).c = 'changed';
  assert.is((value.a[1] as { c: string }).c, 'x');
  assert.is(cloneValue('s'), 's');
  assert.is(cloneValue(null), null);
});

// A value with a key set through defineProperty, as a reader may give `__proto__`.
const protoKey = (): Record<string, unknown> =>
  Object.defineProperty({ a: 1 }, '__proto__', { value: { b: 1 }, enumerable: true });
const shares: Array<[string, unknown, unknown]> = [
  ['equal', { a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }],
  ['a scalar changed deep down', { a: { b: { c: 1, d: [1, 2] }, e: 'x' } }, { a: { b: { c: 2, d: [1, 2] }, e: 'x' } }],
  ['a key added', { a: { b: 1 } }, { a: { b: 1, c: { d: [1] } } }],
  ['a key removed', { a: { b: 1, c: 2 } }, { a: { b: 1 } }],
  ['a key set to undefined', { a: { b: 1 } }, { a: { b: undefined } }],
  ['a key added as undefined', { a: {} }, { a: { b: undefined } }],
  ['a list grown', { a: [{ b: 1 }] }, { a: [{ b: 1 }, { b: 2 }] }],
  ['a list shrunk', { a: [{ b: 1 }, { b: 2 }] }, { a: [{ b: 1 }] }],
  ['a list item changed', { a: [{ b: 1 }, { b: 2 }, { b: 3 }] }, { a: [{ b: 1 }, { b: 9 }, { b: 3 }] }],
  ['a map become a list', { a: { b: 1 } }, { a: [1] }],
  ['an object become a scalar', { a: { b: 1 } }, { a: null }],
  ['NaN left as it is', { a: NaN, b: 1 }, { a: NaN, b: 2 }],
  ['keys in another order', { a: 1, b: { c: 1, d: 2 } }, { b: { d: 2, c: 1 }, a: 1 }],
  ['-0 and 0', { a: -0 }, { a: 0 }],
  ['a __proto__ key', { x: protoKey() }, { x: protoKey(), y: 1 }],
];
for (const [what, before, after] of shares)
  test(`shareUnchanged: fast-json-patch gives the same operations (${what})`, () => {
    const snapshot = JSON.stringify([before, after]);
    const shared = shareUnchanged(before, after);
    assert.equal(fjp.compare(before as object, shared as object), fjp.compare(before as object, after as object));
    assert.is(JSON.stringify([before, after]), snapshot, 'neither value changed');
  });
test("shareUnchanged: the unchanged parts stay the first value's own, the objects on the way to a change are new", () => {
  const before = { a: { b: [1] }, c: { d: 1, e: { f: 1 } } };
  const after = { a: { b: [1] }, c: { d: 2, e: { f: 1 } } };
  const shared = shareUnchanged(before, after) as typeof after;
  assert.ok(shared.a === before.a && shared.c.e === before.c.e);
  assert.ok(shared.c !== before.c && shared.c !== after.c);
  assert.equal(shared, after);
  assert.ok(shareUnchanged(before, cloneValue(before)) === before);
});
needsCorpus(test, 'shareUnchanged: the same operations for every document the transforms edit in the corpus', [], () => {
  let edited = 0;
  for (const file of corpusFiles('shareUnchanged')) {
    const model = Model.read(splitStream(readFileSync(file, 'utf8')));
    applyTransforms(model, resolveConfig(undefined));
    for (const doc of model.docs) {
      if (doc.original === undefined || doc.working === undefined || doc.addedBy) continue;
      const [before, after] = [doc.original as object, doc.working as object];
      const ops = fjp.compare(before, after);
      if (ops.length) edited++;
      assert.equal(
        fjp.compare(before, shareUnchanged(before, after) as object),
        ops,
        `${file} document ${doc.segment.index + 1}`,
      );
    }
  }
  assert.ok(edited > 20, `${edited} documents edited`);
});

test.run();
