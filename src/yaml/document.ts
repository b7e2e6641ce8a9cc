// Reads one YAML document and applies JSON-patch operations to its text, changing only the edited lines.
import type * as Yaml from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Operation } from 'fast-json-patch';
import { fastEdit } from './fast-edit.js';
import { fastRead } from './fast-read.js';
import { relaxQuotedContinuations } from './go-compat.js';
import { readListByItems } from './list-read.js';
import { parseYaml, TO_JS_OPTIONS, toYaml, yaml } from './load.js';
import { lineEnding, position } from './stream.js';

const stringify = (value: unknown, extra: Parameters<typeof toYaml>[1] = {}): string => toYaml(value, extra);
const isAlias = (node: unknown): node is Yaml.Alias => yaml().isAlias(node);
const isMap = (node: unknown): node is YAMLMap => yaml().isMap(node);
const isScalar = (node: unknown): node is Scalar => yaml().isScalar(node);
const isSeq = (node: unknown): node is YAMLSeq => yaml().isSeq(node);

/** ReadResult is what reading a document gives: its plain value, or why it could not be read. */
export interface ReadResult {
  value?: unknown;
  /** True when the document was read only after Go-compatible relaxation; it may not be edited. */
  relaxed?: boolean;
  error?: { message: string; line: number; column: number };
}

const MIB = 1 << 20;

/**
 * MAX_YAML_BYTES bounds the documents handed to the `yaml` package, which needs about a second and
 * 150 MB per MiB. The apiserver stores no object larger than 1.5 MiB (etcd's default request limit),
 * so a larger document can only be a List, or hostile.
 */
export const MAX_YAML_BYTES = MIB;

/** MAX_OBJECT_BYTES bounds any document read, by any reader: twice what the apiserver stores (1.5 MiB). */
export const MAX_OBJECT_BYTES = 3 * MIB;

/**
 * readDocument parses a segment's text to a plain value. It never throws for bad YAML: problems come back in `error`.
 * A document over MAX_YAML_BYTES that fast-read.ts cannot read is refused with an error.
 */
export function readDocument(text: string): ReadResult {
  // Far over what the apiserver stores: refused before any reader spends memory on it (a List is read by items).
  if (text.length > MAX_OBJECT_BYTES) {
    const list = readListByItems(text, readDocument);
    if (list) return list;
    return {
      error: {
        message:
          `the document is ${(text.length / MIB).toFixed(1)} MiB; the apiserver stores no object over 1.5 MiB, ` +
          `and webhook-guard reads none over ${MAX_OBJECT_BYTES / MIB} MiB (a List is read item by item)`,
        line: 1,
        column: 1,
      },
    };
  }
  const fast = fastRead(text);
  if (fast) return { value: fast.value };
  if (text.length > MAX_YAML_BYTES) {
    const list = readListByItems(text, readDocument);
    if (list) return list;
    const mib = (text.length / MIB).toFixed(1);
    return {
      error: {
        message:
          `the document is ${mib} MiB and uses YAML features (anchors, flow style, ` +
          `...) that only the full reader handles, which webhook-guard limits to 1 MiB`,
        line: 1,
        column: 1,
      },
    };
  }
  const strict = parseStrict(text);
  if (!strict.error) return { value: strict.value };
  const relaxedText = relaxQuotedContinuations(text);
  if (relaxedText !== text) {
    const relaxed = parseStrict(relaxedText);
    if (!relaxed.error) return { value: relaxed.value, relaxed: true, error: strict.error };
  }
  return { error: strict.error };
}

/** readWithYaml reads a document with the `yaml` package alone, skipping fast-read.ts; tests and the fuzzer compare the two. */
export function readWithYaml(text: string): { value?: unknown; error?: ReadResult['error'] } {
  const { value, error } = parseStrict(text);
  return error ? { error } : { value };
}

function parseStrict(text: string): { value?: unknown; error?: ReadResult['error']; doc?: Document } {
  let doc: Document;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // yaml reports most problems in doc.errors; a document nested deeply enough can still overflow the stack.
    return { error: { message: (err as Error).message, line: 1, column: 1 } };
  }
  if (doc.errors.length) {
    const e = doc.errors[0];
    const { line, column } = e.linePos?.[0] ? { line: e.linePos[0].line, column: e.linePos[0].col } : position(text, e.pos[0]);
    return { error: { message: withoutQuotes(e.message.split('\n')[0]), line, column } };
  }
  const colon = FLOW_COLON.test(text) ? colonBeforeFlowIndicator(doc, text) : undefined;
  if (colon) return { error: colon };
  try {
    return { value: needsGoRules(text) ? goValue(doc) : doc.toJS(TO_JS_OPTIONS), doc };
  } catch (err) {
    return { error: { message: withoutQuotes((err as Error).message), line: 1, column: 1 } };
  }
}

// A colon right before a flow indicator: where it ends a plain key inside a flow collection, Go reads it otherwise.
const FLOW_COLON = /:[,[\]{}]/;

/**
 * colonBeforeFlowIndicator finds a plain key inside a flow collection whose colon is followed right away by `,`, `[`,
 * `]`, `{` or `}` (`{p:, q: 1}`, `[p:]`, `{p :}`). YAML 1.2 and `yaml` read the key `p`; Go's reader (go-yaml v2, under
 * sigs.k8s.io/yaml) ends a plain scalar at a colon only before white space, so it reads the key `p:` (`p :` with the
 * space), or refuses the text (`{p:[1]}`). Such a document is refused: no reading of it is Go's.
 */
function colonBeforeFlowIndicator(doc: Document, text: string): ReadResult['error'] {
  let found: ReadResult['error'];
  yaml().visit(doc, {
    Pair(_, pair, path) {
      const key = pair.key;
      if (found || !isScalar(key) || key.type !== 'PLAIN' || !key.range) return;
      if (!path.some((n) => (isMap(n) || isSeq(n)) && n.flow)) return;
      let at = key.range[1];
      while (text[at] === ' ' || text[at] === '\t') at++;
      if (text[at] !== ':' || !',[]{}'.includes(text[at + 1] ?? ' ')) return;
      const written = text.slice(key.range[0], at + 1);
      const next = text[at + 1];
      found = {
        message:
          `inside a flow collection Kubernetes takes the colon of \`${written}\` (right before \`${next}\`) as part ` +
          `of the text \`${written}\`, or refuses it, where YAML 1.2 reads the key \`${String(key.source)}\`: put a ` +
          `space after the colon (\`${written} ${next}\`)`,
        ...position(text, at),
      };
      return yaml().visit.BREAK;
    },
  });
  return found;
}

// Merge keys and binary scalars read differently in Go (go-yaml v2, under sigs.k8s.io/yaml) and in `yaml`.
const GO_RULES = /<<|!binary|tag:yaml\.org,2002:binary/;

function needsGoRules(text: string): boolean {
  return GO_RULES.test(text);
}

/**
 * goValue turns a parsed document into the value Go reads from it where `yaml` differs: a `<<` merge key sets
 * its keys where it stands, so it overrides the keys before it and those after it override it (go-yaml v2; of
 * several maps merged at once the first wins), and a `!!binary` scalar is the string its bytes spell.
 */
function goValue(doc: Document): unknown {
  let aliases = 0;
  const set = (out: Record<string, unknown>, key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  const conv = (node: unknown): unknown => {
    if (isAlias(node)) {
      if (++aliases > TO_JS_OPTIONS.maxAliasCount!) throw new Error('too many aliases in one document');
      return conv(node.resolve(doc));
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const k = pair.key;
        if (!isMergeKey(k)) {
          const key = conv(k);
          set(out, typeof key === 'string' ? key : key === null ? 'null' : String(key), conv(pair.value));
          continue;
        }
        const from = isSeq(pair.value) ? [...pair.value.items].reverse() : [pair.value];
        for (const source of from) {
          const m = conv(source);
          if (m === null || typeof m !== 'object' || Array.isArray(m))
            throw new Error('a merge key needs a map or a list of maps');
          for (const [key, value] of Object.entries(m)) set(out, key, value);
        }
      }
      return out;
    }
    if (isSeq(node)) return node.items.map(conv);
    if (isScalar(node)) {
      const v = node.value;
      if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
      return typeof v === 'symbol' ? String(v.description) : v;
    }
    return node ?? null;
  };
  return conv(doc.contents);
}

function isMergeValue(v: unknown): boolean {
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

// isMergeKey: a plain `<<` key, which Go reads as a merge key (a quoted one is an ordinary key).
function isMergeKey(k: unknown): boolean {
  return isScalar(k) && (k.type === undefined || k.type === 'PLAIN') && isMergeValue(k.value);
}

// mergedFrom tells where a map's value for `key` comes from as Go reads it (see goValue): undefined when a key of the
// map's own gives it, or nothing does; else the merge key, the value under it that gives the key (an alias, or a map
// written there) and its index where that value is a list of them.
function mergedFrom(
  map: YAMLMap,
  key: string,
  doc: Document,
  depth = 0,
): { pair: Pair; source: unknown; index?: number } | undefined {
  // Merges nest (a merged map merges another); an alias cannot repeat what holds it, but the depth is bounded anyway.
  if (depth > 32) return undefined;
  let from: { pair: Pair; source: unknown; index?: number } | undefined;
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) {
      if (keyName(pair.key) === key) from = undefined;
      continue;
    }
    const list = isSeq(pair.value);
    const sources = list ? (pair.value as YAMLSeq).items : [pair.value];
    // Of several maps merged at once the first that has the key gives it (go-yaml v2).
    const index = sources.findIndex((source) => {
      const m = isAlias(source) ? source.resolve(doc) : source;
      if (!isMap(m)) return false;
      return m.items.some((p) => !isMergeKey(p.key) && keyName(p.key) === key) || !!mergedFrom(m, key, doc, depth + 1);
    });
    if (index !== -1) from = { pair: pair as Pair, source: sources[index], index: list ? index : undefined };
  }
  return from;
}

// A few of yaml's messages quote the document (an alias's or tag's name, stray characters, an escape).
// Error messages never carry document text, which may be a Secret's: those keep only their gist, and
// the line and column point at the spot.
const QUOTING_MESSAGES = [
  'Unresolved alias (the anchor must be set before the alias)',
  'Unresolved tag',
  'Block scalar header includes extra characters',
  'Invalid escape sequence',
  'Plain value cannot start with',
  'Ordered maps must not include duplicate keys',
  'Unresolved plain scalar',
];
const literal = (m: string): string => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const QUOTING = new RegExp(`^(${QUOTING_MESSAGES.map(literal).join('|')})(?=[: ]|$).*`);

function withoutQuotes(message: string): string {
  return message.replace(QUOTING, '$1');
}

/** EditError says why a patch operation could not be applied to the text; the caller adds which document. */
export class EditError extends Error {}

/**
 * SharedValueError is the EditError for an edit that meets a value a YAML anchor shares with its aliases
 * (`namespaceSelector: &sel {...}`, then `namespaceSelector: *sel`): its text stands in one place only, so an edit there
 * changes every place that repeats it, and an edit through an alias has no text of its own to change. The caller
 * knows what the places are (webhooks, fields) and names them.
 */
export class SharedValueError extends EditError {
  /** The place of `places` that the edit meets: where it goes, or the place it is in. */
  readonly edited: string[];
  /** The other places that hold the same value. */
  readonly others: string[][];

  constructor(
    /** The anchor's name, without `&`. */
    readonly anchor: string,
    /** Every place that holds the value, as path segments: where the anchor is set, then each alias. */
    readonly places: string[][],
    /** The path of the edit (the operation's) that meets it, or of the list item to remove. */
    readonly edit: string[],
    /**
     * True when the edit removes the list item that sets the anchor (drop-webhooks): the aliases in `places` (outside
     * the removed items) would be left without the value. Default: false.
     */
    readonly removing = false,
  ) {
    const meets = (p: string[]): boolean => p.every((s, i) => i >= edit.length || edit[i] === s);
    const edited = places.find(meets) ?? places[0];
    const others = places.filter((p) => p !== edited);
    super(
      removing
        ? `${jsonPointer(edited)} sets the anchor &${anchor} that ${others.map(jsonPointer).join(', ')} ` +
            `${others.length > 1 ? 'repeat' : 'repeats'} through the alias *${anchor}; write the value out in each place ` +
            `instead of the alias *${anchor}, or remove ${others.length > 1 ? 'those' : 'that'} too`
        : `${jsonPointer(edited)} is shared through the anchor &${anchor} with ${others.map(jsonPointer).join(', ')}; ` +
            `write the value out in each place instead of the alias *${anchor}`,
    );
    this.edited = edited;
    this.others = others;
  }
}

/**
 * MergeKeyError is the EditError for an edit that meets a key a map has only through a merge key (`<<: *base`, or a
 * list of them): the key's text stands in the map merged, where its anchor is set, and every map that merges it shares
 * it; the map edited has no text of its own to change. (A key written after `<<` overrides the merged one: a value
 * replaced whole is written so.) The caller knows what the places are (webhooks, fields) and names them.
 */
export class MergeKeyError extends EditError {
  constructor(
    /** The key the edit meets, as path segments in the map that merges it (`webhooks`, `0`, `namespaceSelector`). */
    readonly field: string[],
    /** The merge key's value that gives it: `[..., '<<']`, or `[..., '<<', '1']` in a list of them. */
    readonly merge: string[],
    /** The anchor that value repeats, without `*`; undefined for a map written after `<<:` itself. */
    readonly anchor: string | undefined,
    /** Where the anchor is set, then every place that repeats it (aliases and merge keys, this one too); [] if unknown. */
    readonly places: string[][],
    /** The path of the edit (the operation's). */
    readonly edit: string[],
  ) {
    const key = field[field.length - 1];
    const from = anchor
      ? `the merge key << of the anchor &${anchor}${places.length ? ` (set at ${jsonPointer(places[0])})` : ''}`
      : `the map the merge key ${jsonPointer(merge)} holds`;
    super(
      `${jsonPointer(field)} comes from ${from}; write ${key} out in ${jsonPointer(field.slice(0, -1))} after ` +
        `its <<${anchor ? `: *${anchor}` : ''} (a key written there overrides the merged one)`,
    );
  }
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * applyOperations edits `text` so that it reads as the document with `ops` applied, touching only the
 * lines those operations concern. Supports `add` and `replace` (the only operations transforms make).
 * Throws EditError when an operation runs through an alias or the result does not read back as expected.
 */
export function applyOperations(text: string, ops: Operation[], expected: unknown): string {
  for (const op of ops)
    if (op.op !== 'add' && op.op !== 'replace') throw new EditError(`unsupported operation ${op.op} at ${op.path}`);
  // Most edits are simple enough for fast-edit.ts, which writes the same text without loading yaml.
  const fast = fastEdit(text, ops);
  if (fast !== undefined) {
    const back = fastRead(fast);
    if (back && deepEqual(back.value, expected)) return fast;
  }
  return applyOperationsWithYaml(text, ops, expected);
}

/**
 * removeItems removes list items, given as JSON pointers (`/webhooks/2`), from a document's text: a block list item
 * with its lines, a flow list rewritten without it. Only drop-webhooks removes (see the Transform contract); `expected`
 * is the value without them, which the result must read back as.
 */
export function removeItems(text: string, pointers: string[], expected: unknown): string {
  refuseRemovingShared(text, pointers.map(parsePointer));
  // Highest index first, so the earlier items' places stay as parsed.
  const ordered = [...pointers].sort((a, b) => Number(b.split('/').pop()) - Number(a.split('/').pop()));
  let out = text;
  for (const pointer of ordered) {
    const doc = parseYaml(out);
    if (doc.errors.length) throw new EditError(`cannot edit: ${withoutQuotes(doc.errors[0].message.split('\n')[0])}`);
    const ctx = new EditContext(out, doc);
    const s = ctx.removeItem(parsePointer(pointer));
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
  }
  const check: { value?: unknown; error?: ReadResult['error'] } = fastRead(out) ?? parseStrict(out);
  if (check.error || !deepEqual(check.value, expected))
    throw new EditError(
      `the text without the removed items does not read back as intended${check.error ? `: ${check.error.message}` : ''}`,
    );
  return out;
}

/**
 * refuseRemovingShared throws SharedValueError (removing) where a list item to remove sets an anchor that an alias
 * outside the removed items repeats: without the item the alias has no value (`Unresolved alias`), or an earlier
 * anchor's of the same name. An alias inside a removed item goes with it, harmlessly.
 */
function refuseRemovingShared(text: string, paths: string[][]): void {
  if (!text.includes('&') || !ALIAS_LIKE.test(text)) return;
  const doc = parseYaml(text);
  // removeItems refuses a document it cannot parse, with yaml's message.
  if (doc.errors.length) return;
  const sharing = collectSharing(doc);
  if (sharing.size === 0) return;
  const removed = new Set<unknown>();
  for (const path of paths) {
    let node: unknown = doc.contents;
    for (const seg of path) node = isMap(node) ? findPair(node, seg)?.value : isSeq(node) ? node.items[Number(seg)] : undefined;
    visitNodes(node, (n) => removed.add(n));
  }
  for (const [node, shared] of sharing) {
    if (isAlias(node) || !removed.has(node)) continue;
    // places[0] is where the anchor is set; places[i + 1] is aliases[i].
    const outside = shared.places.slice(1).filter((_, i) => !removed.has(shared.aliases[i]));
    if (!outside.length) continue;
    const set = shared.places[0];
    const item = paths.find((p) => p.every((seg, i) => set[i] === seg)) ?? paths[0];
    throw new SharedValueError(shared.anchor, [set, ...outside], item, true);
  }
}

/** applyOperationsWithYaml is applyOperations with the yaml-based editor alone; tests and the fuzzer compare the two. */
export function applyOperationsWithYaml(text: string, ops: Operation[], expected: unknown): string {
  // The same bound as for reading: a List read item by item may be larger, but editing parses it whole.
  if (text.length > MAX_YAML_BYTES)
    throw new EditError(
      `the document is ${(text.length / MIB).toFixed(1)} MiB and needs ` +
        `the full YAML reader to edit, which webhook-guard limits to 1 MiB`,
    );
  let remaining = ops;
  let out = text;
  while (remaining.length) {
    const doc = parseYaml(out);
    if (doc.errors.length) throw new EditError(`cannot edit: ${withoutQuotes(doc.errors[0].message.split('\n')[0])}`);
    const ctx = new EditContext(out, doc);
    const splices: Splice[] = [];
    let taken = 0;
    for (const op of remaining) {
      const splice = ctx.plan(op);
      // Two edits that touch or meet at the same place are applied one after the other, re-reading between them.
      if (splices.some((s) => s.start <= splice.end && splice.start <= s.end)) break;
      splices.push(splice);
      taken++;
    }
    splices.sort((a, b) => b.start - a.start);
    for (const s of splices) out = out.slice(0, s.start) + s.text + out.slice(s.end);
    remaining = remaining.slice(taken);
  }
  const check: { value?: unknown; error?: ReadResult['error'] } = fastRead(out) ?? parseStrict(out);
  if (check.error || !deepEqual(check.value, expected)) {
    throw new EditError(`the edited text does not read back as intended${check.error ? `: ${check.error.message}` : ''}`);
  }
  return out;
}

class EditContext {
  readonly nl: '\n' | '\r\n';
  readonly indentSeq: boolean;
  // What anchors share, found on the first edit of a document that has an alias.
  private sharing?: Map<unknown, Shared>;
  // Whether the text could hold a merge key, found on the first edit that walks a map.
  private merges?: boolean;

  constructor(
    readonly text: string,
    readonly doc: Document,
  ) {
    this.nl = lineEnding(text);
    this.indentSeq = detectIndentSeq(doc, text);
  }

  plan(op: Operation): Splice {
    const path = parsePointer(op.path);
    if (op.op !== 'add' && op.op !== 'replace') throw new EditError(`unsupported operation ${op.op} at ${op.path}`);
    const value = (op as { value: unknown }).value;
    if (path.length === 0) throw new EditError('cannot replace a whole document');
    this.refuseShared(path, op.op);
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1];
    const { node: parent, owner } = this.walk(parentPath, path);
    if (isMap(parent)) {
      const pair = findPair(parent, key);
      // A key of its own that a merge key after it overrides is not what Go reads; a key the map has only through a
      // merge key is written after it (insertPair), and overrides it.
      if (pair) this.refuseMerged(parent, path, path);
      if (pair && pair.value) return this.replaceNode(pair.value as Node, value, pair);
      if (pair) return this.fillNull(pair, value);
      return this.insertPair(parent, key, value, owner);
    }
    if (isSeq(parent)) {
      const index = key === '-' ? parent.items.length : Number(key);
      if (op.op === 'replace' || index < parent.items.length) {
        if (op.op === 'replace') return this.replaceNode(parent.items[index] as Node, value);
        return this.rewriteCollection(parent, insertAt(parent.toJS(this.doc), index, value), owner);
      }
      return this.appendItem(parent, value, owner);
    }
    if (isScalar(parent) && parent.value == null && owner) {
      return this.fillNull(owner, Array.isArray(value) || key.match(/^\d+$/) ? [value] : { [key]: value });
    }
    throw new EditError(`no map or list at /${parentPath.join('/')} to hold ${key}`);
  }

  // refuseShared throws SharedValueError where the edit at `path` would change a value that an anchor shares with its
  // aliases: it goes through an alias, or into (or onto) an anchored value that an alias repeats, or it rewrites text
  // that sets such an anchor. Without this, such an edit failed as "does not read back as intended", or as an edit
  // through an alias, neither of which says what is shared.
  refuseShared(path: string[], op: 'add' | 'replace'): void {
    // Nothing is shared without an anchor and an alias: a `*` that starts a token (no plain scalar starts with one), or
    // follows the colon of a JSON-like key (`{"a":*x}`).
    if (!this.text.includes('&') || !ALIAS_LIKE.test(this.text)) return;
    const sharing = (this.sharing ??= collectSharing(this.doc));
    if (sharing.size === 0) return;
    const refuse = (shared: Shared): never => {
      throw new SharedValueError(shared.anchor, shared.places, path);
    };
    let node: unknown = this.doc.contents;
    let parent: unknown;
    let depth = 0;
    for (const seg of path) {
      parent = node;
      if (isMap(node)) {
        const pair = findPair(node, seg);
        // A key with no value at all (`{b}`, `b:` at the end) gets its value written after it: nothing else changes.
        if (pair && !pair.value) return;
        node = pair?.value;
      } else if (isSeq(node) && /^\d+$/.test(seg)) node = node.items[Number(seg)];
      else node = undefined;
      if (node === undefined || node === null) break;
      depth++;
      const shared = sharing.get(node);
      if (shared) refuse(shared);
      if (isAlias(node)) return;
    }
    // The text that the edit rewrites whole: the value it replaces, or a collection re-rendered to take a new key or item
    // (an empty one, a flow one without brackets of its own, or a list an item is inserted into; see appendToFlow). An
    // anchor set inside it and repeated outside would go.
    const whole = (c: unknown): boolean =>
      (isMap(c) || isSeq(c)) && (c.items.length === 0 || (!!c.flow && !this.hasOwnBrackets(c)));
    const target = depth === path.length ? node : undefined;
    const lastParent = depth >= path.length - 1;
    let rewritten: unknown;
    if (target !== undefined && !(isSeq(parent) && op === 'add')) rewritten = target;
    else if (lastParent && (whole(parent) || (isSeq(parent) && target !== undefined))) rewritten = parent;
    if (rewritten === undefined) return;
    const inside = new Set<unknown>();
    visitNodes(rewritten, (n) => inside.add(n));
    for (const [n, shared] of sharing)
      if (inside.has(n) && !isAlias(n) && shared.aliases.some((a) => !inside.has(a))) refuse(shared);
  }

  // refuseMerged throws MergeKeyError where the map's value for the last segment of `field` comes from a merge key: the
  // walk to an edit would go through it (it used to fail as "missing key"), or the edit would change a key of the map's
  // own that the merge overrides.
  refuseMerged(map: YAMLMap, field: string[], edit: string[]): void {
    if (!(this.merges ??= this.text.includes('<<')) || !map.items.some((p) => isMergeKey(p.key))) return;
    const from = mergedFrom(map, field[field.length - 1], this.doc);
    if (!from) return;
    const merge = [...field.slice(0, -1), keyName(from.pair.key), ...(from.index === undefined ? [] : [String(from.index)])];
    if (!isAlias(from.source)) throw new MergeKeyError(field, merge, undefined, [], edit);
    const shared = (this.sharing ??= collectSharing(this.doc)).get(from.source);
    throw new MergeKeyError(field, merge, from.source.source, shared?.places ?? [], edit);
  }

  // removeItem plans the removal of one list item: its lines in a block list (from its `-` line to the next item's),
  // or the list rewritten in a flow one.
  removeItem(path: string[]): Splice {
    const { node: seq, owner } = this.walk(path.slice(0, -1));
    const index = Number(path[path.length - 1]);
    if (!isSeq(seq) || !Number.isInteger(index) || index < 0 || index >= seq.items.length)
      throw new EditError(`no list item at /${path.join('/')}`);
    if (seq.flow)
      return this.rewriteCollection(
        seq,
        (seq.toJS(this.doc) as unknown[]).filter((_, i) => i !== index),
        owner,
      );
    if (seq.items.length === 1) return this.rewriteCollection(seq, [], owner);
    const lineStart = (offset: number): number => this.text.lastIndexOf('\n', offset - 1) + 1;
    const item = seq.items[index] as Node;
    const start = lineStart(item.range![0]);
    const next = seq.items[index + 1] as Node | undefined;
    const end = next ? lineStart(next.range![0]) : this.afterLine(item.range![1]).pos;
    return { start, end, text: '' };
  }

  walk(path: string[], edit = path): { node: unknown; owner?: Pair } {
    let node: unknown = this.doc.contents;
    let owner: Pair | undefined;
    for (const [i, seg] of path.entries()) {
      if (isAlias(node)) throw new EditError(`cannot edit through the alias *${node.source}`);
      if (isMap(node)) {
        this.refuseMerged(node, path.slice(0, i + 1), edit);
        const pair = findPair(node, seg);
        if (!pair) throw new EditError(`missing key ${seg}`);
        owner = pair;
        node = pair.value;
      } else if (isSeq(node)) {
        owner = undefined;
        node = node.items[Number(seg)];
      } else throw new EditError(`cannot descend into ${seg}`);
    }
    if (isAlias(node)) throw new EditError(`cannot edit through the alias *${node.source}`);
    return { node, owner };
  }

  column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  // afterLine is where a new line goes after the node ending at `end`: the start of the next line.
  afterLine(end: number): { pos: number; lead: string } {
    if (end > 0 && this.text[end - 1] === '\n') return { pos: end, lead: '' };
    const eol = this.text.indexOf('\n', end);
    if (eol === -1) return { pos: this.text.length, lead: this.nl };
    return { pos: eol + 1, lead: '' };
  }

  insertPair(map: YAMLMap, key: string, value: unknown, owner?: Pair): Splice {
    if (map.flow || map.items.length === 0)
      return (
        this.appendToFlow(map, key, value) ??
        this.rewriteCollection(map, { ...(map.toJS(this.doc) as object), [key]: value }, owner)
      );
    const first = map.items[0].key as Node;
    const col = this.column(first.range![0]);
    const last = map.items[map.items.length - 1];
    const end = ((last.value as Node | null) ?? (last.key as Node)).range![1];
    const { pos, lead } = this.afterLine(end);
    const body = ' '.repeat(col) + renderKey(key) + ':' + this.afterKey(value, col);
    return { start: pos, end: pos, text: lead + body + (lead ? '' : this.nl) };
  }

  appendItem(seq: YAMLSeq, value: unknown, owner?: Pair): Splice {
    if (seq.flow || seq.items.length === 0)
      return (
        this.appendToFlow(seq, undefined, value) ??
        this.rewriteCollection(seq, [...(seq.toJS(this.doc) as unknown[]), value], owner)
      );
    const col = this.column(seq.range![0]);
    const last = seq.items[seq.items.length - 1] as Node;
    const { pos, lead } = this.afterLine(last.range![1]);
    const body =
      ' '.repeat(col) +
      '- ' +
      this.block(value, col + 2)
        .replace(/^ +/, '')
        .replace(/\r?\n$/, '');
    return { start: pos, end: pos, text: lead + body + (lead ? '' : this.nl) };
  }

  // fillNull gives a key that has no value (`labels:` or `labels: null`) the value, in block style, or in flow style
  // where the key stands in a flow collection.
  fillNull(pair: Pair, value: unknown): Splice {
    const flow = this.flowMapOf(pair);
    if (flow) return this.fillNullInFlow(pair, value, flow);
    const key = pair.key as Node;
    const col = this.column(key.range![0]);
    const node = pair.value as Node | null;
    let start = node ? node.range![0] : key.range![2];
    const end = node ? node.range![1] : key.range![2];
    if (!node) {
      const colon = this.text.indexOf(':', key.range![1]);
      start = colon + 1;
    }
    while (start > 0 && (this.text[start - 1] === ' ' || this.text[start - 1] === '\t')) start--;
    return { start, end: Math.max(start, end), text: this.afterKey(value, col) };
  }

  // fillNullInFlow writes the value where the null (or nothing) was: a block value cannot stand inside a flow
  // collection, and writing only there keeps the rest of the collection (a JSON document's whole line) as it was.
  // JSON where the collection is JSON, so that a JSON document stays JSON.
  fillNullInFlow(pair: Pair, value: unknown, flow: YAMLMap): Splice {
    const json = /^[[{]\s*"/.test(this.text.slice(flow.range![0], flow.range![1]));
    const text = json ? JSON.stringify(value) : renderInFlow(value);
    const node = pair.value as Node | null;
    if (!node) {
      // `{b}`: a key without even a colon.
      const at = (pair.key as Node).range![1];
      return { start: at, end: at, text: ': ' + text };
    }
    const [start, end] = node.range!;
    // An empty value can sit right before a comment (`{b: # c`): a `#` right after the value would be part of it.
    const after = this.text[end] === '#' ? ' ' : '';
    return { start, end, text: text + after };
  }

  // flowMapOf is the map that holds the pair when that map is in flow style (any map inside a flow collection is).
  flowMapOf(pair: Pair): YAMLMap | undefined {
    let found: YAMLMap | undefined;
    const visit = (node: unknown): void => {
      if (found || !node) return;
      if (isMap(node)) {
        if (node.items.includes(pair)) found = node;
        else for (const p of node.items) visit(p.value);
      } else if (isSeq(node)) for (const i of node.items) visit(i);
    };
    visit(this.doc.contents);
    return found?.flow ? found : undefined;
  }

  // appendToFlow plans a new last member of a non-empty flow collection (`key: value` for a map, `value` for a list),
  // written where the collection's members are: after its last one, with the separator they have, on a line of its own
  // at their indentation where they stand one a line (pretty-printed JSON), JSON where the collection is JSON. Every
  // other byte stays as it was, comments inside the collection too: re-rendering it whole turned a pretty-printed JSON
  // webhook into one line. Undefined for an empty collection (nothing to follow) and for one without brackets of its
  // own (the single pair of `[k: v]`), which are rewritten whole.
  appendToFlow(node: YAMLMap | YAMLSeq, key: string | undefined, value: unknown): Splice | undefined {
    if (!this.hasOwnBrackets(node) || node.items.length === 0) return undefined;
    const bounds = node.items.map((item) => itemBounds(item));
    if (bounds.some((b) => b === undefined)) return undefined;
    // An item starts where its props (`&a`, `!!str`) do: at the first text after the separator before it.
    const starts: number[] = [];
    let prevEnd = node.range![0] + 1;
    for (const b of bounds as Array<[number, number]>) {
      starts.push(this.skipSeparation(prevEnd, true));
      prevEnd = b[1];
    }
    const n = bounds.length;
    const lastEnd = bounds[n - 1]![1];
    const lastStart = starts[n - 1];
    const gap = this.text.slice(n > 1 ? bounds[n - 2]![1] : node.range![0] + 1, lastStart);
    const multiLine = /[\n\r]/.test(gap);
    const outer = this.outermostFlow(node);
    const json = isJsonFlow(outer);
    // JSON written without blanks after its commas and colons (`{"a":1,"b":2}`) gets none either.
    const layout = json ? withoutStrings(this.text.slice(outer.range![0], outer.range![1])) : '';
    const compact = /[,:]/.test(layout) && !/[,:][ \t]/.test(layout);
    const separator = n > 1 && /^[ \t]*,[ \t]*$/.test(gap) ? gap : compact ? ',' : ', ';
    let member: string;
    if (key === undefined) member = json ? JSON.stringify(value) : this.renderInFlowOf(node, value);
    else {
      const last = node.items[n - 1] as Pair;
      const lastKey = last.key as Node | null;
      const lastValue = last.value as Node | null;
      const colonGap =
        lastKey?.range && lastValue?.range ? this.text.slice(lastKey.range[1], lastValue.range[0]) : compact ? ':' : ': ';
      // A plain key needs a blank after its colon (`{a:1}` is the one key `a:1`); a JSON key does not.
      const colon = /^[ \t]*:[ \t]*$/.test(colonGap) && (json || /[ \t]$/.test(colonGap)) ? colonGap : ': ';
      member = json
        ? JSON.stringify(key) + colon + JSON.stringify(value)
        : this.renderInFlowOf(node, key) + colon + this.renderInFlowOf(node, value);
    }
    // A comma after the last member (`[a, b,]`) stays the last thing before the bracket.
    const after = this.skipSeparation(lastEnd, false);
    const trailing = this.text[after] === ',' ? after : -1;
    if (!multiLine) {
      if (trailing === -1) return { start: lastEnd, end: lastEnd, text: separator + member };
      return { start: trailing + 1, end: trailing + 1, text: separator.replace(/^[ \t]*,/, '') + member + ',' };
    }
    const indent = this.text.slice(this.text.lastIndexOf('\n', lastStart - 1) + 1, lastStart).replace(/[^\t]/g, ' ');
    const line = this.nl + indent + member;
    // The new member goes on the line after the last one's, so a comment after the last member stays on its line.
    const from = trailing === -1 ? lastEnd : trailing + 1;
    const eol = this.lineEnd(from);
    const rest = this.text.slice(from, eol);
    const toEol = /^[ \t]*(#.*)?$/.test(rest);
    if (trailing === -1)
      return toEol ? { start: lastEnd, end: eol, text: ',' + rest + line } : { start: lastEnd, end: lastEnd, text: ',' + line };
    return toEol ? { start: eol, end: eol, text: line + ',' } : { start: from, end: from, text: line + ',' };
  }

  // hasOwnBrackets: the collection is written between its own brackets (a pair alone in a flow list has none).
  hasOwnBrackets(node: YAMLMap | YAMLSeq): boolean {
    const [start, end] = node.range!;
    const pair = isMap(node) ? '{}' : '[]';
    return this.text[start] === pair[0] && this.text[end - 1] === pair[1];
  }

  // skipSeparation is the first offset from `at` that holds neither white space, line breaks nor comments, nor (with
  // `commas`) a comma: between the members of a flow collection, where the next one starts.
  skipSeparation(at: number, commas: boolean): number {
    let i = at;
    for (;;) {
      const c = this.text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || (commas && c === ',')) i++;
      else if (c === '#' && (i === 0 || /[ \t\r\n]/.test(this.text[i - 1]))) i = this.lineEnd(i);
      else return i;
    }
  }

  // lineEnd is the offset of the line break that ends the line holding `at` (before `\r\n`), or the text's end.
  lineEnd(at: number): number {
    const eol = this.text.indexOf('\n', at);
    if (eol === -1) return this.text.length;
    return eol > at && this.text[eol - 1] === '\r' ? eol - 1 : eol;
  }

  // outermostFlow is the flow collection that holds `node` and is held by none (the document itself in JSON).
  outermostFlow(node: YAMLMap | YAMLSeq): YAMLMap | YAMLSeq {
    let found: YAMLMap | YAMLSeq = node;
    const visit = (n: unknown, outer: YAMLMap | YAMLSeq | undefined): boolean => {
      if (n === node) {
        if (outer) found = outer;
        return true;
      }
      if (!isMap(n) && !isSeq(n)) return false;
      const next = outer ?? (n.flow ? n : undefined);
      if (isMap(n)) return n.items.some((p) => visit(p.key, next) || visit(p.value, next));
      return n.items.some((i) => visit(i, next));
    };
    visit(this.doc.contents, undefined);
    return found;
  }

  // renderInFlowOf writes a value inside the flow collection `node`, with the padding inside brackets that it has.
  renderInFlowOf(node: YAMLMap | YAMLSeq, value: unknown): string {
    const [start, end] = node.range!;
    const padded = /[[{][ \t]/.test(this.text.slice(start, end));
    return renderInFlow(value, padded);
  }

  // rewriteCollection re-renders a flow or empty collection whole; comments inside a flow collection are lost.
  rewriteCollection(node: YAMLMap | YAMLSeq, value: unknown, owner?: Pair): Splice {
    const [start, end] = node.range!;
    const src = this.text.slice(start, end);
    const blockContext = owner && isEmptyFlow(src) && !insideFlow(this.doc, node);
    if (blockContext) {
      const col = this.column((owner.key as Node).range![0]);
      let s = start;
      while (s > 0 && (this.text[s - 1] === ' ' || this.text[s - 1] === '\t')) s--;
      return { start: s, end, text: this.afterKey(value, col) };
    }
    const json = /^[[{]\s*"/.test(src) || (isEmptyFlow(src) && looksLikeJson(this.text));
    return { start, end, text: json ? JSON.stringify(value) : renderFlow(value) };
  }

  replaceNode(node: Node, value: unknown, pair?: Pair): Splice {
    if (isScalar(node)) {
      const [start, end] = node.range!;
      if (value !== null && typeof value === 'object') {
        if (pair) return this.fillNull(pair, value);
        throw new EditError('cannot replace a scalar list item with a collection');
      }
      const type = (node as Scalar).type;
      if ((type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') && typeof value === 'string') {
        const block = this.replaceBlock(node as Scalar, value);
        if (block) return block;
      }
      let text = renderScalar(value, node as Scalar);
      if (start === end) text = ' ' + text;
      const old = this.text.slice(start, end);
      if (old.endsWith('\n')) text += this.nl;
      return { start, end, text };
    }
    if ((isMap(node) || isSeq(node)) && (node.flow || node.items.length === 0)) return this.rewriteCollection(node, value, pair);
    if (pair && value !== null && typeof value === 'object') {
      // A block collection replaced whole: rewrite from after the key to the end of the old value.
      const col = this.column((pair.key as Node).range![0]);
      const colon = this.text.indexOf(':', (pair.key as Node).range![1]);
      const endNode = node.range![1];
      const text = this.afterKey(value, col);
      const tail = this.text[endNode - 1] === '\n' ? this.nl : '';
      return { start: colon + 1, end: endNode, text: text + tail };
    }
    throw new EditError('cannot replace this node');
  }

  // replaceBlock writes a string over a block scalar as a literal block with the same content indentation
  // and header comment, so multi-line text (JSON in a ConfigMap) stays a block; undefined when it cannot.
  replaceBlock(node: Scalar, value: string): Splice | undefined {
    const [start, end] = node.range!;
    const old = this.text.slice(start, end);
    const header = /^[|>][1-9+-]*([^\r\n]*)\r?\n/.exec(old);
    const indent = header && /^( +)\S/m.exec(old.slice(header[0].length))?.[1];
    // A block cannot hold control characters or carriage returns, and a leading space or line break would need an indentation
    // indicator.
    if (!indent || !old.endsWith('\n') || /^[\s]|[\r\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) return undefined;
    const chomp = !value.endsWith('\n') ? '-' : value.endsWith('\n\n') ? '+' : '';
    const body = chomp === '-' ? value : value.slice(0, -1);
    const lines = body.split('\n').map((l) => (l === '' ? '' : indent + l));
    return { start, end, text: `|${chomp}${header[1]}${this.nl}${lines.join(this.nl)}${this.nl}` };
  }

  // afterKey renders what follows `key:` for a key at column `col`.
  afterKey(value: unknown, col: number): string {
    if (value === null || typeof value !== 'object' || isEmpty(value)) return ' ' + renderInline(value);
    const indent = Array.isArray(value) && !this.indentSeq ? col : col + 2;
    return this.nl + this.block(value, indent).replace(/\r?\n$/, '');
  }

  // block renders a value as block YAML whose every line starts at column `indent`, ending with a line break.
  block(value: unknown, indent: number): string {
    if (value === null || typeof value !== 'object' || isEmpty(value)) return ' '.repeat(indent) + renderInline(value) + this.nl;
    const text = stringify(value, { indentSeq: this.indentSeq });
    const pad = ' '.repeat(indent);
    return (
      text
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => (l === '' ? l : pad + l))
        .join(this.nl) + this.nl
    );
  }
}

const ALIAS_LIKE = /(?:^|[\s[{,:])\*[^\s,[\]{}]/m;

// Shared is an anchored value that aliases repeat: the anchor's name, the places that hold the value (where the anchor
// is set, then each alias), and the alias nodes.
interface Shared {
  anchor: string;
  places: string[][];
  aliases: unknown[];
}

// collectSharing maps every anchored node that an alias repeats, and each such alias, to what it shares. An alias
// repeats the last node before it that sets its anchor (the name may be set again further on). Keys are visited for
// their anchors but are no place of their own: webhook-guard never edits keys.
function collectSharing(doc: Document): Map<unknown, Shared> {
  const latest = new Map<string, { node: unknown; path?: string[] }>();
  const sharing = new Map<unknown, Shared>();
  const path: string[] = [];
  const visit = (node: unknown, inKey: boolean): void => {
    if (isAlias(node)) {
      const target = latest.get(node.source);
      if (!target?.path || inKey) return;
      let shared = sharing.get(target.node);
      if (!shared) sharing.set(target.node, (shared = { anchor: node.source, places: [target.path], aliases: [] }));
      shared.places.push([...path]);
      shared.aliases.push(node);
      sharing.set(node, shared);
      return;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) latest.set(anchor, { node, path: inKey ? undefined : [...path] });
    if (isMap(node))
      for (const pair of node.items) {
        visit(pair.key, true);
        path.push(keyName(pair.key));
        visit(pair.value, inKey);
        path.pop();
      }
    else if (isSeq(node))
      node.items.forEach((item, i) => {
        path.push(String(i));
        visit(item, inKey);
        path.pop();
      });
  };
  visit(doc.contents, false);
  return sharing;
}

// visitNodes calls `fn` on a node and every node inside it (keys and values), not following aliases.
function visitNodes(node: unknown, fn: (n: unknown) => void): void {
  if (node === null || node === undefined) return;
  fn(node);
  if (isMap(node))
    for (const pair of node.items) {
      visitNodes(pair.key, fn);
      visitNodes(pair.value, fn);
    }
  else if (isSeq(node)) for (const item of node.items) visitNodes(item, fn);
}

// keyName is a key as a path segment; a merge key (`<<`, read as a symbol) as it is written.
function keyName(key: unknown): string {
  const value = isScalar(key) ? key.value : key;
  return typeof value === 'symbol' ? String(value.description) : String(value);
}

function jsonPointer(path: string[]): string {
  return '/' + path.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  for (const pair of map.items) {
    const k = pair.key;
    const name = isScalar(k) ? String(k.value) : String(k);
    if (name === key) return pair as Pair;
  }
  return undefined;
}

function insertAt(list: unknown, index: number, value: unknown): unknown[] {
  const copy = [...(list as unknown[])];
  copy.splice(index, 0, value);
  return copy;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function isEmptyFlow(src: string): boolean {
  return /^(\{\s*\}|\[\s*\])$/.test(src.trim());
}

function looksLikeJson(text: string): boolean {
  return /^\s*\{\s*"/.test(text.replace(/^(---.*\r?\n|#.*\r?\n)*/, ''));
}

function insideFlow(doc: Document, target: Node): boolean {
  let found = false;
  const visit = (node: unknown, inFlow: boolean): void => {
    if (found || !node) return;
    if (node === target) {
      found = inFlow;
      return;
    }
    if (isMap(node)) for (const p of node.items) visit(p.value, inFlow || !!node.flow);
    else if (isSeq(node)) for (const i of node.items) visit(i, inFlow || !!node.flow);
  };
  visit(doc.contents, false);
  return found;
}

// detectIndentSeq follows the document's own style for lists under a key: indented ("  - a") or not ("- a").
function detectIndentSeq(doc: Document, text: string): boolean {
  let verdict: boolean | undefined;
  const column = (offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const visit = (node: unknown): void => {
    if (verdict !== undefined || !node) return;
    if (isMap(node) && !node.flow) {
      for (const p of node.items) {
        if (isSeq(p.value) && !p.value.flow && p.value.items.length && p.key && (p.key as Node).range) {
          verdict = column(p.value.range![0]) > column((p.key as Node).range![0]);
          return;
        }
        visit(p.value);
        // Stop at the first list found below; a later sibling list used to overwrite it (the fuzzer found this).
        if (verdict !== undefined) return;
      }
    } else if (isSeq(node) && !node.flow) for (const i of node.items) visit(i);
  };
  visit(doc.contents);
  return verdict ?? true;
}

function renderKey(key: string): string {
  return stringify(key).replace(/\n$/, '');
}

function renderInline(value: unknown): string {
  if (typeof value === 'string' && /[\n\r\t\u0000-\u001f]/.test(value)) return JSON.stringify(value);
  if (value !== null && typeof value === 'object') return renderFlow(value);
  return stringify(value).replace(/\n$/, '');
}

function renderFlow(value: unknown, padded = true): string {
  return stringify(value, { collectionStyle: 'flow', flowCollectionPadding: padded }).replace(/\n$/, '');
}

// renderInFlow writes a value as it reads inside a flow collection: a scalar there is quoted where a comma or a bracket
// would end it, so it is written as the one item of a flow list and taken out of it.
function renderInFlow(value: unknown, padded = true): string {
  return renderFlow([value], padded).slice(1, -1).trim();
}

// itemBounds is where a flow collection's member starts (its key, for a pair; its props not included) and ends.
function itemBounds(item: unknown): [number, number] | undefined {
  if (yaml().isPair(item)) {
    const key = item.key as Node | null;
    const value = item.value as Node | null;
    if (!key?.range) return undefined;
    return [key.range[0], value?.range ? value.range[1] : key.range[1]];
  }
  const range = (item as Node | null)?.range;
  return range ? [range[0], range[1]] : undefined;
}

// isJsonFlow: a flow collection written as JSON, so that what is added to it is JSON too: its map keys double-quoted,
// or, with no map in it, every string in it double-quoted (`["v1"]`).
function isJsonFlow(node: YAMLMap | YAMLSeq): boolean {
  let keys = 0;
  let plainKeys = 0;
  let strings = 0;
  let unquoted = 0;
  const visit = (n: unknown): void => {
    if (isMap(n))
      for (const p of n.items) {
        keys++;
        if (!isScalar(p.key) || p.key.type !== 'QUOTE_DOUBLE') plainKeys++;
        visit(p.value);
      }
    else if (isSeq(n)) n.items.forEach(visit);
    else if (isScalar(n) && typeof n.value === 'string') {
      strings++;
      if (n.type !== 'QUOTE_DOUBLE') unquoted++;
    } else if (isAlias(n)) unquoted++;
  };
  visit(node);
  return keys ? plainKeys === 0 : strings > 0 && unquoted === 0;
}

// withoutStrings is flow text with its double-quoted strings emptied, for telling its own layout from theirs.
function withoutStrings(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

// renderScalar keeps the quoting style of the scalar it replaces where the new value allows it.
function renderScalar(value: unknown, old: Scalar): string {
  if (typeof value === 'string' && !/[\n\r]/.test(value)) {
    if (old.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
    if (old.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  }
  return renderInline(value);
}

/** parsePointer splits a JSON pointer into its unescaped segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * cloneValue copies a value read from YAML (plain objects, arrays, scalars), several times faster than
 * structuredClone, which serializes; anything else (and a `__proto__` key) is left to structuredClone. Strings are
 * shared, not copied.
 */
export function cloneValue<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneValue(value[i]);
    return out as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || Object.hasOwn(value, '__proto__')) return structuredClone(value);
  const out: Record<string, unknown> = {};
  // Keys and a loop, not entries: no pair array made per property (half the time on a run's first values).
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) out[keys[i]] = cloneValue((value as Record<string, unknown>)[keys[i]]);
  return out as T;
}

const SAME = Symbol('same');

/**
 * shareUnchanged is `after` with every part that equals `before` at the same place (by ===, NaN unlike itself, keys
 * in any order) taken from `before`: `before` itself when the two are equal. fast-json-patch skips a part that is
 * the same object on both sides, and gives the same operations as for the two values (it gives none where they are
 * equal): the diff then walks only what changed. Nothing is copied but the objects on the way to a change.
 */
export function shareUnchanged(before: unknown, after: unknown): unknown {
  const shared = share(before, after);
  return shared === SAME ? before : shared;
}

function share(a: unknown, b: unknown): unknown {
  if (a === b) return SAME;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b))
    return b;
  const before = a as Record<string, unknown>;
  const after = b as Record<string, unknown>;
  const keys = Object.keys(after);
  let same = Object.keys(before).length === keys.length;
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    // Set as a property, it would set the prototype: such an object is left whole (the diff walks it).
    if (k === '__proto__') return b;
    const both = Object.prototype.hasOwnProperty.call(before, k);
    const part = both ? share(before[k], after[k]) : after[k];
    if (both && part === SAME) {
      if (out) out[k] = before[k];
      continue;
    }
    same = false;
    if (!out) {
      out = (Array.isArray(after) ? [] : {}) as Record<string, unknown>;
      for (let j = 0; j < i; j++) out[keys[j]] = before[keys[j]];
    }
    out[k] = part;
  }
  if (same) return SAME;
  if (out) return out;
  // Every part of `after` is in `before`, which has more: `after` made of `before`'s parts.
  const made = (Array.isArray(after) ? [] : {}) as Record<string, unknown>;
  for (const k of keys) made[k] = before[k];
  return made;
}

/** deepEqual compares plain JSON-like values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  if (ka.length !== Object.keys(b as object).length) return false;
  for (const k of ka)
    if (
      !Object.prototype.hasOwnProperty.call(b, k) ||
      !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    )
      return false;
  return true;
}
