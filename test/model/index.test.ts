// The model's indexes: kept across edits of values, worked out again when resources come or go.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Admission } from '../../src/model/admission.js';
import { Model } from '../../src/model/model.js';
import { resolveConfig } from '../../src/pipeline/config.js';
import { Context } from '../../src/transform.js';
import { splitStream } from '../../src/yaml/stream.js';
import { lines } from '../support/helpers.js';

const NAME = 'kubernetes.io/metadata.name';

const stream = lines(
  '---',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingWebhookConfiguration',
  'metadata: {name: hook}',
  'webhooks:',
  '- name: v.hook.io',
  '  clientConfig: {service: {name: hook, namespace: sys}}',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: a, namespace: sys}',
  'spec: {template: {metadata: {labels: {app: a}}}}',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: b, namespace: sys}',
  'spec: {template: {metadata: {labels: {app: b}}}}',
);

test('ofKind, serviceOf and selectedWorkloads follow edits and additions, and lists given out stay as they were', () => {
  const model = Model.read(splitStream(stream));
  const ctx = new Context(model, { kubeVersion: resolveConfig(undefined).kubeVersion }).for('test', false);
  const [w] = model.webhooks();
  const deployments = model.ofKind('Deployment');
  assert.is(model.serviceOf(w), undefined);
  const svc = model.add(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hook', namespace: 'sys' }, spec: { selector: { app: 'a' } } },
    'test',
  );
  assert.is(model.serviceOf(w), svc, 'a Service added later is found');
  assert.equal(
    model.backendsOf(w).map((r) => r.name),
    ['a'],
  );
  ctx.set(svc, ['spec', 'selector', 'app'], 'b', 'test');
  assert.equal(
    model.backendsOf(w).map((r) => r.name),
    ['b'],
    'an edited selector is read again',
  );
  model.add({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'c', namespace: 'sys' } }, 'test');
  assert.equal(
    deployments.map((r) => r.name),
    ['a', 'b'],
    'the list given out before the addition',
  );
  assert.equal(
    model.ofKind('Deployment').map((r) => r.name),
    ['a', 'b', 'c'],
  );
  assert.equal(
    model.ofKind('Service', 'Deployment').map((r) => r.name),
    ['a', 'b', 'hook', 'c'],
  );
});

test('remembered answers last until a resource of their kinds is edited, or resources come or go', () => {
  const model = Model.read(splitStream(stream));
  const ctx = new Context(model, { kubeVersion: resolveConfig(undefined).kubeVersion }).for('test', false);
  let made = 0;
  const ask = () => model.remembered('test', ['ValidatingWebhookConfiguration'], () => ++made);
  const [a] = model.ofKind('Deployment');
  const [hook] = model.ofKind('ValidatingWebhookConfiguration');
  assert.equal([ask(), ask()], [1, 1]);
  ctx.set(a, ['spec', 'replicas'], 2, 'test');
  assert.is(ask(), 1, 'an edit of another kind keeps it');
  ctx.set(hook, ['metadata', 'labels'], { x: 'y' }, 'test');
  assert.is(ask(), 2, 'an edit of its kind drops it');
  model.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'sys' } }, 'test');
  assert.is(ask(), 3, 'an addition drops it');
});

test('webhooks: the same list until a configuration is edited, then the edit; a list given out stays as it was', () => {
  const model = Model.read(splitStream(stream));
  const ctx = new Context(model, { kubeVersion: resolveConfig(undefined).kubeVersion }).for('test', false);
  const first = model.webhooks();
  assert.equal(
    first.map((w) => [w.name, w.failurePolicy]),
    [['v.hook.io', 'Fail']],
  );
  assert.ok(model.webhooks()[0] === first[0], 'asked again before an edit: the same webhook');
  first.pop();
  assert.is(model.webhooks().length, 1, 'a caller changing its list changes no other');
  const [hook] = model.ofKind('ValidatingWebhookConfiguration');
  ctx.set(hook, ['webhooks', 0, 'failurePolicy'], 'Ignore', 'test');
  assert.equal(
    model.webhooks().map((w) => [w.name, w.failurePolicy]),
    [['v.hook.io', 'Ignore']],
  );
});

test('place orders documents as the stream does, with documents added between questions, in any number', () => {
  const model = Model.read(splitStream(stream));
  const [a, b] = model.ofKind('Deployment');
  const order = (): number[] => model.docs.map((d) => model.place(d));
  assert.is(order().length, 3);
  const added = [];
  // After a, again and again (each after the ones added before it), and first: past the places' precision.
  for (let i = 0; i < 70; i++) {
    added.push(
      model.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'sys' } }, 'test', { after: a }),
    );
    added.push(
      model.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `f${i}`, namespace: 'sys' } }, 'test', { first: true }),
    );
    const places = order();
    assert.ok(
      places.every((p, k) => k === 0 || p > places[k - 1]),
      `in stream order after ${i + 1} rounds`,
    );
  }
  assert.ok(model.place(a.doc) < model.place(added[0].doc) && model.place(added[0].doc) < model.place(b.doc));
  assert.is(model.place({ segment: { index: -1, text: '', offset: -1, line: 0 } }), -1, 'not in the stream');
});

test('blocksNeeds answers for a webhook as it is now, after an edit of a field inside its selector', () => {
  const pods = lines(
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    'metadata: {name: hook}',
    'webhooks:',
    '- name: m.hook.io',
    '  failurePolicy: Fail',
    '  clientConfig: {service: {name: hook, namespace: sys}}',
    '  namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}',
    '  rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]',
  );
  const model = Model.read(splitStream(pods));
  const ctx = new Context(model, { kubeVersion: resolveConfig(undefined).kubeVersion }).for('test', false);
  const admission = new Admission(model);
  const [hook] = model.ofKind('MutatingWebhookConfiguration');
  const ask = (): string => admission.blocksNeeds(model.webhooks()[0], 'kube-system', { [NAME]: 'kube-system' }).verdict;
  assert.equal([ask(), ask()], ['yes', 'yes']);
  ctx.set(hook, ['webhooks', 0, 'namespaceSelector', 'matchExpressions', 0, 'operator'], 'Exists', 'test');
  assert.is(ask(), 'no', 'the selector as edited');
});

test.run();
