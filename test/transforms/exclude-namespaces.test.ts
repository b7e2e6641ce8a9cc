// exclude-namespaces: merging kubernetes.io/metadata.name NotIn into webhooks' namespaceSelectors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkInputs } from '../../src/check/run.js';
import { explainFindings } from '../../src/check/explain.js';
import { summary } from '../../src/pipeline/report.js';
import { planExclusion } from '../../transforms/shared/exclusion.js';
import { config, lines, run } from '../support/helpers.js';
import { runCases } from '../support/table.js';

const svc = lines(
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: hook',
  '  namespace: guard',
  'spec:',
  '  selector:',
  '    app: hook',
);

/** webhook builds a one-webhook configuration; `extra` are lines under the webhook entry before its rules, `after` after them. */
function webhook(
  kind: string,
  extra: string[],
  rules = ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [pods]'],
  after: string[] = [],
): string {
  return lines(
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    `kind: ${kind}WebhookConfiguration`,
    'metadata:',
    '  name: hook',
    'webhooks:',
    '  - name: hook.example.com',
    '    clientConfig:',
    '      service: {name: hook, namespace: guard, path: /x}',
    ...extra.map((l) => '    ' + l),
    '    rules:',
    `      - ${rules[0]}`,
    ...rules.slice(1).map((l) => '        ' + l),
    ...after.map((l) => '    ' + l),
  );
}

// What the transform appends to a webhook entry that had no selector.
const NEW_SELECTOR = [
  'namespaceSelector:',
  '  matchExpressions:',
  '    - key: kubernetes.io/metadata.name',
  '      operator: NotIn',
  '      values:',
  '        - guard',
  '        - kube-system',
];

/** RULES_NOTE is the note for a webhook whose rules cover nothing a backend needs. */
const RULES_NOTE = (namespaces: string): string =>
  'its rules cover nothing a backend needs to start or keep serving (pods, workloads, Services, EndpointSlices, ' +
  'ServiceAccounts, Secrets, ConfigMaps, Leases, Events), so it cannot block its backend or the control plane; ' +
  `excluding ${namespaces} would only switch its function off there`;

/** backend renders a Service and the Deployment behind it, as a chart does; `podLabels` go on the pod template. */
function backend(ns: string, name: string, podLabels: string[] = []): string {
  return lines(
    '---',
    `# Source: ${name}/templates/webhook-service.yaml`,
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}-webhook`,
    `  namespace: ${ns}`,
    'spec:',
    '  ports:',
    '    - port: 443',
    '      targetPort: 9443',
    '  selector:',
    `    app.kubernetes.io/name: ${name}`,
    `    app.kubernetes.io/instance: ${name}`,
    '---',
    `# Source: ${name}/templates/deployment.yaml`,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}-controller`,
    `  namespace: ${ns}`,
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels:',
    `      app.kubernetes.io/name: ${name}`,
    `      app.kubernetes.io/instance: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app.kubernetes.io/name: ${name}`,
    `        app.kubernetes.io/instance: ${name}`,
    ...podLabels.map((l) => '        ' + l),
    '    spec:',
    '      containers:',
    '        - name: manager',
    `          image: example.io/${name}:v1`,
    '          ports:',
    '            - containerPort: 9443',
  );
}

/** hooks renders a webhook configuration of a chart: each entry is the lines of one webhook after its name. */
function hooks(kind: string, name: string, ns: string, entries: Array<[string, string[]]>): string {
  return lines(
    '---',
    `# Source: ${name}/templates/webhooks.yaml`,
    'apiVersion: admissionregistration.k8s.io/v1',
    `kind: ${kind}WebhookConfiguration`,
    'metadata:',
    `  name: ${name}-${kind.toLowerCase()}`,
    'webhooks:',
    ...entries.flatMap(([hook, body]) => [
      `  - name: ${hook}`,
      '    admissionReviewVersions: [v1]',
      '    sideEffects: None',
      '    clientConfig:',
      `      service: {name: ${name}-webhook, namespace: ${ns}, path: /${hook}}`,
      ...body.map((l) => '    ' + l),
    ]),
  );
}

// MetalLB: its custom resources may only live in metallb-system; the webhook exists to validate them there.
const metallb =
  backend('metallb-system', 'metallb') +
  hooks(
    'Validating',
    'metallb',
    'metallb-system',
    ['ipaddresspools', 'bgppeers', 'l2advertisements'].map((r) => [
      `${r}validationwebhook.metallb.io`,
      [
        'failurePolicy: Fail',
        `rules: [{apiGroups: [metallb.io], apiVersions: [v1beta1], operations: [CREATE, UPDATE], resources: [${r}]}]`,
      ],
    ]),
  );

// cert-manager: a CertificateRequest webhook stamps the requester's identity; validation honours disable-validation.
const certManager =
  backend('cert-manager', 'cert-manager') +
  hooks('Mutating', 'cert-manager', 'cert-manager', [
    [
      'webhook.cert-manager.io',
      [
        'failurePolicy: Fail',
        'rules: [{apiGroups: [cert-manager.io], apiVersions: [v1], operations: [CREATE], resources: [certificaterequests]}]',
      ],
    ],
  ]) +
  hooks('Validating', 'cert-manager', 'cert-manager', [
    [
      'webhook.cert-manager.io',
      [
        'failurePolicy: Fail',
        'namespaceSelector:',
        '  matchExpressions:',
        '    - {key: cert-manager.io/disable-validation, operator: NotIn, values: ["true"]}',
        'rules:',
        '  - apiGroups: [cert-manager.io, acme.cert-manager.io]',
        '    apiVersions: [v1]',
        '    operations: [CREATE, UPDATE]',
        '    resources: ["*/*"]',
      ],
    ],
  ]);

// Kyverno-like: the policy webhook adds the finalizer its controller needs to clean up generated webhook configurations.
const finalizer =
  backend('kyverno', 'kyverno') +
  hooks('Mutating', 'kyverno', 'kyverno', [
    [
      'mutate-policy.kyverno.svc',
      [
        'failurePolicy: Fail',
        'rules: [{apiGroups: [kyverno.io], apiVersions: [v1], operations: [CREATE, UPDATE],',
        '  resources: [clusterpolicies/*, policies/*]}]',
      ],
    ],
  ]);

// A sidecar injector whose own pods opt out (sidecar.istio.io/inject: "false"); objectSelector opt-out or opt-in.
const injector = (objectSelector: string): string =>
  backend('istio-system', 'istiod', ['sidecar.istio.io/inject: "false"']) +
  hooks('Mutating', 'istiod', 'istio-system', [
    [
      'object.sidecar-injector.istio.io',
      [
        'failurePolicy: Fail',
        'objectSelector:',
        '  matchExpressions:',
        `    - ${objectSelector}`,
        'rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
      ],
    ],
  ]);

// An Ignore webhook on every pod (amazon-eks-pod-identity-webhook): it cannot deadlock anything.
const ignoring =
  backend('default', 'pod-identity') +
  hooks('Mutating', 'pod-identity', 'default', [
    [
      'pod-identity-webhook.amazonaws.com',
      ['failurePolicy: Ignore', 'rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]'],
    ],
  ]);

/** byName renders a Fail pod webhook that selects only its own namespace, in one of the two forms that name it. */
const byName = (form: string[]): string =>
  backend('team-a', 'scoped') +
  hooks('Mutating', 'scoped', 'team-a', [
    [
      'scoped.example.com',
      [
        'failurePolicy: Fail',
        'namespaceSelector:',
        ...form.map((l) => '  ' + l),
        'rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
      ],
    ],
  ]);
const NAME_FORMS = {
  matchLabels: ['matchLabels:', '  kubernetes.io/metadata.name: team-a'],
  In: ['matchExpressions:', '  - {key: kubernetes.io/metadata.name, operator: In, values: [team-a]}'],
};

runCases('exclude-namespaces', {
  'no selector: own namespace and kube-system excluded': {
    input: webhook('Mutating', ['failurePolicy: Fail']),
    expected: webhook('Mutating', ['failurePolicy: Fail'], undefined, NEW_SELECTOR),
  },
  'existing NotIn on the name label is extended, other expressions kept': {
    input: webhook('Validating', [
      'namespaceSelector:',
      '  matchLabels:',
      '    team: a   # only team a',
      '  matchExpressions:',
      '    - {key: control-plane, operator: NotIn, values: [openkruise]}',
      '    - key: kubernetes.io/metadata.name',
      '      operator: NotIn',
      '      values: [kube-system]',
    ]),
    expected: 'unchanged',
  },
  'existing NotIn extended when the selector still matches': {
    input: webhook('Validating', [
      'namespaceSelector:',
      '  matchExpressions:',
      '    - {key: control-plane, operator: NotIn, values: [openkruise]}',
      '    - key: kubernetes.io/metadata.name',
      '      operator: NotIn',
      '      values: [kube-system]   # chart default',
    ]),
    expected: webhook('Validating', [
      'namespaceSelector:',
      '  matchExpressions:',
      '    - {key: control-plane, operator: NotIn, values: [openkruise]}',
      '    - key: kubernetes.io/metadata.name',
      '      operator: NotIn',
      '      values: [kube-system, guard]   # chart default',
    ]),
  },
  'opt-in selector (Exists) already cannot match a bare namespace': {
    input: webhook('Mutating', [
      'namespaceSelector:',
      '  matchExpressions:',
      '  - key: capsule.clastix.io/tenant',
      '    operator: Exists',
    ]),
    expected: 'unchanged',
  },
  'empty flow selector in block context becomes a block selector': {
    input: webhook('Mutating', ['namespaceSelector: {}']),
    expected: webhook('Mutating', [
      'namespaceSelector:',
      '  matchExpressions:',
      '    - key: kubernetes.io/metadata.name',
      '      operator: NotIn',
      '      values:',
      '        - guard',
      '        - kube-system',
    ]),
  },
  'matchLabels-only selector that a bare namespace lacks is left alone': {
    input: webhook('Mutating', ['namespaceSelector:', '  matchLabels: {injection: enabled}']),
    expected: 'unchanged',
  },
  'url webhooks have no backend namespace: only the configured list': {
    input: lines(
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata: {name: remote}',
      'webhooks:',
      '- name: remote.example.com',
      '  clientConfig: {url: "https://policy.example.com/validate"}',
      '  rules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]',
    ),
    expected: lines(
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata: {name: remote}',
      'webhooks:',
      '- name: remote.example.com',
      '  clientConfig: {url: "https://policy.example.com/validate"}',
      '  rules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]',
      '  namespaceSelector:',
      '    matchExpressions:',
      '    - key: kubernetes.io/metadata.name',
      '      operator: NotIn',
      '      values:',
      '      - kube-system',
    ),
  },
  'rules on cluster-scoped resources only (nodes) are left alone': {
    input: webhook(
      'Validating',
      ['failurePolicy: Fail'],
      ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [UPDATE]', 'resources: [nodes, nodes/status]'],
    ),
    expected: 'unchanged',
  },
  'rules on Namespace objects only: not what a backend needs to start, so left alone with a note': {
    input: webhook(
      'Validating',
      ['failurePolicy: Fail'],
      ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [namespaces]'],
    ),
    expected: 'unchanged',
    notes: [
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration hook: webhook hook.example.com is left as it is: ' +
        RULES_NOTE('guard and kube-system'),
    ],
  },
  'cluster-scoped custom resources, known from a CRD in the stream, are left alone': {
    input:
      lines(
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata:',
        '  name: tenants.example.com',
        'spec:',
        '  group: example.com',
        '  names:',
        '    kind: Tenant',
        '    plural: tenants',
        '  scope: Cluster',
      ) +
      webhook(
        'Validating',
        [],
        ['apiGroups: [example.com]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [tenants]'],
      ),
    expected: 'unchanged',
  },
  'per-webhook opt-out': {
    input: webhook('Mutating', ['failurePolicy: Fail']),
    options: { skipWebhooks: ['hook/hook.example.com'] },
    expected: 'unchanged',
  },
  'a skipWebhooks entry that names no webhook of the stream: the edit is made, and a warning names the entry': {
    input: webhook('Mutating', ['failurePolicy: Fail']),
    options: { skipWebhooks: ['hook/hook.example.comm', 'hook.example.com.x'] },
    expected: webhook('Mutating', ['failurePolicy: Fail'], undefined, NEW_SELECTOR),
    warnings: ['hook/hook.example.comm', 'hook.example.com.x'].map(
      (entry) =>
        `: exclude-namespaces skipWebhooks lists ${entry}, which names nothing in the stream, so it does nothing here ` +
        '(check its spelling, name or scope/name; an entry for another release can stay)',
    ),
  },
  'configured namespaces replace the default list': {
    input: webhook('Mutating', ['namespaceSelector:', '  matchExpressions: []']),
    options: { namespaces: ['kube-node-lease'] },
    expected: webhook('Mutating', [
      'namespaceSelector:',
      '  matchExpressions:',
      '    - key: kubernetes.io/metadata.name',
      '      operator: NotIn',
      '      values:',
      '        - guard',
      '        - kube-node-lease',
    ]),
  },
  'a selector that names the namespace with In is left alone, with a warning': {
    input: webhook('Mutating', [
      'namespaceSelector:',
      '  matchExpressions:',
      '    - {key: kubernetes.io/metadata.name, operator: In, values: [kube-system, guard]}',
    ]),
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration hook: ' +
        'webhook hook.example.com selects namespace guard by name; left as it is',
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration hook: webhook ' +
        'hook.example.com selects namespace kube-system by name; left as it is',
    ],
  },
  'the Service document is untouched; the webhook edit keeps CRLF line endings': {
    input: (svc + webhook('Mutating', ['failurePolicy: Fail'])).replace(/\n/g, '\r\n'),
    expected: (svc + webhook('Mutating', ['failurePolicy: Fail'], undefined, NEW_SELECTOR)).replace(/\n/g, '\r\n'),
  },
  'MetalLB-like: webhooks on its own custom resources are left alone (they are validated only in metallb-system)': {
    input: metallb,
    expected: 'unchanged',
    notes: ['ipaddresspools', 'bgppeers', 'l2advertisements'].map(
      (r) =>
        'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration metallb-validating: ' +
        `webhook ${r}validationwebhook.metallb.io is left as it is: ` +
        RULES_NOTE('metallb-system and kube-system'),
    ),
  },
  'cert-manager-like: the CertificateRequest and validation webhooks are left alone, and no label is suggested': {
    input: certManager,
    with: ['label-namespaces'],
    expected: 'unchanged',
    notes: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration cert-manager-mutating: webhook webhook.cert-manager.io ' +
        'is left as it is: ' +
        RULES_NOTE('cert-manager and kube-system'),
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration cert-manager-validating: webhook webhook.cert-manager.io ' +
        'is left as it is: ' +
        RULES_NOTE('cert-manager and kube-system'),
    ],
  },
  'Kyverno-like: a policy webhook that adds finalizers to its own policies is left alone': {
    input: finalizer,
    expected: 'unchanged',
    notes: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration kyverno-mutating: webhook mutate-policy.kyverno.svc ' +
        'is left as it is: ' +
        RULES_NOTE('kyverno and kube-system'),
    ],
  },
  'injector with an opt-in objectSelector: its own pods never opt in, nothing to exclude': {
    input: injector('{key: sidecar.istio.io/inject, operator: In, values: ["true"]}'),
    expected: 'unchanged',
    notes: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration istiod-mutating: webhook object.sidecar-injector.istio.io ' +
        "is left as it is: its objectSelector does not match its backend's pods; its objectSelector does not match the pods " +
        'and objects in kube-system, so it cannot block them; excluding istio-system and kube-system would only switch ' +
        'its function off there',
    ],
  },
  'injector whose opt-out objectSelector skips its own pods: only kube-system, where any pod is injected, is excluded': {
    input: injector('{key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}'),
    expected: injector('{key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}').replace(
      'resources: [pods]}]\n',
      'resources: [pods]}]\n' +
        lines(
          '    namespaceSelector:',
          '      matchExpressions:',
          '        - key: kubernetes.io/metadata.name',
          '          operator: NotIn',
          '          values:',
          '            - kube-system',
        ),
    ),
  },
  'v1beta1 without failurePolicy: Ignore, its default in that API (v1 defaults to Fail), left alone with a note': {
    input: webhook('Mutating', []).replace('admissionregistration.k8s.io/v1\n', 'admissionregistration.k8s.io/v1beta1\n'),
    expected: 'unchanged',
    notes: [
      'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration hook: webhook hook.example.com fails open ' +
        '(failurePolicy: Ignore): while its backend is down, requests pass, so it cannot deadlock its backend or the ' +
        'control plane; its selectors are left as the chart wrote them',
    ],
  },
  'v1beta1 with failurePolicy Fail is Fail': {
    input: webhook('Mutating', ['failurePolicy: Fail']).replace(
      'admissionregistration.k8s.io/v1\n',
      'admissionregistration.k8s.io/v1beta1\n',
    ),
    expected: webhook('Mutating', ['failurePolicy: Fail'], undefined, NEW_SELECTOR).replace(
      'admissionregistration.k8s.io/v1\n',
      'admissionregistration.k8s.io/v1beta1\n',
    ),
  },
  'Ignore webhook: left alone by default (it cannot deadlock), with a note': {
    input: ignoring,
    expected: 'unchanged',
    notes: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration pod-identity-mutating: webhook ' +
        'pod-identity-webhook.amazonaws.com fails open (failurePolicy: Ignore): while its backend is down, requests pass, ' +
        'so it cannot deadlock its backend or the control plane; its selectors are left as the chart wrote them',
    ],
  },
  'Ignore webhook with ignoreWebhooks: excluded like a Fail one': {
    input: ignoring,
    options: { ignoreWebhooks: true },
    expected: ignoring.replace(
      'resources: [pods]}]\n',
      'resources: [pods]}]\n' +
        lines(
          '    namespaceSelector:',
          '      matchExpressions:',
          '        - key: kubernetes.io/metadata.name',
          '          operator: NotIn',
          '          values:',
          '            - default',
          '            - kube-system',
        ),
    ),
    notes: [],
  },
  'a selector naming its namespace by matchLabels is left alone, as the In form is': {
    input: byName(NAME_FORMS.matchLabels),
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration scoped-mutating: webhook scoped.example.com selects ' +
        'namespace team-a by name; left as it is',
    ],
    notes: [],
  },
  'a selector naming its namespace by In is left alone': {
    input: byName(NAME_FORMS.In),
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration scoped-mutating: webhook scoped.example.com selects ' +
        'namespace team-a by name; left as it is',
    ],
    notes: [],
  },
  'a matchCondition that cannot be evaluated offline: nothing changes, the warning says what it would add': {
    input: webhook('Mutating', [
      'failurePolicy: Fail',
      'matchConditions:',
      "  - {name: only-team, expression: \"authorizer.group('').resource('pods').check('create').allowed()\"}",
    ]),
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration hook: webhook hook.example.com may block pods in guard ' +
        '(matchCondition only-team cannot be evaluated offline); exclude-namespaces would add ' +
        '`kubernetes.io/metadata.name NotIn [guard]` to its namespaceSelector, but cannot tell, so it is left as it is',
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration hook: webhook hook.example.com may block pods in ' +
        'kube-system (matchCondition only-team cannot be evaluated offline); exclude-namespaces would add ' +
        '`kubernetes.io/metadata.name NotIn [kube-system]` to its namespaceSelector, but cannot tell, so it is left as it is',
    ],
  },
});

const named = suite('exclude-namespaces: a selector that names namespaces (matchLabels and In alike)');

named('both forms give the same output, warnings, findings and explanation; nothing is "resolved"', () => {
  const cfg = config(['exclude-namespaces']);
  const seen = Object.values(NAME_FORMS).map((form) => {
    const input = byName(form);
    const result = run(input, cfg);
    const findings = checkInputs([{ source: 'input', text: result.output }]).findings.map((f) => `${f.severity}:${f.id}`);
    // The one difference allowed: how the finding quotes the selector.
    const explained = explainFindings(input, result.output).replace(/\(kubernetes\.io\/metadata\.name[^)]*\)/g, '(…)');
    assert.is(result.output, input, 'left as it is');
    assert.not.match(explained, /resolved/);
    return { warnings: result.warnings.map((w) => w.message), findings, explained };
  });
  assert.equal(seen[0], seen[1]);
  assert.ok(seen[0].findings.includes('error:self-deadlock'), 'check still reports the deadlock it cannot fix');
  assert.match(seen[0].explained, /leaves a selector that names namespaces as it is/);
  assert.not.match(seen[0].explained, /transform merges/);
});

named('planExclusion never plans an edit that leaves a selector matching no namespace', () => {
  const forms: unknown[] = [
    { matchLabels: { 'kubernetes.io/metadata.name': 'a' } },
    { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a'] }] },
    {
      matchLabels: { 'kubernetes.io/metadata.name': 'a' },
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a', 'b'] }],
    },
  ];
  for (const selector of forms) {
    const plan = planExclusion(selector, ['a', 'kube-system']);
    assert.equal(plan, { missing: [], byName: ['a'] }, JSON.stringify(selector));
  }
  // In [a, b]: a is named (kept); b is not asked for; nothing to edit.
  assert.equal(
    planExclusion({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a', 'b'] }] }, ['a']),
    { missing: [], byName: ['a'] },
  );
});

named.run();

const safe = suite('a chart whose webhooks are all already safe');

// cert-manager-like, hardened by its chart: 2 replicas, a PDB, a spread, a specific Service selector.
const safeChart =
  backend('cert-manager', 'cert-manager').replace(
    '      containers:',
    lines(
      '      topologySpreadConstraints:',
      '        - maxSkew: 1',
      '          topologyKey: kubernetes.io/hostname',
      '          whenUnsatisfiable: ScheduleAnyway',
      '          labelSelector:',
      '            matchLabels: {app.kubernetes.io/name: cert-manager}',
      '      containers:',
    ).trimEnd(),
  ) +
  lines(
    '---',
    '# Source: cert-manager/templates/webhook-poddisruptionbudget.yaml',
    'apiVersion: policy/v1',
    'kind: PodDisruptionBudget',
    'metadata:',
    '  name: cert-manager-webhook',
    '  namespace: cert-manager',
    'spec:',
    '  maxUnavailable: 1',
    '  selector:',
    '    matchLabels:',
    '      app.kubernetes.io/name: cert-manager',
    '      app.kubernetes.io/instance: cert-manager',
  ) +
  certManager.slice(backend('cert-manager', 'cert-manager').length) +
  hooks('Mutating', 'defaults', 'cert-manager', [
    [
      'defaults.example.com',
      ['failurePolicy: Ignore', 'rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]'],
    ],
  ]);

safe('comes out byte-identical, and the summary says why', () => {
  const result = run(safeChart, config());
  assert.fixture(result.output, safeChart);
  assert.equal(result.changes, []);
  assert.equal(result.warnings, []);
  assert.is(
    summary(result.changes, result.warnings, result.notes),
    'webhook-guard: nothing to change: every webhook is already safe ' +
      '(exclude-namespaces: 2 webhooks on resources no backend needs, 1 webhook failing open (Ignore))',
  );
});

safe.run();

const reasons = suite('exclude-namespaces: each change says what it prevents');

// kops: the backend runs in kube-system, and its objectSelector skips its own (kops-managed) pods, not the add-ons.
const kops =
  backend('kube-system', 'pod-identity', ['kops.k8s.io/managed-by: kops']) +
  hooks('Mutating', 'pod-identity', 'kube-system', [
    [
      'pod-identity-webhook.amazonaws.com',
      [
        'failurePolicy: Fail',
        'objectSelector:',
        '  matchExpressions:',
        '    - {key: kops.k8s.io/managed-by, operator: NotIn, values: [kops]}',
        'rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
      ],
    ],
  ]);

reasons('the own namespace: what the backend needs; kube-system: what the add-ons need', () => {
  const cfg = config(['exclude-namespaces']);
  const table: Array<[string, string, string]> = [
    [
      'own namespace and kube-system',
      webhook('Mutating', ['failurePolicy: Fail']),
      'a pre-created namespace carries only kubernetes.io/metadata.name, so the selector matched guard, kube-system; ' +
        'it fails closed on pods, which its own backend in guard needs to start or keep serving ' +
        '(Kubernetes: "Avoiding deadlocks in self-hosted webhooks"); it fails closed on pods in kube-system, which the ' +
        'control plane and its add-ons need (Kubernetes: "Avoiding operating on the kube-system namespace")',
    ],
    [
      'a backend in kube-system that skips its own pods',
      kops,
      'a pre-created namespace carries only kubernetes.io/metadata.name, so the selector matched kube-system; ' +
        'it fails closed on pods in kube-system, which the control plane and its add-ons need ' +
        '(Kubernetes: "Avoiding operating on the kube-system namespace")',
    ],
  ];
  for (const [name, input, why] of table) {
    const changes = run(input, cfg).changes;
    assert.equal(
      changes.map((c) => c.why),
      [why],
      name,
    );
  }
});

reasons.run();
