// KRM function host: a ResourceList in, the same ResourceList out with its items hardened in place
// (minimal text edits, so comments and every config.kubernetes.io/* annotation survive) and `results`.
import { ConfigError, UsageError, UserError } from '../errors.js';
import { resolveConfig, validateConfig, type Config, type Overrides } from '../pipeline/config.js';
import { isObj, resourceId, type Obj, type Resource } from '../model/types.js';
import { Model, modelKinds } from '../model/model.js';
import { applyTransforms, writeModel } from '../pipeline/pipeline.js';
import { redact } from '../pipeline/report.js';
import { readStream } from '../yaml/read-stream.js';
import { splitStream } from '../yaml/stream.js';
import type { Change, Note, Warning } from '../transform.js';

/** KrmResult is one KRM field of `results` (functions spec: severity, message, resourceRef, field, file). */
export interface KrmResult {
  message: string;
  severity: 'error' | 'warning' | 'info';
  resourceRef?: { apiVersion: string; kind: string; name: string; namespace?: string };
  field?: { path: string; currentValue?: unknown; proposedValue?: unknown };
  file?: { path: string; index?: number };
  tags?: Record<string, string>;
}

/** KrmRun is what a ResourceList run gives: the ResourceList text to print, and what it did. */
export interface KrmRun {
  output: string;
  changes: Change[];
  warnings: Warning[];
  results: KrmResult[];
}

/** KrmError is a failure in KRM mode; `output` is the input ResourceList with an error result, when the input could be read. */
export class KrmError extends UserError {
  constructor(
    readonly inner: UserError,
    readonly output?: string,
  ) {
    super(inner.message, inner.exitCode);
  }
}

/**
 * runResourceList hardens the items of a ResourceList. The config is its `functionConfig` when that
 * is a WebhookGuard (validated against the schema), else `fallback` (from --config or the defaults);
 * flags override either. Throws KrmError (wrapping the UserError) on failure.
 */
export async function runResourceList(
  text: string,
  fallback: Config,
  overrides: Overrides,
  flagConfig: boolean,
): Promise<KrmRun> {
  const options = { listKinds: ['ResourceList'] };
  // The stream is read once; the model is built after the functionConfig, which may set its namespace.
  const docs = readStream(splitStream(text), modelKinds(options));
  const root = docs.find((d) => d.kind === 'ResourceList' && d.original !== undefined);
  if (!root || !isObj(root.original)) {
    const why = docs.find((d) => d.kind === 'ResourceList' && d.read?.error)?.read?.error;
    const at = why ? ` (line ${why.line}, column ${why.column}: ${why.message})` : '';
    throw new KrmError(new UserError(`the ResourceList cannot be read${at}`, 1));
  }
  let config: Config;
  try {
    config = await functionConfig(root.original as Obj, fallback, overrides, flagConfig);
  } catch (err) {
    if (err instanceof UserError)
      throw new KrmError(err, withResults(new Model(docs, options), [{ severity: 'error', message: err.message }]));
    throw err;
  }
  const model = new Model(docs, { ...options, namespace: config.namespace });
  const doc = model.docs.find((d) => d.working !== undefined)!;
  const list = doc.working as Obj;
  try {
    const { changes, warnings, notes } = applyTransforms(model, config);
    // Added resources become items: kustomize and kpt read nothing but the one ResourceList.
    for (const added of model.docs.filter((d) => d.addedBy)) {
      if (!Array.isArray(list.items)) list.items = [];
      list.items.push(added.working);
    }
    for (let i = model.docs.length - 1; i >= 0; i--) if (model.docs[i].addedBy) model.docs.splice(i, 1);
    const results = toResults(model, changes, warnings, notes);
    if (results.length) list.results = [...(Array.isArray(list.results) ? list.results : []), ...results];
    return { output: writeModel(model, changes), changes, warnings, results };
  } catch (err) {
    if (err instanceof UserError) throw new KrmError(err, withResults(model, [{ severity: 'error', message: err.message }]));
    throw err;
  }
}

async function functionConfig(list: Obj, fallback: Config, overrides: Overrides, flagConfig: boolean): Promise<Config> {
  const fc = list.functionConfig;
  if (fc === undefined || fc === null || (isObj(fc) && Object.keys(fc).length === 0)) return fallback;
  if (!isObj(fc)) throw new ConfigError('functionConfig: expected a WebhookGuard object');
  if (fc.kind !== 'WebhookGuard') {
    throw new ConfigError(
      `functionConfig: expected kind WebhookGuard (apiVersion webhookguard.dev/v1alpha1), ` +
        `got ${fc.kind === undefined ? 'no kind' : `kind ${fc.kind}`}`,
    );
  }
  if (flagConfig) throw new UsageError('--config cannot be used with a ResourceList that carries a WebhookGuard functionConfig');
  // kustomize adds config.kubernetes.io/function and local-config annotations: metadata is free-form in the schema.
  await validateConfig(fc, 'functionConfig');
  return resolveConfig(fc, overrides);
}

// withResults writes the input ResourceList back unchanged but for the given results.
function withResults(model: Model, results: KrmResult[]): string | undefined {
  try {
    const doc = model.docs.find((d) => d.original !== undefined);
    if (!doc || !isObj(doc.original)) return undefined;
    const copy = structuredClone(doc.original) as Obj;
    copy.results = [...(Array.isArray(copy.results) ? copy.results : []), ...results];
    doc.working = copy;
    for (let i = model.docs.length - 1; i >= 0; i--) if (model.docs[i].addedBy) model.docs.splice(i, 1);
    return writeModel(model);
  } catch {
    return undefined;
  }
}

/**
 * toResults turns changes into info results, warnings into warning results and notes (why a webhook was left
 * alone) into info results, each naming its resource and, for changes, the field.
 */
export function toResults(model: Model, changes: Change[], warnings: Warning[], notes: Note[] = []): KrmResult[] {
  const byId = new Map<string, Resource>();
  for (const r of model.resources)
    if (!byId.has(resourceId(r, model.defaultNamespace))) byId.set(resourceId(r, model.defaultNamespace), r);
  const out: KrmResult[] = [];
  for (const raw of changes) {
    const c = redact(raw);
    let field: KrmResult['field'];
    if (c.document !== -1) {
      field = { path: c.path };
      if (c.before !== undefined) field.currentValue = c.before;
      if (c.after !== undefined) field.proposedValue = c.after;
    }
    const message = c.document === -1 ? `${c.transform}: added ${c.resource}: ${c.why}` : `${c.transform}: ${c.why}`;
    out.push(result(byId.get(c.resource), message, 'info', { transform: c.transform }, field));
  }
  for (const w of warnings) {
    const message = `${w.transform}: ${w.message}${w.command ? ` (run: ${w.command})` : ''}`;
    out.push(result(w.resource ? byId.get(w.resource) : undefined, message, 'warning', { transform: w.transform }));
  }
  // kpt shows results to the user; kustomize does not. A reviewer reading them must see why nothing changed.
  for (const n of notes) {
    const tags = { transform: n.transform, leftAlone: 'true' };
    out.push(result(n.resource ? byId.get(n.resource) : undefined, `${n.transform}: left alone: ${n.message}`, 'info', tags));
  }
  return out;
}

// result is one KRM result about a resource of the list: its reference, field and file where known.
function result(
  r: Resource | undefined,
  message: string,
  severity: KrmResult['severity'],
  tags: Record<string, string>,
  field?: KrmResult['field'],
): KrmResult {
  const out: KrmResult = { message, severity, ...ref(r) };
  if (field) out.field = field;
  const file = fileOf(r);
  if (file) out.file = file;
  out.tags = tags;
  return out;
}

function ref(r: Resource | undefined): Pick<KrmResult, 'resourceRef'> {
  if (!r) return {};
  return {
    resourceRef: { apiVersion: r.apiVersion, kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) },
  };
}

// fileOf reads where kpt/`kustomize fn` placed an item (config.kubernetes.io/path and index, or their internal twins).
function fileOf(r: Resource | undefined): KrmResult['file'] | undefined {
  const a = r?.obj.metadata?.annotations;
  if (!isObj(a)) return undefined;
  const path = a['internal.config.kubernetes.io/path'] ?? a['config.kubernetes.io/path'];
  if (typeof path !== 'string') return undefined;
  const index = Number(a['internal.config.kubernetes.io/index'] ?? a['config.kubernetes.io/index']);
  return Number.isInteger(index) ? { path, index } : { path };
}
