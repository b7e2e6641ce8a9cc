// The run's view of the stream: resources, webhooks (admission and conversion) and their backends, built once per run.
import { HoldIndex, mayHold, readLater, readStream } from '../yaml/read-stream.js';
import { InputError, UserError } from '../errors.js';
import { crdConversionOf, crdScopeOf } from '../yaml/crd-text.js';
import { splitStream, type Segment } from '../yaml/stream.js';
import { head } from '../yaml/byte-stream.js';
import { cloneValue } from '../yaml/document.js';
import { conversionWebhook } from './conversion.js';
import { CLUSTER_KINDS, MODEL_KINDS, RBAC_KINDS, WORKLOAD_KINDS } from './kinds.js';
import {
  builtinScope,
  mapSelectorMatches,
  NAME_LABEL,
  selectorMatches,
  type Labels,
  type LabelSelector,
  type ScopeLookup,
} from './selectors.js';
import { isObj, labelsOf, podLabels, resourceId, serviceRef, type Doc, type Obj, type Resource, type Webhook } from './types.js';

/** ModelOptions come from the configuration. */
export interface ModelOptions {
  /** Namespace of resources that do not name one (Helm's release namespace). Default: the most common one in the stream. */
  namespace?: string;
  /** Extra kinds to read fully (for transforms that need them). */
  kinds?: Iterable<string>;
  /**
   * Kinds of top-level documents whose `items` are resources, besides `List`. The KRM host passes
   * `ResourceList`, so items are edited in place with the same minimal-edit writer. Default: none.
   */
  listKinds?: Iterable<string>;
  /**
   * Kinds read only when asked (lateOf, readLate): a document whose text settles one of them is not read with the
   * stream. The harden run passes the RBAC kinds, of which it needs only the roles and bindings of webhook backends.
   */
  readLater?: Iterable<string>;
}

/** Input is one named manifest stream: a file, or `-` for stdin. */
export interface Input {
  source: string;
  text: string;
}

// goList tells whether Go reads a top-level object as a list: it has `items` (kubectl and Helm apply the items).
function goList(value: unknown): boolean {
  return isObj(value) && Array.isArray(value.items);
}

// How many values lateOf and lateHolding search the documents of some kinds for before they list their words (see
// HoldIndex): listing them costs about as much as searching them for a few values. A chart's render asks for five at
// most (the corpus, 100 MiB of it).
const INDEX_AFTER = 8;

/** Model is the run's view of the stream. Queries read the working values, so they see earlier transforms' edits. */
export class Model {
  /**
   * fromInputs builds one model from several streams (several releases, or a cluster dump), remembering each
   * document's input. Documents are numbered within their input; a resource that names no namespace takes
   * `options.namespace`, else the most common namespace of its own input.
   */
  static fromInputs(inputs: Input[], options: ModelOptions = {}): Model {
    const segments = inputs.flatMap((input) => {
      try {
        return splitStream(input.text).map((s) => ({ ...s, source: input.source }));
      } catch (err) {
        // The stream's own errors give a line, not the input: of several, the user could not tell which one.
        if (err instanceof UserError)
          throw new (err.constructor as new (m: string) => UserError)(
            `${input.source === '-' ? 'stdin' : input.source}: ${err.message}`,
          );
        throw err;
      }
    });
    const model = Model.read(segments, options);
    if (options.namespace === undefined && inputs.length > 1) {
      for (const input of inputs) {
        const own = model.inferNamespace((r) => r.doc.segment.source === input.source).namespace;
        for (const doc of model.docs) if (doc.segment.source === input.source) doc.defaultNamespace = own;
      }
      model.changed();
    }
    return model;
  }

  readonly docs: Doc[];
  readonly resources: Resource[] = [];
  readonly defaultNamespace: string;
  /** What the release namespace was taken from, for messages: `--namespace`, a webhook's Service, … */
  readonly namespaceEvidence: string;
  readonly scope: ScopeLookup;
  /** Documents that have the kind of a modelled object but could not be read at all. */
  readonly unreadable: Doc[] = [];
  /** CRD conversion webhooks: read only, never edited; each always fails closed. */
  readonly conversions: Webhook[] = [];
  private readonly listKinds: Set<string>;
  private readonly crdScopes = new Map<string, boolean>();
  // Resources by kind, and each one's place in stream order: transforms ask ofKind for every webhook they judge.
  private readonly byKind = new Map<string, Resource[]>();
  private readonly order = new Map<Resource, number>();
  // Answers that hold until the working values change (Context.set and the others call changed()).
  private memo?: Memo;
  private index?: Index;
  // Documents left to be read when asked (ModelOptions.readLater), those read since, and each document's place.
  private readonly late: Doc[] = [];
  private readonly lateRead = new Map<Doc, Resource | undefined>();
  private readonly lateFound = new Map<string, Doc[]>();
  // For lateOf with a value: how many values were asked of the documents of some kinds left for later, and their words.
  private readonly lateAsked = new Map<string, number>();
  private readonly lateIndex = new Map<string, HoldIndex>();
  private places?: Map<Doc, number>;

  /** read reads the segments (see readStream) and models them. */
  static read(segments: Segment[], options: ModelOptions = {}): Model {
    const later = options.readLater ? new Set(options.readLater) : undefined;
    return new Model(readStream(segments, modelKinds(options), later), options);
  }

  /**
   * The constructor models documents that readStream read with `modelKinds(options)`: it gives each
   * modelled document its working copy, so a set of documents belongs to one model.
   */
  constructor(docs: Doc[], options: ModelOptions = {}) {
    this.listKinds = new Set(options.listKinds ?? []);
    const kinds = modelKinds(options);
    const crdScopes = this.crdScopes;
    this.docs = docs;
    for (const doc of docs) {
      if (doc.crdScope) crdScopes.set(`${doc.crdScope.group}/${doc.crdScope.plural}`, doc.crdScope.cluster);
      for (const c of doc.conversions ?? []) this.conversions.push(conversionWebhook(doc, c.crd, c.where));
      if (doc.unreadable) this.unreadable.push(doc);
      if (doc.later) this.late.push(doc);
      if (doc.original === undefined || doc.kind === undefined) continue;
      if (!kinds.has(doc.kind) && !doc.webhookConfigMap && !goList(doc.original)) continue;
      doc.working = cloneValue(doc.original);
      this.collect(doc, doc.working, []);
    }
    const inferred =
      options.namespace === undefined ? this.inferNamespace(() => true) : { namespace: options.namespace, evidence: 'given' };
    this.defaultNamespace = inferred.namespace;
    this.namespaceEvidence = inferred.evidence;
    this.scope = (group, resource) => {
      const known = builtinScope(group, resource);
      if (known !== undefined) return known;
      if (group === '*') {
        for (const [key, cluster] of crdScopes) if (key.endsWith(`/${resource}`)) return cluster;
        return undefined;
      }
      return crdScopes.get(`${group}/${resource}`);
    };
  }

  private collect(doc: Doc, value: unknown, path: Array<string | number>): void {
    if (!isObj(value)) return;
    // Go reads any top-level object with `items` as a list of those items, whatever its kind, and drops the rest.
    if (
      (value.kind === 'List' || (path.length === 0 && (this.listKinds.has(value.kind) || goList(value)))) &&
      Array.isArray(value.items)
    ) {
      value.items.forEach((item: unknown, i: number) => this.collect(doc, item, [...path, 'items', i]));
      return;
    }
    if (typeof value.kind !== 'string') return;
    // CRDs inside a list are not seen by the text sniffing above; record their scope and conversion from the object.
    if (value.kind === 'CustomResourceDefinition' && path.length) {
      const scope = crdScopeOf(value);
      if (scope) this.crdScopes.set(`${scope.group}/${scope.plural}`, scope.cluster);
      const conversion = crdConversionOf(value);
      if (conversion) this.conversions.push(conversionWebhook(doc, conversion));
    }
    this.addResource(resourceOf(doc, value, path));
  }

  private addResource(r: Resource): void {
    this.order.set(r, this.resources.length);
    this.resources.push(r);
    // A new list, not a push: a list ofKind gave out (and a caller may be walking) stays as it was.
    this.byKind.set(r.kind, [...(this.byKind.get(r.kind) ?? []), r]);
  }

  /**
   * inferNamespace works out the namespace of the resources that name none (Helm passes the release namespace
   * to no post-renderer), from the strongest evidence the stream has: the namespace a webhook's or a CRD
   * conversion's clientConfig.service names for a Service of that name rendered without a namespace (the chart
   * wrote `{{ .Release.Namespace }}` there and nowhere else); else a Namespace the stream renders and puts
   * its workloads, Services and webhooks' objects in (not one only its Roles name); else
   * the most common namespace of the resources that name one (wrong when a chart's Roles for other namespaces
   * outnumber its own); else `default`.
   */
  inferNamespace(include: (r: Resource) => boolean): { namespace: string; evidence: string } {
    const resources = this.resources.filter(include);
    const unnamed = new Set(resources.filter((r) => r.kind === 'Service' && r.namespace === undefined).map((r) => r.name));
    const named = new Set(
      resources.filter((r) => r.kind === 'Service' && r.namespace !== undefined).map((r) => `${r.namespace}/${r.name}`),
    );
    const callers = [...this.webhooks().filter((w) => include(w.owner)), ...this.conversions.filter((w) => include(w.owner))];
    const votes = new Map<string, string>();
    for (const w of callers) {
      const ref = w.service;
      if (!ref || !ref.namespace || !unnamed.has(ref.name) || named.has(`${ref.namespace}/${ref.name}`)) continue;
      if (!votes.has(ref.namespace))
        votes.set(
          ref.namespace,
          `${w.type === 'conversion' ? 'the conversion webhook of' : 'webhook'} ${w.name} calls Service ` +
            `${ref.namespace}/${ref.name}, which the stream renders without a namespace`,
        );
    }
    if (votes.size === 1) {
      const [[namespace, evidence]] = [...votes];
      return { namespace, evidence };
    }
    // A rendered Namespace counts where the chart puts its own resources in it; one that only its Roles
    // name (OpenKruise's kruise-daemon-config) is another namespace the chart manages, not the release's.
    const rendered = new Set(resources.filter((r) => r.kind === 'Namespace' && !isAddedByUs(r.doc)).map((r) => r.name));
    const own = votes.size ? undefined : mostCommonNamespace(resources.filter((r) => rendered.has(r.namespace ?? '')));
    if (own !== undefined)
      return { namespace: own, evidence: `the stream renders Namespace ${own} and puts its resources there` };
    const common = mostCommonNamespace(resources);
    if (common !== undefined) return { namespace: common, evidence: 'the most common namespace of the stream' };
    return { namespace: 'default', evidence: 'no resource of the stream names a namespace' };
  }

  /**
   * changed says the values of a resource of `kind` changed (a field set or a list item removed), or, without a kind,
   * that the resources did (one added or removed, a namespace worked out again). Answers worked out before are worked
   * out again: which workloads a Service selects always, what other modules keep for `kind`, and for resources coming
   * or going everything, which Service a webhook calls included.
   */
  changed(kind?: string): void {
    if (kind !== undefined && this.memo) {
      this.memo.selected.clear();
      for (const [key, kept] of this.memo.other) if (kept.kinds.includes(kind)) this.memo.other.delete(key);
      return;
    }
    this.memo = undefined;
    if (kind === undefined) this.index = undefined;
  }

  private answers(): Memo {
    return (this.memo ??= { selected: new Map(), other: new Map() });
  }

  /**
   * remembered is `make()`'s answer, kept under `key` until the values of a resource of one of `kinds` change (or
   * resources come or go): for indexes that other modules build over the model's values (RBAC bindings by subject).
   */
  remembered<T>(key: string, kinds: readonly string[], make: () => T): T {
    const other = this.answers().other;
    let kept = other.get(key);
    if (!kept) other.set(key, (kept = { kinds, value: make() }));
    return kept.value as T;
  }

  // What depends only on which resources there are, their kinds, names and namespaces, which edits of values never
  // change: kept until a resource is added or removed.
  private structure(): Index {
    return (this.index ??= { kinds: new Map(), workloadsIn: new Map() });
  }

  /** ofKind lists resources of the given kinds, in stream order. */
  ofKind(...kinds: string[]): readonly Resource[] {
    if (kinds.length === 1) return this.byKind.get(kinds[0]) ?? [];
    const key = kinds.join('\n');
    const memo = this.structure();
    let found = memo.kinds.get(key);
    if (!found) {
      found = [...new Set(kinds)].flatMap((k) => this.byKind.get(k) ?? []);
      found.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
      memo.kinds.set(key, found);
    }
    return found;
  }

  /**
   * lateOf lists the documents of the given kinds that are left to be read when asked, in stream order; given a
   * `value`, only those whose text can hold it (mayHold). Kept: the documents' texts never change.
   */
  lateOf(kinds: readonly string[], value?: string): readonly Doc[] {
    const key = `${kinds.join(' ')}\n${value ?? ''}\n${value === undefined}`;
    let found = this.lateFound.get(key);
    if (!found) {
      found = value === undefined ? this.late.filter((doc) => kinds.includes(doc.kind!)) : [...this.lateHolding(kinds, value)];
      this.lateFound.set(key, found);
    }
    return found;
  }

  /**
   * lateHolding gives lateOf's documents that can hold `value` one at a time, for a caller that may stop at the first
   * (each is searched for the value as it is given, until the documents' words are listed: see HoldIndex).
   */
  *lateHolding(kinds: readonly string[], value: string): Generator<Doc> {
    // Each value is searched for in every document, until so many were that the documents' words pay to list (a stream
    // of many releases asks for as many names as it has documents; a chart's render asks for a few).
    const byKinds = kinds.join(' ');
    let index = this.lateIndex.get(byKinds);
    if (!index) {
      const asked = (this.lateAsked.get(byKinds) ?? 0) + 1;
      this.lateAsked.set(byKinds, asked);
      if (asked === INDEX_AFTER) this.lateIndex.set(byKinds, (index = new HoldIndex(this.lateOf(kinds))));
    }
    if (index) yield* index.holding(value);
    else for (const doc of this.lateOf(kinds)) if (mayHold(doc, value)) yield doc;
  }

  /**
   * readLate reads a document left for later (lateOf), once, and gives its resource: undefined when its value is no
   * object of a kind. Throws InputError, as a run does for a document it reads with the stream, when it cannot be read.
   * The resource is not one of `resources`: only the module that asked sees it, and never edits it.
   */
  readLate(doc: Doc): Resource | undefined {
    if (this.lateRead.has(doc)) return this.lateRead.get(doc);
    const sniffed = doc.kind;
    readLater(doc);
    if (doc.unreadable) throw unreadableError(doc);
    // Its text settled its kind (see certainKind): read whole, it must be that kind, or the run cannot trust the look.
    if (doc.kind !== sniffed)
      throw new InputError(
        `${describe(doc)}: its kind: line reads ${sniffed}, but the whole document reads as ` +
          `${doc.kind === undefined ? 'no kind' : `kind ${doc.kind}`}; write its kind as one plain line`,
      );
    const value = doc.original;
    const r = isObj(value) && typeof value.kind === 'string' ? resourceOf(doc, value, []) : undefined;
    this.lateRead.set(doc, r);
    return r;
  }

  /**
   * place orders documents as the stream does (across inputs: documents are numbered within their input): the earlier a
   * document, the lower its place; -1 for one not in the stream.
   */
  place(doc: Doc): number {
    if (!this.places) {
      const places = new Map<Doc, number>();
      this.docs.forEach((d, i) => places.set(d, i));
      this.places = places;
    }
    return this.places.get(doc) ?? -1;
  }

  // placeAdded places the document just added at `pos` between its neighbours, so that the places of the others stand:
  // transforms add documents between questions that ask for places (a backend's RBAC, in stream order).
  private placeAdded(pos: number): void {
    if (!this.places) return;
    const before = pos > 0 ? this.places.get(this.docs[pos - 1])! : -1;
    const after = pos + 1 < this.docs.length ? this.places.get(this.docs[pos + 1])! : before + 2;
    // Halved again and again between the same two documents, places would run out of precision: number them afresh.
    if (after - before < 1e-6) this.places = undefined;
    else this.places.set(this.docs[pos], (before + after) / 2);
  }

  /** namespaceOf is where a namespaced resource lives: its own namespace, or the release namespace. */
  namespaceOf(r: Resource): string {
    return r.namespace ?? r.doc.defaultNamespace ?? this.defaultNamespace;
  }

  /** webhooks lists every admission webhook entry of the configurations in the stream. */
  webhooks(): Webhook[] {
    // Every transform asks, some for each webhook: the list is made again only after an edit of a configuration.
    return [...this.remembered('webhooks', WEBHOOK_OWNERS, () => this.listWebhooks())];
  }

  private listWebhooks(): Webhook[] {
    const out: Webhook[] = [];
    for (const owner of this.ofKind('MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration')) {
      const list = owner.obj.webhooks;
      if (!Array.isArray(list)) continue;
      list.forEach((entry: unknown, i: number) => {
        if (!isObj(entry)) return;
        out.push(webhookOf(owner, entry, ['webhooks', i], owner.kind.startsWith('Mutating') ? 'mutating' : 'validating'));
      });
    }
    // Capsule's entries have the webhook fields but a `path`; the Service is shared, in `client`.
    for (const owner of this.ofKind('CapsuleConfiguration')) {
      for (const type of ['mutating', 'validating'] as const) {
        const part = owner.obj.spec?.admission?.[type];
        if (!isObj(part) || !Array.isArray(part.webhooks)) continue;
        part.webhooks.forEach((entry: unknown, i: number) => {
          if (!isObj(entry)) return;
          const w = webhookOf(owner, { ...entry, clientConfig: part.client }, ['spec', 'admission', type, 'webhooks', i], type);
          out.push({ ...w, entry, runtime: owner.kind });
        });
      }
    }
    return out;
  }

  /** servingWebhooks lists admission and CRD conversion webhooks: everything whose backend must stay up. */
  servingWebhooks(): Webhook[] {
    return [...this.webhooks(), ...this.conversions];
  }

  /**
   * serviceOf finds the Service a webhook calls, if it is in the stream: of several with that namespace and
   * name (the same chart rendered twice, a live dump next to a render), the last one, as `kubectl apply` in
   * stream order leaves it. check's Admission asks this too.
   */
  serviceOf(w: Webhook): Resource | undefined {
    if (!w.service) return undefined;
    const index = this.structure();
    if (!index.services) {
      index.services = new Map();
      // In stream order, so the last Service of a namespace and name is the one kept.
      for (const s of this.ofKind('Service')) index.services.set(`${this.namespaceOf(s)}/${s.name}`, s);
    }
    return index.services.get(`${w.service.namespace}/${w.service.name}`);
  }

  /** workloadsIn lists the workloads of a namespace. */
  workloadsIn(ns: string): readonly Resource[] {
    const index = this.structure();
    let found = index.workloadsIn.get(ns);
    if (!found) index.workloadsIn.set(ns, (found = this.ofKind(...WORKLOAD_KINDS).filter((r) => this.namespaceOf(r) === ns)));
    return found;
  }

  /** selectedWorkloads lists the workloads whose pods a Service selects. */
  selectedWorkloads(service: Resource): Resource[] {
    const memo = this.answers();
    let out = memo.selected.get(service);
    if (!out) {
      const selector = service.obj.spec?.selector;
      out = this.workloadsIn(this.namespaceOf(service)).filter((w) => mapSelectorMatches(selector, podLabels(w)));
      memo.selected.set(service, out);
    }
    return [...out];
  }

  /** backendsOf lists the workloads that serve a webhook. */
  backendsOf(w: Webhook): Resource[] {
    const svc = this.serviceOf(w);
    return svc ? this.selectedWorkloads(svc) : [];
  }

  /** namespaceResource finds a Namespace object in the stream. */
  namespaceResource(ns: string): Resource | undefined {
    return this.ofKind('Namespace').find((r) => r.name === ns);
  }

  /** namespaceLabels are the labels a namespace will carry: from the stream, else only the name label. */
  namespaceLabels(ns: string): Labels {
    const r = this.namespaceResource(ns);
    return { ...labelsOf(r?.obj.metadata?.labels), [NAME_LABEL]: ns };
  }

  /** hpaFor finds an HPA that scales a workload. */
  hpaFor(workload: Resource): Resource | undefined {
    return this.ofKind('HorizontalPodAutoscaler').find(
      (h) =>
        this.namespaceOf(h) === this.namespaceOf(workload) &&
        h.obj.spec?.scaleTargetRef?.kind === workload.kind &&
        h.obj.spec?.scaleTargetRef?.name === workload.name,
    );
  }

  /** pdbsFor lists the PodDisruptionBudgets that select a workload's pods. */
  pdbsFor(workload: Resource): Resource[] {
    const labels = podLabels(workload);
    return this.ofKind('PodDisruptionBudget').filter(
      (p) =>
        this.namespaceOf(p) === this.namespaceOf(workload) &&
        selectorMatches(p.obj.spec?.selector as LabelSelector, labels, false),
    );
  }

  /**
   * drop takes a document's resources (and the conversion webhooks it holds) out of the model, so that no later
   * question sees them: the document stays in `docs`, marked `droppedBy`, for the writer to leave out.
   */
  drop(doc: Doc, by: string): void {
    doc.droppedBy = by;
    const gone = this.resources.filter((r) => r.doc === doc);
    const out = new Set(gone);
    // Emptied in place: both are readonly fields, which callers read through the model.
    for (let i = this.resources.length - 1; i >= 0; i--) if (out.has(this.resources[i])) this.resources.splice(i, 1);
    for (let i = this.conversions.length - 1; i >= 0; i--)
      if (this.conversions[i].owner.doc === doc) this.conversions.splice(i, 1);
    // New lists, not splices: a list ofKind gave out (and a caller may be walking) stays as it was.
    for (const kind of new Set(gone.map((r) => r.kind))) {
      const left = this.byKind.get(kind)!.filter((r) => !out.has(r));
      if (left.length) this.byKind.set(kind, left);
      else this.byKind.delete(kind);
    }
    for (const r of gone) this.order.delete(r);
    this.changed();
  }

  /** add appends a new document after `after` (or at the start with `first`), and returns its resource. */
  add(obj: Obj, by: string, place: { after?: Resource; first?: boolean } = {}): Resource {
    const at = place.first ? 0 : place.after ? this.docs.indexOf(place.after.doc) + 1 : this.docs.length;
    const doc: Doc = {
      segment: { index: -1, text: '', offset: -1, line: 0 },
      kind: obj.kind,
      working: obj,
      addedBy: by,
    };
    // Documents added earlier right after the same anchor stay in the order they were added.
    let pos = at;
    while (!place.first && pos < this.docs.length && this.docs[pos].addedBy) pos++;
    this.docs.splice(pos, 0, doc);
    this.placeAdded(pos);
    const r: Resource = {
      doc,
      path: [],
      obj,
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata?.name,
      namespace: obj.metadata?.namespace,
    };
    this.addResource(r);
    this.changed();
    return r;
  }
}

interface Memo {
  selected: Map<Resource, Resource[]>;
  other: Map<string, { kinds: readonly string[]; value: unknown }>;
}

interface Index {
  kinds: Map<string, Resource[]>;
  services?: Map<string, Resource>;
  workloadsIn: Map<string, Resource[]>;
}

/** modelKinds are the kinds a model with these options reads fully. */
export function modelKinds(options: ModelOptions = {}): ReadonlySet<string> {
  return new Set([...MODEL_KINDS, ...(options.listKinds ?? []), ...(options.kinds ?? [])]);
}

// The kinds whose objects hold admission webhooks.
const WEBHOOK_OWNERS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'CapsuleConfiguration'];

function resourceOf(doc: Doc, value: Obj, path: Array<string | number>): Resource {
  const meta = isObj(value.metadata) ? value.metadata : {};
  return {
    doc,
    path,
    obj: value,
    apiVersion: String(value.apiVersion ?? ''),
    kind: value.kind,
    name: String(meta.name ?? ''),
    namespace: meta.namespace == null ? undefined : String(meta.namespace),
  };
}

/** describe names a document for error messages: its index, kind and name where known, and its first line. */
export function describe(doc: Doc, model?: Model): string {
  const r = model?.resources.find((x) => x.doc === doc && x.path.length === 0);
  const what = r ? resourceId(r, model?.defaultNamespace) : doc.kind ? `kind ${doc.kind}` : 'no kind';
  return `document ${doc.segment.index + 1} (${what}, line ${doc.segment.line})`;
}

/**
 * unreadableError refuses a document of a kind the run must read that could not be read, naming it and the place
 * the reader stopped.
 */
export function unreadableError(doc: Doc): InputError {
  const e = doc.read!.error!;
  const where = describe(doc);
  const at = `line ${doc.segment.line + e.line - 1}, column ${e.column}: ${e.message}`;
  if (doc.kind === undefined)
    return new InputError(
      `${where}: cannot read this document (${at}); its text does not settle its kind, and Kubernetes may read it as a ` +
        'kind webhook-guard must harden: write it as plain block YAML (or fix the YAML)',
    );
  return new InputError(
    `${where}: cannot read this ${doc.kind} (${at}); webhook-guard must read every document of this kind to harden the stream`,
  );
}

// admissionregistration.k8s.io/v1beta1 (served up to Kubernetes 1.21) defaults an absent failurePolicy to Ignore; v1
// defaults it to Fail.
const defaultsToIgnore = (owner: Resource): boolean => owner.apiVersion === 'admissionregistration.k8s.io/v1beta1';

function webhookOf(owner: Resource, entry: Obj, path: Array<string | number>, type: Webhook['type']): Webhook {
  const svc = entry.clientConfig?.service;
  return {
    owner,
    path,
    entry,
    name: String(entry.name ?? ''),
    type,
    failurePolicy:
      entry.failurePolicy === 'Ignore' || (entry.failurePolicy == null && defaultsToIgnore(owner)) ? 'Ignore' : 'Fail',
    service: serviceRef(svc),
    url: typeof entry.clientConfig?.url === 'string' ? entry.clientConfig.url : undefined,
  };
}

// Documents an earlier run added do not count: fed its own output, webhook-guard must settle on the same
// namespace, or the second run would resolve more Services and change more (the fuzzer found this).
const ADDED_BY_US = /^---\r?\n# Added by webhook-guard \(/;

// isAddedByUs reads the document's first line or two: its whole text would be decoded for the question.
const isAddedByUs = (doc: Doc): boolean => ADDED_BY_US.test(head(doc.segment, 64));

function mostCommonNamespace(resources: Resource[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of resources) {
    // RBAC objects do not vote: charts render Roles into the namespaces they watch, not only their own.
    if (r.namespace && !CLUSTER_KINDS.has(r.kind) && !RBAC_KINDS.includes(r.kind) && !isAddedByUs(r.doc))
      counts.set(r.namespace, (counts.get(r.namespace) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [ns, n] of counts) if (best === undefined || n > counts.get(best)!) best = ns;
  return best;
}
