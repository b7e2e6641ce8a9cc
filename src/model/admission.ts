// Simulated admission: which pods each webhook's backend runs, and which requests each webhook intercepts.
//
// Objects that several inputs define (the same chart rendered twice) count once: the last definition
// wins, as it would with `kubectl apply` in input order. Namespaces not in the input are assumed to
// carry only kubernetes.io/metadata.name, the one label the apiserver guarantees; every answer that
// rests on that says so through `assumption()`.
import { addTo, isObj, labelsOf, type Obj, type Resource, type Webhook } from './types.js';
import { WORKLOAD_KINDS } from './kinds.js';
import { type Model } from './model.js';
import { anyPod, blocksNeeds, needsKey, type NeedsVerdict, type Subjects } from './backend-needs.js';
import {
  mapSelectorMatches,
  NAME_LABEL,
  webhookIntercepts,
  type AdmissionRequest,
  type Interception,
  type Labels,
} from './selectors.js';

/** PodSource is something that creates pods: a workload, or (in a live dump) a Pod's owner or the Pod itself. */
export interface PodSource {
  /** `Kind/namespace/name`, unique. */
  key: string;
  /** The workload or Pod in the input. */
  resource: Resource;
  kind: string;
  namespace: string;
  name: string;
  /** Labels of the pods it creates (Service and objectSelector matching). */
  labels: Labels;
  /** The Pod CREATE request its controller sends. */
  create: AdmissionRequest;
  /** Live Pods in the input that belong to it. */
  pods: Resource[];
}

/** Probe is a request the control plane and nodes must be able to make: if a Fail webhook intercepts it, an outage spreads. */
export interface Probe {
  /** What the request is, for messages: `Node status updates from kubelets`. */
  label: string;
  /** Which class of object: cluster-scoped critical objects, kube-system, or everyday workloads. */
  area: 'node' | 'csr' | 'lease' | 'namespace' | 'kube-system' | 'everywhere';
  request: AdmissionRequest;
}

// The kinds whose values hold webhook entries (Kyverno's ConfigMap holds a copy of its webhooks' selectors).
const ENTRY_KINDS = [
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CapsuleConfiguration',
  'ConfigMap',
  'CustomResourceDefinition',
];
const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'];
const controller = (name: string) => ({ username: `system:serviceaccount:kube-system:${name}`, groups: SA_GROUPS });
const KUBELET = { username: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] };
const ADMIN = { username: 'cluster-admin', groups: ['system:masters', 'system:authenticated'] };
const CREATOR: Record<string, { username: string; groups: string[] }> = {
  Deployment: controller('replicaset-controller'),
  ReplicaSet: controller('replicaset-controller'),
  StatefulSet: controller('statefulset-controller'),
  DaemonSet: controller('daemon-set-controller'),
  Job: controller('job-controller'),
  ReplicationController: controller('replication-controller'),
};
// Labels the controllers add to the pods they create (values vary; only their presence can matter).
const CONTROLLER_LABELS: Record<string, Labels> = {
  Deployment: { 'pod-template-hash': 'hash' },
  StatefulSet: {
    'controller-revision-hash': 'hash',
    'statefulset.kubernetes.io/pod-name': 'pod-0',
    'apps.kubernetes.io/pod-index': '0',
  },
  DaemonSet: { 'controller-revision-hash': 'hash', 'pod-template-generation': '1' },
};

/** identity is how the cluster tells objects apart: kind, namespace (if any) and name. */
export function identity(model: Model, r: Resource, clusterScoped = false): string {
  return clusterScoped ? `${r.kind}/${r.name}` : `${r.kind}/${model.namespaceOf(r)}/${r.name}`;
}

/**
 * Admission answers the questions the rules ask, once per run: the webhooks and objects of the input
 * (each counted once), the pods each webhook's Service reaches, and which requests each webhook intercepts.
 */
export class Admission {
  private readonly memo = new Map<string, Interception>();
  private cache: {
    webhooks?: Webhook[];
    services?: Map<string, Resource>;
    namespaces?: Map<string, Resource>;
    sources?: PodSource[];
    sourcesIn?: Map<string, PodSource[]>;
    anyPods?: Map<string, Obj>;
    // By the backend's pod sources (the map itself standing for none), then by namespace.
    subjects?: Map<object, Map<string, Pick<Subjects, 'pods' | 'labels'>>>;
    selected?: Map<Resource, PodSource[]>;
    probes?: Probe[];
  } = {};

  constructor(readonly model: Model) {}

  /** latest keeps the last of several objects with the same identity. */
  private latest(kinds: string[], cluster = false): Map<string, Resource> {
    const out = new Map<string, Resource>();
    for (const r of this.model.ofKind(...kinds)) {
      const key = cluster ? `${r.kind}/${r.name}` : `${this.model.namespaceOf(r)}/${r.name}`;
      out.delete(key);
      out.set(key, r);
    }
    return out;
  }

  /**
   * webhooks lists every webhook of the input (admission webhooks, CRD conversion webhooks, and those the
   * model reads from runtime config objects), each owner counted once: the last definition wins.
   */
  webhooks(): Webhook[] {
    if (!this.cache.webhooks) {
      const all = this.model.servingWebhooks();
      const ownerKey = (w: Webhook) => `${w.owner.kind}/${w.owner.name}`;
      const last = new Map<string, Resource>();
      for (const w of all) last.set(ownerKey(w), w.owner);
      this.cache.webhooks = all.filter((w) => last.get(ownerKey(w)) === w.owner);
    }
    return this.cache.webhooks;
  }

  /** service finds a Service by namespace and name. */
  service(namespace: string, name: string): Resource | undefined {
    this.cache.services ??= this.latest(['Service']);
    return this.cache.services.get(`${namespace}/${name}`);
  }

  /** serviceOf is the Service a webhook calls, when the input has it: the model's answer (the last definition wins). */
  serviceOf(w: Webhook): Resource | undefined {
    return this.model.serviceOf(w);
  }

  /** namespace finds a Namespace object of the input. */
  namespace(name: string): Resource | undefined {
    this.cache.namespaces ??= this.latest(['Namespace'], true);
    return this.cache.namespaces.get(`Namespace/${name}`);
  }

  /** namespaceLabels are the labels a namespace carries: from its Namespace object, else only the name label. */
  namespaceLabels(name: string): Labels {
    const r = this.namespace(name);
    return { ...labelsOf(r?.obj.metadata?.labels), [NAME_LABEL]: name };
  }

  /** assumption says what was assumed about a namespace that is not in the input, or undefined when it is. */
  assumption(name: string): string | undefined {
    if (this.namespace(name)) return undefined;
    return (
      `namespace ${name} is not in the input; assumed to carry only ` +
      `${NAME_LABEL}=${name} (a pre-created or system namespace)`
    );
  }

  /** sources lists what creates pods: workloads, plus the owners of live Pods that no workload of the input accounts for. */
  sources(): PodSource[] {
    if (this.cache.sources) return this.cache.sources;
    const out = new Map<string, PodSource>();
    for (const r of this.latest(WORKLOAD_KINDS).values()) {
      const ns = this.model.namespaceOf(r);
      const key = `${r.kind}/${ns}/${r.name}`;
      const template = isObj(r.obj.spec?.template) ? r.obj.spec.template : {};
      const labels = labelsOf(template.metadata?.labels);
      const pod: Obj = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          namespace: ns,
          generateName: `${r.name}-`,
          labels: { ...labels, ...CONTROLLER_LABELS[r.kind] },
          ...(isObj(template.metadata?.annotations) ? { annotations: template.metadata.annotations } : {}),
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: r.kind === 'Deployment' ? 'ReplicaSet' : r.kind, name: r.name, controller: true },
          ],
        },
        spec: isObj(template.spec) ? template.spec : {},
      };
      out.set(key, {
        key,
        resource: r,
        kind: r.kind,
        namespace: ns,
        name: r.name,
        labels,
        create: this.podCreate(ns, pod, CREATOR[r.kind]),
        pods: [],
      });
    }
    for (const p of this.latest(['Pod']).values()) {
      const ns = this.model.namespaceOf(p);
      const labels = labelsOf(p.obj.metadata?.labels);
      const owner = (Array.isArray(p.obj.metadata?.ownerReferences) ? p.obj.metadata.ownerReferences : []).find(
        (o: Obj) => isObj(o) && o.controller,
      ) as Obj | undefined;
      let key = `Pod/${ns}/${p.name}`;
      let kind = 'Pod';
      let name = p.name;
      if (owner && owner.kind !== 'Node') {
        kind = String(owner.kind);
        name = String(owner.name);
        const hash = labels['pod-template-hash'];
        if (
          kind === 'ReplicaSet' &&
          hash &&
          name.endsWith(`-${hash}`) &&
          out.has(`Deployment/${ns}/${name.slice(0, -hash.length - 1)}`)
        ) {
          kind = 'Deployment';
          name = name.slice(0, -hash.length - 1);
        }
        key = `${kind}/${ns}/${name}`;
      }
      const existing = out.get(key);
      if (existing) {
        existing.pods.push(p);
        continue;
      }
      const mirror = isObj(p.obj.metadata?.annotations) && 'kubernetes.io/config.mirror' in p.obj.metadata.annotations;
      const creator = mirror ? { ...KUBELET, username: `system:node:${p.obj.spec?.nodeName ?? 'node-1'}` } : CREATOR[kind];
      out.set(key, {
        key,
        resource: p,
        kind,
        namespace: ns,
        name,
        labels,
        create: this.podCreate(ns, p.obj, creator),
        pods: [p],
      });
    }
    this.cache.sources = [...out.values()];
    return this.cache.sources;
  }

  /** source finds the pod source a workload or Pod belongs to. */
  source(r: Resource): PodSource | undefined {
    return this.sources().find((s) => s.resource === r || s.pods.includes(r));
  }

  /** selected lists the pod sources whose pods a Service's selector matches (an empty selector selects none). */
  selected(service: Resource): PodSource[] {
    this.cache.selected ??= new Map();
    let out = this.cache.selected.get(service);
    if (!out) {
      const ns = this.model.namespaceOf(service);
      const selector = service.obj.spec?.selector;
      out = this.sourcesIn(ns).filter(
        (s) =>
          mapSelectorMatches(selector, s.labels) ||
          s.pods.some((p) => mapSelectorMatches(selector, labelsOf(p.obj.metadata?.labels))),
      );
      this.cache.selected.set(service, out);
    }
    return out;
  }

  /** backends lists the pod sources that serve a webhook: those its Service selects. */
  backends(w: Webhook): PodSource[] {
    const svc = this.serviceOf(w);
    return svc ? this.selected(svc) : [];
  }

  /** servedBy lists the webhooks whose backends include a pod source. */
  servedBy(source: PodSource): Webhook[] {
    return this.webhooks().filter((w) => this.backends(w).includes(source));
  }

  // anyPod is the one stand-in for an unlabelled pod of a namespace: asked about for every webhook, and read only.
  private anyPod(ns: string): Obj {
    this.cache.anyPods ??= new Map();
    let pod = this.cache.anyPods.get(ns);
    if (!pod) this.cache.anyPods.set(ns, (pod = anyPod(ns)));
    return pod;
  }

  // sourcesIn lists the pod sources of a namespace, in the order of sources(): grouped once, since a stream of many
  // releases asks about as many namespaces (and Services) as it has sources.
  private sourcesIn(ns: string): PodSource[] {
    if (!this.cache.sourcesIn) {
      const byNs = new Map<string, PodSource[]>();
      for (const s of this.sources()) addTo(byNs, s.namespace, s);
      this.cache.sourcesIn = byNs;
    }
    return this.cache.sourcesIn.get(ns) ?? [];
  }

  /** podCreate is the request a pod's creation sends, in its namespace. */
  podCreate(namespace: string, pod: Obj, userInfo?: { username: string; groups: string[] }): AdmissionRequest {
    return {
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      operation: 'CREATE',
      namespaced: true,
      namespace,
      name: String(pod.metadata?.name ?? ''),
      namespaceLabels: this.namespaceLabels(namespace),
      object: pod,
      oldObject: null,
      userInfo,
    };
  }

  /** intercepts decides whether a webhook intercepts a request (memoised per webhook and request). */
  intercepts(w: Webhook, req: AdmissionRequest): Interception {
    if (w.type === 'conversion') return { verdict: 'no', reason: 'conversion webhook' };
    const object = req.object === null ? 0 : this.objectId(req.object);
    const request = [req.group, req.resource, req.subresource, req.operation, req.namespace, req.name, req.kind, object];
    const key = `${this.webhooks().indexOf(w)}|${JSON.stringify(request)}`;
    let out = this.memo.get(key);
    if (!out) {
      out = webhookIntercepts({ ...w.entry, failurePolicy: w.failurePolicy }, req);
      this.memo.set(key, out);
    }
    return out;
  }

  private readonly objectIds = new WeakMap<object, number>();
  private nextObjectId = 0;
  // objectId numbers request objects, so the memo tells two pods with the same name apart.
  private objectId(o: object | undefined): number {
    if (!o) return -1;
    let id = this.objectIds.get(o);
    if (id === undefined) this.objectIds.set(o, (id = this.nextObjectId++));
    return id;
  }

  /** interceptsPods tells whether a webhook intercepts the creation of a pod source's pods. */
  interceptsPods(w: Webhook, source: PodSource): Interception {
    return this.intercepts(w, source.create);
  }

  /**
   * blocksNeeds decides whether a webhook can block what a backend needs in namespace `ns` (BACKEND_NEEDS).
   * In the webhook's own backend namespace the subjects are its backend's pods (so an opt-in objectSelector
   * they do not satisfy cannot deadlock it); elsewhere (kube-system, a configured namespace) they are any
   * unlabelled pod and the pods the input runs there. `namespaceLabels` undefined leaves the namespaceSelector
   * to the caller; `anyone` asks about every pod of `ns` even when it is the backend's namespace (kube-system
   * holds a backend and the control plane's add-ons). exclude-namespaces and label-namespaces ask this, and
   * so do the check rules.
   */
  blocksNeeds(w: Webhook, ns: string, namespaceLabels?: Labels, anyone = false): NeedsVerdict {
    if (w.type === 'conversion') return { verdict: 'no', needs: [], reason: 'rules' };
    const backendNs = !anyone && w.service?.namespace === ns;
    // Each webhook is asked about several namespaces: what the answer depends on of its entry is worked out once, until
    // the values of a resource that holds webhooks change.
    const keys = this.model.remembered('needs keys', ENTRY_KINDS, () => new WeakMap<object, string>());
    let key = keys.get(w.entry);
    if (key === undefined) keys.set(w.entry, (key = needsKey(w.entry)));
    return blocksNeeds(
      w.entry,
      w.failurePolicy,
      ns,
      { ...this.subjects(backendNs ? this.backends(w) : undefined, ns), namespaceLabels },
      key,
    );
  }

  // subjects are the pods and label sets blocksNeeds asks about in `ns`: those of the backend (`backends`) there, else
  // any pod and the pods the input runs there. Every webhook of a backend (or of none there) gets the same lists, so
  // blocksNeeds works out what it keys on them once (see its `alike`).
  private subjects(backends: PodSource[] | undefined, ns: string): Pick<Subjects, 'pods' | 'labels'> {
    const cache = (this.cache.subjects ??= new Map());
    const key = backends ?? cache;
    let byNs = cache.get(key);
    if (!byNs) cache.set(key, (byNs = new Map()));
    let found = byNs.get(ns);
    if (!found) {
      const own = backends ? backends.filter((s) => s.namespace === ns) : [];
      const others = backends ? [] : this.sourcesIn(ns);
      const pods = own.length ? own.map((s) => s.create.object!) : [this.anyPod(ns), ...others.map((s) => s.create.object!)];
      byNs.set(ns, (found = { pods, labels: [{}, ...own.map((s) => s.labels)] }));
    }
    return found;
  }

  /**
   * probes are the requests that must never wait on a dead webhook: node registration and status, kubelet certificates and
   * leases, namespaces, kube-system, and everyday workloads.
   */
  probes(): Probe[] {
    if (this.cache.probes) return this.cache.probes;
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux' } },
    };
    const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [NAME_LABEL]: name } } });
    const req = (r: Partial<AdmissionRequest> & Pick<AdmissionRequest, 'resource' | 'kind' | 'operation'>): AdmissionRequest => {
      const namespaced = r.namespaced ?? true;
      const namespace = namespaced ? (r.namespace ?? 'kube-system') : undefined;
      return {
        group: '',
        version: 'v1',
        namespaced,
        ...r,
        namespace,
        namespaceLabels: namespace ? this.namespaceLabels(namespace) : undefined,
        object:
          r.object === undefined
            ? r.operation === 'DELETE'
              ? null
              : { apiVersion: 'v1', kind: r.kind, metadata: { name: r.name ?? 'x', namespace } }
            : r.object,
        oldObject: r.oldObject ?? null,
      };
    };
    const pod = (namespace: string, labels: Labels, annotations?: Labels) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace, generateName: 'x-', labels, ...(annotations ? { annotations } : {}) },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    const apps = (kind: string, resource: string, namespace: string) =>
      req({
        group: 'apps',
        resource,
        kind,
        operation: 'CREATE',
        namespace,
        userInfo: ADMIN,
        object: {
          apiVersion: 'apps/v1',
          kind,
          metadata: { name: 'x', namespace, labels: { app: 'x' } },
          spec: { template: { metadata: { labels: { app: 'x' } } } },
        },
      });
    this.cache.probes = [
      {
        area: 'node',
        label: 'Node registration (Node CREATE by kubelets)',
        request: req({
          resource: 'nodes',
          kind: 'Node',
          operation: 'CREATE',
          namespaced: false,
          name: 'node-1',
          object: node,
          userInfo: KUBELET,
        }),
      },
      ...[
        { label: 'Node updates from kubelets (Node UPDATE)', subresource: '' },
        { label: 'Node status updates from kubelets (nodes/status)', subresource: 'status' },
      ].map(({ label, subresource }) => ({
        area: 'node' as const,
        label,
        request: req({
          resource: 'nodes',
          ...(subresource ? { subresource } : {}),
          kind: 'Node',
          operation: 'UPDATE',
          namespaced: false,
          name: 'node-1',
          object: node,
          oldObject: node,
          userInfo: KUBELET,
        }),
      })),
      {
        area: 'csr',
        label: 'kubelet certificate requests (CertificateSigningRequest CREATE)',
        request: req({
          group: 'certificates.k8s.io',
          resource: 'certificatesigningrequests',
          kind: 'CertificateSigningRequest',
          operation: 'CREATE',
          namespaced: false,
          name: 'csr-1',
          userInfo: KUBELET,
          object: {
            apiVersion: 'certificates.k8s.io/v1',
            kind: 'CertificateSigningRequest',
            metadata: { name: 'csr-1' },
            spec: {
              signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
              username: KUBELET.username,
              groups: KUBELET.groups,
            },
          },
        }),
      },
      {
        area: 'lease',
        label: 'node heartbeats (Lease UPDATE in kube-node-lease)',
        request: req({
          group: 'coordination.k8s.io',
          resource: 'leases',
          kind: 'Lease',
          operation: 'UPDATE',
          namespace: 'kube-node-lease',
          name: 'node-1',
          userInfo: KUBELET,
          object: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: 'node-1', namespace: 'kube-node-lease' },
          },
          oldObject: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: 'node-1', namespace: 'kube-node-lease' },
          },
        }),
      },
      {
        area: 'namespace',
        label: 'namespace creation (Namespace CREATE)',
        request: req({
          resource: 'namespaces',
          kind: 'Namespace',
          operation: 'CREATE',
          namespaced: false,
          name: 'new-namespace',
          object: ns('new-namespace'),
          userInfo: ADMIN,
        }),
      },
      {
        area: 'namespace',
        label: 'namespace updates (Namespace UPDATE)',
        request: req({
          resource: 'namespaces',
          kind: 'Namespace',
          operation: 'UPDATE',
          namespaced: false,
          name: 'new-namespace',
          object: ns('new-namespace'),
          oldObject: ns('new-namespace'),
          userInfo: ADMIN,
        }),
      },
      {
        area: 'namespace',
        label: 'namespace deletion (Namespace DELETE)',
        request: req({
          resource: 'namespaces',
          kind: 'Namespace',
          operation: 'DELETE',
          namespaced: false,
          name: 'new-namespace',
          object: null,
          oldObject: ns('new-namespace'),
          userInfo: ADMIN,
        }),
      },
      {
        area: 'kube-system',
        label: 'pod creation in kube-system (CoreDNS, CNI and other add-ons)',
        request: req({
          resource: 'pods',
          kind: 'Pod',
          operation: 'CREATE',
          object: pod('kube-system', { 'k8s-app': 'kube-dns' }),
          userInfo: controller('replicaset-controller'),
        }),
      },
      {
        area: 'kube-system',
        label: 'mirror pods of static control-plane pods in kube-system',
        request: req({
          resource: 'pods',
          kind: 'Pod',
          operation: 'CREATE',
          object: pod(
            'kube-system',
            { component: 'kube-controller-manager', tier: 'control-plane' },
            { 'kubernetes.io/config.mirror': 'hash' },
          ),
          userInfo: KUBELET,
        }),
      },
      {
        area: 'kube-system',
        label: 'leader-election Leases in kube-system',
        request: req({
          group: 'coordination.k8s.io',
          resource: 'leases',
          kind: 'Lease',
          operation: 'UPDATE',
          userInfo: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
        }),
      },
      {
        area: 'kube-system',
        label: 'ConfigMaps in kube-system',
        request: req({ resource: 'configmaps', kind: 'ConfigMap', operation: 'UPDATE', userInfo: ADMIN }),
      },
      {
        area: 'kube-system',
        label: 'Endpoints and EndpointSlices in kube-system',
        request: req({
          group: 'discovery.k8s.io',
          resource: 'endpointslices',
          kind: 'EndpointSlice',
          operation: 'UPDATE',
          userInfo: controller('endpointslice-controller'),
        }),
      },
      {
        area: 'kube-system',
        label: 'Endpoints in kube-system',
        request: req({
          resource: 'endpoints',
          kind: 'Endpoints',
          operation: 'UPDATE',
          userInfo: controller('endpoint-controller'),
        }),
      },
      {
        area: 'kube-system',
        label: 'Services in kube-system',
        request: req({ resource: 'services', kind: 'Service', operation: 'UPDATE', userInfo: ADMIN }),
      },
      {
        area: 'kube-system',
        label: 'Secrets in kube-system',
        request: req({ resource: 'secrets', kind: 'Secret', operation: 'CREATE', userInfo: ADMIN }),
      },
      {
        area: 'kube-system',
        label: 'ServiceAccounts in kube-system',
        request: req({ resource: 'serviceaccounts', kind: 'ServiceAccount', operation: 'CREATE', userInfo: ADMIN }),
      },
      {
        area: 'kube-system',
        label: 'DaemonSets and Deployments in kube-system',
        request: apps('DaemonSet', 'daemonsets', 'kube-system'),
      },
      {
        area: 'kube-system',
        label: 'ReplicaSets in kube-system',
        request: req({
          group: 'apps',
          resource: 'replicasets',
          kind: 'ReplicaSet',
          operation: 'CREATE',
          userInfo: controller('deployment-controller'),
          object: {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: { name: 'x', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
          },
        }),
      },
      {
        area: 'everywhere',
        label: 'pod creation in every namespace',
        request: req({
          resource: 'pods',
          kind: 'Pod',
          operation: 'CREATE',
          namespace: 'default',
          object: pod('default', { app: 'x' }),
          userInfo: controller('replicaset-controller'),
        }),
      },
      {
        area: 'everywhere',
        label: 'Deployment creation in every namespace',
        request: apps('Deployment', 'deployments', 'default'),
      },
      {
        area: 'everywhere',
        label: 'ReplicaSet creation in every namespace (every rollout)',
        request: req({
          group: 'apps',
          resource: 'replicasets',
          kind: 'ReplicaSet',
          operation: 'CREATE',
          namespace: 'default',
          userInfo: controller('deployment-controller'),
          object: {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: { name: 'x', namespace: 'default', labels: { app: 'x' } },
          },
        }),
      },
    ];
    return this.cache.probes;
  }

  /** probeHits lists the probes a webhook intercepts (verdict yes or unknown), optionally of some areas only. */
  probeHits(w: Webhook, areas?: Array<Probe['area']>): Array<{ probe: Probe; verdict: Interception }> {
    const out: Array<{ probe: Probe; verdict: Interception }> = [];
    for (const probe of this.probes()) {
      if (areas && !areas.includes(probe.area)) continue;
      const verdict = this.intercepts(w, probe.request);
      if (verdict.verdict !== 'no') out.push({ probe, verdict });
    }
    return out;
  }

  /**
   * blastRadius says what an outage of a Fail webhook stops beyond its own objects: cluster-scoped critical
   * objects, kube-system, or everyday workloads in every namespace. Empty for Ignore webhooks.
   */
  blastRadius(w: Webhook): string[] {
    if (w.failurePolicy !== 'Fail' || w.type === 'conversion') return [];
    return [
      ...new Set(
        this.probeHits(w)
          .filter((h) => h.verdict.verdict === 'yes')
          .map((h) => h.probe.label),
      ),
    ];
  }
}
