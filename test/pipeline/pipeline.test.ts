// The whole pipeline on odd streams: Lists, documents without kind, unknown kinds, added documents.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { config, lines, run } from '../support/helpers.js';

const hookItem = [
  '- apiVersion: admissionregistration.k8s.io/v1',
  '  kind: MutatingWebhookConfiguration',
  '  metadata: {name: hook}',
  '  webhooks:',
  '  - name: hook.example.com',
  '    clientConfig: {service: {name: hook, namespace: guard}}',
  '    rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
];

test('a List has its items transformed in place', () => {
  const input = lines('apiVersion: v1', 'kind: List', 'items:', ...hookItem);
  const out = run(input, config(['exclude-namespaces'])).output;
  assert.fixture(
    out,
    lines(
      'apiVersion: v1',
      'kind: List',
      'items:',
      ...hookItem,
      '    namespaceSelector:',
      '      matchExpressions:',
      '      - key: kubernetes.io/metadata.name',
      '        operator: NotIn',
      '        values:',
      '        - guard',
      '        - kube-system',
    ),
  );
});

test('documents without kind, unknown kinds, CRDs, duplicates and empty documents pass through byte for byte', () => {
  const odd = lines(
    '---',
    '# Source: chart/templates/empty.yaml',
    '---',
    'foo: bar   # no kind',
    '---',
    'apiVersion: example.com/v1',
    'kind: Widget',
    'metadata: {name: w}',
    'spec: {anything: [1, 2, {deep: yes}]}',
    '---',
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.example.com}',
    'spec: {group: example.com, names: {plural: widgets, kind: Widget}, scope: Namespaced}',
    '---',
    'apiVersion: example.com/v1',
    'kind: Widget',
    'metadata: {name: w}',
    'spec: {anything: [1, 2, {deep: yes}]}',
    '...',
  );
  const result = run(odd);
  assert.is(result.output, odd);
  assert.is(result.changes.length, 0);
});

test('an added PDB follows its workload; a final document without a line break gets one', () => {
  const input =
    lines('apiVersion: v1', 'kind: Service', 'metadata: {name: hook, namespace: guard}', 'spec: {selector: {app: hook}}', '---') +
    lines(
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata: {name: hook}',
      'webhooks:',
      '- name: v.example.com',
      '  clientConfig: {service: {name: hook, namespace: guard}}',
      '  namespaceSelector: {matchLabels: {a: b}}',
      '  rules: []',
      '---',
    ) +
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: hook, ' +
    'namespace: guard}\nspec:\n  replicas: 2\n  selector: {matchLabels: ' +
    '{app: hook}}\n  template:\n    metadata: {labels: {app: hook}}\n  ' +
    '  spec: {containers: [{name: c}], affinity: {podAntiAffinity: {}}}';
  const out = run(input, config(['webhook-replicas'])).output;
  assert.ok(
    out.startsWith(
      input + '\n---\n# Added by webhook-guard (webhook-replicas)\napiVersion: policy/v1\nkind: PodDisruptionBudget\n',
    ),
    out,
  );
  assert.ok(out.endsWith('      app: hook\n'));
});

test('release namespace: resources that name none take the configured namespace', () => {
  const input =
    lines('apiVersion: v1', 'kind: Service', 'metadata: {name: hook}', 'spec: {selector: {app: hook}}', '---') +
    lines(
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: hook}',
      'spec:',
      '  replicas: 1',
      '  selector: {matchLabels: {app: hook}}',
      '  template:',
      '    metadata: {labels: {app: hook}}',
      '    spec: {containers: [{name: c, args: [--leader-elect]}], affinity: {podAntiAffinity: {}}}',
      '---',
    ) +
    lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: x, namespace: team-a}', '---') +
    lines(
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata: {name: hook}',
      'webhooks:',
      '- name: v.example.com',
      '  clientConfig: {service: {name: hook, namespace: team-a}}',
      '  namespaceSelector: {matchLabels: {a: b}}',
      '  rules: []',
    );
  const cfg = config(['webhook-replicas'], { 'webhook-replicas': { podDisruptionBudget: false } });
  assert.match(run(input, { ...cfg, namespace: 'team-a' }).output, /replicas: 2/);
  assert.not.match(run(input, { ...cfg, namespace: 'team-b' }).output, /replicas: 2/);
});

test('deterministic: the same input gives the same bytes every time', () => {
  const input = lines('apiVersion: v1', 'kind: List', 'items:', ...hookItem);
  const first = run(input).output;
  for (let i = 0; i < 3; i++) assert.is(run(input).output, first);
});

// A null inside a flow collection (JSON above all), which Kubernetes reads as absent: the value that replaces it is
// written in flow style where the null was (JSON in JSON), so the edit reads back and nothing else moves. In block
// style the edit used to fail ("Nested mappings are not allowed in compact mappings").
const BACKEND = lines(
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: wh',
  '  namespace: wh-system',
  'spec:',
  '  selector:',
  '    app.kubernetes.io/name: wh',
  '  ports:',
  '    - port: 443',
  '      targetPort: 9443',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: wh',
  '  namespace: wh-system',
  'spec:',
  '  replicas: 2',
  '  selector:',
  '    matchLabels:',
  '      app.kubernetes.io/name: wh',
  '  template:',
  '    metadata:',
  '      labels:',
  '        app.kubernetes.io/name: wh',
  '    spec:',
  '      containers:',
  '        - name: manager',
  '          image: example.com/wh:1.0.0',
  '          args: [--leader-elect]',
  '          ports:',
  '            - containerPort: 9443',
  '---',
);
/** jsonHook is the webhook configuration as one line of JSON: `fields` after sideEffects, `after` after rules. */
const jsonHook = (fields: string, after = '') =>
  '{"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration","metadata":{"name":"wh"},' +
  '"webhooks":[{"name":"pods.wh.io","admissionReviewVersions":["v1"],' +
  '"clientConfig":{"service":{"name":"wh","namespace":"wh-system"}},"failurePolicy":"Fail","sideEffects":"None",' +
  `${fields},"rules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods"]}]${after}}]}\n`;
/** hookEntry is one Fail webhook entry calling wh/wh-system, in block style, with `field` after sideEffects. */
const hookEntry = (name: string, field: string, rules: string[]) => [
  `  - name: ${name}`,
  '    admissionReviewVersions: [v1]',
  '    clientConfig:',
  '      service:',
  '        name: wh',
  '        namespace: wh-system',
  '    failurePolicy: Fail',
  '    sideEffects: None',
  `    ${field}`,
  '    rules:',
  ...rules.map((l, i) => (i ? '        ' : '      - ') + l),
];

/** yamlHook is the same webhook configuration in block style, with `field` after sideEffects. */
const yamlHook = (field: string) =>
  lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    'metadata:',
    '  name: wh',
    'webhooks:',
    ...hookEntry('pods.wh.io', field, ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [pods]']),
  );
// guard-cluster-scoped's condition for a webhook on Pod CREATE.
const MIRROR =
  "!(request.operation == 'CREATE' && request.resource.group == '' && request.resource.resource == 'pods' && " +
  "has(request.userInfo.groups) && 'system:nodes' in request.userInfo.groups && object != null && " +
  "has(object.metadata) && has(object.metadata.annotations) && 'kubernetes.io/config.mirror' in object.metadata.annotations)";
const MIRROR_JSON = `[{"name":"webhook-guard-skip-mirror-pods","expression":${JSON.stringify(MIRROR)}}]`;
const NOT_IN_JSON = '{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["wh-system","kube-system"]}';
const nullsInFlow: Record<string, { hook: string; expected: string }> = {
  'a JSON document, "matchExpressions":null': {
    hook: jsonHook('"namespaceSelector":{"matchExpressions":null}'),
    expected: jsonHook(`"namespaceSelector":{"matchExpressions":[${NOT_IN_JSON}]}`, `,"matchConditions":${MIRROR_JSON}`),
  },
  'a YAML flow map, {matchExpressions: null}': {
    hook: yamlHook('namespaceSelector: {matchExpressions: null}'),
    expected:
      yamlHook(
        'namespaceSelector: {matchExpressions: [ { key: kubernetes.io/metadata.name, operator: NotIn, ' +
          'values: [ wh-system, kube-system ] } ]}',
      ) +
      lines(
        '    matchConditions:',
        '      - name: webhook-guard-skip-mirror-pods',
        `        expression: ${JSON.stringify(MIRROR)}`,
      ),
  },
  'a JSON document, "values":null in the NotIn expression on the name label': {
    hook: jsonHook(
      '"namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":null}]}',
    ),
    expected: jsonHook(`"namespaceSelector":{"matchExpressions":[${NOT_IN_JSON}]}`, `,"matchConditions":${MIRROR_JSON}`),
  },
  'a JSON document, "matchConditions":null': {
    hook: jsonHook('"matchConditions":null'),
    expected: jsonHook(`"matchConditions":${MIRROR_JSON}`, `,"namespaceSelector":{"matchExpressions":[${NOT_IN_JSON}]}`),
  },
};
for (const [name, c] of Object.entries(nullsInFlow))
  test(`a null in a flow collection gets its value in flow style: ${name}`, () => {
    const result = run(BACKEND + c.hook, config(['exclude-namespaces', 'guard-cluster-scoped']));
    assert.fixture(result.output, BACKEND + c.expected);
    assert.is(result.changes.length, 2);
  });

// A key added to a webhook written as a flow collection goes after its last member, in the collection's layout: a
// pretty-printed JSON configuration (as `kubectl get -o json` or a JSON template writes it) used to come out as one line.
/** prettyHook is the webhook configuration as pretty-printed JSON (two-space indentation), ending with `rulesEnd`. */
const prettyHook = (...rulesEnd: string[]) =>
  lines(
    '{',
    '  "apiVersion": "admissionregistration.k8s.io/v1",',
    '  "kind": "MutatingWebhookConfiguration",',
    '  "metadata": {',
    '    "name": "wh"',
    '  },',
    '  "webhooks": [',
    '    {',
    '      "name": "pods.wh.io",',
    '      "admissionReviewVersions": ["v1"],',
    '      "clientConfig": {',
    '        "service": {',
    '          "name": "wh",',
    '          "namespace": "wh-system"',
    '        }',
    '      },',
    '      "failurePolicy": "Fail",',
    '      "sideEffects": "None",',
    '      "rules": [',
    '        {',
    '          "apiGroups": [""],',
    '          "apiVersions": ["v1"],',
    '          "operations": ["CREATE"],',
    '          "resources": ["pods"]',
    '        }',
    ...rulesEnd,
    '    }',
    '  ]',
    '}',
  );
test('a pretty-printed JSON webhook configuration gains its fields on lines of their own, the rest byte for byte', () => {
  const result = run(BACKEND + prettyHook('      ]'), config(['exclude-namespaces', 'guard-cluster-scoped']));
  assert.fixture(
    result.output,
    BACKEND +
      prettyHook(
        '      ],',
        `      "namespaceSelector": {"matchExpressions":[${NOT_IN_JSON}]},`,
        `      "matchConditions": ${MIRROR_JSON}`,
      ),
  );
  assert.is(result.changes.length, 2);
});

// A field that a YAML anchor shares with its aliases has one text for several places: an edit for one webhook would
// change the other (or, through an alias, has no text to change). Refused, saying what is shared and the two ways out.
const aliasHook = (name: string, resources: string, selector: string) =>
  hookEntry(name, `namespaceSelector: ${selector}`, [resources, 'apiVersions: [v1]', 'operations: [CREATE]']);
const PODS = 'apiGroups: [""]\n        resources: [pods]';
const WIDGETS = 'apiGroups: [wh.io]\n        resources: [widgets]';
const SEL = '{matchExpressions: [{key: team, operator: DoesNotExist}]}';
const vwcWith = (...hooks: string[][]) =>
  lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata:',
    '  name: wh',
    'webhooks:',
    ...hooks.flat(),
  );
const SHARED_ERROR =
  'document 3 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration wh, line 34): cannot apply ' +
  'exclude-namespaces at webhooks[pods.wh.io]/namespaceSelector/matchExpressions: ' +
  'webhooks[pods.wh.io]/namespaceSelector is shared through the YAML anchor &sel with ' +
  'webhooks[widgets.wh.io]/namespaceSelector, so an edit for webhook pods.wh.io would change webhook widgets.wh.io ' +
  'as well; write the value out in each place instead of the alias *sel, or have exclude-namespaces leave webhook ' +
  'pods.wh.io as it is (spec.transforms.exclude-namespaces.skipWebhooks: [wh/pods.wh.io])';
const shared: Record<string, { input: string; config?: Parameters<typeof config>; error: string }> = {
  // It used to fail as "the edited text does not read back as intended".
  'the anchor on the webhook edited, the alias on one left alone': {
    input: BACKEND + vwcWith(aliasHook('pods.wh.io', PODS, `&sel ${SEL}`), aliasHook('widgets.wh.io', WIDGETS, '*sel')),
    error: SHARED_ERROR,
  },
  // It used to fail as "cannot edit through the alias *sel".
  'the alias on the webhook edited, the anchor on one left alone': {
    input: BACKEND + vwcWith(aliasHook('widgets.wh.io', WIDGETS, `&sel ${SEL}`), aliasHook('pods.wh.io', PODS, '*sel')),
    error: SHARED_ERROR,
  },
  // Not in a webhook, and tighten-service-selectors skips no webhooks: the transform can be switched off.
  'pod labels that repeat the workload selector through an alias': {
    input:
      lines(
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: wh, namespace: wh-system}',
        'spec: {selector: {control-plane: controller-manager}, ports: [{port: 443, targetPort: 9443}]}',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: wh',
        '  namespace: wh-system',
        '  labels: {app.kubernetes.io/name: wh, app.kubernetes.io/instance: wh}',
        'spec:',
        '  replicas: 2',
        '  selector:',
        '    matchLabels: &l',
        '      control-plane: controller-manager',
        '  template:',
        '    metadata:',
        '      labels: *l',
        '    spec: {containers: [{name: manager, args: [--leader-elect], ports: [{containerPort: 9443}]}]}',
        '---',
      ) + vwcWith(aliasHook('pods.wh.io', PODS, SEL)),
    config: [['tighten-service-selectors'], { 'tighten-service-selectors': { step: 'label-pods' } }],
    error:
      'document 2 (apps/v1 Deployment wh-system/wh, line 5): cannot apply tighten-service-selectors at ' +
      'spec/template/metadata/labels/app.kubernetes.io/name: spec/template/metadata/labels is shared through the YAML ' +
      'anchor &l with spec/selector/matchLabels, so an edit for spec/template/metadata/labels would change ' +
      'spec/selector/matchLabels as well; write the value out in each place instead of the alias *l, or switch ' +
      'tighten-service-selectors off (--disable tighten-service-selectors, or ' +
      'spec.transforms.tighten-service-selectors.enabled: false)',
  },
};
// A field a webhook has only through a merge key (`<<: *base`) has its text where the anchor is set: an edit for that
// webhook would change every webhook that merges it. It used to fail as "missing key namespaceSelector".
const mergeHook = (name: string, resources: string) => [
  '  - <<: *base',
  `    name: ${name}`,
  '    rules:',
  `      - ${resources}`,
  '        apiVersions: [v1]',
  '        operations: [CREATE]',
];
const BASE_HOOK = aliasHook('widgets.wh.io', WIDGETS, SEL).map((l, i) => (i === 0 ? l.replace('- ', '- &base\n    ') : l));
const merged: Record<string, { input: string; error: string }> = {
  'the namespaceSelector of a webhook that merges another webhook': {
    input: BACKEND + vwcWith(BASE_HOOK, mergeHook('pods.wh.io', PODS)),
    error:
      'document 3 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration wh, line 34): cannot apply ' +
      'exclude-namespaces at webhooks[pods.wh.io]/namespaceSelector/matchExpressions: ' +
      'webhooks[pods.wh.io]/namespaceSelector comes from the merge key << of the YAML anchor &base, set at ' +
      'webhooks[widgets.wh.io]: its text is there, so an edit for webhook pods.wh.io would change webhook ' +
      'widgets.wh.io as well; write namespaceSelector out in webhook pods.wh.io after its <<: *base (a key written ' +
      'there overrides the merged one), or have exclude-namespaces leave webhook pods.wh.io as it is ' +
      '(spec.transforms.exclude-namespaces.skipWebhooks: [wh/pods.wh.io])',
  },
  'three webhooks, two of them merging the first': {
    input: BACKEND + vwcWith(BASE_HOOK, mergeHook('pods.wh.io', PODS), mergeHook('gadgets.wh.io', WIDGETS)),
    error:
      'document 3 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration wh, line 34): cannot apply ' +
      'exclude-namespaces at webhooks[pods.wh.io]/namespaceSelector/matchExpressions: ' +
      'webhooks[pods.wh.io]/namespaceSelector comes from the merge key << of the YAML anchor &base, set at ' +
      'webhooks[widgets.wh.io]: its text is there, so an edit for webhook pods.wh.io would change webhook ' +
      'widgets.wh.io and webhook gadgets.wh.io as well; write namespaceSelector out in webhook pods.wh.io after its ' +
      '<<: *base (a key written there overrides the merged one), or have exclude-namespaces leave webhook pods.wh.io ' +
      'as it is (spec.transforms.exclude-namespaces.skipWebhooks: [wh/pods.wh.io])',
  },
};
for (const [name, c] of Object.entries(merged))
  test(`a field a webhook has only through a merge key is refused, naming the anchor and what to do: ${name}`, () => {
    assert.throws(
      () => run(c.input),
      (err: Error) => {
        assert.is(err.message, c.error);
        return true;
      },
    );
  });

test('a field written out after the merge key is edited there, the merged webhook left as it was', () => {
  const written = [
    ...mergeHook('pods.wh.io', PODS).slice(0, 2),
    `    namespaceSelector: ${SEL}`,
    ...mergeHook('pods.wh.io', PODS).slice(2),
  ];
  const result = run(BACKEND + vwcWith(BASE_HOOK, written), config(['exclude-namespaces']));
  const edited = written.map((l) =>
    l.startsWith('    namespaceSelector')
      ? '    namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}, ' +
        '{key: kubernetes.io/metadata.name, operator: NotIn, values: [wh-system, kube-system]}]}'
      : l,
  );
  assert.fixture(result.output, BACKEND + vwcWith(BASE_HOOK, edited));
});

for (const [name, c] of Object.entries(shared))
  test(`a field shared through a YAML anchor is refused, saying what is shared and what to do: ${name}`, () => {
    assert.throws(
      () => run(c.input, c.config ? config(...c.config) : undefined),
      (err: Error) => {
        assert.is(err.message, c.error);
        return true;
      },
    );
  });

test('a webhook without a name, or two of one name in a configuration, is refused before any edit, as by the API server', () => {
  const hook = (name: string) =>
    [
      `- ${name}`,
      '  failurePolicy: Fail',
      '  clientConfig: {service: {name: hook, namespace: ops}}',
      '  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]',
    ].join('\n');
  const config = (...entries: string[]) =>
    lines(
      '---',
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata: {name: c}',
      'webhooks:',
      ...entries,
    );
  const cases: Array<[string, string]> = [
    [
      config(hook('name: a.example.com'), hook('sideEffects: None')),
      'document 1 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration c, line 1): webhooks[1] has no name, ' +
        'and the API server refuses a webhook without one; name it (such as validate.example.com)',
    ],
    [
      config(hook('name: a.example.com'), hook('name: ""')),
      'document 1 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration c, line 1): webhooks[1] has no name, ' +
        'and the API server refuses a webhook without one; name it (such as validate.example.com)',
    ],
    [
      config(hook('name: a.example.com'), hook('name: b.example.com'), hook('name: a.example.com')),
      'document 1 (admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration c, line 1): webhooks[2] is named ' +
        '"a.example.com" like webhooks[0], and the API server refuses two webhooks of one name in a configuration; ' +
        'give each its own name',
    ],
  ];
  for (const [input, message] of cases)
    assert.throws(
      () => run(input),
      (err: Error) => err.message === message,
      message,
    );
  assert.ok(
    run(config(hook('name: a.example.com'), hook('name: b.example.com'))).changes.length > 0,
    'distinct names are hardened',
  );
});

test.run();
