// Finds the line and column of a field path inside a document's text: by indentation for block style, else by parsing.
import type { Document, Node } from 'yaml';
import { parseYaml, yaml } from './load.js';
import { goSeparatorLength, type Segment } from './stream.js';

type LineCounterLike = InstanceType<ReturnType<typeof yaml>['LineCounter']>;

// PARSE_LIMIT is the largest document parsed only to find a line (a CRD schema can be megabytes).
const PARSE_LIMIT = 512 * 1024;

const parsed = new WeakMap<Segment, { doc: Document; counter: LineCounterLike } | null>();

function parse(d: Segment): { doc: Document; counter: LineCounterLike } | null {
  if (parsed.has(d)) return parsed.get(d)!;
  let out: { doc: Document; counter: LineCounterLike } | null = null;
  try {
    const counter = new (yaml().LineCounter)();
    // Without a first line only Go reads as a separator (`---#…`): the line break stays, so lines keep their numbers.
    const doc = parseYaml(d.text.slice(goSeparatorLength(d.text)), { lineCounter: counter });
    out = { doc, counter };
  } catch {
    out = null;
  }
  parsed.set(d, out);
  return out;
}

/**
 * positionOf finds `path` inside a segment: the line (from 0, relative to the segment) and column (from 1)
 * of its deepest key or item the text has. Block style is followed by indentation, without parsing; flow
 * and JSON documents are parsed unless they are huge. Undefined when not even the first step is found.
 */
export function positionOf(seg: Segment, path: Array<string | number>): { line: number; column: number } | undefined {
  const found = scan(seg, path);
  if (found) return found;
  const p = seg.text.length <= PARSE_LIMIT ? parse(seg) : null;
  if (p) {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? (p.doc.contents as Node | null) : findNode(p.doc, path.slice(0, n));
      if (node?.range) {
        const pos = p.counter.linePos(node.range[0]);
        return { line: pos.line - 1, column: pos.col };
      }
    }
  }
  return undefined;
}

// findNode walks a path through maps and sequences; for a map entry it returns the key, so the line is the key's.
function findNode(doc: Document, path: Array<string | number>): Node | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined;
  for (const seg of path) {
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(seg));
      if (!pair) return undefined;
      found = pair.key as Node;
      node = pair.value;
    } else if (yaml().isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return undefined;
      found = item as Node;
      node = item;
    } else return undefined;
  }
  return found;
}

interface Line {
  /** Leading spaces. */
  indent: number;
  /** True when the line starts (after its indentation) with a `- ` item marker. */
  item: boolean;
  /** Column of the content, after the indentation and any item markers, from 0. */
  column: number;
  text: string;
}

const lineCache = new WeakMap<Segment, Line[]>();

function linesOf(d: Segment): Line[] {
  let out = lineCache.get(d);
  if (out) return out;
  out = d.text.split('\n').map((raw) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const indent = /^ */.exec(text)![0].length;
    let column = indent;
    while (text[column] === '-' && (text[column + 1] === ' ' || column + 1 === text.length)) {
      column++;
      while (text[column] === ' ') column++;
    }
    return { indent, item: column > indent, column, text };
  });
  lineCache.set(d, out);
  return out;
}

function significant(l: Line): boolean {
  const rest = l.text.slice(l.column);
  if (rest === '' && !l.item) return false;
  // Every `---` line of a segment is a separator (`---#…` too, see GoSeparators).
  return !rest.startsWith('#') && !/^(?:---|\.\.\.(?:\s|$))/.test(l.text) && !l.text.startsWith('%');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * scan finds a path in a block-style YAML document by indentation alone, without parsing it: the line
 * (from 0, relative to the document) and column (from 1) of the deepest key or item of the path it
 * reaches. Returns undefined when it cannot follow the first step (flow style, JSON).
 */
function scan(d: Segment, path: Array<string | number>): { line: number; column: number } | undefined {
  const ls = linesOf(d);
  let lo = 0;
  let hi = ls.length;
  let best: { line: number; column: number } | undefined;
  // An item's first line holds the item's content after its `- ` marker.
  let itemLine = -1;
  for (const seg of path) {
    let start = lo;
    while (start < hi && !significant(ls[start])) start++;
    if (start >= hi) break;
    if (typeof seg === 'number') {
      const first = ls[start];
      if (!first.item || start === itemLine) break;
      const m = first.indent;
      let n = -1;
      let at = -1;
      for (let i = start; i < hi; i++) {
        const l = ls[i];
        if (!significant(l)) continue;
        if (l.indent < m) break;
        if (l.indent === m && l.item && ++n === seg) {
          at = i;
          break;
        }
      }
      if (at < 0) break;
      let end = at + 1;
      while (end < hi && (!significant(ls[end]) || ls[end].indent > m)) end++;
      best = { line: at, column: m + 1 };
      lo = at;
      hi = end;
      itemLine = at;
      continue;
    }
    // A bare `-` line: the item's content starts on the next line.
    if (ls[start].item && ls[start].text.slice(ls[start].column).trim() === '') {
      start++;
      while (start < hi && !significant(ls[start])) start++;
      if (start >= hi) break;
    }
    const col = ls[start].column;
    const key = new RegExp(`^(["']?)${escape(String(seg))}\\1[ \t]*:(\\s|$)`);
    let at = -1;
    for (let i = start; i < hi; i++) {
      const l = ls[i];
      if (!significant(l)) continue;
      if (i !== start && l.indent < col) break;
      if (l.column === col && key.test(l.text.slice(col))) {
        at = i;
        break;
      }
    }
    if (at < 0) break;
    let end = at + 1;
    while (end < hi && (!significant(ls[end]) || ls[end].indent > col || (ls[end].indent === col && ls[end].item))) end++;
    best = { line: at, column: col + 1 };
    lo = at + 1;
    hi = end;
    itemLine = -1;
  }
  if (!path.length) {
    const first = ls.findIndex(significant);
    return first < 0 ? undefined : { line: first, column: ls[first].column + 1 };
  }
  return best;
}
