// Distribution: `npm pack` gives a package that works after `npm install -g` of the tarball into a
// temporary prefix: the bin on PATH (a Helm 3 post-renderer by name), plugin.yaml for Helm 4, schemas.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { cli } from '../support/helpers.js';
import { CHART, HELM3, HELM4, ROOT, find, objects, ok, run, sandbox, type Sandbox, hostSuite } from './hosts.js';

const test = hostSuite('hosts: npm pack and install -g');
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
  ok(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--cache',
      npmCache,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      tarball,
    ],
    { env: sb.env },
  );
  installed = join(prefix, 'lib', 'node_modules', 'webhook-guard');
  sb.env.PATH = `${join(prefix, 'bin')}:${sb.env.PATH}`;
});
test.after(() => sb.cleanup());

test('the tarball holds the bin, the compiled code, schemas, plugin.yaml and the README, and no sources or tests', () => {
  for (const f of [
    'bin/webhook-guard.js',
    'dist/src/cli/main.js',
    'dist/src/hosts/krm.js',
    'dist/src/hosts/patches.js',
    'schemas/config.schema.json',
    'plugin.yaml',
    'README.md',
    'package.json',
    'dist/src/index.d.ts',
  ]) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  for (const f of files)
    assert.not.match(f, /^(src|test|scripts|examples|node_modules|\.cache)\/|(?<!\.d)\.ts$/, `${f} is not packed`);
});

test('the installed bin runs a seed example exactly as the checkout does', () => {
  const dir = join(ROOT, 'examples', 'openkruise-precreated-namespace');
  const input = readFileSync(join(dir, 'input.yaml'), 'utf8');
  const r = run('webhook-guard', ['--config', join(dir, 'config.yaml')], { env: sb.env, input });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, cli(['--config', join(dir, 'config.yaml')], input).stdout);
  assert.is(
    ok('webhook-guard', ['--version'], { env: sb.env }).trim(),
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
  );
});

test('--plugin-dir names the installed package, which holds plugin.yaml', () => {
  assert.is(ok('webhook-guard', ['--plugin-dir'], { env: sb.env }).trim(), installed);
  assert.ok(existsSync(join(installed, 'plugin.yaml')));
});

test('Helm 3 uses the installed bin by name; Helm 4 installs the installed package as its plugin', () => {
  const h3 = objects(
    ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system', '--post-renderer', 'webhook-guard'], { env: sb.env }),
  );
  assert.equal(find(h3, 'Deployment').spec.replicas, 2);
  const dir = ok('webhook-guard', ['--plugin-dir'], { env: sb.env }).trim();
  ok(HELM4, ['plugin', 'install', dir], { env: sb.env });
  const h4 = objects(
    ok(HELM4, ['template', 'kruise', CHART, '-n', 'kruise-system', '--post-renderer', 'webhook-guard'], { env: sb.env }),
  );
  assert.equal(find(h4, 'Deployment').spec.replicas, 2);
  assert.ok(find(h4, 'ValidatingWebhookConfiguration').webhooks[0].namespaceSelector);
});

test('the library API: `import { harden, check } from "webhook-guard"` works from the installed package, with types', () => {
  const app = join(sb.dir, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(installed, join(app, 'node_modules', 'webhook-guard'));
  const input = readFileSync(join(ROOT, 'examples', 'openkruise-precreated-namespace', 'input.yaml'), 'utf8');
  writeFileSync(join(app, 'input.yaml'), input);
  const program = [
    "import { readFileSync } from 'node:fs';",
    "import { harden, check, type HardenResult } from 'webhook-guard';",
    "const text = readFileSync('input.yaml', 'utf8');",
    'const result: HardenResult = await harden(text);',
    'const before = check(text).findings.filter((f) => f.severity === "error").map((f) => f.id);',
    'const after = check(result.output).findings.filter((f) => f.severity === "error").map((f) => f.id);',
    'console.log(JSON.stringify({ changed: result.output !== text, changes: result.changes.length, before, after }));',
  ].join('\n');
  writeFileSync(join(app, 'main.ts'), program);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
    }),
  );
  // The declarations type-check a consumer's code; then the compiled program runs against the package.
  ok(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { env: sb.env });
  const out = JSON.parse(ok(process.execPath, ['main.js'], { env: sb.env, cwd: app }));
  assert.is(out.changed, true);
  assert.ok(out.changes > 0);
  assert.ok(out.before.includes('self-deadlock'), JSON.stringify(out.before));
  assert.equal(out.after, []);
});

test.run();
