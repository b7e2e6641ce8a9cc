// The `check` subcommand: read manifest streams, change nothing, report findings; the exit code says whether any reach --fail-on.
import minimist from 'minimist';
import { ExitCode, failureText, UsageError } from '../errors.js';
import { DUMP, indent, readInputs } from './inputs.js';
import { FLAGS, single, suggest } from './flags.js';
import type { IO } from './io.js';
import { version } from '../package.js';
import { atLeast, type Severity } from '../check/types.js';

const FORMATS = ['text', 'compact', 'json', 'sarif', 'junit', 'mermaid', 'dot'] as const;
// Drawings, not verdicts: a graph format exits 0 whatever it shows.
const GRAPHS = ['mermaid', 'dot'];
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;
/** NO_WEBHOOKS in --fail-on makes an input without any webhook a failure (a render that lost them, a wrong dump). */
const NO_WEBHOOKS = 'no-webhooks';

/** checkUsage is `webhook-guard check --help`. */
export function checkUsage(): string {
  return `Usage: webhook-guard check [options] [FILE…|-]

Reads one or more manifest streams (rendered releases, or a live-cluster dump: see below) as one cluster,
simulates admission, and reports what can deadlock or take the cluster down. It changes nothing. With no FILE,
or with -, it reads stdin. A resource annotated webhook-guard.dev/ignore: "rule-a,rule-b: why" (or
webhook-guard.dev/ignore.rule-a: "why") suppresses those rules' findings about it; suppressed findings are
counted in the summary and marked in json, sarif and junit. A live-cluster dump (unblock reads the same):
${indent(DUMP)}

Options:
  -o, --format text|compact|json|sarif|junit|mermaid|dot
                         report format (default text); compact: file:line:col: severity rule: message;
                         junit: JUnit XML; mermaid and dot draw the admission graph (and exit 0)
  --fail-on error|warning|info|none[,no-webhooks]
                         exit 1 when a finding is at least this severe (default error);
                         with no-webhooks, also when the input has no webhook at all
  --include RULE[,RULE]  run only these rules (repeatable); the others' findings are reported as suppressed
  --exclude RULE[,RULE]  do not count these rules' findings (repeatable)
  --stdin-name PATH      the name reports give stdin (e.g. the chart's path, for a SARIF upload)
  --namespace NS         namespace of resources that name none (default: each input's most common one)
  -c, --config FILE      a WebhookGuard configuration; its spec.namespace is used
  --help

Exit codes: 0 nothing at or above --fail-on; 1 findings (or unreadable input); 2 usage error;
3 invalid config. The report goes to stdout, errors to stderr.
`;
}

/** checkMain runs `webhook-guard check` with the arguments after `check`. */
export async function checkMain(argv: string[], io: IO): Promise<number> {
  try {
    const STRING = [...FLAGS.check.string];
    const BOOLEAN = [...FLAGS.check.boolean];
    const args = minimist(argv, {
      string: STRING,
      boolean: BOOLEAN,
      alias: { h: 'help', o: 'format', c: 'config' },
      unknown: (arg) => {
        if (arg.startsWith('-') && arg !== '-')
          throw new UsageError(`check: unknown option ${arg.split('=')[0]}${suggest(arg, [...STRING, ...BOOLEAN])}`);
        return true;
      },
    });
    const values = {
      help: args.help === true,
      format: single(args, 'format', 'check'),
      'fail-on': single(args, 'fail-on', 'check'),
      namespace: single(args, 'namespace', 'check'),
      config: single(args, 'config', 'check'),
    };
    // --include/--exclude: repeatable, comma-separated rule ids; checked against the rules that exist.
    const rules = (name: string): string[] | undefined => {
      const v = args[name];
      if (v === undefined) return undefined;
      const ids = [v]
        .flat()
        .flatMap((x) => String(x).split(','))
        .map((x) => x.trim());
      if (ids.includes('')) throw new UsageError(`check: --${name} needs a rule id`);
      return ids;
    };
    let include = rules('include');
    let exclude = rules('exclude');
    const positionals = args._.map(String);
    if (values.help) {
      io.stdout(checkUsage());
      return ExitCode.OK;
    }
    const format = values.format ?? 'text';
    if (!(FORMATS as readonly string[]).includes(format))
      throw new UsageError(`check: --format ${format}: expected ${FORMATS.join(', ')}`);
    const failOnFlag = values['fail-on'] ?? 'error';
    const failOnParts = failOnFlag.split(',');
    const failOnEmpty = failOnParts.includes(NO_WEBHOOKS);
    const severities = failOnParts.filter((p) => p !== NO_WEBHOOKS);
    const failOn = severities.length ? severities[0] : 'error';
    if (severities.length > 1 || !(FAIL_ON as readonly string[]).includes(failOn))
      throw new UsageError(
        `check: --fail-on ${failOnFlag}: expected one of ${FAIL_ON.join(', ')}, optionally with ,${NO_WEBHOOKS}`,
      );
    let namespace = values.namespace;
    if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))
      throw new UsageError(`check: --namespace ${JSON.stringify(namespace)}: not a namespace name`);
    if (values.config !== undefined) {
      const { readConfigFile, validateConfig } = await import('../pipeline/config.js');
      const raw = readConfigFile(values.config);
      await validateConfig(raw, values.config);
      const spec = (raw as { spec?: { namespace?: string; check?: { include?: string[]; exclude?: string[] } } } | undefined)
        ?.spec;
      namespace ??= spec?.namespace;
      include ??= spec?.check?.include;
      exclude ??= spec?.check?.exclude;
    }
    const stdinName = single(args, 'stdin-name', 'check');
    // A name for stdin, so reports (SARIF above all: code scanning wants a path in the repository) point at a file.
    const inputs = await readInputs(positionals, io, 'check', stdinName);
    const { checkInputs } = await import('../check/run.js');
    const known = (await import('../check/rules/index.js')).RULES.map((r) => r.id);
    for (const id of [...(include ?? []), ...(exclude ?? [])])
      if (!known.includes(id)) throw new UsageError(`check: no rule ${id}${suggest(id, known, '')} (rules: ${known.join(', ')})`);
    const result = checkInputs(inputs, { namespace, include, exclude });
    const names = inputs.map((i) => i.source);
    let out: string;
    if (format === 'json') out = (await import('../check/report.js')).jsonReport(result, names, version());
    else if (format === 'sarif') out = (await import('../check/report.js')).sarifReport(result, version());
    else if (format === 'compact') out = (await import('../check/report.js')).compactReport(result);
    else if (format === 'junit') out = (await import('../check/report.js')).junitReport(result);
    else if (format === 'mermaid') out = (await import('../check/graph.js')).mermaid(result.admission, result.findings);
    else if (format === 'dot') out = (await import('../check/graph.js')).dot(result.admission, result.findings);
    else {
      const report = await import('../check/report.js');
      out = report.textReport(result, names, { color: report.useColor(io.stdoutIsTTY, io.env) });
    }
    io.stdout(out);
    if (failOnEmpty && result.noWebhooks) {
      io.stderr('webhook-guard check: no webhooks in the input (--fail-on ' + NO_WEBHOOKS + ')\n');
      return ExitCode.FAILURE;
    }
    if (failOn === 'none' || GRAPHS.includes(format)) return ExitCode.OK;
    return result.findings.some((f) => atLeast(f.severity, failOn as Severity)) ? ExitCode.FAILURE : ExitCode.OK;
  } catch (err) {
    const { text, code } = failureText(err, 'webhook-guard check --help', argv.includes('--stack'));
    io.stderr(text);
    return code;
  }
}
