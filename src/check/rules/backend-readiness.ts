// backend-readiness: a Fail webhook's backend has no readinessProbe, so calls reach it before it serves TLS.
import { podSpecOf } from '../../model/ports.js';
import { containersOf } from '../../model/workloads.js';
import { failBackends } from '../backends.js';
import { listOf, webhookLabel } from '../describe.js';
import { sourceName } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';

/**
 * backendReadiness: without a readinessProbe a pod is Ready, and in its Service's endpoints, as soon as its containers
 * start; a webhook server that still loads its certificate or its caches then refuses the API server's calls, and
 * a Fail webhook rejects what it intercepts during every start and rollout (the OpenKruise FAQ's advice).
 */
export const backendReadiness = {
  id: 'backend-readiness',
  severity: 'warning',
  title: "A Fail webhook's backend has no readinessProbe",
  docs: [DOCS.availability],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const [src, webhooks] of failBackends(ctx)) {
      if (src.kind === 'Pod' || !podSpecOf(src.resource)) continue;
      const containers = containersOf(src.resource);
      if (!containers.length || containers.some((c) => c.readinessProbe !== undefined)) continue;
      out.push({
        id: 'backend-readiness',
        severity: 'warning',
        resource: src.resource,
        path: ['spec', 'template', 'spec', 'containers'],
        message:
          `${sourceName(src)} serves ${listOf(webhooks.map(webhookLabel), 2)}, but none of its containers has a ` +
          'readinessProbe: each new pod receives webhook calls as soon as it starts, before its server answers.',
        why:
          'A pod without a readinessProbe is Ready, and an endpoint of its Service, once its containers run. Calls that ' +
          'reach a server still starting fail, and a Fail webhook rejects the requests they carry during every start ' +
          'and rollout.',
        docs: [DOCS.availability],
        fix:
          "Give the webhook server's container a readinessProbe on its health endpoint (controller-runtime serves " +
          '/readyz on its health port) in the chart values.',
      });
    }
    return out;
  },
} satisfies Rule;
