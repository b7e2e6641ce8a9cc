// Reads plain block-style YAML documents without the `yaml` package, and gives up on anything else.
//
// Loading `yaml` costs about 35 ms and its first parses run cold, which made reading a dozen small
// Services and Deployments the slowest part of a run. Rendered manifests are almost always written in
// a small, regular subset of YAML: block maps and lists, one-line scalars, literal and folded block
// scalars (Kyverno's and Capsule's configuration fold long expressions). This reader handles exactly that
// subset and returns undefined for everything else (anchors, tags, flow collections, multi-line plain
// or quoted scalars, tabs, odd indentation, duplicate keys, ...), so the
// caller falls back to `yaml`. Whatever it accepts it reads as `yaml` does with YAML 1.1 and the
// options in document.ts; test/fast-read.test.ts and the fuzzer compare the two on every corpus
// document and on generated and mutated ones.

/** FastValue wraps what fastRead read, so that a document whose value is null is not mistaken for "gave up". */
export interface FastValue {
  value: unknown;
}

/**
 * Shape is where a node sits in the text, for fast-edit.ts. `last` is the index of the last line
 * holding its content (not counting trailing comments or blank lines).
 */
export type Shape = MapShape | SeqShape | LeafShape;
/** MapShape is a block map: its keys are at column `indent`. */
export interface MapShape {
  kind: 'map';
  indent: number;
  pairs: Array<{ key: string; value: Shape }>;
  last: number;
}
/** SeqShape is a block sequence: its dashes are at column `indent`. */
export interface SeqShape {
  kind: 'seq';
  indent: number;
  items: Shape[];
  last: number;
}
/** LeafShape is a scalar or a flow collection; `start`/`end` are its offsets in the text (quotes included). */
export interface LeafShape {
  kind: 'leaf';
  style: 'plain' | 'single' | 'double' | 'literal' | 'folded' | 'flow' | 'empty';
  start: number;
  end: number;
  last: number;
}

/** FastParse is a document read with its shape. */
export interface FastParse extends FastValue {
  shape: MapShape;
  /** Offset of each line in the text. */
  lineStarts: number[];
}

interface Line {
  /** Offset of the line in the text. */
  start: number;
  /** Leading spaces. */
  indent: number;
  /** The line after its indentation, without the line break (and without a trailing \r). */
  body: string;
  /** Blank, or only a comment: never part of the structure outside block scalars. */
  skip: boolean;
  /** The whole line without the line break, for block scalars. */
  raw: string;
}

// Gave is thrown internally to give up; it never leaves this module.
class Gave extends Error {}
const GIVE_UP = new Gave();

// Characters yaml rejects or treats specially (C0/C1 controls, BOM, NEL and Unicode line breaks, tabs,
// lone carriage returns) send the whole document to `yaml`.
const UNUSUAL =
  /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MARKER_LINE = /^(?:---|\.\.\.)(?:[ \t]|$)/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const SIMPLE_INT = /^-?(?:0|[1-9][0-9]{0,14})$/;
// The other number forms of yaml's YAML 1.1 schema (yaml-1.1/int.js, float.js, timestamp.js): binary,
// octal, decimal with `_` or a sign, hex, .inf/.nan, exponent, float, and base-60 int and float. A plain
// scalar that matches one is left to yaml. Timestamps are not here: document.ts reads them as strings.
const NUMBER_FORMS = [
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
];
const NUMBERISH = /^[-+]?[.0-9]/;
// Plain scalars may not start with these (quotes, block scalars and flow collections are handled first).
const INDICATOR = new Set(['?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);
const MAX_KEY = 1024;
// Deeper documents are left to yaml (and this reader, being recursive, cannot overflow the stack).
const MAX_DEPTH = 64;

/**
 * fastRead reads a document of the plain block subset of YAML to its value, as `yaml` would read it.
 * Returns undefined whenever the document uses anything outside that subset, or might be invalid.
 */
export function fastRead(text: string): FastValue | undefined {
  if (UNUSUAL.test(text)) return undefined;
  try {
    return { value: new Reader(text, false).document() };
  } catch (err) {
    if (err instanceof Gave) return undefined;
    throw err;
  }
}

/** fastParse is fastRead that also gives the shape of the document, for editing it. */
export function fastParse(text: string): FastParse | undefined {
  if (UNUSUAL.test(text)) return undefined;
  try {
    const reader = new Reader(text, true);
    const value = reader.document();
    return { value, shape: reader.shape as MapShape, lineStarts: reader.lines.map((l) => l.start) };
  } catch (err) {
    if (err instanceof Gave) return undefined;
    throw err;
  }
}

class Reader {
  readonly lines: Line[] = [];
  /** Index of the current line. */
  i = 0;
  /** The shape of the node read last, when tracking. */
  shape: Shape | undefined;
  /** Collections open around the current line. */
  depth = 0;

  constructor(
    text: string,
    readonly track: boolean,
  ) {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      let raw = text.slice(start, end);
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      let indent = 0;
      while (raw.charCodeAt(indent) === 32) indent++;
      const body = raw.slice(indent);
      this.lines.push({ start, indent, body, raw, skip: body === '' || body[0] === '#' });
      start = end + 1;
    }
  }

  document(): unknown {
    const lines = this.lines;
    let seenStart = false;
    while (this.i < lines.length && lines[this.i].skip) this.i++;
    if (this.i < lines.length && lines[this.i].indent === 0 && lines[this.i].body.startsWith('---')) {
      const rest = lines[this.i].body.slice(3);
      if (rest !== '' && !/^ +(#.*)?$/.test(rest)) throw GIVE_UP;
      seenStart = true;
      this.i++;
    }
    // Directives, a second document marker or an end marker: leave them to yaml.
    for (let k = seenStart ? this.i : 0; k < lines.length; k++) {
      const l = lines[k];
      if (l.indent === 0 && (MARKER_LINE.test(l.body) || l.body.startsWith('%'))) throw GIVE_UP;
    }
    const first = this.next();
    if (first === undefined || first.indent !== 0 || isItem(first.body)) throw GIVE_UP;
    const value = this.map(0);
    if (this.next() !== undefined) throw GIVE_UP;
    return value;
  }

  /** next skips blank and comment lines and returns the current line, or undefined at the end. */
  next(): Line | undefined {
    while (this.i < this.lines.length && this.lines[this.i].skip) this.i++;
    return this.lines[this.i];
  }

  /** node reads the block collection starting at the current line, which has the given indentation. */
  node(indent: number): unknown {
    const line = this.next()!;
    return isItem(line.body) ? this.seq(indent) : this.map(indent);
  }

  map(indent: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
    const out: Record<string, unknown> = {};
    const shape: MapShape | undefined = this.track ? { kind: 'map', indent, pairs: [], last: this.i } : undefined;
    for (let line = this.next(); line !== undefined && line.indent >= indent; line = this.next()) {
      if (line.indent !== indent || isItem(line.body)) throw GIVE_UP;
      this.pair(out, line.body, indent, shape);
    }
    this.shape = shape;
    this.depth--;
    return out;
  }

  // pair reads `key: value` from `text` (a line's body, or what follows `- ` in a list item) into `out`.
  pair(out: Record<string, unknown>, text: string, indent: number, shape: MapShape | undefined): void {
    const split = splitKey(text);
    if (!split) throw GIVE_UP;
    const [key, rest] = split;
    if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__') throw GIVE_UP;
    out[key] = this.value(rest, indent, true);
    if (shape) {
      shape.pairs.push({ key, value: this.shape! });
      shape.last = this.shape!.last;
    }
  }

  seq(indent: number): unknown[] {
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
    const out: unknown[] = [];
    const shape: SeqShape | undefined = this.track ? { kind: 'seq', indent, items: [], last: this.i } : undefined;
    for (let line = this.next(); line !== undefined && line.indent >= indent; line = this.next()) {
      if (line.indent !== indent || !isItem(line.body)) {
        // An indentless list under a key ends where the map's next key begins.
        if (line.indent === indent) break;
        throw GIVE_UP;
      }
      let k = 1;
      while (line.body[k] === ' ') k++;
      const rest = line.body.slice(k);
      if (isItem(rest)) throw GIVE_UP;
      if (rest !== '' && rest[0] !== '#' && splitKey(rest)) {
        // A compact map: `- key: value`, further keys aligned with the first.
        const inner = indent + k;
        const obj: Record<string, unknown> = {};
        const objShape: MapShape | undefined = shape ? { kind: 'map', indent: inner, pairs: [], last: this.i } : undefined;
        this.pair(obj, rest, inner, objShape);
        for (let more = this.next(); more !== undefined && more.indent > indent; more = this.next()) {
          if (more.indent !== inner || isItem(more.body)) throw GIVE_UP;
          this.pair(obj, more.body, inner, objShape);
        }
        out.push(obj);
        this.shape = objShape;
      } else out.push(this.value(rest, indent, false));
      if (shape) {
        shape.items.push(this.shape!);
        shape.last = this.shape!.last;
      }
    }
    this.shape = shape;
    this.depth--;
    return out;
  }

  /**
   * value reads what follows `key:` or `- ` on the current line, and anything it owns below.
   * `indent` is that of the key or the dash. `inMap` allows an indentless list as the value.
   */
  value(rest: string, indent: number, inMap: boolean): unknown {
    let lead = 0;
    while (rest.charCodeAt(lead) === 32) lead++;
    if (lead) rest = rest.slice(lead);
    const here = this.i;
    let line = this.lines[here];
    let value: unknown;
    let style: LeafShape['style'];
    let length: number;
    if (rest === '' || rest[0] === '#') {
      this.i++;
      const child = this.next();
      const empty = (): null => {
        if (this.track)
          this.shape = {
            kind: 'leaf',
            style: 'empty',
            start: line.start + line.raw.length - rest.length,
            end: line.start + line.raw.length - rest.length,
            last: here,
          };
        return null;
      };
      if (child === undefined || child.indent < indent) return empty();
      if (child.indent === indent) return inMap && isItem(child.body) ? this.seq(indent) : empty();
      // A flow collection alone on the next line (`key:` then `  {}`) is the value too.
      if (child.body[0] !== '[' && child.body[0] !== '{') return this.node(child.indent);
      line = child;
      rest = child.body;
      [value, length] = flow(rest);
      style = 'flow';
    } else if (rest[0] === '|' || rest[0] === '>') return this.literal(rest, indent, inMap);
    else if (rest[0] === '[' || rest[0] === '{') [[value, length], style] = [flow(rest), 'flow'];
    else if (rest[0] === '"' || rest[0] === "'")
      [[value, length], style] = [quoted(rest, false), rest[0] === '"' ? 'double' : 'single'];
    else [[value, length], style] = [plain(rest), 'plain'];
    if (this.track) {
      const start = line.start + line.raw.length - rest.length;
      this.shape = { kind: 'leaf', style, start, end: start + length, last: this.i };
    }
    this.i++;
    // A deeper line after a one-line scalar continues it (or is an error): yaml decides.
    const after = this.next();
    if (after !== undefined && after.indent > indent) throw GIVE_UP;
    return value;
  }

  // literal reads a `|`, `|-`, `>` or `>-` block scalar whose parent node is at `indent`; the current line holds the header.
  // An indentation indicator (`|2`, `|2-`, `|-2`: Helm's toYaml of text that starts with spaces or a blank line) sets
  // the content's indentation to the parent's plus that; only a map value's is read here (a list item's is left to yaml).
  literal(header: string, indent: number, inMap: boolean): string {
    const m = /^([|>])([1-9]?)(-?)([1-9]?)( +#.*)? *$/.exec(header);
    if (!m || (m[2] && m[4])) throw GIVE_UP;
    const folded = m[1] === '>';
    const strip = m[3] === '-';
    const explicit = Number(m[2] || m[4] || 0);
    if (explicit && !inMap) throw GIVE_UP;
    const headerLine = this.lines[this.i];
    const headerStart = headerLine.start + headerLine.raw.length - header.length;
    this.i++;
    const lines = this.lines;
    let start = this.i;
    // Leading empty lines, then the first text line sets the indentation.
    while (start < lines.length && lines[start].body === '') start++;
    if (start >= lines.length) throw GIVE_UP;
    const m0 = explicit ? indent + explicit : lines[start].indent;
    if (m0 <= indent || lines[start].indent < m0) throw GIVE_UP;
    for (let k = this.i; k < start; k++) if (lines[k].raw.length > m0) throw GIVE_UP;
    const parts: string[] = [];
    for (let k = this.i; k < start; k++) parts.push('');
    let k = start;
    let lastText = start;
    for (; k < lines.length; k++) {
      const l = lines[k];
      if (l.body === '') {
        // White space beyond the indentation on an otherwise empty line is content; yaml decides.
        if (l.raw.length > m0) throw GIVE_UP;
        parts.push('');
        continue;
      }
      if (l.indent < m0) break;
      if (l.indent === 0 && MARKER_LINE.test(l.body)) throw GIVE_UP;
      parts.push(l.raw.slice(m0));
      lastText = k;
    }
    const content = parts.slice(0, lastText - this.i + 1);
    const text = folded ? fold(content) : content.join('\n');
    // Trailing empty lines belong to the scalar only for keep chomping (`|+`), which we leave to yaml.
    this.i = lastText + 1;
    if (this.track)
      this.shape = {
        kind: 'leaf',
        style: folded ? 'folded' : 'literal',
        start: headerStart,
        end: lines[lastText].start + lines[lastText].raw.length,
        last: lastText,
      };
    const after = this.next();
    if (after !== undefined && after.indent > indent) throw GIVE_UP;
    return strip ? text : text + '\n';
  }
}

// fold joins a folded scalar's lines as YAML does: a line break between two text lines becomes a space,
// and n empty lines between them become n line breaks; around a line indented past the others (Capsule's
// CEL expressions) breaks are kept, n empty lines giving n + 1. Tabs and trailing white space are left to yaml.
function fold(lines: string[]): string {
  let out = '';
  let empties = 0;
  let previous: 'none' | 'flat' | 'deeper' = 'none';
  for (const line of lines) {
    if (line === '') {
      empties++;
      continue;
    }
    if (line[0] === '\t' || / $|\t$/.test(line)) throw GIVE_UP;
    const deeper = line[0] === ' ';
    if (previous === 'none') out += '\n'.repeat(empties);
    else if (deeper || previous === 'deeper') out += '\n'.repeat(empties + 1);
    else out += empties ? '\n'.repeat(empties) : ' ';
    out += line;
    empties = 0;
    previous = deeper ? 'deeper' : 'flat';
  }
  return out;
}

function isItem(body: string): boolean {
  return body[0] === '-' && (body.length === 1 || body[1] === ' ');
}

// splitKey splits `key: rest` into the key and the rest, or returns undefined if `text` is no simple key.
function splitKey(text: string): [string, string] | undefined {
  const c = text[0];
  if (c === '"' || c === "'") {
    const [key, end] = quoted(text, true);
    if (text[end] !== ':' || (end + 1 < text.length && text[end + 1] !== ' ')) return undefined;
    if (end > MAX_KEY) throw GIVE_UP;
    return [key, text.slice(end + 1)];
  }
  let colon = text.indexOf(':');
  while (colon !== -1 && colon + 1 < text.length && text[colon + 1] !== ' ') colon = text.indexOf(':', colon + 1);
  if (colon <= 0) return undefined;
  const key = text.slice(0, colon);
  // Keys with colons, comments, trailing blanks or odd starts, and keys yaml would read as non-strings.
  if (key.length > MAX_KEY || key.includes(':') || key.includes('#') || key.endsWith(' ')) throw GIVE_UP;
  if (INDICATOR.has(c) || (c === '-' && (key.length === 1 || key[1] === ' '))) throw GIVE_UP;
  if (typeof resolvePlain(key) !== 'string') throw GIVE_UP;
  return [key, text.slice(colon + 1)];
}

// quoted reads a one-line quoted scalar at the start of `text`: its value and the index after the closing quote.
// As a value (asKey false), only a comment may follow it.
function quoted(text: string, asKey: boolean): [string, number] {
  const q = text[0];
  let out = '';
  let k = 1;
  for (;;) {
    if (k >= text.length) throw GIVE_UP;
    const c = text[k];
    if (q === "'") {
      if (c === "'") {
        if (text[k + 1] === "'") {
          out += "'";
          k += 2;
          continue;
        }
        break;
      }
    } else if (c === '"') break;
    else if (c === '\\') {
      const e = ESCAPES[text[k + 1]];
      if (e === undefined) throw GIVE_UP;
      out += e;
      k += 2;
      continue;
    }
    out += c;
    k++;
  }
  k++;
  if (!asKey && !/^( +#.*)? *$/.test(text.slice(k))) throw GIVE_UP;
  return [out, k];
}

// flow reads a one-line flow sequence of scalars (`["v1", "v1beta1"]`, `[ 'NET_BIND_SERVICE' ]`) or an empty
// flow map or sequence; anything else in flow style is left to yaml. Only a comment may follow it.
function flow(text: string): [unknown, number] {
  const empty = /^(\[ *\]|\{ *\})( +#.*)? *$/.exec(text);
  if (empty) return [text[0] === '[' ? [] : {}, empty[1].length];
  if (text[0] !== '[') throw GIVE_UP;
  const out: unknown[] = [];
  let k = 1;
  for (;;) {
    while (text[k] === ' ') k++;
    const c = text[k];
    if (c === '"' || c === "'") {
      const [v, end] = quoted(text.slice(k), true);
      out.push(v);
      k += end;
    } else {
      const m = /^[A-Za-z0-9_./-]+/.exec(text.slice(k));
      if (!m || (m[0][0] === '-' && m[0].length === 1)) throw GIVE_UP;
      out.push(resolvePlain(m[0]));
      k += m[0].length;
    }
    while (text[k] === ' ') k++;
    if (text[k] === ',') {
      k++;
      continue;
    }
    if (text[k] !== ']') throw GIVE_UP;
    break;
  }
  if (!/^( +#.*)? *$/.test(text.slice(k + 1))) throw GIVE_UP;
  return [out, k + 1];
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r' };

// plain reads a one-line plain scalar value, and gives its length in the text.
function plain(rest: string): [unknown, number] {
  const c = rest[0];
  // `?`, `:` and `-` start a plain scalar when a non-space follows (`:8081`, a bind address in Kueue's config).
  const safeStart = (c === '?' || c === ':' || c === '-') && rest.length > 1 && rest[1] !== ' ' && rest[1] !== '\t';
  if (!safeStart && (INDICATOR.has(c) || c === '-')) throw GIVE_UP;
  let end = rest.length;
  const hash = rest.indexOf(' #');
  if (hash !== -1) end = hash;
  while (end > 0 && rest.charCodeAt(end - 1) === 32) end--;
  const s = rest.slice(0, end);
  if (s.includes(': ') || s.endsWith(':')) throw GIVE_UP;
  return [resolvePlain(s), s.length];
}

// resolvePlain gives a plain scalar's YAML 1.1 value: null, a boolean, a small decimal integer, or a string.
// Other numbers are left to yaml.
function resolvePlain(s: string): unknown {
  // The null and boolean forms are at most five characters long, and numbers start with a sign, a dot or a digit.
  if (s.length <= 5) {
    if (NULL.test(s)) return null;
    if (TRUE.test(s)) return true;
    if (FALSE.test(s)) return false;
  }
  const c = s.charCodeAt(0);
  if ((c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57)) && NUMBERISH.test(s)) {
    if (SIMPLE_INT.test(s)) return Number(s);
    // File modes (`defaultMode: 0644`) are the one common octal form.
    if (/^0[0-7]{1,10}$/.test(s)) return parseInt(s.slice(1), 8);
    if (NUMBER_FORMS.some((re) => re.test(s))) throw GIVE_UP;
  }
  if (s === '<<') throw GIVE_UP;
  return s;
}
