// intercepts-kube-system: a webhook intercepts objects in kube-system, where the control plane's own pods and leases live.
import {
  builtinScope,
  ruleCoversNamespaced,
  selectorMatches,
  type LabelSelector,
  type Rule as ApiRule,
} from '../../model/selectors.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { listOf, webhookLabel } from '../describe.js';

/**
 * interceptsKubeSystem reports webhooks whose selectors match kube-system: a Fail webhook that intercepts
 * its pods, mirror pods, leases or endpoints (error), or any other namespaced resource there (warning);
 * an Ignore webhook that intercepts those control-plane requests can still reject or mutate them (warning).
 */
export const interceptsKubeSystem = {
  id: 'intercepts-kube-system',
  severity: 'error',
  title: 'A webhook intercepts requests in kube-system',
  docs: [DOCS.kubeSystem, DOCS.limitScope],
  run(model, ctx) {
    const out: Finding[] = [];
    const assumption = ctx.admission.assumption('kube-system');
    const nsLabels = ctx.admission.namespaceLabels('kube-system');
    for (const w of ctx.admission.webhooks()) {
      if (w.type === 'conversion') continue;
      const hits = ctx.admission.probeHits(w, ['kube-system']);
      const certain = hits.filter((h) => h.verdict.verdict === 'yes');
      let severity: Finding['severity'] | undefined;
      let what: string;
      let controlPlane = true;
      if (hits.length) {
        severity = w.failurePolicy === 'Fail' && certain.length ? 'error' : 'warning';
        what =
          listOf(
            (certain.length ? certain : hits).map((h) => h.probe.label),
            5,
          ) + (certain.length ? '' : ` (unless ${hits[0].verdict.reason})`);
      } else {
        // Nothing critical matched: does it still cover some namespaced resource in kube-system?
        if (w.failurePolicy !== 'Fail' || (Array.isArray(w.entry.matchConditions) && w.entry.matchConditions.length)) continue;
        if (!selectorMatches(w.entry.namespaceSelector as LabelSelector | null, nsLabels)) continue;
        if (!selectorMatches(w.entry.objectSelector as LabelSelector | null, {})) continue;
        // Only built-in resources count: an operator's own custom resources in kube-system are its business.
        const rules = (Array.isArray(w.entry.rules) ? w.entry.rules : []) as ApiRule[];
        const covered = rules
          .filter((r) => r && ruleCoversNamespaced(r, model.scope))
          .flatMap((r) => {
            const groups = (r.apiGroups ?? []).filter((g) => g === '*' || builtinScope(g, '*') !== undefined);
            // A resource that is cluster-scoped in any of the rule's groups (nodes, CSRs, namespaces) is not in kube-system.
            const resources = (r.resources ?? []).map(String).filter((res) => {
              const base = res.split('/')[0];
              return base !== 'namespaces' && !['', ...groups].some((g) => builtinScope(g === '*' ? '' : g, base) === true);
            });
            return resources.map((res) =>
              groups.length === 1 && groups[0] !== '' && groups[0] !== '*' ? `${res}.${groups[0]}` : res,
            );
          });
        if (!covered.length) continue;
        severity = 'warning';
        what = `${listOf(covered, 5)} in kube-system`;
        controlPlane = false;
      }
      out.push({
        id: 'intercepts-kube-system',
        severity,
        resource: w.owner,
        path: [...w.path, w.entry.namespaceSelector ? 'namespaceSelector' : 'rules'],
        message:
          `${webhookLabel(w)} intercepts ${what}` +
          (!controlPlane
            ? ': while its backend is down, these requests are rejected ' +
              'in the namespace of the control plane and its add-ons too.'
            : w.failurePolicy === 'Fail'
              ? ': while its backend is down these requests are rejected, and the control plane and its add-ons stop recovering.'
              : ': when up, it can reject or change control-plane objects.'),
        why:
          'Accidentally mutating or rejecting requests in kube-system "may cause ' +
          'the control plane components to stop functioning"; the Kubernetes ' +
          'documentation recommends excluding kube-system with a namespaceSelector ' +
          'unless the webhook is meant to change control-plane behaviour.',
        docs: [DOCS.kubeSystem, DOCS.limitScope],
        fix:
          'Exclude kube-system by the immutable kubernetes.io/metadata.name ' +
          "label: webhook-guard's exclude-namespaces transform " +
          'merges `kubernetes.io/metadata.name NotIn [kube-system]` into ' +
          'the namespaceSelector (kube-system is in its default list).',
        transform: 'exclude-namespaces',
        ...(assumption ? { assumptions: [assumption] } : {}),
      });
    }
    return out;
  },
} satisfies Rule;
