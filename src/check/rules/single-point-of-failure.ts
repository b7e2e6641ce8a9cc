// single-point-of-failure: the backend of a Fail webhook has fewer than 2 replicas, no PDB, or a PDB that forbids every
// disruption.
import { addTo, isObj, podLabels, type Resource, type Webhook } from '../../model/types.js';
import { selectorMatches, type LabelSelector } from '../../model/selectors.js';
import type { PodSource } from '../../model/admission.js';
import { sourceName } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { conversionOutage, listOf } from '../describe.js';
import { multiInstance, rolloutOutage, rolloutFix, servingContainers, webhookRoutes } from '../../model/workloads.js';

/**
 * singlePointOfFailure checks each Deployment or StatefulSet that serves a Fail webhook (admission or CRD
 * conversion): at least 2 replicas (the HPA's minReplicas when one scales it), a PodDisruptionBudget, and
 * one that allows a disruption. Error when an outage of one of its webhooks reaches beyond its own objects
 * (cluster-critical objects, kube-system, or pods and rollouts in every namespace); warning otherwise.
 * DaemonSets run a pod per node and are not checked.
 */
export const singlePointOfFailure = {
  id: 'single-point-of-failure',
  severity: 'error',
  title: "A Fail webhook's backend has fewer than 2 replicas, no PodDisruptionBudget, or one that forbids every disruption",
  docs: [DOCS.loadBalancer, DOCS.availability, DOCS.disruptions],
  run(model, ctx) {
    const served = new Map<PodSource, Webhook[]>();
    for (const w of ctx.admission.webhooks()) {
      if (w.failurePolicy !== 'Fail') continue;
      for (const b of ctx.admission.backends(w)) addTo(served, b, w);
    }
    const out: Finding[] = [];
    for (const [src, webhooks] of served) {
      if (src.kind !== 'Deployment' && src.kind !== 'StatefulSet') continue;
      const wl = src.resource;
      const hpa = latestTargeting(model.ofKind('HorizontalPodAutoscaler'), src, model.namespaceOf.bind(model));
      const replicas = hpa ? Number(hpa.obj.spec?.minReplicas ?? 1) : Number(wl.obj.spec?.replicas ?? 1);
      const pdbs = model
        .ofKind('PodDisruptionBudget')
        .filter(
          (p) =>
            model.namespaceOf(p) === src.namespace &&
            isObj(p.obj.spec?.selector) &&
            selectorMatches(p.obj.spec.selector as LabelSelector, podLabels(wl), false),
        );
      const problems: string[] = [];
      if (Number.isFinite(replicas) && replicas < 2)
        problems.push(
          hpa
            ? `its HorizontalPodAutoscaler ${hpa.name} allows ${replicas} replica (minReplicas)`
            : `it has ${replicas} replica${replicas === 1 ? '' : 's'}`,
        );
      if (!pdbs.length) problems.push('no PodDisruptionBudget selects its pods, so a node drain may evict all of them at once');
      for (const p of pdbs) {
        const why = forbidsAll(p, replicas);
        if (why)
          problems.push(`PodDisruptionBudget ${p.name} ${why}, so every drain of its nodes blocks (and is then often forced)`);
      }
      // The same rule as webhook-replicas: a rollout that stops every pod is an outage whatever the replicas.
      const outage = rolloutOutage(wl);
      if (outage) problems.push(outage);
      // The same rule as webhook-replicas: it raises replicas only where several copies are safe.
      const multi = multiInstance(model, wl, false, servingContainers(wl, webhookRoutes(model, webhooks)));
      const several = multi?.yes ? multi : undefined;
      if (!problems.length) continue;
      const radius = [...new Set(webhooks.flatMap((w) => ctx.admission.blastRadius(w)))];
      const names = [...new Set(webhooks.map((w) => w.name))];
      out.push({
        id: 'single-point-of-failure',
        severity: radius.length ? 'error' : 'warning',
        resource: wl,
        path: hpa ? [] : ['spec', 'replicas'],
        message:
          `${sourceName(src)} serves the Fail webhook${names.length > 1 ? 's' : ''} ` +
          `${listOf(names, 3)}, but ${listOf(problems)}. ` +
          (radius.length
            ? `When its pods are gone, the apiserver rejects ${listOf(radius, 4)}.`
            : `When its pods are gone, every request ` +
              `${names.length > 1 ? 'these webhooks intercept' : 'the webhook intercepts'} is rejected.`) +
          conversionOutage(webhooks),
        why:
          'A webhook with failurePolicy Fail rejects every request it intercepts while ' +
          'no backend pod answers. The Kubernetes documentation recommends running ' +
          '"multiple webhook backends behind a Service" for availability; a ' +
          'PodDisruptionBudget keeps voluntary disruptions from taking them all at once.',
        docs: [DOCS.loadBalancer, DOCS.availability, DOCS.disruptions],
        fix:
          'Run at least 2 replicas spread over nodes with a PodDisruptionBudget of maxUnavailable: 1: ' +
          (several
            ? "webhook-guard's webhook-replicas transform sets them (raising an HPA's minReplicas instead of replicas)" +
              ` (several copies are safe: ${several.why}).`
            : "webhook-guard's webhook-replicas transform adds only the budget here: the render shows no leader " +
              'election, and two copies of a singleton controller act twice; switch leader election on and raise ' +
              "the replicas in the chart's values.") +
          (outage ? ` For its rollouts: ${rolloutFix(wl)}.` : ''),
        transform: 'webhook-replicas',
        related: [...(hpa ? [hpa] : []), ...pdbs, ...webhooks.map((w) => w.owner)].filter((r, i, a) => a.indexOf(r) === i),
      });
    }
    return out;
  },
} satisfies Rule;

function latestTargeting(hpas: readonly Resource[], src: PodSource, namespaceOf: (r: Resource) => string): Resource | undefined {
  return hpas
    .filter(
      (h) =>
        namespaceOf(h) === src.namespace &&
        h.obj.spec?.scaleTargetRef?.kind === src.kind &&
        h.obj.spec?.scaleTargetRef?.name === src.name,
    )
    .pop();
}

// forbidsAll tells why a PDB allows no voluntary disruption, or undefined when it allows one.
function forbidsAll(pdb: Resource, replicas: number): string | undefined {
  const spec = pdb.obj.spec ?? {};
  const pct = (v: unknown) => (typeof v === 'string' && v.endsWith('%') ? Number(v.slice(0, -1)) : undefined);
  if (spec.maxUnavailable !== undefined) {
    const p = pct(spec.maxUnavailable);
    if (p !== undefined ? p === 0 : Number(spec.maxUnavailable) === 0) return `has maxUnavailable: ${spec.maxUnavailable}`;
    return undefined;
  }
  if (spec.minAvailable !== undefined) {
    const p = pct(spec.minAvailable);
    if (p !== undefined ? p >= 100 : Number(spec.minAvailable) >= replicas)
      return `has minAvailable: ${spec.minAvailable} with ${replicas} replica${replicas === 1 ? '' : 's'}`;
  }
  return undefined;
}
