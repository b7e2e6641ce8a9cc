// webhook-replicas: replicas, HPA minReplicas, PodDisruptionBudget and spread for Fail webhook backends.
import { lines } from '../support/helpers.js';
import { runCases } from '../support/table.js';

function hook(policy: string): string {
  return lines(
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: guard}',
    'webhooks:',
    '- name: v.guard.example.com',
    '  clientConfig: {service: {name: guard, namespace: sec}}',
    ...(policy ? [`  failurePolicy: ${policy}`] : []),
    '  namespaceSelector: {matchLabels: {guarded: "true"}}',
    '  rules: [{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [things]}]',
  );
}

const svc = lines(
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: guard, namespace: sec}',
  'spec:',
  '  selector: {app: guard}',
  '  ports: [{port: 443, targetPort: 8443}]',
);

function deploy(kind: string, spec: string[], podSpec: string[] = []): string {
  return lines(
    '---',
    'apiVersion: apps/v1',
    `kind: ${kind}`,
    'metadata:',
    '  name: guard',
    '  namespace: sec',
    '  labels: {app: guard}',
    '  annotations:',
    '    helm.sh/hook: pre-install',
    'spec:',
    ...spec,
    '  selector:',
    '    matchLabels: {app: guard}',
    '  template:',
    '    metadata:',
    '      labels: {app: guard}',
    '    spec:',
    '      containers: [{name: guard, image: guard:1}]',
    ...podSpec,
  );
}

const spread = [
  '      topologySpreadConstraints:',
  '        - maxSkew: 1',
  '          topologyKey: kubernetes.io/hostname',
  '          whenUnsatisfiable: ScheduleAnyway',
  '          labelSelector:',
  '            matchLabels:',
  '              app: guard',
];

const pdb = lines(
  '---',
  '# Added by webhook-guard (webhook-replicas)',
  'apiVersion: policy/v1',
  'kind: PodDisruptionBudget',
  'metadata:',
  '  name: guard-webhook-guard',
  '  namespace: sec',
  '  labels:',
  '    app: guard',
  '  annotations:',
  '    helm.sh/hook: pre-install',
  'spec:',
  '  maxUnavailable: 1',
  '  selector:',
  '    matchLabels:',
  '      app: guard',
);

const existingPdb = lines(
  '---',
  'apiVersion: policy/v1',
  'kind: PodDisruptionBudget',
  'metadata: {name: guard, namespace: sec}',
  'spec:',
  '  minAvailable: 1',
  '  selector: {matchLabels: {app: guard}}',
);
const antiAffinity = [
  '      affinity:',
  '        podAntiAffinity:',
  '          preferredDuringSchedulingIgnoredDuringExecution: []',
];

runCases('webhook-replicas', {
  'one replica: raised to 2, PDB added after the workload (carrying its hook annotation), spread added': {
    input: svc + deploy('Deployment', ['  replicas: 1']) + hook('Fail'),
    expected: svc + deploy('Deployment', ['  replicas: 2'], spread) + pdb + hook('Fail'),
  },
  'failurePolicy absent means Fail; replicas absent means 1 (the new field goes at the end of spec)': {
    input: svc + deploy('StatefulSet', []) + existingPdb + hook(''),
    expected: svc + deploy('StatefulSet', [], [...spread, '  replicas: 2']) + existingPdb + hook(''),
  },
  'null replicas (as Kyverno renders) become 2': {
    input: svc + deploy('Deployment', ['  replicas:'], antiAffinity) + existingPdb + hook('Fail'),
    expected: svc + deploy('Deployment', ['  replicas: 2'], antiAffinity) + existingPdb + hook('Fail'),
  },
  'never lowered': {
    input: svc + deploy('Deployment', ['  replicas: 3'], antiAffinity) + existingPdb + hook('Fail'),
    expected: 'unchanged',
  },
  'an HPA scales it: the HPA minReplicas (and maxReplicas) is raised, not replicas': {
    input:
      svc +
      deploy('Deployment', ['  replicas: 1'], antiAffinity) +
      existingPdb +
      lines(
        '---',
        'apiVersion: autoscaling/v2',
        'kind: HorizontalPodAutoscaler',
        'metadata: {name: guard, namespace: sec}',
        'spec:',
        '  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: guard}',
        '  maxReplicas: 1',
      ) +
      hook('Fail'),
    expected:
      svc +
      deploy('Deployment', ['  replicas: 1'], antiAffinity) +
      existingPdb +
      lines(
        '---',
        'apiVersion: autoscaling/v2',
        'kind: HorizontalPodAutoscaler',
        'metadata: {name: guard, namespace: sec}',
        'spec:',
        '  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: guard}',
        '  maxReplicas: 2',
        '  minReplicas: 2',
      ) +
      hook('Fail'),
  },
  'Ignore webhooks are left alone': {
    input: svc + deploy('Deployment', ['  replicas: 1']) + hook('Ignore'),
    expected: 'unchanged',
  },
  'DaemonSets run one pod per node and are left alone': {
    input: svc + deploy('DaemonSet', []) + hook('Fail'),
    expected: 'unchanged',
  },
  'PDB and spread can be switched off; minReplicas is configurable': {
    input: svc + deploy('Deployment', ['  replicas: 2']) + hook('Fail'),
    options: { minReplicas: 3, podDisruptionBudget: false, topologySpread: false },
    expected: svc + deploy('Deployment', ['  replicas: 3']) + hook('Fail'),
  },
  skipWorkloads: {
    input: svc + deploy('Deployment', ['  replicas: 1']) + hook('Fail'),
    options: { skipWorkloads: ['sec/guard'] },
    expected: 'unchanged',
  },
  'a non-numeric replicas value is left, with a warning': {
    input: svc + deploy('Deployment', ['  replicas: two'], antiAffinity) + existingPdb + hook('Fail'),
    expected: 'unchanged',
    warnings: ['spec.replicas is "two", not a number'],
  },
});
