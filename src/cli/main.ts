// Command line: flags to a run, the run's output to stdout, its explanation to stderr, and the exit code.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import minimist from 'minimist';
import { FLAGS, single, suggest } from './flags.js';
import { ExitCode, failureText, InputError, UsageError } from '../errors.js';
import {
  minorVersion,
  readConfigFile,
  tooOld,
  resolveConfig,
  validateConfig,
  type Config,
  type Overrides,
} from '../pipeline/config.js';
import { TRANSFORMS, TRANSFORM_NAMES } from '../pipeline/registry.js';
import { decodeInput, refuseWideEncoding } from '../yaml/stream.js';
import { mayBeResourceList } from '../yaml/byte-stream.js';
import { transformStream } from '../pipeline/pipeline.js';
import { jsonReport, summary, textReport, warningLines } from '../pipeline/report.js';
import { isResourceList, kustomizePluginArgv } from '../hosts/detect.js';
import { isHelmPlugin, LOG_ENV, teeToFile, teeToTerminal } from '../hosts/helm4.js';
import type { Change, Note, Warning } from '../transform.js';
import { packageRoot, version } from '../package.js';
import type { IO } from './io.js';

const STRING_FLAGS = [...FLAGS.harden.string];
const BOOLEAN_FLAGS = [...FLAGS.harden.boolean];
const EMIT = ['manifests', 'patches', 'flux'] as const;

/** usage is the --help text. */
export function usage(): string {
  return `Usage: webhook-guard [options] < manifests.yaml > hardened.yaml
       webhook-guard check [options] [FILE…|-]    offline admission analysis (webhook-guard check --help)
       webhook-guard unblock … [FILE…|-]        break glass for a live cluster (webhook-guard unblock --help)
       webhook-guard completion bash|zsh|fish   shell completion script

Reads rendered Kubernetes manifests (multi-document YAML) on stdin and writes them to stdout with
their admission webhooks made safe to install. Documents no transform changes come out byte for byte.

Options:
  -c, --config FILE         WebhookGuard configuration (YAML or JSON; see the README)
  --disable TRANSFORM       switch a transform off (repeatable)
  --min-replicas N          least replicas for workloads serving Fail webhooks (default 2)
  --exclude-namespace NS    namespace no webhook may intercept, besides kube-system (repeatable)
  --namespace NS            namespace of resources that name none (default: the most common one)
  --kube-version V          Kubernetes version the output targets, 1.21 or later: 1.30, v1.29.3, 1.29.3-eks-… (default 1.30)
  --fail-open mutating      failurePolicy Ignore for mutating webhooks on kube-system, node Leases,
                            Nodes or CSRs (repeatable; \`validating\` too only if named: weaker policy)
  --adopt-namespaces        emit labelled Namespace documents for namespaces not in the stream
  --report text|json        list every change on stderr (or in --report-file)
  --report-file FILE        write the report to FILE instead of stderr
  --emit manifests|patches|flux
                            write the hardened manifests (default), or the changes as kustomize
                            JSON 6902 patches, or as a Flux HelmRelease spec.postRenderers fragment
  --explain                 print the check findings before and after the transforms on stderr
  -q, --quiet               print nothing but errors (no summary, no --explain)
  --allow-empty             accept a stream without any Kubernetes object (refused by default: an empty
                            output reads as "delete everything" to kustomize and Argo CD)
  --stack                   print stack traces of internal errors
  --plugin-dir              print the folder holding plugin.yaml (helm plugin install "$(webhook-guard --plugin-dir)")
  --help, --version

Transforms (in run order):
${TRANSFORMS.map((t) => `  ${t.name.padEnd(26)}${t.description}`).join('\n')}

Hosts: a Helm 3 --post-renderer, the Helm 4 plugin in plugin.yaml, a kustomize exec plugin
(config file path as first argument) or a KRM function (a ResourceList on stdin); see the README.

Exit codes: 0 ok; 1 bad input or a transform failed; 2 usage error; 3 invalid config.
On any error stdout stays empty (a KRM function call prints its ResourceList with an error result).
`;
}

interface Flags {
  config?: string;
  overrides: Overrides;
  report?: 'text' | 'json';
  reportFile?: string;
  emit: (typeof EMIT)[number];
  quiet: boolean;
  /** Accept a stream with no Kubernetes object (an intended empty render). */
  allowEmpty: boolean;
  explain: boolean;
  help: boolean;
  version: boolean;
  stack: boolean;
  pluginDir: boolean;
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** parseFlags turns argv into flags. Throws UsageError on unknown flags, stray arguments and bad values. */
export function parseFlags(argv: string[]): Flags {
  const args = minimist(argv, {
    string: STRING_FLAGS,
    boolean: BOOLEAN_FLAGS,
    alias: { h: 'help', c: 'config', q: 'quiet' },
    unknown: (arg) => {
      if (arg.startsWith('-'))
        throw new UsageError(`unknown option ${arg.split('=')[0]}${suggest(arg, [...STRING_FLAGS, ...BOOLEAN_FLAGS])}`);
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; manifests are read from stdin`);
    },
  });
  const disable = list(args.disable);
  for (const name of disable)
    if (!TRANSFORM_NAMES.includes(name))
      throw new UsageError(`--disable ${name}: no such transform (one of ${TRANSFORM_NAMES.join(', ')})`);
  const overrides: Overrides = { disable, adoptNamespaces: args['adopt-namespaces'] };
  const min = single(args, 'min-replicas');
  if (min !== undefined) {
    if (!/^\d+$/.test(min) || Number(min) < 1 || Number(min) > 100)
      throw new UsageError(`--min-replicas ${min}: expected a whole number from 1 to 100`);
    overrides.minReplicas = Number(min);
  }
  const nsPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  overrides.excludeNamespaces = list(args['exclude-namespace']);
  for (const ns of overrides.excludeNamespaces)
    if (!nsPattern.test(ns)) throw new UsageError(`--exclude-namespace ${JSON.stringify(ns)}: not a namespace name`);
  overrides.namespace = single(args, 'namespace');
  if (overrides.namespace !== undefined && !nsPattern.test(overrides.namespace))
    throw new UsageError(`--namespace ${JSON.stringify(overrides.namespace)}: not a namespace name`);
  if (list(args['fail-open']).includes('')) throw new UsageError('--fail-open needs a value (mutating, validating or both)');
  overrides.failOpen = list(args['fail-open']).flatMap((v) => v.split(',')) as Overrides['failOpen'];
  for (const t of overrides.failOpen!)
    if (t !== 'mutating' && t !== 'validating') throw new UsageError(`--fail-open ${t}: expected mutating or validating`);
  const kubeVersion = single(args, 'kube-version');
  if (kubeVersion !== undefined) {
    overrides.kubeVersion = minorVersion(kubeVersion);
    if (overrides.kubeVersion === undefined)
      throw new UsageError(`--kube-version ${kubeVersion}: expected a version such as 1.30, v1.29.3 or 1.29.3-eks-adc7111`);
    const old = tooOld(overrides.kubeVersion);
    if (old) throw new UsageError(`--kube-version ${kubeVersion}: ${old}`);
  }
  const report = single(args, 'report');
  if (report !== undefined && report !== 'text' && report !== 'json')
    throw new UsageError(`--report ${report}: expected text or json`);
  const emit = single(args, 'emit') ?? 'manifests';
  if (!(EMIT as readonly string[]).includes(emit)) throw new UsageError(`--emit ${emit}: expected ${EMIT.join(', ')}`);
  return {
    config: single(args, 'config'),
    overrides,
    report: report as Flags['report'],
    reportFile: single(args, 'report-file'),
    emit: emit as Flags['emit'],
    quiet: args.quiet,
    allowEmpty: args['allow-empty'],
    help: args.help,
    version: args.version,
    stack: args.stack,
    explain: args.explain,
    pluginDir: args['plugin-dir'],
  };
}

/** loadConfig reads, validates and resolves the configuration the flags point at. */
export async function loadConfig(path: string | undefined, overrides: Overrides): Promise<Config> {
  if (path === undefined) return resolveConfig(undefined, overrides);
  const raw = readConfigFile(path);
  await validateConfig(raw, path);
  return resolveConfig(raw, overrides);
}

/** main runs the CLI and returns the exit code. stdout is written once, only on success. */
export async function main(argv: string[], io: IO): Promise<number> {
  if (argv[0] === 'check') return (await import('./check.js')).checkMain(argv.slice(1), io);
  if (argv[0] === 'unblock') return (await import('./unblock.js')).unblockMain(argv.slice(1), io);
  if (argv[0] === 'completion') return (await import('./completion.js')).completionMain(argv.slice(1), io);
  // A kustomize legacy exec plugin gets its config file's path as the first argument.
  argv = kustomizePluginArgv(argv, io.env) ?? argv;
  // Helm 4 swallows a plugin's stderr: show it on the terminal too.
  if (isHelmPlugin(io.env)) io = { ...io, stderr: teeToTerminal(io.stderr) };
  const log = io.env[LOG_ENV];
  if (log) io = { ...io, stderr: teeToFile(io.stderr, log) };
  let stack = argv.includes('--stack');
  try {
    const flags = parseFlags(argv);
    stack = flags.stack;
    if (flags.help) {
      io.stdout(usage());
      return ExitCode.OK;
    }
    if (flags.version) {
      io.stdout(version() + '\n');
      return ExitCode.OK;
    }
    if (flags.pluginDir) {
      // Helm 3 cannot load a v1 plugin.yaml, and one it cannot load breaks `helm plugin list` and `uninstall`:
      // refuse before the recipe installs it, with what to do instead.
      if (helmMajor(io.env) === 3)
        throw new UsageError(
          '--plugin-dir: the helm on PATH is Helm 3, which cannot load this Helm 4 plugin (and would then fail on ' +
            'every plugin command). With Helm 3 no plugin is needed: --post-renderer webhook-guard. If one was ' +
            'installed already: rm -rf "$(helm env HELM_PLUGINS)/<its folder>"',
        );
      io.stdout(packageRoot() + '\n');
      return ExitCode.OK;
    }
    const config = await loadConfig(flags.config, flags.overrides);
    if (io.stdinIsTTY) throw new UsageError('no input: pipe rendered manifests into webhook-guard (see --help)');
    // The input stays bytes: only the documents that are read are decoded, untouched ones are written as they came.
    const bytes = await io.readStdin();
    if (!flags.allowEmpty) refuseEmpty(bytes);
    let result: { output: string; pieces?: Array<Buffer | string>; changes: Change[]; warnings: Warning[]; notes?: Note[] };
    // A stream that cannot be a ResourceList is never decoded whole.
    if (mayBeResourceList(bytes) && isResourceList(decodeInput(bytes)))
      result = await runKrm(decodeInput(bytes), flags, config, io);
    else {
      const run = transformStream(bytes, config);
      result =
        flags.emit === 'manifests'
          ? run
          : {
              output: (await import('../hosts/patches.js')).emitPatches(run, flags.emit, version()),
              changes: run.changes,
              warnings: run.warnings,
            };
    }
    if (flags.explain && !flags.quiet) {
      const ran = Object.entries(config.transforms)
        .filter(([, t]) => t.enabled)
        .map(([name]) => name);
      io.stderr((await import('../check/explain.js')).explainFindings(decodeInput(bytes), result.output, config.namespace, ran));
    }
    const wantReport = flags.report ?? (flags.reportFile ? 'text' : undefined);
    if (wantReport) {
      const text =
        wantReport === 'json'
          ? jsonReport(result.changes, result.warnings, version(), result.notes)
          : textReport(result.changes, result.warnings, result.notes);
      if (flags.reportFile) writeReport(flags.reportFile, text);
      else io.stderr(text);
    }
    if (!flags.quiet) {
      const lines = [
        ...(wantReport && !flags.reportFile ? [] : warningLines(result.warnings)),
        summary(result.changes, result.warnings, result.notes),
      ];
      io.stderr(lines.join('\n') + '\n');
    }
    if (result.pieces && io.writeOut) io.writeOut(result.pieces);
    else io.stdout(result.output);
    return ExitCode.OK;
  } catch (err) {
    const { text, code } = failureText(err, 'webhook-guard --help', stack);
    io.stderr(text);
    return code;
  }
}

// refuseEmpty: kustomize and Argo CD read an empty output as "delete everything", so a stream with no
// Kubernetes object at all (nothing, or a README piped in by mistake) is refused unless --allow-empty says so.
function refuseEmpty(bytes: Buffer): void {
  // Searched in the bytes: the input is not decoded whole for this.
  for (let i = bytes.indexOf('kind'); i >= 0; i = bytes.indexOf('kind', i + 1)) {
    const from = Math.max(0, i - 2);
    if (/(?:^|[\s{,])["']?kind["']?[ \t]*:/.test(bytes.toString('latin1', from, Math.min(bytes.length, i + 64)))) return;
  }
  // In UTF-16 the letters of `kind:` are apart: the encoding is what the user must change.
  refuseWideEncoding(bytes);
  throw new InputError(
    bytes.toString('latin1').trim() === ''
      ? 'the input is empty: pipe rendered manifests into webhook-guard (--allow-empty if an empty stream is intended)'
      : 'the input holds no Kubernetes object (no kind: anywhere); --allow-empty passes such a stream through',
  );
}

// runKrm runs a KRM function call: the ResourceList's functionConfig is the config. On failure the
// ResourceList goes to stdout with an error result (for kpt) before the error is raised (kustomize
// reads only the exit code and stderr).
async function runKrm(
  input: string,
  flags: Flags,
  config: Config,
  io: IO,
): Promise<{ output: string; changes: Change[]; warnings: Warning[] }> {
  if (flags.emit !== 'manifests') throw new UsageError(`--emit ${flags.emit} works on a manifest stream, not on a ResourceList`);
  const { runResourceList, KrmError } = await import('../hosts/krm.js');
  try {
    return await runResourceList(input, config, flags.overrides, flags.config !== undefined);
  } catch (err) {
    if (!(err instanceof KrmError)) throw err;
    if (err.output !== undefined) io.stdout(err.output);
    throw err.inner;
  }
}

function writeReport(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new UsageError(
      `--report-file ${path}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

// helmMajor asks the helm on PATH for its major version; undefined when there is none or it does not answer.
function helmMajor(env: NodeJS.ProcessEnv): number | undefined {
  const r = spawnSync('helm', ['version', '--template', '{{.Version}}'], { env, encoding: 'utf8', timeout: 10_000 });
  const m = r.status === 0 ? /^v(\d+)\./.exec(r.stdout.trim()) : null;
  return m ? Number(m[1]) : undefined;
}
