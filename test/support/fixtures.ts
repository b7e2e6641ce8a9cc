// Renders changed the way a chart's values would change them, shared by the transform and cluster tests.
import { lines } from './helpers.js';

/**
 * withCapsuleNodeWebhook adds Capsule 0.12's node webhook to its render, as the chart renders it with
 * webhooks.hooks.nodes.enabled=true (off by default): UPDATE on nodes, failurePolicy Fail.
 */
export function withCapsuleNodeWebhook(input: string): { text: string; nodeHook: string } {
  // The node webhook as the chart renders it with webhooks.hooks.nodes.enabled=true: UPDATE on nodes, Fail.
  const at = input.indexOf('\n---', input.indexOf('kind: ValidatingWebhookConfiguration')) + 1;
  const nodeHook = lines(
    '- name: nodes.projectcapsule.dev',
    '  admissionReviewVersions:',
    '    - v1',
    '  clientConfig:',
    '    service:',
    '      name: capsule-webhook-service',
    '      namespace: capsule-system',
    '      port: 443',
    '      path: /nodes',
    '  failurePolicy: Fail',
    '  matchPolicy: Exact',
    '  rules:',
    '    - apiGroups:',
    '        - ""',
    '      apiVersions:',
    '        - v1',
    '      operations:',
    '        - UPDATE',
    '      resources:',
    '        - nodes',
    '  sideEffects: None',
    '  timeoutSeconds: 30',
  );
  return { text: input.slice(0, at) + nodeHook + input.slice(at), nodeHook };
}
