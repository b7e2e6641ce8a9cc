// check findings for CRD conversion webhooks: backend availability, the Service chain, and the caBundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkInputs } from '../../src/check/run.js';
import { CORPUS, lines, needsCorpus } from '../support/helpers.js';

function crd(clientConfig: string[], annotations: string[] = []): string {
  return lines(
    '---',
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    ...(annotations.length ? ['  annotations:', ...annotations] : []),
    '  name: widgets.example.com',
    'spec:',
    '  conversion:',
    '    strategy: Webhook',
    '    webhook:',
    '      clientConfig:',
    ...clientConfig,
    '      conversionReviewVersions: [v1]',
    '  group: example.com',
    '  names: {kind: Widget, plural: widgets}',
    '  scope: Namespaced',
  );
}
const toService = ['        service: {name: widgets, namespace: ops, path: /convert}'];
const svc = (selector = '{app: widgets}', targetPort = 9443) =>
  lines(
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: widgets, namespace: ops}',
    'spec:',
    `  selector: ${selector}`,
    `  ports: [{port: 443, targetPort: ${targetPort}}]`,
  );
const deploy = (name: string, replicas: number, labels = '{app: widgets}') =>
  lines(
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}, namespace: ops}`,
    'spec:',
    `  replicas: ${replicas}`,
    `  selector: {matchLabels: ${labels}}`,
    '  template:',
    `    metadata: {labels: ${labels}}`,
    '    spec: {containers: [{name: m, ports: [{containerPort: 9443}]}]}',
  );
const pdb = lines(
  '---',
  'apiVersion: policy/v1',
  'kind: PodDisruptionBudget',
  'metadata: {name: widgets, namespace: ops}',
  'spec: {maxUnavailable: 1, selector: {matchLabels: {app: widgets}}}',
);
const CA = ['        caBundle: LS0tLS1CRUdJTg=='];

function findings(text: string, id: string): Array<{ severity: string; message: string; resourceId: string }> {
  return checkInputs([{ source: 'in.yaml', text }]).findings.filter((f) => f.id === id);
}
const OUTAGE =
  /widgets\.example\.com converts through it, and a conversion webhook always fails closed: .*namespaces stuck in Terminating/;

test('a conversion backend with one replica and no PDB is a single point of failure, explained as conversion', () => {
  const f = findings(svc() + deploy('widgets', 1) + crd([...toService, ...CA]), 'single-point-of-failure');
  assert.is(f.length, 1);
  assert.is(f[0].resourceId, 'apps/v1 Deployment ops/widgets');
  assert.match(f[0].message, /1 replica and no PodDisruptionBudget/);
  assert.match(f[0].message, OUTAGE);
  assert.equal(findings(svc() + deploy('widgets', 2) + pdb + crd([...toService, ...CA]), 'single-point-of-failure'), []);
});

test('no endpoints: the Service missing, selecting no pods, or targeting a port no container has', () => {
  const missing = findings(deploy('widgets', 2) + pdb + crd([...toService, ...CA]), 'no-endpoints');
  assert.is(missing.length, 1);
  assert.match(missing[0].message, /Service ops\/widgets is not in the input/);
  assert.match(missing[0].message, OUTAGE);
  const none = findings(svc('{app: other}') + deploy('widgets', 2) + pdb + crd([...toService, ...CA]), 'no-endpoints');
  assert.is(none.length, 1);
  assert.match(none[0].message, /selects no pods|no pods/);
  const port = findings(svc('{app: widgets}', 8080) + deploy('widgets', 2) + pdb + crd([...toService, ...CA]), 'no-endpoints');
  assert.is(port.length, 1);
  // A Service routes a numeric targetPort whatever the containers declare: a note, not an outage.
  assert.is(port[0].severity, 'info');
  assert.match(
    port[0].message,
    /targets 8080, which no selected container declares \(9443\); a Service routes a numeric port regardless, so calls reach the server only if it listens there\./,
  );
  assert.not.match(port[0].message, /every matching request is rejected/);
  assert.equal(findings(svc() + deploy('widgets', 2) + pdb + crd([...toService, ...CA]), 'no-endpoints'), []);
});

test('a Service of a conversion webhook that selects the pods of two workloads overlaps', () => {
  const f = findings(
    svc('{control-plane: controller-manager}') +
      deploy('widgets', 2, '{control-plane: controller-manager}') +
      deploy('other', 2, '{control-plane: controller-manager}') +
      crd([...toService, ...CA]),
    'service-selector-overlap',
  );
  assert.is(f.length, 1);
  assert.is(f[0].severity, 'error');
  assert.match(f[0].message, OUTAGE);
});

test('caBundle: absent with nothing to inject it is a warning; injected, present, or runtime-managed is not', () => {
  const base = svc() + deploy('widgets', 2) + pdb;
  const bare = findings(base + crd(toService), 'conversion-ca-bundle');
  assert.is(bare.length, 1);
  assert.is(bare[0].severity, 'warning');
  assert.match(
    bare[0].message,
    /no caBundle and no cert-manager.io\/inject-ca-from annotation: .* every conversion fails TLS\. widgets\.example\.com converts through it/,
  );
  assert.equal(
    findings(base + crd(toService, ['    cert-manager.io/inject-ca-from: ops/widgets-cert']), 'conversion-ca-bundle'),
    [],
  );
  assert.equal(findings(base + crd([...toService, ...CA]), 'conversion-ca-bundle'), []);
  const admission = lines(
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: w}',
    'webhooks:',
    '- name: v.widgets.example.com',
    '  clientConfig: {service: {name: widgets, namespace: ops}}',
    '  rules: []',
  );
  const runtime = findings(base + admission + crd(toService), 'conversion-ca-bundle');
  assert.equal(
    runtime.map((f) => f.severity),
    ['info'],
    'the admission webhooks of the Service have no caBundle either: the controller injects it',
  );
});

needsCorpus(test, 'corpus: kueue-0.11.4 + lws-0.6.1 report the overlap for the LWS conversion webhook too', [], () => {
  const read = (name: string) => ({ source: name, text: readFileSync(join(CORPUS, name), 'utf8') });
  const f = checkInputs([read('kueue-0.11.4.yaml'), read('lws-0.6.1-in-kueue-system.yaml')]).findings.filter(
    (x) => x.id === 'service-selector-overlap',
  );
  assert.equal(
    f.map((x) => x.resourceId),
    ['v1 Service kueue-system/lws-webhook-service'],
  );
  assert.match(
    f[0].message,
    /leaderworkersets\.leaderworkerset\.x-k8s\.io converts through it, and a conversion webhook always fails closed/,
  );
});

needsCorpus(test, 'corpus: chart bugs in conversion clientConfigs are found (kruise 1.9.0-alpha.3, lws 0.10.0)', [], () => {
  const read = (name: string) => ({ source: name, text: readFileSync(join(CORPUS, name), 'utf8') });
  const kruise = checkInputs([read('kruise-1.9.0-alpha.3-default.yaml')]).findings.filter((x) => x.id === 'no-endpoints');
  assert.equal(
    kruise.map((x) => /conversion webhook (\S+)/.exec(x.message)?.[1]),
    ['daemonsets.apps.kruise.io', 'sidecarsets.apps.kruise.io'],
  );
  const lws = checkInputs([read('lws-0.10.0-in-kueue-system.yaml')]).findings.filter((x) => x.id === 'no-endpoints');
  assert.match(lws[0].message, /Service lws-system\/lws-webhook-service is not in the input/);
});

test.run();
