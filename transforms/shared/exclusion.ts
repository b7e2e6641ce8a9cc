// Shared by the transforms that keep webhooks out of namespaces: skip lists and NotIn exclusion plans.
import type { Model } from '../../src/model/model.js';
import type { Webhook } from '../../src/model/types.js';
import { listed } from './skip.js';
import {
  bareNamespaceLabels,
  NAME_LABEL,
  namesSelected,
  selectorMatches,
  type LabelSelector,
} from '../../src/model/selectors.js';

/** skipped tells whether a webhook is named in a skip list (`name` or `configuration/name`). */
export function skipped(w: Webhook, list: string[]): boolean {
  return listed(list, w.name, w.owner.name);
}

/** webhookNames are the names a skipWebhooks list can give the stream's webhooks, each with its configuration. */
export function webhookNames(model: Model): Array<[string, string]> {
  return model.webhooks().map((w) => [w.name, w.owner.name]);
}

/** ExclusionPlan says how to keep a namespaceSelector away from namespaces. */
export interface ExclusionPlan {
  /** Namespaces the selector matches when they carry only the name label, in the order asked. */
  missing: string[];
  /**
   * Namespaces the selector picks by name (`matchLabels` on the name label, or `In`: the same statement):
   * left alone, as someone meant them, and because excluding one could leave the selector matching nothing.
   */
  byName: string[];
  /** The edit, relative to the selector: the values of an existing `NotIn` on the name label, or the whole matchExpressions. */
  edit?: { path: Array<string | number>; value: unknown };
}

/**
 * planExclusion works out how to merge `kubernetes.io/metadata.name NotIn [...]` into a namespaceSelector
 * (a webhook's, or the one Kyverno copies into its webhooks) so it skips `targets`: it extends an existing
 * `NotIn` on that key, else appends an expression, and never touches matchLabels or other expressions.
 * It never plans an edit after which the selector could match no namespace at all.
 */
export function planExclusion(namespaceSelector: unknown, targets: string[]): ExclusionPlan {
  const selector = (namespaceSelector ?? null) as LabelSelector | null;
  const exprs = Array.isArray(selector?.matchExpressions) ? selector!.matchExpressions : [];
  // Expressions of the wrong shape (null, say) are skipped here; selectorMatches then matches nothing.
  const named = namesSelected(selector) ?? [];
  const plan: ExclusionPlan = { missing: [], byName: [] };
  for (const ns of targets) {
    if (!selectorMatches(selector, bareNamespaceLabels(ns))) continue;
    if (named.includes(ns)) plan.byName.push(ns);
    else plan.missing.push(ns);
  }
  if (!plan.missing.length) return plan;
  const at = exprs.findIndex((e) => e?.key === NAME_LABEL && e.operator === 'NotIn');
  let expressions: LabelSelector['matchExpressions'];
  if (at >= 0) {
    const values = [...(exprs[at].values ?? [])];
    const value = [...values, ...plan.missing.filter((ns) => !values.includes(ns))];
    plan.edit = { path: ['matchExpressions', at, 'values'], value };
    expressions = exprs.map((e, i) => (i === at ? { ...e, values: value } : e));
  } else {
    expressions = [...exprs, { key: NAME_LABEL, operator: 'NotIn', values: plan.missing }];
    plan.edit = { path: ['matchExpressions'], value: expressions };
  }
  // The promise, checked: an edit may narrow a selector, never leave it matching no namespace at all. The selector as
  // edited shares what the edit leaves (namesSelected only reads it).
  if (namesSelected({ ...(selector ?? {}), matchExpressions: expressions })?.length === 0) delete plan.edit;
  return plan;
}
