// label-exemption: a webhook skips namespaces or objects by a label anyone allowed to set it can set.
import { DOCS, type Finding, type Rule } from '../types.js';
import { optOutText, optOuts, webhookLabel } from '../describe.js';

/**
 * labelExemption reports opt-out terms (`NotIn`, `DoesNotExist`) in a webhook's namespaceSelector on a
 * label other than kubernetes.io/metadata.name (anyone who may label a namespace can exempt it), and in its
 * objectSelector (anyone who may create the object can set the label and skip the webhook). Warning for
 * validating webhooks (a policy can be bypassed), info for mutating ones (a mutation can be skipped).
 */
export const labelExemption = {
  id: 'label-exemption',
  severity: 'warning',
  title: 'A webhook can be skipped by setting a label (custom namespace label or objectSelector opt-out)',
  docs: [DOCS.objectSelector, DOCS.namespaceSelector, DOCS.nameLabel],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const w of ctx.admission.webhooks()) {
      if (w.type === 'conversion') continue;
      const ns = optOuts(w.entry.namespaceSelector, true);
      const obj = optOuts(w.entry.objectSelector, false);
      if (!ns.length && !obj.length) continue;
      const parts = [
        ...ns.map(
          (o) =>
            `namespaces labelled ${optOutText(o)} (namespaceSelector ${o.key} ` +
            `${o.operator}${o.values.length ? ` [${o.values.join(', ')}]` : ''}): anyone who may label a namespace can exempt it`,
        ),
        ...obj.map(
          (o) =>
            `objects labelled ${optOutText(o)} (objectSelector ${o.key} ` +
            `${o.operator}${o.values.length ? ` [${o.values.join(', ')}]` : ''}): ` +
            `anyone who may create such an object can set the label on it`,
        ),
      ];
      const field = obj.length && !ns.length ? 'objectSelector' : 'namespaceSelector';
      out.push({
        id: 'label-exemption',
        severity: w.type === 'validating' ? 'warning' : 'info',
        resource: w.owner,
        path: [...w.path, field, 'matchExpressions', (obj.length && !ns.length ? obj : ns)[0].index],
        message:
          `${webhookLabel(w)} skips ${parts.join('; and it skips ')}.` +
          (w.type === 'validating'
            ? ' Whoever can set the label can bypass the policy this webhook enforces.'
            : ' Whoever can set the label can skip the mutation.'),
        why:
          'The Kubernetes documentation says to "use the object selector only if the webhook ' +
          'is opt-in, because end users may skip the admission webhook by setting the ' +
          'labels". Only kubernetes.io/metadata.name is set by the apiserver and cannot be ' +
          'changed; other namespace labels are as trustworthy as the RBAC on namespaces.',
        docs: [DOCS.objectSelector, DOCS.namespaceSelector, DOCS.nameLabel],
        fix:
          'Exempt namespaces by name with the immutable kubernetes.io/metadata.name ' +
          "label (webhook-guard's exclude-namespaces adds it for the " +
          "webhook's own namespace and kube-system where the webhook can block what they need), make objectSelectors " +
          'opt-in, and restrict who may update namespaces and set these labels.',
        transform: 'exclude-namespaces',
      });
    }
    return out;
  },
} satisfies Rule;
