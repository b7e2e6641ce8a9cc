// drop-webhooks: removes exactly the named webhooks (with their lines) or configurations, reports each, refuses a
// name that matches nothing; the other transforms still edit what is left, and cannot remove.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/errors.js';
import { Context } from '../../src/transform.js';
import { Model } from '../../src/model/model.js';
import { splitStream } from '../../src/yaml/stream.js';
import { config, lines, run } from '../support/helpers.js';

const test = suite('drop-webhooks');

const hook = (name: string, policy = 'Ignore'): string[] => [
  `- name: ${name}`,
  '  admissionReviewVersions: [v1]',
  '  sideEffects: None',
  `  failurePolicy: ${policy}`,
  '  clientConfig: {service: {namespace: hooks, name: hooks, path: /v}}',
  '  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
];
const configuration = (kind: string, name: string, hooks: string[][]): string =>
  lines(
    `apiVersion: admissionregistration.k8s.io/v1`,
    `kind: ${kind}`,
    `metadata: {name: ${name}}`,
    'webhooks:',
    ...hooks.flat(),
  );
const CM = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: keep, namespace: hooks}', 'data: {a: b}');
const VALIDATING = configuration('ValidatingWebhookConfiguration', 'policy', [
  hook('a.example.com'),
  hook('b.example.com'),
  hook('c.example.com'),
]);
const MUTATING = configuration('MutatingWebhookConfiguration', 'defaults', [hook('a.example.com')]);

const drop = (options: Record<string, unknown>, also: string[] = []) =>
  config(['drop-webhooks', ...also], { 'drop-webhooks': { enabled: true, ...options } });

test('one webhook of three: its lines go, the rest of the stream is byte for byte', () => {
  const input = CM + '---\n' + VALIDATING;
  const r = run(input, drop({ webhooks: ['policy/b.example.com'] }));
  assert.fixture(
    r.output,
    CM + '---\n' + configuration('ValidatingWebhookConfiguration', 'policy', [hook('a.example.com'), hook('c.example.com')]),
  );
  assert.equal(
    r.changes.map((c) => [c.transform, c.resource, c.path, c.after, c.why]),
    [
      [
        'drop-webhooks',
        'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration policy',
        'webhooks[b.example.com]',
        undefined,
        'webhooks names b.example.com: removed as asked',
      ],
    ],
  );
});

test('the first and the last of three, in one run', () => {
  const r = run(VALIDATING, drop({ webhooks: ['policy/a.example.com', 'c.example.com'] }));
  assert.fixture(r.output, configuration('ValidatingWebhookConfiguration', 'policy', [hook('b.example.com')]));
});

test('a flow list is rewritten without the item', () => {
  const input = lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: flow}',
    'webhooks: [{name: a.example.com, failurePolicy: Ignore}, {name: b.example.com, failurePolicy: Ignore}]',
  );
  const r = run(input, drop({ webhooks: ['b.example.com'] }));
  assert.fixture(
    r.output,
    lines(
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata: {name: flow}',
      'webhooks: [ { name: a.example.com, failurePolicy: Ignore } ]',
    ),
  );
});

test('a whole configuration, by name or by naming all its webhooks: the document goes', () => {
  const input = CM + '---\n' + MUTATING + '---\n' + VALIDATING;
  assert.fixture(run(input, drop({ configurations: ['defaults'] })).output, CM + '---\n' + VALIDATING);
  const all = run(input, drop({ webhooks: ['policy/a.example.com', 'policy/b.example.com', 'policy/c.example.com'] }));
  assert.fixture(all.output, CM + '---\n' + MUTATING);
  assert.equal(
    all.changes.map((c) => [c.resource, c.path, c.why]),
    [
      [
        'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration policy',
        '',
        'webhooks names every webhook of policy: the configuration is removed as asked',
      ],
    ],
  );
});

test('the other transforms edit what is left, at its new index', () => {
  const input = configuration('ValidatingWebhookConfiguration', 'policy', [hook('a.example.com'), hook('b.example.com', 'Fail')]);
  const r = run(input, drop({ webhooks: ['a.example.com'] }, ['exclude-namespaces']));
  assert.fixture(
    r.output,
    configuration('ValidatingWebhookConfiguration', 'policy', [
      [
        ...hook('b.example.com', 'Fail'),
        '  namespaceSelector:',
        '    matchExpressions:',
        '    - key: kubernetes.io/metadata.name',
        '      operator: NotIn',
        '      values:',
        '      - hooks',
        '      - kube-system',
      ],
    ]),
  );
});

const REFUSED: Record<string, [Record<string, unknown>, string]> = {
  'a webhook name that matches nothing': [
    { webhooks: ['typo.example.com'] },
    "drop-webhooks: webhooks[0] typo.example.com: no webhook of that name in the input's configurations",
  ],
  'a name in two configurations': [
    { webhooks: ['a.example.com'] },
    'drop-webhooks: webhooks[0] a.example.com: in defaults and policy; name it as configuration-name/webhook-name',
  ],
  'a configuration that is not there': [
    { configurations: ['nope'] },
    'drop-webhooks: configurations[0] nope: no MutatingWebhookConfiguration ' +
      'or ValidatingWebhookConfiguration of that name in the input',
  ],
};
for (const [name, [options, message]] of Object.entries(REFUSED))
  test(`refused: ${name}`, () => {
    assert.throws(
      () => run(MUTATING + '---\n' + VALIDATING, drop(options)),
      (e: unknown) => e instanceof ConfigError && e.message === message,
    );
  });

test('no other transform may remove: its context refuses', () => {
  const model = Model.read(splitStream(VALIDATING));
  const ctx = new Context(model, { kubeVersion: '1.30' }).for('exclude-namespaces');
  const r = model.resources[0];
  assert.throws(() => ctx.removeItem(r, ['webhooks', 0], 'x'), /exclude-namespaces: transforms do not remove/);
  assert.throws(() => ctx.dropDocument(r, 'x'), /exclude-namespaces: transforms do not remove/);
});

test.run();
