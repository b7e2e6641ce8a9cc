// Turns changes and warnings into the stderr summary, the text report and the JSON report.
import type { Change, Note, Warning } from '../transform.js';

/** REDACTED replaces Secret payloads wherever a report would show them. */
export const REDACTED = '(redacted)';

const PAYLOAD = /^(data|stringData|binaryData)(\/|$)/;

/**
 * redact hides Secret data in a change: reports never carry its values. Only Secret content is secret: a
 * ConfigMap change (Kyverno's webhook selectors and conditions) is shown, so a reviewer can review it.
 */
export function redact(change: Change): Change {
  const kind = change.resource.split(' ')[1];
  if (kind !== 'Secret') return change;
  const out = { ...change };
  if (PAYLOAD.test(change.path)) {
    if (out.before !== undefined) out.before = REDACTED;
    if (out.after !== undefined) out.after = REDACTED;
  } else if (change.path === '') {
    out.after = redactObject(change.after);
  }
  return out;
}

function redactObject(obj: unknown): unknown {
  if (obj === null || typeof obj !== 'object') return obj;
  const copy = { ...(obj as Record<string, unknown>) };
  for (const key of ['data', 'stringData', 'binaryData']) {
    if (copy[key] && typeof copy[key] === 'object')
      copy[key] = Object.fromEntries(Object.keys(copy[key] as object).map((k) => [k, REDACTED]));
  }
  return copy;
}

/**
 * summary is the short stderr line printed after every run unless --quiet. When nothing changes it says so, and why, from
 * the transforms' notes: `nothing to change: every webhook is already safe (exclude-namespaces: 2 webhooks failing open
 * (Ignore), …)`; with warnings (what was left as it is and needs a look) it counts them instead of calling every webhook
 * safe: `nothing to change (…); 2 warnings`.
 */
export function summary(changes: Change[], warnings: Warning[], notes: Note[] = []): string {
  const warned = warnings.length ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : '';
  if (!changes.length) {
    const why = reasons(notes);
    if (!why) return `webhook-guard: nothing to change${warned}`;
    return warned
      ? `webhook-guard: nothing to change (${why})${warned}`
      : `webhook-guard: nothing to change: every webhook is already safe (${why})`;
  }
  const added = changes.filter((c) => c.document === -1).length;
  const removed = changes.filter(removesDocument).length;
  const fields = changes.filter((c) => c.document !== -1 && !removesDocument(c));
  const resources = new Set(fields.map((c) => c.resource)).size;
  const byTransform = new Map<string, number>();
  for (const c of changes) byTransform.set(c.transform, (byTransform.get(c.transform) ?? 0) + 1);
  const parts: string[] = [];
  if (fields.length)
    parts.push(
      `${fields.length} field${fields.length === 1 ? '' : 's'} changed in ${resources} resource${resources === 1 ? '' : 's'}`,
    );
  if (added) parts.push(`${added} resource${added === 1 ? '' : 's'} added`);
  if (removed) parts.push(`${removed} resource${removed === 1 ? '' : 's'} removed`);
  const detail = [...byTransform].map(([t, n]) => `${t} ${n}`).join(', ');
  return `webhook-guard: ${parts.join(', ')}${detail ? ` (${detail})` : ''}${warned}`;
}

/**
 * removesDocument tells a change that took a whole input document out of the output (drop-webhooks, as the user asked)
 * from one that edited a field: it is a resource removed, not a field changed.
 */
export function removesDocument(c: Change): boolean {
  return c.document !== -1 && c.path === '' && c.after === undefined;
}

// reasons sums up the notes by transform: `exclude-namespaces: 2 webhooks failing open (Ignore)`; empty without notes.
function reasons(notes: Note[]): string {
  const byTransform = new Map<string, Map<string, number>>();
  for (const n of notes) {
    const shorts = byTransform.get(n.transform) ?? new Map<string, number>();
    shorts.set(n.short, (shorts.get(n.short) ?? 0) + 1);
    byTransform.set(n.transform, shorts);
  }
  return [...byTransform]
    .map(([t, shorts]) => `${t}: ${[...shorts].map(([s, n]) => `${n} webhook${n === 1 ? '' : 's'} ${s}`).join(', ')}`)
    .join('; ');
}

/** warningLines renders warnings for stderr, each with its fix command where there is one. */
export function warningLines(warnings: Warning[]): string[] {
  return warnings.map(
    (w) =>
      `webhook-guard: warning: ${w.transform}: ` +
      `${w.resource ? `${w.resource}: ` : ''}${w.message}${w.command ? `\n    ${w.command}` : ''}`,
  );
}

/** textReport lists every change with its reason, then the warnings, then what was left alone and why. */
export function textReport(changes: Change[], warnings: Warning[], notes: Note[] = []): string {
  const lines: string[] = [];
  for (const raw of changes) {
    const c = redact(raw);
    if (c.document === -1) {
      lines.push(`+ ${c.transform}: added ${c.resource}`, `    why: ${c.why}`);
      continue;
    }
    // The whole document as it was would be a screenful of JSON on one line; the input has it, and the JSON report.
    if (removesDocument(c)) {
      lines.push(`- ${c.transform}: removed ${c.resource} (document ${c.document + 1})`, `    why: ${c.why}`);
      continue;
    }
    lines.push(`~ ${c.transform}: ${c.resource} (document ${c.document + 1}): ${c.path}`);
    lines.push(`    ${show(c.before)} -> ${show(c.after)}`, `    why: ${c.why}`);
  }
  for (const w of warnings)
    lines.push(
      `! ${w.transform}: ${w.resource ? `${w.resource}: ` : ''}${w.message}${w.command ? `\n    run: ${w.command}` : ''}`,
    );
  for (const n of notes) lines.push(`= ${n.transform}: ${n.resource ? `${n.resource}: ` : ''}${n.message}`);
  if (!lines.length) lines.push('no changes');
  return lines.join('\n') + '\n';
}

/**
 * jsonReport is the machine-readable report: `document` is the document's number in the input, from 1 as in the text
 * report and `check` (null for a document webhook-guard added); `notes` say what was left as it is and why.
 */
export function jsonReport(changes: Change[], warnings: Warning[], version: string, notes: Note[] = []): string {
  const numbered = changes.map((c) => ({ ...redact(c), document: c.document === -1 ? null : c.document + 1 }));
  return JSON.stringify({ tool: 'webhook-guard', version, changes: numbered, warnings, notes }, null, 2) + '\n';
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}
