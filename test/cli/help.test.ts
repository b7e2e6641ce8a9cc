// --help per command matches the parser and the README: every flag a command parses is in its --help and in the README.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FLAGS } from '../../src/cli/flags.js';
import { DUMP } from '../../src/cli/inputs.js';
import { cli, ROOT } from '../support/helpers.js';

const test = suite('cli: --help and the README');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

// Flags for the program itself rather than users' work: --help is everywhere, --stack prints stack traces for bugs.
const INTERNAL = ['help', 'stack'];

for (const [command, args] of [
  ['harden', ['--help']],
  ['check', ['check', '--help']],
  ['unblock', ['unblock', '--help']],
] as const)
  test(`${command}: every flag it parses is in its --help and in the README`, () => {
    const help = cli([...args]);
    assert.is(help.status, 0, help.stderr);
    const flags = [...FLAGS[command].string, ...FLAGS[command].boolean].filter((f) => !INTERNAL.includes(f));
    assert.equal(
      flags.filter((f) => !help.stdout.includes(`--${f}`)),
      [],
      'missing from --help',
    );
    assert.equal(
      flags.filter((f) => !readme.includes(`--${f}`)),
      [],
      'missing from the README',
    );
  });

// The dump command is one text: both --help outputs and the README show it as written (the cluster tests run it).
test('the live-cluster dump: check --help, unblock --help and the README give the one command, line by line', () => {
  for (const command of ['check', 'unblock']) {
    const help = cli([command, '--help']);
    assert.ok(help.stdout.includes(DUMP.replace(/^/gm, '  ')), `${command} --help lacks the dump command`);
  }
  assert.is(readme.split(DUMP).length - 1, 2, 'the README shows the dump command in check and in unblock');
  assert.not.match(DUMP, /\\\n/, 'no backslash continuation: pasted indented, it would split the type list');
});

test('sarif with --stdin-name: stdin gets a path a code-scanning upload accepts', () => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kyverno, namespace: kyverno}\ndata:\n  webhooks: "{}"\n';
  const r = cli(['check', '-o', 'sarif', '--stdin-name', 'charts/kyverno/rendered.yaml', '-'], text);
  assert.is(r.status, 0, r.stderr);
  const uri = JSON.parse(r.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
  assert.is(uri, 'charts/kyverno/rendered.yaml');
});

test.run();
