// A fixed-seed batch of the fuzzer's cases (scripts/fuzz.ts): generated and damaged streams keep every invariant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng, corpusYaml, generateStream, mutate, runGuarded } from '../../scripts/fuzz.js';
import { splitStream } from '../../src/yaml/stream.js';

test('the generator is deterministic and writes what it promises', () => {
  const a = generateStream(new Rng(7));
  assert.is(generateStream(new Rng(7)), a);
  assert.is.not(generateStream(new Rng(8)), a);
  // Over a few seeds the streams hold the features the issue lists.
  const many = Array.from({ length: 40 }, (_, i) => generateStream(new Rng(i))).join('\n');
  for (const feature of [
    /^\s*#/m,
    /&a\d+ /,
    /\*a\d+/,
    /: \|-?\n/,
    /^\s+---$/m,
    /\r\n/,
    /\ufeff/,
    /^\.\.\.$/m,
    /kind: List/,
    /kind: Widget/,
    /\t/,
  ]) {
    assert.match(many, feature);
  }
  assert.ok(splitStream(a).length > 3);
});

test('mutations damage the bytes and say how', () => {
  const text = 'kind: A\nb: c\n---\nkind: D\n';
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const m = mutate(new Rng(i), text);
    m.what.forEach((w) => seen.add(w));
  }
  assert.equal([...seen].sort(), ['delete', 'duplicate', 'flip', 'indent', 'marker', 'nul', 'swap', 'tab', 'truncate']);
});

test('a fixed-seed batch keeps every invariant, with a harness timeout that only catches hangs', async () => {
  if (!corpusYaml().length) console.log('  (fuzz: corpus absent, generated streams only)');
  const s = await runGuarded({ seed: 20251123, generated: 60, mutated: 60, spawnEvery: 30 }, 60_000);
  console.log(
    `  (fuzz: ${s.cases} cases, ${s.spawned} through the binary, ${s.exit0} exit 0, ${s.exit1} ` +
      `exit 1, fast reader on ${s.fastReads} documents, fast editor on ${s.fastEdits} edits)`,
  );
  const report = s.failures.map((f) => `case ${f.index} (${f.what}): ${f.problems.join('; ')}`).join('\n');
  assert.is(s.failures.length, 0, report);
  // Both outcomes occur, so the batch exercises success and refusal.
  assert.ok(s.exit0 > 0 && s.exit1 > 0);
});

test.run();
