// Keeps each webhook away from its own backend's namespace and from kube-system, by the immutable name label.
import type { Webhook } from '../src/model.js';
import { bareNamespaceLabels, NAME_LABEL, ruleCoversNamespaced, selectorMatches, type LabelSelector } from '../src/selectors.js';
import type { Transform } from '../src/transform.js';

/** ExcludeNamespacesConfig: options of exclude-namespaces. */
export interface ExcludeNamespacesConfig {
  /** Namespaces no webhook may intercept, besides each webhook's own backend namespace. Default: ["kube-system"]. */
  namespaces: string[];
  /** Webhooks to leave alone: `webhook-name` or `configuration-name/webhook-name`. Default: []. */
  skipWebhooks: string[];
}

/** skipped tells whether a webhook is named in a skip list (`name` or `configuration/name`). */
export function skipped(w: Webhook, list: string[]): boolean {
  return list.includes(w.name) || list.includes(`${w.owner.name}/${w.name}`);
}

/**
 * excludeNamespaces merges `kubernetes.io/metadata.name NotIn [...]` into each webhook's namespaceSelector
 * so that a pre-created namespace (one that carries only that label) is never intercepted when it is
 * the webhook's backend namespace or a configured one. It leaves alone webhooks whose selector cannot
 * match such a namespace anyway, and those whose rules only cover cluster-scoped resources.
 */
export const excludeNamespaces = {
  name: 'exclude-namespaces',
  description: "exclude each webhook's own namespace and kube-system by the kubernetes.io/metadata.name label",
  defaults: { namespaces: ['kube-system'], skipWebhooks: [] },
  apply(model, config, ctx) {
    for (const w of model.webhooks()) {
      if (w.type === 'conversion' || skipped(w, config.skipWebhooks)) continue;
      const rules = Array.isArray(w.entry.rules) ? w.entry.rules : [];
      if (!rules.some((r) => ruleCoversNamespaced(r, model.scope))) continue;
      const own = w.service?.namespace;
      const targets = [...new Set([own, ...config.namespaces].filter((ns): ns is string => !!ns))];
      const selector = (w.entry.namespaceSelector ?? null) as LabelSelector | null;
      const exprs = Array.isArray(selector?.matchExpressions) ? selector!.matchExpressions : [];
      const named = exprs.filter((e) => e.key === NAME_LABEL && e.operator === 'In').flatMap((e) => e.values ?? []);
      const missing: string[] = [];
      for (const ns of targets) {
        if (!selectorMatches(selector, bareNamespaceLabels(ns))) continue;
        if (named.includes(ns)) {
          ctx.warn(w.owner, `webhook ${w.name} selects namespace ${ns} by name; left as it is`);
          continue;
        }
        missing.push(ns);
      }
      if (!missing.length) continue;
      const why =
        `a pre-created namespace carries only ${NAME_LABEL}, so the selector matched ${missing.join(', ')}; ` +
        (own && missing.includes(own)
          ? `a webhook that intercepts its own namespace can block the pods that serve it (Kubernetes: "Avoiding deadlocks in self-hosted webhooks")`
          : `intercepting kube-system can stop the control plane (Kubernetes: "Avoiding operating on the kube-system namespace")`);
      const at = exprs.findIndex((e) => e.key === NAME_LABEL && e.operator === 'NotIn');
      if (at >= 0) {
        const values = [...(exprs[at].values ?? [])];
        ctx.set(w.owner, [...w.path, 'namespaceSelector', 'matchExpressions', at, 'values'], [...values, ...missing.filter((ns) => !values.includes(ns))], why);
      } else {
        const expr = { key: NAME_LABEL, operator: 'NotIn', values: missing };
        ctx.set(w.owner, [...w.path, 'namespaceSelector', 'matchExpressions'], [...exprs, expr], why);
      }
    }
  },
} satisfies Transform<ExcludeNamespacesConfig>;
