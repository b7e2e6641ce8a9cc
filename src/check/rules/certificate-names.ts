// certificate-names: the cert-manager Certificate a webhook backend serves with does not name the Service the API
// server calls, or one serving Secret is shared by the backends of two Services.
import { podSpecOf } from '../../model/ports.js';
import { isObj, type Resource, type Webhook } from '../../model/types.js';
import type { PodSource } from '../../model/admission.js';
import { listOf } from '../describe.js';
import { sourceName } from '../graph.js';
import { DOCS, type Finding, type Rule } from '../types.js';

// secretsOf lists the Secrets a pod source's pods mount.
function secretsOf(src: PodSource): string[] {
  const volumes = podSpecOf(src.resource)?.volumes;
  if (!Array.isArray(volumes)) return [];
  return volumes.flatMap((v: unknown) =>
    isObj(v) && isObj(v.secret) && typeof v.secret.secretName === 'string' ? [v.secret.secretName] : [],
  );
}

// covers tells whether a certificate name covers a DNS name (a `*.` wildcard covers one label).
const covers = (pattern: string, name: string): boolean =>
  pattern === name || (pattern.startsWith('*.') && name.slice(name.indexOf('.') + 1) === pattern.slice(2));

/**
 * certificateNames: the API server calls a Service-backed webhook at `<service>.<namespace>.svc` and checks the
 * certificate against that name. A cert-manager Certificate whose Secret the backend mounts (or that the webhook
 * configuration's `cert-manager.io/inject-ca-from` names) must list it, or every call fails TLS: the static form of
 * the Kueue + LWS x509 outage. A Secret mounted by the backends of two different Services serves one of them a
 * certificate made for the other, unless it names both.
 */
export const certificateNames = {
  id: 'certificate-names',
  severity: 'error',
  title: "A webhook's serving certificate does not name its Service, or two Services' backends share one serving Secret",
  docs: [DOCS.serviceReference],
  run(model, ctx) {
    const out: Finding[] = [];
    const certificates = model.ofKind('Certificate').filter((c) => c.apiVersion.startsWith('cert-manager.io/'));
    const byService = new Map<string, { w: Webhook; backends: PodSource[] }>();
    for (const w of ctx.admission.webhooks()) {
      if (!w.service || w.type === 'conversion') continue;
      const key = `${w.service.namespace}/${w.service.name}`;
      if (!byService.has(key)) byService.set(key, { w, backends: ctx.admission.backends(w) });
    }
    const reported = new Set<Resource>();
    const reportedSecrets = new Set<string>();
    const mounters = new Map<string, Array<{ service: string; src: PodSource }>>();
    for (const [key, { w, backends }] of byService) {
      const { namespace, name } = w.service!;
      const host = `${name}.${namespace}.svc`;
      const mounted = new Set(backends.flatMap(secretsOf));
      for (const src of backends)
        for (const s of secretsOf(src)) {
          const list = mounters.get(`${namespace}/${s}`) ?? [];
          if (!list.some((m) => m.service === key)) list.push({ service: key, src });
          mounters.set(`${namespace}/${s}`, list);
        }
      const inject = w.owner.obj.metadata?.annotations?.['cert-manager.io/inject-ca-from'];
      // With cert-manager injecting the CA, the serving Secret must come from a Certificate of the release (or be
      // rendered itself): a mounted Secret nothing produces keeps the pod from starting, or serves a stale key.
      if (typeof inject === 'string')
        for (const secret of mounted) {
          const produced =
            certificates.some((c) => model.namespaceOf(c) === namespace && c.obj.spec?.secretName === secret) ||
            model.ofKind('Secret').some((x) => model.namespaceOf(x) === namespace && x.name === secret);
          if (produced || reportedSecrets.has(`${namespace}/${secret}`)) continue;
          reportedSecrets.add(`${namespace}/${secret}`);
          out.push({
            id: 'certificate-names',
            severity: 'warning',
            resource: backends[0].resource,
            path: ['spec', 'template', 'spec', 'volumes'],
            message:
              `${listOf(backends.map(sourceName), 2)} mounts Secret ${namespace}/${secret} and webhook ${w.name}'s ` +
              `configuration injects the CA of Certificate ${inject}, but no Certificate of the input writes that Secret: ` +
              'the pod waits for a Secret nobody creates, or serves a key the injected CA did not sign.',
            why:
              'cert-manager writes a Certificate’s key pair to its spec.secretName and injects its CA where ' +
              'cert-manager.io/inject-ca-from points; the backend must serve the key pair of that same Certificate.',
            docs: [DOCS.serviceReference],
            fix:
              `Mount the Secret that Certificate ${inject} writes (its spec.secretName), ` +
              `or point the annotation at the Certificate that writes ${secret}.`,
          });
        }
      for (const cert of certificates) {
        if (model.namespaceOf(cert) !== namespace || reported.has(cert)) continue;
        const secret = cert.obj.spec?.secretName;
        const named = inject === `${namespace}/${cert.name}`;
        if (!named && !(typeof secret === 'string' && mounted.has(secret))) continue;
        const names = [
          ...(Array.isArray(cert.obj.spec?.dnsNames) ? cert.obj.spec.dnsNames.map(String) : []),
          ...(typeof cert.obj.spec?.commonName === 'string' ? [cert.obj.spec.commonName] : []),
        ];
        if (names.some((n) => covers(n, host))) continue;
        reported.add(cert);
        out.push({
          id: 'certificate-names',
          severity: 'error',
          resource: cert,
          path: ['spec', 'dnsNames'],
          message:
            `Certificate ${namespace}/${cert.name} (Secret ${String(secret)}) serves webhook ${w.name}` +
            `${named ? ' (its configuration injects this CA)' : `, mounted by ${listOf(backends.map(sourceName), 2)}`}, but ` +
            `names ${names.length ? listOf(names, 4) : 'nothing'}, not ${host}: every call fails TLS ` +
            `(x509: certificate is valid for ${names[0] ?? '…'}, not ${host}).`,
          why:
            'The API server calls a Service-backed webhook at <service>.<namespace>.svc and verifies the serving ' +
            'certificate against that name; a certificate without it fails every call, and a Fail webhook then rejects ' +
            'everything it intercepts.',
          docs: [DOCS.serviceReference],
          fix: `Add ${host} (and ${name}.${namespace}) to the Certificate's dnsNames in the chart values.`,
        });
      }
    }
    for (const [secret, list] of mounters) {
      if (list.length < 2) continue;
      const [first, ...others] = list;
      out.push({
        id: 'certificate-names',
        severity: 'warning',
        resource: others[0].src.resource,
        path: ['spec', 'template', 'spec', 'volumes'],
        message:
          `Secret ${secret} is mounted by the backends of Services ${listOf(list.map((m) => m.service))} ` +
          `(${listOf(list.map((m) => sourceName(m.src)))}): one serving certificate for two webhook Services, so ` +
          `calls to one are answered with a certificate made for the other unless it names both (${first.service} first).`,
        why:
          'Two releases that share a serving Secret (the same default name in one namespace) overwrite each other’s ' +
          'certificate; the API server then rejects the calls of whichever Service the certificate does not name.',
        docs: [DOCS.serviceReference],
        fix:
          'Give each release its own serving Secret (the chart values ' +
          'usually name it), or install them in separate namespaces.',
      });
    }
    return out;
  },
} satisfies Rule;
