// label-namespaces: exempting labels on Namespace documents, kubectl commands or adopted Namespaces otherwise.
import { lines } from '../support/helpers.js';
import { runCases } from '../support/table.js';

const kruiseHook = lines(
  '---',
  '# Source: kruise/templates/webhookconfiguration.yaml',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: MutatingWebhookConfiguration',
  'metadata:',
  '  name: kruise-mutating-webhook-configuration',
  'webhooks:',
  '  - name: mpod.kb.io',
  '    clientConfig:',
  '      service: {name: kruise-webhook-service, namespace: kruise-system}',
  '    namespaceSelector:',
  '      matchExpressions:',
  '        - key: control-plane',
  '          operator: NotIn',
  '          values: [openkruise]',
  '        - key: kubernetes.io/metadata.name',
  '          operator: NotIn',
  '          values: [kube-system]',
  '    rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
);

/** podHook is a Fail webhook on pod creation in kruise-system whose namespaceSelector opts out by `selector` lines. */
function podHook(name: string, selector: string[], resources = 'pods', group = '""'): string {
  return lines(
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    'metadata:',
    `  name: ${name}`,
    'webhooks:',
    `  - name: ${name}.example.com`,
    '    clientConfig:',
    '      service: {name: kruise-webhook-service, namespace: kruise-system}',
    '    namespaceSelector:',
    '      matchExpressions:',
    ...selector.map((l) => '        ' + l),
    `    rules: [{apiGroups: [${group}], apiVersions: [v1], operations: [CREATE], resources: [${resources}]}]`,
  );
}

function namespace(labels: string[]): string {
  return lines(
    '---',
    '# Source: kruise/templates/manager.yaml',
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    '  name: kruise-system',
    ...labels,
  );
}

runCases('label-namespaces', {
  'the label a webhook exempts with is added to its namespace': {
    input: namespace(['  labels:', '    team: platform  # owner']) + kruiseHook,
    expected: namespace(['  labels:', '    team: platform  # owner', '    control-plane: openkruise']) + kruiseHook,
  },
  'a Namespace without labels gets a labels map': {
    input: namespace([]) + kruiseHook,
    expected: namespace(['  labels:', '    control-plane: openkruise']) + kruiseHook,
  },
  'an existing label with the right value: unchanged': {
    input: namespace(['  labels:', '    control-plane: openkruise']) + kruiseHook,
    expected: 'unchanged',
  },
  'a conflicting value is kept, with a warning': {
    input: namespace(['  labels:', '    control-plane: other']) + kruiseHook,
    expected: 'unchanged',
    warnings: [
      'v1 Namespace kruise-system: label control-plane is other, not openkruise (webhook mpod.kb.io exempts ' +
        'namespaces labelled control-plane=openkruise, and its backend runs in kruise-system); kept as it is',
    ],
  },
  'namespace not in the stream: the kubectl command, no change': {
    input: kruiseHook,
    expected: 'unchanged',
    warnings: [
      ': namespace kruise-system is not in the stream; label it before ' +
        'installing (webhook mpod.kb.io exempts namespaces labelled ' +
        'control-plane=openkruise, and its backend runs in kruise-system) ' +
        '| kubectl label namespace kruise-system control-plane=openkruise',
    ],
  },
  'namespace not in the stream, adoptNamespaces: a kept Namespace comes first': {
    input: kruiseHook,
    options: { adoptNamespaces: true },
    expected:
      lines(
        '---',
        '# Added by webhook-guard (label-namespaces)',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: kruise-system',
        '  labels:',
        '    control-plane: openkruise',
        '  annotations:',
        '    helm.sh/resource-policy: keep',
      ) + kruiseHook,
  },
  ...Object.fromEntries(
    ['kube-system', 'default', 'kube-public', 'kube-node-lease'].map((ns) => [
      `adoptNamespaces never adopts the cluster's own ${ns}: the kubectl command instead`,
      {
        input: kruiseHook.replace('namespace: kruise-system', `namespace: ${ns}`),
        options: { adoptNamespaces: true },
        expected: 'unchanged',
        warnings: [
          `: namespace ${ns} is the cluster's own and is never adopted (Helm refuses to install over a namespace it ` +
            'does not own, and a release that owned it could delete it); label it before installing (webhook ' +
            `mpod.kb.io exempts namespaces labelled control-plane=openkruise, and its backend runs in ${ns}) ` +
            `| kubectl label namespace ${ns} control-plane=openkruise`,
        ],
      },
    ]),
  ),
  'configured labels, and derivation switched off': {
    input: namespace(['  labels: {}']) + kruiseHook,
    options: { deriveFromWebhooks: false, namespaceLabels: { 'kruise-system': { 'example.com/exempt': 'true' } } },
    expected: namespace(['  labels:', '    example.com/exempt: "true"']) + kruiseHook,
  },
  'security and mesh labels are never derived: Pod Security, Istio injection, cert-manager validation': {
    input:
      namespace([]) +
      podHook('psa', ['- {key: pod-security.kubernetes.io/enforce, operator: NotIn, values: [privileged]}']) +
      podHook('mesh', ['- {key: istio-injection, operator: NotIn, values: [disabled]}']) +
      podHook('certs', ['- {key: cert-manager.io/disable-validation, operator: NotIn, values: ["true"]}']),
    expected: 'unchanged',
    notes: [
      ['psa', 'pod-security.kubernetes.io/enforce=privileged'],
      ['mesh', 'istio-injection=disabled'],
      ['certs', 'cert-manager.io/disable-validation=true'],
    ].map(
      ([name, label]) =>
        `admissionregistration.k8s.io/v1 MutatingWebhookConfiguration ${name}: webhook ${name}.example.com exempts ` +
        `namespaces labelled ${label}; that label switches a security or mesh control off for every workload of a ` +
        'namespace, so it is never derived (exclude-namespaces excludes kruise-system by its name label instead)',
    ),
  },
  'a security label in a namespace not in the stream: no kubectl command is suggested': {
    input: podHook('psa', ['- {key: pod-security.kubernetes.io/enforce, operator: NotIn, values: [privileged]}']),
    expected: 'unchanged',
  },
  'a webhook that cannot block its backend (custom resources only) derives no label': {
    input:
      namespace([]) +
      podHook('cr', ['- {key: control-plane, operator: NotIn, values: [openkruise]}'], 'clonesets', 'apps.kruise.io'),
    expected: 'unchanged',
    notes: [],
  },
  'an Ignore webhook derives no label': {
    input: namespace([]) + kruiseHook.replace('    rules:', '    failurePolicy: Ignore\n    rules:'),
    expected: 'unchanged',
  },
});
