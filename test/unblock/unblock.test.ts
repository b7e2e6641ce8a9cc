// `unblock` on the seed outages: the break-glass script and its undo, byte for byte, and the rule that no patch
// touches a webhook its explanation does not name.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseError } from '../../src/unblock/plan.js';
import { captured } from '../cluster/captured.js';
import { withCapsuleNodeWebhook } from '../support/fixtures.js';
import { cli, CORPUS, corpusFiles, lines, needsCorpus } from '../support/helpers.js';

const test = suite('unblock');
const dir = mkdtempSync(join(tmpdir(), 'wg-unblock-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const corpus = (name: string): string => join(CORPUS, name);
const KOPS = 'kops-eks-pod-identity-webhook-addon.yaml';

const KRUISE_ERROR =
  'Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook ' +
  '"mpod.kb.io": failed to call webhook: Post "https://kruise-webhook-service.kruise-system.svc:443/mutate-pod?timeout=10s": ' +
  'no endpoints available for service "kruise-webhook-service"';

test('parseError: the webhooks, the Service of the URL and why the call failed', () => {
  assert.equal(parseError(KRUISE_ERROR), {
    webhooks: ['mpod.kb.io'],
    service: { name: 'kruise-webhook-service', namespace: 'kruise-system', path: '/mutate-pod' },
    reason: 'its Service has no ready endpoint',
  });
  assert.equal(
    parseError(
      'failed calling webhook "mleaderworkerset.kb.io": failed to call webhook: Post ' +
        '"https://lws-webhook-service.kueue-system.svc:443/mutate?timeout=10s": tls: failed to verify certificate: ' +
        'x509: certificate is valid for kueue-webhook-service, not lws-webhook-service.kueue-system.svc',
    ),
    {
      webhooks: ['mleaderworkerset.kb.io'],
      service: { name: 'lws-webhook-service', namespace: 'kueue-system', path: '/mutate' },
      reason: 'its Service reaches a server whose certificate is for another name (x509): a pod of another release answers',
    },
  );
  assert.equal(parseError('failed calling webhook "a.b": dial tcp 10.0.0.1:443: connect: connection refused'), {
    webhooks: ['a.b'],
    reason: 'nothing listens at its backend (connection refused)',
  });
  assert.equal(parseError('admission webhook "vpod.kb.io" denied the request: no'), { denied: 'vpod.kb.io' });
  assert.is(parseError('pods "x" is forbidden'), undefined);
});

// As users paste them: from kubectl, from events and JSON logs (escaped quotes), wrapped by a terminal, old URL forms.
const KRUISE_SVC = { name: 'kruise-webhook-service', namespace: 'kruise-system', path: '/validate-pod' };
const PASTED: Record<string, [string, unknown]> = {
  "a deadline, not the URL's ?timeout=": [
    'failed calling webhook "vpod.kb.io": failed to call webhook: Post ' +
      '"https://kruise-webhook-service.kruise-system.svc:443/validate-pod?timeout=10s": context deadline exceeded',
    { webhooks: ['vpod.kb.io'], service: KRUISE_SVC, reason: 'its backend did not answer in time' },
  ],
  'EOF is no timeout though the URL has ?timeout=30s': [
    'failed calling webhook "vpod.kb.io": failed to call webhook: Post ' +
      '"https://kruise-webhook-service.kruise-system.svc:443/validate-pod?timeout=30s": EOF',
    { webhooks: ['vpod.kb.io'], service: KRUISE_SVC, reason: 'the call to its backend failed' },
  ],
  'escaped quotes from a JSON event, a dial i/o timeout': [
    '{"message":"Internal error occurred: failed calling webhook \\"vpod.kb.io\\": failed to call webhook: Post ' +
      '\\"https://kruise-webhook-service.kruise-system.svc:443/validate-pod?timeout=10s\\": dial tcp 10.96.0.12:443: ' +
      'i/o timeout"}',
    { webhooks: ['vpod.kb.io'], service: KRUISE_SVC, reason: 'its backend did not answer in time' },
  ],
  'wrapped by a terminal, connection refused': [
    'Internal error occurred: failed calling webhook "vpod.kb.io": failed to call webhook:\n  Post ' +
      '"https://kruise-webhook-service.kruise-system.svc:443/validate-pod?timeout=10s":\n  dial tcp ' +
      '10.96.0.12:443: connect: connection refused',
    { webhooks: ['vpod.kb.io'], service: KRUISE_SVC, reason: 'nothing listens at its backend (connection refused)' },
  ],
  'an old API server: unquoted URL, service not found': [
    'Internal error occurred: failed calling webhook "vpod.kb.io": Post ' +
      'https://kruise-webhook-service.kruise-system.svc:443/validate-pod?timeout=30s: service "kruise-webhook-service" not found',
    { webhooks: ['vpod.kb.io'], service: KRUISE_SVC, reason: 'its Service does not exist' },
  ],
  'two webhooks in one paste, each once': [
    'failed calling webhook "mpod.kb.io": x509: certificate signed by unknown authority\n' +
      'failed calling webhook "vpod.kb.io": x509: certificate signed by unknown authority\n' +
      'failed calling webhook "mpod.kb.io": x509: certificate signed by unknown authority',
    { webhooks: ['mpod.kb.io', 'vpod.kb.io'], reason: 'the TLS handshake with its backend failed' },
  ],
};
for (const [name, [message, expected]] of Object.entries(PASTED))
  test(`parseError as pasted: ${name}`, () => {
    assert.equal(parseError(message), expected);
    assert.is(parseError('pods "x" is forbidden'), undefined);
  });

needsCorpus(
  test,
  'OpenKruise, pre-created namespace: the label its own selector expects, nothing to restore',
  ['kruise-1.5.2-seed.yaml'],
  () => {
    const restore = join(dir, 'kruise-restore.sh');
    const r = cli(['unblock', '--error', KRUISE_ERROR, '--restore', restore, corpus('kruise-1.5.2-seed.yaml')]);
    assert.is(r.status, 0, r.stderr);
    assert.fixture(
      r.stdout,
      lines(
        '#!/bin/sh',
        '# webhook-guard 0.1.0 unblock: the request that failed calling "mpod.kb.io".',
        '# Read it before running it. It changes only the webhooks named below, each guarded by a test of its name and',
        '# failure policy at its index: if the configuration changed since the dump, kubectl refuses that patch.',
        'set -eu',
        '',
        '# mutatingwebhookconfiguration/kruise-mutating-webhook-configuration ' +
          'webhooks[0] mpod.kb.io (mutating, failurePolicy Fail)',
        '#   the error names it: its Service has no ready endpoint; it also intercepts the pods of its own backend ' +
          'Deployment kruise-system/kruise-controller-manager, which cannot start; the error shows the call failed.',
        '#   Its own namespaceSelector exempts namespaces labelled ' +
          'control-plane=openkruise: the chart expects kruise-system to carry',
        '#   it, so the label is the fix and stays (no restore).',
        'kubectl label namespace kruise-system control-plane=openkruise',
        '',
        '# When each backend answers again (its command prints ready addresses; nothing printed means not yet):',
        '#   kubectl get endpointslices -n kruise-system -l kubernetes.io/service-name=kruise-webhook-service -o ' +
          `jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\\n"}{end}'`,
      ),
    );
    assert.not.ok(existsSync(restore), 'nothing to restore, no file');
  },
);

const LWS_ERROR =
  'failed calling webhook "mleaderworkerset.kb.io": failed to call webhook: Post ' +
  '"https://lws-webhook-service.kueue-system.svc:443/mutate-leaderworkerset-x-k8s-io-v1-leaderworkerset?timeout=10s": ' +
  'tls: failed to verify certificate: x509: certificate is valid for kueue-webhook-service.kueue-system.svc, ' +
  'not lws-webhook-service.kueue-system.svc';

needsCorpus(
  test,
  "Kueue + LWS in one namespace (x509): one guarded patch, and the selector named before the endpoints' word",
  ['kueue-0.11.4.yaml', 'lws-0.6.1-in-kueue-system.yaml'],
  () => {
    const input = join(dir, 'kueue-lws.yaml');
    const docs = ['kueue-0.11.4.yaml', 'lws-0.6.1-in-kueue-system.yaml'].map((f) => readFileSync(corpus(f), 'utf8'));
    writeFileSync(input, docs.join('---\n'));
    const restore = join(dir, 'lws-restore.sh');
    const r = cli(['unblock', '--error', LWS_ERROR, '--restore', restore, input]);
    assert.is(r.status, 0, r.stderr);
    const at = '"/webhooks/0';
    const name = `{"op":"test","path":${at}/name","value":"mleaderworkerset.kb.io"}`;
    const resource = 'mutatingwebhookconfiguration/lws-mutating-webhook-configuration';
    assert.fixture(
      r.stdout,
      lines(
        '#!/bin/sh',
        '# webhook-guard 0.1.0 unblock: the request that failed calling "mleaderworkerset.kb.io".',
        '# Read it before running it. It changes only the webhooks named below, each guarded by a test of its name and',
        '# failure policy at its index: if the configuration changed since the dump, kubectl refuses that patch.',
        'set -eu',
        '',
        `# ${resource} webhooks[0] mleaderworkerset.kb.io (mutating, failurePolicy Fail)`,
        '#   the error names it: its Service reaches a server whose certificate is for another name (x509): a pod of ' +
          'another release answers; its Service kueue-system/lws-webhook-service selects the pods of Deployment ' +
          'kueue-system/kueue-controller-manager, Deployment kueue-system/lws-controller-manager: its ready endpoints ' +
          'may be the wrong ones, so restore only once it selects its own alone (the tighten-service-selectors ' +
          'transform); the error shows the call failed.',
        '#   Until it is restored, what it mutates passes unmutated.',
        `kubectl patch ${resource} --type=json -p '[${name},` +
          `{"op":"test","path":${at}/failurePolicy","value":"Fail"},` +
          `{"op":"replace","path":${at}/failurePolicy","value":"Ignore"}]'`,
        '',
        '# When each backend answers again (its command prints ready addresses; nothing printed means not yet):',
        '#   kubectl get endpointslices -n kueue-system -l kubernetes.io/service-name=lws-webhook-service -o ' +
          `jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\\n"}{end}'`,
        `# then restore the failure policies: sh ${restore}`,
      ),
    );
    assert.fixture(
      readFileSync(restore, 'utf8'),
      lines(
        '#!/bin/sh',
        '# webhook-guard 0.1.0 unblock: restores what the unblock script for the request that failed calling ' +
          '"mleaderworkerset.kb.io" changed.',
        '# Run it once the backends answer again (see the commands in the unblock script).',
        'set -eu',
        '',
        `# ${resource} webhooks[0] mleaderworkerset.kb.io: back to failurePolicy Fail`,
        `kubectl patch ${resource} --type=json -p '[${name},` +
          `{"op":"test","path":${at}/failurePolicy","value":"Ignore"},` +
          `{"op":"replace","path":${at}/failurePolicy","value":"Fail"}]'`,
      ),
    );
  },
);

const MIRROR_POD = lines(
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: etcd-manager-main-node-1',
  '  namespace: kube-system',
  '  annotations: {kubernetes.io/config.mirror: f00d}',
  'spec:',
  '  nodeName: node-1',
  '  containers: [{name: etcd-manager, image: registry.k8s.io/etcd-manager:v3}]',
);

needsCorpus(
  test,
  "kops: a kubelet's mirror pod; one guarded patch, its exact undo",
  ['kops-eks-pod-identity-webhook-addon.yaml'],
  () => {
    const pod = join(dir, 'mirror-pod.yaml');
    writeFileSync(pod, MIRROR_POD);
    const restore = join(dir, 'kops-restore.sh');
    const args = ['--for', pod, '--as', 'system:node:node-1', '--as-group', 'system:nodes', '--restore', restore];
    const r = cli(['unblock', ...args, corpus('kops-eks-pod-identity-webhook-addon.yaml')]);
    assert.is(r.status, 0, r.stderr);
    const at = '"/webhooks/0';
    const name = `{"op":"test","path":${at}/name","value":"pod-identity-webhook.amazonaws.com"}`;
    assert.fixture(
      r.stdout,
      lines(
        '#!/bin/sh',
        '# webhook-guard 0.1.0 unblock: CREATE pods kube-system/etcd-manager-main-node-1 by system:node:node-1 (system:nodes).',
        '# Read it before running it. It changes only the webhooks named below, each guarded by a test of its name and',
        '# failure policy at its index: if the configuration changed since the dump, kubectl refuses that patch.',
        'set -eu',
        '',
        '# mutatingwebhookconfiguration/pod-identity-webhook webhooks[0] ' +
          'pod-identity-webhook.amazonaws.com (mutating, failurePolicy Fail)',
        '#   it intercepts CREATE pods kube-system/etcd-manager-main-node-1 by system:node:node-1 (system:nodes) and fails ' +
          "closed (failurePolicy Fail); the input says nothing of Service kube-system/pod-identity-webhook's endpoints or pods.",
        '#   Until it is restored, what it mutates passes unmutated.',
        `kubectl patch mutatingwebhookconfiguration/pod-identity-webhook --type=json -p '[${name},` +
          `{"op":"test","path":${at}/failurePolicy","value":"Fail"},` +
          `{"op":"replace","path":${at}/failurePolicy","value":"Ignore"}]'`,
        '',
        '# When each backend answers again (its command prints ready addresses; nothing printed means not yet):',
        '#   kubectl get endpointslices -n kube-system -l kubernetes.io/service-name=pod-identity-webhook -o ' +
          `jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\\n"}{end}'`,
        `# then restore the failure policies: sh ${restore}`,
      ),
    );
    assert.fixture(
      readFileSync(restore, 'utf8'),
      lines(
        '#!/bin/sh',
        '# webhook-guard 0.1.0 unblock: restores what the unblock script for CREATE pods kube-system/etcd-manager-main-node-1 ' +
          'by system:node:node-1 (system:nodes) changed.',
        '# Run it once the backends answer again (see the commands in the unblock script).',
        'set -eu',
        '',
        '# mutatingwebhookconfiguration/pod-identity-webhook webhooks[0] ' +
          'pod-identity-webhook.amazonaws.com: back to failurePolicy Fail',
        `kubectl patch mutatingwebhookconfiguration/pod-identity-webhook --type=json -p '[${name},` +
          `{"op":"test","path":${at}/failurePolicy","value":"Ignore"},` +
          `{"op":"replace","path":${at}/failurePolicy","value":"Fail"}]'`,
      ),
    );
    // The webhook holds up every pod of the cluster (the kops outage); a ConfigMap it does not intercept: nothing to do.
    const config = cli(['unblock', '--for', 'configmap/default/settings', '--restore', restore, corpus(KOPS)]);
    assert.is(config.status, 1, config.stdout);
    assert.is(config.stdout, '');
    assert.is(
      config.stderr,
      'webhook-guard: unblock: nothing to change: no webhook of the input holds up CREATE configmaps default/settings\n',
    );
  },
);

needsCorpus(test, 'Capsule with its node webhook: a cold start must fail the node webhook open', ['capsule-0.12.4.yaml'], () => {
  const input = join(dir, 'capsule.yaml');
  writeFileSync(input, withCapsuleNodeWebhook(readFileSync(corpus('capsule-0.12.4.yaml'), 'utf8')).text);
  const r = cli(['unblock', '--all', '--restore', join(dir, 'capsule-restore.sh'), input]);
  assert.is(r.status, 0, r.stderr);
  // The cycle this breaks (the node webhook holds up its own backend through NotReady nodes) is an error for check.
  const report = cli(['check', '--format', 'compact', '--fail-on', 'none', input]);
  assert.match(report.stdout, /: error cluster-scoped-critical: .*nodes\.projectcapsule\.dev/);
  const session =
    `$ webhook-guard unblock --all --restore capsule-restore.sh ` + `capsule.yaml\n${r.stdout.replaceAll(`${dir}/`, '')}`;
  captured('capsule-single-replica', 'unblock', session);
  captured('', 'unblock-capsule', session);
  const body = r.stdout.split('\n').slice(5, 13).join('\n');
  assert.fixture(
    body,
    [
      '',
      '# Start order once the changes below are made (each stage can start when the one before it runs):',
      '#   1. Deployment capsule-system/capsule-controller-manager',
      '',
      '# validatingwebhookconfiguration/capsule-validating-webhook-configuration webhooks[16] nodes.projectcapsule.dev ' +
        '(validating, failurePolicy Fail)',
      '#   it keeps kubelets from reporting their nodes Ready while its backend is down, and no pod runs on a NotReady node ' +
        '(it holds up Deployment capsule-system/capsule-controller-manager); cold start: every backend is down.',
      '#   Until it is restored, what it validates passes unvalidated.',
      "kubectl patch validatingwebhookconfiguration/capsule-validating-webhook-configuration --type=json -p '" +
        '[{"op":"test","path":"/webhooks/16/name","value":"nodes.projectcapsule.dev"},' +
        '{"op":"test","path":"/webhooks/16/failurePolicy","value":"Fail"},' +
        `{"op":"replace","path":"/webhooks/16/failurePolicy","value":"Ignore"}]'`,
    ].join('\n'),
  );
});

needsCorpus(
  test,
  'Capsule with its node webhook, a dump without its Deployment: the node webhook still fails open, the rest is a note',
  ['capsule-0.12.4.yaml'],
  () => {
    const input = join(dir, 'capsule-no-deployment.yaml');
    const stream = withCapsuleNodeWebhook(readFileSync(corpus('capsule-0.12.4.yaml'), 'utf8')).text;
    const docs = stream.split(/^---\n/m).filter((d) => !/^kind: Deployment$/m.test(d));
    assert.is(docs.length, stream.split(/^---\n/m).length - 1, 'the fixture has one Deployment');
    writeFileSync(input, docs.join('---\n'));
    const r = cli(['unblock', '--all', '--restore', join(dir, 'capsule-nd-restore.sh'), input]);
    assert.is(r.status, 0, r.stderr);
    const note =
      'the input holds no workload Service capsule-system/capsule-webhook-service selects, so the start of the backend ' +
      'of Fail webhooks pod.defaults.projectcapsule.dev, storage.defaults.projectcapsule.dev and 19 more is not planned: ' +
      'add its Deployment to the dump';
    assert.is(r.stderr, `webhook-guard unblock: ${note}\n`);
    assert.fixture(
      r.stdout.split('\n').slice(4, 12).join('\n'),
      [
        'set -eu',
        `# note: ${note}`,
        '',
        '# validatingwebhookconfiguration/capsule-validating-webhook-configuration webhooks[16] nodes.projectcapsule.dev ' +
          '(validating, failurePolicy Fail)',
        '#   it keeps kubelets from reporting their nodes Ready while its backend is down, and no pod runs on a NotReady ' +
          "node, its own backend's included (the input holds no workload Service capsule-system/capsule-webhook-service " +
          'selects); cold start: every backend is down.',
        '#   Until it is restored, what it validates passes unvalidated.',
        "kubectl patch validatingwebhookconfiguration/capsule-validating-webhook-configuration --type=json -p '" +
          '[{"op":"test","path":"/webhooks/16/name","value":"nodes.projectcapsule.dev"},' +
          '{"op":"test","path":"/webhooks/16/failurePolicy","value":"Fail"},' +
          `{"op":"replace","path":"/webhooks/16/failurePolicy","value":"Ignore"}]'`,
        '',
      ].join('\n'),
    );
  },
);

// patches lists each `kubectl patch` with the webhook named in the comment block above it.
function patches(script: string): Array<{ header: string; resource: string; index: number; name: string }> {
  const out: Array<{ header: string; resource: string; index: number; name: string }> = [];
  let header = '';
  for (const line of script.split('\n')) {
    if (/^# \S+\/\S+ webhooks\[\d+\] /.test(line)) header = line;
    const m = /^kubectl patch (\S+) --type=json -p '(.*)'$/.exec(line);
    if (!m) continue;
    const ops = JSON.parse(m[2]) as Array<{ op: string; path: string; value?: string }>;
    const named = ops.find((o) => o.op === 'test' && o.path.endsWith('/name'))!;
    out.push({ header, resource: m[1], index: Number(named.path.split('/')[2]), name: named.value! });
    for (const o of ops)
      assert.ok(o.path.startsWith(`/webhooks/${named.path.split('/')[2]}/`), `${o.path} is not that webhook's`);
  }
  return out;
}

// Every patch, for every corpus file cold-started, changes only the webhook its explanation names; the undo mirrors it.
for (const f of corpusFiles('unblock --all', test))
  test(`cold start of ${basename(f)}: each patch is the webhook its explanation names, and the undo mirrors it`, () => {
    const restore = join(dir, `${basename(f)}.restore.sh`);
    const r = cli(['unblock', '--all', '--restore', restore, f]);
    assert.is(r.status, 0, r.stderr);
    const made = patches(r.stdout);
    for (const p of made) assert.ok(p.header.startsWith(`# ${p.resource} webhooks[${p.index}] ${p.name} `), p.header);
    if (made.length)
      assert.equal(
        patches(readFileSync(restore, 'utf8')).map((p) => [p.resource, p.index, p.name]),
        made.map((p) => [p.resource, p.index, p.name]),
      );
    else assert.not.ok(existsSync(restore), 'a restore file without changes');
  });

// check and unblock --all read one cold start: a deadlock check calls an error is one unblock --all must break, and a
// corpus file unblock --all has to break something in is one check reports an error for.
const DEADLOCK = / error (self-deadlock|mutual-deadlock|cluster-scoped-critical): /;
for (const f of corpusFiles('check and unblock --all agree', test))
  test(`cold start of ${basename(f)}: check's deadlock errors and unblock's break-glass set agree`, () => {
    const plan = cli(['unblock', '--all', '--restore', join(dir, 'agree.sh'), f]);
    assert.is(plan.status, 0, plan.stderr);
    const report = cli(['check', '--format', 'compact', '--fail-on', 'none', f]);
    assert.is(report.status, 0, report.stderr);
    const errors = report.stdout.split('\n').filter((l) => DEADLOCK.test(l));
    const patched = plan.stdout.split('\n').filter((l) => /^kubectl (patch|label) /.test(l));
    assert.is(patched.length > 0, errors.length > 0, `unblock:\n${patched.join('\n')}\ncheck:\n${errors.join('\n')}`);
  });

// A manifest given to --for is an argument: one that cannot be read is a usage error, not an internal one.
const BAD_MANIFEST = join(dir, 'bad-manifest.yaml');
writeFileSync(BAD_MANIFEST, 'kind: Pod\nmetadata: {name: [x\n');
const USAGE: Record<string, [string[], string]> = {
  'no mode': [[], 'webhook-guard: unblock: give exactly one of --error MESSAGE, --for OBJECT and --all\n'],
  'two modes': [
    ['--all', '--for', 'pod/a/b'],
    'webhook-guard: unblock: give exactly one of --error MESSAGE, --for OBJECT and --all\n',
  ],
  'an error that is a denial': [
    ['--error', 'admission webhook "vpod.kb.io" denied the request: no'],
    'webhook-guard: unblock: --error: webhook vpod.kb.io answered and denied the request: it is up, and this is its verdict; ' +
      'unblock helps only when a webhook cannot be called\n',
  ],
  'a bad --for': [
    ['--for', 'widget/x'],
    'webhook-guard: unblock: --for widget/x: expected KIND/NAMESPACE/NAME ' +
      '(KIND/NAME for nodes and namespaces) or a manifest file\n',
  ],
  'an unknown flag': [['--al'], 'webhook-guard: unblock: unknown option --al; did you mean --all?\n'],
  'a --for manifest that is not YAML': [
    ['--for', BAD_MANIFEST],
    `webhook-guard: unblock: --for ${BAD_MANIFEST}: cannot read it (Flow sequence in block collection must be ` +
      'sufficiently indented and end with a ] at line 3, column 1)\n',
  ],
  'a --for that is a directory': [['--for', dir], `webhook-guard: unblock: --for ${dir}: cannot read it (EISDIR)\n`],
};
for (const [name, [args, message]] of Object.entries(USAGE))
  test(`usage: ${name}`, () => {
    const r = cli(['unblock', ...args, '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    assert.is(r.status, 2);
    assert.is(r.stdout, '');
    assert.is(r.stderr, message + 'Run webhook-guard unblock --help for usage.\n');
  });

// A small live-cluster dump as kubectl writes it: one Fail webhook on pods, its Service in ops.
const WEBHOOK = [
  '  - apiVersion: admissionregistration.k8s.io/v1',
  '    kind: MutatingWebhookConfiguration',
  '    metadata:',
  '      name: pods',
  '    webhooks:',
  '    - admissionReviewVersions:',
  '      - v1',
  '      clientConfig:',
  '        service:',
  '          name: hook',
  '          namespace: ops',
  '      failurePolicy: Fail',
  '      name: pods.example.com',
  '      rules:',
  '      - apiGroups: [""]',
  '        apiVersions: [v1]',
  '        operations: [CREATE]',
  '        resources: [pods]',
  '      sideEffects: None',
];
const DUMP = lines('apiVersion: v1', 'items:', ...WEBHOOK, 'kind: List', 'metadata:', '  resourceVersion: ""');
const HELP = '(the command is in webhook-guard unblock --help)';

// Refused: a dump unblock cannot trust, or nothing to change for a blocked request. Each exits non-zero with one
// message on stderr, an empty stdout (a script piped to sh must not run half a decision) and no restore file.
const REFUSED: Record<string, { dump: string; args: string[]; status: number; stderr: (file: string) => string }> = {
  'a tab in a List (a hand-edited dump)': {
    dump: DUMP.replace('      name: pods\n', '\tname: pods\n'),
    args: ['--all'],
    status: 1,
    stderr: (f) =>
      `webhook-guard: unblock: ${f}: document 1 (kind List, line 1): cannot read this List (line 6, column 1: Tabs are ` +
      'not allowed as indentation); unblock must read every document of this kind, or its plan may miss the webhooks ' +
      `that block: fix the YAML there, or dump the cluster again ${HELP}\n`,
  },
  'a document whose kind its text does not settle': {
    dump: `${DUMP}---\napiVersion: v1\nmetadata: {name: [x\n`,
    args: ['--all'],
    status: 1,
    stderr: (f) =>
      `webhook-guard: unblock: ${f}: document 2 (no kind, line 25): cannot read this document (line 28, column 1: Flow ` +
      'sequence in block collection must be sufficiently indented and end with a ]); its text does not settle its kind, ' +
      'and it may hold webhooks or their backends, which the plan would miss: fix the YAML there, or dump the cluster ' +
      `again ${HELP}\n`,
  },
  'an empty file (what a kubectl get that failed leaves)': {
    dump: '',
    args: ['--all'],
    status: 1,
    stderr: (f) =>
      `webhook-guard: unblock: ${f}: holds no Kubernetes object (an empty file or List, what a failed kubectl get ` +
      `leaves); dump the cluster again ${HELP}\n`,
  },
  'a List with no items': {
    dump: lines('apiVersion: v1', 'items: []', 'kind: List', 'metadata:', '  resourceVersion: ""'),
    args: ['--error', 'failed calling webhook "pods.example.com": EOF'],
    status: 1,
    stderr: (f) =>
      `webhook-guard: unblock: ${f}: holds no Kubernetes object (an empty file or List, what a failed kubectl get ` +
      `leaves); dump the cluster again ${HELP}\n`,
  },
  'a dump cut off in its items (kubectl writes kind: List last)': {
    dump: DUMP.slice(0, DUMP.indexOf('      sideEffects')),
    args: ['--all'],
    status: 1,
    stderr: (f) =>
      `webhook-guard: unblock: ${f}: document 1 (no kind, line 1): has items but no kind, where kubectl writes ` +
      `\`kind: List\` after the items: the dump was cut off; dump the cluster again ${HELP}\n`,
  },
  'a dump cut off in a webhook: no name': {
    // kind: List first (as a script may write it), and cut mid-line: the last webhook lost its name.
    dump:
      'kind: List\n' +
      lines('apiVersion: v1', 'items:', ...WEBHOOK, '    - admissionReviewVersions:', '      - v1', '      clientConfig:') +
      '        service:\n          name: ho',
    args: ['--all'],
    status: 1,
    stderr: (f) =>
      `webhook-guard: unblock: ${f}: document 1 (kind List, line 1): MutatingWebhookConfiguration pods webhooks[1] ` +
      '(line 23, column 5) has no name; the API server stores no such webhook, so the dump was cut off or edited: ' +
      `dump the cluster again ${HELP}\n`,
  },
  'a webhook calling a Service with no namespace': {
    dump: DUMP.replace('          namespace: ops\n', ''),
    args: ['--all'],
    status: 1,
    stderr: (f) =>
      `webhook-guard: unblock: ${f}: document 1 (kind List, line 1): MutatingWebhookConfiguration pods webhooks[0] ` +
      '(line 8, column 5) calls a Service with no namespace (clientConfig.service); the API server stores no such ' +
      `webhook, so the dump was cut off or edited: dump the cluster again ${HELP}\n`,
  },
  '--error naming a webhook the dump does not hold': {
    dump: DUMP,
    args: ['--error', 'failed calling webhook "nope.example.com": EOF'],
    status: 1,
    stderr: () =>
      'webhook-guard unblock: webhook nope.example.com is not in the input: add its configuration to the dump\n' +
      'webhook-guard: unblock: nothing to change: no webhook of the input holds up the request that failed calling ' +
      '"nope.example.com"\n',
  },
  '--for an object no webhook intercepts': {
    dump: DUMP,
    args: ['--for', 'configmap/ops/settings'],
    status: 1,
    stderr: () => 'webhook-guard: unblock: nothing to change: no webhook of the input holds up CREATE configmaps ops/settings\n',
  },
};
for (const [name, c] of Object.entries(REFUSED))
  test(`refused: ${name}`, () => {
    const input = join(dir, 'refused-dump.yaml');
    const restore = join(dir, 'refused-restore.sh');
    writeFileSync(input, c.dump);
    rmSync(restore, { force: true });
    const r = cli(['unblock', ...c.args, '--restore', restore, input]);
    assert.is(r.stderr, c.stderr(input));
    assert.is(r.status, c.status);
    assert.is(r.stdout, '');
    assert.not.ok(existsSync(restore), 'no restore file');
  });

test('refused: an empty stdin is named stdin', () => {
  const restore = join(dir, 'refused-restore.sh');
  const r = cli(['unblock', '--all', '--restore', restore, '-'], '');
  assert.is(
    r.stderr,
    'webhook-guard: unblock: stdin: holds no Kubernetes object (an empty file or List, what a failed kubectl get ' +
      `leaves); dump the cluster again ${HELP}\n`,
  );
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.not.ok(existsSync(restore), 'no restore file');
});

test('the same dump without its faults: a script, and the restore file', () => {
  const input = join(dir, 'dump.yaml');
  const restore = join(dir, 'dump-restore.sh');
  writeFileSync(input, DUMP);
  const r = cli(['unblock', '--error', 'failed calling webhook "pods.example.com": EOF', '--restore', restore, input]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /^kubectl patch mutatingwebhookconfiguration\/pods --type=json /m);
  assert.ok(existsSync(restore));
});

// A --restore that cannot be written is a usage error found before the dump is read: nothing printed, nothing written.
const UNWRITABLE: Record<string, [(d: string) => string, (d: string) => string]> = {
  'its directory does not exist': [
    (d) => join(d, 'no-such-dir', 'restore.sh'),
    (d) => `its directory ${join(d, 'no-such-dir')} does not exist`,
  ],
  'it is a directory': [(d) => d, () => 'is a directory; name the file to write'],
  'its directory is a file': [(d) => join(d, 'dump.yaml', 'restore.sh'), (d) => `${join(d, 'dump.yaml')} is not a directory`],
};
for (const [name, [path, why]] of Object.entries(UNWRITABLE))
  test(`usage: --restore where ${name}`, () => {
    const input = join(dir, 'dump.yaml');
    writeFileSync(input, DUMP);
    const r = cli(['unblock', '--all', '--restore', path(dir), input]);
    assert.is(
      r.stderr,
      `webhook-guard: unblock: --restore ${path(dir)}: ${why(dir)}\nRun webhook-guard unblock --help for usage.\n`,
    );
    assert.is(r.status, 2);
    assert.is(r.stdout, '');
  });

needsCorpus(
  test,
  'usage: a change without --restore is refused, with empty stdout',
  ['kops-eks-pod-identity-webhook-addon.yaml'],
  () => {
    const r = cli([
      'unblock',
      '--error',
      'failed calling webhook "pod-identity-webhook.amazonaws.com": x',
      corpus('kops-eks-pod-identity-webhook-addon.yaml'),
    ]);
    assert.is(r.status, 2);
    assert.is(r.stdout, '');
    assert.is(
      r.stderr,
      'webhook-guard: unblock: --restore FILE is required: where to write the script that undoes the changes\n' +
        'Run webhook-guard unblock --help for usage.\n',
    );
  },
);

test.run();
