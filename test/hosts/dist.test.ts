// Distribution: `npm pack` gives a package that works after `npm install -g` of the tarball into a
// temporary prefix: the bin on PATH (a Helm 3 post-renderer by name), plugin.yaml for Helm 4, schemas.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../support/helpers.js';
import { CHART, HELM3, HELM4, ROOT, find, objects, ok, run, sandbox, type Sandbox } from './hosts.js';

const test = suite('hosts: npm pack and install -g');
let sb: Sandbox;
let tarball: string;
let files: string[];
let prefix: string;
let installed: string;

// npm's own cache (filled by `npm ci`), so the tarball's dependencies install without the network.
const npmCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', cwd: ROOT }).stdout.trim();

test.before(() => {
  sb = sandbox();
  const pack = JSON.parse(ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', sb.dir], { env: sb.env }));
  tarball = join(sb.dir, pack[0].filename);
  files = pack[0].files.map((f: { path: string }) => f.path);
  prefix = join(sb.dir, 'prefix');
  ok('npm', ['install', '--global', '--prefix', prefix, '--cache', npmCache, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { env: sb.env });
  installed = join(prefix, 'lib', 'node_modules', 'webhook-guard');
  sb.env.PATH = `${join(prefix, 'bin')}:${sb.env.PATH}`;
});
test.after(() => sb.cleanup());

test('the tarball holds the bin, the compiled code, schemas, plugin.yaml and the README, and no sources or tests', () => {
  for (const f of ['bin/webhook-guard.js', 'dist/src/cli/main.js', 'dist/src/hosts/krm.js', 'dist/src/hosts/patches.js', 'schemas/config.schema.json', 'plugin.yaml', 'README.md', 'package.json']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  for (const f of files) assert.not.match(f, /^(src|test|scripts|examples|node_modules|\.cache)\/|\.ts$/, `${f} is not packed`);
});

test('the installed bin runs a seed example exactly as the checkout does', () => {
  const dir = join(ROOT, 'examples', 'openkruise-precreated-namespace');
  const input = readFileSync(join(dir, 'input.yaml'), 'utf8');
  const r = run('webhook-guard', ['--config', join(dir, 'config.yaml')], { env: sb.env, input });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, cli(['--config', join(dir, 'config.yaml')], input).stdout);
  assert.is(ok('webhook-guard', ['--version'], { env: sb.env }).trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test('--plugin-dir names the installed package, which holds plugin.yaml', () => {
  assert.is(ok('webhook-guard', ['--plugin-dir'], { env: sb.env }).trim(), installed);
  assert.ok(existsSync(join(installed, 'plugin.yaml')));
});

test('Helm 3 uses the installed bin by name; Helm 4 installs the installed package as its plugin', () => {
  const h3 = objects(ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system', '--post-renderer', 'webhook-guard'], { env: sb.env }));
  assert.equal(find(h3, 'Deployment').spec.replicas, 2);
  const dir = ok('webhook-guard', ['--plugin-dir'], { env: sb.env }).trim();
  ok(HELM4, ['plugin', 'install', dir], { env: sb.env });
  const h4 = objects(ok(HELM4, ['template', 'kruise', CHART, '-n', 'kruise-system', '--post-renderer', 'webhook-guard'], { env: sb.env }));
  assert.equal(find(h4, 'Deployment').spec.replicas, 2);
  assert.ok(find(h4, 'ValidatingWebhookConfiguration').webhooks[0].namespaceSelector);
});

test.run();
