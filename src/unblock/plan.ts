// Break glass: which Fail webhooks hold a request (or a cold start) up, and the smallest change that lets it through.
import { Admission, type PodSource } from '../model/admission.js';
import type { Model } from '../model/model.js';
import { neverDerive } from '../model/protected-labels.js';
import { webhookIntercepts, type AdmissionRequest } from '../model/selectors.js';
import { isObj, labelsOf, type Resource, type Webhook } from '../model/types.js';

const NAME_LABEL = 'kubernetes.io/metadata.name';

/** Health is what the input says about a webhook's backend. */
export interface Health {
  state: 'down' | 'up' | 'unknown';
  /** Where that comes from: an EndpointSlice, live Pods, the error message. */
  evidence: string;
}

/** Remedy is one webhook to get past, and how: its own exemption label on a namespace, or failing open for a while. */
export interface Remedy {
  webhook: Webhook;
  /** Index of the webhook in its configuration's `webhooks`. */
  index: number;
  /** Why the webhook holds the request up. */
  why: string;
  health: Health;
  /** The label the webhook's own namespaceSelector exempts; set when labelling is the chart's intended fix. */
  label?: { namespace: string; key: string; value: string };
}

/** Plan is what `unblock` prints: what is blocked, the remedies, what it noticed, and for a cold start the order. */
export interface Plan {
  blocked: string;
  remedies: Remedy[];
  notes: string[];
  /** Cold start: the backends that can start, stage by stage, once the remedies are applied. */
  stages?: string[][];
}

/** health reads a webhook's backend state from the input: EndpointSlices, Endpoints, else the live Pods of its backends. */
export function health(model: Model, admission: Admission, w: Webhook): Health {
  if (!w.service) return { state: 'unknown', evidence: `it calls a URL (${w.url ?? 'none'}), not a Service` };
  const { namespace, name } = w.service;
  const slices = model
    .ofKind('EndpointSlice')
    .filter((s) => model.namespaceOf(s) === namespace && labelsOf(s.obj.metadata?.labels)['kubernetes.io/service-name'] === name);
  if (slices.length) {
    const ready = slices
      .flatMap((s) => (Array.isArray(s.obj.endpoints) ? s.obj.endpoints : []))
      .filter((e: unknown) => isObj(e) && (!isObj(e.conditions) || e.conditions.ready !== false));
    return ready.length
      ? { state: 'up', evidence: `Service ${namespace}/${name} has ${ready.length} ready endpoint(s)` }
      : { state: 'down', evidence: `Service ${namespace}/${name} has no ready endpoint (its EndpointSlices list none)` };
  }
  const endpoints = model.ofKind('Endpoints').find((e) => model.namespaceOf(e) === namespace && e.name === name);
  if (endpoints) {
    const subsets = Array.isArray(endpoints.obj.subsets) ? endpoints.obj.subsets : [];
    const ready = subsets.some((s: unknown) => isObj(s) && Array.isArray(s.addresses) && s.addresses.length > 0);
    return ready
      ? { state: 'up', evidence: `Service ${namespace}/${name} has ready addresses (Endpoints)` }
      : { state: 'down', evidence: `Service ${namespace}/${name} has no ready address (Endpoints)` };
  }
  const backends = admission.backends(w);
  const pods = backends.flatMap((b) => b.pods);
  if (pods.some(podReady)) return { state: 'up', evidence: `a Pod of ${backendNames(backends)} is Ready` };
  if (pods.length) return { state: 'down', evidence: `no Pod of ${backendNames(backends)} is Ready` };
  if (model.ofKind('Pod').length && backends.length)
    return { state: 'down', evidence: `the input holds Pods, none of ${backendNames(backends)}` };
  return { state: 'unknown', evidence: `the input says nothing of Service ${namespace}/${name}'s endpoints or pods` };
}

function podReady(pod: Resource): boolean {
  const conditions = pod.obj.status?.conditions;
  return (
    Array.isArray(conditions) &&
    conditions.some((c: unknown) => isObj(c) && c.type === 'Ready' && c.status === 'True') &&
    !pod.obj.metadata?.deletionTimestamp
  );
}

const backendNames = (backends: PodSource[]): string =>
  backends.length ? backends.map((b) => `${b.kind} ${b.namespace}/${b.name}`).join(', ') : 'its backend';

/** indexOf is a webhook's index in its configuration's `webhooks`. */
const indexOf = (w: Webhook): number => Number(w.path[w.path.length - 1]);

// exemptionLabel finds the label the webhook's own namespaceSelector exempts (`control-plane NotIn [openkruise]`),
// when setting it on the request's namespace lets the request past this webhook and no protected domain is touched.
function exemptionLabel(w: Webhook, req: AdmissionRequest): Remedy['label'] {
  const ns = req.namespace;
  const exprs = w.entry.namespaceSelector?.matchExpressions;
  if (!ns || !Array.isArray(exprs) || req.resource === 'namespaces') return undefined;
  for (const e of exprs) {
    if (!isObj(e) || e.operator !== 'NotIn' || e.key === NAME_LABEL || !Array.isArray(e.values) || !e.values.length) continue;
    const key = String(e.key);
    const value = String(e.values[0]);
    if (neverDerive(key) || req.namespaceLabels?.[key] !== undefined) continue;
    const labelled = { ...req, namespaceLabels: { ...(req.namespaceLabels ?? {}), [key]: value } };
    // Asked of the matcher itself: Admission's memo knows the request, not the labels tried on its namespace.
    if (webhookIntercepts({ ...w.entry, failurePolicy: w.failurePolicy }, labelled).verdict === 'no')
      return { namespace: ns, key, value };
  }
  return undefined;
}

/** describe names a request for messages: `CREATE pods kruise-system/kruise-controller-manager-x by alice`. */
export function describe(req: AdmissionRequest): string {
  const what = `${req.resource}${req.subresource ? `/${req.subresource}` : ''}`;
  const name = req.namespace ? `${req.namespace}/${req.name ?? ''}` : (req.name ?? '');
  const who = req.userInfo
    ? ` by ${req.userInfo.username}${req.userInfo.groups.length ? ` (${req.userInfo.groups.join(', ')})` : ''}`
    : '';
  return `${req.operation} ${what} ${name}${who}`;
}

/**
 * forRequest plans for one request: every Fail webhook that intercepts it (or may: a condition it cannot evaluate
 * offline) and whose backend is not known to answer.
 */
export function forRequest(model: Model, req: AdmissionRequest): Plan {
  const admission = new Admission(model);
  const remedies: Remedy[] = [];
  const notes: string[] = [];
  for (const w of admission.webhooks()) {
    if (w.type === 'conversion' || w.failurePolicy !== 'Fail') continue;
    const verdict = admission.intercepts(w, req);
    if (verdict.verdict === 'no') continue;
    const h = health(model, admission, w);
    if (h.state === 'up') {
      notes.push(`${w.type} webhook ${w.name} intercepts it too, but its backend answers (${h.evidence}); left as it is`);
      continue;
    }
    const why =
      verdict.verdict === 'yes'
        ? `it intercepts ${describe(req)} and fails closed (failurePolicy Fail)`
        : `it may intercept ${describe(req)} (${verdict.reason ?? 'a condition cannot be evaluated offline'}) and fails closed`;
    remedies.push({ webhook: w, index: indexOf(w), why, health: h, label: exemptionLabel(w, req) });
  }
  return { blocked: describe(req), remedies, notes };
}

/** ParsedError is what an API server's webhook error says: the webhooks, the Service URL, and why the call failed. */
export interface ParsedError {
  webhooks: string[];
  service?: { name: string; namespace: string; path?: string };
  reason: string;
}

/** parseError reads an error as kubectl, a controller's events or an operator's logs print it. */
export function parseError(pasted: string): ParsedError | { denied: string } | undefined {
  // Pasted from JSON logs or events, the quotes come escaped (\\") and long lines wrapped: read them as kubectl prints.
  const message = pasted.replace(/\\+"/g, '"').replace(/\s*\n\s*/g, ' ');
  const names = [...message.matchAll(/failed calling webhook "([^"]+)"/g)].map((m) => m[1]);
  if (!names.length) {
    const denied = /admission webhook "([^"]+)" denied the request/.exec(message);
    return denied ? { denied: denied[1] } : undefined;
  }
  const url = /(?:Post|Get|Put) "?https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.[a-z0-9.-]+)?(?::\d+)?(\/[^"?\s]*)?/.exec(
    message,
  );
  // The URL's own "?timeout=10s" is no timeout: it is in every such error, whatever the call failed of.
  const why = message.replace(/\?timeout=\w+/g, '');
  const reason = /no endpoints available for service/.test(why)
    ? 'its Service has no ready endpoint'
    : /service "[^"]+" not found/.test(why)
      ? 'its Service does not exist'
      : /x509: certificate is valid for/.test(why)
        ? 'its Service reaches a server whose certificate is for another name (x509): a pod of another release answers'
        : /x509|tls:/.test(why)
          ? 'the TLS handshake with its backend failed'
          : /connection refused/.test(why)
            ? 'nothing listens at its backend (connection refused)'
            : /context deadline exceeded|Client\.Timeout|i\/o timeout|timed out/i.test(why)
              ? 'its backend did not answer in time'
              : 'the call to its backend failed';
  return {
    webhooks: [...new Set(names)],
    ...(url ? { service: { name: url[1], namespace: url[2], ...(url[3] ? { path: url[3] } : {}) } } : {}),
    reason,
  };
}

/** forError plans for a pasted error: the webhooks it names, narrowed to the Service its URL names. */
export function forError(model: Model, parsed: ParsedError): Plan {
  const admission = new Admission(model);
  const remedies: Remedy[] = [];
  const notes: string[] = [];
  for (const name of parsed.webhooks) {
    let found = admission.webhooks().filter((w) => w.name === name && w.type !== 'conversion');
    if (found.length > 1 && parsed.service) {
      const svc = parsed.service;
      const same = found.filter((w) => w.service?.name === svc.name && w.service.namespace === svc.namespace);
      if (same.length) found = same;
      const onPath = found.filter(
        (w) => svc.path !== undefined && isObj(w.entry.clientConfig?.service) && w.entry.clientConfig.service.path === svc.path,
      );
      if (onPath.length) found = onPath;
    }
    if (!found.length) {
      notes.push(`webhook ${name} is not in the input: add its configuration to the dump`);
      continue;
    }
    for (const w of found) {
      if (w.failurePolicy !== 'Fail') {
        notes.push(`${w.type} webhook ${w.name} already fails open (failurePolicy ${w.failurePolicy}) in the input`);
        continue;
      }
      // A webhook that holds up its own backend's pods (OpenKruise in a pre-created namespace) is passed by the
      // exemption label its selector expects, where it has one: the chart's own fix, nothing to restore.
      const own = admission.backends(w).filter((b) => admission.interceptsPods(w, b).verdict === 'yes');
      const label = own.map((b) => exemptionLabel(w, b.create)).find((l) => l !== undefined);
      // A Service that selects two workloads (LWS installed beside Kueue) has ready endpoints while the wrong pod
      // answers: the health command alone would call it healthy, so the selector is named as what to fix first.
      const all = admission.backends(w);
      const shared =
        all.length > 1
          ? `; its Service ${serviceName(w)} selects the pods of ${backendNames(all)}: ` +
            'its ready endpoints may be the wrong ones, so restore only once it selects its own alone ' +
            '(the tighten-service-selectors transform)'
          : '';
      remedies.push({
        webhook: w,
        index: indexOf(w),
        why:
          `the error names it: ${parsed.reason}` +
          (own.length ? `; it also intercepts the pods of its own backend ${backendNames(own)}, which cannot start` : '') +
          shared,
        health: { state: 'down', evidence: 'the error shows the call failed' },
        label,
      });
    }
  }
  return { blocked: `the request that failed calling ${parsed.webhooks.map((n) => `"${n}"`).join(', ')}`, remedies, notes };
}

// The most webhooks coldStart tries every subset of before it settles for a greedy break-glass set.
const EXHAUSTIVE = 12;

/**
 * coldStart plans for every webhook backend down at once (a control plane restored from backup, every node
 * restarted): the order in which the backends of Fail webhooks can start, and the fewest webhooks that must fail
 * open for all of them to start.
 */
export function coldStart(model: Model): Plan {
  const admission = new Admission(model);
  const fail = admission.webhooks().filter((w) => w.type !== 'conversion' && w.failurePolicy === 'Fail');
  const servers = [...new Set(fail.flatMap((w) => admission.backends(w)))];
  // A webhook on what kubelets send (Node registration and status, node Leases, their CSRs) keeps every node NotReady
  // while its backend is down, and no pod runs on a NotReady node: it holds up every backend, its own included.
  const onNodes = fail.filter((w) => admission.probeHits(w, ['node', 'lease', 'csr']).length);
  const blockers = new Map(
    servers.map((s) => [s, [...new Set([...onNodes, ...fail.filter((w) => admission.interceptsPods(w, s).verdict !== 'no')])]]),
  );
  const simulate = (ignored: ReadonlySet<Webhook>): { stages: PodSource[][]; stuck: PodSource[] } => {
    const up = new Set<PodSource>();
    const stages: PodSource[][] = [];
    for (;;) {
      const next = servers.filter(
        (s) => !up.has(s) && blockers.get(s)!.every((w) => ignored.has(w) || admission.backends(w).some((b) => up.has(b))),
      );
      if (!next.length) break;
      next.forEach((s) => up.add(s));
      stages.push(next);
    }
    return { stages, stuck: servers.filter((s) => !up.has(s)) };
  };
  // A node webhook whose backend the input does not hold still keeps every node NotReady, and its backend runs on a
  // node too: it must fail open whatever else starts. Other webhooks without a known backend cannot be planned.
  const unplanned = fail.filter((w) => w.service && !admission.backends(w).length);
  const forced = unplanned.filter((w) => onNodes.includes(w));
  let ignored = new Set<Webhook>(forced);
  let run = simulate(ignored);
  if (run.stuck.length) {
    const candidates = [...new Set(run.stuck.flatMap((s) => blockers.get(s)!))];
    let found: Set<Webhook> | undefined;
    if (candidates.length <= EXHAUSTIVE) {
      // Smallest subsets first; within one size, the first in stream order.
      const subsets = Array.from({ length: 1 << candidates.length }, (_, m) => m).sort((a, b) => bits(a) - bits(b) || a - b);
      for (const m of subsets) {
        const set = new Set([...forced, ...candidates.filter((_, i) => m & (1 << i))]);
        if (!simulate(set).stuck.length) {
          found = set;
          break;
        }
      }
    }
    ignored = found ?? new Set([...forced, ...candidates]);
    run = simulate(ignored);
  }
  const remedies = [...ignored].map((w) => {
    const held = servers.filter((s) => blockers.get(s)!.includes(w)).map((s) => `${s.kind} ${s.namespace}/${s.name}`);
    return {
      webhook: w,
      index: indexOf(w),
      why: onNodes.includes(w)
        ? 'it keeps kubelets from reporting their nodes Ready while its backend is down, and no pod runs on a NotReady ' +
          (held.length
            ? `node (it holds up ${held.join(', ')})`
            : `node, its own backend's included (the input holds no workload Service ${serviceName(w)} selects)`)
        : `with every backend down it holds up the pods of ${held.join(', ')}, and no start order gets past it`,
      health: { state: 'down' as const, evidence: 'cold start: every backend is down' },
    };
  });
  // One note a Service: Capsule's seventeen webhooks share one.
  const bySvc = new Map<string, string[]>();
  for (const w of unplanned.filter((u) => !forced.includes(u)))
    bySvc.set(serviceName(w), [...(bySvc.get(serviceName(w)) ?? []), w.name]);
  const notes = [
    ...[...bySvc].map(
      ([svc, names]) =>
        `the input holds no workload Service ${svc} selects, so the start of the backend of Fail webhooks ` +
        `${shortList([...new Set(names)])} is not planned: add its Deployment to the dump`,
    ),
    ...run.stuck.map((s) => `${s.kind} ${s.namespace}/${s.name} still cannot start: check its webhooks by hand`),
  ];

  return {
    blocked: 'a cold start (every webhook backend down at once)',
    remedies,
    notes,
    stages: run.stages.map((stage) => stage.map((s) => `${s.kind} ${s.namespace}/${s.name}`)),
  };
}

const shortList = (names: string[]): string =>
  names.length > 3 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(', ');

const serviceName = (w: Webhook): string => `${w.service?.namespace}/${w.service?.name}`;

function bits(m: number): number {
  let n = 0;
  for (; m; m &= m - 1) n++;
  return n;
}
