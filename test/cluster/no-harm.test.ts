// Do no harm, on a real API server: webhooks that cannot deadlock their backend keep their whole function after hardening.
import * as assert from 'uvu/assert';
import { cli, gatedSuite, lines } from '../support/helpers.js';
import { missingControlPlane, startCluster } from './harness.js';
import { kubectl, ok, pick, ready, webhookConfigurations } from './kube.js';

const test = gatedSuite('cluster: webhooks that cannot deadlock keep their function', missingControlPlane());

// A MetalLB-like operator: its IPAddressPools may only live in metallb-system, where its webhook validates them.
const metallb = lines(
  '---',
  'apiVersion: apiextensions.k8s.io/v1',
  'kind: CustomResourceDefinition',
  'metadata:',
  '  name: ipaddresspools.metallb.io',
  'spec:',
  '  group: metallb.io',
  '  names: {kind: IPAddressPool, listKind: IPAddressPoolList, plural: ipaddresspools, singular: ipaddresspool}',
  '  scope: Namespaced',
  '  versions:',
  '    - name: v1beta1',
  '      served: true',
  '      storage: true',
  '      schema:',
  '        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: metallb-webhook-service',
  '  namespace: metallb-system',
  'spec:',
  '  ports: [{port: 443, targetPort: 9443}]',
  '  selector: {app.kubernetes.io/name: metallb, app.kubernetes.io/component: controller}',
  '---',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingWebhookConfiguration',
  'metadata:',
  '  name: metallb-webhook-configuration',
  'webhooks:',
  '  - name: ipaddresspoolvalidationwebhook.metallb.io',
  '    admissionReviewVersions: [v1]',
  '    sideEffects: None',
  '    failurePolicy: Fail',
  '    clientConfig:',
  '      service: {name: metallb-webhook-service, namespace: metallb-system, path: /validate-metallb-io-v1beta1-ipaddresspool}',
  '    rules: [{apiGroups: [metallb.io], apiVersions: [v1beta1], operations: [CREATE, UPDATE], resources: [ipaddresspools]}]',
);

// A sidecar injector that only sees pods opting in; its own pods (and everyone else's) do not.
const injector = lines(
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: istiod',
  '  namespace: istio-system',
  'spec:',
  '  ports: [{port: 443, targetPort: 15017}]',
  '  selector: {app: istiod}',
  '---',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: MutatingWebhookConfiguration',
  'metadata:',
  '  name: istio-sidecar-injector',
  'webhooks:',
  '  - name: object.sidecar-injector.istio.io',
  '    admissionReviewVersions: [v1]',
  '    sideEffects: None',
  '    failurePolicy: Fail',
  '    clientConfig:',
  '      service: {name: istiod, namespace: istio-system, path: /inject}',
  '    objectSelector:',
  '      matchLabels: {sidecar.istio.io/inject: "true"}',
  '    rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
);

const pod = (namespace: string, labels: Record<string, string>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'gateway-', namespace, labels },
    spec: { containers: [{ name: 'proxy', image: 'auto' }] },
  });

test('MetalLB-like and injector renders come out unchanged, and their webhooks still act in their own namespaces', async () => {
  const stream = metallb + injector;
  const hardened = cli([], stream);
  assert.is(hardened.status, 0, hardened.stderr);
  assert.is(hardened.stdout, stream, 'nothing to change');
  const c = await startCluster();
  try {
    ok(c, ['create', 'namespace', 'metallb-system']);
    ok(c, ['create', 'namespace', 'istio-system']);
    await ready(c, ['metallb-system', 'istio-system']);
    ok(c, ['apply', '--server-side', '-f', '-'], { input: pick(hardened.stdout, ['CustomResourceDefinition']) });
    ok(c, ['wait', '--for=condition=Established', 'crd/ipaddresspools.metallb.io', '--timeout=30s']);
    ok(c, ['apply', '--server-side', '-f', '-'], { input: pick(hardened.stdout, ['Service']) });
    ok(c, ['apply', '--server-side', '-f', '-'], { input: webhookConfigurations(hardened.stdout, c.caCert) });
    const poolDoc = JSON.stringify({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'pool', namespace: 'metallb-system' },
      spec: { addresses: ['192.0.2.0/28'] },
    });
    const created = kubectl(c, ['create', '-f', '-'], { input: poolDoc });
    // The backend is not running: a call that reaches for it is the proof that validation still happens there.
    assert.is.not(created.status, 0, 'an IPAddressPool in metallb-system must still be validated');
    assert.match(created.stderr, 'failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io"');
    const optIn = kubectl(c, ['create', '-f', '-', '-o', 'name'], {
      input: pod('istio-system', { 'sidecar.istio.io/inject': 'true' }),
    });
    assert.is.not(optIn.status, 0, 'a gateway that opts in in istio-system must still be injected');
    assert.match(optIn.stderr, 'failed calling webhook "object.sidecar-injector.istio.io"');
    const plain = kubectl(c, ['create', '-f', '-', '-o', 'name'], { input: pod('istio-system', { app: 'istiod' }) });
    assert.is(plain.status, 0, `the injector's own pods never opt in, so they start: ${plain.stderr}`);
    console.log(`    pool: ${created.stderr.trim()}\n    istiod pod: ${plain.stdout.trim()}`);
  } finally {
    await c.stop();
  }
});

test.run();
