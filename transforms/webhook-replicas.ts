// Gives the workloads behind fail-closed webhooks a minimum of replicas, a disruption budget and host spread.
import { addTo, isObj, labelsOf, podLabels, type Resource, type Webhook } from '../src/model/types.js';
import { multiInstance, rolloutOutage, ROLLOUT_FIX, runtimeServers } from '../src/model/workloads.js';
import type { Context, Transform } from '../src/transform.js';
import type { Model } from '../src/model/model.js';
import { listed } from './shared/skip.js';

/** WebhookReplicasConfig: options of webhook-replicas. */
export interface WebhookReplicasConfig {
  /** Least replicas (or HPA minReplicas) for a workload that serves a Fail webhook; never lowered. Default: 2. */
  minReplicas: number;
  /** Add a PodDisruptionBudget (maxUnavailable: 1) where none in the stream selects the pods. Default: true. */
  podDisruptionBudget: boolean;
  /** Add a ScheduleAnyway spread over kubernetes.io/hostname where the pods have no spread or anti-affinity. Default: true. */
  topologySpread: boolean;
  /**
   * Workloads known to run safely as several copies although the render shows no leader election:
   * `name` or `namespace/name`. Default: [].
   */
  scalableWorkloads: string[];
  /** Workloads to leave alone: `name` or `namespace/name`. Default: []. */
  skipWorkloads: string[];
}

const CARRIED_ANNOTATIONS = /^(helm\.sh\/hook.*|postrenderer\.helm\.sh\/postrender-filename)$/;

/**
 * webhookReplicas makes the pods behind every Fail webhook survive one pod's loss: replicas (or the HPA's
 * minReplicas) at least minReplicas, a PDB with maxUnavailable 1, and a soft spread across nodes.
 *
 * The principle: an edit is made only where the render shows the failure it prevents, and never where it
 * would switch off a function of the chart, change its behaviour under load, or open a window of outage
 * during the upgrade that applies it; where the render cannot tell, nothing changes and a warning says what
 * would be done and why. Here that means:
 * - replicas are raised only where the render shows that several copies are safe (leader election switched
 *   on by flag, config file or a known image; a server whose RBAC lets it write no state; or `scalableWorkloads`):
 *   two copies of a singleton controller act twice (MetalLB's assigns each address twice). Otherwise the
 *   replicas stay and a warning says what to change in the chart's values;
 * - the PDB (maxUnavailable: 1) is added even to one replica: it never blocks a node drain;
 * - the spread edits the pod template, so it rolls the pods: it is added only where there are (or will be)
 *   several replicas, never to a kept singleton (its rollout runs two copies at once), and never to a
 *   workload whose rollout stops every pod (Recreate, or maxUnavailable covering all replicas): that
 *   strategy is reported as the risk instead;
 * - besides the rendered webhooks' backends, workloads that serve webhooks registered at run time (Kyverno,
 *   Rancher's webhook, Longhorn, or a ServiceAccount that may create or update webhook configurations or
 *   CRDs) get the same treatment when a Service of the stream routes a webhook port to them;
 * - a Fail webhook whose backend cannot be found is a warning (with the `--namespace` to pass), never silence.
 * DaemonSets already run one pod per node and are left alone.
 */
export const webhookReplicas = {
  name: 'webhook-replicas',
  description: 'enforce minimum replicas, a PodDisruptionBudget and node spread for workloads serving Fail webhooks',
  defaults: { minReplicas: 2, podDisruptionBudget: true, topologySpread: true, scalableWorkloads: [], skipWorkloads: [] },
  apply(model, config, ctx) {
    const served = new Map<Resource, string>();
    const rendered = new Map<Resource, string[]>();
    // CRD conversion webhooks count too: they always fail closed.
    const unresolved: Webhook[] = [];
    for (const w of model.servingWebhooks()) {
      if (w.failurePolicy !== 'Fail') continue;
      const backends = model.backendsOf(w);
      if (w.service && !backends.length) unresolved.push(w);
      for (const b of backends) addTo(rendered, b, w.name);
    }
    warnUnresolved(model, unresolved, ctx);
    for (const [b, all] of rendered) {
      const names = [...new Set(all)];
      const list = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      served.set(b, `it serves the Fail webhook${names.length > 1 ? 's' : ''} ${list}`);
    }
    for (const r of runtimeServers(model, new Set(rendered.keys()), true))
      served.set(r.workload, `it serves webhooks registered at run time (${r.why})`);
    const min = config.minReplicas;
    for (const [wl, serves] of served) {
      const ns = model.namespaceOf(wl);
      if (wl.kind === 'DaemonSet' || listed(config.skipWorkloads, wl.name, ns)) continue;
      const why = `${serves}: with one pod, losing it rejects every matching request (Kubernetes: webhook availability)`;
      const multi = multiInstance(model, wl, listed(config.scalableWorkloads, wl.name, ns));
      const hpa = model.hpaFor(wl);
      const raw = hpa ? (hpa.obj.spec?.minReplicas ?? 1) : (wl.obj.spec?.replicas ?? 1);
      const replicas = Number(raw);
      let several = replicas >= min;
      if (!Number.isFinite(replicas)) {
        ctx.warn(
          hpa ?? wl,
          `${hpa ? 'spec.minReplicas' : 'spec.replicas'} is ${JSON.stringify(raw)}, not a number; left as it is`,
        );
        several = false;
      } else if (replicas < min && multi?.yes) {
        const because = `${why}; several copies are safe: ${multi.why}`;
        if (hpa) {
          ctx.set(hpa, ['spec', 'minReplicas'], min, `the HPA scales ${wl.kind} ${wl.name}; ${because}`);
          if (Number(hpa.obj.spec?.maxReplicas) < min)
            ctx.set(hpa, ['spec', 'maxReplicas'], min, 'maxReplicas may not be below minReplicas');
        } else ctx.set(wl, ['spec', 'replicas'], min, because);
        several = true;
      } else if (replicas < min) {
        ctx.warn(
          wl,
          `${serves}, but runs ${replicas} replica${replicas === 1 ? '' : 's'}, ` +
            `left as ${replicas === 1 ? 'it is' : 'they are'}: ` +
            (multi
              ? `${multi.why}, and two copies of a controller without leader election act twice`
              : `the render shows no leader election (--leader-elect, --enable-leader-election, ` +
                `--leader-election, or leaderElection.leaderElect in its config file), and two copies of a ` +
                `singleton controller act twice`) +
            `; if several copies are safe, switch leader election on and raise the replicas in the chart's values, ` +
            `or list it in webhook-replicas scalableWorkloads`,
        );
      }
      // The budget and the spread select the pods as the workload does (its immutable spec.selector).
      const podSelector = isObj(wl.obj.spec?.selector) ? wl.obj.spec.selector : { matchLabels: podLabels(wl) };
      const pdbName = `${wl.name}-webhook-guard`;
      // A budget an earlier run added counts even if it selects no pods (a workload whose selector misses its
      // own pod labels), or every run would add another (found by the fuzzer).
      const ours = model.ofKind('PodDisruptionBudget').some((p) => p.name === pdbName && model.namespaceOf(p) === ns);
      if (config.podDisruptionBudget && model.pdbsFor(wl).length === 0 && !ours) {
        const annotations = Object.fromEntries(
          Object.entries(labelsOf(wl.obj.metadata?.annotations)).filter(([k]) => CARRIED_ANNOTATIONS.test(k)),
        );
        const labels = labelsOf(wl.obj.metadata?.labels);
        ctx.add(
          {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: {
              name: pdbName,
              namespace: ns,
              ...(Object.keys(labels).length ? { labels } : {}),
              ...(Object.keys(annotations).length ? { annotations } : {}),
            },
            spec: { maxUnavailable: 1, selector: structuredClone(podSelector) },
          },
          `no PodDisruptionBudget selects the pods of ${wl.kind} ${wl.name}; ${why}; ` +
            `maxUnavailable: 1 lets a drain evict one pod at a time and never blocks it`,
          { after: wl },
        );
      }
      const outage = rolloutOutage(wl, several && Number.isFinite(replicas) ? Math.max(replicas, min) : undefined);
      if (outage) {
        ctx.warn(
          wl,
          `${outage}, so its webhooks are down during each rollout whatever its replicas and budget; ` +
            `its pod template is left as it is (an edit there would cause such a rollout); ${ROLLOUT_FIX}`,
        );
        continue;
      }
      const podSpec = wl.obj.spec?.template?.spec;
      const spread = podSpec?.topologySpreadConstraints;
      if (
        several &&
        config.topologySpread &&
        isObj(podSpec) &&
        !(Array.isArray(spread) && spread.length) &&
        !podSpec.affinity?.podAntiAffinity
      ) {
        ctx.set(
          wl,
          ['spec', 'template', 'spec', 'topologySpreadConstraints'],
          [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: structuredClone(podSelector),
            },
          ],
          `replicas on one node fail together; ScheduleAnyway keeps one-node ` +
            `clusters schedulable (changing the pod template rolls the pods)`,
        );
      }
    }
  },
} satisfies Transform<WebhookReplicasConfig>;

// warnUnresolved names each Service a Fail webhook calls whose backend the stream does not show, once per
// Service: the namespace may have been guessed wrong (Helm passes none to a post-renderer), or another
// release serves it. Either way nothing was made safer, and the summary must not say "nothing to change".
function warnUnresolved(model: Model, webhooks: Webhook[], ctx: Context): void {
  const byService = new Map<string, Webhook[]>();
  for (const w of webhooks) {
    const key = `${w.service!.namespace}/${w.service!.name}`;
    byService.set(key, [...(byService.get(key) ?? []), w]);
  }
  for (const [key, ws] of byService) {
    const { namespace, name } = ws[0].service!;
    const svc = model.serviceOf(ws[0]);
    const names = ws.map((w) => w.name);
    const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    const who = `Fail webhook${names.length > 1 ? 's' : ''} ${listed}`;
    const unnamed = model.ofKind('Service').some((s) => s.name === name && s.namespace === undefined);
    let message: string;
    if (svc)
      message =
        `${who} call${names.length > 1 ? '' : 's'} Service ${key}, which selects no workload of the stream; ` +
        'its replicas cannot be checked';
    else if (unnamed && namespace !== model.defaultNamespace)
      message =
        `${who} call${names.length > 1 ? '' : 's'} Service ${key}, but the stream renders Service ${name} without a namespace ` +
        `and the release namespace was taken as ${model.defaultNamespace} (${model.namespaceEvidence}); ` +
        'its backend is left as it is: ' +
        `pass --namespace ${namespace} if that is the release namespace`;
    else
      message =
        `${who} call${names.length > 1 ? '' : 's'} Service ${key}, which is not in the stream; its backend is left as it is ` +
        `(if another release installs it, harden that release; if this one does, pass --namespace ${namespace})`;
    ctx.warn(ws[0].owner, message);
  }
}
