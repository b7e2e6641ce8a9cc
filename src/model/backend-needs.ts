// What a webhook backend needs to start and keep serving, and whether a webhook's rules can block it: one list, one answer.
import {
  entryRulesMatch,
  webhookIntercepts,
  type AdmissionRequest,
  type Interception,
  type Labels,
  type WebhookEntry,
} from './selectors.js';

/**
 * BackendNeed is one kind of request that the pods serving a webhook (or the control plane and its add-ons
 * in kube-system) depend on. A webhook that fails closed on it can keep them from starting or serving.
 */
export interface BackendNeed {
  group: string;
  resource: string;
  kind: string;
  /** Subresources that matter besides the resource itself (`undefined` is the resource). */
  subresources: Array<string | undefined>;
  /** Operations that matter: creating and updating; deletion does not stop a backend from starting. */
  operations: Array<'CREATE' | 'UPDATE'>;
  /** Only a Fail webhook can block it (Event writes are best-effort: a rejected one is logged and dropped). */
  failOnly?: boolean;
  /** Why the backend needs it, for reports and the README. */
  why: string;
}

const CU: Array<'CREATE' | 'UPDATE'> = ['CREATE', 'UPDATE'];

/**
 * BACKEND_NEEDS is worked out from the Kubernetes documentation ("Avoiding deadlocks in self-hosted webhooks":
 * a webhook must not intercept "resources required to start its own Pods"; the pod lifecycle, workload
 * controllers, Services and EndpointSlices, service account tokens, leader election with Leases). A rule
 * with `*` in its groups or resources counts as covering every entry it matches; `pods/*` covers the pod
 * subresources. Everything else (an operator's own custom resources, Ingresses, Jobs, Namespaces, Nodes)
 * cannot keep a backend from starting: a webhook on those only does its job there.
 */
export const BACKEND_NEEDS: BackendNeed[] = [
  {
    group: '',
    resource: 'pods',
    kind: 'Pod',
    subresources: [undefined, 'binding', 'status', 'eviction'],
    operations: CU,
    why:
      'pods: created by their controller, bound by the scheduler (pods/binding), reported Ready by the kubelet ' +
      '(pods/status), evicted and replaced during drains (pods/eviction)',
  },
  ...(
    [
      ['Deployment', 'deployments'],
      ['ReplicaSet', 'replicasets'],
      ['StatefulSet', 'statefulsets'],
      ['DaemonSet', 'daemonsets'],
    ] as const
  ).map(([kind, resource]) => ({
    group: 'apps',
    resource,
    kind,
    subresources: [undefined, 'status'],
    operations: CU,
    why: `${resource}: the workload controllers create and update them (and their status) to make the pods`,
  })),
  {
    group: '',
    resource: 'services',
    kind: 'Service',
    subresources: [undefined],
    operations: CU,
    why: 'services: the webhook is called through its Service',
  },
  {
    group: '',
    resource: 'endpoints',
    kind: 'Endpoints',
    subresources: [undefined],
    operations: CU,
    why: 'endpoints: the endpoints controller writes the Ready pods the Service routes to',
  },
  {
    group: 'discovery.k8s.io',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    subresources: [undefined],
    operations: CU,
    why: 'endpointslices: the EndpointSlice controller writes the Ready pods the Service routes to',
  },
  {
    group: '',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    subresources: [undefined, 'token'],
    operations: CU,
    why: "serviceaccounts: the pods' identity; the kubelet requests their projected tokens (serviceaccounts/token)",
  },
  {
    group: '',
    resource: 'secrets',
    kind: 'Secret',
    subresources: [undefined],
    operations: CU,
    why: 'secrets: the serving certificate and other Secrets the pods mount',
  },
  {
    group: '',
    resource: 'configmaps',
    kind: 'ConfigMap',
    subresources: [undefined],
    operations: CU,
    why: 'configmaps: ConfigMaps the pods mount, and kube-root-ca.crt in every projected token volume',
  },
  {
    group: 'coordination.k8s.io',
    resource: 'leases',
    kind: 'Lease',
    subresources: [undefined],
    operations: CU,
    why: 'leases: leader election (a controller that cannot renew its Lease stops)',
  },
  {
    group: '',
    resource: 'events',
    kind: 'Event',
    subresources: [undefined],
    operations: ['CREATE'],
    failOnly: true,
    why: 'events: recorded by every controller and the kubelet',
  },
  {
    group: 'events.k8s.io',
    resource: 'events',
    kind: 'Event',
    subresources: [undefined],
    operations: ['CREATE'],
    failOnly: true,
    why: 'events (events.k8s.io): recorded by the scheduler and newer controllers',
  },
];

/** Subject is who and what the requests of one namespace come from, for objectSelector and matchConditions. */
export interface Subjects {
  /** Pods the requests are about, as objects (the backend's own, or a stand-in for any pod there). */
  pods: Array<Record<string, unknown>>;
  /** Label sets the other objects may carry ({} is any object nobody labelled: Leases, tokens, EndpointSlices). */
  labels: Labels[];
  /** The namespace's labels; undefined leaves the namespaceSelector out (the caller decides about it). */
  namespaceLabels?: Labels;
}

/** NeedsVerdict answers "can this webhook block what a backend needs, in this namespace". */
export interface NeedsVerdict {
  /** `yes` it can; `no` it cannot; `unknown` when a matchCondition cannot be evaluated offline. */
  verdict: 'yes' | 'no' | 'unknown';
  /** The needs it intercepts (`pods`, `pods/binding`, `leases.coordination.k8s.io`, …), for a `yes` or `unknown`. */
  needs: string[];
  /**
   * For a `no`, what decided it: `failurePolicy` (Ignore), `rules` (covers none of BACKEND_NEEDS),
   * `namespaceSelector`, `objectSelector` or `matchCondition <name>`; for an `unknown`, the condition.
   */
  reason: string;
}

const KUBELET = { username: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] };
const SCHEDULER = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
const controller = (name: string) => ({
  username: `system:serviceaccount:kube-system:${name}`,
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
});

// who sends a need's request: the component that makes it in a running cluster.
function sender(need: BackendNeed, sub: string | undefined, ns: string): { username: string; groups: string[] } {
  if (need.resource === 'pods')
    return sub === 'binding'
      ? SCHEDULER
      : sub === 'status'
        ? KUBELET
        : sub === 'eviction'
          ? controller('disruption-controller')
          : controller('replicaset-controller');
  if (sub === 'token') return KUBELET;
  if (need.group === 'apps')
    return controller(need.resource === 'replicasets' ? 'deployment-controller' : `${need.kind.toLowerCase()}-controller`);
  if (need.resource === 'endpoints') return controller('endpoint-controller');
  if (need.resource === 'endpointslices') return controller('endpointslice-controller');
  return {
    username: `system:serviceaccount:${ns}:default`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
  };
}

/** needName is how reports name a need: `pods`, `pods/binding`, `leases.coordination.k8s.io`. */
export function needName(need: BackendNeed, sub?: string): string {
  return `${need.resource}${need.group ? `.${need.group}` : ''}${sub ? `/${sub}` : ''}`;
}

/**
 * blocksNeeds decides whether a webhook can block what a backend needs in namespace `ns`: it asks the one
 * admission simulation (webhookIntercepts) about every request of BACKEND_NEEDS, with the subjects' pods
 * and labels as the objects (so an opt-in objectSelector that the backend's pods do not satisfy blocks
 * nothing). A webhook that fails open blocks nothing: while its backend is down requests pass.
 */
export function blocksNeeds(
  entry: WebhookEntry,
  failurePolicy: 'Fail' | 'Ignore',
  ns: string,
  subjects: Subjects,
  entryKey = needsKey(entry),
): NeedsVerdict {
  if (failurePolicy === 'Ignore') return { verdict: 'no', needs: [], reason: 'failurePolicy' };
  // The answer depends only on the fields of the entry webhookIntercepts reads (see needsKey), the namespace and the
  // subjects: without matchConditions only the pods' labels, with them the pods themselves. A stream that holds a
  // release several times, or a webhook asked about again, is judged once. Pods alike in what can be read of them (a
  // stream holding several releases has its pods several times) are asked about once.
  const conditions = Array.isArray(entry.matchConditions) && entry.matchConditions.length > 0;
  const { pods, id } = alike(subjects, conditions);
  // Keyed by the entry's text first: a caller that keeps it (Admission) hands the same string each time, whose hash V8
  // keeps, so the long rules are neither joined to the rest nor hashed again per question.
  let byEntry = VERDICTS.get(entryKey);
  if (!byEntry) {
    if (VERDICTS.size > 10_000) VERDICTS.clear();
    VERDICTS.set(entryKey, (byEntry = new Map()));
  }
  const key = JSON.stringify([failurePolicy, ns, subjects.namespaceLabels ?? null, id]);
  let verdict = byEntry.get(key);
  if (!verdict) {
    if (byEntry.size > 10_000) byEntry.clear();
    byEntry.set(key, (verdict = judgeNeeds(entry, failurePolicy, ns, subjects, pods)));
  }
  return { ...verdict, needs: [...verdict.needs] };
}

const VERDICTS = new Map<string, Map<string, NeedsVerdict>>();

/**
 * needsKey is what blocksNeeds' answer depends on of a webhook entry, as text: the fields webhookIntercepts reads (not
 * its name, client config or CA bundle, which are long). The rules are most of it, and a caller that asks about several
 * namespaces may work it out once (see Admission.blocksNeeds).
 */
export function needsKey(entry: WebhookEntry): string {
  const conditions = Array.isArray(entry.matchConditions) && entry.matchConditions.length > 0;
  return JSON.stringify([
    entry.rules,
    entry.matchPolicy,
    entry.namespaceSelector,
    entry.objectSelector,
    conditions ? entry.matchConditions : null,
  ]);
}

// judgeNeeds is blocksNeeds' answer, worked out; `pods` are the subjects' pods without those alike (see blocksNeeds).
function judgeNeeds(
  entry: WebhookEntry,
  failurePolicy: 'Fail',
  ns: string,
  subjects: Subjects,
  pods: Array<Record<string, unknown>>,
): NeedsVerdict {
  const checked: WebhookEntry = { ...entry, failurePolicy };
  if (subjects.namespaceLabels === undefined) delete checked.namespaceSelector;
  const yes: string[] = [];
  const unknown: string[] = [];
  let unknownReason = '';
  const reasons = new Set<string>();
  const covered = coveredNeeds(checked);
  for (const need of BACKEND_NEEDS) {
    if (need.failOnly && failurePolicy !== 'Fail') continue;
    let objects: Array<Record<string, unknown>> | undefined;
    let at = FIRST_REQUEST.get(need)!;
    for (const sub of need.subresources) {
      for (const operation of need.operations) {
        // Most needs are outside a webhook's rules: that is settled before any object is built.
        if (!covered[at++]) {
          reasons.add('rules');
          continue;
        }
        objects ??=
          need.resource === 'pods' && need.group === '' ? pods : subjects.labels.map((labels) => stub(need, ns, labels));
        let best: Interception | undefined;
        for (const object of objects) {
          const req: AdmissionRequest = {
            group: need.group,
            version: 'v1',
            resource: need.resource,
            ...(sub ? { subresource: sub } : {}),
            kind: need.kind,
            operation,
            namespaced: true,
            namespace: ns,
            name: String((object.metadata as { name?: unknown } | undefined)?.name ?? ''),
            namespaceLabels: subjects.namespaceLabels ?? {},
            object,
            oldObject: operation === 'UPDATE' ? object : null,
            userInfo: sender(need, sub, ns),
          };
          const v = webhookIntercepts(checked, req);
          if (v.verdict === 'yes') {
            best = v;
            break;
          }
          if (v.verdict === 'unknown') best = v;
          else if (!best) best = v;
          // Rules and the namespaceSelector read the request, not the object: every other object is answered alike.
          if (v.verdict === 'no' && OBJECT_BLIND.has(v.reason ?? '')) break;
        }
        if (!best) continue;
        const name = needName(need, sub);
        if (best.verdict === 'yes' && !yes.includes(name)) yes.push(name);
        else if (best.verdict === 'unknown' && !unknown.includes(name)) {
          unknown.push(name);
          unknownReason ||= best.reason ?? '';
        } else if (best.verdict === 'no') reasons.add(best.reason ?? 'rules');
      }
    }
  }
  if (yes.length) return { verdict: 'yes', needs: yes, reason: '' };
  if (unknown.length) return { verdict: 'unknown', needs: unknown, reason: unknownReason };
  // The most telling reason: a selector or condition that skipped a request the rules cover, else the rules.
  const reason = [...reasons].find((r) => r !== 'rules') ?? 'rules';
  return { verdict: 'no', needs: [], reason };
}

// The requests of BACKEND_NEEDS are numbered in order (need, subresource, operation): where each need's first is.
const FIRST_REQUEST = new Map<BackendNeed, number>();
BACKEND_NEEDS.reduce((n, need) => (FIRST_REQUEST.set(need, n), n + need.subresources.length * need.operations.length), 0);

// Which requests of BACKEND_NEEDS a webhook's rules cover (by number), by the rules' text: charts give many webhooks the
// same rules, and each webhook is asked about several namespaces. (Bounded: cleared past a size no run reaches.)
const COVERED = new Map<string, boolean[]>();

function coveredNeeds(entry: WebhookEntry): boolean[] {
  const key = JSON.stringify([entry.rules, entry.matchPolicy]);
  let covered = COVERED.get(key);
  if (covered) return covered;
  covered = [];
  for (const need of BACKEND_NEEDS)
    for (const sub of need.subresources)
      for (const operation of need.operations) {
        const request = {
          group: need.group,
          version: 'v1',
          resource: need.resource,
          subresource: sub,
          operation,
          namespaced: true,
        };
        covered.push(entryRulesMatch(entry, request));
      }
  if (COVERED.size > 10_000) COVERED.clear();
  COVERED.set(key, covered);
  return covered;
}

// The reasons for a `no` that no object of the same request can change.
const OBJECT_BLIND = new Set(['rules', 'namespaceSelector']);

// alike gives the subjects' pods without those alike (by JSON with conditions, else by labels), and a number for what
// blocksNeeds reads of the subjects (the label sets and those pods): equal subjects get the same number, however often
// they are asked about, and the pods' JSON, long with conditions, is neither joined nor hashed again for each webhook.
// Worked out once per list of pods: the Admission hands every webhook of a backend, or of none there, the same lists.
function alike(subjects: Subjects, conditions: boolean): { pods: Array<Record<string, unknown>>; id: number } {
  let made = ALIKE.get(subjects.pods);
  if (!made) ALIKE.set(subjects.pods, (made = []));
  const at = conditions ? 1 : 0;
  let found = made[at];
  if (found?.labels !== subjects.labels) {
    const podKey = conditions ? objectKey : labelsKey;
    const pods = distinct(subjects.pods, podKey);
    const key = `${JSON.stringify(subjects.labels)}\n${pods.map(podKey).join('\n')}`;
    let id = SUBJECT_IDS.get(key);
    if (id === undefined) {
      if (SUBJECT_IDS.size > 10_000) SUBJECT_IDS.clear();
      SUBJECT_IDS.set(key, (id = nextSubjects++));
    }
    made[at] = found = { labels: subjects.labels, pods, id };
  }
  return found;
}
const ALIKE = new WeakMap<object, Array<{ labels: Labels[]; pods: Array<Record<string, unknown>>; id: number } | undefined>>();
// Numbers for subjects, by their keys: the label sets' JSON, then the pods' keys one a line (JSON has no line break of its
// own). A number is never given twice (bounded, the map forgets; the subjects then get a new one).
const SUBJECT_IDS = new Map<string, number>();
let nextSubjects = 0;

// distinct keeps the first of the objects that give the same key.
function distinct(objects: Array<Record<string, unknown>>, key: (o: Record<string, unknown>) => string) {
  const seen = new Set<string>();
  return objects.filter((o) => {
    const k = key(o);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// An object's JSON, and its labels' JSON, made once per object: the subjects' pods are asked about for every webhook
// (they are not changed while they are asked about). Without matchConditions only an object's labels can change the
// answer; with them, equal objects make equal requests, which conditions answer alike.
const objectKey = (o: Record<string, unknown>): string => remembered(OBJECT_KEYS, o, () => JSON.stringify(o));
const labelsKey = (o: Record<string, unknown>): string =>
  remembered(LABEL_KEYS, o, () => JSON.stringify((o.metadata as { labels?: unknown } | undefined)?.labels ?? {}));
const OBJECT_KEYS = new WeakMap<object, string>();
const LABEL_KEYS = new WeakMap<object, string>();

function remembered(keys: WeakMap<object, string>, o: object, make: () => string): string {
  let key = keys.get(o);
  if (key === undefined) keys.set(o, (key = make()));
  return key;
}

// stub is an object of a need's kind carrying some labels: what objectSelector and conditions see.
function stub(need: BackendNeed, ns: string, labels: Labels): Record<string, unknown> {
  return {
    apiVersion: need.group ? `${need.group}/v1` : 'v1',
    kind: need.kind,
    metadata: { name: 'x', namespace: ns, ...(Object.keys(labels).length ? { labels } : {}) },
  };
}

/** anyPod is a stand-in for a pod nobody labelled for this webhook (an add-on in kube-system). */
export function anyPod(ns: string, labels: Labels = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, generateName: 'x-', ...(Object.keys(labels).length ? { labels } : {}) },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  };
}
