// CRD conversion webhooks: found without parsing CRD schemas, and their backends hardened like Fail webhooks'.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mayHoldConversion, readCrdConversion } from '../../src/yaml/crd-text.js';
import { lineScan, PIECE } from '../../src/yaml/line-scan.js';
import { Model, modelKinds } from '../../src/model/model.js';
import { splitBytes } from '../../src/yaml/byte-stream.js';
import { readStream } from '../../src/yaml/read-stream.js';
import { splitStream } from '../../src/yaml/stream.js';
import { CORPUS, corpusFiles, lines, run, needsCorpus } from '../support/helpers.js';
import { runCases } from '../support/table.js';

function crd(conversion: string[], extra: string[] = []): string {
  return lines(
    '---',
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    '  annotations:',
    '    cert-manager.io/inject-ca-from: ops/serving-cert',
    '  name: widgets.example.com',
    'spec:',
    ...conversion,
    '  group: example.com',
    '  names: {kind: Widget, plural: widgets}',
    '  scope: Namespaced',
    '  versions:',
    '  - name: v1',
    '    schema:',
    '      openAPIV3Schema:',
    "        description: 'A widget, described over",
    "        two lines the way only Go reads them'",
    ...extra,
  );
}

const webhookConversion = [
  '  conversion:',
  '    strategy: Webhook',
  '    webhook:',
  '      clientConfig:',
  '        service: {name: widgets, namespace: ops, path: /convert}',
  '      conversionReviewVersions: [v1]',
];

const read = suite('conversion: reading');

read('a CRD whose schema only Go can read: spec.conversion is read, the rest is never parsed', () => {
  const text = crd(webhookConversion);
  const got = readCrdConversion(text)!;
  assert.is(got.name, 'widgets.example.com');
  assert.equal(got.conversion.webhook.clientConfig.service, { name: 'widgets', namespace: 'ops', path: '/convert' });
  const m = Model.read(splitStream(text));
  assert.equal(
    m.conversions.map((w) => [w.name, w.type, w.failurePolicy, w.service]),
    [['widgets.example.com', 'conversion', 'Fail', { namespace: 'ops', name: 'widgets', port: 443 }]],
  );
  assert.is(m.webhooks().length, 0, 'conversion webhooks are not admission webhooks');
});

read('strategy None, and flow-style or v1beta1 client configs', () => {
  assert.is(readCrdConversion(crd(['  conversion:', '    strategy: None'])), undefined);
  const flow = readCrdConversion(
    lines(
      'kind: CustomResourceDefinition',
      'metadata: {name: a.b}',
      'spec: {conversion: {strategy: Webhook, webhook: {clientConfig: {url: "https://x"}}}}',
    ),
  )!;
  assert.is(flow.name, 'a.b');
  const beta = Model.read(
    splitStream(
      crd([
        '  conversion:',
        '    strategy: Webhook',
        '    webhookClientConfig:',
        '      service: {name: old, namespace: ops, port: 8443}',
      ]),
    ),
  );
  assert.equal(beta.conversions[0].service, { namespace: 'ops', name: 'old', port: 8443 });
});

read('a conversion webhook is found however Go can read it, from bytes and from text', () => {
  const service = '{service: {name: widgets, namespace: ops}}';
  const json = JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://x' } } } },
  });
  const cases: Array<[string, string, string[]]> = [
    [
      'flow style under a block spec',
      crd([`  conversion: {strategy: Webhook, webhook: {clientConfig: ${service}}}`]),
      ['widgets'],
    ],
    [
      'flow style over two lines',
      crd(['  conversion: {strategy: Webhook,', `    webhook: {clientConfig: ${service}}}`]),
      ['widgets'],
    ],
    [
      'the value spelled with an escape',
      crd(['  conversion:', '    strategy: "\\x57ebhook"', `    webhook: {clientConfig: ${service}}`]),
      ['widgets'],
    ],
    [
      'a quoted conversion key',
      crd(['  "conversion":', '    strategy: Webhook', `    webhook: {clientConfig: ${service}}`]),
      ['widgets'],
    ],
    [
      'the key and the value spelled with escapes',
      crd(['  "\\x63onversion":', '    strategy: "W\\x65bhook"', `    webhook: {clientConfig: ${service}}`]),
      ['widgets'],
    ],
    ['a JSON document', `---\n${json}\n`, ['']],
    ['a CRD in a List', lines('---', 'apiVersion: v1', 'kind: List', 'items:', ...json.split('\n').map((l) => `- ${l}`)), ['']],
    ['Webhook in a description only', crd(['  x-note: {description: the Webhook strategy is not used}']), []],
    ['strategy None', crd(['  conversion:', '    strategy: None']), []],
  ];
  for (const [name, text, services] of cases)
    for (const segments of [splitStream(text), splitBytes(Buffer.from(text))]) {
      const m = new Model(readStream(segments, modelKinds()));
      assert.equal(
        m.conversions.map((w) => w.service?.name ?? ''),
        services,
        name,
      );
    }
});

read('mayHoldConversion: the key and the value, written out or escaped into letters, and nothing less', () => {
  const cases: Array<[string, boolean]> = [
    ['conversion: {strategy: Webhook}', true],
    ['"\\x63onversion": {strategy: "W\\x65bhook"}', true],
    ['conversion: {strategy: "Web\\\n  hook"}', true],
    ['conversion: {strategy: "\\u0057ebhook"}', true],
    ['description: a Webhook, no key', false],
    ['conversion: {strategy: None}', false],
    ['pattern: "\\d+", conversion: {strategy: None}', false],
    ['conversion: {strategy: "Web\\thook"}', false],
  ];
  for (const [text, want] of cases) {
    assert.is(mayHoldConversion(text), want, text);
    assert.is(mayHoldConversion(Buffer.from(text)), want, `${text} (bytes)`);
  }
});

read('mayHoldConversion: large bytes, searched by the WebAssembly module, answer as Buffer searches do', () => {
  assert.ok(lineScan(), 'the module is made (as a large input does)');
  // 300 KiB of schema text, the words at its start, across the seam of the module's pieces, at its end, or missing.
  const filler = 'description: a Webhook field of the schema, no key here\n'.repeat(6000).slice(0, 300 << 10);
  const at = (k: number, word: string) => filler.slice(0, k) + word + filler.slice(k + word.length);
  for (const [name, text, want] of [
    ['at the start', at(0, 'conversion'), true],
    ['across the seam', at(PIECE - 4, 'conversion'), true],
    ['at the end', at(filler.length - 10, 'conversion'), true],
    ['missing', filler, false],
    ['cut short at the end', at(filler.length - 9, 'conversio'), false],
  ] as const) {
    const bytes = Buffer.from(text);
    assert.is(bytes.includes('conversion'), want, name);
    assert.is(mayHoldConversion(bytes), want, name);
  }
});

// inConfigMap is a ConfigMap ops/crds holding a text as the literal block scalar data.content.
const inConfigMap = (text: string): string =>
  lines('---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: crds, namespace: ops}', 'data:', '  content: |') +
  text
    .split('\n')
    .map((l) => (l ? '    ' + l : l))
    .join('\n');

read('CRDs kept in a ConfigMap (installed by a hook Job) are found too', () => {
  const m = Model.read(splitStream(inConfigMap(crd(webhookConversion))));
  assert.equal(
    m.conversions.map((w) => w.name),
    ['widgets.example.com (in ConfigMap ops/crds data.content)'],
  );
});

read('a ConfigMap of a CRD whose schema has a webhooks key is read whole too: its conversion and its value both', () => {
  // Capsule's CapsuleConfiguration CRD: `webhooks:` in the schema makes the ConfigMap one Kyverno could configure, which
  // is read; the look read it already for the CRD, and readOne takes that reading.
  const crdText = crd([...webhookConversion, '  versions:', '  - name: v1', '    schema:', '      webhooks: {}']);
  const cm = inConfigMap(crdText);
  for (const segments of [splitStream(cm), splitBytes(Buffer.from(cm))]) {
    const [doc] = readStream(segments, modelKinds());
    assert.equal(
      doc.conversions?.map((c) => c.where),
      ['ConfigMap ops/crds data.content'],
    );
    assert.ok(doc.read?.value, 'read whole');
    assert.is((doc.read!.value as { data: { content: string } }).data.content, crdText.replace(/\n+$/, '\n'));
    assert.is(doc.webhookConfigMap, undefined);
  }
});
read.run();

const svc = lines(
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: widgets, namespace: ops}',
  'spec:',
  '  selector:',
  '    control-plane: controller-manager',
  '  ports: [{port: 443, targetPort: 9443}]',
);
const deploy = (replicas: number, podLabels: string[]) =>
  lines(
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: widgets',
    '  namespace: ops',
    '  labels: {app.kubernetes.io/name: widgets, app.kubernetes.io/instance: prod}',
    'spec:',
    `  replicas: ${replicas}`,
    '  selector: {matchLabels: {control-plane: controller-manager}}',
    '  template:',
    '    metadata:',
    '      labels:',
    ...podLabels,
    '    spec:',
    "      containers: [{name: m, args: ['--leader-elect'], ports: [{containerPort: 9443}]}]",
    '      affinity: {podAntiAffinity: {}}',
  );
const ccm = '        control-plane: controller-manager';

runCases('webhook-replicas', {
  'a backend that serves only a CRD conversion webhook gets replicas and a PDB': {
    input: svc + deploy(1, [ccm]) + crd(webhookConversion),
    expected:
      svc +
      deploy(2, [ccm]) +
      lines(
        '---',
        '# Added by webhook-guard (webhook-replicas)',
        'apiVersion: policy/v1',
        'kind: PodDisruptionBudget',
        'metadata:',
        '  name: widgets-webhook-guard',
        '  namespace: ops',
        '  labels:',
        '    app.kubernetes.io/name: widgets',
        '    app.kubernetes.io/instance: prod',
        'spec:',
        '  maxUnavailable: 1',
        '  selector:',
        '    matchLabels:',
        '      control-plane: controller-manager',
      ) +
      crd(webhookConversion),
    warnings: [
      'apps/v1 Deployment ops/widgets: the PodDisruptionBudget added selects control-plane=controller-manager, labels ' +
        "other releases' pods carry too (scaffolding defaults such as kubebuilder's control-plane=controller-manager): " +
        'pods of another release in ops that carry them come under it, and one that a budget of its own covers too ' +
        'cannot be evicted. Give its pod template labels of its own (app.kubernetes.io/name and ' +
        "app.kubernetes.io/instance) in the chart's values, or set webhook-replicas podDisruptionBudget: false if ops " +
        'holds other releases',
    ],
  },
});

runCases('tighten-service-selectors', {
  'a Service only a CRD conversion uses is still a webhook Service': {
    input: svc + deploy(2, [ccm]) + crd(webhookConversion),
    expected:
      svc.replace(
        '    control-plane: controller-manager\n',
        '    control-plane: controller-manager\n    app.kubernetes.io/name: widgets\n    app.kubernetes.io/instance: prod\n',
      ) +
      deploy(2, [ccm, '        app.kubernetes.io/name: widgets', '        app.kubernetes.io/instance: prod']) +
      crd(webhookConversion),
    options: { step: 'tighten' },
  },
});

const corpus = suite('conversion: corpus');
const files = corpusFiles('conversion corpus', corpus);
// What the charts render, counted by hand from their CRDs (grep "strategy: Webhook").
const expected: Record<string, number> = {
  'kruise-1.5.2-seed.yaml': 1,
  'kruise-1.5.2-default.yaml': 1,
  'kruise-1.8.3-default.yaml': 1,
  'kruise-1.8.3-seed.yaml': 1,
  'kruise-1.9.0-alpha.3-default.yaml': 3,
  'capsule-0.12.4.yaml': 2,
  'capsule-0.14.0.yaml': 2,
  'kueue-0.11.4.yaml': 11,
  'kueue-0.19.2.yaml': 5,
  'lws-0.6.1-in-kueue-system.yaml': 1,
  'lws-0.10.0-in-kueue-system.yaml': 1,
};

for (const file of files) {
  const name = basename(file);
  corpus(`${name}: conversion webhooks found, and their backends covered after the transforms`, () => {
    const input = readFileSync(file, 'utf8');
    const before = Model.read(splitStream(input));
    assert.is(before.conversions.length, expected[name] ?? 0);
    const after = Model.read(splitStream(run(input).output));
    for (const w of after.conversions) {
      for (const b of after.backendsOf(w)) {
        if (b.kind === 'DaemonSet') continue;
        const hpa = after.hpaFor(b);
        assert.ok(Number(hpa ? hpa.obj.spec.minReplicas : b.obj.spec.replicas) >= 2, `${w.name}: ${b.name} has 2 replicas`);
        assert.ok(after.pdbsFor(b).length >= 1, `${w.name}: ${b.name} has a PDB`);
      }
    }
  });
}

needsCorpus(
  corpus,
  'lws-0.6.1: its conversion webhook is read from the 1.2 MB CRD only Go can parse',
  ['lws-0.6.1-in-kueue-system.yaml'],
  () => {
    const m = Model.read(splitStream(readFileSync(join(CORPUS, 'lws-0.6.1-in-kueue-system.yaml'), 'utf8')));
    const crdDoc = m.conversions[0].owner.doc;
    assert.ok(crdDoc.segment.text.length > 1_000_000);
    assert.is(crdDoc.read, undefined, 'the CRD document itself was never parsed');
    assert.equal(m.conversions[0].service, { namespace: 'kueue-system', name: 'lws-webhook-service', port: 443 });
    assert.equal(
      m.backendsOf(m.conversions[0]).map((b) => b.name),
      ['lws-controller-manager'],
    );
  },
);
corpus.run();
