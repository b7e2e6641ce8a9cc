// cluster-scoped-critical: a Fail webhook covers Nodes, CertificateSigningRequests, node Leases or Namespaces.
import { DOCS, type Finding, type Rule } from '../types.js';
import { listOf, webhookLabel } from '../describe.js';

/**
 * clusterScopedCritical reports Fail webhooks that intercept what nodes and the namespace lifecycle need:
 * Node registration and status, kubelet certificate requests and node heartbeats (error), and Namespace
 * creation, update or deletion (warning). A namespaceSelector has no effect on Nodes and CSRs.
 */
export const clusterScopedCritical = {
  id: 'cluster-scoped-critical',
  severity: 'error',
  title: 'A Fail webhook covers cluster-critical objects (Nodes, CSRs, node Leases, Namespaces)',
  docs: [DOCS.namespaceSelector, DOCS.limitScope, DOCS.matchConditions, DOCS.failOpen],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const w of ctx.admission.webhooks()) {
      if (w.type === 'conversion' || w.failurePolicy !== 'Fail') continue;
      const hits = ctx.admission.probeHits(w, ['node', 'csr', 'lease', 'namespace']);
      if (!hits.length) continue;
      const certain = hits.filter((h) => h.verdict.verdict === 'yes');
      const nodeLevel = certain.filter((h) => h.probe.area !== 'namespace');
      const severity = nodeLevel.length ? 'error' : 'warning';
      const shown = certain.length ? certain : hits;
      const areas = new Set(shown.map((h) => h.probe.area));
      const consequences = [
        ...(areas.has('node')
          ? ['kubelets cannot register or report status, so nodes go NotReady and their pods are evicted']
          : []),
        ...(areas.has('csr') ? ['kubelets cannot renew their certificates'] : []),
        ...(areas.has('lease') ? ['node heartbeats fail, so nodes go NotReady'] : []),
        ...(areas.has('namespace')
          ? [namespaceConsequence(shown.filter((h) => h.probe.area === 'namespace').map((h) => h.probe.request.operation))]
          : []),
      ];
      const unknown = certain.length ? '' : ` (unless ${hits[0].verdict.reason})`;
      const clusterScoped = areas.has('node') || areas.has('csr');
      out.push({
        id: 'cluster-scoped-critical',
        severity,
        resource: w.owner,
        path: [...w.path, 'rules'],
        message: `${webhookLabel(w)} intercepts ${listOf(
          shown.map((h) => h.probe.label),
          6,
        )}${unknown}. While its backend is down, ${listOf(consequences)}.`,
        why:
          (clusterScoped
            ? 'Nodes and CertificateSigningRequests are cluster-scoped: "If the object is a cluster scoped resource ' +
              'other than a Namespace, namespaceSelector has no effect", so no namespace exclusion protects them. '
            : 'A namespaceSelector filters Namespace objects by their own labels, ' +
              'but a new namespace always matches an exclusion-style selector. ') +
          "The Kubernetes documentation recommends limiting each webhook's scope (and not touching node " +
          'Leases), using matchConditions for fine-grained filtering, and letting mutating webhooks fail open.',
        docs: [DOCS.namespaceSelector, DOCS.limitScope, DOCS.matchConditions, DOCS.failOpen],
        fix: clusterScoped
          ? "Skip Node and CertificateSigningRequest objects and kubelets' requests with " +
            "matchConditions: webhook-guard's guard-cluster-scoped transform adds them " +
            '(Kubernetes 1.28+); for a mutating webhook, `--fail-open mutating` sets ' +
            'failurePolicy Ignore. Keep the backend highly available (webhook-replicas).'
          : areas.has('lease')
            ? "Exclude kube-node-lease by name: webhook-guard's exclude-namespaces with " +
              '`--exclude-namespace kube-node-lease`; keep the backend highly available (webhook-replicas).'
            : "Keep the backend highly available (webhook-guard's webhook-replicas transform), and for a mutating " +
              'webhook consider failurePolicy Ignore (`--fail-open mutating`), validating the final state instead.',
        transform: clusterScoped ? 'guard-cluster-scoped' : areas.has('lease') ? 'exclude-namespaces' : 'webhook-replicas',
      });
    }
    return out;
  },
} satisfies Rule;

// namespaceConsequence says what stops for namespaces, given the operations a webhook intercepts.
function namespaceConsequence(ops: string[]): string {
  const verbs = [
    ...(ops.includes('CREATE') ? ['created'] : []),
    ...(ops.includes('UPDATE') ? ['changed'] : []),
    ...(ops.includes('DELETE') ? ['deleted'] : []),
  ];
  return (
    `no namespace can be ` +
    `${listOf(verbs).replace(/ and /, ' or ')}${ops.includes('DELETE') ? ' (deleted ones stay Terminating)' : ''}`
  );
}
