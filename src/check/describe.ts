// Helpers the rules share: how they name webhooks, selectors and lists in messages.
import type { Webhook } from '../model/types.js';
import { NAME_LABEL, type LabelSelector } from '../model/selectors.js';

/** webhookLabel names a webhook as messages do: `mutating webhook mpod.kb.io (Fail)`. */
export function webhookLabel(w: Webhook): string {
  return `${w.type} webhook ${w.name} (failurePolicy ${w.failurePolicy})`;
}

/** listOf joins names for a sentence, eliding after `max`. */
export function listOf(items: string[], max = 4): string {
  const unique = [...new Set(items)];
  if (unique.length <= max)
    return unique.length > 1 ? `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}` : (unique[0] ?? '');
  return `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
}

/**
 * selectorText renders a label selector compactly: `control-plane NotIn [openkruise], kubernetes.io/metadata.name NotIn
 * [kube-system]`.
 */
export function selectorText(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '(none: matches everything)';
  const s = sel as LabelSelector;
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` [${e.values.join(', ')}]` : ''}`),
  ];
  return parts.length ? parts.join(', ') : '{} (matches everything)';
}

/** OptOut is a selector term that exempts objects carrying a label: `NotIn` or `DoesNotExist`. */
export interface OptOut {
  key: string;
  operator: 'NotIn' | 'DoesNotExist';
  values: string[];
  /** Index in matchExpressions. */
  index: number;
}

/** optOuts lists a selector's exemption terms, leaving out the immutable name label when `customOnly`. */
export function optOuts(sel: unknown, customOnly: boolean): OptOut[] {
  const exprs = (sel as LabelSelector | null)?.matchExpressions;
  if (!Array.isArray(exprs)) return [];
  const out: OptOut[] = [];
  exprs.forEach((e, index) => {
    if (!e || (e.operator !== 'NotIn' && e.operator !== 'DoesNotExist')) return;
    if (customOnly && e.key === NAME_LABEL) return;
    out.push({ key: String(e.key), operator: e.operator, values: (e.values ?? []).map(String), index });
  });
  return out;
}

/** optOutText says what label exempts an object: `control-plane=openkruise` or `the label admission.gatekeeper.sh/ignore`. */
export function optOutText(o: OptOut): string {
  return o.operator === 'NotIn'
    ? listOf(
        o.values.map((v) => `${o.key}=${v}`),
        3,
      ).replace(/ and /, ' or ')
    : `${o.key} (any value)`;
}

/**
 * conversionOutage says what a down conversion backend does, naming the CRDs of the conversion webhooks
 * among `webhooks`; empty when there are none. Conversion webhooks have no failurePolicy: they always fail closed.
 */
export function conversionOutage(webhooks: Array<{ type: string; owner: { name: string } }>): string {
  const crds = [...new Set(webhooks.filter((w) => w.type === 'conversion').map((w) => w.owner.name))];
  if (!crds.length) return '';
  return (
    ` ${listOf(crds, 3)} ${crds.length > 1 ? 'convert' : 'converts'} through it, and a conversion webhook always fails closed: ` +
    'while no backend answers, every read and write of those resources in a version other than the stored one fails, ' +
    'and garbage collection and namespace deletion over them stall (namespaces stuck in Terminating).'
  );
}
