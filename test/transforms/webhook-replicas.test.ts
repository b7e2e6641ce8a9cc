// webhook-replicas: replicas, HPA minReplicas, PodDisruptionBudget and spread for Fail webhook backends.
import { lines } from '../support/helpers.js';
import { runCases, type Case } from '../support/table.js';

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

const ELECT = "      containers: [{name: guard, image: guard:1, args: ['--leader-elect']}]";
const SINGLE = '      containers: [{name: guard, image: guard:1}]';

function deploy(kind: string, spec: string[], podSpec: string[] = [], container = ELECT): string {
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
    container,
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

const NO_ELECTION =
  'the render shows no leader election (--leader-elect, --enable-leader-election, --leader-election, or ' +
  'leaderElection.leaderElect in its config file), and two copies of a singleton controller act twice';
/** kept is the full warning for a backend whose one replica stays. */
const kept = (serves: string, evidence = NO_ELECTION) =>
  `apps/v1 Deployment sec/guard: ${serves}, but runs 1 replica, left as it is: ${evidence}; ` +
  "if several copies are safe, switch leader election on and raise the replicas in the chart's values, " +
  'or list it in webhook-replicas scalableWorkloads';
const SINGLETON = kept('it serves the Fail webhook v.guard.example.com');
const RANCHER = '      containers: [{name: rancher-webhook, image: rancher/rancher-webhook:v0.5.0}]';
const KYVERNO = '      containers: [{name: kyverno, image: "reg.kyverno.io/kyverno/kyverno:v1.11.4"}]';
const mount = ['      volumes: [{name: config, configMap: {name: guard-config}}]'];
function managerConfig(elect: string): string {
  return lines(
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: guard-config, namespace: sec}',
    'data:',
    '  controller_manager_config.yaml: |',
    '    apiVersion: controller-runtime.sigs.k8s.io/v1alpha1',
    '    kind: ControllerManagerConfig',
    '    leaderElection:',
    `      leaderElect: ${elect}`,
    '      resourceName: guard.example.com',
  );
}
const unnamed = (text: string) => text.replace(/, namespace: sec\}/, '}').replace('  namespace: sec\n', '');
// Roles and metrics Services the chart renders into the namespace it watches: more of them than of its own,
// so "the most common namespace" would be monitoring.
const foreign = ['a', 'b', 'c']
  .map(
    (n) =>
      lines(
        '---',
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: Role',
        `metadata: {name: watch-${n}, namespace: monitoring}`,
      ) +
      lines(
        '---',
        'apiVersion: v1',
        'kind: Service',
        `metadata: {name: metrics-${n}, namespace: monitoring}`,
        'spec: {ports: [{port: 8080}]}',
      ),
  )
  .join('');
const existingPdbUnnamed = existingPdb.replace('{name: guard, namespace: sec}', '{name: guard}');
const eventsOnly = lines(
  '---',
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: Role',
  'metadata: {name: policy-server, namespace: sec}',
  'rules:',
  "- {apiGroups: [''], resources: [events], verbs: [create, patch]}",
  '- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, create, update]}',
  "- {apiGroups: [''], resources: [pods, secrets], verbs: [get, list, watch]}",
  '---',
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: RoleBinding',
  'metadata: {name: policy-server, namespace: sec}',
  'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: policy-server}',
  'subjects: [{kind: ServiceAccount, name: policy-server}]',
);

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
  'skipWorkloads and scalableWorkloads entries that name no workload of the stream: warned': {
    input: svc + deploy('Deployment', ['  replicas: 2'], antiAffinity) + existingPdb + hook('Fail'),
    options: { skipWorkloads: ['sec/gaurd'], scalableWorkloads: ['other/guard'] },
    expected: 'unchanged',
    warnings: [
      ['skipWorkloads', 'sec/gaurd'],
      ['scalableWorkloads', 'other/guard'],
    ].map(
      ([option, entry]) =>
        `: webhook-replicas ${option} lists ${entry}, which names nothing in the stream, so it does nothing here ` +
        '(check its spelling, name or scope/name; an entry for another release can stay)',
    ),
  },
  'a non-numeric replicas value is left, with a warning': {
    input: svc + deploy('Deployment', ['  replicas: two'], antiAffinity) + existingPdb + hook('Fail'),
    expected: 'unchanged',
    warnings: ['apps/v1 Deployment sec/guard: spec.replicas is "two", not a number; left as it is'],
  },
  'singleton without leader election: replicas kept, PDB added (it never blocks a drain), no spread, a warning': {
    input: svc + deploy('Deployment', ['  replicas: 1'], [], SINGLE) + hook('Fail'),
    expected: svc + deploy('Deployment', ['  replicas: 1'], [], SINGLE) + pdb + hook('Fail'),
    warnings: [SINGLETON],
  },
  ...flagCases(),
  'leader election from a controller-runtime config file in a mounted ConfigMap': {
    input: svc + managerConfig('true') + deploy('Deployment', ['  replicas: 1'], mount, SINGLE) + existingPdb + hook('Fail'),
    expected:
      svc +
      managerConfig('true') +
      deploy('Deployment', ['  replicas: 2'], [...mount, ...spread], SINGLE) +
      existingPdb +
      hook('Fail'),
  },
  'a config file that switches leader election off keeps the singleton': {
    input: svc + managerConfig('false') + deploy('Deployment', ['  replicas: 1'], mount, SINGLE) + existingPdb + hook('Fail'),
    expected: 'unchanged',
    warnings: [
      'apps/v1 Deployment sec/guard: it serves the Fail webhook v.guard.example.com, but runs 1 replica, left as it is: ' +
        'its config file (ConfigMap guard-config, controller_manager_config.yaml) sets leaderElection.leaderElect: false, ' +
        'and two copies of a controller without leader election act twice; ' +
        "if several copies are safe, switch leader election on and raise the replicas in the chart's values, " +
        'or list it in webhook-replicas scalableWorkloads',
    ],
  },
  'scalableWorkloads vouches for a workload the render shows no leader election for': {
    input: svc + deploy('Deployment', ['  replicas: 1'], [], SINGLE) + existingPdb + hook('Fail'),
    options: { scalableWorkloads: ['sec/guard'] },
    expected: svc + deploy('Deployment', ['  replicas: 2'], spread, SINGLE) + existingPdb + hook('Fail'),
  },
  'strategy Recreate: replicas raised, PDB added, pod template left alone, the strategy reported': {
    input: svc + deploy('Deployment', ['  replicas: 1', '  strategy: {type: Recreate}']) + hook('Fail'),
    expected: svc + deploy('Deployment', ['  replicas: 2', '  strategy: {type: Recreate}']) + pdb + hook('Fail'),
    warnings: [
      'apps/v1 Deployment sec/guard: its strategy is Recreate: every rollout stops all its pods before it starts new ones, ' +
        'so its webhooks are down during each rollout whatever its replicas and budget; its pod template is left as it is ' +
        '(an edit there would cause such a rollout); set the Deployment strategy to RollingUpdate with maxUnavailable: 0 ' +
        'and maxSurge: 1 (a StatefulSet: 2 replicas or more) in the chart values',
    ],
  },
  'RollingUpdate whose maxUnavailable covers all replicas: pod template left alone': {
    input: svc + deploy('Deployment', ['  replicas: 2', '  strategy: {rollingUpdate: {maxUnavailable: 100%}}']) + hook('Fail'),
    expected:
      svc + deploy('Deployment', ['  replicas: 2', '  strategy: {rollingUpdate: {maxUnavailable: 100%}}']) + pdb + hook('Fail'),
    warnings: [
      'apps/v1 Deployment sec/guard: its RollingUpdate maxUnavailable (100%) covers all 2 replicas: ' +
        'a rollout may stop every pod before a new one is ready, so its webhooks are down during each rollout ' +
        'whatever its replicas and budget; its pod template is left as it is (an edit there would cause such a ' +
        'rollout); set the Deployment strategy to RollingUpdate with maxUnavailable: 0 and maxSurge: 1 (a StatefulSet: ' +
        '2 replicas or more) in the chart values',
    ],
  },
  "a StatefulSet whose rolling update may stop all its pods: the fix named is the StatefulSet's": {
    input:
      svc +
      deploy('StatefulSet', ['  replicas: 2', '  updateStrategy: {rollingUpdate: {maxUnavailable: 100%}}']) +
      existingPdb +
      hook('Fail'),
    expected: 'unchanged',
    warnings: [
      'apps/v1 StatefulSet sec/guard: it is a StatefulSet whose rolling update replaces up to 100% pods at a time with ' +
        '2 replicas: a rollout deletes every pod before its replacement is ready, so its webhooks are down during each ' +
        'rollout whatever its replicas and budget; its pod template is left as it is (an edit there would cause such a ' +
        'rollout); run the StatefulSet with 2 replicas or more and a rollingUpdate maxUnavailable below them (1, the ' +
        'default) in the chart values',
    ],
  },
  'a RollingUpdate that keeps a pod (maxUnavailable 1 of 2) gets the spread': {
    input:
      svc +
      deploy('Deployment', ['  replicas: 2', '  strategy: {rollingUpdate: {maxUnavailable: 1}}']) +
      existingPdb +
      hook('Fail'),
    expected:
      svc +
      deploy('Deployment', ['  replicas: 2', '  strategy: {rollingUpdate: {maxUnavailable: 1}}'], spread) +
      existingPdb +
      hook('Fail'),
  },
  "a Fail webhook's Service not in the stream: a warning with the --namespace to pass, never silence": {
    input: deploy('Deployment', ['  replicas: 1']) + hook('Fail'),
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration guard: Fail webhook v.guard.example.com calls ' +
        'Service sec/guard, which is not in the stream; its backend is left as it is (if another release installs it, ' +
        'harden that release; if this one does, pass --namespace sec)',
    ],
  },
  'a Service that selects no workload: a warning': {
    input: svc.replace('{app: guard}', '{app: other}') + deploy('Deployment', ['  replicas: 1']) + hook('Fail'),
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration guard: Fail webhook v.guard.example.com calls ' +
        'Service sec/guard, which selects no workload of the stream; its replicas cannot be checked',
    ],
  },
  'release namespace from the webhook: foreign-namespace resources outnumber the own ones': {
    input: unnamed(svc) + foreign + unnamed(deploy('Deployment', ['  replicas: 1'])) + existingPdbUnnamed + hook('Fail'),
    expected:
      unnamed(svc) + foreign + unnamed(deploy('Deployment', ['  replicas: 2'], spread)) + existingPdbUnnamed + hook('Fail'),
  },
  'release namespace given wrongly: the warning says which --namespace to pass': {
    input: unnamed(svc) + unnamed(deploy('Deployment', ['  replicas: 1'])) + hook('Fail'),
    namespace: 'monitoring',
    expected: 'unchanged',
    warnings: [
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration guard: Fail webhook v.guard.example.com calls ' +
        'Service sec/guard, but the stream renders Service guard without a namespace and the release namespace was taken ' +
        'as monitoring (given); its backend is left as it is: pass --namespace sec if that is the release namespace',
    ],
  },
  ...runtimeCases(),
  ...budgetCases(),
  ...servingCases(),
});

// budgetCases: the budget and spread select the workload's pods and no other workload's: a pod that two budgets cover
// cannot be evicted.
function budgetCases(): Record<string, Case> {
  const svcWeb = svc.replace('{app: guard}', '{app: guard, tier: web}');
  const named = '{app: guard, tier: web, app.kubernetes.io/name: guard, app.kubernetes.io/instance: rel}';
  const withLabels = (text: string, labels: string) => text.replace('      labels: {app: guard}', `      labels: ${labels}`);
  const other = lines(
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: other, namespace: sec}',
    'spec:',
    '  selector: {matchLabels: {app: other}}',
    '  template:',
    '    metadata: {labels: {app: guard, role: other}}',
    '    spec: {containers: [{name: other, image: other:1}]}',
  );
  const narrowed = ['app: guard', 'app.kubernetes.io/name: guard', 'app.kubernetes.io/instance: rel'];
  const narrowedPdb = pdb.replace('      app: guard\n', narrowed.map((l) => `      ${l}\n`).join(''));
  const narrowedSpread = [...spread.slice(0, -1), ...narrowed.map((l) => `              ${l}`)];
  const shared = (text: string) =>
    text
      .replaceAll('{app: guard}', '{control-plane: controller-manager}')
      .replace('  labels:\n    app: guard\n', '  labels:\n    control-plane: controller-manager\n')
      .replace('      app: guard\n', '      control-plane: controller-manager\n');
  return {
    "a selector that reaches another workload's pods: narrowed with app.kubernetes.io/name and /instance from the pod template": {
      input: svcWeb + withLabels(deploy('Deployment', ['  replicas: 2']), named) + other + hook('Fail'),
      expected:
        svcWeb + withLabels(deploy('Deployment', ['  replicas: 2'], narrowedSpread), named) + narrowedPdb + other + hook('Fail'),
    },
    "a selector that reaches another workload's pods and cannot be narrowed: no budget, a warning": {
      input:
        svcWeb +
        withLabels(deploy('Deployment', ['  replicas: 2'], antiAffinity), '{app: guard, tier: web}') +
        other +
        hook('Fail'),
      expected: 'unchanged',
      warnings: [
        "apps/v1 Deployment sec/guard: no PodDisruptionBudget added: its pods' labels (app=guard) are carried by the pods " +
          'of Deployment other too, and a budget on them would cover those pods as well; a pod that two budgets cover ' +
          'cannot be evicted, so drains would stop at it. Give its pod template labels of its own ' +
          "(app.kubernetes.io/name and app.kubernetes.io/instance) in the chart's values",
      ],
    },
    'a selector only of labels other releases share: the budget is added, and a warning says what it may reach': {
      input: shared(svc + deploy('Deployment', ['  replicas: 2'], antiAffinity) + hook('Fail')),
      expected: shared(svc + deploy('Deployment', ['  replicas: 2'], antiAffinity) + pdb + hook('Fail')),
      warnings: [
        'apps/v1 Deployment sec/guard: the PodDisruptionBudget added selects control-plane=controller-manager, labels ' +
          "other releases' pods carry too (scaffolding defaults such as kubebuilder's control-plane=controller-manager): " +
          'pods of another release in sec that carry them come under it, and one that a budget of its own covers too ' +
          'cannot be evicted. Give its pod template labels of its own (app.kubernetes.io/name and ' +
          "app.kubernetes.io/instance) in the chart's values, or set webhook-replicas podDisruptionBudget: false if sec " +
          'holds other releases',
      ],
    },
    'a selector only of shared labels whose pods carry app.kubernetes.io/name: narrowed with it, no warning': {
      input: withLabels(
        shared(svc + deploy('Deployment', ['  replicas: 2'], antiAffinity) + hook('Fail')),
        '{control-plane: controller-manager, app.kubernetes.io/name: guard}',
      ).replace(
        '      labels: {control-plane: controller-manager}',
        '      labels: {control-plane: controller-manager, app.kubernetes.io/name: guard}',
      ),
      expected: shared(svc + deploy('Deployment', ['  replicas: 2'], antiAffinity) + pdb + hook('Fail'))
        .replace(
          '      labels: {control-plane: controller-manager}',
          '      labels: {control-plane: controller-manager, app.kubernetes.io/name: guard}',
        )
        .replace(
          '      control-plane: controller-manager\n---',
          '      control-plane: controller-manager\n      app.kubernetes.io/name: guard\n---',
        ),
    },
    'the same workload rendered twice (a release in the stream twice) is not another workload': {
      input:
        svc +
        deploy('Deployment', ['  replicas: 2'], antiAffinity) +
        deploy('Deployment', ['  replicas: 2'], antiAffinity) +
        hook('Fail'),
      expected:
        svc +
        deploy('Deployment', ['  replicas: 2'], antiAffinity) +
        pdb +
        deploy('Deployment', ['  replicas: 2'], antiAffinity) +
        hook('Fail'),
    },
  };
}

// servingCases: leader election counts only in the containers that serve the webhook (its Service's target port).
function servingCases(): Record<string, Case> {
  const containers = (server: string, side: string) =>
    `      containers: [{name: guard, image: guard:1${server}}, {name: side, image: side:1${side}}]`;
  const elect = ", args: ['--leader-elect']";
  const sidecarElects = containers(', ports: [{containerPort: 8443}]', elect);
  const serverElects = containers(`${elect}, ports: [{containerPort: 8443}]`, '');
  const namedPort = containers(', ports: [{name: https, containerPort: 8443}]', elect);
  return {
    'leader election in a sidecar only: the webhook server beside it is kept a singleton': {
      input: svc + deploy('Deployment', ['  replicas: 1'], [], sidecarElects) + existingPdb + hook('Fail'),
      expected: 'unchanged',
      warnings: [SINGLETON],
    },
    'leader election in the container that serves the webhook port: replicas raised': {
      input: svc + deploy('Deployment', ['  replicas: 1'], [], serverElects) + existingPdb + hook('Fail'),
      expected: svc + deploy('Deployment', ['  replicas: 2'], spread, serverElects) + existingPdb + hook('Fail'),
    },
    'a named target port pins the serving container too': {
      input:
        svc.replace('targetPort: 8443', 'targetPort: https') +
        deploy('Deployment', ['  replicas: 1'], [], namedPort) +
        existingPdb +
        hook('Fail'),
      expected: 'unchanged',
      warnings: [SINGLETON],
    },
  };
}

function flagCases(): Record<string, Case> {
  const out: Record<string, Case> = {};
  const on = ['--leader-elect', '--leader-elect=true', '--enable-leader-election', '--enable-leader-election=true'];
  on.push('--leader-election', '--leader-election=true', '-leader-elect', '--leader-elect=1', '--leader-elect=True');
  for (const flag of on) {
    const c = `      containers: [{name: guard, image: guard:1, args: ['--v=2', '${flag}']}]`;
    out[`flag ${flag}: several copies are safe, replicas raised`] = {
      input: svc + deploy('Deployment', ['  replicas: 1'], [], c) + existingPdb + hook('Fail'),
      expected: svc + deploy('Deployment', ['  replicas: 2'], spread, c) + existingPdb + hook('Fail'),
    };
  }
  const off = ['--leader-elect=false', '--enable-leader-election=false', '--leader-election=0', '--leader-elect=F'];
  for (const flag of off) {
    const c = `      containers: [{name: guard, image: guard:1, args: ['--leader-elect', '${flag}']}]`;
    out[`flag --leader-elect then ${flag}: the last one wins, the singleton is kept`] = {
      input: svc + deploy('Deployment', ['  replicas: 1'], [], c) + existingPdb + hook('Fail'),
      expected: 'unchanged',
      warnings: [
        kept(
          'it serves the Fail webhook v.guard.example.com',
          `container guard runs with ${flag}, and two copies of a controller without leader election act twice`,
        ),
      ],
    };
  }
  for (const flag of ['--leader-elect=$(LEADER_ELECT)', '--leader-elect=maybe']) {
    const c = `      containers: [{name: guard, image: guard:1, args: ['--leader-elect', '${flag}']}]`;
    out[`flag --leader-elect then ${flag}: the last one decides and the render does not show it, the singleton is kept`] = {
      input: svc + deploy('Deployment', ['  replicas: 1'], [], c) + existingPdb + hook('Fail'),
      expected: 'unchanged',
      warnings: [SINGLETON],
    };
  }
  const command =
    "      containers: [{name: guard, image: guard:1, command: [sh, -c, 'exec /manager --enable-leader-election']}]";
  out['a flag inside a shell command counts'] = {
    input: svc + deploy('Deployment', ['  replicas: 1'], [], command) + existingPdb + hook('Fail'),
    expected: svc + deploy('Deployment', ['  replicas: 2'], spread, command) + existingPdb + hook('Fail'),
  };
  const namespaceOnly = "      containers: [{name: guard, image: guard:1, args: ['--leader-election-namespace=sec']}]";
  out['--leader-election-namespace alone is no evidence'] = {
    input: svc + deploy('Deployment', ['  replicas: 1'], [], namespaceOnly) + existingPdb + hook('Fail'),
    expected: 'unchanged',
    warnings: [SINGLETON],
  };
  return out;
}

function runtimeCases(): Record<string, Case> {
  const rbac = (verbs: string, resources: string) =>
    lines(
      '---',
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata: {name: policy-server, namespace: sec}',
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRole',
      'metadata: {name: policy-server}',
      'rules:',
      `- {apiGroups: [admissionregistration.k8s.io], resources: [${resources}], verbs: [${verbs}]}`,
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRoleBinding',
      'metadata: {name: policy-server}',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: policy-server}',
      'subjects: [{kind: ServiceAccount, name: policy-server, namespace: sec}]',
    );
  const server = (container: string, replicas: string) =>
    deploy('Deployment', [replicas], ['      serviceAccountName: policy-server'], container);
  const reader = rbac('get, list, watch', 'validatingwebhookconfigurations');
  const writer = rbac('create, update', 'validatingwebhookconfigurations');
  return {
    'RBAC-signalled runtime webhooks: replicas raised with leader election, PDB added, spread added': {
      input: svc + writer + server(ELECT, '  replicas: 1'),
      expected:
        svc + writer + deploy('Deployment', ['  replicas: 2'], ['      serviceAccountName: policy-server', ...spread]) + pdb,
    },
    'RBAC-signalled runtime webhooks without leader election: PDB only, and the singleton warning': {
      input: svc + writer + server(SINGLE, '  replicas: 1'),
      expected: svc + writer + server(SINGLE, '  replicas: 1') + pdb,
      warnings: [
        kept(
          'it serves webhooks registered at run time (its ServiceAccount sec/policy-server may ' +
            'create or update validatingwebhookconfigurations (ClusterRole policy-server))',
        ),
      ],
    },
    'RBAC that only reads webhook configurations is no signal': {
      input: svc + reader + server(ELECT, '  replicas: 1'),
      expected: 'unchanged',
    },
    'RBAC-signalled, but no Service routes a webhook port to it (metrics only): left alone': {
      input:
        svc.replace('[{port: 443, targetPort: 8443}]', '[{name: http-metrics, port: 8080}]') +
        writer +
        server(ELECT, '  replicas: 1'),
      expected: 'unchanged',
    },
    "Kyverno's admission controller (runtime webhooks, leader election built in) gets replicas, PDB and spread": {
      input: svc + deploy('Deployment', ['  replicas: 1'], [], KYVERNO),
      expected: svc + deploy('Deployment', ['  replicas: 2'], spread, KYVERNO) + pdb,
    },
    "Rancher's webhook (runtime webhooks, no leader election in the render): PDB only, and the singleton warning": {
      input: svc + deploy('Deployment', ['  replicas: 1'], [], RANCHER),
      expected: svc + deploy('Deployment', ['  replicas: 1'], [], RANCHER) + pdb,
      warnings: [
        kept("it serves webhooks registered at run time (Rancher's webhook registers its webhook configurations at run time)"),
      ],
    },
    'a webhook-only server (its RBAC writes nothing but events and Leases) may run several copies': {
      input: svc + eventsOnly + server(SINGLE, '  replicas: 1') + existingPdb + hook('Fail'),
      expected:
        svc +
        eventsOnly +
        deploy('Deployment', ['  replicas: 2'], ['      serviceAccountName: policy-server', ...spread], SINGLE) +
        existingPdb +
        hook('Fail'),
    },
  };
}
