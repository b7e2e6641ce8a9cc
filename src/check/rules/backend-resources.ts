// backend-resources: a Fail webhook's backend without memory requests and limits, or limits below requests, or no
// priority class while its webhooks cover what nodes and kube-system need.
import { podSpecOf } from '../../model/ports.js';
import { containersOf } from '../../model/workloads.js';
import { isObj } from '../../model/types.js';
import { failBackends } from '../backends.js';
import { listOf, webhookLabel } from '../describe.js';
import { sourceName } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';

const SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** bytes reads a memory quantity (`128Mi`, `1G`, `1e9`, `500000`), or undefined when it is not one. */
export function bytes(q: unknown): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?(?:[eE][0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q ?? '').trim());
  return m ? Number(m[1]) * SUFFIX[m[2] ?? ''] : undefined;
}

/**
 * backendResources: Capsule's one replica was OOM-killed and took the cluster's nodes with it. A Fail webhook's backend
 * needs memory it is guaranteed (requests) and a bound it is killed at (limits) no lower than that; one whose
 * webhooks cover Node, node Lease, CSR or kube-system requests also needs a priority class, or the scheduler may
 * evict it first under pressure.
 */
export const backendResources = {
  id: 'backend-resources',
  severity: 'warning',
  title: "A Fail webhook's backend has no memory requests or limits, limits below requests, or no priority class",
  docs: [DOCS.availability],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const [src, webhooks] of failBackends(ctx)) {
      if (src.kind === 'Pod') continue;
      const spec = podSpecOf(src.resource);
      if (!spec) continue;
      const problems: string[] = [];
      containersOf(src.resource).forEach((c) => {
        const r = isObj(c.resources) ? c.resources : {};
        const request = bytes(isObj(r.requests) ? r.requests.memory : undefined);
        const limit = bytes(isObj(r.limits) ? r.limits.memory : undefined);
        const name = `container ${String(c.name ?? '?')}`;
        if (request === undefined && limit === undefined) problems.push(`${name} has no memory request or limit`);
        else if (request === undefined) problems.push(`${name} has no memory request`);
        else if (limit === undefined) problems.push(`${name} has no memory limit`);
        else if (limit < request) problems.push(`${name}'s memory limit is below its request`);
      });
      const critical = webhooks.filter((w) => ctx.admission.probeHits(w, ['node', 'lease', 'csr', 'kube-system']).length);
      if (critical.length && !spec.priorityClassName)
        problems.push(
          `it has no priorityClassName, while ${listOf(
            critical.map((w) => w.name),
            2,
          )} cover(s) what nodes and kube-system need`,
        );
      if (!problems.length) continue;
      out.push({
        id: 'backend-resources',
        severity: 'warning',
        resource: src.resource,
        path: ['spec', 'template', 'spec'],
        message: `${sourceName(src)} serves ${listOf(webhooks.map(webhookLabel), 2)}: ${problems.join('; ')}.`,
        why:
          'A backend killed for memory (OOM) or evicted under pressure takes every Fail webhook it serves down with it: ' +
          'what they intercept is rejected until it is back. A memory request reserves what it needs, a limit at or ' +
          'above the request keeps it from being killed below that; a priority class keeps it from being evicted first.',
        docs: [DOCS.availability],
        fix:
          'Set resources.requests.memory and resources.limits.memory (limit ≥ request) for its containers in the chart ' +
          'values, and where its webhooks cover nodes or kube-system a priorityClassName. system-cluster-critical is ' +
          'admitted only in kube-system unless a ResourceQuota with a PriorityClass scope allows it elsewhere; a ' +
          'priority class of your own with a high value works in any namespace, at the cost of evicting other pods first.',
      });
    }
    return out;
  },
} satisfies Rule;
