// Shell completion: each script, loaded into the real shell (bash, zsh, fish), completes commands, flags and values.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CI, cli, debianTool } from '../support/helpers.js';

const test = suite('cli: completion');

// The cases every shell must complete alike: what is typed, and the candidates.
const CASES: Array<[string, string[]]> = [
  ['ch', ['check']],
  ['--con', ['--config']],
  ['--disable tight', ['tighten-service-selectors']],
  ['check --format j', ['json', 'junit']],
  ['check --fail', ['--fail-on']],
  ['unblock --a', ['--all', '--as', '--as-group']],
];

// complete loads the script into bash and asks it to complete the words, the last one being the one typed.
function complete(words: string[]): string[] {
  const script = cli(['completion', 'bash']).stdout;
  const line = ['webhook-guard', ...words];
  const program =
    `${script}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}\n` +
    '_webhook_guard; printf "%s\\n" "${COMPREPLY[@]}"';
  const r = spawnSync('bash', ['-c', program], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash: subcommands and flags, then the values a flag takes', () => {
  for (const [typed, expected] of CASES) assert.equal(complete(typed.split(' ')), expected, typed);
});

// zshComplete types the line and a TAB into an interactive zsh (in a pseudo-terminal, with compinit as a user's
// .zshrc has it) and records what the completion system offers, through a compadd that also writes its candidates.
function zshComplete(script: string, typed: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'wg-zsh-'));
  try {
    const [file, out] = [join(dir, 'completion.zsh'), join(dir, 'offered')];
    writeFileSync(file, script);
    writeFileSync(out, '');
    const driver = [
      'zmodload zsh/zpty',
      'zpty z zsh -f -i',
      `zpty -w z 'autoload -U compinit && compinit -u'`,
      `zpty -w z 'source ${file}'`,
      `zpty -w z 'compadd () { builtin compadd -O __hits "$@"; print -l -- "\${__hits[@]}" >> ${out} }'`,
      `zpty -w z 'webhook-guard ${typed}'$'\t'`,
      `for i in {1..100}; do [[ -s ${out} ]] && break; sleep 0.1; done`,
      'sleep 0.3',
      'zpty -d z',
    ].join('\n');
    const r = spawnSync('zsh', ['-f', '-c', driver], { encoding: 'utf8', timeout: 30_000 });
    assert.is(r.status, 0, r.stderr);
    return [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (debianTool('zsh', ['--version'], 'zsh'))
  test('zsh: the same completions, through compinit and bashcompinit in an interactive zsh', () => {
    const script = cli(['completion', 'zsh']).stdout;
    for (const [typed, expected] of CASES) assert.equal(zshComplete(script, typed), expected, typed);
  });
else test.skip(`zsh: the same completions (no zsh, and none installable${CI ? ' in CI' : ''})`, () => {});

if (debianTool('fish', ['--version'], 'fish'))
  test('fish: the same completions, as fish lists them for a command line (complete -C)', () => {
    // In an empty directory: file candidates, where fish offers them, would depend on where the tests run.
    const empty = mkdtempSync(join(tmpdir(), 'wg-fish-'));
    try {
      const file = join(empty, '.completion.fish');
      writeFileSync(file, cli(['completion', 'fish']).stdout);
      // A file whose name starts like a command: offered where files are read (check), never instead of the command.
      writeFileSync(join(empty, 'chart.yaml'), '');
      for (const [typed, expected] of [...CASES, ['check ch', ['chart.yaml']] as [string, string[]]]) {
        const program = 'source $argv[1]; complete -C $argv[2]';
        const r = spawnSync('fish', ['--no-config', '-c', program, file, `webhook-guard ${typed}`], {
          encoding: 'utf8',
          cwd: empty,
        });
        assert.is(r.status, 0, r.stderr);
        assert.is(r.stderr, '', typed);
        // fish prints each candidate with its description after a tab.
        const offered = r.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0]);
        assert.equal([...new Set(offered)].sort(), expected, typed);
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
else test.skip(`fish: the same completions (no fish, and none installable${CI ? ' in CI' : ''})`, () => {});

test('an unknown shell is a usage error', () => {
  const bad = cli(['completion', 'tcsh']);
  assert.is(bad.status, 2);
  assert.is(bad.stdout, '');
  assert.match(bad.stderr, 'webhook-guard: completion: expected one of bash, zsh, fish');
});

test.run();
