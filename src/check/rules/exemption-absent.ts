// exemption-absent: a webhook exempts its own namespace through a label that the namespace does not carry.
import { neverDerive } from '../../model/protected-labels.js';
import { selectorMatches, type LabelSelector } from '../../model/selectors.js';
import type { Resource } from '../../model/types.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { optOutText, optOuts, webhookLabel } from '../describe.js';

/**
 * exemptionAbsent reports webhooks whose namespaceSelector would skip their backend's namespace only if it
 * carried a custom label (OpenKruise: `control-plane NotIn [openkruise]`), while that namespace does not
 * carry it: it is not in the input (so it is pre-created, with only kubernetes.io/metadata.name) or its
 * Namespace object lacks the label.
 */
export const exemptionAbsent = {
  id: 'exemption-absent',
  severity: 'warning',
  title: "A webhook's exemption for its own namespace relies on a label that namespace does not carry",
  docs: [DOCS.selfDeadlock, DOCS.namespaceSelector, DOCS.nameLabel],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const w of ctx.admission.webhooks()) {
      if (w.type === 'conversion' || !w.service) continue;
      const ns = w.service.namespace;
      // Only a webhook that can block what its backend needs wants its namespace exempted (the same model answer
      // label-namespaces and exclude-namespaces act on); an operator's custom resources there are its own.
      if (ctx.admission.blocksNeeds(w, ns).verdict === 'no') continue;
      const sel = w.entry.namespaceSelector as LabelSelector | null;
      const labels = ctx.admission.namespaceLabels(ns);
      if (!selectorMatches(sel, labels)) continue;
      // Which custom opt-out would exempt the namespace if it carried the label?
      const missing = optOuts(sel, true).filter(
        (o) => o.operator === 'NotIn' && o.values.length && !selectorMatches(sel, { ...labels, [o.key]: o.values[0] }),
      );
      if (!missing.length) continue;
      // Prefer a label webhook-guard may suggest; a security or mesh label is never suggested (NEVER_DERIVE).
      const o = missing.find((m) => !neverDerive(m.key)) ?? missing[0];
      const protectedLabel = neverDerive(o.key);
      const assumption = ctx.admission.assumption(ns);
      out.push({
        id: 'exemption-absent',
        severity: 'warning',
        resource: w.owner,
        path: [...w.path, 'namespaceSelector', 'matchExpressions', o.index],
        message:
          `${webhookLabel(w)} exempts namespaces labelled ${optOutText(o)}, ` +
          `which is how it would skip its own namespace ${ns}; ` +
          (assumption
            ? `but ${ns} is not in the input, so it is pre-created (helm install --create-namespace, ` +
              `or createNamespace=false) and carries only kubernetes.io/metadata.name.`
            : `but the Namespace ${ns} in the input${fromFile(ctx.admission.namespace(ns))} does not carry that label.`),
        why:
          'A namespace the chart does not render carries only the labels whoever created it ' +
          'gave it; the apiserver guarantees only kubernetes.io/metadata.name. The Kubernetes ' +
          'documentation recommends excluding the namespace where the webhook runs with a ' +
          'namespaceSelector, and that label makes the exclusion hold whoever created the namespace.',
        docs: [DOCS.selfDeadlock, DOCS.namespaceSelector, DOCS.nameLabel],
        fix: protectedLabel
          ? `Exclude it by name: webhook-guard's exclude-namespaces merges \`kubernetes.io/metadata.name NotIn [${ns}]\` ` +
            `into the namespaceSelector. Do not set ${o.key} on the namespace: it switches a security or mesh control ` +
            `off for every workload there, so label-namespaces never derives it.`
          : `Label the namespace (webhook-guard's label-namespaces prints \`kubectl ` +
            `label namespace ${ns} ${o.key}=${o.values[0]}\`, or emits the ` +
            `Namespace with --adopt-namespaces), or exclude it by name with ` +
            `exclude-namespaces (\`kubernetes.io/metadata.name NotIn [${ns}]\`).`,
        transform: protectedLabel ? 'exclude-namespaces' : 'label-namespaces',
        ...(assumption ? { assumptions: [assumption] } : {}),
      });
    }
    return out;
  },
} satisfies Rule;

// fromFile names the input a Namespace came from when check reads several (a live dump beside a new render).
function fromFile(r: Resource | undefined): string {
  const source = r?.doc.segment.source;
  return source && source !== '-' ? ` (${source})` : '';
}
