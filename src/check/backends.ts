// The pod sources that serve Fail admission webhooks, with the webhooks each serves: what the backend rules inspect.
import type { PodSource } from '../model/admission.js';
import { addTo, type Webhook } from '../model/types.js';
import type { CheckContext } from './types.js';

/** failBackends maps each pod source serving a Fail admission webhook to those webhooks, in input order. */
export function failBackends(ctx: CheckContext): Map<PodSource, Webhook[]> {
  const served = new Map<PodSource, Webhook[]>();
  for (const w of ctx.admission.webhooks()) {
    if (w.failurePolicy !== 'Fail' || w.type === 'conversion') continue;
    for (const b of ctx.admission.backends(w)) addTo(served, b, w);
  }
  return served;
}
