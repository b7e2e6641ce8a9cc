// The transform contract, and the context through which transforms edit resources and explain each change.
import { isObj, resourceId, type Obj, type Resource } from './model/types.js';
import { type Model } from './model/model.js';

/** Change is one edited field, as the report explains it. */
export interface Change {
  transform: string;
  /** `apiVersion Kind namespace/name` of the edited or added resource. */
  resource: string;
  /** Document index in the input stream (-1 for added documents). */
  document: number;
  /** Field path, with list items named where they have a name: `webhooks[mpod.kb.io]/namespaceSelector`. */
  path: string;
  before?: unknown;
  after?: unknown;
  why: string;
}

/** Warning is something a transform could not do, or that needs a person: it never changes output. */
export interface Warning {
  transform: string;
  resource?: string;
  message: string;
  /** A command that fixes it outside the stream, e.g. `kubectl label namespace …`. */
  command?: string;
}

/**
 * Note is a decision to leave something as it is, and why (an Ignore webhook, rules that cannot block the
 * backend): it never changes output, needs nobody, and lets the report say why nothing changed.
 */
export interface Note {
  transform: string;
  resource?: string;
  message: string;
  /** The reason in a few words after "N webhooks", for the summary line (`failing open (Ignore)`). */
  short: string;
}

/** Settings are the run-wide options every transform can read. */
export interface Settings {
  /** Kubernetes minor version the output targets, e.g. "1.30". */
  kubeVersion: string;
}

/**
 * Transform is one hardening step: pure over the model, with its options validated by its schema.
 * The unwritten rule, written: a transform adds or replaces values (and may add documents through the
 * context); it never removes one, so every change has a before and an after that the report shows.
 * The writer holds to it: applyOperations (src/yaml/document.ts) refuses any operation but add and replace.
 * The one exception is a transform that says `removes: true` (drop-webhooks, off by default, which removes only
 * what the user names): its context may remove list items and whole documents, each reported; any other
 * transform's context refuses to.
 */
export interface Transform<C> {
  /** Kebab-case name: the key under `transforms:` in the config and the name of its schema. */
  name: string;
  /** One line for --help and the README. */
  description: string;
  /** Options when the config says nothing. */
  defaults: C;
  /** Set only by a transform that removes what the user names (see above). */
  removes?: true;
  apply(model: Model, config: C, ctx: Context): void;
}

/** Context records what a transform does; every edit goes through it so the report matches the output. */
export class Context {
  constructor(
    readonly model: Model,
    readonly settings: Settings,
    /** The transform whose changes this context records. */
    readonly transform = '',
    readonly changes: Change[] = [],
    readonly warnings: Warning[] = [],
    readonly notes: Note[] = [],
    /** Whether this transform may remove (only one that says `removes: true`). */
    readonly removes = false,
  ) {}

  /** for is a context for the named transform that records into the same lists. */
  for(transform: string, removes = false): Context {
    return new Context(this.model, this.settings, transform, this.changes, this.warnings, this.notes, removes);
  }

  /** removeItem removes one item of a list of a resource (the item, with its lines), and records it. */
  removeItem(r: Resource, path: Array<string | number>, why: string): void {
    if (!this.removes) throw new Error(`${this.transform}: transforms do not remove (see the Transform contract)`);
    if (r.path.length) throw new Error(`${this.transform}: cannot remove inside an item of a List`);
    const list = this.get(r, path.slice(0, -1));
    const index = Number(path[path.length - 1]);
    if (!Array.isArray(list) || !(index in list)) throw new Error(`${this.transform}: no item at ${path.join('/')}`);
    const display = displayPath(r.obj, path);
    // The pointer is into the original value: items removed before this one (higher indexes go first in the writer).
    const original = r.doc.removed ?? [];
    const parent = `/${path.slice(0, -1).join('/')}/`;
    const earlier = original.filter((p) => p.startsWith(parent)).map((p) => Number(p.split('/').pop()));
    let at = index;
    for (const e of earlier.sort((a, b) => a - b)) if (e <= at) at++;
    r.doc.removed = [...original, `/${[...path.slice(0, -1), at].join('/')}`];
    const [before] = list.splice(index, 1);
    this.model.changed(r.kind);
    this.changes.push({
      transform: this.transform,
      resource: this.id(r),
      document: r.doc.segment.index,
      path: display,
      before: structuredClone(before),
      after: undefined,
      why,
    });
  }

  /** dropDocument removes a whole document from the output, and records it. */
  dropDocument(r: Resource, why: string): void {
    if (!this.removes) throw new Error(`${this.transform}: transforms do not remove (see the Transform contract)`);
    if (r.path.length) throw new Error(`${this.transform}: cannot remove an item of a List`);
    this.changes.push({
      transform: this.transform,
      resource: this.id(r),
      document: r.doc.segment.index,
      path: '',
      before: structuredClone(r.obj),
      after: undefined,
      why,
    });
    // Out of the model, not only out of the output: no later transform may edit, count or warn about what is gone.
    this.model.drop(r.doc, this.transform);
  }

  /** id names a resource for reports. */
  id(r: Resource): string {
    return resourceId(r, this.model.defaultNamespace);
  }

  /** get reads a field of a resource, or undefined. */
  get(r: Resource, path: Array<string | number>): unknown {
    let node: unknown = r.obj;
    for (const seg of path) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string | number, unknown>)[seg];
    }
    return node;
  }

  /** set writes a field, creating missing maps on the way, and records the change with its reason. */
  set(r: Resource, path: Array<string | number>, value: unknown, why: string): void {
    let node: Obj = r.obj;
    for (const seg of path.slice(0, -1)) {
      if (!isObj(node[seg]) && !Array.isArray(node[seg])) node[seg] = {};
      node = node[seg];
    }
    const key = path[path.length - 1];
    const before = node[key];
    node[key] = value;
    this.model.changed(r.kind);
    this.changes.push({
      transform: this.transform,
      resource: this.id(r),
      document: r.doc.segment.index,
      path: displayPath(r.obj, path),
      before: before === undefined ? undefined : structuredClone(before),
      after: structuredClone(value),
      why,
    });
  }

  /** add puts a new resource into the stream after `after` (or first) and records it. */
  add(obj: Obj, why: string, place: { after?: Resource; first?: boolean }): Resource {
    const r = this.model.add(obj, this.transform, place);
    this.changes.push({
      transform: this.transform,
      resource: this.id(r),
      document: -1,
      path: '',
      after: structuredClone(obj),
      why,
    });
    return r;
  }

  /** warn records something the transform left for a person to do. */
  warn(r: Resource | undefined, message: string, command?: string): void {
    this.warnings.push({ transform: this.transform, resource: r && this.id(r), message, ...(command ? { command } : {}) });
  }

  /** note records why the transform left something as it is (`short` groups it in the summary). */
  note(r: Resource | undefined, message: string, short: string): void {
    this.notes.push({ transform: this.transform, resource: r && this.id(r), message, short });
  }
}

/** displayPath joins a field path, naming list items by their `name` where they have one. */
export function displayPath(root: unknown, path: Array<string | number>): string {
  const parts: string[] = [];
  let node: unknown = root;
  for (const seg of path) {
    const next = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined;
    if (Array.isArray(node) && isObj(next) && typeof next.name === 'string' && parts.length) {
      parts[parts.length - 1] += `[${next.name}]`;
    } else parts.push(String(seg));
    node = next;
  }
  return parts.join('/');
}
