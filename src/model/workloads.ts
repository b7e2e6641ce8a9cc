// What a workload's render says about it: may it run as several copies, does a rollout stop every pod, and
// does it serve webhooks that its controller registers at run time. One answer for transforms and check.
import { leaderElectSetting } from '../yaml/crd-text.js';
import { type Model } from './model.js';
import { RBAC_KINDS } from './kinds.js';
import { declares, portsOf, servicePort } from './ports.js';
import { mapSelectorMatches } from './selectors.js';
import { addTo, isObj, labelsOf, podLabels, WEBHOOK_PORT, type Obj, type Resource, type Webhook } from './types.js';

/** CONTROLLER_RUNTIME_WEBHOOK_PORT is where controller-runtime's webhook server listens by default. */
const CONTROLLER_RUNTIME_WEBHOOK_PORT = 9443;

/** Evidence is a yes/no answer and the fact of the render it rests on, for reasons and warnings. */
export interface Evidence {
  yes: boolean;
  why: string;
}

// The flags that switch leader election on in controller-runtime, client-go and component-base binaries.
// Go's flag package and pflag accept one or two dashes; a bool flag takes its value only after `=`.
const ELECTION_FLAG = /^--?(leader-elect|enable-leader-election|leader-election)(?:=(.*))?$/;
// ingress-nginx always elects the leader that writes Ingress status; the flag names its Lease.
const ELECTION_ID = /^--?election-id(=|$)/;
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * BUILTIN_ELECTION: images that elect their leaders without a flag and are documented to run as several
 * replicas. Kyverno's admission controller ("High Availability": 3 replicas, leader election for the
 * controllers inside it).
 */
export const BUILTIN_ELECTION: ReadonlyArray<{ image: RegExp; why: string }> = [
  {
    image: /(^|\/)kyverno\/kyverno(:|@|$)/,
    why:
      "Kyverno's admission controller (image kyverno/kyverno) elects its leaders itself " +
      'and is documented to run as several replicas',
  },
  {
    image: /(^|\/)pilot(:|@|$)/,
    why: 'istiod (image pilot) elects its leaders itself and is documented to run as several replicas',
  },
];

/** containersOf lists a workload's (or Pod's) main containers. */
export function containersOf(r: Resource): Obj[] {
  const spec = r.kind === 'Pod' ? r.obj.spec : r.obj.spec?.template?.spec;
  return isObj(spec) && Array.isArray(spec.containers) ? spec.containers.filter(isObj) : [];
}

/**
 * webhookRoutes lists the Service ports the webhooks call, by Service: what servingContainers follows to the containers.
 * Webhooks whose Service is not in the stream have none.
 */
export function webhookRoutes(model: Model, webhooks: Iterable<Webhook>): Map<Resource, Set<number>> {
  const routes = new Map<Resource, Set<number>>();
  for (const w of webhooks) {
    const svc = model.serviceOf(w);
    if (!svc || !w.service) continue;
    let ports = routes.get(svc);
    if (!ports) routes.set(svc, (ports = new Set()));
    ports.add(w.service.port);
  }
  return routes;
}

/**
 * servingContainers names the containers of a workload that receive its webhooks' calls (`routes`, see webhookRoutes):
 * those that declare the port a Service routes the call to. Undefined when no call can be pinned to a container (no
 * route, or a numeric targetPort no container declares).
 */
export function servingContainers(
  wl: Resource,
  routes: ReadonlyMap<Resource, ReadonlySet<number>>,
): ReadonlySet<string> | undefined {
  const targets = new Set<unknown>();
  for (const [svc, ports] of routes)
    for (const port of ports) {
      const sp = servicePort(svc, port);
      if (sp) targets.add(sp.targetPort ?? sp.port);
    }
  const names = new Set<string>();
  for (const c of containersOf(wl)) {
    const ports = portsOf(c);
    if (typeof c.name === 'string' && [...targets].some((target) => declares(ports, target))) names.add(c.name);
  }
  return names.size ? names : undefined;
}

/**
 * leaderElection says whether the render switches leader election on for a workload, from its containers'
 * command and args (`--leader-elect`, `--leader-elect=true`, `--enable-leader-election`, `--leader-election`,
 * one or two dashes, the last occurrence winning as in Go; `=false` switches it off), else from a
 * controller-runtime config file in a ConfigMap it mounts (`leaderElection.leaderElect`), else from an image
 * known to elect leaders itself. Undefined when the render says nothing. Given `serving` (servingContainers), only
 * those containers count, and only config files they mount: a sidecar that elects a leader says nothing of whether
 * the webhook server beside it may run twice.
 */
export function leaderElection(model: Model, wl: Resource, serving?: ReadonlySet<string>): Evidence | undefined {
  const counted = containersOf(wl).filter((c) => !serving || serving.has(c.name));
  for (const c of counted) {
    const words = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])]
      .filter((w): w is string => typeof w === 'string')
      .flatMap((w) => w.split(/\s+/));
    let found: Evidence | undefined;
    for (const word of words) {
      const m = ELECTION_FLAG.exec(word);
      if (!m) continue;
      const value = m[2];
      if (value === undefined || TRUE.has(value)) found = { yes: true, why: `container ${c.name} runs with ${word}` };
      else if (FALSE.has(value)) found = { yes: false, why: `container ${c.name} runs with ${word}` };
      // A value the render does not show (`$(LEADER_ELECT)`, set from a ConfigMap or Secret elsewhere) decides as the
      // last flag does: the flags before it show nothing.
      else found = undefined;
    }
    const id = words.find((w) => ELECTION_ID.test(w));
    if (!found && id) found = { yes: true, why: `container ${c.name} runs with ${id} (ingress-nginx elects a leader by it)` };
    if (found) return found;
  }
  const spec = wl.obj.spec?.template?.spec;
  const mounted = new Set(
    counted.flatMap((c) => (Array.isArray(c.volumeMounts) ? c.volumeMounts.filter(isObj).map((m) => m.name) : [])),
  );
  const volumes = isObj(spec) && Array.isArray(spec.volumes) ? spec.volumes.filter(isObj) : [];
  const ns = model.namespaceOf(wl);
  for (const v of volumes) {
    if (serving && !mounted.has(v.name)) continue;
    const name = v.configMap?.name;
    if (typeof name !== 'string') continue;
    const cm = model.ofKind('ConfigMap').find((r) => r.name === name && model.namespaceOf(r) === ns);
    const data = isObj(cm?.obj.data) ? cm!.obj.data : {};
    for (const [key, text] of Object.entries(data)) {
      const setting = typeof text === 'string' ? leaderElectSetting(text) : undefined;
      if (setting !== undefined)
        return { yes: setting, why: `its config file (ConfigMap ${name}, ${key}) sets leaderElection.leaderElect: ${setting}` };
    }
  }
  for (const c of counted) {
    const known = BUILTIN_ELECTION.find((b) => typeof c.image === 'string' && b.image.test(c.image.replace(/^"|"$/g, '')));
    if (known) return { yes: true, why: known.why };
  }
  return undefined;
}

/** RoleGrant is one RBAC rule bound to a workload's ServiceAccount, with the role that holds it. */
export interface RoleGrant {
  role: string;
  rule: Obj;
}

/**
 * grantsOf lists the RBAC rules the render binds to a workload's ServiceAccount (`serviceAccountName`, else
 * `default`): RoleBindings of its namespace and ClusterRoleBindings naming it. `unresolved` names roles the
 * bindings refer to that the render does not hold (cluster-admin, a role of another release).
 */
export function grantsOf(model: Model, wl: Resource): { serviceAccount: string; grants: RoleGrant[]; unresolved: string[] } {
  const spec = wl.obj.spec?.template?.spec;
  const sa = String((isObj(spec) && (spec.serviceAccountName ?? spec.serviceAccount)) || 'default');
  const serviceAccount = `${model.namespaceOf(wl)}/${sa}`;
  const rbac = model.remembered('rbac', RBAC_KINDS, () => rbacIndex(model));
  let found = rbac.granted.get(serviceAccount);
  if (!found) rbac.granted.set(serviceAccount, (found = bound(model, rbac, serviceAccount, sa)));
  return { serviceAccount, ...found };
}

// bound lists the rules bound to a ServiceAccount (`namespace/name`); a role that several bindings name (a stream
// holding a release more than once) grants its rules once.
function bound(
  model: Model,
  rbac: RbacIndex,
  serviceAccount: string,
  name: string,
): { grants: RoleGrant[]; unresolved: string[] } {
  const grants: RoleGrant[] = [];
  const unresolved: string[] = [];
  const seen = new Set<Resource>();
  for (const b of bindingsOf(model, rbac, serviceAccount, name)) {
    const ref = isObj(b.obj.roleRef) ? b.obj.roleRef : {};
    const role =
      typeof ref.name !== 'string'
        ? undefined
        : ref.kind === 'Role'
          ? roleNamed(model, rbac, 'Role', `${model.namespaceOf(b)}/${ref.name}`, ref.name)
          : roleNamed(model, rbac, 'ClusterRole', ref.name, ref.name);
    if (!role) {
      unresolved.push(`${ref.kind} ${ref.name}`);
      continue;
    }
    if (seen.has(role)) continue;
    seen.add(role);
    for (const rule of Array.isArray(role.obj.rules) ? role.obj.rules.filter(isObj) : [])
      grants.push({ role: `${role.kind} ${role.name}`, rule });
  }
  return { grants, unresolved };
}

interface RbacIndex {
  bindings: Map<string, Resource[]>;
  roles: Map<string, Resource>;
  clusterRoles: Map<string, Resource>;
  /** What `bound` gave for each ServiceAccount asked about. */
  granted: Map<string, { grants: RoleGrant[]; unresolved: string[] }>;
  /** What roleNamed gave for each role asked about (`Role ns/name`, `ClusterRole name`). */
  named: Map<string, Resource | undefined>;
}

// rbacIndex is the RBAC the model read with the stream, for grantsOf: bindings by the ServiceAccount they name
// (`namespace/name`, in stream order), Roles by namespace and name, ClusterRoles by name (the first of a name). A
// harden run reads RBAC documents only when asked (ModelOptions.readLater): these are then only those in Lists and
// those whose text does not settle their kind; bindingsOf and roleNamed add the others.
function rbacIndex(model: Model): RbacIndex {
  const bindings = new Map<string, Resource[]>();
  for (const b of model.ofKind('RoleBinding', 'ClusterRoleBinding'))
    for (const key of subjects(model, b)) addTo(bindings, key, b);
  const roles = new Map<string, Resource>();
  for (const r of model.ofKind('Role')) if (named(r) && !roles.has(roleKey(model, r))) roles.set(roleKey(model, r), r);
  const clusterRoles = new Map<string, Resource>();
  for (const r of model.ofKind('ClusterRole')) if (named(r) && !clusterRoles.has(r.name)) clusterRoles.set(r.name, r);
  return { bindings, roles, clusterRoles, granted: new Map(), named: new Map() };
}

// subjects are the ServiceAccounts (`namespace/name`) a binding names.
function subjects(model: Model, b: Resource): Set<string> {
  const keys = new Set<string>();
  for (const s of Array.isArray(b.obj.subjects) ? b.obj.subjects.filter(isObj) : []) {
    const ns = s.namespace ?? (b.kind === 'RoleBinding' ? model.namespaceOf(b) : undefined);
    if (s.kind === 'ServiceAccount' && typeof s.name === 'string' && typeof ns === 'string') keys.add(`${ns}/${s.name}`);
  }
  return keys;
}

// A role is known by a name written as a string: the API server refuses any other (a number, a list).
const named = (r: Resource): boolean => typeof r.obj.metadata?.name === 'string';
const roleKey = (model: Model, r: Resource): string => (r.kind === 'Role' ? `${model.namespaceOf(r)}/${r.name}` : r.name);

const BINDINGS = ['RoleBinding', 'ClusterRoleBinding'];

// bindingsOf lists the bindings that name a ServiceAccount (`namespace/name`, its name `name`), in stream order: those
// read with the stream, and of those left for later the ones whose text can hold the name, read now.
function bindingsOf(model: Model, rbac: RbacIndex, serviceAccount: string, name: string): Resource[] {
  const late = model
    .lateOf(BINDINGS, name)
    .map((doc) => model.readLate(doc))
    .filter((b): b is Resource => b !== undefined && subjects(model, b).has(serviceAccount));
  const all = [...(rbac.bindings.get(serviceAccount) ?? []), ...late];
  // Stable: bindings of one document (a List's items) keep their order.
  return late.length ? all.sort((a, b) => model.place(a.doc) - model.place(b.doc)) : all;
}

// roleNamed is the first Role (key `namespace/name`) or ClusterRole (key `name`) of a name in stream order: of those
// read with the stream, or of those left for later whose text can hold the name, read as far as the first.
function roleNamed(model: Model, rbac: RbacIndex, kind: 'Role' | 'ClusterRole', key: string, name: string): Resource | undefined {
  const asked = `${kind} ${key}`;
  if (rbac.named.has(asked)) return rbac.named.get(asked);
  let found = (kind === 'Role' ? rbac.roles : rbac.clusterRoles).get(key);
  const before = found ? model.place(found.doc) : Infinity;
  // Read as far as the first of the name: most roles bound to a backend come early, and some in no document at all.
  for (const doc of model.lateHolding([kind], name)) {
    if (model.place(doc) > before) break;
    const r = model.readLate(doc);
    if (r && named(r) && roleKey(model, r) === key) {
      found = r;
      break;
    }
  }
  rbac.named.set(asked, found);
  return found;
}

const WRITE_VERBS = ['create', 'update', 'patch', '*'];
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

// A rule that names the group or the resource counts; `*` on both is an admin role, which says nothing about
// webhooks (and would mark every workload bound to one as a webhook server).
function writes(rule: Obj, group: string, resource: string): boolean {
  const groups = list(rule.apiGroups);
  const resources = list(rule.resources);
  return (
    (groups.includes(group) || (groups.includes('*') && resources.includes(resource))) &&
    (resources.includes(resource) || (resources.includes('*') && groups.includes(group))) &&
    list(rule.verbs).some((v) => WRITE_VERBS.includes(v))
  );
}

/** RUNTIME_REGISTRATION are the objects whose writers serve webhooks the render does not show. */
export const RUNTIME_REGISTRATION = [
  { group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' },
  { group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations' },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
];

/**
 * registersWebhooks says how a workload's ServiceAccount may create or update webhook configurations or
 * CRDs (whose conversion webhook it then points at itself), or undefined when the render grants neither.
 */
export function registersWebhooks(model: Model, wl: Resource): string | undefined {
  const { serviceAccount, grants } = grantsOf(model, wl);
  const hits: string[] = [];
  for (const target of RUNTIME_REGISTRATION) {
    const g = grants.find((x) => writes(x.rule, target.group, target.resource));
    if (g) hits.push(`${target.resource} (${g.role})`);
  }
  return hits.length ? `its ServiceAccount ${serviceAccount} may create or update ${hits.join(', ')}` : undefined;
}

// What a server that keeps no state of its own may write: events, its leader Lease, access reviews, and its
// serving certificate (a Secret, a CSR; cert-manager's webhook, the EKS pod identity webhook). Copies that
// write the same certificate Secret meet optimistic concurrency, not a fight over the objects they manage.
const STATELESS_WRITES = new Set([
  'events',
  'leases',
  'secrets',
  'certificatesigningrequests',
  'tokenreviews',
  'subjectaccessreviews',
  'localsubjectaccessreviews',
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
]);

/**
 * onlyServes says whether the render shows a workload to be a plain webhook server: its ServiceAccount has
 * roles in the render, every binding resolves, and none lets it write anything but events, Leases, access
 * reviews and its serving certificate (Secrets, CSRs). Such a server keeps no state two copies could fight
 * over (no Service status, no objects it reconciles, no caBundle it patches in).
 */
export function onlyServes(model: Model, wl: Resource): Evidence | undefined {
  const { serviceAccount, grants, unresolved } = grantsOf(model, wl);
  if (!grants.length || unresolved.length) return undefined;
  const writing = grants.filter((g) => list(g.rule.verbs).some((v) => WRITE_VERBS.includes(v) || v === 'delete'));
  const beyond = writing.filter((g) => list(g.rule.resources).some((r) => !STATELESS_WRITES.has(r.split('/')[0])));
  if (beyond.length) return undefined;
  const roles = [...new Set(grants.map((g) => g.role))].join(', ');
  return {
    yes: true,
    why:
      `its ServiceAccount ${serviceAccount} may write nothing but events, Leases, access reviews and its certificate ` +
      `(${roles}): it keeps no state two copies could fight over`,
  };
}

/**
 * multiInstance decides whether a workload may run as several copies, and on what evidence: leader election
 * switched on (or off), a plain webhook server, or a name the configuration lists. Undefined means the render
 * does not show it: a singleton controller (MetalLB's assigns each address once) run twice does harm. `serving`
 * limits the leader-election evidence to the containers that serve the webhooks (see leaderElection).
 */
export function multiInstance(model: Model, wl: Resource, listed: boolean, serving?: ReadonlySet<string>): Evidence | undefined {
  if (listed) return { yes: true, why: 'the configuration lists it in scalableWorkloads' };
  return leaderElection(model, wl, serving) ?? onlyServes(model, wl);
}

/**
 * rolloutOutage says why a rollout of a workload stops every pod before a new one serves, or undefined:
 * a Deployment with `strategy: Recreate`, or a RollingUpdate whose maxUnavailable covers all replicas;
 * a StatefulSet whose rolling update may take down as many pods as it has (one replica, by default).
 * Any edit of its pod template causes such a rollout when it is applied. `replicasAfter` is the count the
 * same apply sets (the controllers scale up before they replace old pods).
 */
export function rolloutOutage(wl: Resource, replicasAfter?: number): string | undefined {
  const spec = isObj(wl.obj.spec) ? wl.obj.spec : {};
  const replicas = replicasAfter ?? (spec.replicas == null ? 1 : Number(spec.replicas));
  if (!Number.isFinite(replicas)) return undefined;
  const covers = (v: unknown, fallback: number | string): boolean => {
    const value = v ?? fallback;
    const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
    // Kubernetes rounds a percentage of maxUnavailable down.
    const n = m ? Math.floor((Number(m[1]) * replicas) / 100) : Number(value);
    return Number.isFinite(n) && n >= replicas;
  };
  if (wl.kind === 'Deployment') {
    const s = isObj(spec.strategy) ? spec.strategy : {};
    if (s.type === 'Recreate') return 'its strategy is Recreate: every rollout stops all its pods before it starts new ones';
    const maxUnavailable = isObj(s.rollingUpdate) ? s.rollingUpdate.maxUnavailable : undefined;
    if (covers(maxUnavailable, '25%'))
      return (
        `its RollingUpdate maxUnavailable (${maxUnavailable}) covers all ${replicas} ` +
        `replica${replicas === 1 ? '' : 's'}: a rollout may stop every pod before a new one is ready`
      );
  }
  if (wl.kind === 'StatefulSet') {
    const s = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
    if (s.type !== 'OnDelete') {
      const maxUnavailable = isObj(s.rollingUpdate) ? s.rollingUpdate.maxUnavailable : undefined;
      if (covers(maxUnavailable, 1))
        return (
          `it is a StatefulSet whose rolling update replaces up to ${maxUnavailable ?? 1} pod` +
          `${Number(maxUnavailable ?? 1) === 1 ? '' : 's'} at a time with ${replicas} replica${replicas === 1 ? '' : 's'}: ` +
          `a rollout deletes every pod before its replacement is ready`
        );
    }
  }
  return undefined;
}

/** rolloutFix is what to change in a chart's values when rolloutOutage answers for a workload. */
export function rolloutFix(wl: Resource): string {
  return wl.kind === 'StatefulSet'
    ? 'run the StatefulSet with 2 replicas or more and a rollingUpdate maxUnavailable below them (1, the default) in ' +
        'the chart values'
    : ROLLOUT_FIX;
}

// ROLLOUT_FIX is what to change in a chart's values when rolloutOutage answers for a Deployment.
const ROLLOUT_FIX =
  'set the Deployment strategy to RollingUpdate with maxUnavailable: 0 and maxSurge: 1 ' +
  '(a StatefulSet: 2 replicas or more) in the chart values';

/** isHelmTest tells a `helm test` hook: its pods exist only while the test runs. */
export function isHelmTest(r: Resource): boolean {
  const hook = labelsOf(r.obj.metadata?.annotations)['helm.sh/hook'];
  return typeof hook === 'string' && hook.split(',').some((h) => /^test(-success|-failure)?$/.test(h.trim()));
}

/** RUNTIME_PRODUCTS are servers whose webhook configurations their own code registers (images, as rendered). */
export const RUNTIME_PRODUCTS: ReadonlyArray<{ image: RegExp; what: string }> = [
  { image: /(^|\/)kyverno\/kyverno(:|@|$)/, what: "Kyverno's admission controller registers its resource webhooks at run time" },
  { image: /(^|\/)rancher\/rancher-webhook(:|@|$)/, what: "Rancher's webhook registers its webhook configurations at run time" },
  {
    image: /(^|\/)longhornio\/longhorn-manager(:|@|$)/,
    what: "Longhorn's manager registers its admission and conversion webhooks at run time",
  },
];

/** RuntimeServer is a workload that serves webhooks its controller registers at run time, and why we think so. */
export interface RuntimeServer {
  workload: Resource;
  why: string;
  /** False when no Service of the stream routes a webhook-like port to it (the webhook may run elsewhere). */
  reachable: boolean;
}

// A Service port a webhook may be called on: 443, or a name or target that says webhook or https, or
// controller-runtime's default 9443. Metrics ports (http-metrics, 8080, 9402…) are not.
function webhookPort(p: Obj): boolean {
  const words = [p.name, p.targetPort].filter((x) => typeof x === 'string').join(' ');
  return (
    Number(p.port) === WEBHOOK_PORT || Number(p.targetPort) === CONTROLLER_RUNTIME_WEBHOOK_PORT || /webhook|https/i.test(words)
  );
}

/**
 * runtimeServers lists workloads that serve webhooks the render does not show: images of products known to
 * register their webhooks at run time (Kyverno, Rancher's webhook, Longhorn), and any workload whose
 * ServiceAccount may create or update webhook configurations or CRDs (Kubewarden's PolicyServer, Crossplane,
 * Dapr, …). Workloads that already serve a rendered webhook are left out: they are handled as such. With `reachableOnly`,
 * so are those no Service of the stream routes a webhook port to, and their RBAC is not asked about.
 */
export function runtimeServers(model: Model, rendered: ReadonlySet<Resource>, reachableOnly = false): RuntimeServer[] {
  const out: RuntimeServer[] = [];
  // The Services of a namespace that select pods and have a port a webhook could call.
  const servingIn = new Map<string, Resource[]>();
  for (const wl of model.ofKind('Deployment', 'StatefulSet', 'DaemonSet')) {
    if (rendered.has(wl)) continue;
    const ns = model.namespaceOf(wl);
    let serving = servingIn.get(ns);
    if (!serving)
      servingIn.set(
        ns,
        (serving = model
          .ofKind('Service')
          .filter(
            (s) =>
              model.namespaceOf(s) === ns &&
              isObj(s.obj.spec?.selector) &&
              Object.keys(s.obj.spec.selector).length > 0 &&
              Array.isArray(s.obj.spec?.ports) &&
              s.obj.spec.ports.some((p: unknown) => isObj(p) && webhookPort(p)),
          )),
      );
    const labels = podLabels(wl);
    const reachable = serving.some((s) => mapSelectorMatches(s.obj.spec.selector, labels));
    if (reachableOnly && !reachable) continue;
    const product = RUNTIME_PRODUCTS.find((p) =>
      containersOf(wl).some((c) => typeof c.image === 'string' && p.image.test(c.image)),
    )?.what;
    const why = product ?? registersWebhooks(model, wl);
    if (why) out.push({ workload: wl, why, reachable });
  }
  return out;
}

/**
 * kyvernoVersion reads the Kyverno version a render installs into a namespace: the tag of its admission
 * controller image (`…/kyverno/kyverno:v1.11.4`), else an `app.kubernetes.io/version` label of the given
 * resource or of a workload there that reads as a Kyverno version (1.x; Kyverno's own chart puts its chart
 * version, 2.x or 3.x, there, which says nothing about the Kyverno it installs).
 */
export function kyvernoVersion(model: Model, ns: string, also: Resource[] = []): { minor: number; from: string } | undefined {
  const workloads = model.ofKind('Deployment', 'StatefulSet').filter((w) => model.namespaceOf(w) === ns);
  for (const wl of workloads)
    for (const c of containersOf(wl)) {
      const m = typeof c.image === 'string' ? /(?:^|\/)kyverno\/kyverno:v?1\.(\d+)(?:\.|$|-|@)/.exec(c.image) : null;
      if (m) return { minor: Number(m[1]), from: `image ${c.image} of ${wl.kind} ${wl.name}` };
    }
  for (const r of [...also, ...workloads]) {
    const v = labelsOf(r.obj.metadata?.labels)['app.kubernetes.io/version'];
    const m = v === undefined ? null : /^v?1\.(\d+)(\.|$|-)/.exec(v);
    if (m) return { minor: Number(m[1]), from: `app.kubernetes.io/version ${v} of ${r.kind} ${r.name}` };
  }
  return undefined;
}
