// service-selector-overlap: a webhook Service selects the pods of more than one workload.
import { isObj, WEBHOOK_PORT, type Resource, type Webhook } from '../../model/types.js';
import { sourceName } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { conversionOutage, listOf } from '../describe.js';
import { podSpecOf, servesPort } from '../../model/ports.js';
import { isHelmTest } from '../../model/workloads.js';

/**
 * serviceSelectorOverlap reports each webhook Service whose selector matches the pods of several workloads
 * of its namespace, across all inputs: the apiserver's calls then reach any of them, and those that reach
 * another release's server fail TLS (its certificate names another Service) or get another webhook's answer.
 */
export const serviceSelectorOverlap = {
  id: 'service-selector-overlap',
  severity: 'error',
  title: 'A webhook Service selects the pods of more than one workload',
  docs: [DOCS.serviceReference, DOCS.loadBalancer],
  run(model, ctx) {
    const callers = new Map<Resource, Webhook[]>();
    for (const w of ctx.admission.webhooks()) {
      const svc = ctx.admission.serviceOf(w);
      if (svc) callers.set(svc, [...(callers.get(svc) ?? []), w]);
    }
    const out: Finding[] = [];
    for (const [svc, webhooks] of callers) {
      const all = ctx.admission.selected(svc);
      if (all.length < 2) continue;
      // Pods of `helm test` hooks exist only while the test runs: at most worth a note.
      const tests = all.filter((s) => isHelmTest(s.resource));
      const selected = all.filter((s) => !tests.includes(s));
      const onlyTests = selected.length < 2;
      const ns = model.namespaceOf(svc);
      const port = webhooks[0].service?.port ?? WEBHOOK_PORT;
      const intended = all.filter((s) => servesPort(svc, port, podSpecOf(s.resource)) === 'yes');
      const selector = isObj(svc.obj.spec?.selector)
        ? Object.entries(svc.obj.spec.selector)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')
        : '';
      const sources = new Set(all.map((s) => s.resource.doc.segment.source).filter(Boolean));
      out.push({
        id: 'service-selector-overlap',
        severity: onlyTests ? 'info' : webhooks.some((w) => w.failurePolicy === 'Fail') ? 'error' : 'warning',
        resource: svc,
        path: ['spec', 'selector'],
        message:
          `Service ${ns}/${svc.name} (selector ${selector}) is called by ${listOf(
            webhooks.map((w) => w.name),
            3,
          )} and selects the pods of ${listOf(all.map(sourceName), 5)}` +
          `${sources.size > 1 ? ` (from ${listOf([...sources] as string[])})` : ''}. ` +
          (tests.length
            ? `${listOf(tests.map(sourceName))} ` +
              `${tests.length > 1 ? 'are `helm test` hooks: they run' : 'is a `helm test` hook: it runs'} ` +
              `only during \`helm test\`${onlyTests ? ', and only then does the selector reach more than one workload. ' : '. '}`
            : '') +
          `${onlyTests ? 'While they run, the' : 'The'} apiserver's calls are spread over all of them; those that reach ` +
          `${intended.length === 1 ? `a pod other than ${sourceName(intended[0])}'s` : 'the wrong server'} ` +
          `fail with "x509: certificate is valid for <other service>, ` +
          `not ${svc.name}.${ns}.svc", or get another webhook's answer.` +
          conversionOutage(webhooks),
        why:
          `With clientConfig.service the apiserver connects to ${svc.name}.${ns}.svc and the serving ` +
          `certificate must be valid for that name; a Service spreads connections over every pod ` +
          `its selector matches. Kubebuilder-style charts select only control-plane=controller-manager, ` +
          `which every such operator's pods carry (Kueue + LeaderWorkerSet in one namespace).`,
        docs: [DOCS.serviceReference, DOCS.loadBalancer],
        fix:
          `Narrow the Service's selector with labels only the intended pods ` +
          `carry (app.kubernetes.io/name and app.kubernetes.io/instance): ` +
          `webhook-guard's tighten-service-selectors transform adds them (never touching a workload's immutable spec.selector).` +
          (intended.length === 1 ? ` The intended backend is ${sourceName(intended[0])} (it exposes the target port).` : ''),
        transform: 'tighten-service-selectors',
        related: all.map((s) => s.resource),
      });
    }
    return out;
  },
} satisfies Rule;
