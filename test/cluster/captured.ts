// The real API server's answers in the examples' READMEs: written by the cluster tests, never typed by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { ROOT } from '../support/helpers.js';

/** UPDATE is set when the tests should rewrite the README blocks instead of comparing them. */
const UPDATE = process.env.UPDATE_EXAMPLES === '1';

/**
 * normalise replaces what changes from run to run by a stable placeholder: the random suffix the replicaset
 * controller gives a pod, the test network's addresses and the API server's port.
 */
export function normalise(text: string): string {
  return text
    .replace(/\b(pod\/[a-z0-9-]+?-)[a-z0-9]{5}\b/g, '$1<random>')
    .replace(/\b10\.254\.\d{1,3}\.\d{1,3}\b/g, '<pod-ip>')
    .replace(/\b127\.0\.0\.1:\d+\b/g, '127.0.0.1:<port>');
}

/**
 * captured puts `text` (a session: commands and what the server said) into the README of `example`, between
 * `<!-- captured: NAME -->` and `<!-- /captured: NAME -->` (an empty `example`: the project's README). With UPDATE_EXAMPLES=1 it
 * writes the block; otherwise it
 * asserts that the block holds exactly what the server said in this run.
 */
export function captured(example: string, name: string, text: string): void {
  // An empty example is the project's own README.
  const file = example ? join(ROOT, 'examples', example, 'README.md') : join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const open = `<!-- captured: ${name} -->\n`;
  const close = `<!-- /captured: ${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  const block = '```console\n' + normalise(text).trimEnd() + '\n```\n';
  if (start < 0 || end < start) assert.unreachable(`${file} has no block ${open.trim()} … ${close}: add one, empty`);
  if (UPDATE) writeFileSync(file, readme.slice(0, start + open.length) + block + readme.slice(end));
  else
    assert.fixture(
      readme.slice(start + open.length, end),
      block,
      `${file}: block ${name} differs from what the tests saw ` + '(UPDATE_EXAMPLES=1 npm run cluster-tests rewrites it)',
    );
}
