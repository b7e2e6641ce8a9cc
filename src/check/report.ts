// Findings to text (grouped by severity), JSON, and SARIF 2.1.0 with locations in the input files.
import type { Rule, Severity } from './types.js';
import { SEVERITIES } from './types.js';
import type { CheckResult, Located } from './run.js';

/** Style decides colour: only on a terminal, never with NO_COLOR or TERM=dumb. */
export interface Style {
  color: boolean;
}

/** useColor follows the conventions (no-color.org, FORCE_COLOR): a TTY, no NO_COLOR, not a dumb terminal. */
export function useColor(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}

const COLORS: Record<Severity | 'dim' | 'bold', [number, number]> = {
  error: [31, 39],
  warning: [33, 39],
  info: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

function paint(style: Style, what: keyof typeof COLORS, text: string): string {
  return style.color ? `\x1b[${COLORS[what][0]}m${text}\x1b[${COLORS[what][1]}m` : text;
}

/** counts tallies findings by severity. */
export function counts(findings: Located[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

/** summaryLine is the one-line tally: `2 errors, 30 warnings, 1 info`. */
export function summaryLine(findings: Located[]): string {
  const c = counts(findings);
  if (!findings.length) return 'no findings';
  return `${c.error} error${c.error === 1 ? '' : 's'}, ${c.warning} warning${c.warning === 1 ? '' : 's'}, ${c.info} info`;
}

function where(f: Located): string {
  const l = f.location;
  if (!l.document) return `${l.source} (added by a transform)`;
  return `${l.source}:${l.line}:${l.column} (document ${l.document})`;
}

/** textReport lists the findings grouped by severity, each with where, why (and the documentation), and the fix. */
export function textReport(result: CheckResult, inputs: string[], style: Style = { color: false }): string {
  const { findings } = result;
  const a = result.admission;
  const lines: string[] = [];
  const webhooks = a.webhooks();
  lines.push(
    paint(style, 'bold', 'webhook-guard check') +
      `: ${inputs.length} input${inputs.length === 1 ? '' : 's'} (${inputs.join(', ')}), ` +
      `${webhooks.length} webhook${webhooks.length === 1 ? '' : 's'} ` +
      `(${webhooks.filter((w) => w.failurePolicy === 'Fail').length} Fail), ` +
      `${a.sources().length} pod source${a.sources().length === 1 ? '' : 's'}`,
  );
  if (result.assumptions.length) {
    lines.push('', 'assumed:');
    for (const s of result.assumptions) lines.push(`  - ${s}`);
  }
  for (const sev of SEVERITIES) {
    const group = findings.filter((f) => f.severity === sev);
    if (!group.length) continue;
    lines.push('', paint(style, sev, `${sev.toUpperCase()} (${group.length})`));
    for (const f of group) {
      lines.push(`${paint(style, sev, `[${f.id}]`)} ${f.resourceId}${f.field ? `: ${f.field}` : ''}`);
      lines.push(`  at ${where(f)}`);
      lines.push(`  ${f.message}`);
      lines.push(
        `  ${paint(style, 'dim', 'why:')} ` +
          `${f.why}${f.docs.length ? ` (${f.docs.map((d) => `${d.title}, ${d.url}`).join('; ')})` : ''}`,
      );
      lines.push(`  ${paint(style, 'dim', 'fix:')} ${f.fix}${f.transform ? ` [transform: ${f.transform}]` : ''}`);
    }
  }
  lines.push('', `webhook-guard check: ${summaryLine(findings)}`);
  return lines.join('\n') + '\n';
}

/** jsonFinding is one finding as the JSON report and `--explain` carry it. */
export function jsonFinding(f: Located): Record<string, unknown> {
  return {
    id: f.id,
    severity: f.severity,
    resource: f.resourceId,
    field: f.field,
    file: f.location.source,
    document: f.location.document,
    line: f.location.line,
    column: f.location.column,
    message: f.message,
    why: f.why,
    docs: f.docs,
    fix: f.fix,
    ...(f.transform ? { transform: f.transform } : {}),
    ...(f.assumptions?.length ? { assumptions: f.assumptions } : {}),
  };
}

/** jsonReport is the machine-readable report. */
export function jsonReport(result: CheckResult, inputs: string[], version: string): string {
  return (
    JSON.stringify(
      {
        tool: 'webhook-guard',
        version,
        command: 'check',
        inputs,
        summary: counts(result.findings),
        assumptions: result.assumptions,
        findings: result.findings.map(jsonFinding),
      },
      null,
      2,
    ) + '\n'
  );
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

// artifactUri turns an input name into a relative URI reference (SARIF §3.10); stdin has none of its own.
function artifactUri(source: string): string {
  if (source === '-') return 'stdin';
  return source.replace(/\\/g, '/').replace(/^\.\//, '').split('/').map(encodeURIComponent).join('/');
}

/**
 * sarifReport is a SARIF 2.1.0 log that GitHub code scanning accepts: one run, the rules with their help
 * (why, documentation links), and one result per finding located at its input file, line and column.
 */
export function sarifReport(result: CheckResult, version: string): string {
  const rules: Rule[] = result.rules;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'webhook-guard',
            version,
            semanticVersion: version,
            informationUri: 'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.title },
              helpUri: r.docs[0]?.url,
              help: {
                text: `${r.title}. See: ${r.docs.map((d) => `${d.title} (${d.url})`).join('; ')}`,
                markdown: `${r.title}.\n\n${r.docs.map((d) => `- [${d.title}](${d.url})`).join('\n')}`,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { tags: ['kubernetes', 'admission-webhook', 'reliability'] },
            })),
          },
        },
        columnKind: 'unicodeCodePoints',
        results: result.findings.map((f) => ({
          ruleId: f.id,
          ruleIndex: index.get(f.id),
          level: LEVEL[f.severity],
          message: { text: `${f.message}\nWhy: ${f.why}\nFix: ${f.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(f.location.source), uriBaseId: '%SRCROOT%' },
                region: { startLine: Math.max(1, f.location.line), startColumn: Math.max(1, f.location.column) },
              },
              logicalLocations: [{ fullyQualifiedName: `${f.resourceId}${f.field ? `/${f.field}` : ''}`, kind: 'object' }],
            },
          ],
          partialFingerprints: { 'webhookGuard/v1': fingerprint(`${f.id}|${f.resourceId}|${f.field}`) },
          properties: {
            resource: f.resourceId,
            field: f.field,
            document: f.location.document,
            ...(f.transform ? { transform: f.transform } : {}),
          },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

// fingerprint is a stable FNV-1a hash, so code scanning tracks a finding across line moves.
function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
