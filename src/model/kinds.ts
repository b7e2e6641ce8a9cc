// Which kinds the model reads, and which are cluster-scoped: written once for transforms and check alike.

/** WORKLOAD_KINDS run the pods a webhook Service routes to. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

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
]);

/** CLUSTER_KINDS are the cluster-scoped kinds the model meets: they have no namespace, whatever the stream says. */
export const CLUSTER_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CustomResourceDefinition',
  'CapsuleConfiguration',
]);
