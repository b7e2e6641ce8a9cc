// Findings to text (by severity, one entry per rule and resource), JSON, and SARIF 2.1.0 located in the input files.
import { escapeControls } from '../text.js';
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

/** Group is the findings of one rule on one resource: a webhook configuration's webhooks, a Service, a workload. */
export interface Group {
  id: string;
  severity: Severity;
  resourceId: string;
  findings: Located[];
}

/** groupFindings groups findings by severity, rule and resource, in report order (the first finding's place). */
export function groupFindings(findings: Located[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of findings) {
    const key = `${f.severity}|${f.id}|${f.location.source}|${f.resourceId}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { id: f.id, severity: f.severity, resourceId: f.resourceId, findings: [] }));
    g.findings.push(f);
  }
  return [...groups.values()];
}

const whyOf = (f: Located): string =>
  `${f.why}${f.docs.length ? ` (${f.docs.map((d) => `${d.title}, ${d.url}`).join('; ')})` : ''}`;
const fixOf = (f: Located): string => `${f.fix}${f.transform ? ` [transform: ${f.transform}]` : ''}`;
const distinct = (values: string[]): string[] => [...new Set(values)];

/**
 * textReport lists the findings by severity, one entry per rule and resource (a webhook configuration lists its
 * webhooks), each with where and what. A rule's why (with its documentation) and fix are printed once, in the
 * closing RULES section, when every finding of the rule shares them; otherwise with the entry they belong to.
 */
export function textReport(result: CheckResult, inputs: string[], style: Style = { color: false }): string {
  // Names and values come from the charts: their control characters must not reach the terminal raw.
  const findings = result.findings.map(printable);
  inputs = inputs.map(escapeControls);
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
  if (result.noWebhooks)
    lines.push('', 'no webhooks: the input has no admission webhook, CRD conversion webhook or runtime webhook configuration');
  if (result.assumptions.length) {
    lines.push('', 'assumed:');
    for (const s of result.assumptions) lines.push(`  - ${escapeControls(s)}`);
  }
  // A rule's why and fix go to the RULES section when all its findings share them.
  const shared = new Map<string, { why?: string; fix?: string }>();
  for (const id of distinct(findings.map((f) => f.id))) {
    const of = findings.filter((f) => f.id === id);
    const whys = distinct(of.map(whyOf));
    const fixes = distinct(of.map(fixOf));
    shared.set(id, { why: whys.length === 1 ? whys[0] : undefined, fix: fixes.length === 1 ? fixes[0] : undefined });
  }
  const groups = groupFindings(findings);
  for (const sev of SEVERITIES) {
    const these = groups.filter((g) => g.severity === sev);
    if (!these.length) continue;
    const n = these.reduce((sum, g) => sum + g.findings.length, 0);
    const entries = `${these.length} entr${these.length === 1 ? 'y' : 'ies'}`;
    lines.push('', paint(style, sev, `${sev.toUpperCase()} (${n}${n === these.length ? '' : ` in ${entries}`})`));
    for (const g of these) {
      const { why, fix } = shared.get(g.id)!;
      const whys = why ? [] : distinct(g.findings.map(whyOf));
      const fixes = fix ? [] : distinct(g.findings.map(fixOf));
      const first = g.findings[0];
      if (g.findings.length === 1) {
        lines.push(`${paint(style, sev, `[${g.id}]`)} ${g.resourceId}${first.field ? `: ${first.field}` : ''}`);
        lines.push(`  at ${where(first)}`);
        lines.push(`  ${first.message}`);
      } else {
        lines.push(`${paint(style, sev, `[${g.id}]`)} ${g.resourceId} (${g.findings.length} findings)`);
        lines.push(`  at ${where(first)}`);
        for (const f of g.findings) {
          const at = f.location.document ? ` (line ${f.location.line})` : '';
          lines.push(`  - ${f.field || 'the resource'}${at}: ${f.message}`);
          // Only what differs between the findings of one entry is repeated per finding.
          if (whys.length > 1) lines.push(`    ${paint(style, 'dim', 'why:')} ${whyOf(f)}`);
          if (fixes.length > 1) lines.push(`    ${paint(style, 'dim', 'fix:')} ${fixOf(f)}`);
        }
      }
      if (whys.length === 1) lines.push(`  ${paint(style, 'dim', 'why:')} ${whys[0]}`);
      if (fixes.length === 1) lines.push(`  ${paint(style, 'dim', 'fix:')} ${fixes[0]}`);
    }
  }
  const rules = result.rules.filter((r) => shared.get(r.id)?.why || shared.get(r.id)?.fix);
  if (rules.length) {
    lines.push('', paint(style, 'bold', 'RULES'));
    for (const r of rules) {
      const { why, fix } = shared.get(r.id)!;
      lines.push(`[${r.id}] ${r.title}`);
      if (why) lines.push(`  ${paint(style, 'dim', 'why:')} ${why}`);
      if (fix) lines.push(`  ${paint(style, 'dim', 'fix:')} ${fix}`);
    }
  }
  lines.push('', `webhook-guard check: ${summaryLine(findings)}${suppressedLine(result.suppressed)}`);
  return lines.join('\n') + '\n';
}

// printable is a finding whose texts from the input have their control characters escaped.
function printable(f: Located): Located {
  return {
    ...f,
    message: escapeControls(f.message),
    why: escapeControls(f.why),
    fix: escapeControls(f.fix),
    resourceId: escapeControls(f.resourceId),
    field: escapeControls(f.field),
    location: { ...f.location, source: escapeControls(f.location.source) },
  };
}

/** suppressedLine counts the suppressed findings for the summary: `; 3 suppressed (2 by annotation, 1 by configuration)`. */
export function suppressedLine(suppressed: Located[]): string {
  if (!suppressed.length) return '';
  const by = (kind: string) => suppressed.filter((f) => f.suppressed?.kind === kind).length;
  const parts = [
    ...(by('annotation') ? [`${by('annotation')} by annotation`] : []),
    ...(by('configuration') ? [`${by('configuration')} by configuration`] : []),
  ];
  return `; ${suppressed.length} suppressed (${parts.join(', ')})`;
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
    ...(f.suppressed ? { suppressed: f.suppressed } : {}),
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
        summary: { ...counts(result.findings), suppressed: result.suppressed.length },
        noWebhooks: result.noWebhooks,
        assumptions: result.assumptions,
        findings: [...result.findings, ...result.suppressed].map(jsonFinding),
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
        results: [...result.findings, ...result.suppressed].map((f) => ({
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
          // SARIF's own field: an annotation in the input is `inSource`, the configuration `external`.
          ...(f.suppressed
            ? {
                suppressions: [
                  {
                    kind: f.suppressed.kind === 'annotation' ? 'inSource' : 'external',
                    justification: f.suppressed.justification,
                  },
                ],
              }
            : {}),
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

/** compactReport is one line per finding, as compilers and linters print them: `file:line:col: severity rule: message`. */
export function compactReport(result: CheckResult): string {
  return result.findings
    .map(printable)
    .map((f) => `${f.location.source}:${f.location.line}:${f.location.column}: ${f.severity} ${f.id}: ${f.message}\n`)
    .join('');
}

const xml = (s: string): string =>
  escapeControls(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * junitReport is JUnit XML for CI systems that show test reports: a test suite per rule, a test case per finding
 * (a failure for errors and warnings, passing with its message for info), and a passing case for a rule without any.
 */
export function junitReport(result: CheckResult): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = result.findings.filter((f) => f.severity !== 'info').length;
  const all = [...result.findings, ...result.suppressed];
  const cases = result.rules.reduce((n, r) => n + Math.max(1, all.filter((f) => f.id === r.id).length), 0);
  out.push(`<testsuites name="webhook-guard check" tests="${cases}" failures="${failures}">`);
  for (const rule of result.rules) {
    const own = result.findings.filter((f) => f.id === rule.id);
    const quiet = result.suppressed.filter((f) => f.id === rule.id);
    const bad = own.filter((f) => f.severity !== 'info').length;
    const tests = Math.max(1, own.length + quiet.length);
    out.push(`  <testsuite name="${xml(rule.id)}" tests="${tests}" failures="${bad}" skipped="${quiet.length}">`);
    if (!own.length && !quiet.length) out.push(`    <testcase classname="${xml(rule.id)}" name="${xml(rule.title)}"/>`);
    // Suppressed findings are skipped test cases: visible in the CI's report, never failing it.
    for (const f of quiet)
      out.push(
        `    <testcase classname="${xml(rule.id)}" name="${xml(`${f.resourceId}${f.field ? ` ${f.field}` : ''}`)}">`,
        `      <skipped message="${xml(`suppressed (${f.suppressed!.kind}): ${f.suppressed!.justification}`)}"/>`,
        '    </testcase>',
      );
    for (const f of own) {
      const name = `${f.resourceId}${f.field ? ` ${f.field}` : ''}`;
      const where = `${f.location.source}:${f.location.line}:${f.location.column}`;
      out.push(`    <testcase classname="${xml(rule.id)}" name="${xml(name)}" file="${xml(f.location.source)}">`);
      if (f.severity === 'info') out.push(`      <system-out>${xml(`${where}: ${f.message}`)}</system-out>`);
      else
        out.push(
          `      <failure type="${f.severity}" ` +
            `message="${xml(f.message)}">${xml(`${where}\n${f.message}\nFix: ${f.fix}`)}</failure>`,
        );
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
