// Helm 4's terminal copy of stderr: the same text as stderr, with a chart's control characters escaped.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { teeToTerminal } from '../../src/hosts/helm4.js';
import { escapeControls } from '../../src/text.js';

const test = suite('hosts: Helm 4 terminal copy');
const dir = mkdtempSync(join(tmpdir(), 'wg-tty-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('escapeControls: ESC, BEL, CR, DEL, C1 and the Unicode line separators escaped; line feed and tab kept', () => {
  assert.is(escapeControls('a\x1b[2J\x07\r\x7f\x85\u2028\u2029\tz\n'), 'a\\x1b[2J\\x07\\x0d\\x7f\\x85\\u2028\\u2029\tz\n');
});

test('the terminal gets the escaped text; stderr gets what it was given', () => {
  const tty = join(dir, 'tty');
  writeFileSync(tty, '');
  const seen: string[] = [];
  const write = teeToTerminal((t) => seen.push(t), tty);
  write('webhook evil\x1b]0;x\x07.example.com\n');
  assert.equal(seen, ['webhook evil\x1b]0;x\x07.example.com\n']);
  assert.is(readFileSync(tty, 'utf8'), 'webhook evil\\x1b]0;x\\x07.example.com\n');
});

test('no terminal: stderr alone, no error', () => {
  const seen: string[] = [];
  const write = teeToTerminal((t) => seen.push(t), join(dir, 'missing', 'tty'));
  write('one\n');
  write('two\n');
  assert.equal(seen, ['one\n', 'two\n']);
});

test.run();
