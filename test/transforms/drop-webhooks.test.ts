// drop-webhooks: removes exactly the named webhooks (with their lines) or configurations, reports each, refuses a
// name that matches nothing; the other transforms still edit what is left, never what is gone, and cannot remove.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/errors.js';
import { Context } from '../../src/transform.js';
import { Model } from '../../src/model/model.js';
import { defaultConfig } from '../../src/pipeline/config.js';
import { jsonReport, summary, textReport } from '../../src/pipeline/report.js';
import { splitStream } from '../../src/yaml/stream.js';
import { config, lines, run, runMain } from '../support/helpers.js';

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

// A Fail webhook on pods CREATE that calls a Service of the stream: every default transform has work on it.
const SERVICE = lines(
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: hooks, namespace: hooks}',
  'spec:',
  '  selector: {app: hooks}',
  '  ports: [{port: 443, targetPort: 8443}]',
);
const DEPLOYMENT = lines(
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: hooks, namespace: hooks}',
  'spec:',
  '  replicas: 1',
  '  selector: {matchLabels: {app: hooks}}',
  '  template:',
  '    metadata: {labels: {app: hooks}}',
  '    spec: {containers: [{name: hooks, image: hooks:1, ports: [{containerPort: 8443}]}]}',
);
const FAIL = configuration('MutatingWebhookConfiguration', 'hooks', [hook('pods.hooks.io', 'Fail')]);
const STREAM = SERVICE + '---\n' + DEPLOYMENT + '---\n' + FAIL;
// With every default transform on as well: drop-webhooks is off by default, so it is switched on here.
const everything = (options: Record<string, unknown>) => {
  const c = defaultConfig();
  Object.assign(c.transforms['drop-webhooks'], { enabled: true, ...options });
  return c;
};
const REMOVED_WHY = {
  configurations: 'configurations names hooks: removed as asked, with all its webhooks',
  webhooks: 'webhooks names every webhook of hooks: the configuration is removed as asked',
};

const gone = suite('drop-webhooks: what is dropped is gone for every later transform');
for (const [how, options] of Object.entries({
  configurations: { configurations: ['hooks'] },
  webhooks: { webhooks: ['pods.hooks.io'] },
}))
  gone(
    `the configuration dropped by ${how}: no later edit, addition, warning or note; the reports say one resource removed`,
    () => {
      const r = run(STREAM, everything(options));
      assert.fixture(r.output, SERVICE + '---\n' + DEPLOYMENT);
      const why = REMOVED_WHY[how as keyof typeof REMOVED_WHY];
      assert.equal(r.warnings, []);
      assert.equal(r.notes, []);
      assert.equal(r.model.webhooks(), []);
      assert.is(summary(r.changes, r.warnings, r.notes), 'webhook-guard: 1 resource removed (drop-webhooks 1)');
      assert.fixture(
        textReport(r.changes, r.warnings, r.notes),
        lines(
          '- drop-webhooks: removed admissionregistration.k8s.io/v1 MutatingWebhookConfiguration hooks (document 3)',
          `    why: ${why}`,
        ),
      );
      const before = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'hooks' },
        webhooks: [
          {
            name: 'pods.hooks.io',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Fail',
            clientConfig: { service: { namespace: 'hooks', name: 'hooks', path: '/v' } },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          },
        ],
      };
      assert.fixture(
        jsonReport(r.changes, r.warnings, '0.1.0', r.notes),
        JSON.stringify(
          {
            tool: 'webhook-guard',
            version: '0.1.0',
            changes: [
              {
                transform: 'drop-webhooks',
                resource: 'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration hooks',
                document: 3,
                path: '',
                before,
                why,
              },
            ],
            warnings: [],
            notes: [],
          },
          null,
          2,
        ) + '\n',
      );
    },
  );

gone('one entry dropped: the later transforms edit, count and warn about the one left, never the one gone', () => {
  const both = configuration('MutatingWebhookConfiguration', 'hooks', [
    hook('pods.hooks.io', 'Fail'),
    hook('keep.hooks.io', 'Fail'),
  ]);
  const r = run(SERVICE + '---\n' + DEPLOYMENT + '---\n' + both, everything({ webhooks: ['pods.hooks.io'] }));
  const names = (texts: string[]) => texts.filter((t) => t.includes('pods.hooks.io'));
  assert.equal(names(r.changes.slice(1).map((c) => `${c.path} ${JSON.stringify(c.after)} ${c.why}`)), []);
  assert.equal(names(r.warnings.map((w) => w.message)), []);
  assert.equal(
    r.model.webhooks().map((w) => w.name),
    ['keep.hooks.io'],
  );
  assert.equal(
    r.changes.map((c) => [c.transform, c.path]),
    [
      ['drop-webhooks', 'webhooks[pods.hooks.io]'],
      ['exclude-namespaces', 'webhooks[keep.hooks.io]/namespaceSelector/matchExpressions'],
      ['guard-cluster-scoped', 'webhooks[keep.hooks.io]/matchConditions'],
      ['webhook-replicas', ''],
    ],
  );
  assert.is(
    summary(r.changes, r.warnings, r.notes),
    'webhook-guard: 3 fields changed in 1 resource, 1 resource added ' +
      '(drop-webhooks 1, exclude-namespaces 1, guard-cluster-scoped 1, webhook-replicas 1); 1 warning',
  );
});

gone(
  'through the CLI with a config file: stdout is the stream without the configuration, stderr the report and summary',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-drop-'));
    const file = join(dir, 'guard.yaml');
    writeFileSync(
      file,
      lines(
        'apiVersion: webhookguard.dev/v1alpha1',
        'kind: WebhookGuard',
        'metadata: {name: guard}',
        'spec:',
        '  transforms:',
        '    drop-webhooks: {enabled: true, configurations: [hooks]}',
      ),
    );
    const r = await runMain(STREAM, ['--config', file, '--report', 'text']);
    assert.is(r.exit, 0);
    assert.fixture(r.stdout, SERVICE + '---\n' + DEPLOYMENT);
    assert.fixture(
      r.stderr,
      lines(
        '- drop-webhooks: removed admissionregistration.k8s.io/v1 MutatingWebhookConfiguration hooks (document 3)',
        `    why: ${REMOVED_WHY.configurations}`,
        'webhook-guard: 1 resource removed (drop-webhooks 1)',
      ),
    );
  },
);
gone.run();

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

// A webhook that sets an anchor another webhook's alias repeats cannot go alone: the alias would have no value (it
// failed as "does not read back as intended: Unresolved alias"), or an earlier anchor's of the same name. Refused,
// naming the anchor, the webhooks and the two ways out; an alias goes with its webhook harmlessly.
const anchored = (name: string, selector: string): string[] =>
  hook(name).map((l) => (l.startsWith('  sideEffects') ? `${l}\n  namespaceSelector: ${selector}` : l));
const SEL = '{matchExpressions: [{key: team, operator: DoesNotExist}]}';
const SHARED = configuration('ValidatingWebhookConfiguration', 'policy', [
  anchored('a.example.com', `&sel ${SEL}`),
  anchored('b.example.com', '*sel'),
  hook('c.example.com'),
]);
const ANCHOR_REFUSED: Record<string, { input: string; webhooks: string[]; error: string }> = {
  'the webhook that sets the anchor, without the one that repeats it': {
    input: SHARED,
    webhooks: ['policy/a.example.com'],
    error:
      'document 1 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration policy, line 1): cannot apply ' +
      'drop-webhooks at webhooks[a.example.com]: webhooks[a.example.com]/namespaceSelector sets the YAML anchor &sel ' +
      'that webhooks[b.example.com]/namespaceSelector repeats through the alias *sel, so removing webhook ' +
      'a.example.com would leave webhook b.example.com without its value; write the value out in each place instead ' +
      'of the alias *sel, or drop webhook b.example.com too (add policy/b.example.com to ' +
      'spec.transforms.drop-webhooks.webhooks)',
  },
  'the webhook that sets the anchor again, before an alias: the alias would take the first value': {
    input: configuration('ValidatingWebhookConfiguration', 'policy', [
      anchored('a.example.com', '&sel {matchLabels: {a: b}}'),
      anchored('b.example.com', `&sel ${SEL}`),
      anchored('c.example.com', '*sel'),
    ]),
    webhooks: ['policy/b.example.com'],
    error:
      'document 1 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration policy, line 1): cannot apply ' +
      'drop-webhooks at webhooks[b.example.com]: webhooks[b.example.com]/namespaceSelector sets the YAML anchor &sel ' +
      'that webhooks[c.example.com]/namespaceSelector repeats through the alias *sel, so removing webhook ' +
      'b.example.com would leave webhook c.example.com without its value; write the value out in each place instead ' +
      'of the alias *sel, or drop webhook c.example.com too (add policy/c.example.com to ' +
      'spec.transforms.drop-webhooks.webhooks)',
  },
  'an alias outside the webhooks: the webhook can only stay': {
    input: lines(
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'webhooks:',
      ...hook('a.example.com').map((l) => l.replace('failurePolicy: Ignore', 'failurePolicy: &policy Ignore')),
      ...hook('b.example.com'),
      'metadata: {name: policy, annotations: {example.com/failure-policy: *policy}}',
    ),
    webhooks: ['policy/a.example.com'],
    error:
      'document 1 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration policy, line 1): cannot apply ' +
      'drop-webhooks at webhooks[a.example.com]: webhooks[a.example.com]/failurePolicy sets the YAML anchor &policy ' +
      'that metadata/annotations/example.com/failure-policy repeats through the alias *policy, so removing webhook ' +
      'a.example.com would leave metadata/annotations/example.com/failure-policy without its value; write the value ' +
      'out in each place instead of the alias *policy, or keep webhook a.example.com (take policy/a.example.com out ' +
      'of spec.transforms.drop-webhooks.webhooks)',
  },
};
for (const [name, c] of Object.entries(ANCHOR_REFUSED))
  test(`refused, a shared anchor: ${name}`, () => {
    assert.throws(
      () => run(c.input, drop({ webhooks: c.webhooks })),
      (e: Error) => {
        assert.is(e.message, c.error);
        return true;
      },
    );
  });

test('the webhooks that set an anchor and repeat it go together; an alias goes with its webhook', () => {
  const r = run(SHARED, drop({ webhooks: ['policy/a.example.com', 'policy/b.example.com'] }));
  assert.fixture(r.output, configuration('ValidatingWebhookConfiguration', 'policy', [hook('c.example.com')]));
  const alias = run(SHARED, drop({ webhooks: ['policy/b.example.com'] }));
  assert.fixture(
    alias.output,
    configuration('ValidatingWebhookConfiguration', 'policy', [anchored('a.example.com', `&sel ${SEL}`), hook('c.example.com')]),
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
