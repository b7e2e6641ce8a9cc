// Shared test helpers: run the pipeline on text, spawn the built CLI, and find the shared corpus.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite, type Test } from 'uvu';
import { main } from '../../src/cli/main.js';
import { defaultConfig, resolveConfig, type Config } from '../../src/pipeline/config.js';
import { transformStream, type Result } from '../../src/pipeline/pipeline.js';

/** ROOT is the project folder. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** BIN is the published entry point. */
export const BIN = join(ROOT, 'bin', 'webhook-guard.js');
/** CORPUS is the shared corpus of rendered charts, beside the project. */
export const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');

/** CI is true under CI=true, where a test that cannot run must fail instead of being skipped. */
export const CI = process.env.CI === 'true';

/**
 * corpusFiles lists the corpus YAML files. When the folder is absent it returns [] and, given a suite,
 * registers one skipped test for the files it could not see (under CI=true, a failing one instead).
 */
export function corpusFiles(label: string, t?: Test): string[] {
  if (!existsSync(CORPUS)) {
    if (t) needsCorpus(t, `${label}: every file of the shared corpus`, [], () => {});
    return [];
  }
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(CORPUS, f));
}

/**
 * needsCorpus registers a test that reads corpus files (all of them when `files` is empty): run when they are
 * there, skipped and counted as skipped when they are not, and failing under CI=true, which requires them.
 */
export function needsCorpus(t: Test, name: string, files: string[], fn: () => void | Promise<void>): void {
  const missing = !existsSync(CORPUS) ? [CORPUS] : files.filter((f) => !existsSync(join(CORPUS, f))).map((f) => join(CORPUS, f));
  if (!missing.length) t(name, fn);
  else if (CI) {
    t(name, () => {
      throw new Error(`needs ${missing.join(', ')}, which is absent; CI=true requires the shared corpus`);
    });
  } else t.skip(name, fn);
}

/**
 * gatedSuite is a uvu suite for tests that need something this machine may lack (real binaries, a built
 * control plane). With `missing` undefined it is a plain suite. Otherwise every test is registered as skipped
 * (counted in the closing line) and hooks do nothing; under CI=true every test fails with the reason instead.
 */
export function gatedSuite(name: string, missing: string | undefined): Test {
  const s = suite(name);
  if (missing === undefined) return s;
  const register = (title: string) =>
    CI
      ? s(title, () => {
          throw new Error(`cannot run: ${missing}; CI=true requires it`);
        })
      : s.skip(title, () => {});
  const noop = Object.assign(() => {}, { each: () => {} });
  return Object.assign(register, { skip: register, only: register, before: noop, after: noop, run: s.run }) as unknown as Test;
}

/** config builds a resolved config: only the named transforms on (all when none named), with options merged. */
export function config(
  only?: string[],
  options: Record<string, Record<string, unknown>> = {},
  extra: Partial<Config> = {},
): Config {
  const c = defaultConfig();
  for (const [name, t] of Object.entries(c.transforms)) {
    if (only && !only.includes(name)) t.enabled = false;
    Object.assign(t, options[name] ?? {});
  }
  return { ...c, ...extra, transforms: c.transforms };
}

/** run transforms a stream in-process. */
export function run(input: string, cfg: Config = resolveConfig(undefined)): Result {
  return transformStream(input, cfg);
}

/** CliResult is a finished spawn of the built CLI. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** cli spawns the built bin with the given stdin. */
export function cli(args: string[], input: string | Buffer = '', env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    env: { ...process.env, ...env },
    maxBuffer: 512 * 1024 * 1024,
    cwd: ROOT,
  });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/** yaml joins lines, so table cases can be written as arrays of lines. */
export function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}

/** runMain runs the CLI in-process on `input`, collecting what it writes. */
export async function runMain(
  input: string | Buffer,
  argv: string[] = [],
): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const exit = await main(argv, {
    readStdin: async () => Buffer.from(input),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    env: {},
  });
  return { exit, stdout, stderr };
}

/**
 * debianTool tells whether a command from a Debian package can run: present, or installed when the tests run as root
 * with apt (the machine's own package registry); otherwise the caller counts its test as skipped.
 */
export function debianTool(command: string, versionArgs: string[], pkg: string): boolean {
  if (spawnSync(command, versionArgs).status === 0) return true;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) return false;
  spawnSync('sh', ['-c', `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkg}`], { stdio: 'ignore' });
  return spawnSync(command, versionArgs).status === 0;
}
