// Narrows webhook Service selectors with app.kubernetes.io/name and /instance so they reach only their own pods.
import { isObj, labelsOf, podLabels, WEBHOOK_PORT, type Resource } from '../src/model/types.js';
import { type Model } from '../src/model/model.js';
import { mapSelectorMatches, type Labels } from '../src/model/selectors.js';
import { podSpecOf, servesPort } from '../src/model/ports.js';
import { sharedOnly } from '../src/model/shared-labels.js';
import { rolloutOutage, rolloutFix } from '../src/model/workloads.js';
import type { Transform } from '../src/transform.js';
import { listed, warnUnlisted } from './shared/skip.js';

/**
 * Step of the two-step change for labels the pods do not carry yet: `carried` (tighten only with labels the
 * pod template already has), `label-pods` (step 1: add the labels to the pod template, leave the selector),
 * `tighten` (step 2, after step 1 has rolled out: tighten the selector with them too).
 */
export type TightenStep = 'carried' | 'label-pods' | 'tighten';

/** TightenServiceSelectorsConfig: options of tighten-service-selectors. */
export interface TightenServiceSelectorsConfig {
  /** Labels a webhook Service selector is narrowed with. Default: ["app.kubernetes.io/name", "app.kubernetes.io/instance"]. */
  labels: string[];
  /** Selector labels other releases share, besides the built-in list: `key=value`, or `key` for any value. Default: []. */
  sharedLabels: string[];
  /** Which step of the two-step change to make for labels the pods do not carry yet. Default: "carried". */
  step: TightenStep;
  /** Services to leave alone: `name` or `namespace/name`. Default: []. */
  skipServices: string[];
}

/** webhookServices lists the Services in the stream that some webhook calls, once each, in stream order. */
export function webhookServices(model: Model): Resource[] {
  const used = new Set(
    model
      .servingWebhooks()
      .map((w) => model.serviceOf(w))
      .filter(Boolean),
  );
  return model.ofKind('Service').filter((s) => used.has(s));
}

const shown = (labels: Labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/**
 * tightenServiceSelectors narrows a webhook Service's selector with `app.kubernetes.io/name` and `/instance`
 * (values from the one workload it is meant to reach), where the selector can reach another release's pods.
 *
 * The principle: an edit is made only where the render shows the failure it prevents, and never where it
 * would switch off a function of the chart, change its behaviour under load, or open a window of outage
 * during the upgrade that applies it; where the render cannot tell, nothing changes and a warning says what
 * would be done and why. Here that means:
 * - only selectors made of labels other releases share (SHARED_SELECTOR_LABELS in src/model/shared-labels.ts,
 *   plus `sharedLabels`), or that match another workload of the stream, are narrowed; the reason names them;
 * - by default only with labels the pod template already carries: the running pods carry them too, so the
 *   Service keeps its endpoints throughout. A label the pods lack would drop every running pod from the
 *   Service at once, until a new pod is Ready: for a Fail webhook on Pod CREATE a cluster-wide outage. Such
 *   labels take two upgrades the user drives with `step`: `label-pods` adds them to the pod template and
 *   changes no selector (the pods roll; old and new pods both match the old selector), then `tighten`
 *   narrows the selector;
 * - never a pod-template edit on a workload whose rollout stops every pod (Recreate);
 * - a workload's `spec.selector` is immutable and never touched.
 */
export const tightenServiceSelectors = {
  name: 'tighten-service-selectors',
  description: 'add app.kubernetes.io/name and app.kubernetes.io/instance to webhook Service selectors',
  defaults: {
    labels: ['app.kubernetes.io/name', 'app.kubernetes.io/instance'],
    sharedLabels: [],
    step: 'carried',
    skipServices: [],
  },
  apply(model, config, ctx) {
    const services = () => model.ofKind('Service').map((s): [string, string] => [s.name, model.namespaceOf(s)]);
    warnUnlisted(ctx, 'tighten-service-selectors skipServices', config.skipServices, services);
    for (const svc of webhookServices(model)) {
      const ns = model.namespaceOf(svc);
      if (listed(config.skipServices, svc.name, ns)) continue;
      const selector = svc.obj.spec?.selector;
      if (!isObj(selector) || !Object.keys(selector).length) {
        ctx.warn(svc, 'webhook Service has no selector; its endpoints are managed by hand and cannot be checked');
        continue;
      }
      const missing = config.labels.filter((k) => !(k in selector));
      if (!missing.length) continue;
      const matching = model.workloadsIn(ns).filter((w) => mapSelectorMatches(selector, podLabels(w)));
      const port = model.servingWebhooks().find((w) => model.serviceOf(w) === svc)?.service?.port ?? WEBHOOK_PORT;
      const serving = matching.length > 1 ? matching.filter((w) => servesPort(svc, port, podSpecOf(w)) === 'yes') : matching;
      const candidates = serving.length > 1 ? sameRelease(svc, serving) : serving;
      const text = shown(labelsOf(selector));
      // What the render shows a loose selector does; without it, tightening only rolls pods for nothing.
      const others = matching.filter((w) => !candidates.includes(w) || candidates.length > 1);
      const cause = others.length
        ? `the selector ${text} also matches the pods of ${others.map((w) => `${w.kind} ${w.name}`).join(', ')} in ${ns}`
        : sharedOnly(labelsOf(selector), config.sharedLabels)
          ? `the selector ${text} is made only of labels other releases' pods carry too (scaffolding defaults such as ` +
            `kubebuilder's control-plane=controller-manager)`
          : undefined;
      if (!cause) continue;
      if (candidates.length !== 1) {
        const why = candidates.length
          ? `several workloads match and expose its port: ${candidates.map((c) => c.name).join(', ')}`
          : 'no workload in the stream matches it';
        ctx.warn(svc, `cannot tell which workload the webhook Service is for (${why}); selector left as it is`);
        continue;
      }
      const backend = candidates[0];
      const pod = podLabels(backend);
      const own = labelsOf(backend.obj.metadata?.labels);
      const svcLabels = labelsOf(svc.obj.metadata?.labels);
      const reason = `${cause}, so webhook calls can reach the wrong server (x509 name mismatch)`;
      const carried = missing.filter((k) => pod[k] !== undefined);
      const lacking = missing.filter((k) => pod[k] === undefined);
      // Step 1 changes pods only: its own output carries the labels, and a second run must not narrow the
      // selector before the pods have rolled.
      if (config.step !== 'label-pods')
        for (const key of carried) ctx.set(svc, ['spec', 'selector', key], pod[key], `${reason}; the running pods carry ${key}`);
      if (!lacking.length) continue;
      const values = new Map<string, string>();
      for (const key of lacking) {
        const value = own[key] ?? svcLabels[key];
        if (value === undefined)
          ctx.warn(
            svc,
            `no value for ${key} on ${backend.kind} ${backend.name} or on the Service; selector not tightened with it`,
          );
        else values.set(key, value);
      }
      if (!values.size) continue;
      const pairs = [...values].map(([k, v]) => `${k}=${v}`).join(', ');
      if (config.step === 'carried') {
        ctx.warn(
          svc,
          `${cause}; narrowing it with ${pairs}, which the pods of ${backend.kind} ${backend.name} do not carry yet, would ` +
            `leave the Service without endpoints until a new pod is Ready; selector left as it is. Two upgrades fix it: ` +
            `set tighten-service-selectors step: label-pods (the pods roll and gain the labels, the Service keeps them all), ` +
            `then step: tighten (the selector narrows to pods that already carry them)`,
        );
        continue;
      }
      const outage = rolloutOutage(backend);
      if (outage) {
        ctx.warn(
          backend,
          `pod template labels ${pairs} not added: ${outage}, so the rollout that adds them stops its webhooks; ` +
            rolloutFix(backend),
        );
        continue;
      }
      for (const [key, value] of values)
        ctx.set(
          backend,
          ['spec', 'template', 'metadata', 'labels', key],
          value,
          config.step === 'label-pods'
            ? `step 1 of 2 for Service ${svc.name}: the pods gain the label while its selector still matches old and new ` +
                `pods; changing the pod template rolls the pods (spec.selector is immutable and left as it is)`
            : `step 2 of 2 for Service ${svc.name}: the pods carry this label since step 1, so the template is unchanged ` +
                `for them (spec.selector is immutable and left as it is)`,
        );
      if (config.step === 'label-pods') {
        ctx.warn(
          svc,
          `step 1 of 2: pod template labels ${pairs} added to ${backend.kind} ${backend.name}, selector left as it is; ` +
            `once this upgrade has rolled out, set tighten-service-selectors step: tighten`,
        );
        continue;
      }
      for (const [key, value] of values)
        ctx.set(svc, ['spec', 'selector', key], value, `${reason}; step 2 of 2: the pods carry ${key} since step 1`);
    }
  },
} satisfies Transform<TightenServiceSelectorsConfig>;

// The labels a chart's templates give the Service and the workload of one release alike, the release's own first.
const RELEASE_LABELS = ['app.kubernetes.io/instance', 'helm.sh/chart', 'app.kubernetes.io/name'];

// sameRelease narrows the workloads a loose selector matches, all serving its port, to the one whose own labels agree
// with the Service's on the first of RELEASE_LABELS that tells them apart (Kueue and LeaderWorkerSet in one namespace:
// LWS's Service and Deployment carry helm.sh/chart lws-0.1.0, Kueue's Deployment kueue-0.1.0). Else all of them.
function sameRelease(svc: Resource, workloads: Resource[]): Resource[] {
  const own = labelsOf(svc.obj.metadata?.labels);
  for (const key of RELEASE_LABELS) {
    if (own[key] === undefined) continue;
    const alike = workloads.filter((w) => labelsOf(w.obj.metadata?.labels)[key] === own[key]);
    if (alike.length === 1) return alike;
  }
  return workloads;
}
