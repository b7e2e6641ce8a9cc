// Webhooks created at run time: Kyverno's ConfigMap (JSON inside YAML strings) and Capsule's CapsuleConfiguration.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveConfig } from '../../src/pipeline/config.js';
import { applyOperations } from '../../src/yaml/document.js';
import { detectStyle, editJson } from '../../src/yaml/embedded-json.js';
import { Admission } from '../../src/model/admission.js';
import { Model } from '../../src/model/model.js';
import { type Resource } from '../../src/model/types.js';
import { bareNamespaceLabels, CSR_REQUESTS, NODE_REQUESTS, rulesMatch, selectorMatches } from '../../src/model/selectors.js';
import { splitStream } from '../../src/yaml/stream.js';
import { CONDITIONS } from '../../transforms/shared/conditions.js';
import { withCapsuleNodeWebhook } from '../support/fixtures.js';
import { config, CORPUS, corpusFiles, lines, run, needsCorpus } from '../support/helpers.js';
import { runCases } from '../support/table.js';

/** kyverno builds Kyverno's ConfigMap; `data` are the lines under `data:`. */
function kyverno(data: string[], name = 'kyverno'): string {
  return lines(
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    '  namespace: kyverno',
    '  labels: {app.kubernetes.io/version: v1.11.0}',
    'data:',
    ...data.map((l) => '  ' + l),
  );
}

/** dq writes a value as Helm's `toJson | quote` does: compact JSON in a double-quoted YAML string. */
const dq = (value: unknown): string => JSON.stringify(JSON.stringify(value));
const notIn = (...values: string[]) => ({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values });
const CHART_3_9_0 = { namespaceSelector: { matchExpressions: [notIn('kube-system'), notIn('kyverno')], matchLabels: null } };
const OURS = [CONDITIONS.nodes, CONDITIONS.csrs];
/** controller is Kyverno's admission controller Deployment, with its image tag. */
const controller = (tag: string): string =>
  lines(
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: kyverno-admission-controller, namespace: kyverno}',
    'spec:',
    '  replicas: 3',
    '  selector: {matchLabels: {app.kubernetes.io/component: admission-controller}}',
    '  template:',
    '    metadata: {labels: {app.kubernetes.io/component: admission-controller}}',
    `    spec: {containers: [{name: kyverno, image: ghcr.io/kyverno/kyverno:${tag}}]}`,
  );

runCases('kyverno-config', {
  'chart 3.9.0: namespaces already excluded; Node/CSR conditions added as compact JSON, as the chart writes it': {
    input: kyverno([
      'resourceFilters: "[Event,*,*]"',
      `webhooks: ${dq(CHART_3_9_0)}`,
      `webhookAnnotations: ${dq({ 'admissions.enforcer/disabled': 'true' })}`,
    ]),
    expected: kyverno([
      'resourceFilters: "[Event,*,*]"',
      `webhooks: ${dq(CHART_3_9_0)}`,
      `webhookAnnotations: ${dq({ 'admissions.enforcer/disabled': 'true' })}`,
      `matchConditions: ${dq(OURS)}`,
    ]),
  },
  'before Kyverno 1.13.1 (a list, single-quoted, chart spacing): kube-system joins the NotIn on the name label': {
    input: kyverno([
      'resourceFilters: "[Event,*,*]"',
      `webhooks: '[{"namespaceSelector": {"matchExpressions": ` +
        `[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kyverno"]}]}}]'`,
    ]),
    options: { matchConditions: false },
    expected: kyverno([
      'resourceFilters: "[Event,*,*]"',
      `webhooks: '[{"namespaceSelector": {"matchExpressions": ` +
        `[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kyverno","kube-system"]}]}}]'`,
    ]),
  },
  'an objectSelector only: a namespaceSelector is added beside it': {
    input: kyverno(['resourceFilters: ""', `webhooks: ${dq({ objectSelector: { matchLabels: { a: 'b' } } })}`]),
    options: { matchConditions: false },
    expected: kyverno([
      'resourceFilters: ""',
      `webhooks: ${dq({
        objectSelector: { matchLabels: { a: 'b' } },
        namespaceSelector: { matchExpressions: [notIn('kyverno', 'kube-system')] },
      })}`,
    ]),
  },
  'pretty-printed JSON in block scalars keeps its layout, its block style and the rest of the document': {
    input: kyverno([
      'resourceFilters: "[Event,*,*]"   # kept',
      'webhooks: |',
      '  {',
      '    "namespaceSelector": {',
      '      "matchExpressions": [',
      '        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kyverno"]}',
      '      ]',
      '    }',
      '  }',
      'matchConditions: |-',
      '  [',
      '    {',
      '      "name": "not-leases",',
      `      "expression": "request.resource.resource != 'leases'"`,
      '    }',
      '  ]',
    ]),
    expected: kyverno([
      'resourceFilters: "[Event,*,*]"   # kept',
      'webhooks: |',
      '  {',
      '    "namespaceSelector": {',
      '      "matchExpressions": [',
      '        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kyverno", "kube-system"]}',
      '      ]',
      '    }',
      '  }',
      'matchConditions: |-',
      '  [',
      '    {',
      '      "name": "not-leases",',
      `      "expression": "request.resource.resource != 'leases'"`,
      '    },',
      '    {',
      `      "name": "${CONDITIONS.nodes.name}",`,
      `      "expression": "${CONDITIONS.nodes.expression}"`,
      '    },',
      '    {',
      `      "name": "${CONDITIONS.csrs.name}",`,
      `      "expression": "${CONDITIONS.csrs.expression}"`,
      '    }',
      '  ]',
    ]),
  },
  'conditions already there (a second run): unchanged': {
    input: kyverno([
      'resourceFilters: ""',
      `webhooks: ${dq(CHART_3_9_0)}`,
      `matchConditions: ${dq([{ expression: 'true', name: 'x' }, ...OURS])}`,
    ]),
    expected: 'unchanged',
  },
  'no webhooks key: reported with the JSON to add, as its shape depends on the Kyverno version': {
    input: kyverno(['resourceFilters: "[Event,*,*]"']),
    options: { matchConditions: false },
    expected: 'unchanged',
    warnings: [
      'v1 ConfigMap kyverno/kyverno: data.webhooks is missing, so ' +
        "Kyverno's webhooks intercept kyverno and kube-system; add webhooks: " +
        '\'{"namespaceSelector":{"matchExpressions":' +
        '[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kyverno","kube-system"]}]}}\' ' +
        '(Kyverno 1.13.1+; a list of it before)',
    ],
  },
  'webhooks that is not JSON: reported, unchanged': {
    input: kyverno(['resourceFilters: ""', 'webhooks: "[{namespaceSelector: {}}]"', `matchConditions: ${dq(OURS)}`]),
    expected: 'unchanged',
    warnings: ['v1 ConfigMap kyverno/kyverno: data.webhooks is not a JSON string; left as it is'],
  },
  'a namespace picked by name with In is left alone, with a warning': {
    input: kyverno([
      'resourceFilters: ""',
      `webhooks: ${dq({
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kyverno', 'prod'] }],
        },
      })}`,
    ]),
    options: { matchConditions: false },
    expected: 'unchanged',
    warnings: ['v1 ConfigMap kyverno/kyverno: data.webhooks selects namespace kyverno by name; left as it is'],
  },
  "another app's ConfigMap with a webhooks key is not Kyverno's": {
    input: kyverno([`webhooks: ${dq({})}`], 'my-app'),
    expected: 'unchanged',
  },
  'Kyverno 1.10 (admission controller image tag): matchConditions left out, with a warning': {
    input: kyverno(['resourceFilters: ""', `webhooks: ${dq(CHART_3_9_0)}`]).replace('v1.11.0', '3.0.9') + controller('v1.10.7'),
    expected: 'unchanged',
    with: [],
    warnings: [
      'v1 ConfigMap kyverno/kyverno: data.matchConditions: would add webhook-guard-skip-nodes, webhook-guard-skip-csrs, ' +
        'but Kyverno reads that key only from 1.11 on, and this render installs Kyverno 1.10 (image ' +
        'ghcr.io/kyverno/kyverno:v1.10.7 of Deployment kyverno-admission-controller); left out',
    ],
  },
  'Kyverno 1.11 (admission controller image tag; the chart version label 3.1.0 says nothing): conditions added': {
    input: kyverno(['resourceFilters: ""', `webhooks: ${dq(CHART_3_9_0)}`]).replace('v1.11.0', '3.1.0') + controller('v1.11.0'),
    expected:
      kyverno(['resourceFilters: ""', `webhooks: ${dq(CHART_3_9_0)}`, `matchConditions: ${dq(OURS)}`]).replace(
        'v1.11.0',
        '3.1.0',
      ) + controller('v1.11.0'),
  },
  'no Kyverno version in the render: matchConditions left out, with a warning': {
    input: kyverno(['resourceFilters: ""', `webhooks: ${dq(CHART_3_9_0)}`]).replace('v1.11.0', '3.1.0'),
    expected: 'unchanged',
    warnings: [
      'v1 ConfigMap kyverno/kyverno: data.matchConditions: would add webhook-guard-skip-nodes, webhook-guard-skip-csrs, ' +
        'but Kyverno reads that key only from 1.11 on, and the render does not show which Kyverno it installs (no ' +
        'kyverno/kyverno image tag, no app.kubernetes.io/version 1.x); left out',
    ],
  },
  'configured namespaces: none besides Kyverno own': {
    input: kyverno(['resourceFilters: ""', `webhooks: ${dq({})}`]),
    options: { namespaces: [], matchConditions: false },
    expected: kyverno([
      'resourceFilters: ""',
      `webhooks: ${dq({ namespaceSelector: { matchExpressions: [notIn('kyverno')] } })}`,
    ]),
  },
});

const unit = suite('runtime webhooks: embedded JSON, model, flags');

unit('editJson keeps every unchanged byte and writes new values in the layout of their container', () => {
  const table: Array<[string, (v: any) => void, string]> = [
    ['{"a":[1],"b":"x\\u00e9"}', (v) => v.a.push(2), '{"a":[1,2],"b":"x\\u00e9"}'],
    ['{"a": [1], "b": null}', (v) => (v.c = { d: true }), '{"a": [1], "b": null, "c": {"d": true}}'],
    ['[ ]', (v) => v.push({ n: 1 }), '[{"n":1}]'],
    ['{\n\t"a": {\n\t\t"b": 1\n\t}\n}\n', (v) => (v.a.c = [2]), '{\n\t"a": {\n\t\t"b": 1,\n\t\t"c": [\n\t\t\t2\n\t\t]\n\t}\n}\n'],
    ['{"a":1,"b":2}', (v) => delete v.a, '{"b":2}'],
    ['{"a":"old"}', (v) => (v.a = 'new'), '{"a":"new"}'],
  ];
  for (const [text, change, want] of table) {
    const before = JSON.parse(text);
    const after = structuredClone(before);
    change(after);
    assert.is(editJson(text, before, after), want, text);
    assert.equal(JSON.parse(want), after);
  }
  assert.equal(detectStyle('{"a": 1, "b": [1,2]}'), { colon: ': ', comma: ',' });
  assert.throws(() => editJson('{a:1}', {}, { b: 1 }), SyntaxError);
});

unit('the model reads ConfigMaps only when one of Kyverno keys is a key of data; others pass through unread', () => {
  const dashboard = lines(
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: dash}',
    'data:',
    '  board.json: |',
    '    {"webhooks": [], "matchConditions": 1}',
  );
  const crd = lines(
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: crds}',
    'data:',
    '  crd.yaml: |',
    '    spec:',
    '      webhooks:',
    '        type: array',
  );
  const bad = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: x}', 'data:', '  webhooks: "[unclosed');
  const m = Model.read(splitStream([dashboard, crd, kyverno(['resourceFilters: ""']), bad].join('---\n')));
  assert.equal(
    m.docs.map((d) => d.kind),
    ['ConfigMap', 'ConfigMap', 'ConfigMap', 'ConfigMap'],
  );
  assert.is(m.docs[0].working, undefined, 'a dashboard is not parsed');
  assert.is(m.docs[1].working, undefined, 'a CRD kept as text is not parsed');
  assert.equal(
    m.ofKind('ConfigMap').map((r: Resource) => r.name),
    ['kyverno'],
    'the candidate that does not parse is not an error, only unread',
  );
  assert.is(m.unreadable.length, 0);
});

unit('--exclude-namespace also keeps Kyverno webhooks away; --kube-version 1.27 leaves its matchConditions out', () => {
  assert.equal(resolveConfig(undefined, { excludeNamespaces: ['monitoring'] }).transforms['kyverno-config'].namespaces, [
    'kube-system',
    'monitoring',
  ]);
  const input = kyverno(['resourceFilters: ""', `webhooks: ${dq({})}`]);
  const result = run(input, config(['kyverno-config'], {}, { kubeVersion: '1.27' }));
  assert.is(
    result.output,
    kyverno([
      'resourceFilters: ""',
      `webhooks: ${dq({ namespaceSelector: { matchExpressions: [notIn('kyverno', 'kube-system')] } })}`,
    ]),
  );
  assert.equal(
    result.warnings.map((w) => w.message),
    [
      'data.matchConditions: would add webhook-guard-skip-nodes, webhook-guard-skip-csrs, ' +
        'but matchConditions need Kubernetes 1.28+ (target 1.27); left out',
    ],
  );
});

unit('a block scalar replaced by a string stays a literal block with its indentation, chomping and CRLF', () => {
  const text = 'data:\r\n  a: |+ # note\r\n      one\r\n\r\n  b: 1\r\n';
  const out = applyOperations(text, [{ op: 'replace', path: '/data/a', value: 'one\ntwo\n' }], {
    data: { a: 'one\ntwo\n', b: 1 },
  });
  assert.is(out, 'data:\r\n  a: | # note\r\n      one\r\n      two\r\n  b: 1\r\n');
  const strip = applyOperations('a: >-\n  folded\n  text\n', [{ op: 'replace', path: '/a', value: 'x\ny' }], { a: 'x\ny' });
  assert.is(strip, 'a: |-\n  x\n  y\n');
});

unit('Capsule: CapsuleConfiguration entries are webhooks of the model, with the shared client Service', () => {
  const m = Model.read(
    splitStream(
      lines(
        'apiVersion: capsule.clastix.io/v1beta2',
        'kind: CapsuleConfiguration',
        'metadata: {name: default}',
        'spec:',
        '  admission:',
        '    validating:',
        '      client: {service: {name: capsule-webhook-service, namespace: capsule-system, port: 9443}}',
        '      webhooks:',
        '      - {name: a.example.com, path: /a, failurePolicy: Ignore, rules: []}',
        '    mutating:',
        '      client: {url: "https://capsule.example.com"}',
        '      webhooks: [{name: b.example.com, rules: []}]',
      ),
    ),
  );
  const hooks = m
    .webhooks()
    .map((w) => [w.name, w.type, w.failurePolicy, w.path.join('/'), w.service?.name, w.service?.port, w.url, w.runtime]);
  assert.equal(hooks, [
    [
      'b.example.com',
      'mutating',
      'Fail',
      'spec/admission/mutating/webhooks/0',
      undefined,
      undefined,
      'https://capsule.example.com',
      'CapsuleConfiguration',
    ],
    [
      'a.example.com',
      'validating',
      'Ignore',
      'spec/admission/validating/webhooks/0',
      'capsule-webhook-service',
      9443,
      undefined,
      'CapsuleConfiguration',
    ],
  ]);
});

unit.run();

// ---- the corpus ----

const corpus = suite('runtime webhooks: corpus');
const files = corpusFiles('runtime webhooks', corpus);
const has = (name: string): boolean => files.some((f) => basename(f) === name);
const read = (name: string): string => readFileSync(join(CORPUS, name), 'utf8');
const model = (text: string): Model => Model.read(splitStream(text));
const conditionNames = (entry: { matchConditions?: Array<{ name: string }> }): string[] =>
  (entry.matchConditions ?? []).map((c) => c.name);

needsCorpus(
  corpus,
  'capsule-0.12.4: renders no node webhook by default; with its node webhook on, kubelets skip it',
  ['capsule-0.12.4.yaml'],
  () => {
    const input = read('capsule-0.12.4.yaml');
    const covers = (m: Model): string[] =>
      m
        .webhooks()
        .filter((w) => rulesMatch(w.entry.rules, [...NODE_REQUESTS, ...CSR_REQUESTS]))
        .map((w) => w.name);
    assert.equal(covers(model(input)), [], 'webhooks.hooks.nodes.enabled is false in the chart');
    const { text: withNodes, nodeHook } = withCapsuleNodeWebhook(input);
    const result = run(withNodes);
    const after = model(result.output);
    const node = after.webhooks().find((w) => w.name === 'nodes.projectcapsule.dev')!;
    assert.equal(node.entry.matchConditions, [CONDITIONS.kubelets]);
    assert.ok(
      result.output.includes(nodeHook.replace(/\n$/, '') + '\n  matchConditions:\n'),
      'the entry is edited by appending only',
    );
    assert.is(run(result.output).output, result.output, 'a second pass changes nothing');
  },
);

needsCorpus(corpus, 'kops pod-identity-webhook: mirror pods skip it', ['kops-eks-pod-identity-webhook-addon.yaml'], () => {
  const before = model(read('kops-eks-pod-identity-webhook-addon.yaml')).webhooks();
  const after = model(run(read('kops-eks-pod-identity-webhook-addon.yaml')).output).webhooks();
  assert.equal(
    before.map((w) => conditionNames(w.entry)),
    [[]],
  );
  assert.equal(
    after.map((w) => w.entry.matchConditions),
    [[CONDITIONS.mirrorPods]],
  );
});

needsCorpus(
  corpus,
  'capsule-0.14.0: no webhook in CapsuleConfiguration can block capsule-system or kube-system, so none is edited; ' +
    'its one replica becomes 2',
  ['capsule-0.14.0.yaml'],
  () => {
    const input = read('capsule-0.14.0.yaml');
    const result = run(input);
    // Its webhooks on pods, Services and ServiceAccounts select only tenant namespaces; the others cover Namespaces,
    // Capsule's own resources, or objects its controller labels: excluding a namespace would only switch them off.
    const m = model(input);
    const admission = new Admission(m);
    const runtime = m.webhooks().filter((w) => w.runtime === 'CapsuleConfiguration' && w.failurePolicy === 'Fail');
    assert.ok(runtime.length > 20, 'the render has its runtime webhooks');
    const blocking = runtime.filter((w) =>
      ['capsule-system', 'kube-system'].some(
        (ns) => admission.blocksNeeds(w, ns, bareNamespaceLabels(ns), ns === 'kube-system').verdict !== 'no',
      ),
    );
    assert.equal(
      blocking.map((w) => w.name),
      [],
    );
    assert.equal(
      result.changes.filter((c) => c.transform === 'exclude-namespaces'),
      [],
    );
    assert.ok(
      result.notes.some(
        (n) =>
          n.transform === 'exclude-namespaces' &&
          n.message.startsWith('webhook namespaces.validating.projectcapsule.dev is left as it is: its rules cover nothing'),
      ),
    );
    const after = model(result.output);
    assert.is(after.ofKind('Deployment').find((d) => d.name === 'capsule-controller-manager')!.obj.spec.replicas, 2);
  },
);

needsCorpus(
  corpus,
  'kyverno-3.9.0: its ConfigMap excludes kyverno and kube-system and now skips Nodes and CSRs; one line added',
  ['kyverno-3.9.0.yaml'],
  () => {
    const input = read('kyverno-3.9.0.yaml');
    const output = run(input, config(['kyverno-config'])).output;
    const cm = model(output)
      .ofKind('ConfigMap')
      .find((r) => r.name === 'kyverno')!;
    const selector = JSON.parse(cm.obj.data.webhooks).namespaceSelector;
    for (const ns of ['kyverno', 'kube-system']) assert.not.ok(selectorMatches(selector, bareNamespaceLabels(ns)), ns);
    assert.equal(JSON.parse(cm.obj.data.matchConditions), OURS);
    const inputLines = new Set(input.split('\n'));
    const added = output.split('\n').filter((l) => !inputLines.has(l));
    assert.equal(added, [`  matchConditions: ${dq(OURS)}`]);
    assert.is(output.replace(added[0] + '\n', ''), input);
    // Its admission controller serves the webhooks Kyverno registers: 2 replicas (leader election is built in) and a PDB.
    const all = model(run(input).output);
    const ac = all.ofKind('Deployment').find((d) => d.name === 'kyverno-admission-controller')!;
    assert.is(ac.obj.spec.replicas, 2);
    assert.is(all.pdbsFor(ac).length, 1);
  },
);

corpus('--kube-version 1.27: no corpus file gets a matchCondition, and each left out is reported', () => {
  const cfg = config(undefined, {}, { kubeVersion: '1.27' });
  let reported = 0;
  for (const file of files) {
    const input = readFileSync(file, 'utf8');
    const result = run(input, cfg);
    assert.not.ok(result.output.includes('webhook-guard-skip-'), basename(file));
    assert.not.ok(
      result.changes.some((c) => /matchConditions/.test(c.path)),
      basename(file),
    );
    reported += result.warnings.filter((w) => /need Kubernetes 1\.28\+ \(target 1\.27\)/.test(w.message)).length;
    assert.is(run(result.output, cfg).output, result.output, `${basename(file)}: a second pass changes nothing`);
  }
  if (has('kops-eks-pod-identity-webhook-addon.yaml') && has('kyverno-3.9.0.yaml'))
    assert.ok(reported >= 2, `${reported} reported`);
});

corpus(
  '--fail-open mutating,validating over the corpus: only failurePolicy fields change, and a second pass changes nothing',
  () => {
    const cfg = config(['fail-open'], { 'fail-open': { enabled: true, webhookTypes: ['mutating', 'validating'] } });
    for (const file of files) {
      const input = readFileSync(file, 'utf8');
      const result = run(input, cfg);
      for (const c of result.changes) assert.match(c.path, /\/failurePolicy$/);
      assert.is(run(result.output, cfg).output, result.output, basename(file));
    }
  },
);

corpus.run();
