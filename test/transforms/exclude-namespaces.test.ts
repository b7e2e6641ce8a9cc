// exclude-namespaces: merging kubernetes.io/metadata.name NotIn into webhooks' namespaceSelectors.
import { lines } from '../support/helpers.js';
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
      '      values: [ kube-system, guard ]   # chart default',
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
  'rules on namespaces count: namespaceSelector applies to Namespace objects': {
    input: webhook(
      'Validating',
      ['failurePolicy: Fail'],
      ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [namespaces]'],
    ),
    expected: webhook(
      'Validating',
      ['failurePolicy: Fail'],
      ['apiGroups: [""]', 'apiVersions: [v1]', 'operations: [CREATE]', 'resources: [namespaces]'],
      NEW_SELECTOR,
    ),
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
    warnings: ['selects namespace guard by name', 'selects namespace kube-system by name'],
  },
  'the Service document is untouched; the webhook edit keeps CRLF line endings': {
    input: (svc + webhook('Mutating', ['failurePolicy: Fail'])).replace(/\n/g, '\r\n'),
    expected: (svc + webhook('Mutating', ['failurePolicy: Fail'], undefined, NEW_SELECTOR)).replace(/\n/g, '\r\n'),
  },
});
