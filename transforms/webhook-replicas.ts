// Gives the workloads behind fail-closed webhooks a minimum of replicas, a disruption budget and host spread.
import { isObj, labelsOf, podLabels, type Resource } from '../src/model/types.js';
import type { Transform } from '../src/transform.js';
import { listed } from './shared/skip.js';

/** WebhookReplicasConfig: options of webhook-replicas. */
export interface WebhookReplicasConfig {
  /** Least replicas (or HPA minReplicas) for a workload that serves a Fail webhook; never lowered. Default: 2. */
  minReplicas: number;
  /** Add a PodDisruptionBudget (maxUnavailable: 1) where none in the stream selects the pods. Default: true. */
  podDisruptionBudget: boolean;
  /** Add a ScheduleAnyway spread over kubernetes.io/hostname where the pods have no spread or anti-affinity. Default: true. */
  topologySpread: boolean;
  /** Workloads to leave alone: `name` or `namespace/name`. Default: []. */
  skipWorkloads: string[];
}

const CARRIED_ANNOTATIONS = /^(helm\.sh\/hook.*|postrenderer\.helm\.sh\/postrender-filename)$/;

/**
 * webhookReplicas makes the pods behind every Fail webhook survive one pod's loss: replicas (or the HPA's
 * minReplicas) at least minReplicas, a PDB with maxUnavailable 1, and a soft spread across nodes.
 * DaemonSets already run one pod per node and are left alone.
 */
export const webhookReplicas = {
  name: 'webhook-replicas',
  description: 'enforce minimum replicas, a PodDisruptionBudget and node spread for workloads serving Fail webhooks',
  defaults: { minReplicas: 2, podDisruptionBudget: true, topologySpread: true, skipWorkloads: [] },
  apply(model, config, ctx) {
    const served = new Map<Resource, string[]>();
    // CRD conversion webhooks count too: they always fail closed.
    for (const w of model.servingWebhooks()) {
      if (w.failurePolicy !== 'Fail') continue;
      for (const b of model.backendsOf(w)) served.set(b, [...(served.get(b) ?? []), w.name]);
    }
    const min = config.minReplicas;
    for (const [wl, names] of served) {
      const ns = model.namespaceOf(wl);
      if (wl.kind === 'DaemonSet' || listed(config.skipWorkloads, wl.name, ns)) continue;
      const list = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      const why =
        `it serves the Fail webhook${names.length > 1 ? 's' : ''} ${list}: with one pod, ` +
        `losing it rejects every matching request (Kubernetes: webhook availability)`;
      const hpa = model.hpaFor(wl);
      if (hpa) {
        const hpaMin = Number(hpa.obj.spec?.minReplicas ?? 1);
        if (hpaMin < min) ctx.set(hpa, ['spec', 'minReplicas'], min, `the HPA scales ${wl.kind} ${wl.name}; ${why}`);
        if (Number(hpa.obj.spec?.maxReplicas) < min)
          ctx.set(hpa, ['spec', 'maxReplicas'], min, 'maxReplicas may not be below minReplicas');
      } else {
        const raw = wl.obj.spec?.replicas;
        const replicas = raw == null ? 1 : Number(raw);
        if (!Number.isFinite(replicas)) ctx.warn(wl, `spec.replicas is ${JSON.stringify(raw)}, not a number; left as it is`);
        else if (replicas < min) ctx.set(wl, ['spec', 'replicas'], min, why);
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
          `no PodDisruptionBudget selects the pods of ${wl.kind} ${wl.name}; ${why}`,
          { after: wl },
        );
      }
      const podSpec = wl.obj.spec?.template?.spec;
      const spread = podSpec?.topologySpreadConstraints;
      if (
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
