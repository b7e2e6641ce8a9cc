// Shell completion: the bash script, loaded into a real bash, completes commands, flags and their values.
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../support/helpers.js';

const test = suite('cli: completion');

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
  assert.equal(complete(['ch']), ['check']);
  assert.equal(complete(['--con']), ['--config']);
  assert.equal(complete(['--disable', 'tight']), ['tighten-service-selectors']);
  assert.equal(complete(['check', '--format', 'j']), ['json', 'junit']);
  assert.equal(complete(['check', '--fail']), ['--fail-on']);
  assert.equal(complete(['unblock', '--a']), ['--all', '--as', '--as-group']);
});

test('zsh and fish: scripts for each; an unknown shell is a usage error', () => {
  assert.match(cli(['completion', 'zsh']).stdout, /^#compdef webhook-guard\n/);
  assert.match(
    cli(['completion', 'fish']).stdout,
    "complete -c webhook-guard -n '__fish_seen_subcommand_from check' -l format -x -a",
  );
  const bad = cli(['completion', 'tcsh']);
  assert.is(bad.status, 2);
  assert.is(bad.stdout, '');
  assert.match(bad.stderr, 'webhook-guard: completion: expected one of bash, zsh, fish');
});

test.run();
