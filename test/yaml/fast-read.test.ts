// The fast reader: what it reads must equal what `yaml` reads, and everything else it must leave to `yaml`.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readDocument, readWithYaml } from '../../src/yaml/document.js';
import { fastParse, fastRead } from '../../src/yaml/fast-read.js';
import { splitStream } from '../../src/yaml/stream.js';
import { corpusFiles, lines } from '../support/helpers.js';

const reads = suite('fast-read: reads the block subset as yaml does');

const read: Record<string, { input: string; value: unknown }> = {
  'a Helm document with comments': {
    input: lines(
      '---',
      '# Source: chart/templates/svc.yaml',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: web  # trailing',
      '    # odd comment',
      '  labels:',
      '    app.kubernetes.io/name: web',
      'spec:',
      '  ports:',
      '  - port: 443',
      '    targetPort: 9443',
      '  selector: {}',
    ),
    value: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
      spec: { ports: [{ port: 443, targetPort: 9443 }], selector: {} },
    },
  },
  'YAML 1.1 booleans and nulls': {
    input: lines('a: yes', 'b: Off', 'c: y', 'd: N', 'e: TRUE', 'f: ~', 'g: null', 'h:', 'i: NULL', 'j: nope'),
    value: { a: true, b: false, c: true, d: false, e: true, f: null, g: null, h: null, i: null, j: 'nope' },
  },
  'numbers, octal modes and number-like strings': {
    input: lines(
      'a: 0',
      'b: -12',
      'c: 0644',
      'd: 512Mi',
      'e: 100%',
      'f: 3.9.0',
      'g: 2001-12-14',
      'h: 5bceeca3',
      'i: 0.0.0.0',
      'j: -foo',
      'k: 123456789012345',
    ),
    value: {
      a: 0,
      b: -12,
      c: 420,
      d: '512Mi',
      e: '100%',
      f: '3.9.0',
      g: '2001-12-14',
      h: '5bceeca3',
      i: '0.0.0.0',
      j: '-foo',
      k: 123456789012345,
    },
  },
  'quoted scalars and keys': {
    input: lines(`a: 'it''s # not a comment'`, 'b: "tab\\there \\"q\\" \\\\ \\/"  # c', `"quoted key": 'on'`, `'x y': ""`),
    value: { a: "it's # not a comment", b: 'tab\there "q" \\ /', 'quoted key': 'on', 'x y': '' },
  },
  'plain scalars with colons, hashes and brackets inside': {
    input: lines('url: http://x:80/a#b', 'expr: a[0]{1},2', 'img: repo/img:v1.2 # tag'),
    value: { url: 'http://x:80/a#b', expr: 'a[0]{1},2', img: 'repo/img:v1.2' },
  },
  'folded block scalars, clipped and stripped, with empty lines and comments': {
    input: lines(
      'a: >',
      '  request.operation != "UPDATE" ||',
      '  !has(oldObject.status.phase) ||',
      '  oldObject.status.phase != "Bound"',
      'b: >-',
      '  [*/*,kyverno,*]',
      '  [Event,*,*]',
      '',
      '  [Node,*,*]',
      '',
      '',
      '  # not a comment',
      '',
      'c: >  # comment',
      '',
      '  after an empty line',
      '  ---',
      'd:',
      '- >-',
      '    item',
      '    two',
      'e: >',
      '  has(object.metadata.labels) &&',
      '  (',
      '    "a" in object.metadata.labels ||',
      '',
      '    "b" in object.metadata.labels',
      '  )',
      '',
      '  end',
      'f: >-',
      '',
      '  flat',
      '    deeper',
      '  flat again',
    ),
    value: {
      a: 'request.operation != "UPDATE" || !has(oldObject.status.phase) || oldObject.status.phase != "Bound"\n',
      b: '[*/*,kyverno,*] [Event,*,*]\n[Node,*,*]\n\n# not a comment',
      c: '\nafter an empty line ---\n',
      d: ['item two'],
      e: 'has(object.metadata.labels) && (\n  "a" in object.metadata.labels ||\n\n  "b" in object.metadata.labels\n)\nend\n',
      f: '\nflat\n  deeper\nflat again',
    },
  },
  // A literal whose lines hold its indentation or nothing is cut from the text whole; the others line by line.
  'literal block scalars: empty lines, deeper lines, empty lines holding spaces, at the end of the text': {
    input: lines(
      'a: |',
      '    one',
      '',
      '      deeper',
      '    two',
      'b: |-',
      '    one',
      '  ',
      '    two',
      'c: |',
      '  x',
      '  ',
      'd: |-',
      '  last, with no line break after it',
    ).replace(/\n$/, ''),
    value: {
      a: 'one\n\n  deeper\ntwo\n',
      b: 'one\n\ntwo',
      c: 'x\n',
      d: 'last, with no line break after it',
    },
  },
  'literal block scalars in a text with carriage returns': {
    input: 'a: |\r\n  one\r\n\r\n    two\r\nb: |-\r\n  x\r\n',
    value: { a: 'one\n\n  two\n', b: 'x' },
  },
  'a literal block scalar ending the text without a line break, clipped': {
    input: 'a: |\n  one\n  two',
    value: { a: 'one\ntwo\n' },
  },
  'literal block scalars, clipped and stripped': {
    input: lines(
      'a: |',
      '',
      '  line 1',
      '    deeper # not a comment',
      '',
      '  ---',
      '  last',
      '',
      '',
      'b: |-',
      '  x',
      '',
      'c: |  # comment',
      '  y',
      '# after',
      'd: 1',
    ),
    value: { a: '\nline 1\n  deeper # not a comment\n\n---\nlast\n', b: 'x', c: 'y\n', d: 1 },
  },
  'block scalars with an indentation indicator (Helm toYaml of text starting with a blank line or spaces)': {
    input: lines(
      'data:',
      '  config.yaml: |2',
      '',
      '    apiVersion: v1',
      '    kind: Configuration',
      'a: |2',
      '    two spaces kept',
      '  none',
      'b: |-2',
      '   one space, stripped',
      'c: >2-',
      '   deeper',
      '  folded',
      '  line',
    ),
    value: {
      data: { 'config.yaml': '\napiVersion: v1\nkind: Configuration\n' },
      a: '  two spaces kept\nnone\n',
      b: ' one space, stripped',
      c: ' deeper\nfolded line',
    },
  },
  'plain scalars that start with ?, : or - and a non-space': {
    input: lines('a: :8081', 'b: -x', 'c: ?q', 'd: -1'),
    value: { a: ':8081', b: '-x', c: '?q', d: -1 },
  },
  'block scalars in lists and compact maps': {
    input: lines('args:', '- |', '  one', '- name: x', '  script: |-', '    echo hi', '- plain'),
    value: { args: ['one\n', { name: 'x', script: 'echo hi' }, 'plain'] },
  },
  'indented and indentless lists; null items': {
    input: lines('a:', '  - 1', '  - two', 'b:', '- x', '-', '- # nothing', 'c: end'),
    value: { a: [1, 'two'], b: ['x', null, null], c: 'end' },
  },
  'nested lists through empty items, and compact maps': {
    input: lines('a:', '-', '  - x', '  - w', '-', '- k: v', '  l:', '  - z', '  m:', '    o: 1', 'b: 2'),
    value: { a: [['x', 'w'], null, { k: 'v', l: ['z'], m: { o: 1 } }], b: 2 },
  },
  'flow sequences of scalars, and empty flow collections on the next line': {
    input: lines(
      'a: ["v1", "v1beta1"]',
      "b: [ 'NET_BIND_SERVICE' ]  # caps",
      'c: [x, 1, yes]',
      'd:',
      '  {}',
      'e:',
      '  []',
      'f: [ ]',
    ),
    value: { a: ['v1', 'v1beta1'], b: ['NET_BIND_SERVICE'], c: ['x', 1, true], d: {}, e: [], f: [] },
  },
  'CRLF line breaks': {
    input: '---\r\nkind: A\r\nlist:\r\n- a\r\ntext: |\r\n  x\r\n  y\r\n',
    value: { kind: 'A', list: ['a'], text: 'x\ny\n' },
  },
  'hashes and colons along a document: in values, in comments, in later lines (the searches are remembered)': {
    input: lines(
      'a: x#y # one',
      'b: "q # not" # two',
      '# a whole line',
      'c:',
      '  - p:q',
      '  - r: s#t',
      '    u: v:w # three',
      'd: |',
      '  text # kept: all of it',
      'e: f',
    ),
    value: { a: 'x#y', b: 'q # not', c: ['p:q', { r: 's#t', u: 'v:w' }], d: 'text # kept: all of it\n', e: 'f' },
  },
  'hashes in values of many lines, and a comment on the last (each line searched for its own comment only)': {
    input: lines('a: https://x/#one', 'b: https://x/#two', 'c:', '- https://x/#three', 'd: e # comment'),
    value: { a: 'https://x/#one', b: 'https://x/#two', c: ['https://x/#three'], d: 'e' },
  },
  'keys named like members of every object': {
    input: lines('constructor: a', 'toString: b', 'hasOwnProperty: c'),
    value: { constructor: 'a', toString: 'b', hasOwnProperty: 'c' },
  },
  'a --- line with a comment, and no final line break': {
    input: '--- # doc\nkind: A\nname: b',
    value: { kind: 'A', name: 'b' },
  },
};
for (const [name, c] of Object.entries(read)) {
  reads(name, () => {
    const fast = fastRead(c.input);
    assert.ok(fast, 'fastRead gave up');
    assert.equal(fast!.value, c.value);
    const slow = readWithYaml(c.input);
    assert.is(slow.error, undefined);
    assert.equal(fast!.value, slow.value, 'yaml reads it differently');
  });
}
reads.run();

const leaves = suite('fast-read: leaves everything else to yaml');

const left: Record<string, string> = {
  'anchors and aliases': lines('a: &x 1', 'b: *x'),
  tags: lines('a: !!str 1'),
  'folded block scalar with trailing white space': lines('a: >', '  x ', '  y'),
  'folded keep chomping': lines('a: >+', '  x', ''),
  'keep chomping': lines('a: |+', '  x', ''),
  'indentation indicator on a list item': lines('a:', '- |2', '    x'),
  'indentation indicator deeper than the text': lines('a: |4', '  x'),
  'two indentation indicators': lines('a: |2-2', '  x'),
  'multi-line plain scalar': lines('a: one', '  two'),
  'multi-line quoted scalar': lines('a: "one', '  two"'),
  tab: 'a:\tb\n',
  'byte order mark': '\ufeffa: b\n',
  'lone carriage return': 'a: b\rc: d\n',
  'next line character': 'a: b\u0085c\n',
  'duplicate keys': lines('a: 1', 'a: 2'),
  'duplicate keys in a nested map': lines('a:', '  b: 1', '  c: 2', '  b: 3'),
  'duplicate keys in a compact map': lines('a:', '- b: 1', '  b: 2'),
  'duplicate keys named like a member of every object': lines('toString: 1', 'toString: 2'),
  'a hash in a key': lines('a#b: c'),
  'merge key': lines('a: {}', '<<: {}'),
  'explicit key': lines('? a', ': b'),
  'sequence on the key line': lines('a: - b'),
  'nested compact list': lines('a:', '- - b'),
  'top-level list': lines('- a'),
  'top-level scalar': lines('just text'),
  'indented top level': lines('  a: b'),
  'flow map with content': lines('a: {b: c}'),
  'flow sequence with a nested collection': lines('a: [[b]]'),
  'flow sequence over two lines': lines('a: [b,', '  c]'),
  float: lines('a: 1.5'),
  hex: lines('a: 0x1F'),
  'underscore int': lines('a: 1_000'),
  'plus sign': lines('a: +1'),
  infinity: lines('a: .inf'),
  'base 60': lines('a: 12:30'),
  'boolean key': lines('on: push'),
  'integer key': lines('1: x'),
  'prototype key': lines('__proto__: x'),
  directive: lines('%YAML 1.1', '---', 'a: b'),
  'two documents': lines('a: b', '---', 'c: d'),
  'end marker': lines('a: b', '...'),
  'a key longer than 1024 characters': `${'k'.repeat(1025)}: v\n`,
  'a mapping inside a plain value': lines('a: b: c'),
  'a colon and a space as a value': lines('a: : b'),
  'text after a quoted scalar': lines('a: "b" c'),
  'unknown escape': lines('a: "\\x41"'),
  'key with trailing blanks': lines('a : b'),
  'under-indented key (invalid)': lines('a:', '    b: 1', '  c: 2'),
  'over-indented key (invalid)': lines('a: 1', ' b: 2'),
  'block scalar whose text is not indented': lines('a: |', 'b: 1'),
  'block scalar with a more-indented leading blank line': lines('a: |', '      ', '  x'),
  'block scalar with blanks beyond its indentation': lines('a: |', '  x', '     ', '  y'),
  'empty document': lines('---', '# only a comment'),
};

left['duplicate keys in a map of more than eight'] = lines(...'abcdefghij'.split('').map((k) => `${k}: 1`), 'e: 2');
left['duplicate keys in a compact map of more than eight'] = lines(
  'a:',
  ...'bcdefghijk'.split('').map((k, i) => `${i ? ' ' : '-'} ${k}: 1`),
  '  c: 2',
);

for (const [name, input] of Object.entries(left)) {
  leaves(name, () => {
    assert.is(fastRead(input), undefined);
    // The editor's read makes no value, and gives up all the same.
    assert.is(fastParse(input), undefined);
  });
}
leaves.run();

// Documents up to 100 KB: every modelled document is far smaller, and yaml needs seconds for the big
// CRDs (`npm run fuzz` compares every corpus document first).
const corpus = suite('fast-read: agrees with yaml on every corpus document up to 100 KB');
const files = corpusFiles('fast-read corpus', corpus);
for (const file of files) {
  corpus(file.split('/').pop()!, () => {
    for (const seg of splitStream(readFileSync(file, 'utf8'))) {
      if (seg.text.length > 100_000) continue;
      const fast = fastRead(seg.text);
      assert.is(
        fastParse(seg.text) === undefined,
        fast === undefined,
        `document ${seg.index + 1}: fastParse and fastRead differ`,
      );
      if (!fast) continue;
      const slow = readWithYaml(seg.text);
      assert.is(slow.error, undefined, `document ${seg.index + 1}: fast-read accepted what yaml rejects`);
      assert.equal(fast.value, slow.value, `document ${seg.index + 1} (line ${seg.line}) reads differently`);
      assert.equal(readDocument(seg.text), { value: slow.value }, `document ${seg.index + 1}: readDocument differs from yaml`);
    }
  });
}
corpus.run();

// Keys are kept between reads by length and first and last character: keys alike in those, read one after the other,
// in any order, are each read as themselves, and one that is no string to yaml (`yes`, `1e3`) is never taken as one.
const keys = suite('fast-read: keys read before are taken only for themselves');
keys('keys alike in length and ends, in both orders, across documents', () => {
  const alike = ['abc', 'axc', 'a-c', 'a.c', 'yes', 'yxs', 'y_s', '1e3', '1x3', 'namespace', 'nameplace', 'nXXXXXXXe'];
  for (const order of [alike, [...alike].reverse()]) {
    for (const key of order) {
      const input = lines('kind: A', `${key}: v`, 'spec:', `  ${key}: w`);
      const slow = readWithYaml(input);
      const fast = fastRead(input);
      if (fast === undefined) {
        assert.ok(['yes', '1e3'].includes(key), `gave up on ${key}`);
        continue;
      }
      assert.ok(!['yes', '1e3'].includes(key), `read ${key} as a string key`);
      assert.equal(fast.value, slow.value, key);
      assert.equal(Object.keys(fast.value as object), ['kind', key, 'spec'], key);
    }
  }
});
keys.run();
