// The stream: splitting keeps every byte, kinds are sniffed without parsing, bad bytes are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { STREAMS } from '../support/streams.js';
import { decodeInput, hasContent, sniffKind, splitStream } from '../../src/yaml/stream.js';

const join = (text: string): string =>
  splitStream(text)
    .map((s) => s.text)
    .join('');

const streams = STREAMS;

for (const [name, text] of Object.entries(streams)) {
  test(`split/join is byte-identical: ${name}`, () => {
    assert.is(join(text), text);
  });
}

test('segments start at markers and count lines', () => {
  const segs = splitStream('kind: A\n---\nkind: B\n# c\n---\nkind: C\n');
  assert.equal(
    segs.map((s) => [s.index, s.line, s.text]),
    [
      [0, 1, 'kind: A\n'],
      [1, 2, '---\nkind: B\n# c\n'],
      [2, 5, '---\nkind: C\n'],
    ],
  );
});

test('an end marker closes its document; what follows until the next marker is its own segment', () => {
  const segs = splitStream('kind: A\n...\n# note\n---\nkind: B\n');
  assert.equal(
    segs.map((s) => s.text),
    ['kind: A\n...\n', '# note\n', '---\nkind: B\n'],
  );
});

test('sniffKind reads the top-level kind, quoted or with a comment, and refuses ambiguity', () => {
  assert.is(sniffKind('apiVersion: v1\nkind: Service\n'), 'Service');
  assert.is(sniffKind("kind: 'Deployment'  # x\n"), 'Deployment');
  assert.is(sniffKind('kind: "List"\r\n'), 'List');
  assert.is(sniffKind('metadata:\n  kind: Nested\n'), undefined);
  assert.is(sniffKind('kind: A\nkind: B\n'), undefined);
  assert.is(sniffKind('{"kind": "Service"}'), undefined);
});

test('hasContent sees through markers, comments and blank lines', () => {
  assert.not.ok(hasContent('---\n# Source: x.yaml\n\n'));
  assert.not.ok(hasContent('--- # c\n...\n'));
  assert.ok(hasContent('--- |\n  text\n'));
  assert.ok(hasContent('foo: bar\n'));
});

test('decodeInput refuses invalid UTF-8 and NUL bytes with a position', () => {
  assert.is(decodeInput(Buffer.from('kind: A\n')), 'kind: A\n');
  assert.throws(() => decodeInput(Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0x0a])), /not valid UTF-8 \(byte 3, line 1, column 4\)/);
  assert.throws(() => decodeInput(Buffer.from('a: 1\nb: \0\n')), /NUL byte at line 2, column 4/);
});

test.run();
