// The README's host recipes, run as written: each ```sh block after a `<!-- recipe: MODE /regex/ -->`
// comment runs under bash -euo pipefail with `helm` (3 or 4), `kubectl` and `webhook-guard` on PATH,
// and its stdout must match the regex. MODE dist runs in the checkout with npm's global prefix in a
// temporary folder.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { BIN, HELM3, HELM4, KUBECTL, ROOT, run, sandbox, hostSuite } from './hosts.js';

const test = hostSuite('hosts: README recipes');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const RECIPE = /<!-- recipe: (\w+) \/(.+)\/(\w*) -->\n```sh\n([\s\S]*?)```/g;
const recipes = [...readme.matchAll(RECIPE)].map((m) => ({ mode: m[1], expect: new RegExp(m[2], m[3]), script: m[4] }));
const npmCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', cwd: ROOT }).stdout.trim();

test('the README has a tested recipe for Helm 3, Helm 4, kustomize, Argo CD, Flux, patch export and npm pack', () => {
  assert.ok(recipes.length >= 7, `found ${recipes.length}`);
  for (const section of [
    'Helm 3',
    'Helm 4',
    'kustomize',
    'KRM function',
    'Argo CD',
    'Flux',
    'helmfile',
    'Patch export',
    'Distribution (npm pack)',
  ]) {
    assert.ok(readme.includes(`\n### ${section}\n`), section);
  }
});

// The README's first command, as written in "The two commands": its stdout is the example's hardened YAML and
// nothing else (no npm banner), so `> out.yaml` captures what the example promises.
test("the two commands: the first prints exactly the example's expected YAML", () => {
  const block = /## The two commands\n\n```sh\n([^\n]*)\n/.exec(readme);
  assert.ok(block, 'no command block under "## The two commands"');
  const command = block[1].replace(/#.*$/, '').trim();
  assert.is(command, 'npm start --silent');
  const out = run('sh', ['-c', command], { env: process.env, cwd: ROOT });
  assert.is(out.status, 0, out.stderr);
  assert.is(out.stdout, readFileSync(join(ROOT, 'examples', 'openkruise-precreated-namespace', 'expected.yaml'), 'utf8'));
});

for (const [i, r] of recipes.entries()) {
  const heading = [...readme.slice(0, readme.indexOf(r.script)).matchAll(/^### (.+)$/gm)].pop()?.[1];
  test(`recipe ${i + 1} (${heading}, ${r.mode})`, () => {
    const sb = sandbox();
    try {
      sb.link('helm', r.mode === 'helm4' ? HELM4 : HELM3);
      sb.link('kubectl', KUBECTL);
      let cwd = join(sb.dir, 'work');
      const env = { ...sb.env };
      if (r.mode === 'dist') {
        cwd = ROOT;
        Object.assign(env, {
          npm_config_prefix: join(sb.dir, 'prefix'),
          npm_config_cache: npmCache,
          npm_config_prefer_offline: 'true',
          npm_config_audit: 'false',
          npm_config_fund: 'false',
        });
        env.PATH = `${join(sb.dir, 'prefix', 'bin')}:${env.PATH}`;
      } else {
        sb.link('webhook-guard', BIN);
        run('mkdir', ['-p', cwd], { env });
        symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
      }
      const out = run('bash', ['-euo', 'pipefail', '-c', r.script], { env, cwd });
      assert.is(out.status, 0, out.stderr);
      assert.match(out.stdout, r.expect);
    } finally {
      if (r.mode === 'dist') for (const f of readdirSync(ROOT)) if (/^webhook-guard-.*\.tgz$/.test(f)) rmSync(join(ROOT, f));
      sb.cleanup();
    }
  });
}

test.run();
