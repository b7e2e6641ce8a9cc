// The release namespace: inferred from the strongest evidence the stream has (Helm passes none to a post-renderer).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Model } from '../../src/model/model.js';
import { splitStream } from '../../src/yaml/stream.js';
import { lines } from '../support/helpers.js';

const svc = (ns?: string) =>
  lines(
    '---',
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: hook${ns ? `, namespace: ${ns}` : ''}}`,
    'spec: {selector: {app: h}}',
  );
const cm = (name: string, ns: string) =>
  lines('---', 'apiVersion: v1', 'kind: Service', `metadata: {name: ${name}, namespace: ${ns}}`);
const role = (ns: string) =>
  lines('---', 'apiVersion: rbac.authorization.k8s.io/v1', 'kind: Role', `metadata: {name: r, namespace: ${ns}}`);
const webhook = (ns: string) =>
  lines(
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: v}',
    'webhooks:',
    `- {name: v.example.com, clientConfig: {service: {name: hook, namespace: ${ns}}}}`,
  );
const crd = (ns: string) =>
  lines(
    '---',
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    '  name: widgets.example.com',
    'spec:',
    '  group: example.com',
    '  names: {plural: widgets, kind: Widget}',
    '  scope: Namespaced',
    '  conversion:',
    '    strategy: Webhook',
    '    webhook:',
    `      clientConfig: {service: {name: hook, namespace: ${ns}}}`,
    '      conversionReviewVersions: [v1]',
  );
const namespace = (name: string) => lines('---', 'apiVersion: v1', 'kind: Namespace', `metadata: {name: ${name}}`);

const cases: Record<string, { input: string; namespace: string; evidence: string }> = {
  "a webhook's Service rendered without a namespace wins over foreign resources that outnumber the own ones": {
    input: svc() + cm('a', 'monitoring') + cm('b', 'monitoring') + cm('c', 'monitoring') + webhook('ops'),
    namespace: 'ops',
    evidence: 'webhook v.example.com calls Service ops/hook, which the stream renders without a namespace',
  },
  "a CRD conversion's Service counts the same way": {
    input: svc() + cm('a', 'monitoring') + crd('ops'),
    namespace: 'ops',
    evidence:
      'the conversion webhook of widgets.example.com calls Service ops/hook, which the stream renders without a namespace',
  },
  'a Service rendered with that namespace is no evidence (it names its own)': {
    input: svc('ops') + cm('a', 'monitoring') + cm('b', 'monitoring') + webhook('ops'),
    namespace: 'monitoring',
    evidence: 'the most common namespace of the stream',
  },
  'two webhooks that disagree are no evidence': {
    input: svc() + cm('a', 'monitoring') + webhook('ops') + webhook('dev').replace('name: v}', 'name: w}'),
    namespace: 'monitoring',
    evidence: 'the most common namespace of the stream',
  },
  'a rendered Namespace the chart puts its resources in': {
    input: namespace('ops') + cm('a', 'ops') + cm('b', 'monitoring') + cm('c', 'monitoring'),
    namespace: 'ops',
    evidence: 'the stream renders Namespace ops and puts its resources there',
  },
  'a rendered Namespace only Roles name is not the release namespace (OpenKruise kruise-daemon-config)': {
    input: namespace('daemon-config') + role('daemon-config') + role('daemon-config') + cm('a', 'kruise-system'),
    namespace: 'kruise-system',
    evidence: 'the most common namespace of the stream',
  },
  'Roles do not vote: charts render them into the namespaces they watch': {
    input: role('team-a') + role('team-b') + role('team-a') + cm('a', 'ops'),
    namespace: 'ops',
    evidence: 'the most common namespace of the stream',
  },
  'nothing names a namespace': {
    input: svc(),
    namespace: 'default',
    evidence: 'no resource of the stream names a namespace',
  },
};

const test = suite('model: release namespace');
for (const [name, c] of Object.entries(cases))
  test(name, () => {
    const m = Model.read(splitStream(c.input));
    assert.is(m.defaultNamespace, c.namespace);
    assert.is(m.namespaceEvidence, c.evidence);
  });
test('--namespace wins over every inference', () => {
  const m = Model.read(splitStream(svc() + webhook('ops')), { namespace: 'given-ns' });
  assert.is(m.defaultNamespace, 'given-ns');
  assert.is(m.namespaceEvidence, 'given');
});
test('several inputs: each infers its own', () => {
  const m = Model.fromInputs([
    { source: 'a.yaml', text: svc() + cm('x', 'monitoring') + cm('y', 'monitoring') + webhook('ops') },
    { source: 'b.yaml', text: cm('z', 'team') },
  ]);
  assert.equal(
    m.docs.filter((d) => d.segment.source === 'a.yaml').map((d) => d.defaultNamespace),
    ['ops', 'ops', 'ops', 'ops'],
  );
  assert.equal(
    m.docs.filter((d) => d.segment.source === 'b.yaml').map((d) => d.defaultNamespace),
    ['team'],
  );
});
test.run();
