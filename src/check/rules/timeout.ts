// timeout: a webhook's timeoutSeconds is above 15.
import { DOCS, type Finding, type Rule } from '../types.js';
import { webhookLabel } from '../describe.js';

/** LIMIT is the longest timeout the rule accepts, in seconds (the API allows 1 to 30; the default is 10). */
export const LIMIT = 15;

/** The API server's timeoutSeconds when a webhook gives none: 10 s in admissionregistration v1, 30 s in v1beta1. */
const DEFAULT_TIMEOUT = 10;
const DEFAULT_TIMEOUT_V1BETA1 = 30;

/**
 * timeout reports webhooks that wait more than 15 s for their backend (admissionregistration v1beta1's
 * default was 30 s): while the backend hangs, every matching request waits that long before the failure
 * policy applies, and several such webhooks on one request add up towards the apiserver's own timeout.
 */
export const timeout = {
  id: 'timeout',
  severity: 'warning',
  title: `A webhook's timeoutSeconds is above ${LIMIT}`,
  docs: [DOCS.timeouts, DOCS.smallTimeout],
  run(_model, ctx) {
    const out: Finding[] = [];
    for (const w of ctx.admission.webhooks()) {
      if (w.type === 'conversion') continue;
      const raw = w.entry.timeoutSeconds;
      const v1beta1 = w.owner.apiVersion.endsWith('/v1beta1');
      const seconds = raw === undefined || raw === null ? (v1beta1 ? DEFAULT_TIMEOUT_V1BETA1 : DEFAULT_TIMEOUT) : Number(raw);
      if (!(seconds > LIMIT)) continue;
      out.push({
        id: 'timeout',
        severity: 'warning',
        resource: w.owner,
        path: [...w.path, ...(raw === undefined ? [] : ['timeoutSeconds'])],
        message:
          `${webhookLabel(w)} waits up to ${seconds} s for its backend${raw === undefined ? ' (the v1beta1 default)' : ''}: ` +
          `while the backend hangs, every request it intercepts stalls that long before the failure policy applies.`,
        why:
          'Webhooks should answer "typically in milliseconds"; the ' +
          'Kubernetes documentation recommends a small timeout (the default ' +
          'is 10 s). Timeouts of several webhooks on one request add up, ' +
          "and the whole request fails at the apiserver's own deadline.",
        docs: [DOCS.timeouts, DOCS.smallTimeout],
        fix:
          `Set timeoutSeconds to ${LIMIT} or less (${DEFAULT_TIMEOUT}, the default, or lower) ` +
          `in the chart's values; no webhook-guard transform changes it.`,
      });
    }
    return out;
  },
} satisfies Rule;
