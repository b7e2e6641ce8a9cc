// Runs the enabled transforms over a stream and writes the result: untouched documents byte for byte.
import { createRequire } from 'node:module';
import type FastJsonPatch from 'fast-json-patch';
import {
  applyOperations,
  deepEqual,
  EditError,
  MergeKeyError,
  removeItems,
  SharedValueError,
  shareUnchanged,
} from '../yaml/document.js';
import { toYaml } from '../yaml/load.js';
import { InputError } from '../errors.js';
import { describe, Model, unreadableError } from '../model/model.js';
import { RBAC_KINDS } from '../model/kinds.js';
import { resourceId, type Doc, type Resource } from '../model/types.js';
import { TRANSFORMS } from './registry.js';
import { goSeparatorLength, hasContent, lineEnding, splitStream, type Segment } from '../yaml/stream.js';
import { bytesOf, decodeSlice, splitBytes } from '../yaml/byte-stream.js';
import { Context, displayPath, type Change, type Note, type Warning } from '../transform.js';
import type { Config } from './config.js';

/** Result is a run's output and its explanation. */
export interface Result {
  /** The output as text, joined from `pieces` when first asked for. */
  output: string;
  /** The output as pieces to write in order (see writePieces). */
  pieces: Array<Buffer | string>;
  changes: Change[];
  warnings: Warning[];
  /** Why transforms left things as they are (never changes output). */
  notes: Note[];
  model: Model;
}

/**
 * transformStream hardens a whole stream, given as text or as the input's bytes (kept, not decoded whole).
 * Throws InputError (naming the document) when a document that must change cannot be read or edited, or on
 * bytes that are not UTF-8 text.
 */
export function transformStream(src: string | Buffer, config: Config): Result {
  // RBAC documents are read when a transform asks what a backend's ServiceAccount may do: most are other components'.
  const model = Model.read(typeof src === 'string' ? splitStream(src) : splitBytes(src), {
    namespace: config.namespace,
    readLater: RBAC_KINDS,
  });
  const { changes, warnings, notes } = applyTransforms(model, config);
  // Transforms edit only through their context, which records each change: the documents no change names are as read.
  const pieces = writePieces(model, changes, new Set(changes.map((c) => c.document)));
  let output: string | undefined;
  return {
    get output() {
      return (output ??= joinPieces(pieces));
    },
    pieces,
    changes,
    warnings,
    notes,
    model,
  };
}

/**
 * applyTransforms runs the enabled transforms over the model's working values without writing them,
 * for hosts that reshape the result before writing (the KRM host moves added documents into `items`).
 * Throws InputError for a modelled document that could not be read.
 */
export function applyTransforms(model: Model, config: Config): { changes: Change[]; warnings: Warning[]; notes: Note[] } {
  for (const doc of model.unreadable) throw unreadableError(doc);
  refuseUnnamedWebhooks(model);
  const ctx = new Context(model, { kubeVersion: config.kubeVersion });
  for (const t of TRANSFORMS) {
    const options = config.transforms[t.name];
    if (!options.enabled) continue;
    t.apply(model, options, ctx.for(t.name, t.removes === true));
  }
  return { changes: ctx.changes, warnings: ctx.warnings, notes: ctx.notes };
}

/** writeModel joins the documents back: untouched ones as they came, edited ones with minimal text edits, added ones rendered. */
export function writeModel(model: Model, changes: Change[] = []): string {
  return joinPieces(writePieces(model, changes));
}

/** joinPieces is the text of the pieces writePieces gives. */
export function joinPieces(pieces: Array<Buffer | string>): string {
  return pieces.map((p) => (typeof p === 'string' ? p : decodeSlice(p))).join('');
}

/**
 * writePieces is writeModel's output as pieces to write one after another: untouched documents read from
 * bytes are the input's own slices, so they are neither decoded nor encoded again. `edited`, when given, holds the
 * indexes of the only documents whose working values may differ from what was read; else every one is compared.
 */
export function writePieces(model: Model, changes: Change[] = [], edited?: ReadonlySet<number>): Array<Buffer | string> {
  const first = model.docs[0]?.segment;
  const nl = first && bytesOf(first).length ? lineEnding(first.text) : '\n';
  const parts: Array<Buffer | string> = [];
  let afterAdded = false;
  // The piece written before, for what Go's reader makes of a `---#…` line at the start of the next (see goReadsAsBefore).
  let before: Written | undefined;
  for (const doc of model.docs) {
    // drop-webhooks removed it, as the user asked; the report says so.
    if (doc.droppedBy) continue;
    let piece: Buffer | string;
    if (doc.addedBy) piece = renderAdded(doc, nl);
    else if (
      doc.working !== undefined &&
      (edited === undefined || edited.has(doc.segment.index)) &&
      !deepEqual(doc.original, doc.working)
    )
      piece = editDocument(doc, model, changes);
    else piece = bytesOf(doc.segment);
    if (parts.length && piece.length && !endsWithNewline(parts[parts.length - 1])) parts.push(nl);
    // A document that follows an added one needs its own marker, or the two would read as one: Helm 4's
    // stream (and anything after a `...` line) has documents that do not start with `---`.
    const text = (): string => (typeof piece === 'string' ? piece : doc.segment.text);
    if (afterAdded && !doc.addedBy) {
      // Directives (`%YAML 1.1`) open a document that has its marker after them (the split keeps them together); every
      // `---` line the split let through is a separator.
      if (hasContent(text()) && !/^(?:%[^\n]*\n)*---/.test(text())) {
        parts.push(`---${nl}`);
        before = { piece: `---${nl}`, first: before === undefined, asInInput: false };
      }
    }
    if (piece.length) {
      const index = doc.addedBy ? undefined : doc.segment.index;
      const asInInput = index !== undefined && asInInputAfter(before, index);
      // Where the documents before are not those of the input, Go may keep the line, and read it as YAML text: written
      // with a blank after the dashes, it is a separator either way.
      if (index !== undefined && !asInInput && !dropsNextSeparator(before) && goSeparatorLength(text()))
        piece = `--- ${text().slice(3)}`;
      before = { index, piece, first: before === undefined, asInInput };
    }
    afterAdded = !!doc.addedBy;
    const last = parts[parts.length - 1];
    // Documents that follow one another in the input go out as one slice: a write per document costs more than its bytes.
    if (typeof piece !== 'string' && typeof last !== 'string' && last && adjoins(last, piece))
      parts[parts.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + piece.length);
    else parts.push(piece);
  }
  return parts;
}

/**
 * Written is what the writer keeps of the piece it wrote last, for what Go's reader makes of the next: its separator
 * line, if it starts with one, is dropped when Go has read lines since the last separator it dropped, and kept otherwise
 * (see GoSeparators). The split refused every `---#…` line Go keeps in the input; dropped or added documents change
 * what comes before one.
 */
interface Written {
  /** The input segment written; undefined for an added document or a marker the writer added. */
  index?: number;
  /** What was written (looked at only where the documents before are not the input's: most runs never do). */
  piece: Buffer | string;
  /** The first piece written. */
  first: boolean;
  /** It and the pieces before it, back to one after which Go has surely read a line, are those before it in the input. */
  asInInput: boolean;
}

// asInInputAfter: what comes before input segment `index` in the output leaves Go's reader as the input did.
function asInInputAfter(before: Written | undefined, index: number): boolean {
  if (before === undefined) return index === 0;
  return before.index === index - 1 && (before.asInInput || dropsNextSeparator(before));
}

// dropsNextSeparator: after this piece Go has read a line since the last separator it dropped, whatever came before it (a
// lone `---` line may be one Go drops; the first piece may be a JSON object, after which Go starts reading YAML afresh).
function dropsNextSeparator(before: Written | undefined): boolean {
  return before !== undefined && !before.first && !(lonePiece(before.piece) && startsWithDashes(before.piece));
}

// lonePiece: a piece of one line (its line break, if any, is its last byte).
function lonePiece(piece: Buffer | string): boolean {
  const eol = typeof piece === 'string' ? piece.indexOf('\n') : piece.indexOf(0x0a);
  return eol === -1 || eol === piece.length - 1;
}

// startsWithDashes: the piece's first line is a `---` line, which Go takes for a separator (the split refuses the others).
function startsWithDashes(piece: Buffer | string): boolean {
  return typeof piece === 'string' ? piece.startsWith('---') : piece[0] === 0x2d && piece[1] === 0x2d && piece[2] === 0x2d;
}

// adjoins: `b` starts where `a` ends, in the same memory.
function adjoins(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset;
}

function endsWithNewline(piece: Buffer | string): boolean {
  return typeof piece === 'string' ? piece.endsWith('\n') : piece[piece.length - 1] === 0x0a;
}

let jsonPatch: typeof FastJsonPatch | undefined;

function editDocument(doc: Doc, model: Model, changes: Change[]): string {
  // Only messages name the document: its line is counted, and the model searched, only for one.
  const where = (): string => describe(doc, model);
  const by = (): string =>
    [...new Set(changes.filter((c) => c.document === doc.segment.index).map((c) => `${c.transform} at ${c.path}`))].join(', ');
  if (doc.read?.relaxed) {
    const e = doc.read.error!;
    throw new InputError(
      `${where()}: ${by() || 'a transform'} must edit this document, but it uses YAML that only Go's reader accepts ` +
        `(line ${doc.segment.line + e.line - 1}, column ${e.column}: ` +
        `${e.message}); fix the chart's YAML or disable that transform`,
    );
  }
  // Loaded on the first edit, to keep it off the start-up path of runs that edit nothing (and once: a require costs).
  const fjp = (jsonPatch ??= createRequire(import.meta.url)('fast-json-patch') as typeof FastJsonPatch);
  try {
    // A first line only Go reads as a separator (`---#…`) is no YAML: the document Go reads after it is edited, and the
    // line written back before it.
    // Decoded once: a segment of the input's bytes decodes its text on every access.
    const whole = doc.segment.text;
    const head = whole.slice(0, goSeparatorLength(whole));
    // Removed list items go first, each with its lines; the other edits are then the difference from what is left.
    let text = whole.slice(head.length);
    let base = doc.original as object;
    if (doc.removed?.length) {
      base = withoutItems(base, doc.removed);
      text = removeItems(text, doc.removed, base);
    }
    const ops = fjp.compare(base, shareUnchanged(base, doc.working) as object);
    return head + (ops.length ? applyOperations(text, ops, doc.working) : text);
  } catch (err) {
    if (err instanceof SharedValueError) throw new InputError(`${where()}: ${sharedMessage(err, doc, model, changes)}`);
    if (err instanceof MergeKeyError) throw new InputError(`${where()}: ${mergedMessage(err, doc, model, changes)}`);
    if (err instanceof EditError) throw new InputError(`${where()}: cannot apply ${by() || 'the edits'}: ${err.message}`);
    throw err;
  }
}

// A place in a document, as messages name it: the resource, the field, and the webhook it belongs to.
interface Place {
  resource?: Resource;
  field: string;
  webhook?: { name: string; configuration: string };
}

// placeOf names a place given as path segments in the document's value: in its working value (after the transforms,
// where edits are made), or in its original one (where removed items still are).
function placeOf(segs: string[], doc: Doc, model: Model, original = false): Place {
  let resource: Resource | undefined;
  for (const r of model.resources)
    if (r.doc === doc && startsWith(segs, r.path) && (!resource || r.path.length > resource.path.length)) resource = r;
  if (!resource) return { field: segs.join('/') };
  const rel = segs.slice(resource.path.length);
  if (original) {
    let obj: unknown = doc.original;
    for (const seg of resource.path) obj = (obj as Record<string | number, unknown>)?.[seg];
    const entry = rel[0] === 'webhooks' ? (obj as { webhooks?: unknown[] })?.webhooks?.[Number(rel[1])] : undefined;
    const name = (entry as { name?: unknown } | undefined)?.name;
    const isWebhook = /^(Mutating|Validating)WebhookConfiguration$/.test(resource.kind) && typeof name === 'string';
    return {
      resource,
      field: displayPath(obj, rel),
      webhook: isWebhook && rel.length >= 2 ? { name: name as string, configuration: resource.name } : undefined,
    };
  }
  const w = model.webhooks().find((x) => x.owner === resource && x.type !== 'conversion' && startsWith(rel, x.path));
  return { resource, field: displayPath(resource.obj, rel), webhook: w && { name: w.name, configuration: w.owner.name } };
}

const sameWebhook = (a: Place, b: Place): boolean =>
  !!a.webhook && !!b.webhook && a.resource === b.resource && a.webhook.name === b.webhook.name;

// fieldName names a place's field for a message about `edited`: with its resource where that is another one.
function fieldName(p: Place, edited: Place, model: Model): string {
  return p.resource && p.resource !== edited.resource ? `${resourceId(p.resource, model.defaultNamespace)} ${p.field}` : p.field;
}

// holderName names what holds a place for a message about `edited`: its webhook where that is another, else the field.
function holderName(p: Place, edited: Place, model: Model): string {
  return p.webhook && !sameWebhook(p, edited) ? `webhook ${p.webhook.name}` : fieldName(p, edited, model);
}

// sharedMessage explains an edit refused because it meets a value a YAML anchor shares: the transforms that make it,
// the fields that share the value and their webhooks, and the two ways out (the value written out in each place, or
// the transform told to leave the webhook alone). A removal (drop-webhooks) that would take an anchor away from its
// aliases is explained by removedAnchorMessage.
function sharedMessage(err: SharedValueError, doc: Doc, model: Model, changes: Change[]): string {
  if (err.removing) return removedAnchorMessage(err, doc, model, changes);
  const place = (segs: string[]): Place => placeOf(segs, doc, model);
  const edited = place(err.edited);
  const field = (p: Place): string => fieldName(p, edited, model);
  const what = (p: Place): string => holderName(p, edited, model);
  const others = err.others.map(place);
  const made = meeting(place(err.edit), doc, model, changes);
  return (
    `cannot apply ${applying(made)}: ` +
    `${field(edited)} is shared through the YAML anchor &${err.anchor} with ${others.map(field).join(', ')}, so an edit ` +
    `for ${edited.webhook ? `webhook ${edited.webhook.name}` : field(edited)} would change ` +
    `${[...new Set(others.map(what))].join(' and ')} as well; write the value out in each place instead of the alias ` +
    `*${err.anchor}, or ${waysOut(made, edited).join(', or ')}`
  );
}

// mergedMessage explains an edit refused because it meets a key a map has only through a merge key (`<<: *base`): the
// transforms that make it, the field and the anchor it comes from, the places that share its text, and the two ways
// out (the key written out in the map that merges it, or the transform told to leave the webhook alone).
function mergedMessage(err: MergeKeyError, doc: Doc, model: Model, changes: Change[]): string {
  const place = (segs: string[]): Place => placeOf(segs, doc, model);
  const edited = place(err.field);
  const holder = place(err.field.slice(0, -1));
  const field = (p: Place): string => fieldName(p, edited, model);
  const what = (p: Place): string => holderName(p, edited, model);
  const made = meeting(place(err.edit), doc, model, changes);
  const key = err.field[err.field.length - 1];
  const into = holder.webhook ? `webhook ${holder.webhook.name}` : holder.field || 'the object';
  const ways = waysOut(made, edited).join(', or ');
  if (!err.anchor)
    return (
      `cannot apply ${applying(made)}: ${field(edited)} comes from the map the merge key ${place(err.merge).field} holds; ` +
      `write ${key} out in ${into} after its << (a key written there overrides the merged one), or ${ways}`
    );
  const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
  const [set, ...repeats] = err.places;
  // Where the text is, and the other places that repeat it: an edit there would change them all.
  const sharing = [...(set ? [place(set)] : []), ...repeats.filter((p) => !same(p, err.merge)).map(place)];
  return (
    `cannot apply ${applying(made)}: ${field(edited)} comes from the merge key << of the YAML anchor &${err.anchor}` +
    (set ? `, set at ${field(place(set))}: its text is there, so an edit for ${into} would change ` : '') +
    (set ? `${[...new Set(sharing.map(what))].join(' and ')} as well` : '') +
    `; write ${key} out in ${into} after its <<: *${err.anchor} (a key written there overrides the merged one), ` +
    `or ${ways}`
  );
}

// meeting: the changes of the document that meet the refused edit's place (all of the document's where none does).
function meeting(edit: Place, doc: Doc, model: Model, changes: Change[]): Change[] {
  const ours = changes.filter((c) => c.document === doc.segment.index);
  const editedId = edit.resource && resourceId(edit.resource, model.defaultNamespace);
  const found = ours.filter((c) => c.resource === editedId && overlaps(c.path, edit.field));
  return found.length ? found : ours;
}

// applying names the changes a refused edit would have made: `transform at field`, each once (`none` if there are none).
function applying(made: Change[], none = 'the edits'): string {
  return [...new Set(made.map((c) => `${c.transform} at ${c.path}`))].join(', ') || none;
}

// waysOut gives, for each transform of the changes, how to have it leave the edited place's webhook alone (its
// skipWebhooks), or else how to switch it off.
function waysOut(made: Change[], edited: Place): string[] {
  return [...new Set(made.map((c) => c.transform))].map((t) => {
    const w = edited.webhook;
    const skips = 'skipWebhooks' in (TRANSFORMS.find((x) => x.name === t)?.defaults ?? {});
    if (w && skips)
      return `have ${t} leave webhook ${w.name} as it is (spec.transforms.${t}.skipWebhooks: [${w.configuration}/${w.name}])`;
    return `switch ${t} off (--disable ${t}, or spec.transforms.${t}.enabled: false)`;
  });
}

// removedAnchorMessage explains a removal refused because the item removed sets an anchor that aliases outside it
// repeat (without it, they read as "Unresolved alias"): the webhook removed, the fields left without their value and
// their webhooks, and the two ways out (the value written out in each place, or those webhooks dropped too). The places
// are named in the original value, where the removed item still is.
function removedAnchorMessage(err: SharedValueError, doc: Doc, model: Model, changes: Change[]): string {
  const place = (segs: string[]): Place => placeOf(segs, doc, model, true);
  const edited = place(err.edited);
  const item = place(err.edit);
  const others = err.others.map(place);
  const field = (p: Place): string => fieldName(p, edited, model);
  const what = (p: Place): string => (p.webhook ? `webhook ${p.webhook.name}` : field(p));
  const removers = new Set(TRANSFORMS.filter((t) => t.removes).map((t) => t.name));
  const itemId = item.resource && resourceId(item.resource, model.defaultNamespace);
  const removals = changes.filter((c) => c.document === doc.segment.index && removers.has(c.transform));
  const made = removals.filter((c) => c.resource === itemId && overlaps(c.path, item.field));
  const removed = item.webhook ? `webhook ${item.webhook.name}` : item.field;
  const holders = [...new Set(others.map(what))];
  // Dropping the webhooks that hold the aliases as well leaves no alias without its anchor; an alias outside a webhook
  // has no such way out, and the webhook can only stay.
  const inWebhooks = !!item.webhook && others.every((p) => p.webhook);
  const ids = [...new Set(others.map((p) => `${p.webhook?.configuration}/${p.webhook?.name}`))];
  const way = inWebhooks
    ? `drop ${holders.join(' and ')} too (add ${ids.join(', ')} to spec.transforms.drop-webhooks.webhooks)`
    : `keep ${removed} (take ${item.webhook ? `${item.webhook.configuration}/${item.webhook.name}` : item.field} out of ` +
      'spec.transforms.drop-webhooks.webhooks)';
  return (
    `cannot apply ${applying(made.length ? made : removals, 'the removals')}: ` +
    `${field(edited)} sets the YAML anchor &${err.anchor} that ${others.map(field).join(', ')} ` +
    `${others.length > 1 ? 'repeat' : 'repeats'} through the alias *${err.anchor}, so removing ${removed} would leave ` +
    `${holders.join(' and ')} without ${others.length > 1 ? 'their' : 'its'} value; write the value out in each place ` +
    `instead of the alias *${err.anchor}, or ${way}`
  );
}

function startsWith(path: ReadonlyArray<string | number>, prefix: ReadonlyArray<string | number>): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
}

// overlaps: one field path (a/b[name]/c) is the other or inside it.
function overlaps(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  return startsWith(x, y) || startsWith(y, x);
}

// withoutItems is a value with the list items at the given pointers removed (highest index first).
function withoutItems(value: object, pointers: string[]): object {
  const copy = structuredClone(value) as Record<string, unknown>;
  const sorted = [...pointers].sort((a, b) => Number(b.split('/').pop()) - Number(a.split('/').pop()));
  for (const p of sorted) {
    const path = p.split('/').slice(1);
    let node: unknown = copy;
    for (const seg of path.slice(0, -1)) node = (node as Record<string, unknown>)[seg];
    (node as unknown[]).splice(Number(path[path.length - 1]), 1);
  }
  return copy;
}

function renderAdded(doc: Doc, nl: string): string {
  const body = toYaml(doc.working);
  const text = `---${nl}# Added by webhook-guard (${doc.addedBy})${nl}${body.replace(/\n/g, nl)}`;
  return text;
}

// refuseUnnamedWebhooks: the API server refuses a webhook configuration with a webhook that has no name, or two
// webhooks of one name; webhook-guard names the webhooks it edits, so it refuses them too, before any edit.
function refuseUnnamedWebhooks(model: Model): void {
  for (const r of model.ofKind('MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration')) {
    const webhooks: unknown[] = Array.isArray(r.obj.webhooks) ? r.obj.webhooks : [];
    const seen = new Map<string, number>();
    webhooks.forEach((entry, i) => {
      const name = (entry as { name?: unknown } | null)?.name;
      // Named only for a message: the document's line is counted then.
      const where = (): string => `${describe(r.doc, model)}: ${r.path.length ? `${r.path.join('.')}.` : ''}webhooks[${i}]`;
      if (typeof name !== 'string' || name === '')
        throw new InputError(
          `${where()} has no name, and the API server refuses a webhook without one; name it (such as validate.example.com)`,
        );
      const first = seen.get(name);
      if (first !== undefined)
        throw new InputError(
          `${where()} is named ${JSON.stringify(name)} like webhooks[${first}], and the API server refuses two webhooks of ` +
            'one name in a configuration; give each its own name',
        );
      seen.set(name, i);
    });
  }
}

export type { Segment };
