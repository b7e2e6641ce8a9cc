// runtime-webhooks: webhooks that a controller creates at run time from a config object (Kyverno, Capsule 0.13+).
import { isObj } from '../../model/types.js';
import { bareNamespaceLabels, selectorMatches, type LabelSelector } from '../../model/selectors.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { runtimeServers } from '../../model/workloads.js';

/**
 * runtimeWebhooks says, for each config object from which a controller creates webhooks at run time,
 * what the offline check cannot see: Kyverno's ConfigMap (its resource webhooks' rules come from the
 * policies installed later) and Capsule's CapsuleConfiguration `spec.admission` (checked as described,
 * when the model reads it, but created by the controller and left behind by `helm uninstall`).
 */
export const runtimeWebhooks = {
  id: 'runtime-webhooks',
  severity: 'info',
  title: 'Webhooks created at run time from a config object cannot be fully checked offline',
  docs: [DOCS.namespaceSelector, DOCS.failOpen],
  run(model, ctx) {
    const out: Finding[] = [];
    for (const cm of model.ofKind('ConfigMap')) {
      const data = cm.obj.data;
      if (!isObj(data) || (typeof data.webhooks !== 'string' && typeof data.resourceFilters !== 'string')) continue;
      // ConfigMap data never appears in a finding: what the selectors do is said, not what they hold.
      let selector = '';
      if (typeof data.webhooks === 'string') {
        try {
          const parsed = JSON.parse(data.webhooks);
          const list = (Array.isArray(parsed) ? parsed : [parsed]).filter(isObj);
          const own = model.namespaceOf(cm);
          const excluded = [own, 'kube-system'].filter(
            (ns) =>
              list.length > 0 &&
              list.every((x) => !selectorMatches(x.namespaceSelector as LabelSelector, bareNamespaceLabels(ns))),
          );
          const open = [own, 'kube-system'].filter((ns) => !excluded.includes(ns));
          const keep = list.length === 1 ? 'keeps' : 'keep';
          selector =
            `its data.webhooks key holds ${list.length} selector${list.length === 1 ? '' : 's'}, which ` +
            (!open.length
              ? `${keep} ${excluded.join(' and ')} out`
              : excluded.length
                ? `${keep} ${excluded.join(' and ')} out, but not ${open.join(' and ')}`
                : `${keep} neither ${open.join(' nor ')} out`);
        } catch {
          selector = 'its data.webhooks key is not valid JSON';
        }
      }
      const conditions = typeof data.matchConditions === 'string';
      out.push({
        id: 'runtime-webhooks',
        severity: 'info',
        resource: cm,
        path: ['data', typeof data.webhooks === 'string' ? 'webhooks' : 'resourceFilters'],
        message:
          `ConfigMap ${model.namespaceOf(cm)}/${cm.name} configures the webhooks Kyverno's admission controller creates at run ` +
          `time (${selector || 'with default selectors'}` +
          `${conditions ? '; its data.matchConditions key adds conditions' : ''}). ` +
          'Their rules and failure policy come from the policies installed later, so which pods and cluster-critical ' +
          "objects they intercept, and whether they can block Kyverno's own pods, cannot be checked offline.",
        why:
          'Kyverno creates and updates its resource webhook configurations from its policies; they are not in the rendered ' +
          'chart, and `helm uninstall` leaves them behind (with failurePolicy Fail they then reject requests until deleted).',
        docs: [DOCS.namespaceSelector, DOCS.failOpen],
        fix:
          'Check a live cluster dump after installing the policies (`kubectl get ' +
          'mutatingwebhookconfigurations,validatingwebhookconfigurations,namespaces,services,deployments -A -o yaml | ' +
          "webhook-guard check -`); webhook-guard's kyverno-config transform excludes Kyverno's " +
          "namespace and kube-system in the ConfigMap's webhooks key and adds node/CSR matchConditions.",
        transform: 'kyverno-config',
      });
    }
    // Workloads that register webhooks or patch CRDs at run time (the RBAC of the render says so): their webhooks
    // are not in the input, so "no findings" about them would be false comfort.
    const rendered = new Set(ctx.admission.webhooks().flatMap((w) => ctx.admission.backends(w).map((b) => b.resource)));
    for (const r of runtimeServers(model, rendered)) {
      out.push({
        id: 'runtime-webhooks',
        severity: 'info',
        resource: r.workload,
        path: [],
        message: r.reachable
          ? `${r.workload.kind} ${model.namespaceOf(r.workload)}/${r.workload.name} serves webhooks the input does not ` +
            `show: ${r.why}. Their rules, failure policies and selectors are made at run time, so what they intercept, ` +
            `and whether they can block this workload's own pods, cannot be checked offline.`
          : `${r.workload.kind} ${model.namespaceOf(r.workload)}/${r.workload.name} may change webhooks at run time: ` +
            `${r.why}. No Service of the input routes a webhook port to it (a CA injector, or a ServiceAccount shared ` +
            `with a webhook server), so it is not a backend; what it changes cannot be checked offline.`,
        why:
          'A controller that creates webhook configurations or points CRD conversion at itself is a webhook backend like ' +
          'any other: with one replica and failurePolicy Fail, losing its pod rejects what its webhooks intercept.',
        docs: [DOCS.namespaceSelector, DOCS.failOpen],
        fix:
          'Check a live cluster dump after install (`kubectl get mutatingwebhookconfigurations,validatingwebhookconfigurations,' +
          "customresourcedefinitions,namespaces,services,deployments -A -o yaml | webhook-guard check -`); webhook-guard's " +
          'webhook-replicas gives the workload replicas and a ' +
          'PodDisruptionBudget where the render shows several copies are safe.',
        transform: 'webhook-replicas',
      });
    }
    for (const cfg of model.ofKind('CapsuleConfiguration')) {
      const admission = cfg.obj.spec?.admission;
      if (!isObj(admission)) continue;
      const described = (['mutating', 'validating'] as const).flatMap((t) =>
        isObj(admission[t]) && Array.isArray(admission[t].webhooks) ? admission[t].webhooks : [],
      );
      const checked = ctx.admission.webhooks().filter((w) => w.owner === cfg).length;
      const names = (['mutating', 'validating'] as const)
        .map((t) => (isObj(admission[t]) ? admission[t].name : undefined))
        .filter(Boolean);
      out.push({
        id: 'runtime-webhooks',
        severity: 'info',
        resource: cfg,
        path: ['spec', 'admission'],
        message:
          `CapsuleConfiguration ${cfg.name} describes ${described.length} webhook${described.length === 1 ? '' : 's'} ` +
          `that Capsule's controller creates at run time${names.length ? ` (${names.join(', ')})` : ''}. ` +
          (checked
            ? `webhook-guard checked them as described here; what it cannot check is that the running ` +
              `controller creates exactly these, and it cannot see webhooks Capsule adds for tenants' rules.`
            : 'They are not checked offline: their selectors, failure policies ' +
              'and backends are not in a webhook configuration of the input.'),
        why:
          'Webhook configurations created by a controller are not part of the release: they change when the controller ' +
          'does, and `helm uninstall` leaves them behind (Capsule issue 2036: capsule-dynamic-webhook blocking recovery).',
        docs: [DOCS.namespaceSelector, DOCS.failOpen],
        fix:
          'Check a live cluster dump as well; webhook-guard hardens the webhooks described in ' +
          'CapsuleConfiguration spec.admission with the same transforms when its Capsule adapter is enabled.',
        transform: 'guard-cluster-scoped',
      });
    }
    return out;
  },
} satisfies Rule;
