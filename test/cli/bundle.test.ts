// The bundled CLI (dist/bundle/, with its code cache or without) and its fallback (dist/src/ module by module)
// behave alike, byte for byte.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../support/helpers.js';

// unbundled lays out a package without dist/bundle/: the same bin, package.json, compiled modules and
// dependencies, so bin/webhook-guard.js must take its fallback.
function unbundled(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wg-unbundled-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  copyFileSync(join(ROOT, 'bin', 'webhook-guard.js'), join(dir, 'bin', 'webhook-guard.js'));
  copyFileSync(join(ROOT, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const p of ['dist/src', 'dist/transforms', 'node_modules', 'schemas', 'plugin.yaml'])
    symlinkSync(join(ROOT, p), join(dir, p));
  return dir;
}

const example = join(ROOT, 'examples', 'openkruise-precreated-namespace', 'input.yaml');
const cases: Array<{ name: string; args: string[]; input: Buffer }> = [
  { name: 'a render', args: [], input: readFileSync(example) },
  {
    name: 'a render, non-ASCII',
    args: [],
    input: Buffer.from(readFileSync(example, 'utf8') + '---\nkind: ConfigMap\ndata:\n  a: “ü”\n'),
  },
  { name: '--version', args: ['--version'], input: Buffer.alloc(0) },
  { name: 'check', args: ['check', example], input: Buffer.alloc(0) },
  { name: 'bad input', args: [], input: Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0x0a]) },
];

const t = suite('bundle');

const BUNDLE = join(ROOT, 'dist', 'bundle', 'webhook-guard.cjs');

t('the build bundles the CLI into one CommonJS file with a code cache, and no import() in it', () => {
  assert.ok(existsSync(BUNDLE), 'dist/bundle/webhook-guard.cjs (npm run build makes it with esbuild)');
  assert.ok(existsSync(`${BUNDLE}.cache`), 'the code cache the build writes beside it');
  // bin/webhook-guard.js compiles the bundle as a vm.Script, which has no loader for import().
  assert.not.match(readFileSync(BUNDLE, 'utf8'), /[^\w.$]import\(/);
});

// withCache lays out a package whose bundle comes with the given code cache (or none).
function withCache(cache: Buffer | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'wg-cache-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
  for (const f of ['webhook-guard.js', 'package.json']) copyFileSync(join(ROOT, 'bin', f), join(dir, 'bin', f));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  copyFileSync(BUNDLE, join(dir, 'dist', 'bundle', 'webhook-guard.cjs'));
  if (cache) writeFileSync(join(dir, 'dist', 'bundle', 'webhook-guard.cjs.cache'), cache);
  for (const p of ['node_modules', 'schemas', 'plugin.yaml']) symlinkSync(join(ROOT, p), join(dir, p));
  return dir;
}

t('a code cache that is missing, or is not for this bundle and this Node, changes nothing: V8 compiles afresh', () => {
  const spawn = (dir: string, c: (typeof cases)[number]) => {
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'webhook-guard.js'), ...c.args], { input: c.input, cwd: ROOT });
    return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  };
  const layouts = {
    'no cache': withCache(undefined),
    'a foreign cache': withCache(Buffer.from('not V8 code cache data')),
    'the cache of another bundle': withCache(readFileSync(`${BUNDLE}.cache`).subarray(0, 1000)),
  };
  for (const c of cases) {
    const expected = spawn(ROOT, c);
    for (const [name, dir] of Object.entries(layouts)) assert.equal(spawn(dir, c), expected, `${c.name}, ${name}`);
  }
  for (const dir of Object.values(layouts)) rmSync(dir, { recursive: true, force: true });
});

t('the code cache the build writes is one V8 takes under the flags a run starts with', () => {
  // V8 takes a cache only under the flags it was made with: a flag set before the bundle is compiled (bin/webhook-guard.js)
  // would make every run compile it afresh (about 20 ms on a small render).
  const script = [
    "const { readFileSync } = require('node:fs');",
    `const file = ${JSON.stringify(BUNDLE)};`,
    "const source = require('node:module').wrap(readFileSync(file, 'utf8'));",
    "const s = new (require('node:vm').Script)(source, { filename: file, cachedData: readFileSync(file + '.cache') });",
    'process.stdout.write(String(s.cachedDataRejected));',
  ].join('\n');
  assert.is(spawnSync(process.execPath, ['-e', script]).stdout.toString('utf8'), 'false');
});

t('V8 compiles without inlining for 8 MiB of input or more (stdin a file or a pipe, or files to check): the same output', () => {
  // The flags the run sets are recorded by a preloaded module that wraps v8.setFlagsFromString.
  const dir = mkdtempSync(join(tmpdir(), 'wg-flags-'));
  const preload = join(dir, 'record.cjs');
  const log = join(dir, 'flags.txt');
  writeFileSync(
    preload,
    [
      "const v8 = require('node:v8');",
      'const set = v8.setFlagsFromString;',
      `v8.setFlagsFromString = (f) => { require('node:fs').appendFileSync(${JSON.stringify(log)}, f + '\\n'); set(f); };`,
    ].join('\n'),
  );
  const small = readFileSync(example);
  const lines = '    some text of a dashboard\n'.repeat(75_000);
  const filler = [1, 2, 3, 4]
    .map((n) => `---\nkind: ConfigMap\nmetadata:\n  name: filler-${n}\ndata:\n  a: |\n${lines}`)
    .join('');
  const large = Buffer.concat([small, Buffer.from(filler)]);
  assert.ok(large.length >= 8 << 20);
  const run = (input: Buffer, how: 'file' | 'pipe' | 'check', flags: string[]) => {
    rmSync(log, { force: true });
    const file = join(dir, 'input.yaml');
    writeFileSync(file, input);
    const fd = how === 'file' ? openSync(file, 'r') : 'pipe';
    // check takes files: half the input in each of two, which count together.
    const args = how === 'check' ? ['check', ...halves(file, input)] : [];
    const r = spawnSync(process.execPath, [...flags, join(ROOT, 'bin', 'webhook-guard.js'), ...args], {
      stdio: [fd, 'pipe', 'pipe'],
      input: how === 'pipe' ? input : undefined,
      maxBuffer: 64 << 20,
    });
    if (typeof fd === 'number') closeSync(fd);
    return { status: r.status, stdout: r.stdout, set: existsSync(log) ? readFileSync(log, 'utf8') : '' };
  };
  const halves = (file: string, input: Buffer): string[] => {
    const cut = input.indexOf('\n---\n', input.length >> 1) + 1;
    writeFileSync(`${file}.1`, input.subarray(0, cut));
    writeFileSync(`${file}.2`, input.subarray(cut));
    return [`${file}.1`, `${file}.2`];
  };
  const cut = large.indexOf('\n---\n', large.length >> 1);
  assert.ok(cut < 8 << 20 && large.length - cut < 8 << 20, 'each half is under 8 MiB');
  for (const how of ['file', 'pipe', 'check'] as const) {
    const plain = run(large, how, []);
    const recorded = run(large, how, ['--require', preload]);
    assert.is(recorded.set, '--no-turbo-inlining\n', `large, ${how}`);
    assert.is(recorded.status, plain.status);
    assert.ok(recorded.stdout.equals(plain.stdout), `large, ${how}: the same output`);
    assert.is(run(small, how, ['--require', preload]).set, '', `small, ${how}`);
  }
  rmSync(dir, { recursive: true, force: true });
});

t('without the bundle, bin/webhook-guard.js runs dist/src/ and answers byte for byte as the bundle does', () => {
  const dir = unbundled();
  const spawn = (bin: string, args: string[], input: Buffer) => {
    const r = spawnSync(process.execPath, [bin, ...args], { input, cwd: ROOT });
    return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  };
  for (const c of cases) {
    const bundled = spawn(join(ROOT, 'bin', 'webhook-guard.js'), c.args, c.input);
    const fallback = spawn(join(dir, 'bin', 'webhook-guard.js'), c.args, c.input);
    assert.equal(fallback, bundled, c.name);
  }
  assert.is(spawn(join(dir, 'bin', 'webhook-guard.js'), ['--version'], Buffer.alloc(0)).stdout.trim(), readJsonVersion());
});

t('without WebAssembly (node --jitless), a large input is read by Buffer searches and hardened byte for byte alike', () => {
  // Over a MiB, and non-ASCII: the split's scan goes to WebAssembly when it is there (see line-scan.ts).
  const big = `---\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: |\n${'    text “ü” # \\u2028\n'.repeat(60_000)}`;
  const input = Buffer.from(readFileSync(example, 'utf8') + big);
  assert.ok(input.length > 1 << 20);
  const spawn = (flags: string[]) => {
    const r = spawnSync(process.execPath, [...flags, join(ROOT, 'bin', 'webhook-guard.js')], {
      input,
      cwd: ROOT,
      maxBuffer: 64 << 20,
    });
    // --jitless warns that it switches WebAssembly off.
    const stderr = r.stderr.toString('utf8').replace(/^Warning: disabling flag --expose_wasm.*\n/m, '');
    return { status: r.status, stdout: r.stdout.toString('utf8'), stderr };
  };
  const withWasm = spawn([]);
  assert.is(withWasm.status, 0, withWasm.stderr);
  assert.equal(spawn(['--jitless']), withWasm);
});

function readJsonVersion(): string {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
}

t.run();
