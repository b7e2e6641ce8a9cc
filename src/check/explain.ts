// `--explain` for the transform mode: the check findings of the input and of the output, on stderr.
import { checkInputs, type Located } from './run.js';
import { summaryLine } from './report.js';

function line(f: Located): string {
  return `  ${f.severity} [${f.id}] ${f.resourceId}${f.field ? ` ${f.field}` : ''}: ${f.message}`;
}

/**
 * explainFindings checks the input and the transformed output (as bytes, so it sees exactly what will be
 * applied) and says what the transforms resolved and what is left, with each remaining finding's fix (unless
 * the fix is a transform in `ran`, which has just run).
 */
export function explainFindings(input: string, output: string, namespace?: string, ran: string[] = []): string {
  const before = checkInputs([{ source: 'input', text: input }], { namespace }).findings;
  const after = checkInputs([{ source: 'output', text: output }], { namespace }).findings;
  const key = (f: Located) => `${f.id}|${f.resourceId}|${f.field}`;
  const left = new Set(after.map(key));
  const resolved = before.filter((f) => !left.has(key(f)));
  const lines = [`webhook-guard: findings before the transforms: ${summaryLine(before)}`, ...before.map(line)];
  lines.push(`webhook-guard: findings after the transforms: ${summaryLine(after)}`);
  if (resolved.length) {
    const byId = new Map<string, number>();
    for (const f of resolved) byId.set(f.id, (byId.get(f.id) ?? 0) + 1);
    lines.push(`  resolved: ${[...byId].map(([id, n]) => `${id} ×${n}`).join(', ')}`);
  }
  // A fix that names a transform that has just run would send the user in a circle: say why it stayed instead.
  for (const f of after)
    lines.push(
      line(f),
      f.transform && ran.includes(f.transform)
        ? `    ${f.transform} ran and left this as it is; --report text says why`
        : `    fix: ${f.fix}`,
    );
  return lines.join('\n') + '\n';
}
