// The bundled examples run as tests: input plus config gives expected.yaml byte for byte.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/cli/main.js';
import { transformStream } from '../../src/pipeline/pipeline.js';
import { ROOT } from '../support/helpers.js';

const dir = join(ROOT, 'examples');
const examples = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'expected.yaml')));

test('there are the four seed scenarios', () => {
  for (const name of [
    'openkruise-precreated-namespace',
    'capsule-single-replica',
    'kueue-lws-shared-namespace',
    'kops-pod-identity-webhook',
  ]) {
    assert.ok(examples.includes(name), name);
  }
});

for (const name of examples) {
  test(`example ${name}`, async () => {
    const cfg = await loadConfig(join(dir, name, 'config.yaml'), {});
    const input = readFileSync(join(dir, name, 'input.yaml'), 'utf8');
    const out = transformStream(input, cfg).output;
    assert.fixture(out, readFileSync(join(dir, name, 'expected.yaml'), 'utf8'));
    assert.ok(out !== input, 'the example shows a change');
    assert.is(transformStream(out, cfg).output, out);
  });
}

test.run();
