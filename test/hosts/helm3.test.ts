// Helm 3 (v3.17.3, the real binary): webhook-guard as `--post-renderer <path>`, configured through
// --post-renderer-args, on the example chart. No cluster: `helm template` only.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { BIN, CHART, HELM3, ROOT, find, objects, ok, run, sandbox, type Sandbox, hostSuite } from './hosts.js';

const test = hostSuite('hosts: helm 3');
let sb: Sandbox;
test.before(() => {
  sb = sandbox();
});
test.after(() => sb.cleanup());

const template = (...extra: string[]): string =>
  ok(HELM3, ['template', 'kruise', CHART, '--namespace', 'kruise-system', ...extra], { env: sb.env });

test('helm version is the one the tests claim', () => {
  assert.match(ok(HELM3, ['version', '--short'], { env: sb.env }), /^v3\.17\.3/);
});

test('--post-renderer hardens the templates and keeps every # Source: comment', () => {
  const plain = template();
  const out = template('--post-renderer', BIN);
  const objs = objects(out);
  assert.equal(find(objs, 'Deployment').spec.replicas, 2);
  assert.ok(find(objs, 'Deployment').spec.template.spec.topologySpreadConstraints);
  assert.equal(find(objs, 'PodDisruptionBudget').spec.maxUnavailable, 1);
  assert.equal(find(objs, 'Service').spec.selector, {
    'control-plane': 'controller-manager',
    'app.kubernetes.io/name': 'kruise-like',
    'app.kubernetes.io/instance': 'kruise',
  });
  const mpod = find(objs, 'MutatingWebhookConfiguration').webhooks[0];
  assert.equal(mpod.namespaceSelector.matchExpressions[1], {
    key: 'kubernetes.io/metadata.name',
    operator: 'NotIn',
    values: ['kruise-system', 'kube-system'],
  });
  const sources = (s: string): string[] => s.match(/^# Source: .*$/gm) ?? [];
  assert.equal(sources(out), sources(plain), 'the same # Source: lines, in the same order');
  // The service line's trailing comment survives: untouched text stays as it was.
  assert.match(out, /control-plane: controller-manager {3}# shared with other operators' pods/);
});

test('hooks are not post-rendered by Helm 3: the hook webhook comes out as the chart wrote it', () => {
  const out = template('--post-renderer', BIN);
  const hook = find(objects(out), 'ValidatingWebhookConfiguration');
  assert.is(hook.webhooks[0].namespaceSelector, undefined);
  assert.ok(
    out.indexOf('kind: ValidatingWebhookConfiguration') > out.indexOf('kind: PodDisruptionBudget'),
    'helm prints hooks after the post-rendered stream',
  );
});

test('--show-only still finds a template after post-rendering (it depends on # Source:)', () => {
  const out = template('--post-renderer', BIN, '--show-only', 'templates/service.yaml');
  const objs = objects(out);
  assert.equal(objs.length, 1);
  assert.equal(objs[0].spec.selector['app.kubernetes.io/name'], 'kruise-like');
});

test('configuration through --post-renderer-args: a config file and flags', () => {
  const cfg = join(sb.dir, 'guard.yaml');
  writeFileSync(
    cfg,
    'apiVersion: webhookguard.dev/v1alpha1\nkind: WebhookGuard\nmetadata: {name: ' +
      'guard}\nspec:\n  transforms:\n    label-namespaces: {adoptNamespaces: true}\n',
  );
  const out = template(
    '--post-renderer',
    BIN,
    '--post-renderer-args',
    '--config',
    '--post-renderer-args',
    cfg,
    '--post-renderer-args=--min-replicas=3',
  );
  const objs = objects(out);
  assert.equal(find(objs, 'Deployment').spec.replicas, 3);
  const ns = find(objs, 'Namespace');
  assert.equal(ns.metadata.labels, { 'control-plane': 'openkruise' });
  assert.equal(ns.metadata.annotations['helm.sh/resource-policy'], 'keep');
});

test('createNamespace=true: the chart Namespace gets the label its webhook relies on', () => {
  const objs = objects(template('--set', 'createNamespace=true', '--post-renderer', BIN));
  assert.equal(find(objs, 'Namespace').metadata.labels['control-plane'], 'openkruise');
  assert.equal(objs.filter((o) => o.kind === 'Namespace').length, 1, 'the chart Namespace is labelled, none is added');
});

test('a relative path and a bare name on PATH both work', () => {
  const rel = ok(
    HELM3,
    ['template', 'kruise', 'examples/charts/kruise-like', '-n', 'kruise-system', '--post-renderer', './bin/webhook-guard.js'],
    { env: sb.env },
  );
  sb.link('webhook-guard', BIN);
  const bare = ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system', '--post-renderer', 'webhook-guard'], {
    env: sb.env,
  });
  assert.is(rel, bare);
  assert.match(bare, /kind: PodDisruptionBudget/);
});

test("a failing post-renderer fails helm, and Helm 3 shows webhook-guard's message", () => {
  const r = run(
    HELM3,
    ['template', 'kruise', CHART, '-n', 'kruise-system', '--post-renderer', BIN, '--post-renderer-args', '--min-replicas=0'],
    { env: sb.env },
  );
  assert.is(r.status, 1);
  assert.match(r.stderr, /webhook-guard: --min-replicas 0: expected a whole number/);
  assert.is(r.stdout, '');
});

test('Helm 3 and the Helm 4 plugin: --plugin-dir refuses before the install; a broken install is recovered as it says', () => {
  const env = { ...sb.env, PATH: `${sb.bin}:${sb.env.PATH}` };
  for (const [name, target] of [
    ['helm', HELM3],
    ['webhook-guard', BIN],
  ])
    if (!existsSync(join(sb.bin, name))) sb.link(name, target);
  const refused = run('webhook-guard', ['--plugin-dir'], { env });
  assert.is(refused.status, 2);
  assert.is(refused.stdout, '');
  assert.match(refused.stderr, 'the helm on PATH is Helm 3, which cannot load this Helm 4 plugin');
  // The README's recipe, as written, with Helm 3: it stops at the refusal and installs nothing.
  const recipe = run('sh', ['-ec', 'helm plugin install "$(webhook-guard --plugin-dir)"'], { env });
  assert.is.not(recipe.status, 0);
  assert.match(ok('helm', ['plugin', 'list'], { env }), /^NAME\s+VERSION\s+DESCRIPTION/);
  // Installed by path anyway: every plugin command fails, and the recovery the message gives works.
  run('helm', ['plugin', 'install', ROOT], { env });
  assert.is.not(run('helm', ['plugin', 'list'], { env }).status, 0);
  const folder = ROOT.split('/').pop()!;
  ok('sh', ['-ec', `rm -rf "$(helm env HELM_PLUGINS)/${folder}"`], { env });
  assert.match(ok('helm', ['plugin', 'list'], { env }), /^NAME\s+VERSION\s+DESCRIPTION/);
});

test.run();
