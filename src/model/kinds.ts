// Which kinds the model reads, and which are cluster-scoped: written once for transforms and check alike.

/** WORKLOAD_KINDS run the pods a webhook Service routes to. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/**
 * RBAC_KINDS tell what a workload's ServiceAccount may do: whether it registers webhooks or patches CRDs at
 * run time (it then serves webhooks the render does not show), and whether it writes anything but its own
 * certificate and leases (a webhook-only server, safe to run as several copies).
 */
export const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];

/** MODEL_KINDS are the kinds read fully; every other document passes through as bytes. */
export const MODEL_KINDS: ReadonlySet<string> = new Set([
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'Service',
  ...WORKLOAD_KINDS,
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Namespace',
  'List',
  // Capsule 0.13+ describes its webhooks here and creates them at run time.
  'CapsuleConfiguration',
  ...RBAC_KINDS,
]);

/** CLUSTER_KINDS are the cluster-scoped kinds the model meets: they have no namespace, whatever the stream says. */
export const CLUSTER_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CustomResourceDefinition',
  'CapsuleConfiguration',
  'ClusterRole',
  'ClusterRoleBinding',
]);
