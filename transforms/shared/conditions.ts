// Shared by the transforms that add CEL matchConditions (to webhook configurations, or to Kyverno's ConfigMap).
import { isObj, type Obj } from '../../src/model/types.js';
import {
  bareNamespaceLabels,
  CSR_REQUESTS,
  NAME_LABEL,
  NODE_REQUESTS,
  POD_CREATE,
  rulesMatch,
  rulesOnlyCover,
  selectorMatches,
  type LabelSelector,
} from '../../src/model/selectors.js';

/** MatchCondition is admissionregistration/v1 MatchCondition. */
export interface MatchCondition {
  name: string;
  expression: string;
}

/** MAX_MATCH_CONDITIONS is the apiserver's limit per webhook. */
export const MAX_MATCH_CONDITIONS = 64;

// Every expression must evaluate without error for every operation, because an evaluation error on a Fail
// webhook rejects the request: `object` is null on DELETE, optional fields are absent rather than empty, and
// CEL's `&&`/`||` absorb an error when another operand decides the result.
const KUBELET = "has(request.userInfo.groups) && 'system:nodes' in request.userInfo.groups";

/** CONDITIONS are the conditions this transform adds; their names are stable, so a second run finds them. */
export const CONDITIONS = {
  kubelets: { name: 'webhook-guard-skip-kubelets', expression: `!(${KUBELET})` },
  nodes: {
    name: 'webhook-guard-skip-nodes',
    expression: "!(request.resource.group == '' && request.resource.resource == 'nodes')",
  },
  csrs: {
    name: 'webhook-guard-skip-csrs',
    expression: "!(request.resource.group == 'certificates.k8s.io' && request.resource.resource == 'certificatesigningrequests')",
  },
  mirrorPods: {
    name: 'webhook-guard-skip-mirror-pods',
    expression:
      "!(request.operation == 'CREATE' && request.resource.group == '' && request.resource.resource == 'pods' && " +
      `${KUBELET} && object != null && has(object.metadata) && has(object.metadata.annotations) && ` +
      "'kubernetes.io/config.mirror' in object.metadata.annotations)",
  },
} satisfies Record<string, MatchCondition>;

const WHY: Record<string, string> = {
  [CONDITIONS.kubelets.name]:
    'the webhook only intercepts Nodes/CertificateSigningRequests, which ' +
    'are cluster-scoped (a namespaceSelector has no effect on them): ' +
    'while its backend is down, kubelets could not register nodes, update ' +
    'their status or renew certificates (projectcapsule/capsule#1135; ' +
    'Kubernetes "Dynamic Admission Control": matchConditions excluding system:nodes)',
  [CONDITIONS.nodes.name]:
    'Nodes are cluster-scoped, so no namespaceSelector keeps this Fail webhook from blocking ' +
    'node registration and status while its backend is down; it no longer sees Nodes',
  [CONDITIONS.csrs.name]:
    'CertificateSigningRequests are cluster-scoped, so no namespaceSelector keeps this Fail ' +
    'webhook from blocking kubelet certificates while its backend is down; it no longer sees them',
  [CONDITIONS.mirrorPods.name]:
    'kubelets create mirror pods (kubernetes.io/config.mirror) for static pods such ' +
    'as etcd-manager and cannot be told no: a Fail webhook on Pod CREATE blocks them ' +
    'while its backend is down (kops pod-identity-webhook; Kubernetes ' +
    '"Admission Webhook Good Practices": don\'t change immutable objects)',
};

/** whyOf explains a condition added by this transform. */
export function whyOf(names: string[]): string {
  return names.map((n) => `${n}: ${WHY[n] ?? 'added by webhook-guard'}`).join('; ');
}

/** matchConditionsAvailable tells whether the target Kubernetes version serves matchConditions (beta, on by default, in 1.28). */
export function matchConditionsAvailable(kubeVersion: string): boolean {
  const [major, minor] = kubeVersion.replace(/^v/, '').split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 28);
}

/** conditionsFor lists the conditions a Fail webhook entry needs, from what its rules cover. */
export function conditionsFor(entry: Obj, config: { nodesAndCSRs: boolean; mirrorPods: boolean }): MatchCondition[] {
  // An opt-in objectSelector already keeps out objects that lack its labels, as kubelets' objects do.
  if (!selectorMatches((entry.objectSelector ?? null) as LabelSelector | null, {})) return [];
  const out: MatchCondition[] = [];
  const nodes = rulesMatch(entry.rules, NODE_REQUESTS);
  const csrs = rulesMatch(entry.rules, CSR_REQUESTS);
  if (config.nodesAndCSRs && (nodes || csrs)) {
    // A webhook that exists for Nodes/CSRs would be pointless if it skipped them all: skip only the kubelets.
    if (rulesOnlyCover(entry.rules, ['nodes', 'certificatesigningrequests'])) out.push(CONDITIONS.kubelets);
    else {
      if (nodes) out.push(CONDITIONS.nodes);
      if (csrs) out.push(CONDITIONS.csrs);
    }
  }
  if (config.mirrorPods && rulesMatch(entry.rules, [POD_CREATE]) && reachesUnlabelledNamespace(entry.namespaceSelector))
    out.push(CONDITIONS.mirrorPods);
  return out;
}

// Static pods live in namespaces nobody labels for a webhook (kube-system, mostly): a namespaceSelector
// that only matches labelled namespaces (Capsule's tenants) never sees their mirror pods.
function reachesUnlabelledNamespace(namespaceSelector: unknown): boolean {
  const selector = (namespaceSelector ?? null) as LabelSelector | null;
  const named = (Array.isArray(selector?.matchExpressions) ? selector!.matchExpressions : []).flatMap((e) =>
    e?.key === NAME_LABEL ? (e.values ?? []) : [],
  );
  // A namespace the selector names in an `In`, or one it does not name at all.
  const unnamed = `${named.join('-')}-unnamed`;
  return [...named, unnamed].some((ns) => selectorMatches(selector, bareNamespaceLabels(String(ns))));
}

/** MergeResult is what adding conditions to an existing list gives. */
export type MergeResult = { list: unknown[]; added: MatchCondition[] } | { tooMany: number; added: MatchCondition[] };

/** mergeConditions appends the wanted conditions that are not there yet (by name), within the API limit. */
export function mergeConditions(existing: unknown, wanted: MatchCondition[]): MergeResult {
  const list = Array.isArray(existing) ? existing : [];
  const names = new Set(list.map((c) => (isObj(c) ? c.name : undefined)));
  const added = wanted.filter((c) => !names.has(c.name));
  if (list.length + added.length > MAX_MATCH_CONDITIONS) return { tooMany: list.length, added };
  return { list: [...list, ...added.map((c) => ({ ...c }))], added };
}
