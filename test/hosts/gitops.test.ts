// GitOps pipes: the Argo CD CMP generate command from examples/argocd/plugin.yaml, run as the sidecar
// would (bash, in the chart folder, with Argo's environment), `helm template | webhook-guard` under
// pipefail, and the helm calls helmfile makes from examples/helmfile/helmfile.yaml (helmfile itself is
// not installable here, so its flag mapping is reproduced).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as assert from 'uvu/assert';
import { BIN, CHART, HELM3, HELM4, ROOT, find, objects, ok, run, sandbox, type Sandbox, hostSuite } from './hosts.js';

const test = hostSuite('hosts: GitOps pipes');
let sb: Sandbox;
test.before(() => {
  sb = sandbox();
  sb.link('helm', HELM3);
  sb.link('webhook-guard', BIN);
});
test.after(() => sb.cleanup());

const argoEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...sb.env,
  ARGOCD_APP_NAME: 'kruise',
  ARGOCD_APP_NAMESPACE: 'kruise-system',
  ARGOCD_APP_REVISION: 'abc123',
  ARGOCD_APP_SOURCE_PATH: 'examples/charts/kruise-like',
  KUBE_VERSION: '1.30',
  ...extra,
});

function generate(env: NodeJS.ProcessEnv): ReturnType<typeof run> {
  const cmp = parse(readFileSync(join(ROOT, 'examples', 'argocd', 'plugin.yaml'), 'utf8'));
  const [cmd, ...args] = [...cmp.spec.generate.command, ...(cmp.spec.generate.args ?? [])];
  return run(cmd, args, { env, cwd: CHART });
}

test('Argo CD CMP generate: hardened manifests on stdout, hooks included (the pipe sees everything)', () => {
  const r = generate(argoEnv());
  assert.is(r.status, 0, r.stderr);
  const objs = objects(r.stdout);
  assert.equal(find(objs, 'Deployment').spec.replicas, 2);
  assert.equal(find(objs, 'ValidatingWebhookConfiguration').webhooks[0].namespaceSelector.matchExpressions[0].values, [
    'kruise-system',
    'kube-system',
  ]);
  assert.match(r.stderr, /^webhook-guard: /m, 'the summary goes to stderr, which Argo CD shows');
});

test('Argo CD CMP generate: KUBE_VERSION reaches webhook-guard too, in the form Argo CD writes it', () => {
  const conditions = (version: string) => {
    const r = generate(argoEnv({ KUBE_VERSION: version }));
    assert.is(r.status, 0, r.stderr);
    return objects(r.stdout)
      .filter((o: any) => /WebhookConfiguration$/.test(o.kind))
      .flatMap((o: any) => o.webhooks.flatMap((w: any) => (w.matchConditions ?? []).map((c: any) => c.name)));
  };
  // matchConditions exist from 1.28: below it webhook-guard adds none, from it the mirror-pod condition.
  assert.equal(conditions('v1.27.3+k3s1'), []);
  assert.ok(conditions('v1.30.2+k3s1').includes('webhook-guard-skip-mirror-pods'));
});

test('Argo CD CMP generate: ARGOCD_ENV_WEBHOOK_GUARD_CONFIG selects a config', () => {
  const r = generate(
    argoEnv({ ARGOCD_ENV_WEBHOOK_GUARD_CONFIG: join(ROOT, 'examples', 'openkruise-precreated-namespace', 'config.yaml') }),
  );
  assert.is(r.status, 0, r.stderr);
  assert.equal(find(objects(r.stdout), 'Namespace').metadata.labels['control-plane'], 'openkruise');
});

test('Argo CD CMP generate: a failing stage fails the command with empty stdout (no prune of everything)', () => {
  const badConfig = generate(argoEnv({ ARGOCD_ENV_WEBHOOK_GUARD_CONFIG: 'missing.yaml' }));
  assert.is(badConfig.status, 3);
  assert.is(badConfig.stdout, '');
  const badChart = generate(argoEnv({ ARGOCD_ENV_HELM_VALUES: 'missing-values.yaml' }));
  assert.is.not(badChart.status, 0);
  assert.is(badChart.stdout, '');
});

test(
  'pipefail: `helm template … | webhook-guard` fails when helm ' +
    'fails; without pipefail webhook-guard refuses the empty stream',
  () => {
    const good = run(
      'bash',
      ['-c', `set -o pipefail; helm template kruise '${CHART}' -n kruise-system | webhook-guard --quiet`],
      {
        env: sb.env,
      },
    );
    assert.is(good.status, 0, good.stderr);
    assert.match(good.stdout, /kind: PodDisruptionBudget/);
    const failing =
      `helm template kruise '${CHART}' -n kruise-system --set ` +
      `replicaCount='{{' --values /nonexistent.yaml | webhook-guard --quiet`;
    const withPipefail = run('bash', ['-c', `set -o pipefail; ${failing}`], { env: sb.env });
    assert.is.not(withPipefail.status, 0);
    assert.is(withPipefail.stdout, '');
    const without = run('bash', ['-c', failing], { env: sb.env });
    // The hazard pipefail guards against (empty output, success) is also closed by webhook-guard itself now: it
    // refuses a stream with no Kubernetes object.
    assert.is(without.status, 1, without.stderr);
    assert.match(without.stderr, /webhook-guard: the input is empty/);
    assert.is(without.stdout, '');
    const failingGuard = run(
      'bash',
      ['-c', `set -o pipefail; helm template kruise '${CHART}' -n kruise-system | webhook-guard --min-replicas 0`],
      { env: sb.env },
    );
    assert.is(failingGuard.status, 2);
    assert.is(failingGuard.stdout, '');
  },
);

// helmfile (pkg/state/state.go) appends `--post-renderer <postRenderer>` and one
// `--post-renderer-args=<arg>` per postRendererArgs item, and runs helm in the helmfile's folder.
function helmfileArgs(): string[] {
  const hf = parse(readFileSync(join(ROOT, 'examples', 'helmfile', 'helmfile.yaml'), 'utf8'));
  const rel = hf.releases[0];
  return [
    'template',
    rel.name,
    rel.chart,
    '--namespace',
    rel.namespace,
    '--post-renderer',
    hf.helmDefaults.postRenderer,
    ...hf.helmDefaults.postRendererArgs.map((a: string) => `--post-renderer-args=${a}`),
  ];
}

test('helmfile snippet, Helm 3: postRenderer webhook-guard is found on PATH', () => {
  const out = ok(HELM3, helmfileArgs(), { env: sb.env, cwd: join(ROOT, 'examples', 'helmfile') });
  const objs = objects(out);
  assert.equal(find(objs, 'Namespace').metadata.labels['control-plane'], 'openkruise');
  assert.equal(find(objs, 'Deployment').spec.replicas, 2);
});

test('helmfile snippet, Helm 4: the same postRenderer names the installed plugin', () => {
  ok(HELM4, ['plugin', 'install', ROOT], { env: sb.env });
  const out = ok(HELM4, helmfileArgs(), { env: sb.env, cwd: join(ROOT, 'examples', 'helmfile') });
  const objs = objects(out);
  assert.equal(find(objs, 'Namespace').metadata.labels['control-plane'], 'openkruise');
  assert.ok(find(objs, 'ValidatingWebhookConfiguration').webhooks[0].namespaceSelector);
});

test.run();
