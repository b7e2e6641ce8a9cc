// conversion-ca-bundle: a CRD conversion webhook with no caBundle and nothing that will inject one.
import type { Webhook } from '../../model/types.js';
import { isObj } from '../../model/types.js';
import { conversionOutage } from '../describe.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { registersWebhooks } from '../../model/workloads.js';

// Annotations that make an injector fill the caBundle: cert-manager's cainjector, OpenShift's service CA operator.
const INJECTORS = [
  'cert-manager.io/inject-ca-from',
  'cert-manager.io/inject-ca-from-secret',
  'cert-manager.io/inject-apiserver-ca',
  'service.beta.openshift.io/inject-cabundle',
];

function hasCaBundle(w: Webhook): boolean {
  const cc = w.entry.clientConfig;
  return isObj(cc) && typeof cc.caBundle === 'string' && cc.caBundle.trim() !== '';
}

/**
 * conversionCaBundle reports conversion webhooks that call a Service with no `caBundle` and no injection
 * annotation: the apiserver cannot verify the server's certificate, so every conversion fails TLS, unless
 * the webhook's own controller patches the caBundle in at run time (kubebuilder cert-rotation, as OpenKruise,
 * Capsule, Kueue and LWS do). When the backend's ServiceAccount may update CRDs (the render's RBAC), the operator
 * injects the CA itself and nothing is reported. When the admission webhooks calling the same Service have no
 * caBundle either, that is the likely case, and the finding is only information.
 */
export const conversionCaBundle = {
  id: 'conversion-ca-bundle',
  severity: 'warning',
  title: 'A CRD conversion webhook has no caBundle and nothing injects one',
  docs: [DOCS.serviceReference],
  run(_model, ctx) {
    const all = ctx.admission.webhooks();
    const out: Finding[] = [];
    for (const w of all) {
      if (w.type !== 'conversion' || !w.service || hasCaBundle(w)) continue;
      const annotations = isObj(w.owner.obj.metadata?.annotations) ? w.owner.obj.metadata.annotations : {};
      if (INJECTORS.some((a) => typeof annotations[a] === 'string' && annotations[a] !== '')) continue;
      // The backend's ServiceAccount may update CRDs: the operator patches its own CA in (kubebuilder cert-rotation).
      const injects = ctx.admission
        .backends(w)
        .some((b) => /customresourcedefinitions/.test(registersWebhooks(ctx.admission.model, b.resource) ?? ''));
      if (injects) continue;
      const siblings = all.filter(
        (o) => o.type !== 'conversion' && o.service?.namespace === w.service!.namespace && o.service?.name === w.service!.name,
      );
      const runtime = siblings.length > 0 && siblings.every((o) => !hasCaBundle(o));
      out.push({
        id: 'conversion-ca-bundle',
        severity: runtime ? 'info' : 'warning',
        resource: w.owner,
        path: ['spec', 'conversion', 'webhook', 'clientConfig'],
        message:
          `The conversion webhook of ${w.owner.name} calls Service ` +
          `${w.service.namespace}/${w.service.name} with no caBundle and no ${INJECTORS[0]} annotation` +
          (runtime
            ? `; the admission webhooks of the same Service have none ` +
              `either, so its controller probably injects the CA at run time.`
            : siblings.length
              ? `, although the admission webhooks of the same Service carry one: the apiserver ` +
                `cannot verify the server's certificate, and every conversion fails TLS.`
              : `: unless something patches the CA in at run time, the apiserver ` +
                `cannot verify the server's certificate and every conversion fails TLS.`) +
          (runtime ? '' : conversionOutage([w])),
        why:
          'For a webhook called through a Service, the apiserver verifies ' +
          'the serving certificate against clientConfig.caBundle; ' +
          'an empty caBundle means the system trust roots, which never signed an in-cluster serving certificate.',
        docs: [DOCS.serviceReference],
        fix:
          `Add the annotation ${INJECTORS[0]}: <namespace>/<certificate> (cert-manager's cainjector ` +
          `fills the caBundle), or make sure the controller's certificate management patches this CRD.`,
      });
    }
    return out;
  },
} satisfies Rule;
