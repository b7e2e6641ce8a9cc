// tighten-service-selectors: webhook Service selectors gain app.kubernetes.io/name and /instance.
import { lines } from '../support/helpers.js';
import { runCases } from '../support/table.js';

const hook = lines(
  '---',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingWebhookConfiguration',
  'metadata: {name: lws}',
  'webhooks:',
  '- name: v.lws.example.com',
  '  clientConfig:',
  '    service: {name: lws-webhook-service, namespace: shared, path: /v}',
  '  rules: [{apiGroups: [lws.example.com], apiVersions: [v1], operations: [CREATE], resources: [lws]}]',
);

function service(selector: string[], labels: string[] = []): string {
  return lines(
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    "  name: 'lws-webhook-service'",
    '  namespace: shared',
    ...labels,
    'spec:',
    '  ports:',
    '  - port: 443',
    '    targetPort: 9443',
    '  selector:',
    ...selector,
  );
}

function deployment(name: string, podLabels: string[], meta: string[] = [], port = 9443): string {
  return lines(
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  namespace: shared',
    ...meta,
    'spec:',
    '  selector:',
    '    matchLabels:',
    '      control-plane: controller-manager',
    '  template:',
    '    metadata:',
    '      labels:',
    ...podLabels,
    '    spec:',
    '      containers:',
    '      - name: manager',
    '        ports:',
    `        - containerPort: ${port}`,
  );
}

const ccm = '    control-plane: controller-manager';
const podCcm = '        control-plane: controller-manager';

runCases('tighten-service-selectors', {
  'values from the workload labels; pod template gains them (LWS 0.6.1)': {
    input:
      service([ccm]) +
      deployment(
        'lws-controller-manager',
        [podCcm],
        ['  labels:', '    app.kubernetes.io/name: lws', '    app.kubernetes.io/instance: lws'],
      ) +
      hook,
    expected:
      service([ccm, '    app.kubernetes.io/name: lws', '    app.kubernetes.io/instance: lws']) +
      deployment(
        'lws-controller-manager',
        [podCcm, '        app.kubernetes.io/name: lws', '        app.kubernetes.io/instance: lws'],
        ['  labels:', '    app.kubernetes.io/name: lws', '    app.kubernetes.io/instance: lws'],
      ) +
      hook,
    warnings: ['rolls the pods', 'rolls the pods'],
  },
  'values already on the pod template: only the selector changes': {
    input:
      service([ccm]) +
      deployment('lws', [podCcm, '        app.kubernetes.io/name: lws', '        app.kubernetes.io/instance: lws-a']) +
      hook,
    expected:
      service([ccm, '    app.kubernetes.io/name: lws', '    app.kubernetes.io/instance: lws-a']) +
      deployment('lws', [podCcm, '        app.kubernetes.io/name: lws', '        app.kubernetes.io/instance: lws-a']) +
      hook,
  },
  'values from the Service labels as a last resort': {
    input:
      service([ccm], ['  labels: {app.kubernetes.io/name: lws, app.kubernetes.io/instance: prod}']) +
      deployment('lws', [podCcm]) +
      hook,
    expected:
      service(
        [ccm, '    app.kubernetes.io/name: lws', '    app.kubernetes.io/instance: prod'],
        ['  labels: {app.kubernetes.io/name: lws, app.kubernetes.io/instance: prod}'],
      ) +
      deployment('lws', [podCcm, '        app.kubernetes.io/name: lws', '        app.kubernetes.io/instance: prod']) +
      hook,
    warnings: ['app.kubernetes.io/name=lws added', 'app.kubernetes.io/instance=prod added'],
  },
  'already tight: unchanged': {
    input:
      service([ccm, '    app.kubernetes.io/name: lws', '    app.kubernetes.io/instance: lws']) +
      deployment('lws', [podCcm]) +
      hook,
    expected: 'unchanged',
  },
  'two workloads match; the one exposing the target port is the backend': {
    input:
      service([ccm]) +
      deployment('lws', [podCcm], ['  labels: {app.kubernetes.io/name: lws, app.kubernetes.io/instance: lws}']) +
      deployment('other', [podCcm], ['  labels: {app.kubernetes.io/name: other, app.kubernetes.io/instance: other}'], 8080) +
      hook,
    expected:
      service([ccm, '    app.kubernetes.io/name: lws', '    app.kubernetes.io/instance: lws']) +
      deployment(
        'lws',
        [podCcm, '        app.kubernetes.io/name: lws', '        app.kubernetes.io/instance: lws'],
        ['  labels: {app.kubernetes.io/name: lws, app.kubernetes.io/instance: lws}'],
      ) +
      deployment('other', [podCcm], ['  labels: {app.kubernetes.io/name: other, app.kubernetes.io/instance: other}'], 8080) +
      hook,
    warnings: ['rolls the pods', 'rolls the pods'],
  },
  'two workloads match and both expose the port: ambiguous, unchanged, warned': {
    input:
      service([ccm]) +
      deployment('a', [podCcm], ['  labels: {app.kubernetes.io/name: a}']) +
      deployment('b', [podCcm], ['  labels: {app.kubernetes.io/name: b}']) +
      hook,
    expected: 'unchanged',
    warnings: ['several workloads match and expose its port: a, b'],
  },
  'no workload in the stream: unchanged, warned': {
    input: service([ccm]) + hook,
    expected: 'unchanged',
    warnings: ['no workload in the stream matches it'],
  },
  'no value anywhere: unchanged, warned per label': {
    input: service([ccm]) + deployment('lws', [podCcm]) + hook,
    expected: 'unchanged',
    warnings: ['no value for app.kubernetes.io/name', 'no value for app.kubernetes.io/instance'],
  },
  'a Service no webhook uses is left alone': {
    input:
      service([ccm]) + deployment('lws', [podCcm], ['  labels: {app.kubernetes.io/name: lws, app.kubernetes.io/instance: lws}']),
    expected: 'unchanged',
  },
  skipServices: {
    input:
      service([ccm]) +
      deployment('lws', [podCcm], ['  labels: {app.kubernetes.io/name: lws, app.kubernetes.io/instance: lws}']) +
      hook,
    options: { skipServices: ['shared/lws-webhook-service'] },
    expected: 'unchanged',
  },
});
