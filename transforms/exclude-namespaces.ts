// Keeps a webhook that can block what its backend (or the control plane) needs away from that namespace, by the name label.
import { Admission } from '../src/model/admission.js';
import { type NeedsVerdict } from '../src/model/backend-needs.js';
import { NAME_LABEL, ruleCoversNamespaced } from '../src/model/selectors.js';
import type { Webhook } from '../src/model/types.js';
import type { Transform } from '../src/transform.js';
import { planExclusion, skipped, webhookNames } from './shared/exclusion.js';
import { warnUnlisted } from './shared/skip.js';

/** ExcludeNamespacesConfig: options of exclude-namespaces. */
export interface ExcludeNamespacesConfig {
  /** Namespaces no webhook may block, besides each webhook's own backend namespace. Default: ["kube-system"]. */
  namespaces: string[];
  /** Webhooks to leave alone: `webhook-name` or `configuration-name/webhook-name`. Default: []. */
  skipWebhooks: string[];
  /** Also exclude namespaces from `failurePolicy: Ignore` webhooks, which cannot deadlock anything. Default: false. */
  ignoreWebhooks: boolean;
}

/**
 * Do no harm (README): an edit is made only where the render shows the failure it prevents, never where it would
 * switch off a function of the chart; where the tool cannot tell, it changes nothing and says what it would do.
 *
 * excludeNamespaces merges `kubernetes.io/metadata.name NotIn [...]` into a webhook's namespaceSelector,
 * so that a namespace carrying only that label (a pre-created one) is skipped, where the render shows the
 * failure it prevents: the webhook fails closed, its rules cover something a backend needs to start or
 * keep serving (BACKEND_NEEDS in src/model/backend-needs.ts: pods, the workload kinds, Services and
 * EndpointSlices, ServiceAccounts and their tokens, Secrets, ConfigMaps, Leases, Events), and its selectors
 * let those requests through for its own backend's pods (its namespace) or for any add-on (kube-system and
 * the configured namespaces). Everything else is left as the chart wrote it, with a note that says why:
 * an Ignore webhook cannot deadlock; a webhook on an operator's own custom resources (MetalLB's
 * IPAddressPools, cert-manager's CertificateRequests, a policy webhook adding finalizers) only does its job
 * there, and excluding the namespace would switch that job off; an opt-in objectSelector the backend's pods
 * do not satisfy cannot catch them. Where a matchCondition cannot be evaluated offline it changes nothing and
 * warns with what it would add. It never edits a selector that names namespaces (`matchLabels` on the name
 * label, or `In`), and no edit can leave a selector matching no namespace.
 */
export const excludeNamespaces = {
  name: 'exclude-namespaces',
  description: "exclude a webhook's own namespace and kube-system where it can block what its backend or the control plane needs",
  defaults: { namespaces: ['kube-system'], skipWebhooks: [], ignoreWebhooks: false },
  apply(model, config, ctx) {
    const admission = new Admission(model);
    warnUnlisted(ctx, 'exclude-namespaces skipWebhooks', config.skipWebhooks, () => webhookNames(model));
    for (const w of model.webhooks()) {
      if (w.type === 'conversion' || skipped(w, config.skipWebhooks)) continue;
      if (w.failurePolicy === 'Ignore' && !config.ignoreWebhooks) {
        ctx.note(
          w.owner,
          `webhook ${w.name} fails open (failurePolicy: Ignore): while its backend is down, requests pass, so it cannot ` +
            `deadlock its backend or the control plane; its selectors are left as the chart wrote them`,
          'failing open (Ignore)',
        );
        continue;
      }
      const rules = Array.isArray(w.entry.rules) ? w.entry.rules : [];
      if (!rules.some((r) => ruleCoversNamespaced(r, model.scope))) {
        ctx.note(
          w.owner,
          `webhook ${w.name} is left as it is: its rules cover only cluster-scoped resources, ` +
            `on which a namespaceSelector has no effect`,
          'on cluster-scoped resources only',
        );
        continue;
      }
      const own = w.service?.namespace;
      const targets = [...new Set([own, ...config.namespaces].filter((ns): ns is string => !!ns))];
      // As an Ignore webhook (ignoreWebhooks) it is asked as if it failed closed: the question is what it intercepts.
      const asked: Webhook = w.failurePolicy === 'Ignore' ? { ...w, failurePolicy: 'Fail' } : w;
      const verdicts = new Map(
        targets.map((ns) => [ns, admission.blocksNeeds(asked, ns, undefined, config.namespaces.includes(ns))]),
      );
      const blocking = targets.filter((ns) => verdicts.get(ns)!.verdict === 'yes');
      const unsure = targets.filter((ns) => verdicts.get(ns)!.verdict === 'unknown');
      const plan = planExclusion(w.entry.namespaceSelector, blocking);
      for (const ns of plan.byName) ctx.warn(w.owner, `webhook ${w.name} selects namespace ${ns} by name; left as it is`);
      const unsurePlan = planExclusion(w.entry.namespaceSelector, unsure);
      for (const ns of unsurePlan.missing)
        ctx.warn(
          w.owner,
          `webhook ${w.name} may block ${verdicts.get(ns)!.needs.join(', ')} in ${ns} ` +
            `(${verdicts.get(ns)!.reason}); exclude-namespaces would add \`${NAME_LABEL} NotIn [${ns}]\` ` +
            `to its namespaceSelector, but cannot tell, so it is left as it is`,
        );
      if (plan.edit) {
        // An Ignore webhook (ignoreWebhooks) cannot deadlock anything: the reason says it is excluded on request.
        const verb = w.failurePolicy === 'Ignore' ? 'it intercepts' : 'it fails closed on';
        const asked = w.failurePolicy === 'Ignore' ? ' (failurePolicy Ignore: excluded because ignoreWebhooks is set)' : '';
        const reasons = plan.missing.map((ns) => {
          const needs = verdicts.get(ns)!.needs.join(', ');
          if (ns === own && !config.namespaces.includes(ns))
            return (
              `${verb} ${needs}, which its own backend in ${ns} needs to start or keep serving${asked} ` +
              `(Kubernetes: "Avoiding deadlocks in self-hosted webhooks")`
            );
          if (ns === 'kube-system')
            return (
              `${verb} ${needs} in kube-system, which the control plane and its add-ons need${asked} ` +
              `(Kubernetes: "Avoiding operating on the kube-system namespace")`
            );
          return `${verb} ${needs} in ${ns}, which the workloads there need (exclude-namespaces.namespaces)${asked}`;
        });
        const why =
          `a pre-created namespace carries only ${NAME_LABEL}, so the selector matched ${plan.missing.join(', ')}; ` +
          reasons.join('; ');
        ctx.set(w.owner, [...w.path, 'namespaceSelector', ...plan.edit.path], plan.edit.value, why);
        continue;
      }
      if (plan.byName.length || unsurePlan.missing.length) continue;
      const [message, short] = leftAlone(w, targets, verdicts, planExclusion(w.entry.namespaceSelector, targets).missing);
      ctx.note(w.owner, message, short);
    }
  },
} satisfies Transform<ExcludeNamespacesConfig>;

// leftAlone says why a webhook needs no exclusion: the reason of the first namespace, which is the same for the others
// when it lies in the webhook's rules.
function leftAlone(w: Webhook, targets: string[], verdicts: Map<string, NeedsVerdict>, open: string[]): [string, string] {
  const head = `webhook ${w.name} is left as it is: `;
  if (!open.length)
    return [head + `its namespaceSelector already skips ${targets.join(' and ')}`, 'already skipping the namespaces'];
  const reasons = open.map((ns) => verdicts.get(ns)!.reason);
  if (reasons.every((r) => r === 'rules'))
    return [
      head +
        `its rules cover nothing a backend needs to start or keep serving (pods, workloads, Services, EndpointSlices, ` +
        `ServiceAccounts, Secrets, ConfigMaps, Leases, Events), so it cannot block its backend or the control plane; ` +
        `excluding ${open.join(' and ')} would only switch its function off there`,
      'on resources no backend needs',
    ];
  const parts = open.map((ns) => {
    const r = verdicts.get(ns)!.reason;
    const whose = ns === w.service?.namespace ? "its backend's pods" : `the pods and objects in ${ns}`;
    if (r === 'objectSelector') return `its objectSelector does not match ${whose}`;
    if (r === 'rules') return `its rules cover nothing ${ns === w.service?.namespace ? 'its backend' : ns} needs`;
    return `${r} skips ${whose}`;
  });
  return [
    head +
      `${parts.join('; ')}, so it cannot block them; excluding ${open.join(' and ')} would only switch its function off there`,
    'skipping their backend by objectSelector or matchConditions',
  ];
}
