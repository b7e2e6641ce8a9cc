// Opt-in: lets mutating webhooks that intercept kube-system or cluster-critical objects fail open (failurePolicy Ignore).
import type { Model } from '../src/model/model.js';
import type { Webhook } from '../src/model/types.js';
import {
  CSR_REQUESTS,
  NODE_REQUESTS,
  ruleCoversNamespaced,
  rulesMatch,
  selectorMatches,
  type LabelSelector,
  type Request,
} from '../src/model/selectors.js';
import type { Transform } from '../src/transform.js';
import { skipped, webhookNames } from './shared/exclusion.js';
import { warnUnlisted } from './shared/skip.js';

/** FailOpenConfig: options of fail-open. */
export interface FailOpenConfig {
  /** Off unless asked for (`--fail-open mutating`): it trades enforcement for availability. Default: false. */
  enabled: boolean;
  /** Which webhooks may be switched: `mutating`, and `validating` only when asked for by name. Default: ["mutating"]. */
  webhookTypes: Array<'mutating' | 'validating'>;
  /** Namespaces whose objects count as cluster-critical. Default: ["kube-system"]. */
  namespaces: string[];
  /** Webhooks to leave alone: `webhook-name` or `configuration-name/webhook-name`. Default: []. */
  skipWebhooks: string[];
}

// Node heartbeats: a Fail webhook on them turns its outage into NotReady nodes.
const NODE_LEASE: Request = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  operation: 'UPDATE',
  namespaced: true,
};

/**
 * criticalTargets names what cluster-critical a webhook intercepts, as the model sees it after earlier
 * transforms: objects in the given namespaces, node Leases, Nodes, CertificateSigningRequests.
 * Webhooks with an opt-in objectSelector only see objects that carry its labels, and are left out.
 */
export function criticalTargets(w: Webhook, model: Model, namespaces: string[]): string[] {
  const rules = Array.isArray(w.entry.rules) ? w.entry.rules : [];
  if (!selectorMatches((w.entry.objectSelector ?? null) as LabelSelector | null, {})) return [];
  const nsSelector = (w.entry.namespaceSelector ?? null) as LabelSelector | null;
  const out: string[] = [];
  if (rules.some((r) => ruleCoversNamespaced(r, model.scope))) {
    for (const ns of namespaces) if (selectorMatches(nsSelector, model.namespaceLabels(ns))) out.push(`namespace ${ns}`);
  }
  if (rulesMatch(rules, [NODE_LEASE]) && selectorMatches(nsSelector, model.namespaceLabels('kube-node-lease')))
    out.push('node Leases');
  if (rulesMatch(rules, NODE_REQUESTS)) out.push('Nodes');
  if (rulesMatch(rules, CSR_REQUESTS)) out.push('CertificateSigningRequests');
  return out;
}

/**
 * failOpen sets `failurePolicy: Ignore` on the mutating webhooks that intercept kube-system or
 * cluster-critical objects, as the Kubernetes guidance recommends (fail open, validate the final
 * state). Validating webhooks are switched only when `webhookTypes` names them, and each one switched
 * or left Fail is reported, because failing open lets requests through unchecked.
 */
export const failOpen = {
  name: 'fail-open',
  description: 'opt-in (--fail-open): failurePolicy Ignore for mutating webhooks on kube-system, node Leases, Nodes or CSRs',
  defaults: { enabled: false, webhookTypes: ['mutating'], namespaces: ['kube-system'], skipWebhooks: [] },
  apply(model, config, ctx) {
    warnUnlisted(ctx, 'fail-open skipWebhooks', config.skipWebhooks, () => webhookNames(model));
    for (const w of model.webhooks()) {
      if (w.failurePolicy !== 'Fail' || skipped(w, config.skipWebhooks)) continue;
      const targets = criticalTargets(w, model, config.namespaces);
      if (!targets.length) continue;
      const what = targets.join(', ');
      if (!config.webhookTypes.includes(w.type as 'mutating' | 'validating')) {
        if (w.type === 'validating') {
          ctx.warn(
            w.owner,
            `validating webhook ${w.name} intercepts ${what} and stays Fail: failing ` +
              `open would let requests through unvalidated while its backend is down ` +
              `(to accept that, add validating to fail-open's webhookTypes or pass --fail-open validating)`,
          );
        }
        continue;
      }
      const why =
        w.type === 'mutating'
          ? `it intercepts ${what}; a mutating webhook that fails closed takes them down ` +
            `with its backend. Requests now pass unmutated while the backend is down: ` +
            `enforce what the mutation guarantees with a validating webhook or policy (Kubernetes ` +
            `"Admission Webhook Good Practices": fail open and validate the final state)`
          : `it intercepts ${what}; asked for with webhookTypes validating. Policy ` +
            `enforcement is weakened: requests pass unvalidated while the backend is down`;
      ctx.set(w.owner, [...w.path, 'failurePolicy'], 'Ignore', why);
      if (w.type === 'validating')
        ctx.warn(
          w.owner,
          `validating webhook ${w.name} now fails open: requests to ${what} pass unvalidated while its backend is down`,
        );
    }
  },
} satisfies Transform<FailOpenConfig>;
