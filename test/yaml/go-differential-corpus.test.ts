// The differential test on every corpus file (real rendered charts), through the built binary: none may be refused.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as assert from 'uvu/assert';
import { oracleMissing } from '../support/go-oracle.js';
import { corpusFiles, gatedSuite } from '../support/helpers.js';
import { judgeAll, runAll, type Judged } from '../support/differential.js';

const missing = oracleMissing();
const corpus = gatedSuite('go-differential: corpus', missing);
const files = corpusFiles('go-differential', corpus);
if (files.length) {
  let results: Judged[] = [];
  corpus.before(async () => {
    const inputs = files.map((f) => readFileSync(f));
    results = judgeAll(inputs, await runAll(inputs));
  });
  files.forEach((f, i) => {
    corpus(basename(f), () => {
      const { outcome, problems } = results[i];
      assert.is(outcome.exit, 0, outcome.stderr);
      assert.equal(problems, [], problems.join('\n'));
    });
  });
}
corpus.run();
