// Edits JSON text held in a YAML string in place: only changed values are rewritten, in the text's own style.

/** JsonStyle is how a JSON text is laid out: indented (`indent` set) or on one line, with its separators. */
export interface JsonStyle {
  /** One level of indentation for multi-line JSON; undefined for single-line JSON. */
  indent?: string;
  /** What follows a key: `:` (Go's json.Marshal, Helm's toJson) or `: `. */
  colon: string;
  /** What separates items on one line: `,` or `, `. */
  comma: string;
}

interface JsonNode {
  start: number;
  end: number;
  members?: Array<{ key: string; node: JsonNode }>;
  items?: JsonNode[];
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * editJson rewrites the JSON `text` (which must parse to `before`) so that it parses to `after`, keeping
 * every unchanged byte: changed values are replaced, new keys and items are inserted after the last ones,
 * each laid out like the container that receives them (on one line, or one item per line). Removed keys
 * and shortened lists re-serialise their container. Throws SyntaxError when `text` is not JSON.
 */
export function editJson(text: string, before: unknown, after: unknown): string {
  const root = parse(text);
  const style = detectStyle(text);
  const splices: Splice[] = [];
  diff(text, root, before, after, style, splices);
  let out = text;
  for (const s of splices.sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/**
 * stringifyJson writes a value in a style: one item per line when the style has an indent (continuation
 * lines start with `lineIndent`), else on one line with the style's separators.
 */
export function stringifyJson(value: unknown, style: JsonStyle, lineIndent = ''): string {
  if (style.indent !== undefined) return JSON.stringify(value, null, style.indent).replace(/\n/g, '\n' + lineIndent);
  if (Array.isArray(value)) return '[' + value.map((v) => stringifyJson(v, style)).join(style.comma) + ']';
  if (isPlainObject(value)) {
    const parts = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => JSON.stringify(k) + style.colon + stringifyJson(v, style));
    return '{' + parts.join(style.comma) + '}';
  }
  return JSON.stringify(value);
}

/**
 * detectStyle reads the layout of a JSON text: the indentation unit when it spans lines, and the spacing
 * after colons and after commas that do not end a line (Go's json.Marshal and Helm's toJson use none).
 */
export function detectStyle(text: string): JsonStyle {
  let colons = 0;
  let spacedColons = 0;
  let commas = 0;
  let spacedCommas = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = skipString(text, i) - 1;
    else if (c === ':') {
      colons++;
      if (text[i + 1] === ' ') spacedColons++;
    } else if (c === ',' && !/^[ \t]*\r?\n/.test(text.slice(i + 1, i + 80))) {
      commas++;
      if (text[i + 1] === ' ') spacedCommas++;
    }
  }
  const style: JsonStyle = { colon: spacedColons * 2 > colons ? ': ' : ':', comma: spacedCommas * 2 > commas ? ', ' : ',' };
  // JSON strings cannot hold a raw line break, so one inside the text means the JSON is laid out on lines.
  const body = text.trim();
  if (body.includes('\n')) {
    const first = leadingIndent(text, text.indexOf(body[0]));
    const next = /\n([ \t]*)\S/.exec(body)?.[1] ?? '';
    style.indent = next.startsWith(first) && next.length > first.length ? next.slice(first.length) : '  ';
  }
  return style;
}

function diff(text: string, node: JsonNode, before: unknown, after: unknown, style: JsonStyle, out: Splice[]): void {
  if (deepEqual(before, after)) return;
  // A container written on one line stays on one line, even inside JSON laid out on lines.
  const own = text.slice(node.start, node.end).includes('\n') ? style : { ...style, indent: undefined };
  if (node.members && isPlainObject(before) && isPlainObject(after)) {
    const removed = Object.keys(before).some((k) => !(k in after));
    const added = Object.keys(after).filter((k) => !(k in before) && after[k] !== undefined);
    if (!removed && (node.members.length || !added.length)) {
      for (const m of node.members) if (m.key in after) diff(text, m.node, before[m.key], after[m.key], style, out);
      if (added.length) {
        const last = node.members[node.members.length - 1].node;
        const [lead, indent] = separator(text, last, own);
        const body = added.map((k) => JSON.stringify(k) + own.colon + stringifyJson(after[k], own, indent)).join(lead);
        out.push({ start: last.end, end: last.end, text: lead + body });
      }
      return;
    }
  }
  if (
    node.items &&
    Array.isArray(before) &&
    Array.isArray(after) &&
    after.length >= before.length &&
    (node.items.length || after.length === before.length)
  ) {
    node.items.forEach((item, i) => diff(text, item, before[i], after[i], style, out));
    if (after.length > before.length) {
      const last = node.items[node.items.length - 1];
      const [lead, indent] = separator(text, last, own);
      out.push({
        start: last.end,
        end: last.end,
        text:
          lead +
          after
            .slice(before.length)
            .map((v) => stringifyJson(v, own, indent))
            .join(lead),
      });
    }
    return;
  }
  out.push({ start: node.start, end: node.end, text: stringifyJson(after, own, leadingIndent(text, node.start)) });
}

// separator is what goes between the last member of a container and a new one, and the indentation of
// the new one's continuation lines: the style's comma on one line, or a line break and the last
// member's own indentation.
function separator(text: string, last: JsonNode, style: JsonStyle): [string, string] {
  if (style.indent === undefined) return [style.comma, ''];
  const indent = leadingIndent(text, last.start);
  return [',\n' + indent, indent];
}

// leadingIndent is the whitespace that starts the line holding `offset`.
function leadingIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function parse(text: string): JsonNode {
  JSON.parse(text);
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const value = (): JsonNode => {
    ws();
    const start = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const members: Array<{ key: string; node: JsonNode }> = [];
      ws();
      if (text[pos] === '}') pos++;
      else
        for (;;) {
          ws();
          const keyEnd = skipString(text, pos);
          const key = JSON.parse(text.slice(pos, keyEnd)) as string;
          pos = keyEnd;
          ws();
          pos++; // ':'
          members.push({ key, node: value() });
          ws();
          if (text[pos++] === '}') break;
        }
      return { start, end: pos, members };
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      ws();
      if (text[pos] === ']') pos++;
      else
        for (;;) {
          items.push(value());
          ws();
          if (text[pos++] === ']') break;
        }
      return { start, end: pos, items };
    }
    if (c === '"') pos = skipString(text, pos);
    else while (pos < text.length && /[^\s,\]}]/.test(text[pos])) pos++;
    return { start, end: pos };
  };
  return value();
}

// skipString returns the offset just past the JSON string that starts at `at`.
function skipString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
