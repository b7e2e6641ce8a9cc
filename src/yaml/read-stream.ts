// Reads a split stream into documents: sniffs each kind, reads fully only the kinds asked for, and
// collects the facts the model needs from the text of documents it never parses (CRDs, ConfigMaps).
import {
  conversionsInConfigMap,
  crdConversionOf,
  crdScopeOf,
  crdScope,
  holdsLeaderElection,
  mayHoldConversion,
  readCrdConversion,
  readsConfigMap,
  starts,
} from './crd-text.js';
import type { CrdConversion, CrdScope } from './crd-text.js';
import { readDocument, type ReadResult } from './document.js';
import { goBreaksToLineFeeds, hasGoBreaks, relaxFlowIndent } from './go-compat.js';
import { goSeparatorLength, hasContent, position, sniffKind, splitStream, type ByteLook, type Segment } from './stream.js';
import { bytesOf } from './byte-stream.js';
import { searchBytes } from './line-scan.js';

/** Doc is one document of the stream: raw bytes, and where it was read, its original and working values. */
export interface Doc {
  segment: Segment;
  kind?: string;
  read?: ReadResult;
  /** The value as read; never changed. */
  original?: unknown;
  /** The value transforms edit; compared with `original` when writing. Set by the model for the kinds it models. */
  working?: unknown;
  /** Set on documents a transform added: which one. */
  addedBy?: string;
  /** List items a transform removed (JSON pointers into `original`); only drop-webhooks removes. */
  removed?: string[];
  /** Set when a transform removed the whole document: which one. */
  droppedBy?: string;
  /** Namespace of this document's resources that name none, when it differs by input (see Model.fromInputs). */
  defaultNamespace?: string;
  /** True when the document has the kind of a modelled object but could not be read at all. */
  unreadable?: boolean;
  /** True for a document of a kind read only when asked (see readStream's `later`): readLater reads it. */
  later?: boolean;
  /**
   * True for a ConfigMap read because it may configure runtime-created webhooks (Kyverno's) or hold a
   * config file that switches leader election (controller-runtime's component config).
   */
  webhookConfigMap?: boolean;
  /** A CRD's group, plural and scope, read from its text. */
  crdScope?: CrdScope;
  /** CRD conversion webhooks the document holds: its own, or those of CRDs kept in a ConfigMap's data. */
  conversions?: Array<{ crd: CrdConversion; where?: string }>;
}

// detach copies what is kept of a document never read: V8 keeps a matched substring as a view of the
// whole text, which would keep every document's text alive beside the input's bytes.
const detach = <T>(value: T): T => (value === undefined ? value : structuredClone(value));

/**
 * readStream reads each segment. Documents whose sniffed kind is in `kinds` (or that have no sniffable
 * kind) are read fully; every other document stays bytes, apart from what CRDs and ConfigMaps say about
 * conversion webhooks, CRD scope and Kyverno's runtime webhooks, which is read from their text alone. A document
 * whose text settles a kind of `later` is marked, and read only if readLater is asked to (a document whose kind the
 * text does not settle is read now, as any other).
 */
export function readStream(segments: Segment[], kinds: ReadonlySet<string>, later?: ReadonlySet<string>): Doc[] {
  // Two passes. The first only looks (most of a stream's bytes are CRDs never read): a segment of input bytes offers
  // its column-0 lines, and its text is decoded only where a look needs more (ConfigMaps, CRDs that may hold a
  // conversion webhook, documents whose kind the lines do not settle). The second reads the documents that need it.
  const toRead: Array<{ doc: Doc; sniffed?: string; certain: boolean; configMap: boolean }> = [];
  // What a look read of a document (a ConfigMap holding a CRD), for readOne if it reads the same text whole.
  const readByLook = new Map<Doc, ReadBefore>();
  const docs = segments.map((segment) => {
    const doc: Doc = { segment };
    const look = segment.look?.();
    let decoded: string | undefined;
    const text = (): string => (decoded ??= withoutBom(segment, segment.text));
    const sniffed = look ? sniffLines(look.lines) : detach(sniffKind(text()));
    // The text alone decides only when Go could read no other kind from it (see certainKind).
    const certain = sniffed !== undefined && (look ? certainLines(look, sniffed) : certainKind(text(), sniffed));
    if (certain && later?.has(sniffed)) {
      doc.kind = sniffed;
      doc.later = true;
      return doc;
    }
    // Every question a ConfigMap is asked below needs one of a few words in its text: most ConfigMaps (megabytes of
    // dashboards) have none, which one search of the text tells (several, a word each, took five times as long), or, of a
    // segment of bytes, a search of them for each word, which decodes none of those megabytes. Of bytes, which words
    // they hold is known too, and each question is asked of the text only where its word is.
    const words = certain && sniffed === 'ConfigMap' ? configMapWords(look, text) : NO_WORDS;
    const configMapOfNote = certain && sniffed === 'ConfigMap' && words.size > 0;
    if (certain && (sniffed !== 'ConfigMap' || configMapOfNote)) scan(doc, sniffed, look, text, readByLook, words);
    // Both Kyverno questions need one of its keys in the text.
    const kyverno = configMapOfNote && KYVERNO_KEYS.some((k) => words.has(k));
    const configMap =
      configMapOfNote &&
      !kinds.has(sniffed) &&
      ((kyverno && readsConfigMap(text())) || (words.has(LEADER_ELECT_WORD) && holdsLeaderElection(text())));
    if (certain && !kinds.has(sniffed) && !configMap && (sniffed !== 'ConfigMap' || !(kyverno && mayConfigureWebhooks(text()))))
      doc.kind = sniffed;
    else if (certain || hasContent(text())) {
      toRead.push({ doc, sniffed, certain, configMap });
      return doc;
    }
    // A look's reading is kept only for a document read whole: the others' are garbage now, not values kept through the
    // looks.
    readByLook.delete(doc);
    return doc;
  });
  for (const { doc, sniffed, certain, configMap } of toRead) readOne(doc, sniffed, certain, configMap, readByLook.get(doc));
  return docs;
}

/**
 * readLater reads a document readStream marked `later`, as it would have read it then: afterwards it has its value,
 * or is `unreadable`.
 */
export function readLater(doc: Doc): void {
  if (!doc.later) return;
  doc.later = undefined;
  readOne(doc, doc.kind, true, false);
}

function readOne(doc: Doc, sniffed: string | undefined, certain: boolean, configMap: boolean, before?: ReadBefore): void {
  // The text a look decoded, when it read the document (a segment of bytes decodes its text again on every access).
  const text = before?.text ?? asGoReads(withoutBom(doc.segment, doc.segment.text));
  doc.read = readAsGo(text, before);
  if (doc.read.value === undefined) {
    doc.kind = sniffed;
    // A document whose kind the text does not settle may be any kind to Go: it must be read, or refused.
    if (!configMap) doc.unreadable = true;
    return;
  }
  doc.original = doc.read.value;
  const value = doc.read.value as { kind?: unknown; data?: unknown } | null;
  doc.kind =
    typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.kind === 'string'
      ? value.kind
      : undefined;
  // Read whole, a CRD says its scope and conversion in its value, in whatever style it is written (JSON, flow).
  if (doc.kind === 'CustomResourceDefinition') scanValue(doc, value);
  else if (!certain && doc.kind !== undefined) scanText(doc, doc.kind, text);
  if (doc.kind === 'ConfigMap' && (configMap || holdsKyvernoKeys(value?.data))) doc.webhookConfigMap = true;
}

// A string with none of these is written in YAML as itself: no white space a line break could fold into, no quote a
// single-quoted scalar doubles, no backslash.
const FOLDS_OR_QUOTES = /[\s'"\\]/;
// Bytes that go on a scalar in every YAML context (letters, digits, `.`, `_`, `-`, and those of other characters): a value
// next to one of them is part of a longer scalar there. Any other byte may end one (white space, quotes, flow
// punctuation, and a colon: `{"name":admin}` reads `admin`).
const goesOn = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) ||
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  b === 0x2e ||
  b === 0x5f ||
  b === 0x2d ||
  b >= 0x80;

/**
 * mayHold tells whether a document's text could give the string `value` as a scalar anywhere in it: false only when
 * `value` is one YAML writes as itself (plain, quoted, in a block or flow, under an anchor) and the text holds it
 * nowhere as a whole (with no letter, digit, `.`, `_` or `-` right before or after it), nor a backslash (an escape),
 * nor a `!` (a tag: `!!binary` spells a string in base64).
 */
export function mayHold(doc: Doc, value: string): boolean {
  if (value === '' || FOLDS_OR_QUOTES.test(value)) return true;
  // Asked of every RBAC document for each name a backend's RBAC needs: what does not depend on the name is found once.
  const { bytes, escapes } = searched(doc);
  if (escapes) return true;
  const word = needle(value);
  for (let at = bytes.indexOf(word); at !== -1; at = bytes.indexOf(word, at + 1)) {
    const end = at + word.length;
    if ((at === 0 || !goesOn(bytes[at - 1])) && (end === bytes.length || !goesOn(bytes[end]))) return true;
  }
  return false;
}

/**
 * HoldIndex answers mayHold over the same documents for many values: each document's words (its longest runs of bytes
 * that go on a scalar) are listed once. Where a document holds a value as a whole, it holds each of the value's own
 * words as a whole too (a value's word ends at the value's end or at a byte of it that does not go on), so only the
 * documents that hold its rarest word (and those with an escape or a tag) are searched for it; mayHold alone would
 * search every document for every value (a stream's RBAC documents, for each ServiceAccount and role name a backend's
 * RBAC needs: the two grow together).
 */
export class HoldIndex {
  // Documents by a hash of each of their words (two words may share one: the documents are then searched for the value).
  private readonly byWord = new Map<number, Doc[]>();
  // Documents with an escape or a tag, which may hold any value.
  private readonly always: Doc[] = [];
  private readonly place = new Map<Doc, number>();

  constructor(private readonly docs: readonly Doc[]) {
    const words = new Set<number>();
    docs.forEach((doc, i) => {
      this.place.set(doc, i);
      const bytes = bytesOfDoc(doc);
      // One pass gives the words and whether there is an escape or a tag, which mayHold then knows too.
      const escapes = hashWords(bytes, words);
      if (!SEARCHED.has(doc)) SEARCHED.set(doc, { bytes, escapes });
      if (escapes) this.always.push(doc);
      else
        for (const word of words) {
          const list = this.byWord.get(word);
          if (list) list.push(doc);
          else this.byWord.set(word, [doc]);
        }
      words.clear();
    });
  }

  /** holding lists the documents that may hold `value` (mayHold), in the order given. */
  holding(value: string): Doc[] {
    if (value === '' || FOLDS_OR_QUOTES.test(value)) return [...this.docs];
    const words = new Set<number>();
    hashWords(needle(value), words);
    if (!words.size) return this.docs.filter((d) => mayHold(d, value));
    // The documents that hold the value's rarest word are searched for the value.
    let rarest: Doc[] | undefined;
    for (const word of words) {
      const list = this.byWord.get(word) ?? [];
      if (!rarest || list.length < rarest.length) rarest = list;
    }
    const found = rarest!.filter((d) => mayHold(d, value));
    if (!this.always.length) return found;
    return [...found, ...this.always].sort((a, b) => this.place.get(a)! - this.place.get(b)!);
  }
}

// GOES_ON is goesOn as a table, for a loop over every byte.
const GOES_ON = Uint8Array.from({ length: 256 }, (_, b) => (goesOn(b) ? 1 : 0));

// hashWords adds to `words` a hash (FNV-1a) of each longest run of bytes that go on a scalar, and tells whether the bytes
// hold an escape or a tag.
function hashWords(bytes: Buffer, words: Set<number>): boolean {
  let escapes = false;
  let hash = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (GOES_ON[b] === 1) {
      hash = Math.imul(hash ^ b, FNV_PRIME);
      inWord = true;
      continue;
    }
    if (b === BACKSLASH || b === BANG) escapes = true;
    if (inWord) {
      words.add(hash);
      hash = FNV_OFFSET;
      inWord = false;
    }
  }
  if (inWord) words.add(hash);
  return escapes;
}
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

const BACKSLASH = 0x5c;
const BANG = 0x21;
// Each document's bytes (encoded once for one read from text) and whether they hold an escape or a tag.
const SEARCHED = new WeakMap<Doc, { bytes: Buffer; escapes: boolean }>();

function searched(doc: Doc): { bytes: Buffer; escapes: boolean } {
  let seen = SEARCHED.get(doc);
  if (!seen) {
    const bytes = bytesOfDoc(doc);
    SEARCHED.set(doc, (seen = { bytes, escapes: bytes.includes(BACKSLASH) || bytes.includes(BANG) }));
  }
  return seen;
}

function bytesOfDoc(doc: Doc): Buffer {
  const own = bytesOf(doc.segment);
  return typeof own === 'string' ? Buffer.from(own) : own;
}

function needle(value: string): Buffer {
  let bytes = NEEDLES.get(value);
  if (!bytes) {
    if (NEEDLES.size > 10_000) NEEDLES.clear();
    NEEDLES.set(value, (bytes = Buffer.from(value)));
  }
  return bytes;
}
// The names searched for, encoded once.
const NEEDLES = new Map<string, Buffer>();

// sniffLines is sniffKind over a document's column-0 lines, which hold every line a `kind:` line can be.
function sniffLines(lines: string[]): string | undefined {
  let kind: string | undefined;
  for (const line of lines) {
    if (!line.startsWith('kind:')) continue;
    // A `kind:` line the pattern does not read (its value on the next line, under an anchor or a tag, a second one) may
    // set the kind Go reads: the text does not settle it.
    const k = sniffKind(line);
    if (k === undefined || kind !== undefined) return undefined;
    kind = k;
  }
  return kind;
}

// certainLines is certainKind over a look: the lines unsureLines checks are the column-0 lines.
function certainLines(look: ByteLook, sniffed: string): boolean {
  return KIND_NAME.test(sniffed) && look.plain && look.lines.every((line) => plainLine(line, 0)) && !kindGoesOn(look.bytes);
}

// kindGoesOn: the first line after the `kind:` line that is not blank is indented and no comment. It goes on the kind's
// value (`kind: ClusterRoleBinding` then `  x` reads `ClusterRoleBinding x`), or is an error: the line alone settles
// nothing.
function kindGoesOn(source: string | Buffer): boolean {
  const at = starts(source, 'kind:').next().value;
  if (at === undefined) return false;
  const code = typeof source === 'string' ? (i: number) => source.charCodeAt(i) : (i: number) => source[i];
  for (let nl = source.indexOf('\n', at); nl !== -1; nl = source.indexOf('\n', nl + 1)) {
    let k = nl + 1;
    while (k < source.length && (code(k) === 32 || code(k) === 9)) k++;
    if (k >= source.length) return false;
    const c = code(k);
    if (c === 10 || c === 13) continue;
    return k > nl + 1 && c !== 35;
  }
  return false;
}

// scan is scanText for a look: a CRD's scope and conversion are read from its bytes, decoding only the lines read.
function scan(
  doc: Doc,
  kind: string,
  look: ByteLook | undefined,
  text: () => string,
  readByLook: Map<Doc, ReadBefore>,
  words: ReadonlySet<string>,
): void {
  // A ConfigMap's CRD with a conversion webhook needs the CRD's kind and the conversion's words in the text: asked of
  // the bytes first, the text of most ConfigMaps that hold CRDs (Capsule's, megabytes) is never decoded.
  if (kind === 'ConfigMap' && (!words.has(CRD_WORD) || (look && !mayHoldConversion(look.bytes)))) return;
  if (kind === 'CustomResourceDefinition' && look) {
    // Its strings are cut from the few lines decoded, not from a decoded document: nothing to detach (readCrdConversion
    // copies what it reads from a document it decodes whole).
    doc.crdScope = crdScope(look.bytes);
    const crd = mayHoldConversion(look.bytes) ? readCrdConversion(look.bytes) : undefined;
    if (crd) doc.conversions = [{ crd }];
  } else if (kind === 'CustomResourceDefinition' || kind === 'ConfigMap')
    scanText(doc, kind, text(), (t) => {
      const read = readDocument(t);
      readByLook.set(doc, { text: t, read });
      return read;
    });
}

// asGoReads is a document's text without a first line Go drops as a separator and YAML would read as text (`---#…`, see
// GoSeparators): its line break stays, so lines keep their numbers.
function asGoReads(text: string): string {
  const cut = goSeparatorLength(text);
  return cut ? text.slice(cut) : text;
}

// withoutBom: a byte order mark that starts the stream is Go's too; anywhere else it is refused (see readAsGo).
function withoutBom(segment: Segment, text: string): string {
  return segment.offset === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// scanText reads what CRDs and ConfigMaps say about conversion webhooks and scope, from their text alone (passed in:
// a segment read from bytes decodes its text again on every access). `read` reads a ConfigMap that holds a CRD.
function scanText(doc: Doc, kind: string, text: string, read: (text: string) => ReadResult = readDocument): void {
  if (kind === 'CustomResourceDefinition') {
    doc.crdScope = detach(crdScope(text));
    const crd = mayHoldConversion(text) ? detach(readCrdConversion(text)) : undefined;
    if (crd) doc.conversions = [{ crd }];
  } else if (kind === 'ConfigMap') {
    const embedded = detach(conversionsInConfigMap(text, read));
    if (embedded.length) doc.conversions = embedded;
  }
}

// ReadBefore is what the look at a ConfigMap read of it (a CRD kept in its data), and the text it read (the document's,
// without a leading byte order mark), for readOne when the ConfigMap is read whole too (one whose text names Kyverno's
// keys): Capsule's ConfigMaps of CRDs are the largest documents read, and were read twice.
interface ReadBefore {
  text: string;
  read: ReadResult;
}

function scanValue(doc: Doc, crd: unknown): void {
  doc.crdScope = crdScopeOf(crd);
  const conversion = crdConversionOf(crd);
  doc.conversions = conversion ? [{ crd: conversion }] : undefined;
}

// Kyverno's ConfigMap keys that configure the webhooks it creates at run time.
const KYVERNO_KEYS = ['webhooks', 'matchConditions', 'resourceFilters'];
// The words a ConfigMap's text needs for any question readStream asks of it: Kyverno's keys (readsConfigMap,
// mayConfigureWebhooks), a leader-election switch (holdsLeaderElection) and a CRD kept in its data
// (conversionsInConfigMap).
const LEADER_ELECT_WORD = 'leaderElect';
const CRD_WORD = 'CustomResourceDefinition';
const CONFIG_MAP_WORD_LIST = [...KYVERNO_KEYS, LEADER_ELECT_WORD, CRD_WORD];
// In a text one pattern finds any of them; in UTF-8 bytes (the words are ASCII) searchBytes finds each (a ConfigMap of
// dashboards is hundreds of KiB).
const CONFIG_MAP_WORDS = new RegExp(CONFIG_MAP_WORD_LIST.join('|'));
const CONFIG_MAP_BYTES = CONFIG_MAP_WORD_LIST.map((word) => Buffer.from(word));
const NO_WORDS: ReadonlySet<string> = new Set();

// configMapWords lists the words of CONFIG_MAP_WORD_LIST a ConfigMap holds. The words are ASCII: in UTF-8 bytes they
// are where they are in the text, and no byte of another character is one of theirs.
function configMapWords(look: ByteLook | undefined, text: () => string): ReadonlySet<string> {
  if (!look) return CONFIG_MAP_WORDS.test(text()) ? new Set(CONFIG_MAP_WORD_LIST.filter((w) => text().includes(w))) : NO_WORDS;
  const found = CONFIG_MAP_WORD_LIST.filter((_, i) => searchBytes(look.bytes, CONFIG_MAP_BYTES[i]) !== -1);
  return found.length ? new Set(found) : NO_WORDS;
}

function holdsKyvernoKeys(data: unknown): boolean {
  return typeof data === 'object' && data !== null && KYVERNO_KEYS.some((k) => Object.prototype.hasOwnProperty.call(data, k));
}

// mayConfigureWebhooks: a ConfigMap whose text names a Kyverno key in a way the text scanner does not follow
// (a quoted key, flow style) is read fully, so Kyverno's settings are never skipped unseen.
function mayConfigureWebhooks(text: string): boolean {
  if (!KYVERNO_KEYS.some((k) => text.includes(k))) return false;
  return /(?:^[ \t]+|[{,][ \t]*)["']?(?:webhooks|matchConditions|resourceFilters)["']?[ \t]*:/m.test(text);
}

/**
 * readAsGo reads a document as Go does where the `yaml` package alone would not: line breaks only Go honours
 * (NEL, LS, PS, a lone CR) become line feeds, and of several documents then in the text only the first counts
 * (Go's reader reads one per chunk); flow collections Go accepts under-indented are indented. Either way the
 * result is marked relaxed: it is read exactly, but cannot be edited in place. `before` is what readDocument gave for a
 * text, if it was asked already.
 */
function readAsGo(text: string, before?: ReadBefore): ReadResult {
  const bom = text.indexOf('\ufeff');
  if (bom !== -1) {
    const { line, column } = position(text, bom);
    return { error: { message: 'a byte order mark (U+FEFF) inside the stream; remove it', line, column } };
  }
  if (hasGoBreaks(text)) {
    const at = text.search(/[\u0085\u2028\u2029]|\r(?!\n)/);
    const { line, column } = position(text, at);
    const normal = goBreaksToLineFeeds(text);
    // The documents of one of Go's chunks, as YAML splits them.
    const first = splitStream(normal, { yamlOnly: true }).find((s) => hasContent(s.text));
    const read = readDocument(first ? normal.slice(0, first.offset + first.text.length) : normal);
    if (read.value === undefined) return read;
    const what = '\u0085\u2028\u2029'.includes(text[at])
      ? `a U+${text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')} line break`
      : 'a carriage return without a line feed';
    return { value: read.value, relaxed: true, error: { message: `${what}, which Go reads as a line break`, line, column } };
  }
  const read = before?.text === text ? before.read : readDocument(text);
  if (read.value !== undefined || !/^[ \t]*[[{]|[[{][ \t]*(#.*)?\r?$/m.test(text)) return read;
  const relaxed = relaxFlowIndent(text);
  if (relaxed === text) return read;
  const again = readDocument(relaxed);
  return again.value === undefined ? read : { value: again.value, relaxed: true, error: read.error };
}

// Characters that make a pattern on the text unsure of what Go reads: Go-only line breaks (NEL, LS, PS, a
// carriage return without a line feed) and a byte order mark inside the stream. (Other control characters make
// Go refuse the stream.) Tested one by one: on the Latin-1 strings ASCII input decodes to, V8 answers the class
// of characters above U+00FF at once.
const WIDE_UNSURE = /[\u2028\u2029\ufeff]/;

function unsureCharacters(text: string): boolean {
  return WIDE_UNSURE.test(text) || text.includes('\u0085') || (text.includes('\r') && /\r(?!\n)/.test(text));
}

// What a line at column 0 may be, read at its start: an item of a top-level key's indentless list (`- `), a
// document marker, or a plain `key:` other than `items` (which makes Go read any object as a list).
const PLAIN_LINE =
  /(?:-(?:[ \t]|\r?(?:\n|$))|(?:---|\.\.\.)(?:[ \t]+(?:#[^\n]*)?)?\r?(?:\n|$)|(?!items[ \t]*:)[A-Za-z_][A-Za-z0-9_./-]*:(?:[ \t]|\r?(?:\n|$)))/y;

// unsureLines tells whether a line at column 0 is anything else (blank and comment lines aside). Only a line
// feed starts a line for Go; most lines of a manifest are indented, so the rest are few and checked one by one.
function unsureLines(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    if (!plainLine(text, i)) return true;
    const nl = text.indexOf('\n', i);
    if (nl === -1) break;
    i = nl + 1;
  }
  return false;
}

// plainLine: indented, blank or comment lines (space, tab, line feed, carriage return, #) say nothing about the top level.
function plainLine(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 32 || c === 9 || c === 10 || c === 13 || c === 35) return true;
  PLAIN_LINE.lastIndex = i;
  return PLAIN_LINE.test(text);
}

const KIND_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * certainKind tells whether `sniffed`, the one column-0 `kind:` line's value, is what Go reads as the kind:
 * the value is a plain name (no escapes, tags, anchors, trailing commas), every other top-level line is a
 * plain key (no quoted, explicit or merge keys that could set `kind` again, no flow style), there is no
 * top-level `items`, no other column-0 line starts with `kind:` (a value on the next line, under an anchor or a tag),
 * the value does not go on to the next line, and no character makes Go and a pattern see different lines.
 */
export function certainKind(text: string, sniffed: string): boolean {
  return (
    KIND_NAME.test(sniffed) &&
    !unsureCharacters(text) &&
    !unsureLines(text) &&
    [...starts(text, 'kind:')].length === 1 &&
    !kindGoesOn(text)
  );
}
