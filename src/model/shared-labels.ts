// Labels that many releases put on their pods: a Service selector made only of them reaches other releases' pods.

/**
 * SHARED_SELECTOR_LABELS are `key=value` pairs that scaffolding tools and common charts give every operator's
 * pods, so a webhook Service that selects only by them can reach another release's server: kubebuilder's and
 * operator-sdk's `control-plane=controller-manager` (Kueue, LeaderWorkerSet, OpenKruise, Capsule before 0.5…),
 * and generic component names. The configuration adds more (`tighten-service-selectors` `sharedLabels`).
 */
export const SHARED_SELECTOR_LABELS: readonly string[] = [
  'control-plane=controller-manager',
  'app.kubernetes.io/component=controller',
  'app.kubernetes.io/component=manager',
  'app.kubernetes.io/component=webhook',
  'app.kubernetes.io/name=controller-manager',
  'app=controller-manager',
  'app=webhook',
  'component=webhook',
];

/** sharedOnly says whether every label of a selector is shared by other releases (given as `key=value` or `key`). */
export function sharedOnly(selector: Record<string, string>, extra: readonly string[] = []): boolean {
  const shared = new Set([...SHARED_SELECTOR_LABELS, ...extra]);
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => shared.has(`${k}=${v}`) || shared.has(k));
}
