// Reads what the model needs from CRDs and ConfigMaps by text alone: conversion blocks, scope, Kyverno keys.
import { readDocument, type ReadResult } from './document.js';
import { lineText } from './byte-stream.js';
import { searchBytes } from './line-scan.js';
import { sniffKind, splitStream } from './stream.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Plain = Record<string, any>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

// A conversion webhook needs the key `conversion` and the value Webhook in its CRD's text: each written out, or spelled
// with escapes in a double-quoted scalar, whose first escape then follows a quote and letters of the word only, and is
// one that can give a letter (`\x57`, `\u0057`, `\U00000057`) or a line broken with `\`. Cheap to test (a pattern's
// `"\\d` is none of those), and it misses no way Go can read them.
const SPELLED = ['Webhook', 'conversion'];
// x, u, U, and a line feed or carriage return after the backslash.
const LETTER_ESCAPES = new Set([0x78, 0x75, 0x55, 0x0a, 0x0d]);
const QUOTE = 0x22;

// The words as bytes, and their letters: searched for in every CRD.
const SPELLED_BYTES = SPELLED.map((word) => Buffer.from(word));
const LETTERS = SPELLED.map((word) => new Set([...word].map((c) => c.charCodeAt(0))));
const BACKSLASH = 0x5c;

/** mayHoldConversion tells cheaply whether a document's text (or its UTF-8 bytes) can contain a conversion webhook. */
export function mayHoldConversion(source: string | Buffer): boolean {
  for (let w = 0; w < SPELLED.length; w++) {
    const found = typeof source === 'string' ? source.includes(SPELLED[w]) : bytesHold(source, w);
    if (!found && !escapedIn(source, w)) return false;
  }
  return true;
}

// bytesHold tells whether the bytes hold word w. Buffer's search stops at each byte that could start the word, which for
// `conversion` is a common letter: that one goes to searchBytes (the 14 CRDs of the corpus that hold Webhook but not the
// word: 2.3 → 0.8 ms). Webhook's W is rare.
function bytesHold(bytes: Buffer, w: number): boolean {
  return SPELLED[w] === 'conversion' ? searchBytes(bytes, SPELLED_BYTES[w]) !== -1 : bytes.includes(SPELLED_BYTES[w]);
}

// escapedIn: an escape that can give a letter, after a double quote and at most the word's length minus one of its
// letters. The byte after each backslash is looked at first: most backslashes in CRDs are a pattern's (`\\d`, `\\.`).
function escapedIn(source: string | Buffer, w: number): boolean {
  const code = typeof source === 'string' ? (i: number) => source.charCodeAt(i) : (i: number) => source[i];
  const letters = LETTERS[w];
  const length = SPELLED[w].length;
  const next = (from: number) => (typeof source === 'string' ? source.indexOf('\\', from) : source.indexOf(BACKSLASH, from));
  for (let at = next(0); at !== -1; at = next(at + 1)) {
    if (!LETTER_ESCAPES.has(code(at + 1))) continue;
    let k = at - 1;
    while (k >= 0 && at - k < length && letters.has(code(k))) k--;
    if (k >= 0 && code(k) === QUOTE) return true;
  }
  return false;
}

/** CrdConversion is what a CRD says about conversion, read without parsing the rest of it. */
export interface CrdConversion {
  name: string;
  conversion: Plain;
  /** metadata.annotations (cert-manager's inject-ca-from fills the caBundle). */
  annotations: Record<string, unknown>;
}

/**
 * readCrdConversion reads a CRD's name and `spec.conversion`. It cuts the two blocks out of the text
 * and parses only them, so the CRD's schema (megabytes, and in OpenKruise 1.5.2 and LWS 0.6.1 YAML
 * that only Go's reader accepts) is never parsed. Falls back to reading the whole document when the
 * blocks are not in plain block style. Returns undefined when there is no webhook conversion.
 * Given bytes (UTF-8 whose only line break is the line feed), it decodes only the lines it walks, and what it reads of
 * a document it falls back to decoding whole is a copy, which keeps none of that text alive.
 */
export function readCrdConversion(source: string | Buffer): CrdConversion | undefined {
  const lines = typeof source === 'string' ? textLines(source) : byteLines(source);
  const spec = childBlock(lines, 'spec', 'conversion');
  // A block-style spec whose keys are all plain and none is `conversion` has no conversion: the schema is not read.
  if (spec === null) return undefined;
  const meta = childBlock(lines, 'metadata', 'name');
  const notes = childBlock(lines, 'metadata', 'annotations');
  if (spec !== undefined && meta && notes !== undefined) {
    const conversion = readDocument(spec).value;
    const name = readDocument(meta).value;
    const annotations = notes === null ? {} : readDocument(notes).value;
    if (isPlain(conversion) && isPlain(name) && isPlain(conversion.conversion) && isPlain(annotations))
      return crdConversionOf({ metadata: { ...name, ...annotations }, spec: conversion });
  }
  if (typeof source === 'string') return crdConversionOf(readDocument(source).value);
  // Cut from a text decoded whole, its strings would keep all of it alive beside the input's bytes: they are copied.
  const whole = crdConversionOf(readDocument(source.toString('utf8')).value);
  return whole && structuredClone(whole);
}

/** crdConversionOf is the conversion webhook of a CRD read as a value, or undefined when it has none. */
export function crdConversionOf(crd: unknown): CrdConversion | undefined {
  if (!isPlain(crd) || !isPlain(crd.spec) || !isPlain(crd.spec.conversion) || crd.spec.conversion.strategy !== 'Webhook')
    return undefined;
  const meta = isPlain(crd.metadata) ? crd.metadata : {};
  return {
    name: String(meta.name ?? ''),
    conversion: crd.spec.conversion,
    annotations: isPlain(meta.annotations) ? meta.annotations : {},
  };
}

/** crdScopeOf is the group, plural and scope of a CRD read as a value. */
export function crdScopeOf(crd: unknown): CrdScope | undefined {
  const spec = isPlain(crd) ? crd.spec : undefined;
  if (
    !isPlain(spec) ||
    typeof spec.group !== 'string' ||
    !isPlain(spec.names) ||
    typeof spec.names.plural !== 'string' ||
    (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
  )
    return undefined;
  return { group: spec.group, plural: spec.names.plural, cluster: spec.scope === 'Cluster' };
}

// Lines is a document read line by line: `lineAt` is the line starting at `pos`, without its \n; `nextLine` is
// where the next one starts, past the end after the last one (as split('\n') gives an empty last line after a \n).
interface Lines {
  length: number;
  startsWith(prefix: string, pos: number): boolean;
  lineAt(pos: number): string;
  nextLine(pos: number): number;
  /** Where the lines start that begin with `prefix`, in order. */
  linesStarting(prefix: string): Iterable<number>;
}

function textLines(text: string): Lines {
  return {
    length: text.length,
    startsWith: (prefix, pos) => text.startsWith(prefix, pos),
    lineAt: (pos) => {
      const eol = text.indexOf('\n', pos);
      return text.slice(pos, eol === -1 ? text.length : eol);
    },
    nextLine: (pos) => {
      const eol = text.indexOf('\n', pos);
      return eol === -1 ? text.length + 1 : eol + 1;
    },
    linesStarting: (prefix) => starts(text, prefix),
  };
}

// byteLines reads bytes as Lines, with byte offsets for positions (the prefixes asked for are ASCII).
function byteLines(bytes: Buffer): Lines {
  return {
    length: bytes.length,
    startsWith: (prefix, pos) => {
      if (pos + prefix.length > bytes.length) return false;
      for (let i = 0; i < prefix.length; i++) if (bytes[pos + i] !== prefix.charCodeAt(i)) return false;
      return true;
    },
    lineAt: (pos) => lineText(bytes, pos),
    nextLine: (pos) => {
      const eol = bytes.indexOf(LF, pos);
      return eol === -1 ? bytes.length + 1 : eol + 1;
    },
    linesStarting: (prefix) => starts(bytes, prefix),
  };
}

const LF = 10;

/** starts lists where the lines of a text or of bytes start that begin with `prefix` (ASCII), in order. */
export function* starts(source: string | Buffer, prefix: string): Generator<number> {
  if ((typeof source === 'string' ? source.slice(0, prefix.length) : source.toString('latin1', 0, prefix.length)) === prefix)
    yield 0;
  const needle = `\n${prefix}`;
  for (let at = source.indexOf(needle); at !== -1; at = source.indexOf(needle, at + 1)) yield at + 1;
}

// childBlock returns the lines of `top.child` from a block-style document, dedented to column 0; null when `top` is
// a block whose keys are all plain and none is `child`; undefined when the text does not have that shape. It walks
// lines from the `top:` line without splitting the whole text (a CRD's schema is megabytes; the block is near its
// top or bottom, and lines indented past the block's keys are skipped unread).
function childBlock(text: Lines, top: string, child: string): string | null | undefined {
  const topLine = new RegExp(`^${top}:[ \\t]*(#.*)?\\r?$`);
  let pos = 0;
  for (; pos < text.length; pos = text.nextLine(pos))
    if (text.startsWith(`${top}:`, pos) && topLine.test(text.lineAt(pos))) break;
  if (pos >= text.length) return undefined;
  let indent = -1;
  let deeper = '';
  let plain = true;
  let first = -1;
  const childLine = (): RegExp => new RegExp(`^ {${indent}}${child}:`);
  for (pos = text.nextLine(pos); pos <= text.length; pos = text.nextLine(pos)) {
    if (deeper && text.startsWith(deeper, pos)) continue;
    const line = text.lineAt(pos);
    if (BLANK.test(line)) continue;
    const width = line.length - line.trimStart().length;
    if (width === 0) break;
    if (indent < 0) {
      indent = width;
      deeper = ' '.repeat(indent + 1);
      first = pos;
    }
    if (width < indent) return undefined;
    if (width > indent) continue;
    if (childLine().test(line)) {
      const lines = [line];
      for (let end = text.nextLine(pos); end <= text.length; end = text.nextLine(end)) {
        const l = text.lineAt(end);
        if (!BLANK.test(l) && l.length - l.trimStart().length <= indent) break;
        lines.push(l);
      }
      return lines.map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n') + '\n';
    }
    // A quoted, explicit or merge key could be `child` in disguise; an item at the keys' column belongs to an
    // indentless list, the value of the key before it (CRDs' `versions`), unless nothing came before it.
    const body = line.slice(indent);
    plain &&= PLAIN_KEY.test(body) || (ITEM.test(body) && pos !== first);
  }
  return plain && indent > 0 ? null : undefined;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*:(?:[ \t]|\r?$)/;
const ITEM = /^-(?:[ \t]|\r?$)/;
const BLANK = /^\s*(#.*)?\r?$/;

/** EmbeddedCrd is a CRD with a conversion webhook found inside a ConfigMap's data. */
export interface EmbeddedCrd {
  crd: CrdConversion;
  /** Where it was found, for messages: `ConfigMap ns/name data.key`. */
  where: string;
}

/**
 * conversionsInConfigMap lists the CRDs with conversion webhooks that a ConfigMap's data holds as text
 * (Capsule installs its CRDs from ConfigMaps with a hook Job). `read` reads the ConfigMap, when it must be read.
 */
export function conversionsInConfigMap(text: string, read: (text: string) => ReadResult = readDocument): EmbeddedCrd[] {
  // Few ConfigMaps hold CRDs: that is asked first, the conversion (a longer search) only of those that do.
  // The pattern is searched for only where its last word is: the search of a word alone is many times faster.
  if (!text.includes('CustomResourceDefinition') || !/kind:[ \t]*CustomResourceDefinition/.test(text)) return [];
  if (!mayHoldConversion(text)) return [];
  const cm = read(text).value;
  if (!isPlain(cm) || !isPlain(cm.data)) return [];
  const out: EmbeddedCrd[] = [];
  for (const [key, value] of Object.entries(cm.data)) {
    if (typeof value !== 'string' || !mayHoldConversion(value)) continue;
    // A value is no stream Go's reader splits: its `---` lines are left to the YAML reader.
    for (const seg of splitStream(value, { yamlOnly: true })) {
      if (sniffKind(seg.text) !== 'CustomResourceDefinition') continue;
      const crd = readCrdConversion(seg.text);
      const ns = cm.metadata?.namespace ? `${cm.metadata.namespace}/` : '';
      if (crd) out.push({ crd, where: `ConfigMap ${ns}${cm.metadata?.name} data.${key}` });
    }
  }
  return out;
}

// Kyverno keeps its webhooks' selectors and conditions in a ConfigMap. ConfigMaps can be huge (Grafana
// dashboards, CRDs kept as text), so only those with one of its keys directly under `data:` are read.
const DATA_INDENT = /^data:[ \t]*\r?\n([ \t]+)\S/m;
const KYVERNO_KEY = /^([ \t]+)(?:webhooks|matchConditions|resourceFilters)[ \t]*:/gm;

/** readsConfigMap tells whether a ConfigMap document may configure runtime-created webhooks, from its text alone. */
export function readsConfigMap(text: string): boolean {
  // The pattern has no literal to scan for; the keys themselves are searched for first.
  if (!text.includes('webhooks') && !text.includes('matchConditions') && !text.includes('resourceFilters')) return false;
  const indent = DATA_INDENT.exec(text)?.[1];
  if (indent === undefined) return false;
  for (const m of text.matchAll(KYVERNO_KEY)) if (m[1] === indent) return true;
  return false;
}

// controller-runtime's component config (and Kueue's, LWS's) switches leader election with
// `leaderElection: {leaderElect: <bool>}` in a file that a ConfigMap holds as text.
const LEADER_ELECT = /\bleaderElect:[ \t]*['"]?(?:true|false)\b/;

/** holdsLeaderElection tells whether a ConfigMap's text may hold a config file that switches leader election. */
export function holdsLeaderElection(text: string): boolean {
  return text.includes('leaderElect') && LEADER_ELECT.test(text);
}

/**
 * leaderElectSetting reads `leaderElection.leaderElect` from a config file held as a ConfigMap value
 * (controller-runtime's ControllerManagerConfiguration and the configs modelled on it), or undefined.
 */
export function leaderElectSetting(file: string): boolean | undefined {
  if (!LEADER_ELECT.test(file)) return undefined;
  const value = readDocument(file).value;
  const setting = isPlain(value) && isPlain(value.leaderElection) ? value.leaderElection.leaderElect : undefined;
  return typeof setting === 'boolean' ? setting : undefined;
}

/** CrdScope is what a CRD says about where its objects live. */
export interface CrdScope {
  group: string;
  plural: string;
  cluster: boolean;
}

/**
 * crdScope reads a CRD's group, plural and scope from its text, or from its bytes (UTF-8 whose only line break is
 * the line feed), without parsing the (often huge) schema: it finds the few lines it needs by searching, and
 * decodes only those.
 */
export function crdScope(source: string | Buffer): CrdScope | undefined {
  const text = typeof source === 'string' ? textLines(source) : byteLines(source);
  let ind: string | undefined;
  for (const at of text.linesStarting('spec:')) {
    const next = text.nextLine(at);
    if (next > text.length || !/^spec:[ \t]*\r?$/.test(text.lineAt(at))) continue;
    ind = /^([ \t]+)\S/.exec(text.lineAt(next))?.[1];
    if (ind !== undefined) break;
  }
  if (ind === undefined) return undefined;
  const patterns = scopePatterns(ind);
  const first = (key: string, pattern: RegExp): string | undefined => {
    for (const at of text.linesStarting(`${ind}${key}:`)) {
      const m = pattern.exec(text.lineAt(at));
      if (m) return m[1];
    }
    return undefined;
  };
  const group = first('group', patterns.group);
  const scope = first('scope', patterns.scope);
  const plural = namesPlural(text, ind, patterns.names);
  return group && scope && plural ? { group, plural, cluster: scope === 'Cluster' } : undefined;
}

// The lines crdScope reads, for spec's keys indented by `ind`: made once for each indentation (a stream's CRDs have
// one or two), not for each CRD.
function scopePatterns(ind: string): { group: RegExp; scope: RegExp; names: RegExp } {
  let patterns = SCOPE_PATTERNS.get(ind);
  if (!patterns) {
    if (SCOPE_PATTERNS.size > 64) SCOPE_PATTERNS.clear();
    patterns = {
      group: new RegExp(`^${ind}group:[ \\t]*['"]?([^'"\\s#]+)`),
      scope: new RegExp(`^${ind}scope:[ \\t]*['"]?(Cluster|Namespaced)`),
      names: new RegExp(`^${ind}names:[ \\t]*\\r?$`),
    };
    SCOPE_PATTERNS.set(ind, patterns);
  }
  return patterns;
}
const SCOPE_PATTERNS = new Map<string, { group: RegExp; scope: RegExp; names: RegExp }>();

// namesPlural finds `plural:` among the lines of a `names:` block indented by `ind`. It walks the lines:
// the single regex it replaces backtracked exponentially over a names block without `plural:` (the
// fuzzer found a CRD that hung webhook-guard).
function namesPlural(text: Lines, ind: string, names: RegExp): string | undefined {
  for (const at of text.linesStarting(`${ind}names:`)) {
    if (!names.test(text.lineAt(at))) continue;
    for (let pos = text.nextLine(at); pos < text.length; pos = text.nextLine(pos)) {
      const line = text.lineAt(pos).replace(/\r$/, '');
      if (!line.startsWith(ind) || !/^[ \t]/.test(line.slice(ind.length))) break;
      const plural = /^[ \t]+plural:[ \t]*['"]?([^'"\s#]+)/.exec(line.slice(ind.length));
      if (plural) return plural[1];
    }
  }
  return undefined;
}
