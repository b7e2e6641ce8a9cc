// Keeps each webhook away from its own backend's namespace and from kube-system, by the immutable name label.
import { NAME_LABEL, ruleCoversNamespaced } from '../src/model/selectors.js';
import type { Transform } from '../src/transform.js';
import { planExclusion, skipped } from './shared/exclusion.js';

/** ExcludeNamespacesConfig: options of exclude-namespaces. */
export interface ExcludeNamespacesConfig {
  /** Namespaces no webhook may intercept, besides each webhook's own backend namespace. Default: ["kube-system"]. */
  namespaces: string[];
  /** Webhooks to leave alone: `webhook-name` or `configuration-name/webhook-name`. Default: []. */
  skipWebhooks: string[];
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
      const plan = planExclusion(w.entry.namespaceSelector, targets);
      for (const ns of plan.byName) ctx.warn(w.owner, `webhook ${w.name} selects namespace ${ns} by name; left as it is`);
      if (!plan.edit) continue;
      const why =
        `a pre-created namespace carries only ${NAME_LABEL}, so the selector matched ${plan.missing.join(', ')}; ` +
        (own && plan.missing.includes(own)
          ? `a webhook that intercepts its own namespace can block the pods that ` +
            `serve it (Kubernetes: "Avoiding deadlocks in self-hosted webhooks")`
          : `intercepting kube-system can stop the control plane ` +
            `(Kubernetes: "Avoiding operating on the kube-system namespace")`);
      ctx.set(w.owner, [...w.path, 'namespaceSelector', ...plan.edit.path], plan.edit.value, why);
    }
  },
} satisfies Transform<ExcludeNamespacesConfig>;
