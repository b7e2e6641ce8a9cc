// Makes the common edits (a scalar replaced, a key added to a block map, an item appended to a block
// list) to documents fast-read.ts can read, without loading `yaml`, writing exactly the text that the
// yaml-based editor in document.ts writes.
//
// Each edit is the one EditContext in document.ts plans for the same operation, with the same
// placement, indentation and rendering; anything else (flow or empty collections, block scalars,
// values that need YAML's quoting rules beyond the plain and double-quoted cases below, ...) makes
// fastEdit return undefined and the caller uses the yaml-based editor. test/fast-edit.test.ts and
// the fuzzer check that both editors give identical text.
import type { Operation } from 'fast-json-patch';
import { fastParse, type FastParse, type MapShape, type Shape } from './fast-read.js';
import { lineEnding } from './stream.js';

// Unsupported is thrown internally to give up; it never leaves this module.
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

/**
 * fastEdit applies `add` and `replace` operations to a document's text, or returns undefined when one
 * of them is outside what it handles. Like document.ts, it plans as many operations as it can on one
 * reading of the text and reads it again only when an edit meets an earlier one. It does not check the
 * result: the caller reads it back.
 */
export function fastEdit(text: string, ops: Operation[]): string | undefined {
  try {
    let out = text;
    let remaining = ops;
    while (remaining.length) {
      const parsed = fastParse(out);
      if (!parsed) return undefined;
      const ctx: Ctx = { text: out, parsed, nl: lineEnding(out), indentSeq: detectIndentSeq(parsed.shape) };
      const splices: Splice[] = [];
      let taken = 0;
      for (const op of remaining) {
        const s = plan(ctx, op);
        if (splices.some((t) => t.start <= s.end && s.start <= t.end)) break;
        splices.push(s);
        taken++;
      }
      splices.sort((a, b) => b.start - a.start);
      for (const s of splices) out = out.slice(0, s.start) + s.text + out.slice(s.end);
      remaining = remaining.slice(taken);
    }
    return out;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

interface Ctx {
  text: string;
  parsed: FastParse;
  nl: string;
  indentSeq: boolean;
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

function plan(ctx: Ctx, op: Operation): Splice {
  if (op.op !== 'add' && op.op !== 'replace') throw UNSUPPORTED;
  const { text, parsed, nl, indentSeq } = ctx;
  const path = pointer(op.path);
  if (path.length === 0) throw UNSUPPORTED;
  const value = (op as { value: unknown }).value;
  const key = path[path.length - 1];
  let parent: Shape = parsed.shape;
  for (const seg of path.slice(0, -1)) parent = child(parent, seg);

  if (parent.kind === 'map') {
    const pair = parent.pairs.find((p) => p.key === key);
    if (pair) return replaceLeaf(pair.value, value, text);
    // A new key goes on the line after the map's last content, at the column of its keys.
    const { pos, lead } = afterLast(text, parsed.lineStarts, parent, nl);
    const body = ' '.repeat(parent.indent) + renderKey(key) + ':' + afterKey(value, parent.indent, indentSeq, nl);
    return { start: pos, end: pos, text: lead + body + (lead ? '' : nl) };
  }
  if (parent.kind === 'seq') {
    if (!/^(0|[1-9][0-9]*|-)$/.test(key)) throw UNSUPPORTED;
    const index = key === '-' ? parent.items.length : Number(key);
    if (op.op === 'replace') {
      if (index >= parent.items.length) throw UNSUPPORTED;
      return replaceLeaf(parent.items[index], value, text);
    }
    // Inserting before an existing item rewrites the list in document.ts; only appending is done here.
    if (index < parent.items.length) throw UNSUPPORTED;
    const { pos, lead } = afterLast(text, parsed.lineStarts, parent, nl);
    const col = parent.indent;
    const body =
      ' '.repeat(col) +
      '- ' +
      block(value, col + 2, indentSeq, nl)
        .replace(/^ +/, '')
        .replace(/\r?\n$/, '');
    return { start: pos, end: pos, text: lead + body + (lead ? '' : nl) };
  }
  throw UNSUPPORTED;
}

function child(node: Shape, seg: string): Shape {
  if (node.kind === 'map') {
    const pair = node.pairs.find((p) => p.key === seg);
    if (pair) return pair.value;
  } else if (node.kind === 'seq' && /^(0|[1-9][0-9]*)$/.test(seg) && Number(seg) < node.items.length)
    return node.items[Number(seg)];
  throw UNSUPPORTED;
}

// replaceLeaf rewrites a one-line scalar in place, keeping its quoting where the new value allows it. An empty value
// (`replicas:` with nothing after it, a chart's unset value) gets the scalar after a space at the end of its line,
// as yaml writes it (`replicas: ` becomes `replicas:  2`).
function replaceLeaf(leaf: Shape, value: unknown, text: string): Splice {
  if (leaf.kind === 'leaf' && leaf.style === 'empty') {
    const next = text[leaf.start];
    if ((next !== undefined && next !== '\n' && next !== '\r') || (value !== null && typeof value === 'object'))
      throw UNSUPPORTED;
    return { start: leaf.start, end: leaf.start, text: ' ' + inline(value) };
  }
  if (leaf.kind !== 'leaf' || (leaf.style !== 'plain' && leaf.style !== 'single' && leaf.style !== 'double')) throw UNSUPPORTED;
  if (value !== null && typeof value === 'object') throw UNSUPPORTED;
  let out: string;
  if (typeof value === 'string' && !/[\n\r]/.test(value) && leaf.style === 'single') out = `'${value.replace(/'/g, "''")}'`;
  else if (typeof value === 'string' && !/[\n\r]/.test(value) && leaf.style === 'double') out = JSON.stringify(value);
  else out = inline(value);
  return { start: leaf.start, end: leaf.end, text: out };
}

// afterLast is where a new line goes after a collection: at the start of the line after its last
// content line (before blank lines that follow it), as document.ts places it. yaml counts some comment
// lines after a collection as part of it, by rules not worth copying: comments there send the edit to yaml.
function afterLast(text: string, lineStarts: Int32Array, node: Shape, nl: string): { pos: number; lead: string } {
  const last = lastLeaf(node).style;
  if (last === 'empty') throw UNSUPPORTED;
  // After a block scalar, yaml's placement differs from ours only across blank lines, which it counts as the scalar's.
  if ((last === 'literal' || last === 'folded') && node.last + 1 < lineStarts.length) {
    const next = text.slice(
      lineStarts[node.last + 1],
      node.last + 2 < lineStarts.length ? lineStarts[node.last + 2] : text.length,
    );
    if (next.trim() === '') throw UNSUPPORTED;
  }
  for (let k = node.last + 1; k < lineStarts.length; k++) {
    const line = text.slice(lineStarts[k], k + 1 < lineStarts.length ? lineStarts[k + 1] : text.length).trim();
    if (line.startsWith('#')) throw UNSUPPORTED;
    if (line !== '') break;
  }
  const next = node.last + 1;
  if (next < lineStarts.length) return { pos: lineStarts[next], lead: '' };
  return { pos: text.length, lead: text.endsWith('\n') ? '' : nl };
}

function lastLeaf(node: Shape): Shape & { kind: 'leaf' } {
  if (node.kind === 'leaf') return node;
  if (node.kind === 'map') return lastLeaf(node.pairs[node.pairs.length - 1].value);
  return lastLeaf(node.items[node.items.length - 1]);
}

// detectIndentSeq mirrors document.ts: the first list under a key (depth first) tells whether lists are indented.
function detectIndentSeq(root: MapShape): boolean {
  const visit = (node: Shape): boolean | undefined => {
    if (node.kind === 'map') {
      for (const p of node.pairs) {
        if (p.value.kind === 'seq') return p.value.indent > node.indent;
        const v = visit(p.value);
        if (v !== undefined) return v;
      }
    } else if (node.kind === 'seq') {
      for (const item of node.items) {
        const v = visit(item);
        if (v !== undefined) return v;
      }
    }
    return undefined;
  };
  return visit(root) ?? true;
}

/**
 * renderDocument writes a non-empty map as toYaml writes a document (what webhook-guard adds: budgets, namespaces),
 * without loading `yaml`, or returns undefined where it cannot be sure of writing the same text.
 */
export function renderDocument(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isEmpty(value)) return undefined;
  try {
    return render(value, 0, true).join('\n') + '\n';
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

// The renderers below give what yaml's stringify gives with document.ts's options (YAML 1.1, no line
// folding) for plain data, or throw UNSUPPORTED.

function afterKey(value: unknown, col: number, indentSeq: boolean, nl: string): string {
  if (value === null || typeof value !== 'object' || isEmpty(value)) return ' ' + inline(value);
  const indent = Array.isArray(value) && !indentSeq ? col : col + 2;
  return nl + block(value, indent, indentSeq, nl).replace(/\r?\n$/, '');
}

function block(value: unknown, indent: number, indentSeq: boolean, nl: string): string {
  if (value === null || typeof value !== 'object' || isEmpty(value)) return ' '.repeat(indent) + inline(value) + nl;
  const pad = ' '.repeat(indent);
  return (
    render(value, 0, indentSeq)
      .map((l) => (l === '' ? l : pad + l))
      .join(nl) + nl
  );
}

// render lays out a non-empty collection as yaml's block style does, one string per line, at column `col`.
function render(value: object, col: number, indentSeq: boolean): string[] {
  const pad = ' '.repeat(col);
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === null || typeof item !== 'object' || isEmpty(item)) {
        out.push(`${pad}- ${inline(item)}`);
        continue;
      }
      const inner = render(item, col + 2, indentSeq);
      out.push(`${pad}- ${inner[0].slice(col + 2)}`, ...inner.slice(1));
    }
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const key = renderKey(k);
    if (v === null || typeof v !== 'object' || isEmpty(v)) out.push(`${pad}${key}: ${inline(v)}`);
    else out.push(`${pad}${key}:`, ...render(v, Array.isArray(v) && !indentSeq ? col : col + 2, indentSeq));
  }
  return out;
}

function renderKey(key: string): string {
  if (key.length > 1000) throw UNSUPPORTED;
  return scalar(key);
}

function inline(value: unknown): string {
  if (typeof value === 'string' && /[\n\r\t\u0000-\u001f]/.test(value)) return JSON.stringify(value);
  if (value !== null && typeof value === 'object') {
    if (!isEmpty(value)) throw UNSUPPORTED;
    return Array.isArray(value) ? '[]' : '{}';
  }
  return scalar(value);
}

const NEEDS_QUOTES = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const RESERVED = /^(?:~|[Nn]ull|NULL|Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF|<<)?$/;

// scalar renders a string, number, boolean or null as yaml does outside flow collections.
function scalar(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw UNSUPPORTED;
    return String(value);
  }
  if (typeof value !== 'string') throw UNSUPPORTED;
  // A version of three or more numbers (`0.12.4`, a chart's app version label) is no number to YAML 1.1 or Go: plain.
  if (/^[0-9]+(?:\.[0-9]+){2,}$/.test(value)) return value;
  // Printable ASCII without backslashes, and nothing that could read as a number or a document marker:
  // then yaml writes it plain, or quoted: single quotes for a double quote alone (nothing to escape),
  // else double quotes exactly as JSON writes them (Kyverno's matchConditions are JSON with both).
  if (!/^[\x20-\x7e]*$/.test(value) || value.includes('\\') || /^(%|---|\.\.\.)/.test(value) || /^[-+]?[.0-9]/.test(value))
    throw UNSUPPORTED;
  if (!NEEDS_QUOTES.test(value) && !RESERVED.test(value)) return value;
  if (!value.includes('"')) return `"${value}"`;
  return value.includes("'") ? JSON.stringify(value) : `'${value}'`;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function pointer(p: string): string[] {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
