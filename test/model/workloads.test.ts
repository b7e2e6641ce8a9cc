// What a workload's render says: leader election, rollouts that stop every pod, helm test hooks, run-time webhooks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { InputError } from '../../src/errors.js';
import { RBAC_KINDS } from '../../src/model/kinds.js';
import { Model } from '../../src/model/model.js';
import {
  grantsOf,
  isHelmTest,
  leaderElection,
  registersWebhooks,
  rolloutOutage,
  runtimeServers,
} from '../../src/model/workloads.js';
import { splitStream } from '../../src/yaml/stream.js';
import { corpusFiles, lines, needsCorpus } from '../support/helpers.js';

function workload(kind: string, spec: string[], container = '{name: c, image: i}', annotations = '{}'): string {
  return lines(
    '---',
    'apiVersion: apps/v1',
    `kind: ${kind}`,
    `metadata: {name: w, namespace: ops, annotations: ${annotations}}`,
    'spec:',
    ...spec,
    '  selector: {matchLabels: {app: w}}',
    '  template:',
    '    metadata: {labels: {app: w}}',
    `    spec: {serviceAccountName: w, containers: [${container}]}`,
  );
}
const model = (text: string) => Model.read(splitStream(text));
// The model of a harden run, which reads RBAC documents only when asked.
const lateModel = (text: string) => Model.read(splitStream(text), { readLater: RBAC_KINDS });
const first = (m: Model) => m.ofKind('Deployment', 'StatefulSet', 'DaemonSet', 'Pod')[0];

const election = suite('model: leader election');
const flags: Array<[string, boolean | undefined]> = [
  ["args: ['--leader-elect']", true],
  ["args: ['--leader-elect=true']", true],
  ["args: ['--enable-leader-election']", true],
  ["args: ['--enable-leader-election=true']", true],
  ["args: ['--leader-election']", true],
  ["args: ['-leader-elect']", true],
  ["args: ['--leader-elect=t']", true],
  ["args: ['--leader-elect=false']", false],
  ["args: ['--enable-leader-election=False']", false],
  ["args: ['--leader-election=0']", false],
  ["args: ['--leader-elect', '--leader-elect=false']", false],
  ["args: ['--leader-elect=false', '--leader-elect']", true],
  ["args: ['--leader-elect=maybe']", undefined],
  ["args: ['--leader-elect', '--leader-elect=$(LEADER_ELECT)']", undefined],
  ["args: ['--leader-election-namespace=ops']", undefined],
  ["args: ['--leader-elect-lease-duration=15s']", undefined],
  ['command: [/manager, --enable-leader-election]', true],
  ["command: [sh, -c, 'exec /manager --leader-elect=false']", false],
  ["args: ['--election-id=ingress-nginx-leader']", true],
];
for (const [field, want] of flags)
  election(`${field} → ${want}`, () => {
    const m = model(workload('Deployment', [], `{name: c, image: i, ${field}}`));
    assert.is(leaderElection(m, first(m))?.yes, want);
  });
election('a mounted controller-runtime config file says so; an unmounted one does not', () => {
  const config = lines(
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: cfg, namespace: ops}',
    'data:',
    '  config.yaml: |',
    '    kind: Configuration',
    '    leaderElection:',
    '      leaderElect: true',
  );
  const mounted = workload('Deployment', []).replace(
    'containers: [{name: c, image: i}]}',
    'containers: [{name: c, image: i}], volumes: [{name: v, configMap: {name: cfg}}]}',
  );
  const m = model(config + mounted);
  assert.equal(leaderElection(m, first(m)), {
    yes: true,
    why: 'its config file (ConfigMap cfg, config.yaml) sets leaderElection.leaderElect: true',
  });
  const n = model(config + workload('Deployment', []));
  assert.is(leaderElection(n, first(n)), undefined);
});
election.run();

const rollout = suite('model: rollouts that stop every pod');
const strategies: Array<[string, string[], string | undefined]> = [
  [
    'Deployment',
    ['  replicas: 2', '  strategy: {type: Recreate}'],
    'its strategy is Recreate: every rollout stops all its pods before it starts new ones',
  ],
  [
    'Deployment',
    ['  replicas: 2', '  strategy: {rollingUpdate: {maxUnavailable: 2}}'],
    'its RollingUpdate maxUnavailable (2) covers all 2 replicas: a rollout may stop every pod before a new one is ready',
  ],
  [
    'Deployment',
    ['  replicas: 4', '  strategy: {rollingUpdate: {maxUnavailable: 100%}}'],
    'its RollingUpdate maxUnavailable (100%) covers all 4 replicas: a rollout may stop every pod before a new one is ready',
  ],
  ['Deployment', ['  replicas: 1'], undefined],
  ['Deployment', ['  replicas: 3', '  strategy: {rollingUpdate: {maxUnavailable: 50%}}'], undefined],
  [
    'StatefulSet',
    ['  replicas: 1'],
    'it is a StatefulSet whose rolling update replaces up to 1 pod at a time ' +
      'with 1 replica: a rollout deletes every pod before its replacement is ready',
  ],
  ['StatefulSet', ['  replicas: 2'], undefined],
  ['StatefulSet', ['  replicas: 1', '  updateStrategy: {type: OnDelete}'], undefined],
  ['DaemonSet', [], undefined],
];
for (const [kind, spec, want] of strategies)
  rollout(`${kind} ${spec.join(' ').trim() || '(defaults)'}`, () => {
    const m = model(workload(kind, spec));
    assert.is(rolloutOutage(first(m)), want);
  });
rollout.run();

const other = suite('model: helm test hooks and run-time webhooks');
other('helm.sh/hook test, test-success, test-failure (alone or in a list) are test hooks; others are not', () => {
  for (const [hook, want] of [
    ['test', true],
    ['test-success', true],
    ['pre-install,test-failure', true],
    ['pre-install', false],
  ] as const) {
    const m = model(workload('Deployment', [], undefined, `{helm.sh/hook: '${hook}'}`));
    assert.is(isHelmTest(first(m)), want, hook);
  }
});
other('registersWebhooks: create/update/patch on webhook configurations or CRDs, through a binding to the ServiceAccount', () => {
  const rbac = (verbs: string, resources: string, group: string, subject = 'w') =>
    lines(
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRole',
      'metadata: {name: r}',
      `rules: [{apiGroups: [${group}], resources: [${resources}], verbs: [${verbs}]}]`,
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRoleBinding',
      'metadata: {name: r}',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}',
      `subjects: [{kind: ServiceAccount, name: ${subject}, namespace: ops}]`,
    );
  const ask = (text: string) => {
    const m = model(text + workload('Deployment', []));
    return registersWebhooks(m, first(m));
  };
  assert.is(
    ask(rbac('create', 'mutatingwebhookconfigurations', 'admissionregistration.k8s.io')),
    'its ServiceAccount ops/w may create or update mutatingwebhookconfigurations (ClusterRole r)',
  );
  assert.is(
    ask(rbac('patch', 'customresourcedefinitions', 'apiextensions.k8s.io')),
    'its ServiceAccount ops/w may create or update customresourcedefinitions (ClusterRole r)',
  );
  assert.is(
    ask(rbac("'*'", "'*'", 'admissionregistration.k8s.io')),
    'its ServiceAccount ops/w may create or update mutatingwebhookconfigurations (ClusterRole r), ' +
      'validatingwebhookconfigurations (ClusterRole r)',
  );
  // An admin role (every verb on every resource of every group) says nothing about webhooks.
  assert.is(ask(rbac("'*'", "'*'", "'*'")), undefined);
  assert.is(ask(rbac('get, list, watch', 'validatingwebhookconfigurations', 'admissionregistration.k8s.io')), undefined);
  assert.is(ask(rbac('create', 'validatingwebhookconfigurations', 'admissionregistration.k8s.io', 'other')), undefined);
});
for (const [how, read] of [
  ['read with the stream', model],
  ['read when asked', lateModel],
] as const)
  other(
    `grantsOf, RBAC ${how}: bindings in stream order, a RoleBinding subject in its own namespace, ` +
      'the first role of a name, each role once',
    () => {
      const doc = (kind: string, body: string) => lines('---', 'apiVersion: rbac.authorization.k8s.io/v1', `kind: ${kind}`, body);
      const m = read(
        [
          doc('ClusterRole', 'metadata: {name: c}\nrules: [{verbs: [get], resources: [a]}]'),
          doc('ClusterRole', 'metadata: {name: c}\nrules: [{verbs: [get], resources: [second-of-the-name]}]'),
          doc('Role', 'metadata: {name: r, namespace: ops}\nrules: [{verbs: [get], resources: [b]}]'),
          doc('Role', 'metadata: {name: r, namespace: other}\nrules: [{verbs: [get], resources: [other-namespace]}]'),
          doc(
            'RoleBinding',
            'metadata: {name: rb, namespace: ops}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: w}]',
          ),
          doc(
            'ClusterRoleBinding',
            'metadata: {name: crb}\nroleRef: {kind: ClusterRole, name: c}\n' +
              'subjects: [{kind: ServiceAccount, name: w, namespace: ops}, {kind: ServiceAccount, name: w, namespace: ops}]',
          ),
          doc(
            'ClusterRoleBinding',
            'metadata: {name: crb-again}\nroleRef: {kind: ClusterRole, name: c}\n' +
              'subjects: [{kind: ServiceAccount, name: w, namespace: ops}]',
          ),
          doc(
            'ClusterRoleBinding',
            'metadata: {name: gone}\nroleRef: {kind: ClusterRole, name: cluster-admin}\n' +
              'subjects: [{kind: ServiceAccount, name: w, namespace: ops}]',
          ),
          doc(
            'ClusterRoleBinding',
            'metadata: {name: no-namespace}\nroleRef: {kind: ClusterRole, name: c}\nsubjects: [{kind: ServiceAccount, name: w}]',
          ),
          doc(
            'ClusterRoleBinding',
            'metadata: {name: number}\nroleRef: {kind: ClusterRole, name: 7}\n' +
              'subjects: [{kind: ServiceAccount, name: w, namespace: ops}]',
          ),
          workload('Deployment', []),
        ].join(''),
      );
      const g = grantsOf(m, m.ofKind('Deployment')[0]);
      assert.equal(g, {
        serviceAccount: 'ops/w',
        grants: [
          { role: 'Role r', rule: { verbs: ['get'], resources: ['b'] } },
          { role: 'ClusterRole c', rule: { verbs: ['get'], resources: ['a'] } },
        ],
        unresolved: ['ClusterRole cluster-admin', 'ClusterRole 7'],
      });
      // Asked again (another copy of the workload), the same answer.
      assert.equal(grantsOf(m, m.ofKind('Deployment')[0]), g);
    },
  );
other.run();

const late = suite('model: RBAC read when asked');
const rbacDoc = (kind: string, ...body: string[]) =>
  lines('---', 'apiVersion: rbac.authorization.k8s.io/v1', `kind: ${kind}`, ...body);
const bindTo = (role: string) =>
  rbacDoc(
    'ClusterRoleBinding',
    'metadata: {name: b}',
    `roleRef: {kind: ClusterRole, name: ${role}}`,
    'subjects: [{kind: ServiceAccount, name: w, namespace: ops}]',
  );
late('only the bindings and roles that can name the ServiceAccount and its roles are read', () => {
  const m = lateModel(
    [
      rbacDoc('ClusterRole', 'metadata: {name: view-extra}', 'rules: [{verbs: [get], resources: [x]}]'),
      rbacDoc('ClusterRole', 'metadata: {name: view}', 'rules: [{verbs: [get], resources: [pods]}]'),
      rbacDoc('ClusterRole', 'metadata: {name: view}', 'rules: [{verbs: [get], resources: [second]}]'),
      rbacDoc('ClusterRole', 'metadata: {name: unrelated}', 'rules: []'),
      rbacDoc('ClusterRoleBinding', 'metadata: {name: o}', 'roleRef: {kind: ClusterRole, name: view}', 'subjects: [{name: wx}]'),
      bindTo('view'),
      workload('Deployment', []),
    ].join(''),
  );
  assert.equal(grantsOf(m, m.ofKind('Deployment')[0]).grants, [
    { role: 'ClusterRole view', rule: { verbs: ['get'], resources: ['pods'] } },
  ]);
  // The role after the first of its name, the unrelated one, the one named view-extra and the binding of wx stay unread.
  assert.equal(
    m.docs.filter((d) => d.kind !== 'Deployment').map((d) => d.later === true),
    [true, false, true, true, true, false],
  );
});
late('the first role of a name, whether it was read with the stream (in a List) or when asked', () => {
  const listed = lines(
    '---',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: r},',
    '   rules: [{verbs: [list], resources: [in-list]}]}',
  );
  const alone = rbacDoc('ClusterRole', 'metadata: {name: r}', 'rules: [{verbs: [get], resources: [alone]}]');
  for (const [order, want] of [
    [[listed, alone], 'in-list'],
    [[alone, listed], 'alone'],
  ] as const) {
    const text = [...order, bindTo('r'), workload('Deployment', [])].join('');
    for (const m of [model(text), lateModel(text)]) {
      const [grant] = grantsOf(m, m.ofKind('Deployment')[0]).grants;
      assert.equal(grant.rule.resources, [want]);
    }
  }
});
// refuses: asking what the workload is granted throws an InputError with exactly this message.
const refuses = (m: Model, message: string) =>
  assert.throws(
    () => grantsOf(m, m.ofKind('Deployment')[0]),
    (err: Error) => err instanceof InputError && err.message === message,
  );
// grantsEachWay is what the workload after `docs` is granted, with RBAC read with the stream and read when asked.
const grantsEachWay = (...docs: string[]) => {
  const text = [...docs, workload('Deployment', [])].join('');
  return [model(text), lateModel(text)].map((m) => grantsOf(m, m.ofKind('Deployment')[0]));
};
late('a role whose name Go reads from flow style after a JSON key (no space after the colon) is found', () => {
  for (const g of grantsEachWay(
    rbacDoc('ClusterRole', 'metadata: {"name":r}', 'rules: [{verbs: [get], resources: [flow]}]'),
    bindTo('r'),
  ))
    assert.equal(g.grants, [{ role: 'ClusterRole r', rule: { verbs: ['get'], resources: ['flow'] } }]);
});
late('a binding whose kind: line does not settle its kind is read with the stream, as what it reads as', () => {
  const binding = (kindLines: string[]) =>
    lines(
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      ...kindLines,
      'metadata: {name: b}',
      'roleRef: {kind: ClusterRole, name: r}',
      'subjects: [{kind: ServiceAccount, name: w, namespace: ops}]',
    );
  const role = rbacDoc('ClusterRole', 'metadata: {name: r}', 'rules: [{verbs: [get], resources: [x]}]');
  for (const [what, kindLines, bound] of [
    ['its kind goes on to the next line', ['kind: ClusterRoleBinding', '  x'], false],
    ['a second kind line on the next line', ['kind: ClusterRole', 'kind:', '  ClusterRoleBinding'], true],
  ] as const) {
    const text = [role, binding([...kindLines]), workload('Deployment', [])].join('');
    for (const m of [model(text), lateModel(text)])
      assert.is(grantsOf(m, m.ofKind('Deployment')[0]).grants.length, bound ? 1 : 0, what);
  }
});
late('a document read when asked whose kind is not the one its kind: line gave is refused, not taken for it', () => {
  const m = lateModel(
    [rbacDoc('ClusterRole', 'metadata: {name: r}', 'rules: []'), bindTo('r'), workload('Deployment', [])].join(''),
  );
  const [doc] = m.lateOf(['ClusterRole']);
  doc.kind = 'ClusterRoleBinding';
  refuses(
    m,
    'document 1 (kind ClusterRole, line 1): its kind: line reads ClusterRoleBinding, but the whole document reads as ' +
      'kind ClusterRole; write its kind as one plain line',
  );
});
late('a role named by something other than a string is no role of that name', () => {
  for (const g of grantsEachWay(rbacDoc('ClusterRole', 'metadata: {name: 7}', 'rules: [{verbs: [get]}]'), bindTo("'7'")))
    assert.equal(g, { serviceAccount: 'ops/w', grants: [], unresolved: ['ClusterRole 7'] });
});
late('a role that cannot be read is refused when a backend needs it, and passes as it is when none does', () => {
  const broken = rbacDoc('ClusterRole', 'metadata: {name: r', 'rules: []');
  const needed = lateModel([broken, bindTo('r'), workload('Deployment', [])].join(''));
  refuses(
    needed,
    'document 1 (kind ClusterRole, line 1): cannot read this ClusterRole (line 5, column 1: Flow map in block ' +
      'collection must be sufficiently indented and end with a }); webhook-guard must read every document of this ' +
      'kind to harden the stream',
  );
  const unneeded = lateModel([broken, bindTo('other'), workload('Deployment', [])].join(''));
  assert.equal(grantsOf(unneeded, unneeded.ofKind('Deployment')[0]).unresolved, ['ClusterRole other']);
  assert.equal(unneeded.unreadable, []);
});
late('runtimeServers: reachable only, a workload no Service routes a webhook port to is left out unasked', () => {
  const registers = rbacDoc(
    'ClusterRole',
    'metadata: {name: r}',
    'rules: [{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [create]}]',
  );
  const service = (port: number) =>
    lines(
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: s, namespace: ops}',
      `spec: {selector: {app: w}, ports: [{port: ${port}}]}`,
    );
  const why = 'its ServiceAccount ops/w may create or update validatingwebhookconfigurations (ClusterRole r)';
  for (const [port, reachable] of [
    [443, true],
    [8080, false],
  ] as const) {
    const m = lateModel([registers, bindTo('r'), service(port), workload('Deployment', [])].join(''));
    const wl = m.ofKind('Deployment')[0];
    assert.equal(
      runtimeServers(m, new Set(), true).map((r) => [r.workload === wl, r.why, r.reachable]),
      reachable ? [[true, why, true]] : [],
      `port ${port}, reachable only`,
    );
    assert.is(m.docs[0].later, reachable ? undefined : true, `port ${port}: the role read only when asked about`);
    assert.equal(
      runtimeServers(m, new Set()).map((r) => [r.workload === wl, r.why, r.reachable]),
      [[true, why, reachable]],
      `port ${port}, every one`,
    );
  }
});
late('a stream of many releases: past eight names, the documents that can hold a name are looked up, as found before', () => {
  // Each release: a workload with its own ServiceAccount, bound to its own role and to one all releases share.
  const release = (i: number) =>
    [
      rbacDoc('ClusterRole', `metadata: {name: "r${i}:role"}`, `rules: [{verbs: [get], resources: [own-${i}]}]`),
      rbacDoc(
        'ClusterRoleBinding',
        `metadata: {name: b${i}}`,
        `roleRef: {kind: ClusterRole, name: "r${i}:role"}`,
        `subjects: [{kind: ServiceAccount, name: sa-${i}, namespace: ops}]`,
      ),
      rbacDoc(
        'RoleBinding',
        `metadata: {name: s${i}, namespace: ops}`,
        'roleRef: {kind: ClusterRole, name: shared}',
        `subjects: [{kind: ServiceAccount, name: sa-${i}}]`,
      ),
      workload('Deployment', [])
        .replace('name: w,', `name: w${i},`)
        .replace('serviceAccountName: w', `serviceAccountName: sa-${i}`),
    ].join('');
  const shared = rbacDoc('ClusterRole', 'metadata: {name: shared}', 'rules: [{verbs: [list], resources: [all]}]');
  const text = [shared, ...Array.from({ length: 24 }, (_, i) => release(i))].join('');
  const [now, asked] = [model(text), lateModel(text)];
  const grants = (m: Model) => m.ofKind('Deployment').map((w) => grantsOf(m, w).grants.map((g) => g.rule.resources));
  const want = Array.from({ length: 24 }, (_, i) => [[`own-${i}`], ['all']]);
  assert.equal(grants(now), want);
  assert.equal(grants(asked), want);
});
const files = corpusFiles('RBAC read when asked', late);
needsCorpus(late, 'every workload of every corpus file: the same grants read when asked as read with the stream', [], () => {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const [now, asked] = [model(text), lateModel(text)];
    const workloads = (m: Model) => m.ofKind('Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'ReplicaSet', 'Job', 'CronJob');
    assert.equal(
      workloads(asked).map((w) => grantsOf(asked, w)),
      workloads(now).map((w) => grantsOf(now, w)),
      file,
    );
  }
});
late.run();
