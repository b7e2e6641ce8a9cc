// Hardens the webhooks Kyverno creates at run time, through the JSON its ConfigMap holds under `webhooks` and `matchConditions`.
import { editJson } from '../src/yaml/embedded-json.js';
import { isObj, labelsOf, type Resource } from '../src/model/types.js';
import { NAME_LABEL } from '../src/model/selectors.js';
import { kyvernoVersion } from '../src/model/workloads.js';
import type { Context, Transform } from '../src/transform.js';
import { planExclusion } from './shared/exclusion.js';
import { CONDITIONS, matchConditionsAvailable, mergeConditions, MAX_MATCH_CONDITIONS, whyOf } from './shared/conditions.js';

/** KyvernoConfigConfig: options of kyverno-config. */
export interface KyvernoConfigConfig {
  /** Namespaces Kyverno's webhooks must skip, besides the namespace Kyverno runs in. Default: ["kube-system"]. */
  namespaces: string[];
  /** Add matchConditions that skip Nodes and CertificateSigningRequests (Kubernetes 1.28+). Default: true. */
  matchConditions: boolean;
}

/**
 * isKyvernoConfig tells Kyverno's ConfigMap from others: its `resourceFilters` key, or its name or
 * `app.kubernetes.io/part-of` label together with a `webhooks` or `matchConditions` key.
 */
export function isKyvernoConfig(r: Resource): boolean {
  const data = r.obj.data;
  if (r.kind !== 'ConfigMap' || !isObj(data)) return false;
  if (typeof data.resourceFilters === 'string') return true;
  const named = r.name === 'kyverno' || labelsOf(r.obj.metadata?.labels)['app.kubernetes.io/part-of'] === 'kyverno';
  return named && (typeof data.webhooks === 'string' || typeof data.matchConditions === 'string');
}

/**
 * kyvernoConfig edits Kyverno's ConfigMap, whose values Kyverno copies into every resource webhook it
 * registers: `webhooks` (one selector object, or a list of them before Kyverno 1.13.1) gets
 * `kubernetes.io/metadata.name NotIn [<kyverno namespace>, kube-system]`, and `matchConditions` gets the
 * conditions that skip Nodes and CSRs. The JSON is edited in place, in its own style; a missing
 * `webhooks` key is only reported, as its shape depends on the Kyverno version.
 *
 * The principle: an edit is made only where the render shows the failure it prevents, and never where it
 * would switch off a function of the chart, change its behaviour under load, or open a window of outage
 * during the upgrade that applies it; where the render cannot tell, nothing changes and a warning says what
 * would be done and why. Here: `matchConditions` is read only by Kyverno 1.11 and later, so it is added only
 * where the render shows such a Kyverno (the admission controller's image tag, else an
 * `app.kubernetes.io/version` of 1.x); older or unknown versions get a warning instead of a report that
 * claims Nodes and CSRs are now skipped. The backends of the webhooks Kyverno registers get replicas and a
 * budget from webhook-replicas.
 */
export const kyvernoConfig = {
  name: 'kyverno-config',
  description: "exclude Kyverno's and kube-system's namespaces, and skip Nodes/CSRs, via Kyverno's ConfigMap",
  defaults: { namespaces: ['kube-system'], matchConditions: true },
  apply(model, config, ctx) {
    for (const r of model.ofKind('ConfigMap')) {
      if (!isKyvernoConfig(r)) continue;
      const targets = [...new Set([model.namespaceOf(r), ...config.namespaces])];
      excludeNamespaces(r, targets, ctx);
      if (config.matchConditions) addConditions(r, ctx, kyvernoVersion(model, model.namespaceOf(r), [r]));
    }
  },
} satisfies Transform<KyvernoConfigConfig>;

function excludeNamespaces(r: Resource, targets: string[], ctx: Context): void {
  const text = r.obj.data.webhooks;
  if (text === undefined) {
    const json = JSON.stringify({
      namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: targets }] },
    });
    ctx.warn(
      r,
      `data.webhooks is missing, so Kyverno's webhooks intercept ${targets.join(' and ')}; ` +
        `add webhooks: '${json}' (Kyverno 1.13.1+; a list of it before)`,
    );
    return;
  }
  const before = readJson(r, 'webhooks', ctx);
  if (before === undefined) return;
  if (!isObj(before) && !Array.isArray(before)) {
    ctx.warn(r, 'data.webhooks holds neither an object nor a list; left as it is');
    return;
  }
  const after = structuredClone(before);
  // Before 1.13.1 Kyverno read a list and used its first element; an empty list gets one.
  if (Array.isArray(after) && !after.length) after.push({});
  const entries: unknown[] = Array.isArray(after) ? after : [after];
  const missing = new Set<string>();
  for (const entry of entries) {
    if (!isObj(entry)) continue;
    const plan = planExclusion(entry.namespaceSelector, targets);
    for (const ns of plan.byName) ctx.warn(r, `data.webhooks selects namespace ${ns} by name; left as it is`);
    if (!plan.edit) continue;
    plan.missing.forEach((ns) => missing.add(ns));
    if (!isObj(entry.namespaceSelector)) entry.namespaceSelector = {};
    setIn(entry.namespaceSelector, plan.edit.path, plan.edit.value);
  }
  if (!missing.size) return;
  const why =
    `Kyverno copies data.webhooks into every webhook it registers, and its selector matched ${[...missing].join(', ')}: ` +
    `a Fail webhook that intercepts its own namespace or kube-system can block the pods ` +
    `that would serve it (Kubernetes: "Avoiding deadlocks in self-hosted webhooks")`;
  ctx.set(r, ['data', 'webhooks'], editJson(text, before, after), why);
}

function addConditions(r: Resource, ctx: Context, version: { minor: number; from: string } | undefined): void {
  const text = r.obj.data.matchConditions;
  const before = text === undefined ? [] : readJson(r, 'matchConditions', ctx);
  if (before === undefined) return;
  if (!Array.isArray(before)) {
    ctx.warn(r, 'data.matchConditions is not a list; left as it is');
    return;
  }
  const merged = mergeConditions(before, [CONDITIONS.nodes, CONDITIONS.csrs]);
  if (!merged.added.length) return;
  const names = merged.added.map((c) => c.name).join(', ');
  if (!matchConditionsAvailable(ctx.settings.kubeVersion)) {
    ctx.warn(
      r,
      `data.matchConditions: would add ${names}, but matchConditions need ` +
        `Kubernetes 1.28+ (target ${ctx.settings.kubeVersion}); left out`,
    );
    return;
  }
  // Kyverno reads data.matchConditions from 1.11 on; older Kyverno ignores the key, and the report would lie.
  if (!version || version.minor < 11) {
    ctx.warn(
      r,
      `data.matchConditions: would add ${names}, but Kyverno reads that key only from 1.11 on, and ` +
        (version
          ? `this render installs Kyverno 1.${version.minor} (${version.from}); left out`
          : `the render does not show which Kyverno it installs (no kyverno/kyverno image tag, no ` +
            `app.kubernetes.io/version 1.x); left out`),
    );
    return;
  }
  if ('tooMany' in merged) {
    ctx.warn(
      r,
      `data.matchConditions: would add ${names}, but it has ` +
        `${merged.tooMany} and the API allows ${MAX_MATCH_CONDITIONS}; left out`,
    );
    return;
  }
  const why =
    `Kyverno copies data.matchConditions into every webhook it registers (read from 1.11 on; this render installs ` +
    `Kyverno 1.${version.minor}: ${version.from}); ${whyOf(merged.added.map((c) => c.name))}. ` +
    `Kyverno policies on Nodes and CSRs no longer see those requests (Kyverno's ` +
    `own --excludeBootstrapResources does the same for its Fail webhooks only)`;
  // A new key is written the way Kyverno's chart writes it: compact JSON (Helm's toJson).
  ctx.set(
    r,
    ['data', 'matchConditions'],
    text === undefined ? JSON.stringify(merged.list) : editJson(text, before, merged.list),
    why,
  );
}

// readJson parses a data key, warning (and giving undefined) when it is not a JSON string.
function readJson(r: Resource, key: string, ctx: Context): unknown {
  const text = r.obj.data[key];
  if (typeof text === 'string') {
    try {
      return JSON.parse(text);
    } catch {
      // reported below
    }
  }
  ctx.warn(r, `data.${key} is not a JSON string; left as it is`);
  return undefined;
}

function setIn(root: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
}
