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

/** ExclusionPlan says how to keep a namespaceSelector away from namespaces. */
export interface ExclusionPlan {
  /** Namespaces the selector matches when they carry only the name label, in the order asked. */
  missing: string[];
  /** Namespaces the selector picks by name (`In`): left alone, as someone meant them. */
  byName: string[];
  /** The edit, relative to the selector: the values of an existing `NotIn` on the name label, or the whole matchExpressions. */
  edit?: { path: Array<string | number>; value: unknown };
}

/**
 * planExclusion works out how to merge `kubernetes.io/metadata.name NotIn [...]` into a namespaceSelector
 * (a webhook's, or the one Kyverno copies into its webhooks) so it skips `targets`: it extends an existing
 * `NotIn` on that key, else appends an expression, and never touches matchLabels or other expressions.
 */
export function planExclusion(namespaceSelector: unknown, targets: string[]): ExclusionPlan {
  const selector = (namespaceSelector ?? null) as LabelSelector | null;
  const exprs = Array.isArray(selector?.matchExpressions) ? selector!.matchExpressions : [];
  // Expressions of the wrong shape (null, say) are skipped here; selectorMatches then matches nothing.
  const named = exprs.filter((e) => e?.key === NAME_LABEL && e.operator === 'In').flatMap((e) => e.values ?? []);
  const plan: ExclusionPlan = { missing: [], byName: [] };
  for (const ns of targets) {
    if (!selectorMatches(selector, bareNamespaceLabels(ns))) continue;
    if (named.includes(ns)) plan.byName.push(ns);
    else plan.missing.push(ns);
  }
  if (!plan.missing.length) return plan;
  const at = exprs.findIndex((e) => e?.key === NAME_LABEL && e.operator === 'NotIn');
  if (at >= 0) {
    const values = [...(exprs[at].values ?? [])];
    plan.edit = { path: ['matchExpressions', at, 'values'], value: [...values, ...plan.missing.filter((ns) => !values.includes(ns))] };
  } else {
    plan.edit = { path: ['matchExpressions'], value: [...exprs, { key: NAME_LABEL, operator: 'NotIn', values: plan.missing }] };
  }
  return plan;
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
          ? `a webhook that intercepts its own namespace can block the pods that serve it (Kubernetes: "Avoiding deadlocks in self-hosted webhooks")`
          : `intercepting kube-system can stop the control plane (Kubernetes: "Avoiding operating on the kube-system namespace")`);
      ctx.set(w.owner, [...w.path, 'namespaceSelector', ...plan.edit.path], plan.edit.value, why);
    }
  },
} satisfies Transform<ExcludeNamespacesConfig>;
