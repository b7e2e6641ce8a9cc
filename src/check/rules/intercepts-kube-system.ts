// intercepts-kube-system: a webhook intercepts, in kube-system, what the control plane and its add-ons need to run.
import type { Webhook } from '../../model/types.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { listOf, webhookLabel } from '../describe.js';

/**
 * interceptsKubeSystem reports webhooks that can block, in kube-system, what the control plane and its
 * add-ons need to start or keep serving: the BACKEND_NEEDS of src/model/backend-needs.ts, asked through
 * Admission.blocksNeeds, the same answer exclude-namespaces acts on (an operator's own custom resources
 * there are its business, and no longer listed). Error for a Fail webhook that certainly intercepts them,
 * warning when a matchCondition cannot be evaluated offline, info for an Ignore webhook (it cannot block
 * them while down; when up it can still reject or change them).
 */
export const interceptsKubeSystem = {
  id: 'intercepts-kube-system',
  severity: 'error',
  title: 'A webhook intercepts what the control plane needs in kube-system',
  docs: [DOCS.kubeSystem, DOCS.limitScope],
  run(_model, ctx) {
    const out: Finding[] = [];
    const assumption = ctx.admission.assumption('kube-system');
    const nsLabels = ctx.admission.namespaceLabels('kube-system');
    for (const w of ctx.admission.webhooks()) {
      if (w.type === 'conversion') continue;
      const ignore = w.failurePolicy === 'Ignore';
      // An Ignore webhook is asked what it intercepts, as if it failed closed.
      const asked: Webhook = ignore ? { ...w, failurePolicy: 'Fail' } : w;
      const v = ctx.admission.blocksNeeds(asked, 'kube-system', nsLabels, true);
      if (v.verdict === 'no') continue;
      const severity: Finding['severity'] = ignore ? 'info' : v.verdict === 'yes' ? 'error' : 'warning';
      const what = `${listOf(v.needs, 5)} in kube-system` + (v.verdict === 'unknown' ? ` (unless ${v.reason})` : '');
      out.push({
        id: 'intercepts-kube-system',
        severity,
        resource: w.owner,
        path: [...w.path, w.entry.namespaceSelector ? 'namespaceSelector' : 'rules'],
        message:
          `${webhookLabel(w)} intercepts ${what}` +
          (ignore
            ? ': it fails open, so it cannot block them while its backend is down; ' +
              'when up, it can reject or change control-plane objects.'
            : ': while its backend is down these requests are rejected, and the control plane and its add-ons stop recovering.'),
        why:
          'Accidentally mutating or rejecting requests in kube-system "may cause ' +
          'the control plane components to stop functioning"; the Kubernetes ' +
          'documentation recommends excluding kube-system with a namespaceSelector ' +
          'unless the webhook is meant to change control-plane behaviour.',
        docs: [DOCS.kubeSystem, DOCS.limitScope],
        fix: ignore
          ? "If it is not meant to act on the control plane, exclude kube-system in the chart's values; " +
            "webhook-guard's exclude-namespaces leaves Ignore webhooks alone unless its ignoreWebhooks option is set."
          : 'Exclude kube-system by the immutable kubernetes.io/metadata.name ' +
            "label: webhook-guard's exclude-namespaces transform " +
            'merges `kubernetes.io/metadata.name NotIn [kube-system]` into ' +
            'the namespaceSelector (kube-system is in its default list).',
        ...(ignore ? {} : { transform: 'exclude-namespaces' }),
        ...(assumption ? { assumptions: [assumption] } : {}),
      });
    }
    return out;
  },
} satisfies Rule;
