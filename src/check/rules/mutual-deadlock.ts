// mutual-deadlock: Fail webhooks whose backends' pods are intercepted by each other, in a cycle of any length.
import { graphOf, sourceName } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';

/**
 * mutualDeadlock reports each cycle of backends that block each other's pods: when they are down together
 * (a cluster restart, a zone outage) none of them can start, because each waits on a webhook of the next.
 */
export const mutualDeadlock = {
  id: 'mutual-deadlock',
  severity: 'error',
  title: "Fail webhooks intercept each other's backend pods (a dependency cycle)",
  docs: [DOCS.dependencyLoops, DOCS.selfDeadlock],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const cycle of graphOf(ctx.admission).cycles) {
      const first = cycle.walk[0];
      if (!first) continue;
      const steps = cycle.walk.map(
        (d) =>
          `${sourceName(d.from)}'s pods are intercepted by ${d.via.name} (${d.via.owner.kind} ${d.via.owner.name}, ` +
          `Fail${d.verdict === 'unknown' ? ', unless a matchCondition skips them' : ''}), served by ${sourceName(d.to)}`,
      );
      const namespaces = [...new Set(cycle.sources.map((s) => s.namespace))];
      const assumptions = namespaces.map((ns) => ctx.admission.assumption(ns)).filter((a): a is string => !!a);
      out.push({
        id: 'mutual-deadlock',
        severity: cycle.certain ? 'error' : 'warning',
        resource: first.via.owner,
        path: [...first.via.path, first.via.entry.namespaceSelector ? 'namespaceSelector' : 'rules'],
        message:
          `${steps.join('; ')}. When these ${cycle.sources.length} backends are down together (a cluster restart, ` +
          `an outage of the nodes they share), none can start: each one's pods wait on a webhook of the next.`,
        why:
          'The Kubernetes documentation warns of dependency loops: "Two webhooks ' +
          "check each other's Pods. If both webhooks become unavailable at the " +
          'same time, neither webhook can start." It recommends keeping webhooks ' +
          'from validating or mutating other webhooks by excluding their namespaces.',
        docs: [DOCS.dependencyLoops, DOCS.namespaceSelector],
        fix:
          namespaces.length === 1
            ? `Exclude ${namespaces[0]} from each of these webhooks: webhook-guard's exclude-namespaces ` +
              `transform adds each webhook's own backend namespace by kubernetes.io/metadata.name.`
            : `Exclude the backends' namespaces (${namespaces.join(', ')}) from ` +
              `these webhooks: run webhook-guard's exclude-namespaces with ` +
              `${namespaces.map((n) => `--exclude-namespace ${n}`).join(' ')} (or list them under ` +
              `exclude-namespaces.namespaces in the config), or skip the other backends' pods with an objectSelector.`,
        transform: 'exclude-namespaces',
        related: [...new Set([...cycle.walk.map((d) => d.via.owner), ...cycle.sources.map((s) => s.resource)])].filter(
          (r) => r !== first.via.owner,
        ),
        ...(assumptions.length ? { assumptions } : {}),
      });
    }
    return out;
  },
} satisfies Rule;
