// The plain data of the model: Kubernetes objects, the resources they are, and the webhooks they hold.
import type { Doc } from '../yaml/read-stream.js';
import { CLUSTER_KINDS } from './kinds.js';
import type { Labels } from './selectors.js';

export type { Doc };

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Obj is a Kubernetes object as plain data. */
export type Obj = Record<string, any>;

/** Resource is one Kubernetes object: a document, or an item of a `List`. */
export interface Resource {
  doc: Doc;
  /** Where the object sits in its document: [] or ['items', i]. */
  path: Array<string | number>;
  obj: Obj;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace as written, if any. */
  namespace?: string;
}

/** Webhook is one admission webhook entry, normalised with the API defaults. */
export interface Webhook {
  /** The configuration object that holds it. */
  owner: Resource;
  /** Path of the entry inside the owner object, e.g. ['webhooks', 3]. */
  path: Array<string | number>;
  entry: Obj;
  name: string;
  type: 'mutating' | 'validating' | 'conversion';
  failurePolicy: 'Fail' | 'Ignore';
  service?: { namespace: string; name: string; port: number };
  url?: string;
  /**
   * Set for a webhook its controller creates at run time from a config object (e.g. `CapsuleConfiguration`): the owner's kind.
   */
  runtime?: string;
}

/** resourceId names a resource the way errors and reports do: `apps/v1 Deployment ns/name`. */
export function resourceId(r: Pick<Resource, 'apiVersion' | 'kind' | 'name' | 'namespace'>, defaultNs?: string): string {
  const ns = CLUSTER_KINDS.has(r.kind) ? undefined : (r.namespace ?? defaultNs);
  return `${r.apiVersion} ${r.kind} ${ns ? `${ns}/` : ''}${r.name}`;
}

/** podLabels are the labels of the pods a workload creates. */
export function podLabels(workload: Resource): Labels {
  return labelsOf(workload.obj.spec?.template?.metadata?.labels);
}

/** labelsOf reads a label map, dropping anything that is not a key/value pair. */
export function labelsOf(value: unknown): Labels {
  const out: Labels = {};
  if (isObj(value)) for (const [k, v] of Object.entries(value)) if (v !== null && typeof v !== 'object') out[k] = String(v);
  return out;
}

/** isObj tells a plain mapping from everything else. */
export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** addTo appends a value to the list a map keeps under a key, starting the list when there is none. */
export function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** WEBHOOK_PORT is the Service port a webhook's clientConfig calls when it names none (the API default). */
export const WEBHOOK_PORT = 443;

/** serviceRef reads a clientConfig.service, with the API's default port. */
export function serviceRef(svc: unknown): Webhook['service'] {
  if (!isObj(svc)) return undefined;
  return { namespace: String(svc.namespace ?? ''), name: String(svc.name ?? ''), port: Number(svc.port ?? WEBHOOK_PORT) };
}
