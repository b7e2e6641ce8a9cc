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

/** FastParse is the shape of a document, read as fastRead reads it but without making its value. */
export interface FastParse {
  shape: MapShape;
  /** Offset of each line in the text. */
  lineStarts: Int32Array;
}

// Gave is thrown internally to give up; it never leaves this module.
class Gave extends Error {}
const GIVE_UP = new Gave();

// Characters yaml rejects or treats specially (C0/C1 controls, BOM, NEL and Unicode line breaks, tabs,
// lone carriage returns) send the whole document to `yaml`.
// One class holds every character of UNUSUAL (surrogates whole): most documents have none, and are told so by one
// cheap search; a lone carriage return is searched for only where there is a carriage return.
const UNUSUAL_CLASS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;
const unusual = (text: string): boolean =>
  (UNUSUAL_CLASS.test(text) && UNUSUAL.test(text)) || (text.includes('\r') && /\r(?!\n)/.test(text));
const UNUSUAL =
  /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// The plain scalars YAML 1.1 reads as null or a boolean.
const WORDS = new Map<string, null | boolean>([
  ...['', '~', 'null', 'Null', 'NULL'].map((w) => [w, null] as const),
  ...['Y', 'y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((w) => [w, true] as const),
  ...['N', 'n', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w) => [w, false] as const),
]);
const WORD_STARTS = [...'~nNyYtToOfF'].map((ch) => ch.charCodeAt(0));
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
// Keys read before, by length and first and last character: a stream's maps have a few hundred keys, over and over.
const KEYS: Array<string | undefined> = new Array(4096);
// keep is a key as the table keeps it: a string of its own (a longer slice would keep the whole text alive), and one V8
// has in its table of property names, as a key of the values made is.
const keep = (key: string): string => Object.keys({ [key]: 0 })[0];
// Deeper documents are left to yaml (and this reader, being recursive, cannot overflow the stack).
const MAX_DEPTH = 64;

/**
 * fastRead reads a document of the plain block subset of YAML to its value, as `yaml` would read it.
 * Returns undefined whenever the document uses anything outside that subset, or might be invalid.
 */
export function fastRead(text: string): FastValue | undefined {
  if (unusual(text)) return undefined;
  const lines = borrowLines();
  try {
    return { value: new Reader(text, false, lines).document() };
  } catch (err) {
    if (err instanceof Gave) return undefined;
    throw err;
  } finally {
    returnLines(lines);
  }
}

/**
 * fastParse gives the shape of a document for editing it: it reads the document as fastRead does, giving up exactly
 * where fastRead gives up, but makes no value (the editor needs only where things are; the edit is read back whole).
 */
export function fastParse(text: string): FastParse | undefined {
  if (unusual(text)) return undefined;
  const lines = borrowLines();
  try {
    const reader = new Reader(text, true, lines);
    reader.document();
    return { shape: reader.shape as MapShape, lineStarts: reader.starts.slice(0, reader.n) };
  } catch (err) {
    if (err instanceof Gave) return undefined;
    throw err;
  } finally {
    returnLines(lines);
  }
}

// Lines are the tables a Reader fills, a line an entry. One set serves every read (reads do not nest, but a second set
// is made if one did): a document's tables, grown line by line, were the most a read allocated.
class Lines {
  starts: Int32Array = new Int32Array(1024);
  bodies: Int32Array = new Int32Array(1024);
  ends: Int32Array = new Int32Array(1024);
  indents: Int32Array = new Int32Array(1024);
  kinds: Uint8Array = new Uint8Array(1024);

  grow(): void {
    const more = <T extends Int32Array | Uint8Array>(old: T): T => {
      const grown = new (old.constructor as new (length: number) => T)(old.length * 2);
      grown.set(old);
      return grown;
    };
    this.starts = more(this.starts);
    this.bodies = more(this.bodies);
    this.ends = more(this.ends);
    this.indents = more(this.indents);
    this.kinds = more(this.kinds);
  }
}

// What a line is, as the structure sees it (kinds): blank or only a comment (SKIP), a list item (ITEM), or anything else.
const SKIP = 1;
const ITEM = 2;

const SHARED_LINES = new Lines();
let sharedLinesLent = false;

function borrowLines(): Lines {
  if (sharedLinesLent) return new Lines();
  sharedLinesLent = true;
  return SHARED_LINES;
}

function returnLines(lines: Lines): void {
  if (lines === SHARED_LINES) sharedLinesLent = false;
}

// Finder finds a character in a text, remembering its last search (where it started, what it found): the reader asks at
// offsets that mostly grow, and an answer holds for every offset from where its search started up to it, so the text is
// searched through about once however many values ask.
class Finder {
  private start = -1;
  private found = -1;

  constructor(
    private readonly text: string,
    private readonly char: string,
  ) {}

  /** from is the offset of the first `char` at or after `p`, or -1. */
  from(p: number): number {
    if (this.start === -1 || p < this.start || (this.found !== -1 && this.found < p)) {
      this.start = p;
      this.found = this.text.indexOf(this.char, p);
    }
    return this.found;
  }
}

// Reader walks a document's lines as offsets into its text (where each starts, where its content starts after the
// indentation, where it ends before the line break): strings are sliced only for the keys and values read.
class Reader {
  /** Offset of each line in the text (the first `n`). */
  readonly starts: Int32Array;
  // Where each line's content starts (after its leading spaces) and ends (before `\r\n` or `\n`), its count of leading
  // spaces, and its kind (SKIP, ITEM or 0). Read as fields, not through small methods: past 8 MiB of input V8 inlines
  // nothing (see compileLean in process.ts), and those calls were a seventh of a read's profile.
  private readonly bodies: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  private readonly kinds: Uint8Array;
  /** How many lines the text has. */
  readonly n: number;
  /** Index of the current line. */
  i = 0;
  /** The shape of the node read last, when tracking (which makes no value: collections read as undefined). */
  shape: Shape | undefined;
  /** Collections open around the current line. */
  depth = 0;
  // The key splitKey read last, and the length in the text of the scalar plain read last.
  private key = '';
  private length = 0;
  // Where the colons and hashes are, found as the reader goes.
  private readonly colons: Finder;
  private readonly hashes: Finder;

  constructor(
    readonly text: string,
    readonly track: boolean,
    lines: Lines,
  ) {
    const len = text.length;
    let start = 0;
    let n = 0;
    while (start < len) {
      let nl = text.indexOf('\n', start);
      if (nl === -1) nl = len;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      let body = start;
      while (body < end && text.charCodeAt(body) === 32) body++;
      if (n === lines.starts.length) lines.grow();
      lines.starts[n] = start;
      lines.bodies[n] = body;
      lines.ends[n] = end;
      lines.indents[n] = body - start;
      lines.kinds[n] = body === end || text.charCodeAt(body) === 35 ? SKIP : isItem(text, body, end) ? ITEM : 0;
      n++;
      start = nl + 1;
    }
    this.n = n;
    this.starts = lines.starts;
    this.bodies = lines.bodies;
    this.ends = lines.ends;
    this.indents = lines.indents;
    this.kinds = lines.kinds;
    this.colons = new Finder(text, ':');
    this.hashes = new Finder(text, '#');
  }

  // comment is where a comment starts on the line (` #` at or after `p`, before `end`), else `end`. It stops at the line's
  // end: walking on to a later ` #` past every `#` of other lines' values (URL fragments) made a document quadratic.
  private comment(p: number, end: number): number {
    let hash = this.hashes.from(p + 1);
    while (hash !== -1 && hash < end && this.text.charCodeAt(hash - 1) !== 32) hash = this.hashes.from(hash + 1);
    return hash === -1 || hash >= end ? end : hash - 1;
  }

  // marker: the line's content is a document marker, `---` or `...`, alone or before a blank.
  private marker(k: number): boolean {
    const { text } = this;
    const b = this.bodies[k];
    const e = this.ends[k];
    const c = text.charCodeAt(b);
    if (e - b < 3 || (c !== 45 && c !== 46) || text.charCodeAt(b + 1) !== c || text.charCodeAt(b + 2) !== c) return false;
    const d = text.charCodeAt(b + 3);
    return e === b + 3 || d === 32 || d === 9;
  }

  document(): unknown {
    const { text, n } = this;
    let seenStart = false;
    this.next();
    if (
      this.i < n &&
      this.indents[this.i] === 0 &&
      this.ends[this.i] - this.bodies[this.i] >= 3 &&
      text.startsWith('---', this.bodies[this.i])
    ) {
      const rest = text.slice(this.bodies[this.i] + 3, this.ends[this.i]);
      if (rest !== '' && !/^ +(#.*)?$/.test(rest)) throw GIVE_UP;
      seenStart = true;
      this.i++;
    }
    // Directives, a second document marker or an end marker: leave them to yaml.
    for (let k = seenStart ? this.i : 0; k < n; k++)
      if (this.indents[k] === 0 && (this.marker(k) || (this.bodies[k] < this.ends[k] && text.charCodeAt(this.bodies[k]) === 37)))
        throw GIVE_UP;
    const first = this.next();
    if (first === -1 || this.indents[first] !== 0 || this.kinds[first] === ITEM) throw GIVE_UP;
    const value = this.map(0);
    if (this.next() !== -1) throw GIVE_UP;
    return value;
  }

  /** next skips blank and comment lines and returns the current line, or -1 at the end. */
  next(): number {
    const { kinds, n } = this;
    let i = this.i;
    while (i < n && kinds[i] === SKIP) i++;
    this.i = i;
    return i < n ? i : -1;
  }

  /** node reads the block collection starting at the current line, which has the given indentation. */
  node(indent: number): unknown {
    return this.kinds[this.next()] === ITEM ? this.seq(indent) : this.map(indent);
  }

  map(indent: number): Record<string, unknown> | undefined {
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
    const shape: MapShape | undefined = this.track ? { kind: 'map', indent, pairs: [], last: this.i } : undefined;
    const out: Record<string, unknown> | undefined = shape ? undefined : {};
    let pairs = 0;
    for (let k = this.next(); k !== -1 && this.indents[k] >= indent; k = this.next()) {
      if (this.indents[k] !== indent || this.kinds[k] === ITEM) throw GIVE_UP;
      this.pair(out, this.bodies[k], this.ends[k], indent, shape);
      pairs++;
    }
    if (shape && distinctKeys(shape) !== pairs) throw GIVE_UP;
    this.shape = shape;
    this.depth--;
    return out;
  }

  // pair reads `key: value` at `p` (a line's content, or what follows `- ` in a list item) into `out`, or into `shape`.
  pair(out: Record<string, unknown> | undefined, p: number, end: number, indent: number, shape: MapShape | undefined): void {
    const rest = this.splitKey(p, end);
    if (rest === -1) throw GIVE_UP;
    const key = this.key;
    // A key given twice is left to yaml: found here when making a value, and when tracking by the caller, which counts
    // the keys it read against the keys it has.
    if (key === '__proto__' || (out && Object.hasOwn(out, key))) throw GIVE_UP;
    const value = this.value(rest, end, indent, true);
    if (out) out[key] = value;
    if (shape) {
      shape.pairs.push({ key, value: this.shape! });
      shape.last = this.shape!.last;
    }
  }

  seq(indent: number): unknown[] | undefined {
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
    const text = this.text;
    const shape: SeqShape | undefined = this.track ? { kind: 'seq', indent, items: [], last: this.i } : undefined;
    const out: unknown[] | undefined = shape ? undefined : [];
    for (let k = this.next(); k !== -1 && this.indents[k] >= indent; k = this.next()) {
      if (this.indents[k] !== indent || this.kinds[k] !== ITEM) {
        // An indentless list under a key ends where the map's next key begins.
        if (this.indents[k] === indent) break;
        throw GIVE_UP;
      }
      const end = this.ends[k];
      let rest = this.bodies[k] + 1;
      while (text.charCodeAt(rest) === 32 && rest < end) rest++;
      if (isItem(text, rest, end)) throw GIVE_UP;
      if (rest < end && text.charCodeAt(rest) !== 35 && this.splitKey(rest, end) !== -1) {
        // A compact map: `- key: value`, further keys aligned with the first.
        const inner = indent + rest - this.bodies[k];
        const objShape: MapShape | undefined = shape ? { kind: 'map', indent: inner, pairs: [], last: this.i } : undefined;
        const obj: Record<string, unknown> | undefined = objShape ? undefined : {};
        this.pair(obj, rest, end, inner, objShape);
        let pairs = 1;
        for (let more = this.next(); more !== -1 && this.indents[more] > indent; more = this.next()) {
          if (this.indents[more] !== inner || this.kinds[more] === ITEM) throw GIVE_UP;
          this.pair(obj, this.bodies[more], this.ends[more], inner, objShape);
          pairs++;
        }
        if (objShape && distinctKeys(objShape) !== pairs) throw GIVE_UP;
        out?.push(obj);
        this.shape = objShape;
      } else {
        const value = this.value(rest, end, indent, false);
        out?.push(value);
      }
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
   * value reads what follows `key:` or `- ` at `p` on the current line (which ends at `end`), and anything it owns
   * below. `indent` is that of the key or the dash. `inMap` allows an indentless list as the value.
   */
  value(p: number, end: number, indent: number, inMap: boolean): unknown {
    const text = this.text;
    while (p < end && text.charCodeAt(p) === 32) p++;
    const here = this.i;
    const c = p < end ? text.charCodeAt(p) : -1;
    let at = p;
    let value: unknown;
    let style: LeafShape['style'];
    let length: number;
    if (c === -1 || c === 35) {
      this.i++;
      const child = this.next();
      if (child === -1 || this.indents[child] < indent) return this.empty(p, here);
      if (this.indents[child] === indent) return inMap && this.kinds[child] === ITEM ? this.seq(indent) : this.empty(p, here);
      // A flow collection alone on the next line (`key:` then `  {}`) is the value too.
      at = this.bodies[child];
      const first = text.charCodeAt(at);
      if (first !== 91 && first !== 123) return this.node(this.indents[child]);
      [value, length] = flow(text.slice(at, this.ends[child]));
      style = 'flow';
    } else if (c === 124 || c === 62) return this.literal(p, end, indent, inMap);
    else if (c === 91 || c === 123) {
      [value, length] = flow(text.slice(p, end));
      style = 'flow';
    } else if (c === 34 || c === 39) {
      [value, length] = quoted(text.slice(p, end), false);
      style = c === 34 ? 'double' : 'single';
    } else {
      value = this.plain(p, end);
      length = this.length;
      style = 'plain';
    }
    if (this.track) this.shape = { kind: 'leaf', style, start: at, end: at + length, last: this.i };
    this.i++;
    // A deeper line after a one-line scalar continues it (or is an error): yaml decides.
    const after = this.next();
    if (after !== -1 && this.indents[after] > indent) throw GIVE_UP;
    return value;
  }

  // empty is the value of a key or item with nothing after it (at `p` on line `line`).
  private empty(p: number, line: number): null {
    if (this.track) this.shape = { kind: 'leaf', style: 'empty', start: p, end: p, last: line };
    return null;
  }

  // splitKey reads the key of `key: rest` at `p` into this.key and returns where the rest starts, or -1 when there is
  // no simple key there.
  private splitKey(p: number, end: number): number {
    const text = this.text;
    const c = text.charCodeAt(p);
    if (c === 34 || c === 39) {
      const body = text.slice(p, end);
      const [key, after] = quoted(body, true);
      if (body[after] !== ':' || (after + 1 < body.length && body[after + 1] !== ' ')) return -1;
      if (after > MAX_KEY) throw GIVE_UP;
      this.key = key;
      return p + after + 1;
    }
    const first = this.colons.from(p);
    let colon = first;
    while (colon !== -1 && colon + 1 < end && text.charCodeAt(colon + 1) !== 32) colon = this.colons.from(colon + 1);
    if (colon === -1 || colon >= end || colon === p) return -1;
    // Keys with colons, comments, trailing blanks or odd starts, and keys yaml would read as non-strings.
    const hash = this.hashes.from(p);
    if (colon - p > MAX_KEY || colon !== first || (hash !== -1 && hash < colon) || text.charCodeAt(colon - 1) === 32)
      throw GIVE_UP;
    // A key read before is taken as it was kept: no string is cut, and its checks were passed.
    const length = colon - p;
    const slot = (length * 961 + c * 31 + text.charCodeAt(colon - 1)) & (KEYS.length - 1);
    const known = KEYS[slot];
    if (known !== undefined && known.length === length && text.startsWith(known, p)) {
      this.key = known;
      return colon + 1;
    }
    const key = text.slice(p, colon);
    if (INDICATOR.has(key[0]) || (c === 45 && (key.length === 1 || key[1] === ' '))) throw GIVE_UP;
    if (typeof resolvePlain(key) !== 'string') throw GIVE_UP;
    this.key = key;
    KEYS[slot] = keep(key);
    return colon + 1;
  }

  // plain reads a one-line plain scalar value at `p`, and sets this.length to its length in the text.
  private plain(p: number, end: number): unknown {
    const text = this.text;
    const c = text[p];
    const d = p + 1 < end ? text.charCodeAt(p + 1) : -1;
    // `?`, `:` and `-` start a plain scalar when a non-space follows (`:8081`, a bind address in Kueue's config).
    const safeStart = (c === '?' || c === ':' || c === '-') && d !== -1 && d !== 32 && d !== 9;
    if (!safeStart && (INDICATOR.has(c) || c === '-')) throw GIVE_UP;
    let e = this.comment(p, end);
    while (e > p && text.charCodeAt(e - 1) === 32) e--;
    // A colon before a space, or at the end, would make it a key.
    for (let c = this.colons.from(p); c !== -1 && c < e; c = this.colons.from(c + 1))
      if (c === e - 1 || text.charCodeAt(c + 1) === 32) throw GIVE_UP;
    this.length = e - p;
    return resolvePlain(text.slice(p, e));
  }

  // literal reads a `|`, `|-`, `>` or `>-` block scalar whose parent node is at `indent`; the header is at `p` on the
  // current line. An indentation indicator (`|2`, `|2-`, `|-2`: Helm's toYaml of text that starts with spaces or a blank
  // line) sets the content's indentation to the parent's plus that; only a map value's is read here (a list item's is
  // left to yaml).
  literal(p: number, end: number, indent: number, inMap: boolean): string {
    const { text, n, starts, bodies, ends, indents } = this;
    const m = /^([|>])([1-9]?)(-?)([1-9]?)( +#.*)? *$/.exec(text.slice(p, end));
    if (!m || (m[2] && m[4])) throw GIVE_UP;
    const folded = m[1] === '>';
    const strip = m[3] === '-';
    const explicit = Number(m[2] || m[4] || 0);
    if (explicit && !inMap) throw GIVE_UP;
    this.i++;
    let start = this.i;
    // Leading empty lines, then the first text line sets the indentation.
    while (start < n && bodies[start] === ends[start]) start++;
    if (start >= n) throw GIVE_UP;
    const m0 = explicit ? indent + explicit : this.indents[start];
    if (m0 <= indent || this.indents[start] < m0) throw GIVE_UP;
    for (let k = this.i; k < start; k++) if (ends[k] - starts[k] > m0) throw GIVE_UP;
    const parts: string[] = [];
    for (let k = this.i; k < start; k++) parts.push('');
    let lastText = start;
    for (let k = start; k < n; k++) {
      if (bodies[k] === ends[k]) {
        // White space beyond the indentation on an otherwise empty line is content; yaml decides.
        if (ends[k] - starts[k] > m0) throw GIVE_UP;
        parts.push('');
        continue;
      }
      if (indents[k] < m0) break;
      parts.push(text.slice(starts[k] + m0, ends[k]));
      lastText = k;
    }
    // Trailing empty lines belong to the scalar only for keep chomping (`|+`), which we leave to yaml.
    parts.length = lastText - this.i + 1;
    const content = folded ? fold(parts) : parts.join('\n');
    this.i = lastText + 1;
    if (this.track)
      this.shape = { kind: 'leaf', style: folded ? 'folded' : 'literal', start: p, end: ends[lastText], last: lastText };
    const after = this.next();
    if (after !== -1 && this.indents[after] > indent) throw GIVE_UP;
    return strip ? content : content + '\n';
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

// distinctKeys counts the different keys of a map's shape (when tracking, no value is made to hold them).
function distinctKeys(shape: MapShape): number {
  const { pairs } = shape;
  // Most maps have a few keys: compared with each other, they need no set.
  if (pairs.length <= 8) {
    let n = 0;
    for (let i = 0; i < pairs.length; i++) {
      let j = 0;
      while (j < i && pairs[j].key !== pairs[i].key) j++;
      if (j === i) n++;
    }
    return n;
  }
  return new Set(pairs.map((p) => p.key)).size;
}

// isItem: the text from `p` (to the line's `end`) is a list item, `-` alone or before a space.
function isItem(text: string, p: number, end: number): boolean {
  return p < end && text.charCodeAt(p) === 45 && (p + 1 === end || text.charCodeAt(p + 1) === 32);
}

// quoted reads a one-line quoted scalar at the start of `text`: its value and the index after the closing quote.
// As a value (asKey false), only a comment may follow it.
function quoted(text: string, asKey: boolean): [string, number] {
  const q = text[0];
  // Most quoted scalars hold no escape (no `\` in double quotes, no `''` in single ones): their text is taken whole.
  const close = text.indexOf(q, 1);
  const backslash = q === '"' ? text.indexOf('\\', 1) : -1;
  const whole = close !== -1 && (q === "'" ? text[close + 1] !== "'" : backslash === -1 || backslash > close);
  if (whole) return after(text, text.slice(1, close), close + 1, asKey);
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
  return after(text, out, k + 1, asKey);
}

// after ends quoted, whose closing quote is the character before `k`: as a value, only a comment may follow it.
function after(text: string, out: string, k: number, asKey: boolean): [string, number] {
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

// resolvePlain gives a plain scalar's YAML 1.1 value: null, a boolean, a small decimal integer, or a string.
// Other numbers are left to yaml.
function resolvePlain(s: string): unknown {
  // The null and boolean forms are at most five characters long, and numbers start with a sign, a dot or a digit.
  const c = s.charCodeAt(0);
  if (s.length <= 5 && (s.length === 0 || WORD_STARTS.includes(c))) {
    const word = WORDS.get(s);
    if (word !== undefined) return word;
  }
  if ((c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57)) && NUMBERISH.test(s)) {
    if (SIMPLE_INT.test(s)) return Number(s);
    // File modes (`defaultMode: 0644`) are the one common octal form.
    if (/^0[0-7]{1,10}$/.test(s)) return parseInt(s.slice(1), 8);
    if (NUMBER_FORMS.some((re) => re.test(s))) throw GIVE_UP;
  }
  if (s === '<<') throw GIVE_UP;
  return s;
}
