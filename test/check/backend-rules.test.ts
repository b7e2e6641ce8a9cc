// The backend rules: readinessProbe, memory and priority, serving certificate names, NetworkPolicies that block the
// API server. Each case changes one thing of a healthy release and asserts the findings of the four rules in full.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkInputs } from '../../src/check/run.js';
import { lines } from '../support/helpers.js';

const test = suite('check: backend rules');
const RULES = ['backend-readiness', 'backend-resources', 'certificate-names', 'network-policy'];

interface Release {
  probe?: boolean;
  memory?: { request?: string; limit?: string };
  priority?: boolean;
  dnsNames?: string[];
  secret?: string;
  /** The Secret the Deployment mounts, when not the Certificate's. */
  mounts?: string;
  inject?: boolean;
  name?: string;
}

// release renders one webhook release in namespace hooks: a Fail pod webhook, its Service, Deployment and Certificate.
function release(r: Release = {}): string {
  const name = r.name ?? 'hook';
  const memory = r.memory ?? { request: '64Mi', limit: '128Mi' };
  const resources = [
    ...(memory.request ? [`          requests: {memory: ${memory.request}}`] : []),
    ...(memory.limit ? [`          limits: {memory: ${memory.limit}}`] : []),
  ];
  return lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    r.inject
      ? `metadata: {name: ${name}, annotations: {cert-manager.io/inject-ca-from: hooks/${name}-cert}}`
      : `metadata: {name: ${name}}`,
    'webhooks:',
    `- name: ${name}.example.com`,
    '  admissionReviewVersions: [v1]',
    '  sideEffects: None',
    '  failurePolicy: Fail',
    `  clientConfig: {service: {namespace: hooks, name: ${name}-svc, path: /mutate}}`,
    '  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
    '---',
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}-svc, namespace: hooks}`,
    `spec: {selector: {app: ${name}}, ports: [{port: 443, targetPort: 9443}]}`,
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}, namespace: hooks}`,
    'spec:',
    '  replicas: 2',
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    ...(r.priority === false ? [] : ['      priorityClassName: webhooks-critical']),
    `      volumes: [{name: tls, secret: {secretName: ${r.mounts ?? r.secret ?? `${name}-tls`}}}]`,
    '      containers:',
    '      - name: server',
    '        image: example/hook:1',
    "        args: ['--leader-elect']",
    '        ports: [{containerPort: 9443}]',
    ...(r.probe === false ? [] : ['        readinessProbe: {httpGet: {path: /readyz, port: 8081}}']),
    ...(resources.length ? ['        resources:', ...resources] : []),
    '---',
    'apiVersion: cert-manager.io/v1',
    'kind: Certificate',
    `metadata: {name: ${name}-cert, namespace: hooks}`,
    'spec:',
    `  secretName: ${r.secret ?? `${name}-tls`}`,
    `  dnsNames: [${(r.dnsNames ?? [`${name}-svc.hooks.svc`, `${name}-svc.hooks.svc.cluster.local`]).join(', ')}]`,
    '  issuerRef: {name: selfsigned}',
  );
}

const policy = (from: string): string =>
  '---\n' +
  lines(
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: {name: only-pods, namespace: hooks}',
    'spec:',
    '  podSelector: {}',
    '  policyTypes: [Ingress]',
    `  ingress: [{from: [${from}]}]`,
  );

const findings = (text: string): string[] =>
  checkInputs([{ source: 'r.yaml', text }])
    .findings.filter((f) => RULES.includes(f.id))
    .map((f) => `${f.id} ${f.severity} ${f.resourceId} ${f.field}: ${f.message}`);

const SERVES = 'Deployment hooks/hook serves mutating webhook hook.example.com (failurePolicy Fail)';
const TABLE: Record<string, { input: string; expected: string[] }> = {
  'a healthy release: nothing': { input: release(), expected: [] },
  'no readinessProbe': {
    input: release({ probe: false }),
    expected: [
      'backend-readiness warning apps/v1 Deployment hooks/hook spec/template/spec/containers: ' +
        `${SERVES}, but none of its containers has a readinessProbe: each new pod receives webhook calls as soon as it ` +
        'starts, before its server answers.',
    ],
  },
  'no memory limit, and no priority class while the webhook covers kube-system pods': {
    input: release({ memory: { request: '64Mi' }, priority: false }),
    expected: [
      'backend-resources warning apps/v1 Deployment hooks/hook spec/template/spec: ' +
        `${SERVES}: container server has no memory limit; it has no priorityClassName, while hook.example.com ` +
        'cover(s) what nodes and kube-system need.',
    ],
  },
  'a memory limit below the request (1G < 1Gi)': {
    input: release({ memory: { request: '1Gi', limit: '1G' } }),
    expected: [
      'backend-resources warning apps/v1 Deployment hooks/hook spec/template/spec: ' +
        `${SERVES}: container server's memory limit is below its request.`,
    ],
  },
  'a certificate without the name the API server calls': {
    input: release({ dnsNames: ['hook-svc', 'hook-svc.hooks'] }),
    expected: [
      'certificate-names error cert-manager.io/v1 Certificate hooks/hook-cert spec/dnsNames: ' +
        'Certificate hooks/hook-cert (Secret hook-tls) serves webhook hook.example.com, mounted by Deployment hooks/hook, ' +
        'but names hook-svc and hook-svc.hooks, not hook-svc.hooks.svc: every call fails TLS ' +
        '(x509: certificate is valid for hook-svc, not hook-svc.hooks.svc).',
    ],
  },
  'a wildcard for the namespace covers the Service': { input: release({ dnsNames: ['"*.hooks.svc"'] }), expected: [] },
  'two releases mount one serving Secret': {
    input: release({ secret: 'webhook-server-cert' }) + '---\n' + release({ name: 'other', secret: 'webhook-server-cert' }),
    // Both Certificates write the one Secret, and neither names the other's Service: whichever wrote last breaks the other.
    expected: [
      'certificate-names error cert-manager.io/v1 Certificate hooks/hook-cert spec/dnsNames: ' +
        'Certificate hooks/hook-cert (Secret webhook-server-cert) serves webhook other.example.com, mounted by ' +
        'Deployment hooks/other, but names hook-svc.hooks.svc and hook-svc.hooks.svc.cluster.local, not ' +
        'other-svc.hooks.svc: every call fails TLS (x509: certificate is valid for hook-svc.hooks.svc, not other-svc.hooks.svc).',
      'certificate-names error cert-manager.io/v1 Certificate hooks/other-cert spec/dnsNames: ' +
        'Certificate hooks/other-cert (Secret webhook-server-cert) serves webhook hook.example.com, mounted by ' +
        'Deployment hooks/hook, but names other-svc.hooks.svc and other-svc.hooks.svc.cluster.local, not ' +
        'hook-svc.hooks.svc: every call fails TLS (x509: certificate is valid for other-svc.hooks.svc, not hook-svc.hooks.svc).',
      'certificate-names warning apps/v1 Deployment hooks/other spec/template/spec/volumes: ' +
        'Secret hooks/webhook-server-cert is mounted by the backends of Services hooks/hook-svc and hooks/other-svc ' +
        '(Deployment hooks/hook and Deployment hooks/other): one serving certificate for two webhook Services, so calls ' +
        'to one are answered with a certificate made for the other unless it names both (hooks/hook-svc first).',
    ],
  },
  'the CA of one Certificate injected, a Secret no Certificate writes mounted': {
    input: release({ inject: true, mounts: 'hand-made-tls' }),
    expected: [
      'certificate-names warning apps/v1 Deployment hooks/hook spec/template/spec/volumes: ' +
        "Deployment hooks/hook mounts Secret hooks/hand-made-tls and webhook hook.example.com's configuration injects " +
        'the CA of Certificate hooks/hook-cert, but no Certificate of the input writes that Secret: the pod waits for a ' +
        'Secret nobody creates, or serves a key the injected CA did not sign.',
    ],
  },
  'the CA injected and its Certificate mounted: nothing': { input: release({ inject: true }), expected: [] },
  'a NetworkPolicy that admits only pods': {
    input: release() + policy('{podSelector: {}}, {namespaceSelector: {}}'),
    expected: [
      'network-policy warning networking.k8s.io/v1 NetworkPolicy hooks/only-pods spec/ingress: ' +
        'NetworkPolicy hooks/only-pods selects the pods of Deployment hooks/hook, which serve hook.example.com ' +
        "(failurePolicy Fail), and admits only traffic from pod and namespace selectors: the API server's webhook calls " +
        'do not come from a pod and are dropped on most CNIs.',
    ],
  },
  'a NetworkPolicy with an ipBlock for the control plane: nothing': {
    input: release() + policy('{podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/24}}'),
    expected: [],
  },
};

for (const [name, c] of Object.entries(TABLE))
  test(name, () => {
    assert.equal(findings(c.input), c.expected);
  });

test.run();
