// Label-selector semantics and "does this webhook intercept this request", shared by transforms and check.
import { CelError, evaluateCondition, UNKNOWN } from './cel.js';

/** Labels is a Kubernetes label map. */
export type Labels = Record<string, string>;

/** LabelSelector is metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Labels | null;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] | null }> | null;
}

/** NAME_LABEL is set by the apiserver on every namespace and cannot be changed. */
export const NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * selectorMatches evaluates a LabelSelector. `emptyMatches` chooses what a null selector means:
 * webhooks' namespaceSelector/objectSelector and PDB `{}` match everything; a missing PDB selector matches nothing.
 * An unknown operator never matches, as the apiserver rejects it.
 */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Labels, emptyMatches = true): boolean {
  if (!selector) return emptyMatches;
  // A selector of the wrong shape (the apiserver would refuse it) matches nothing, like an unknown operator.
  const { matchLabels, matchExpressions } = selector;
  if (typeof selector !== 'object' || !isMapOrNull(matchLabels) || !(matchExpressions == null || Array.isArray(matchExpressions)))
    return false;
  for (const [k, v] of Object.entries(matchLabels ?? {})) if (labels[k] !== String(v)) return false;
  for (const e of matchExpressions ?? []) {
    if (e === null || typeof e !== 'object' || !(e.values == null || Array.isArray(e.values))) return false;
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * mapSelectorMatches is a Service's `spec.selector`: every pair must be present. An empty or missing selector selects no pods.
 */
export function mapSelectorMatches(selector: Labels | null | undefined, labels: Labels): boolean {
  const entries = Object.entries(selector ?? {});
  if (!entries.length) return false;
  return entries.every(([k, v]) => labels[k] === String(v));
}

/** bareNamespaceLabels are the labels of a namespace that someone created by hand: only the name label. */
export function bareNamespaceLabels(ns: string): Labels {
  return { [NAME_LABEL]: ns };
}

/**
 * namesSelected lists the namespaces a selector can only match by name, when it pins the immutable name label:
 * `matchLabels: {kubernetes.io/metadata.name: X}` and `kubernetes.io/metadata.name In [X, …]` are the same
 * statement, and `NotIn` takes names away. Undefined when the selector does not pin the name (any namespace
 * may match); an empty list when it can match no namespace at all.
 */
export function namesSelected(selector: LabelSelector | null | undefined): string[] | undefined {
  if (!selector || typeof selector !== 'object') return undefined;
  let names: string[] | undefined;
  const pin = (values: string[]) => (names = names ? names.filter((n) => values.includes(n)) : [...new Set(values)]);
  const ml = selector.matchLabels;
  if (ml && typeof ml === 'object' && Object.prototype.hasOwnProperty.call(ml, NAME_LABEL)) pin([String(ml[NAME_LABEL])]);
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) if (e?.key === NAME_LABEL && e.operator === 'In') pin((e.values ?? []).map(String));
  if (!names) return undefined;
  for (const e of exprs)
    if (e?.key === NAME_LABEL && e.operator === 'NotIn') names = names.filter((n) => !(e.values ?? []).map(String).includes(n));
  return names;
}

/** Request describes an admission request for rule matching. */
export interface Request {
  group: string;
  version: string;
  /** Plural resource, e.g. `pods`; subresource separately. */
  resource: string;
  subresource?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespaced: boolean;
}

/** Rule is admissionregistration/v1 RuleWithOperations. */
export interface Rule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  scope?: string;
}

/**
 * ruleMatches follows the apiserver: `*` resources match no subresources, "*\/*" everything, "pods\/*" every pod subresource.
 * With `anyVersion` (matchPolicy Equivalent, the default) the version is not compared: the apiserver converts
 * the request to a version the rule names.
 */
export function ruleMatches(rule: Rule, req: Request, anyVersion = false): boolean {
  if (!holds(rule.operations, req.operation) || !holds(rule.apiGroups, req.group)) return false;
  if (!anyVersion && !holds(rule.apiVersions, req.version)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && req.namespaced) return false;
  if (scope === 'Namespaced' && !req.namespaced) return false;
  const resources = rule.resources;
  if (!Array.isArray(resources)) return false;
  for (const r of resources) if (typeof r === 'string' && resourceMatches(r, req.resource, req.subresource)) return true;
  return false;
}

// holds: a rule's list field names `value` or `*` (asked for every request of every webhook: no list is made).
function holds(list: unknown, value: string): boolean {
  if (!Array.isArray(list)) return false;
  for (const v of list) if (v === '*' || v === value) return true;
  return false;
}

// strings reads a rule's list field; anything but a list (which the apiserver would refuse) counts as empty.
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isMapOrNull(value: unknown): boolean {
  return value == null || (typeof value === 'object' && !Array.isArray(value));
}

function resourceMatches(pattern: string, resource: string, sub?: string): boolean {
  const slash = pattern.indexOf('/');
  if (slash === -1) return sub === undefined && (pattern === '*' || pattern === resource);
  const res = pattern.slice(0, slash);
  const end = pattern.indexOf('/', slash + 1);
  const patSub = pattern.slice(slash + 1, end === -1 ? undefined : end);
  if (res !== '*' && res !== resource) return false;
  return patSub === '*' ? sub !== undefined || res === '*' : patSub === sub;
}

/** podCreate is the request the apiserver sends when a controller creates a pod. */
export const POD_CREATE: Request = { group: '', version: 'v1', resource: 'pods', operation: 'CREATE', namespaced: true };

// Built-in cluster-scoped resources by `group/resource`: namespaceSelector has no effect on them (except namespaces).
const CLUSTER_SCOPED = new Set([
  '/namespaces',
  '/nodes',
  '/persistentvolumes',
  '/componentstatuses',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
  'apiextensions.k8s.io/customresourcedefinitions',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingadmissionpolicies',
  'admissionregistration.k8s.io/validatingadmissionpolicybindings',
  'admissionregistration.k8s.io/mutatingadmissionpolicies',
  'admissionregistration.k8s.io/mutatingadmissionpolicybindings',
  'apiregistration.k8s.io/apiservices',
  'storage.k8s.io/storageclasses',
  'storage.k8s.io/csidrivers',
  'storage.k8s.io/csinodes',
  'storage.k8s.io/volumeattachments',
  'storage.k8s.io/volumeattributesclasses',
  'scheduling.k8s.io/priorityclasses',
  'node.k8s.io/runtimeclasses',
  'networking.k8s.io/ingressclasses',
  'networking.k8s.io/ipaddresses',
  'networking.k8s.io/servicecidrs',
  'certificates.k8s.io/certificatesigningrequests',
  'certificates.k8s.io/clustertrustbundles',
  'flowcontrol.apiserver.k8s.io/flowschemas',
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations',
  'authentication.k8s.io/tokenreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'resource.k8s.io/deviceclasses',
  'resource.k8s.io/resourceslices',
]);

/** ScopeLookup tells whether `group/resource` is cluster-scoped: true, false, or undefined when unknown. */
export type ScopeLookup = (group: string, resource: string) => boolean | undefined;

/** builtinScope knows the scope of built-in resources; everything else is unknown. */
export const builtinScope: ScopeLookup = (group, resource) => {
  if (CLUSTER_SCOPED.has(`${group}/${resource}`)) return true;
  if (group === '' || group.endsWith('.k8s.io') || ['apps', 'batch', 'policy', 'autoscaling'].includes(group)) return false;
  return undefined;
};

/**
 * ruleCoversNamespaced tells whether a rule can match a namespaced resource or a Namespace: the only
 * requests a namespaceSelector can filter. Unknown resources count as namespaced.
 */
export function ruleCoversNamespaced(rule: Rule, scope: ScopeLookup): boolean {
  if (rule === null || typeof rule !== 'object') return false;
  if (rule.scope === 'Cluster') return strings(rule.resources).some((r) => r.split('/')[0] === 'namespaces' || r.startsWith('*'));
  if (rule.scope === 'Namespaced') return true;
  const groups = strings(rule.apiGroups);
  for (const pattern of strings(rule.resources)) {
    const res = pattern.split('/')[0];
    if (res === '*' || res === 'namespaces') return true;
    const verdicts = groups.includes('*') ? [scopeAnyGroup(res, scope)] : groups.map((g) => scope(g, res));
    if (verdicts.some((v) => v !== true)) return true;
  }
  return false;
}

function scopeAnyGroup(resource: string, scope: ScopeLookup): boolean | undefined {
  for (const key of CLUSTER_SCOPED) if (key.endsWith(`/${resource}`)) return true;
  return scope('*', resource);
}

function requests(group: string, resource: string, ops: Array<[Request['operation'], string?]>): Request[] {
  return ops.map(([operation, subresource]) => ({
    group,
    version: 'v1',
    resource,
    operation,
    namespaced: false,
    ...(subresource ? { subresource } : {}),
  }));
}

/** NODE_REQUESTS are what kubelets and node controllers send about Nodes: registration, patches, status updates, removal. */
export const NODE_REQUESTS: Request[] = requests('', 'nodes', [['CREATE'], ['UPDATE'], ['UPDATE', 'status'], ['DELETE']]);

/** CSR_REQUESTS are kubelets' certificate requests (client and serving certificates) and their approval. */
export const CSR_REQUESTS: Request[] = requests('certificates.k8s.io', 'certificatesigningrequests', [
  ['CREATE'],
  ['UPDATE'],
  ['UPDATE', 'approval'],
  ['UPDATE', 'status'],
]);

/** rulesMatch tells whether any rule (admissionregistration/v1 RuleWithOperations) matches any of the requests. */
export function rulesMatch(rules: unknown, reqs: Request[]): boolean {
  if (!Array.isArray(rules)) return false;
  return rules.some((rule) => rule !== null && typeof rule === 'object' && reqs.some((req) => ruleMatches(rule as Rule, req)));
}

/**
 * rulesOnlyCover tells whether every resource the rules name is one of `resources` (a subresource
 * counts as its resource); a wildcard resource covers everything, so it never qualifies.
 */
export function rulesOnlyCover(rules: unknown, resources: string[]): boolean {
  if (!Array.isArray(rules) || !rules.length) return false;
  return rules.every((rule) => {
    const names =
      rule !== null && typeof rule === 'object' && Array.isArray((rule as Rule).resources) ? (rule as Rule).resources! : [];
    return names.length > 0 && names.every((r) => resources.includes(String(r).split('/')[0]));
  });
}

/** AdmissionRequest is a request as the apiserver matches it against a webhook: the resource, the objects, who asks. */
export interface AdmissionRequest extends Request {
  /** Kind of the object, e.g. `Pod` (for matchConditions' request.kind). */
  kind: string;
  namespace?: string;
  name?: string;
  /** Labels of the request's namespace; a Namespace object is matched on its own labels instead. */
  namespaceLabels?: Labels;
  /** The object being admitted (null on DELETE). */
  object?: Record<string, unknown> | null;
  /** The existing object (null on CREATE). */
  oldObject?: Record<string, unknown> | null;
  /** Who sends the request; absent when unknown. */
  userInfo?: { username: string; groups: string[] };
}

/** WebhookEntry is the part of an admission webhook entry that decides which requests reach it. */
export interface WebhookEntry {
  rules?: unknown;
  namespaceSelector?: unknown;
  objectSelector?: unknown;
  matchConditions?: unknown;
  matchPolicy?: unknown;
  failurePolicy?: unknown;
}

/**
 * Interception is the answer to "does this webhook intercept this request": `yes`, `no`, or `unknown`
 * when a matchCondition cannot be evaluated offline. `reason` says which field decided a `no`, or which
 * condition is unknown; a `yes` caused by a condition that errors (a Fail webhook then rejects) says so.
 */
export interface Interception {
  verdict: 'yes' | 'no' | 'unknown';
  reason?: string;
}

// The apiserver never sends these to admission webhooks (API field docs of ValidatingWebhook/MutatingWebhook).
const NEVER_ADMITTED = new Set([
  'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations',
]);

/** entryRulesMatch is webhookIntercepts' first question: does any of the entry's rules cover the request. */
export function entryRulesMatch(entry: WebhookEntry, req: Request): boolean {
  const rules = Array.isArray(entry.rules) ? (entry.rules as Rule[]) : [];
  const anyVersion = entry.matchPolicy !== 'Exact';
  return rules.some((r) => r && typeof r === 'object' && ruleMatches(r, req, anyVersion));
}

/**
 * webhookIntercepts decides whether the apiserver calls a webhook for a request: rules (operations, groups,
 * resources and subresources, scope; versions only under matchPolicy Exact), then namespaceSelector
 * (the namespace's labels; a Namespace object's own labels; no effect on other cluster-scoped objects),
 * objectSelector (object or oldObject labels), then matchConditions (a CEL subset; see cel.ts).
 * A condition that errors makes a Fail webhook reject the request (`yes`) and an Ignore webhook skip it (`no`).
 * The entry fields it reads are in blocksNeeds' key (backend-needs.ts): a field read here must be added there.
 */
export function webhookIntercepts(entry: WebhookEntry, req: AdmissionRequest): Interception {
  if (NEVER_ADMITTED.has(`${req.group}/${req.resource}`))
    return { verdict: 'no', reason: 'webhook configurations are never sent to webhooks' };
  if (!entryRulesMatch(entry, req)) return { verdict: 'no', reason: 'rules' };
  const isNamespace = req.group === '' && req.resource === 'namespaces' && req.subresource === undefined;
  if (isNamespace || req.namespaced) {
    const labels = isNamespace
      ? { ...labelMap(req.object ?? req.oldObject), ...(req.name ? { [NAME_LABEL]: req.name } : {}) }
      : (req.namespaceLabels ?? {});
    if (!selectorMatches(asSelector(entry.namespaceSelector), labels)) return { verdict: 'no', reason: 'namespaceSelector' };
  }
  const objSel = asSelector(entry.objectSelector);
  if (objSel) {
    const candidates = [req.object, req.oldObject].filter((o) => o != null);
    if (!candidates.some((o) => selectorMatches(objSel, labelMap(o)))) return { verdict: 'no', reason: 'objectSelector' };
  }
  const conditions = Array.isArray(entry.matchConditions) ? entry.matchConditions : [];
  if (!conditions.length) return { verdict: 'yes' };
  const vars = celVariables(req);
  const fail = entry.failurePolicy !== 'Ignore';
  let unknown: string | undefined;
  let errored: string | undefined;
  for (const c of conditions as Array<{ name?: unknown; expression?: unknown }>) {
    const name = String(c?.name ?? '');
    const result = typeof c?.expression === 'string' ? evaluateCondition(c.expression, vars) : UNKNOWN;
    if (result === false) return { verdict: 'no', reason: `matchCondition ${name}` };
    if (result === UNKNOWN) unknown ??= name;
    else if (result instanceof CelError) errored ??= `${name} (${result.message})`;
  }
  // The apiserver: any false skips; otherwise any error applies the failure policy; otherwise all true call.
  if (unknown !== undefined) return { verdict: 'unknown', reason: `matchCondition ${unknown} cannot be evaluated offline` };
  if (errored !== undefined)
    return fail
      ? { verdict: 'yes', reason: `matchCondition ${errored} errors, and a Fail webhook then rejects` }
      : { verdict: 'no', reason: `matchCondition ${errored} errors` };
  return { verdict: 'yes' };
}

function asSelector(value: unknown): LabelSelector | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as LabelSelector) : null;
}

function labelMap(obj: unknown): Labels {
  const labels = (obj as { metadata?: { labels?: unknown } } | null | undefined)?.metadata?.labels;
  const out: Labels = {};
  if (labels && typeof labels === 'object')
    for (const [k, v] of Object.entries(labels)) if (v !== null && typeof v !== 'object') out[k] = String(v);
  return out;
}

// celVariables builds matchConditions' variables. What the simulation cannot know is UNKNOWN, never a guess.
function celVariables(req: AdmissionRequest): Record<string, unknown> {
  const gvk = { group: req.group, version: req.version, kind: req.kind };
  const gvr = { group: req.group, version: req.version, resource: req.resource };
  return {
    object: req.object ?? null,
    oldObject: req.oldObject ?? null,
    request: {
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      ...(req.subresource ? { subResource: req.subresource, requestSubResource: req.subresource } : {}),
      name: req.name ?? '',
      namespace: req.namespace ?? '',
      operation: req.operation,
      userInfo: req.userInfo
        ? { username: req.userInfo.username, groups: req.userInfo.groups, uid: UNKNOWN, extra: UNKNOWN }
        : UNKNOWN,
      dryRun: false,
      options: UNKNOWN,
      uid: UNKNOWN,
    },
  };
}
