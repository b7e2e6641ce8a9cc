// Narrows webhook Service selectors with app.kubernetes.io/name and /instance so they reach only their own pods.
import { isObj, labelsOf, podLabels, type Resource } from '../src/model/types.js';
import { type Model } from '../src/model/model.js';
import { mapSelectorMatches } from '../src/model/selectors.js';
import type { Transform } from '../src/transform.js';
import { listed } from './shared/skip.js';

/** TightenServiceSelectorsConfig: options of tighten-service-selectors. */
export interface TightenServiceSelectorsConfig {
  /** Labels every webhook Service selector must carry. Default: ["app.kubernetes.io/name", "app.kubernetes.io/instance"]. */
  labels: string[];
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

/** exposesPort tells whether a workload's containers expose one of the Service's target ports. */
export function exposesPort(workload: Resource, service: Resource): boolean {
  const ports = Array.isArray(service.obj.spec?.ports) ? service.obj.spec.ports : [];
  const containers = [
    ...(workload.obj.spec?.template?.spec?.containers ?? []),
    ...(workload.obj.spec?.template?.spec?.initContainers ?? []),
  ];
  const exposed = containers.flatMap((c: { ports?: unknown }) => (Array.isArray(c?.ports) ? c.ports : []));
  return ports.some((p: { port?: unknown; targetPort?: unknown }) => {
    const target = p?.targetPort ?? p?.port;
    return exposed.some((c: { containerPort?: unknown; name?: unknown }) =>
      typeof target === 'string' && !/^\d+$/.test(target) ? c?.name === target : Number(c?.containerPort) === Number(target),
    );
  });
}

/**
 * tightenServiceSelectors adds the missing `app.kubernetes.io/name` and `/instance` labels to each webhook
 * Service's selector, with values from the one workload it is meant to reach, and adds them to that
 * workload's pod template where they are missing. A workload's `spec.selector` is immutable and never touched.
 */
export const tightenServiceSelectors = {
  name: 'tighten-service-selectors',
  description: 'add app.kubernetes.io/name and app.kubernetes.io/instance to webhook Service selectors',
  defaults: { labels: ['app.kubernetes.io/name', 'app.kubernetes.io/instance'], skipServices: [] },
  apply(model, config, ctx) {
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
      let candidates = model.workloadsIn(ns).filter((w) => mapSelectorMatches(selector, podLabels(w)));
      if (candidates.length > 1) candidates = candidates.filter((w) => exposesPort(w, svc));
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
      const shown = JSON.stringify(selector);
      for (const key of missing) {
        const value = pod[key] ?? own[key] ?? svcLabels[key];
        if (value === undefined) {
          ctx.warn(
            svc,
            `no value for ${key} on ${backend.kind} ${backend.name} or on the Service; selector not tightened with it`,
          );
          continue;
        }
        ctx.set(
          svc,
          ['spec', 'selector', key],
          value,
          `the selector ${shown} also matches other releases' pods in ${ns} (the kubebuilder default ` +
            `control-plane label), so webhook calls can reach the wrong server (x509 name mismatch)`,
        );
        if (pod[key] !== value) {
          ctx.set(
            backend,
            ['spec', 'template', 'metadata', 'labels', key],
            value,
            `the tightened selector of Service ${svc.name} needs this label on the pods; changing ` +
              `the pod template rolls the pods (spec.selector is immutable and left as it is)`,
          );
          ctx.warn(
            backend,
            `pod template label ${key}=${value} added: applying this rolls the pods of ${backend.kind} ${backend.name}`,
          );
        }
      }
    }
  },
} satisfies Transform<TightenServiceSelectorsConfig>;
