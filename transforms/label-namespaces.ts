// Adds exempting labels to Namespace documents, or says how to label a namespace the chart does not create.
import { Admission } from '../src/model/admission.js';
import { neverDerive } from '../src/model/protected-labels.js';
import { labelsOf } from '../src/model/types.js';
import { NAME_LABEL } from '../src/model/selectors.js';
import type { Transform } from '../src/transform.js';

/** LabelNamespacesConfig: options of label-namespaces. */
export interface LabelNamespacesConfig {
  /** Labels to add, by namespace: `{kruise-system: {control-plane: openkruise}}`. Default: {}. */
  namespaceLabels: Record<string, Record<string, string>>;
  /**
   * Also add the labels that webhooks' own namespaceSelectors use to exempt their backend namespace, where the
   * webhook can block what its backend needs; never a label of NEVER_DERIVE (security and mesh domains). Default: true.
   */
  deriveFromWebhooks: boolean;
  /**
   * Emit a Namespace document for a namespace that is not in the stream (needs Helm's --take-ownership); never for the
   * cluster's own (default, kube-system, kube-public, kube-node-lease). Default: false.
   */
  adoptNamespaces: boolean;
}

/**
 * Do no harm (README): an edit is made only where the render shows the failure it prevents, never where it would
 * switch off a function of the chart; where the tool cannot tell, it changes nothing and says what it would do.
 *
 * labelNamespaces adds the configured labels, and those webhooks rely on to exempt their own namespace
 * (OpenKruise: `control-plane NotIn [openkruise]` → `control-plane=openkruise` on kruise-system), to the
 * Namespace documents in the stream. Existing labels win. A namespace that is not in the stream gets a
 * `kubectl label` command, or with adoptNamespaces a Namespace document kept on uninstall.
 * A label is derived only where the render shows the failure it prevents: the webhook fails closed and can
 * block what its backend needs (the same model answer exclude-namespaces uses). A label in a security or
 * mesh domain (NEVER_DERIVE in src/model/protected-labels.ts: Pod Security, Istio, Linkerd,
 * cert-manager.io/disable-validation, …) is never derived, emitted or suggested: it would switch that
 * control off for every workload of a namespace the chart may not own; the name-label exclusion covers it.
 */
export const labelNamespaces = {
  name: 'label-namespaces',
  description: 'add exempting labels (such as control-plane=openkruise) to namespaces',
  defaults: { namespaceLabels: {}, deriveFromWebhooks: true, adoptNamespaces: false },
  apply(model, config, ctx) {
    const wanted = new Map<string, Map<string, { value: string; why: string }>>();
    const want = (ns: string, key: string, value: string, why: string): void => {
      if (!wanted.has(ns)) wanted.set(ns, new Map());
      const labels = wanted.get(ns)!;
      if (!labels.has(key)) labels.set(key, { value, why });
    };
    for (const [ns, labels] of Object.entries(config.namespaceLabels)) {
      for (const [k, v] of Object.entries(labels)) want(ns, k, String(v), 'configured in namespaceLabels');
    }
    if (config.deriveFromWebhooks) {
      const admission = new Admission(model);
      for (const w of model.webhooks()) {
        const ns = w.service?.namespace;
        const exprs = w.entry.namespaceSelector?.matchExpressions;
        if (!ns || !Array.isArray(exprs) || w.type === 'conversion') continue;
        const candidates = exprs.filter(
          (e) => e?.operator === 'NotIn' && e.key !== NAME_LABEL && Array.isArray(e.values) && e.values.length,
        );
        if (!candidates.length || admission.blocksNeeds(w, ns).verdict !== 'yes') continue;
        for (const e of candidates) {
          if (neverDerive(String(e.key))) {
            ctx.note(
              w.owner,
              `webhook ${w.name} exempts namespaces labelled ${e.key}=${e.values[0]}; that label switches a security ` +
                `or mesh control off for every workload of a namespace, so it is never derived (exclude-namespaces ` +
                `excludes ${ns} by its name label instead)`,
              'exempting by a security or mesh label',
            );
            continue;
          }
          want(
            ns,
            String(e.key),
            String(e.values[0]),
            `webhook ${w.name} exempts namespaces labelled ${e.key}=${e.values[0]}, and its backend runs in ${ns}`,
          );
        }
      }
    }
    for (const [ns, labels] of wanted) {
      const r = model.namespaceResource(ns);
      if (r) {
        const current = labelsOf(r.obj.metadata?.labels);
        for (const [key, { value, why }] of labels) {
          if (current[key] === undefined) ctx.set(r, ['metadata', 'labels', key], value, why);
          else if (current[key] !== value) ctx.warn(r, `label ${key} is ${current[key]}, not ${value} (${why}); kept as it is`);
        }
        continue;
      }
      const entries = [...labels];
      const command = `kubectl label namespace ${ns} ${entries.map(([k, { value }]) => `${k}=${value}`).join(' ')}`;
      const whys = entries.map(([, { why }]) => why).join('; ');
      if (config.adoptNamespaces && CLUSTER_NAMESPACES.has(ns)) {
        ctx.warn(
          undefined,
          `namespace ${ns} is the cluster's own and is never adopted (Helm refuses to install over a namespace it does ` +
            `not own, and a release that owned it could delete it); label it before installing (${whys})`,
          command,
        );
      } else if (config.adoptNamespaces) {
        ctx.add(
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: {
              name: ns,
              labels: Object.fromEntries(entries.map(([k, { value }]) => [k, value])),
              annotations: { 'helm.sh/resource-policy': 'keep' },
            },
          },
          `namespace ${ns} is not in the stream (pre-created); adopting it carries the labels: ${whys}`,
          { first: true },
        );
      } else {
        ctx.warn(undefined, `namespace ${ns} is not in the stream; label it before installing (${whys})`, command);
      }
    }
  },
} satisfies Transform<LabelNamespacesConfig>;

// The namespaces every cluster creates for itself: no release may own them.
const CLUSTER_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
