// self-deadlock: a Fail webhook intercepts the creation of its own backend's pods.
import { graphOf, sourceName, type Dependency } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { optOuts, selectorText, webhookLabel } from '../describe.js';
import { neverDerive } from '../../model/protected-labels.js';
import { namesSelected, type LabelSelector } from '../../model/selectors.js';

/**
 * selfDeadlock finds each Fail webhook that intercepts Pod CREATE for the pods of the workload its own
 * Service selects: once those pods are gone, their replacements wait on the webhook they would serve.
 */
export const selfDeadlock = {
  id: 'self-deadlock',
  severity: 'error',
  title: "A Fail webhook intercepts the creation of its own backend's pods",
  docs: [DOCS.selfDeadlock, DOCS.selfMutation],
  run(_model, ctx) {
    const byWebhook = new Map<Dependency['via'], Dependency[]>();
    for (const d of graphOf(ctx.admission).selfLoops) byWebhook.set(d.via, [...(byWebhook.get(d.via) ?? []), d]);
    const out: Finding[] = [];
    for (const [w, loops] of byWebhook) {
      const certain = loops.some((d) => d.verdict === 'yes');
      const src = (loops.find((d) => d.verdict === 'yes') ?? loops[0]).from;
      const ns = src.namespace;
      const nsSel = w.entry.namespaceSelector;
      const custom = optOuts(nsSel, true);
      const assumption = ctx.admission.assumption(ns);
      const svc = w.service ? `Service ${w.service.namespace}/${w.service.name}` : 'its Service';
      const maybe = certain ? '' : ` unless a matchCondition skips them (${ctx.admission.interceptsPods(w, src).reason})`;
      const how =
        `its namespaceSelector (${selectorText(nsSel)}) matches namespace ${ns}` +
        (assumption ? ' as a pre-created namespace' : '') +
        (w.entry.objectSelector
          ? ` and its objectSelector (${selectorText(w.entry.objectSelector)}) matches the pod labels`
          : '');
      // A security or mesh label (NEVER_DERIVE) is never suggested: it would switch that control off for the namespace.
      const suggestible = custom.filter((o) => !neverDerive(o.key));
      const labelFix =
        suggestible.length && assumption
          ? ` Or give ${ns} the label its exemption expects (label-namespaces prints \`kubectl label namespace ${ns} ` +
            `${suggestible[0].key}=${suggestible[0].values[0] ?? 'true'}\`; with --adopt-namespaces it emits the Namespace).`
          : '';
      // A selector that names the namespace is meant to act there: exclude-namespaces leaves it as it is
      // (excluding the one name would leave it matching nothing), so the fix lies in the chart.
      const byName = namesSelected(nsSel as LabelSelector | null)?.includes(ns);
      const podLabels =
        Object.entries(src.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || 'add one';
      out.push({
        id: 'self-deadlock',
        severity: certain ? 'error' : 'warning',
        resource: w.owner,
        path: [...w.path, nsSel ? 'namespaceSelector' : 'rules'],
        message:
          `${webhookLabel(w)} intercepts the creation of the pods of ` +
          `${sourceName(src)}, which serves it through ${svc}${maybe}: ${how}. ` +
          `When those pods are gone (a node drain, an eviction, a crash), their replacements are ` +
          `rejected because the webhook they would serve is down, and nothing can start them again.`,
        why:
          'A webhook "might cause deadlocks for its own deployment if it is ' +
          'configured to intercept resources required to start its own Pods"; ' +
          'the Kubernetes documentation recommends excluding the namespace where the webhook runs with a namespaceSelector.',
        docs: [DOCS.selfDeadlock, DOCS.selfMutation, DOCS.nameLabel],
        fix: byName
          ? `The webhook selects namespace ${ns} by name, so it is meant to act there: exclude its own pods with an ` +
            `objectSelector on labels only they carry (${podLabels}), or run the backend in another namespace. ` +
            `webhook-guard's exclude-namespaces leaves a selector that names namespaces as it is: excluding ${ns} ` +
            `would leave it matching no namespace at all.`
          : ns === 'kube-system'
            ? `The backend runs in kube-system: exclude its own pods with an objectSelector on labels only they carry (${
                Object.entries(src.labels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ') || 'add one'
              }), or move it to its own namespace. webhook-guard's exclude-namespaces excludes kube-system ` +
              'by the immutable kubernetes.io/metadata.name label, which also stops the webhook there.'
            : `Exclude the backend's namespace by the immutable ` +
              `kubernetes.io/metadata.name label: webhook-guard's exclude-namespaces ` +
              `transform merges \`kubernetes.io/metadata.name NotIn [${ns}]\` into the namespaceSelector.${labelFix}`,
        ...(byName ? {} : { transform: 'exclude-namespaces' }),
        related: [src.resource, ...(ctx.admission.serviceOf(w) ? [ctx.admission.serviceOf(w)!] : [])],
        ...(assumption ? { assumptions: [assumption] } : {}),
      });
    }
    return out;
  },
} satisfies Rule;
