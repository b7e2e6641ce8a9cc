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

// Kueue's and LWS's Deployments in one namespace, each with its chart's labels, and LWS's Service's labels.
const KUEUE_AND_LWS =
  deployment(
    'kueue-controller-manager',
    ['        control-plane: controller-manager', '        app.kubernetes.io/name: kueue'],
    ['  labels: {helm.sh/chart: kueue-0.1.0, app.kubernetes.io/name: kueue}'],
  ) +
  deployment(
    'lws-controller-manager',
    ['        control-plane: controller-manager', '        app.kubernetes.io/name: lws'],
    ['  labels: {helm.sh/chart: lws-0.1.0, app.kubernetes.io/name: lws}'],
  );
const LWS_SERVICE_META = ['  labels: {helm.sh/chart: lws-0.1.0, app.kubernetes.io/instance: webhook-service}'];
const LWS_META = ['  labels: {app.kubernetes.io/name: lws, app.kubernetes.io/instance: lws}'];
const RECREATE = 'spec:\n  strategy: {type: Recreate}\n  selector';
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
    options: { step: 'tighten' },
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
    options: { step: 'tighten' },
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
    options: { step: 'tighten' },
  },
  // Kueue and LeaderWorkerSet in one namespace, one stream: LWS's Service names its chart as LWS's Deployment does.
  "two workloads match and expose the port, one of the Service's release (helm.sh/chart): that one": {
    input: service([ccm], LWS_SERVICE_META) + KUEUE_AND_LWS + hook,
    expected: service([ccm, '    app.kubernetes.io/name: lws'], LWS_SERVICE_META) + KUEUE_AND_LWS + hook,
    warnings: [
      'v1 Service shared/lws-webhook-service: the selector control-plane=controller-manager also matches the pods of ' +
        'Deployment kueue-controller-manager in shared; narrowing it with app.kubernetes.io/instance=webhook-service, ' +
        'which the pods of Deployment lws-controller-manager do not carry yet, would leave the Service without endpoints ' +
        'until a new pod is Ready; selector left as it is. Two upgrades fix it: set tighten-service-selectors step: ' +
        'label-pods (the pods roll and gain the labels, the Service keeps them all), then step: tighten (the selector ' +
        'narrows to pods that already carry them)',
    ],
  },
  'two workloads match and both expose the port: ambiguous, unchanged, warned': {
    input:
      service([ccm]) +
      deployment('a', [podCcm], ['  labels: {app.kubernetes.io/name: a}']) +
      deployment('b', [podCcm], ['  labels: {app.kubernetes.io/name: b}']) +
      hook,
    expected: 'unchanged',
    warnings: [
      'v1 Service shared/lws-webhook-service: cannot tell which workload the webhook Service ' +
        'is for (several workloads match and expose its port: a, b); selector left as it is',
    ],
  },
  'no workload in the stream: unchanged, warned': {
    input: service([ccm]) + hook,
    expected: 'unchanged',
    warnings: [
      'v1 Service shared/lws-webhook-service: cannot tell which workload the webhook ' +
        'Service is for (no workload in the stream matches it); selector left as it is',
    ],
  },
  'no value anywhere: unchanged, warned per label': {
    input: service([ccm]) + deployment('lws', [podCcm]) + hook,
    expected: 'unchanged',
    warnings: [
      'v1 Service shared/lws-webhook-service: no value for app.kubernetes.io/name on Deployment lws or on the Service; ' +
        'selector not tightened with it',
      'v1 Service shared/lws-webhook-service: no value for app.kubernetes.io/instance on Deployment lws or on the Service; ' +
        'selector not tightened with it',
    ],
  },
  'default step: labels the pods lack are not used; the warning gives the two steps': {
    input: service([ccm]) + deployment('lws', [podCcm], LWS_META) + hook,
    expected: 'unchanged',
    warnings: [
      'v1 Service shared/lws-webhook-service: the selector control-plane=controller-manager is made only of labels other ' +
        "releases' pods carry too (scaffolding defaults such as kubebuilder's control-plane=controller-manager); narrowing " +
        'it with app.kubernetes.io/name=lws, app.kubernetes.io/instance=lws, which the pods of Deployment lws do not carry ' +
        'yet, would leave the Service without endpoints until a new pod is Ready; selector left as it is. Two upgrades fix ' +
        'it: set tighten-service-selectors step: label-pods (the pods roll and gain the labels, the Service keeps them ' +
        'all), then step: tighten (the selector narrows to pods that already carry them)',
    ],
  },
  'step label-pods: the pod template gains the labels, the selector stays': {
    input: service([ccm]) + deployment('lws', [podCcm], LWS_META) + hook,
    options: { step: 'label-pods' },
    expected:
      service([ccm]) +
      deployment('lws', [podCcm, '        app.kubernetes.io/name: lws', '        app.kubernetes.io/instance: lws'], LWS_META) +
      hook,
    warnings: [
      'v1 Service shared/lws-webhook-service: step 1 of 2: pod template labels app.kubernetes.io/name=lws, ' +
        'app.kubernetes.io/instance=lws added to Deployment lws, selector left as it is; once this upgrade has rolled ' +
        'out, set tighten-service-selectors step: tighten',
    ],
  },
  'step label-pods on a Recreate Deployment: no pod-template edit, the strategy reported': {
    input:
      service([ccm]) + deployment('lws', [podCcm], [...LWS_META, '  # recreate']).replace('spec:\n  selector', RECREATE) + hook,
    options: { step: 'label-pods' },
    expected: 'unchanged',
    warnings: [
      'apps/v1 Deployment shared/lws: pod template labels app.kubernetes.io/name=lws, app.kubernetes.io/instance=lws not ' +
        'added: its strategy is Recreate: every rollout stops all its pods before it starts new ones, so the rollout that ' +
        'adds them stops its webhooks; set the Deployment strategy to RollingUpdate with maxUnavailable: 0 and maxSurge: 1 ' +
        '(a StatefulSet: 2 replicas or more) in the chart values',
    ],
  },
  'a selector by a specific label (linkerd-like) is left alone: no other workload matches it': {
    input:
      service(['    linkerd.io/control-plane-component: proxy-injector']) +
      deployment('linkerd-proxy-injector', ['        linkerd.io/control-plane-component: proxy-injector']) +
      deployment('linkerd-destination', ['        linkerd.io/control-plane-component: destination'], [], 8086) +
      hook,
    expected: 'unchanged',
  },
  'a specific selector that matches another workload of the stream is narrowed; the reason names it': {
    input:
      service(['    app: web']) +
      deployment('web-hook', [
        '        app: web',
        '        app.kubernetes.io/name: web-hook',
        '        app.kubernetes.io/instance: a',
      ]) +
      deployment('web', ['        app: web'], [], 8080) +
      hook,
    expected:
      service(['    app: web', '    app.kubernetes.io/name: web-hook', '    app.kubernetes.io/instance: a']) +
      deployment('web-hook', [
        '        app: web',
        '        app.kubernetes.io/name: web-hook',
        '        app.kubernetes.io/instance: a',
      ]) +
      deployment('web', ['        app: web'], [], 8080) +
      hook,
  },
  'sharedLabels extends the list of labels other releases share': {
    input:
      service(['    team: platform']) +
      deployment('hook', [
        '        team: platform',
        '        app.kubernetes.io/name: hook',
        '        app.kubernetes.io/instance: a',
      ]) +
      hook,
    options: { sharedLabels: ['team'] },
    expected:
      service(['    team: platform', '    app.kubernetes.io/name: hook', '    app.kubernetes.io/instance: a']) +
      deployment('hook', [
        '        team: platform',
        '        app.kubernetes.io/name: hook',
        '        app.kubernetes.io/instance: a',
      ]) +
      hook,
  },
  'the same selector without sharedLabels is left alone': {
    input:
      service(['    team: platform']) +
      deployment('hook', [
        '        team: platform',
        '        app.kubernetes.io/name: hook',
        '        app.kubernetes.io/instance: a',
      ]) +
      hook,
    expected: 'unchanged',
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
