// no-endpoints: the Service a webhook calls is missing, selects no pods, or does not lead to a container port.
import { isObj, type Resource, type Webhook } from '../../model/types.js';
import { sourceName } from '../graph.js';
import { containerPorts, isNamedPort, podSpecOf, servesPort, servicePort } from '../../model/ports.js';
import { DOCS, type Finding, type Rule } from '../types.js';
import { conversionOutage, listOf } from '../describe.js';

/**
 * noEndpoints follows each webhook's clientConfig.service to its pods: the Service must be in the input,
 * have the port the webhook calls, select pods, and its targetPort must be a port those pods' containers
 * declare. Otherwise every call fails ("no endpoints available for service", "connection refused").
 * Webhooks of one configuration that call the same Service are reported together.
 */
export const noEndpoints = {
  id: 'no-endpoints',
  severity: 'error',
  title: "A webhook's Service is missing, selects no pods, or its targetPort is not a container port",
  docs: [DOCS.serviceReference, DOCS.availability],
  run(model, ctx) {
    const groups = new Map<string, Webhook[]>();
    for (const w of ctx.admission.webhooks()) {
      if (!w.service) continue;
      const key = `${w.owner.kind}/${w.owner.name}|${w.service.namespace}/${w.service.name}:${w.service.port}`;
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    const out: Finding[] = [];
    for (const webhooks of groups.values()) {
      const w = webhooks[0];
      const ref = w.service!;
      const name = `${ref.namespace}/${ref.name}`;
      const svc = ctx.admission.serviceOf(w);
      const fail = webhooks.some((x) => x.failurePolicy === 'Fail');
      const who =
        webhooks.length > 1
          ? `webhooks ${listOf(
              webhooks.map((x) => x.name),
              3,
            )}`
          : `${w.type} webhook ${w.name}`;
      const problems: string[] = [];
      let severity: Finding['severity'] = fail ? 'error' : 'warning';
      const assumptions: string[] = [];
      // Findings that say what may be fine: no claim that every request is rejected.
      let runtimeLabels = false;
      let numericOnly = false;
      if (!svc) {
        // A Service of that name in another namespace of the input: the clientConfig namespace is hard-coded.
        const elsewhere = model
          .ofKind('Service')
          .filter((s) => s.name === ref.name && model.namespaceOf(s) !== ref.namespace)
          .map((s) => model.namespaceOf(s));
        problems.push(
          `Service ${name} is not in the input (if another release installs it, check them ` +
            `together; if it is installed later or never, every call fails with "service not found")` +
            (elsewhere.length
              ? `; a Service ${ref.name} exists in namespace ${[...new Set(elsewhere)].join(', ')}, ` +
                `so the namespace in clientConfig.service looks hard-coded`
              : ''),
        );
        assumptions.push(`Service ${name} is not in the input; assumed absent from the cluster`);
      } else {
        const selector = svc.obj.spec?.selector;
        const port = servicePort(svc, ref.port);
        if (!port)
          problems.push(
            `Service ${name} has no port ${ref.port}, the port the webhook calls (ports: ` +
              `${servicePorts(svc).join(', ') || 'none'})`,
          );
        if (!isObj(selector) || !Object.keys(selector).length) {
          if (svc.obj.spec?.type !== 'ExternalName') {
            problems.push(`Service ${name} has no selector: its endpoints are managed by hand and cannot be checked`);
            severity = 'info';
          }
        } else {
          const selected = ctx.admission.selected(svc);
          if (!selected.length) {
            const shown = Object.entries(selector)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ');
            // A workload that declares the named target port is the server; the labels it lacks are then
            // put on its pods at run time (by its operator or a mutating webhook), which the input cannot show.
            const named = port && isNamedPort(port.targetPort) ? port.targetPort : undefined;
            const server = named
              ? ctx.admission
                  .sources()
                  .filter((s) => s.namespace === ref.namespace && servesPort(svc, ref.port, podSpecOf(s.resource)) === 'yes')
              : [];
            if (server.length) {
              problems.push(
                `Service ${name} (selector ${shown}) selects no pods of the input, while ` +
                  `${listOf(server.map(sourceName))} declares its target port ${JSON.stringify(named)}: the selector's ` +
                  `labels are probably added to those pods at run time; if not, the Service has no endpoints`,
              );
              severity = 'warning';
              runtimeLabels = true;
            } else problems.push(`Service ${name} (selector ${shown}) selects no pods of any workload in the input`);
          } else {
            const zero = selected.filter(
              (s) =>
                ['Deployment', 'StatefulSet'].includes(s.kind) &&
                Number(s.resource.obj.spec?.replicas ?? 1) === 0 &&
                !model.hpaFor(s.resource),
            );
            if (zero.length === selected.length)
              problems.push(`the pods it selects belong to ${listOf(zero.map(sourceName))}, which has replicas: 0`);
            if (port) {
              const verdicts = selected.map((s) => servesPort(svc, ref.port, podSpecOf(s.resource)));
              const target = port.targetPort ?? port.port;
              const declared = [
                ...new Set(
                  selected.flatMap((s) =>
                    containerPorts(podSpecOf(s.resource)).map((p) =>
                      p.name ? `${p.name}/${p.containerPort}` : String(p.containerPort),
                    ),
                  ),
                ),
              ];
              if (verdicts.every((v) => v === 'no'))
                problems.push(
                  `its port ${ref.port} targets ${JSON.stringify(target)}, which is not a ` +
                    `port of the selected containers (${declared.join(', ') || 'none declared'})`,
                );
              else if (!zero.length && declared.length && verdicts.every((v) => v === 'unknown')) {
                // A Service routes a numeric targetPort whether a container declares it or not.
                problems.push(
                  `its port ${ref.port} targets ${JSON.stringify(target)}, which no selected container declares ` +
                    `(${declared.join(', ')}); a Service routes a numeric port regardless, so calls reach the server ` +
                    `only if it listens there`,
                );
                severity = 'info';
                numericOnly = true;
              }
            }
          }
        }
      }
      if (!problems.length) continue;
      out.push({
        id: 'no-endpoints',
        severity,
        resource: w.owner,
        path: [...w.path, ...(w.type === 'conversion' ? [] : ['clientConfig', 'service'])],
        message:
          `${who} ${webhooks.length > 1 ? 'call' : 'calls'} Service ${name} port ${ref.port}, but ${problems.join('; and ')}.` +
          (w.type === 'conversion'
            ? conversionOutage([w])
            : fail && !runtimeLabels && !numericOnly
              ? ' With failurePolicy Fail every matching request is rejected.'
              : fail && runtimeLabels
                ? ' If the labels never come, every matching request is rejected (failurePolicy Fail).'
                : ''),
        why:
          'The apiserver calls a webhook through its Service; with no ready endpoint behind the port it names, each call ' +
          'fails ("no endpoints available for service", "connection refused") and the failure policy decides the request.',
        docs: [DOCS.serviceReference, DOCS.availability],
        fix: svc
          ? "Make the Service select the webhook server's pods and target a port its container " +
            'declares; check the release together with the one that installs the backend.'
          : `Install the release that provides Service ${name} first, and give \`webhook-guard check\` both ` +
            `renders; a webhook configuration left behind after its backend was uninstalled must be deleted.`,
        related: svc ? [svc] : [],
        ...(assumptions.length ? { assumptions } : {}),
      });
    }
    return out;
  },
} satisfies Rule;

// servicePorts lists the port numbers a Service declares, for a message.
function servicePorts(svc: Resource): unknown[] {
  return (Array.isArray(svc.obj.spec?.ports) ? svc.obj.spec.ports : []).map((p: { port?: unknown }) => p?.port);
}
