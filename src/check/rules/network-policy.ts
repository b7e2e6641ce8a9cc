// network-policy: a NetworkPolicy admits only pod traffic to a Fail webhook's backend, which blocks the API server.
import { podLabels, isObj } from '../../model/types.js';
import { podSpecOf, targetPort } from '../../model/ports.js';
import { selectorMatches, type LabelSelector } from '../../model/selectors.js';
import { failBackends } from '../backends.js';
import { listOf } from '../describe.js';
import { sourceName } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';

/**
 * networkPolicy: the API server is not a pod. A NetworkPolicy that selects a webhook backend's pods for Ingress and
 * admits traffic only from pod or namespace selectors (or from nothing) drops the API server's webhook calls on most
 * CNIs, and a Fail webhook rejects everything it intercepts (the OpenKruise FAQ's own example policy does this).
 */
export const networkPolicy = {
  id: 'network-policy',
  severity: 'warning',
  title: "A NetworkPolicy admits only pod traffic to a Fail webhook's backend (the API server is not a pod)",
  docs: [DOCS.availability],
  run(model, ctx) {
    const out: Finding[] = [];
    for (const [src, webhooks] of failBackends(ctx)) {
      const labels = src.kind === 'Pod' ? src.labels : podLabels(src.resource);
      for (const np of model.ofKind('NetworkPolicy')) {
        const spec = np.obj.spec;
        if (model.namespaceOf(np) !== src.namespace || !isObj(spec)) continue;
        if (!selectorMatches(spec.podSelector as LabelSelector, labels)) continue;
        const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : ['Ingress'];
        if (!types.includes('Ingress')) continue;
        const rules = Array.isArray(spec.ingress) ? spec.ingress.filter(isObj) : [];
        // A rule with no `from` admits every source; one with an ipBlock may admit the control plane.
        const open = rules.some(
          (r) => !Array.isArray(r.from) || !r.from.length || r.from.some((f: unknown) => isObj(f) && isObj(f.ipBlock)),
        );
        if (open) continue;
        // The policy sees the pod's port (after the Service's translation): name it as the rule must.
        const ports = [
          ...new Set(
            webhooks.flatMap((w) => {
              const svc = model.serviceOf(w);
              const target = svc && w.service ? targetPort(svc, w.service.port, podSpecOf(src.resource)) : undefined;
              return target === undefined ? [] : [target];
            }),
          ),
        ];
        const portList = ports.length
          ? ports.map((p) => `{port: ${p}, protocol: TCP}`).join(', ')
          : "{port: <the Service's targetPort>, protocol: TCP}";
        out.push({
          id: 'network-policy',
          severity: 'warning',
          resource: np,
          path: ['spec', 'ingress'],
          message:
            `NetworkPolicy ${src.namespace}/${np.name} selects the pods of ${sourceName(src)}, which serve ` +
            `${listOf(
              webhooks.map((w) => w.name),
              2,
            )} (failurePolicy Fail), and admits ` +
            `${rules.length ? 'only traffic from pod and namespace selectors' : 'no ingress at all'}: the API server's ` +
            'webhook calls do not come from a pod and are dropped on most CNIs.',
          why:
            'The API server calls webhooks from the control plane, outside any pod network selector; with its calls ' +
            'dropped, a Fail webhook rejects every request it intercepts.',
          docs: [DOCS.availability],
          fix:
            `Add an ingress rule for the control plane to NetworkPolicy ${src.namespace}/${np.name}: ` +
            `\`- {from: [{ipBlock: {cidr: <control-plane CIDR>}}], ports: [${portList}]}\` (the CIDR of the API ` +
            "servers' addresses; on managed clusters, the one the provider documents for its control plane).",
        });
      }
    }
    return out;
  },
} satisfies Rule;
