// The differential test: webhook-guard's output as Go reads it, against the input as Go reads it (issue 11).
import * as assert from 'uvu/assert';
import { generateStream, mutate, Rng } from '../../scripts/fuzz.js';
import { judgeAll, runAll, type Judged, type Outcome } from '../support/differential.js';
import { oracleMissing } from '../support/go-oracle.js';
import { gatedSuite, runMain } from '../support/helpers.js';
import { HOSTILE } from './hostile-cases.js';

const missing = oracleMissing();

// Hand-written hostile cases, each through the built binary.
const hostile = gatedSuite('go-differential: hostile cases', missing);
const names = Object.keys(HOSTILE);
let judged: Judged[] = [];
hostile.before(async () => {
  const inputs = names.map((n) => HOSTILE[n].input);
  judged = judgeAll(inputs, await runAll(inputs));
});
names.forEach((name, i) => {
  hostile(name, () => {
    const { outcome, problems } = judged[i];
    if (HOSTILE[name].accept && outcome.exit !== 0) problems.push(`valid input refused: ${outcome.stderr.trim()}`);
    assert.equal(problems, [], problems.join('\n'));
  });
});
hostile.run();

// Generated streams (the fuzzer's generator, a fixed seed), a sixth of them damaged, run in-process.
const GENERATED = 300;
const generated = gatedSuite('go-differential: generated streams', missing);
generated(`${GENERATED} generated streams: refused, or read by Go as the input plus the reported edits, hardened`, async () => {
  const inputs: Buffer[] = [];
  for (let i = 0; i < GENERATED; i++) {
    const rng = new Rng(11_000 + i);
    const text = generateStream(rng, `S3CRET-${i}`);
    inputs.push(i % 6 === 5 ? mutate(rng, text).bytes : Buffer.from(text, 'utf8'));
  }
  const outcomes: Outcome[] = [];
  for (const input of inputs) outcomes.push(await runMain(input, ['--report', 'json']));
  const failed = judgeAll(inputs, outcomes)
    .map((j, i) => ({ i, ...j }))
    .filter((j) => j.problems.length);
  const text = failed.map((f) => `- seed ${11_000 + f.i}:\n    ${f.problems.join('\n    ')}`).join('\n');
  assert.is(failed.length, 0, `${failed.length} of ${GENERATED} generated streams break the rule:\n${text}`);
  // Most generated streams must be hardened, not refused: a reader that refused everything would pass the rule.
  const refused = outcomes.filter((o) => o.exit !== 0).length;
  assert.ok(refused < GENERATED / 3, `${refused} of ${GENERATED} generated streams refused`);
});
generated.run();
