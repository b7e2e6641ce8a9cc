// check agrees with the transforms and does not cry wolf: run-time labels, numeric ports, helm test pods,
// rollouts that stop every pod, webhooks registered at run time, CAs the operator injects.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkInputs } from '../../src/check/run.js';
import { lines } from '../support/helpers.js';

const hook = lines(
  '---',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: MutatingWebhookConfiguration',
  'metadata: {name: cfg}',
  'webhooks:',
  '- {name: mpod.example.io, admissionReviewVersions: [v1], sideEffects: None, ' +
    'clientConfig: {service: {name: webhook, namespace: sys}}, namespaceSelector: {matchLabels: {inject: "on"}}, ' +
    'rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}',
);
const svc = (selector: string, target: string) =>
  lines(
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: webhook, namespace: sys}',
    `spec: {selector: ${selector}, ports: [{port: 443, targetPort: ${target}}]}`,
  );
const deploy = (name: string, labels: string, extra: string[] = []) =>
  lines(
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}, namespace: sys}`,
    'spec:',
    '  replicas: 2',
    ...extra,
    `  selector: {matchLabels: ${labels}}`,
    '  template:',
    `    metadata: {labels: ${labels}}`,
    '    spec: {serviceAccountName: server, containers: [{name: c, image: i, ports: [{name: https, containerPort: 9443}]}]}',
  );
const testPod = lines(
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: server-test, namespace: sys, annotations: {helm.sh/hook: test}, labels: {app: server}}',
  'spec: {containers: [{name: t, image: busybox}]}',
);
const pdb = lines(
  '---',
  'apiVersion: policy/v1',
  'kind: PodDisruptionBudget',
  'metadata: {name: p, namespace: sys}',
  'spec: {maxUnavailable: 1, selector: {matchLabels: {app: server}}}',
);
const rbac = lines(
  '---',
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: ClusterRole',
  'metadata: {name: server}',
  'rules: [{apiGroups: [admissionregistration.k8s.io, apiextensions.k8s.io], ' +
    'resources: [validatingwebhookconfigurations, customresourcedefinitions], verbs: [create, update, patch]}]',
  '---',
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: ClusterRoleBinding',
  'metadata: {name: server}',
  'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: server}',
  'subjects: [{kind: ServiceAccount, name: server, namespace: sys}]',
);
const crd = lines(
  '---',
  'apiVersion: apiextensions.k8s.io/v1',
  'kind: CustomResourceDefinition',
  'metadata: {name: widgets.example.com}',
  'spec:',
  '  group: example.com',
  '  names: {plural: widgets, kind: Widget}',
  '  scope: Namespaced',
  '  conversion:',
  '    strategy: Webhook',
  '    webhook:',
  '      clientConfig: {service: {name: webhook, namespace: sys}}',
  '      conversionReviewVersions: [v1]',
);

const findings = (text: string, id: string) =>
  checkInputs([{ source: 'in.yaml', text }])
    .findings.filter((f) => f.id === id)
    .map((f) => `${f.severity} | ${f.message}`);

const cases: Record<string, { input: string; id: string; expected: string[] }> = {
  'no-endpoints: selector labels the pods get at run time, target port declared by name → a warning that says so': {
    input: svc('{app: server, role: webhook}', 'https') + deploy('server', '{app: server}') + pdb + hook,
    id: 'no-endpoints',
    expected: [
      'warning | mutating webhook mpod.example.io calls Service sys/webhook port 443, but Service sys/webhook ' +
        '(selector app=server, role=webhook) selects no pods of the input, while Deployment sys/server declares its ' +
        'target port "https": the selector\'s labels are probably added to those pods at run time; if not, the ' +
        'Service has no endpoints. If the labels never come, every matching request is rejected (failurePolicy Fail).',
    ],
  },
  'no-endpoints: selector labels nobody declares the port for stay an error': {
    input: svc('{app: server, role: webhook}', 'web') + deploy('server', '{app: server}') + pdb + hook,
    id: 'no-endpoints',
    expected: [
      'error | mutating webhook mpod.example.io calls Service sys/webhook port 443, but Service sys/webhook ' +
        '(selector app=server, role=webhook) selects no pods of any workload in the input. With failurePolicy Fail ' +
        'every matching request is rejected.',
    ],
  },
  'service-selector-overlap: a helm test Pod is info at most': {
    input: svc('{app: server}', 'https') + deploy('server', '{app: server}') + testPod + pdb + hook,
    id: 'service-selector-overlap',
    expected: [
      'info | Service sys/webhook (selector app=server) is called by mpod.example.io and selects the pods of ' +
        'Deployment sys/server and Pod sys/server-test. Pod sys/server-test is a `helm test` hook: it runs only ' +
        'during `helm test`, and only then does the selector reach more than one workload. While they run, the ' +
        "apiserver's calls are spread over all of them; those that reach a pod other than Deployment sys/server's " +
        'fail with "x509: certificate is valid for <other service>, not webhook.sys.svc", or get another webhook\'s answer.',
    ],
  },
  'service-selector-overlap: two real workloads stay an error beside the test Pod': {
    input: svc('{app: server}', 'https') + deploy('server', '{app: server}') + deploy('other', '{app: server}') + testPod + hook,
    id: 'service-selector-overlap',
    expected: [
      'error | Service sys/webhook (selector app=server) is called by mpod.example.io and selects the pods of ' +
        'Deployment sys/server, Deployment sys/other and Pod sys/server-test. Pod sys/server-test is a `helm test` ' +
        "hook: it runs only during `helm test`. The apiserver's calls are spread over all of them; those that reach " +
        'the wrong server fail with "x509: certificate is valid for <other service>, not webhook.sys.svc", or get ' +
        "another webhook's answer.",
    ],
  },
  'single-point-of-failure: strategy Recreate is the risk, whatever the replicas and budget': {
    input: svc('{app: server}', 'https') + deploy('server', '{app: server}', ['  strategy: {type: Recreate}']) + pdb + hook,
    id: 'single-point-of-failure',
    expected: [
      'warning | Deployment sys/server serves the Fail webhook mpod.example.io, but its strategy is Recreate: every ' +
        'rollout stops all its pods before it starts new ones. When its pods are gone, every request the webhook ' +
        'intercepts is rejected.',
    ],
  },
  'runtime-webhooks: a render with no webhook configuration but RBAC that registers them says what it cannot see': {
    input: svc('{app: server}', 'https') + deploy('server', '{app: server}') + rbac,
    id: 'runtime-webhooks',
    expected: [
      'info | Deployment sys/server serves webhooks the input does not show: its ServiceAccount sys/server may ' +
        'create or update validatingwebhookconfigurations (ClusterRole server), customresourcedefinitions ' +
        '(ClusterRole server). Their rules, failure policies and selectors are made at run time, so what they ' +
        "intercept, and whether they can block this workload's own pods, cannot be checked offline.",
    ],
  },
  'runtime-webhooks: RBAC that registers webhooks, but no webhook port routed to it (a CA injector): not a backend': {
    input: svc('{app: server}', 'http-metrics').replace('port: 443', 'port: 9402') + deploy('server', '{app: server}') + rbac,
    id: 'runtime-webhooks',
    expected: [
      'info | Deployment sys/server may change webhooks at run time: its ServiceAccount sys/server may create or ' +
        'update validatingwebhookconfigurations (ClusterRole server), customresourcedefinitions (ClusterRole server). ' +
        'No Service of the input routes a webhook port to it (a CA injector, or a ServiceAccount shared with a webhook ' +
        'server), so it is not a backend; what it changes cannot be checked offline.',
    ],
  },
  'conversion-ca-bundle: quiet where the backend may patch CRDs (the operator injects its own CA)': {
    input: svc('{app: server}', 'https') + deploy('server', '{app: server}') + pdb + rbac + crd,
    id: 'conversion-ca-bundle',
    expected: [],
  },
  'conversion-ca-bundle: reported where nothing injects the CA': {
    input: svc('{app: server}', 'https') + deploy('server', '{app: server}') + pdb + crd,
    id: 'conversion-ca-bundle',
    expected: [
      'warning | The conversion webhook of widgets.example.com calls Service sys/webhook with no caBundle and no ' +
        'cert-manager.io/inject-ca-from annotation: unless something patches the CA in at run time, the apiserver ' +
        "cannot verify the server's certificate and every conversion fails TLS. widgets.example.com converts through " +
        'it, and a conversion webhook always fails closed: while no backend answers, every read and write of ' +
        'those resources in a version other than the stored one fails, and garbage collection and namespace ' +
        'deletion over them stall (namespaces stuck in Terminating).',
    ],
  },
};

const test = suite('check: agrees with the transforms, does not cry wolf');
for (const [name, c] of Object.entries(cases)) test(name, () => assert.equal(findings(c.input, c.id), c.expected));
test('single-point-of-failure says what webhook-replicas will do: raise a leader-electing backend, not a singleton', () => {
  const fix = (container: string) =>
    checkInputs([
      {
        source: 'in.yaml',
        text:
          svc('{app: server}', 'https') +
          deploy('server', '{app: server}', ['  replicas: 1'])
            .replace('  replicas: 2\n', '')
            .replace('{name: c, image: i,', container) +
          hook,
      },
    ]).findings.find((f) => f.id === 'single-point-of-failure')?.fix;
  assert.is(
    fix('{name: c, image: i,'),
    'Run at least 2 replicas spread over nodes with a PodDisruptionBudget of maxUnavailable: 1: ' +
      "webhook-guard's webhook-replicas transform adds only the budget here: the render shows no leader election, and two " +
      "copies of a singleton controller act twice; switch leader election on and raise the replicas in the chart's values.",
  );
  assert.is(
    fix("{name: c, image: i, args: ['--leader-elect'],"),
    'Run at least 2 replicas spread over nodes with a PodDisruptionBudget of maxUnavailable: 1: ' +
      "webhook-guard's webhook-replicas transform sets them (raising an HPA's minReplicas instead of replicas) " +
      '(several copies are safe: container c runs with --leader-elect).',
  );
});
test.run();
