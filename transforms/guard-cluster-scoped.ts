// Adds CEL matchConditions so Fail webhooks let kubelets' Nodes, CSRs and mirror pods through, which no namespaceSelector can.
import type { Webhook } from '../src/model/types.js';
import type { Context, Transform } from '../src/transform.js';
import {
  conditionsFor,
  matchConditionsAvailable,
  MAX_MATCH_CONDITIONS,
  mergeConditions,
  whyOf,
  type MatchCondition,
} from './shared/conditions.js';
import { skipped, webhookNames } from './shared/exclusion.js';
import { warnUnlisted } from './shared/skip.js';

/** GuardClusterScopedConfig: options of guard-cluster-scoped. */
export interface GuardClusterScopedConfig {
  /** Skip Nodes and CertificateSigningRequests (or, for webhooks only about them, kubelets' requests). Default: true. */
  nodesAndCSRs: boolean;
  /** Skip mirror pods, for webhooks that intercept Pod CREATE. Default: true. */
  mirrorPods: boolean;
  /** Webhooks to leave alone: `webhook-name` or `configuration-name/webhook-name`. Default: []. */
  skipWebhooks: string[];
}

/**
 * guardClusterScoped adds named matchConditions to Fail webhooks: skip Nodes and CSRs where the rules
 * cover them beside other resources, skip kubelets' requests where the webhook is only about Nodes/CSRs,
 * and skip mirror pods where it intercepts Pod CREATE. Existing conditions are kept. Below Kubernetes
 * 1.28 it changes nothing and warns with what it would have added.
 */
export const guardClusterScoped = {
  name: 'guard-cluster-scoped',
  description: "add matchConditions so Fail webhooks skip kubelets' Node/CSR requests and mirror pods (Kubernetes 1.28+)",
  defaults: { nodesAndCSRs: true, mirrorPods: true, skipWebhooks: [] },
  apply(model, config, ctx) {
    warnUnlisted(ctx, 'guard-cluster-scoped skipWebhooks', config.skipWebhooks, () => webhookNames(model));
    for (const w of model.webhooks()) {
      if (w.failurePolicy !== 'Fail' || skipped(w, config.skipWebhooks)) continue;
      addConditions(w, conditionsFor(w.entry, config), ctx);
    }
  },
} satisfies Transform<GuardClusterScopedConfig>;

function addConditions(w: Webhook, wanted: MatchCondition[], ctx: Context): void {
  if (!wanted.length) return;
  const merged = mergeConditions(w.entry.matchConditions, wanted);
  if (!merged.added.length) return;
  const names = merged.added.map((c) => c.name).join(', ');
  if (!matchConditionsAvailable(ctx.settings.kubeVersion)) {
    ctx.warn(
      w.owner,
      `webhook ${w.name}: would add matchConditions ${names}, but matchConditions ` +
        `need Kubernetes 1.28+ (target ${ctx.settings.kubeVersion}); left out`,
    );
    return;
  }
  if (w.owner.kind.endsWith('WebhookConfiguration') && w.owner.apiVersion !== 'admissionregistration.k8s.io/v1') {
    ctx.warn(
      w.owner,
      `webhook ${w.name}: would add matchConditions ${names}, but ` +
        `${w.owner.apiVersion} is not admissionregistration.k8s.io/v1; left out`,
    );
    return;
  }
  if ('tooMany' in merged) {
    ctx.warn(
      w.owner,
      `webhook ${w.name}: would add matchConditions ${names}, but it has ` +
        `${merged.tooMany} and the API allows ${MAX_MATCH_CONDITIONS}; left out`,
    );
    return;
  }
  ctx.set(w.owner, [...w.path, 'matchConditions'], merged.list, whyOf(merged.added.map((c) => c.name)));
}
