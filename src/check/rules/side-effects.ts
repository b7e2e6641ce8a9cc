// side-effects: a webhook's sideEffects is not None or NoneOnDryRun.
import { DOCS, type Finding, type Rule } from '../types.js';
import { webhookLabel } from '../describe.js';

/**
 * sideEffects reports webhooks that declare side effects (`Some`, `Unknown`) or none at all: dry-run
 * requests they match are rejected, and a missing value is refused by admissionregistration.k8s.io/v1.
 */
export const sideEffects = {
  id: 'side-effects',
  severity: 'warning',
  title: "A webhook's sideEffects is not None or NoneOnDryRun",
  docs: [DOCS.sideEffects, DOCS.avoidSideEffects],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const w of ctx.admission.webhooks()) {
      if (w.type === 'conversion') continue;
      const raw = w.entry.sideEffects;
      if (raw === 'None' || raw === 'NoneOnDryRun') continue;
      const v1 = w.owner.apiVersion === 'admissionregistration.k8s.io/v1';
      // Webhooks the model reads from runtime config objects get defaults from their controller.
      if (raw === undefined && !w.owner.kind.endsWith('WebhookConfiguration')) continue;
      const missing = raw === undefined || raw === null;
      out.push({
        id: 'side-effects',
        severity: missing && v1 ? 'error' : 'warning',
        resource: w.owner,
        path: [...w.path, ...(missing ? [] : ['sideEffects'])],
        message: missing
          ? `${webhookLabel(w)} sets no sideEffects` +
            (v1
              ? ': admissionregistration.k8s.io/v1 requires it, so the apiserver refuses this configuration.'
              : ' (the v1beta1 default is Unknown).')
          : `${webhookLabel(w)} declares sideEffects: ${String(raw)}: every dry-run request it ` +
            `matches (kubectl diff, --dry-run=server, helm --dry-run=server) is rejected, and ` +
            (String(raw) === 'Some' || String(raw) === 'Unknown'
              ? 'admissionregistration.k8s.io/v1 no longer accepts the value.'
              : 'the value is not one the API accepts.'),
        why:
          'Webhooks should act only on the AdmissionReview they receive; ' +
          'sideEffects None (or NoneOnDryRun, suppressing side effects on ' +
          'dry runs) lets dry-run requests through. In admissionregistration.k8s.io/v1 ' +
          'it is required and must be None or NoneOnDryRun.',
        docs: [DOCS.sideEffects, DOCS.avoidSideEffects],
        fix:
          'Set sideEffects: None (or NoneOnDryRun if the webhook has side effects it ' +
          'suppresses on dry runs) in the chart; no webhook-guard transform changes it.',
      });
    }
    return out;
  },
} satisfies Rule;
