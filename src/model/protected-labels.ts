// Namespace labels in security and mesh domains: a tool must never set them on a namespace it does not own.

/**
 * NEVER_DERIVE lists label keys (exact, or `prefix/*` for a whole domain, `*.domain/*` for its subdomains
 * too) that switch a security control or a mesh off or on for every workload of a namespace. A webhook
 * selector that names one (`pod-security.kubernetes.io/enforce NotIn [privileged]`, `istio-injection NotIn
 * [disabled]`, `cert-manager.io/disable-validation NotIn [true]`) says which namespaces its product skips;
 * copying it onto a namespace would weaken Pod Security, policy or injection there. The name-label exclusion
 * (exclude-namespaces) covers the backend's namespace instead.
 */
export const NEVER_DERIVE: readonly string[] = [
  'pod-security.kubernetes.io/*', // Pod Security admission: enforce/audit/warn levels and versions
  'security.openshift.io/*', // OpenShift SCC and Pod Security label synchronisation
  'openshift.io/run-level', // OpenShift: run-level namespaces skip admission
  'istio-injection', // Istio sidecar injection by namespace
  'istio.io/*', // Istio revision (istio.io/rev) and dataplane mode
  '*.istio.io/*', // sidecar.istio.io/inject and the other Istio domains
  'linkerd.io/*', // Linkerd injection (linkerd.io/inject)
  '*.linkerd.io/*', // config.linkerd.io/* proxy settings
  'kuma.io/*', // Kuma/Kong mesh sidecar injection
  'cert-manager.io/disable-validation', // switches cert-manager's validation off in the namespace
  'admission.gatekeeper.sh/ignore', // Gatekeeper skips the namespace
  'control-plane.kyverno.io/*', // Kyverno's own markers
  'policy.sigstore.dev/include', // Sigstore policy-controller opt-in
  'elbv2.k8s.aws/pod-readiness-gate-inject', // AWS load balancer readiness gates
];

/** neverDerive tells whether a label key is in NEVER_DERIVE. */
export function neverDerive(key: string): boolean {
  const slash = key.indexOf('/');
  const domain = slash >= 0 ? key.slice(0, slash) : '';
  return NEVER_DERIVE.some((p) => {
    if (!p.endsWith('/*')) return p === key;
    const d = p.slice(0, -2);
    if (d.startsWith('*.')) return domain.endsWith(d.slice(1));
    return domain === d;
  });
}
