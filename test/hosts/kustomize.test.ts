// kustomize legacy exec plugin, driven by the real `kubectl kustomize --enable-alpha-plugins`
// (kubectl v1.35.2 / kustomize v5.7.1, and kubectl v1.31 / kustomize v5.4.2): the WebhookGuard config
// object under `transformers:`, the executable at its documented path under XDG_CONFIG_HOME.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import {
  BIN,
  CHART,
  HELM3,
  KUBECTL,
  KUBECTL31,
  byKey,
  find,
  objects,
  ok,
  run,
  sandbox,
  type Sandbox,
  hostSuite,
} from './hosts.js';
import { cli } from '../support/helpers.js';

const test = hostSuite('hosts: kustomize legacy exec plugin');
let sb: Sandbox;
let rendered: string;
const GUARD =
  'apiVersion: webhookguard.dev/v1alpha1\nkind: WebhookGuard\nmetadata:\n  name: ' +
  'guard\nspec:\n  transforms:\n    webhook-replicas:\n      minReplicas: 3\n';

test.before(() => {
  sb = sandbox();
  // The documented install path: $XDG_CONFIG_HOME/kustomize/plugin/<group>/<version>/<lowercase kind>/<Kind>.
  const dir = join(sb.env.XDG_CONFIG_HOME!, 'kustomize', 'plugin', 'webhookguard.dev', 'v1alpha1', 'webhookguard');
  mkdirSync(dir, { recursive: true });
  ok('ln', ['-s', BIN, join(dir, 'WebhookGuard')], { env: sb.env });
  rendered = ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system'], { env: sb.env });
});
test.after(() => sb.cleanup());

function kustomization(name: string, guard: string, extra = ''): string {
  const dir = join(sb.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rendered.yaml'), rendered);
  writeFileSync(join(dir, 'guard.yaml'), guard);
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n- rendered.yaml\ntransformers:\n- guard.yaml\n${extra}`);
  return dir;
}

for (const [label, kubectl, version] of [
  ['kubectl 1.35 (kustomize 5.7.1)', KUBECTL, /Kustomize Version: v5\.7\.1/],
  ['kubectl 1.31 (kustomize 5.4.2)', KUBECTL31, /Kustomize Version: v5\.4\.2/],
] as const) {
  test(`${label}: the transformer gives the same objects as webhook-guard on the stream`, () => {
    assert.match(ok(kubectl, ['version', '--client'], { env: sb.env }), version);
    const dir = kustomization(`k-${label.split(' ')[1]}`, GUARD);
    const out = objects(ok(kubectl, ['kustomize', '--enable-alpha-plugins', dir], { env: sb.env }));
    writeFileSync(join(sb.dir, 'guard-cli.yaml'), GUARD);
    const r = cli(['--config', join(sb.dir, 'guard-cli.yaml')], rendered);
    assert.is(r.status, 0, r.stderr);
    const want = byKey(objects(r.stdout));
    const got = byKey(out);
    assert.equal([...got.keys()].sort(), [...want.keys()].sort());
    for (const [k, o] of want) assert.equal(got.get(k), o, k);
    assert.equal(find(out, 'Deployment').spec.replicas, 3);
    assert.ok(find(out, 'PodDisruptionBudget'));
  });
}

test('argsOneLiner passes flags, and the config is read from the file kustomize hands over', () => {
  const dir = kustomization('k-args', GUARD + 'argsOneLiner: --disable webhook-replicas\n');
  const out = objects(ok(KUBECTL, ['kustomize', '--enable-alpha-plugins', dir], { env: sb.env }));
  assert.equal(find(out, 'Deployment').spec.replicas, 1);
  assert.equal(out.filter((o) => o.kind === 'PodDisruptionBudget').length, 0);
  assert.equal(find(out, 'Service').spec.selector['app.kubernetes.io/name'], 'kruise-like');
});

test("an invalid config fails the build with webhook-guard's message", () => {
  const dir = kustomization('k-bad', GUARD.replace('minReplicas: 3', 'minReplicas: many'));
  const r = run(KUBECTL, ['kustomize', '--enable-alpha-plugins', dir], { env: sb.env });
  assert.is(r.status, 1);
  assert.match(
    r.stderr,
    /webhook-guard: config .*kust-plugin-config-\d+ is invalid:\n {2}spec\.transforms\.webhook-replicas\.minReplicas: must be integer/,
  );
  assert.is(r.stdout, '');
});

test('without --enable-alpha-plugins kustomize refuses to load it', () => {
  const dir = kustomization('k-noalpha', GUARD);
  const r = run(KUBECTL, ['kustomize', dir], { env: sb.env });
  assert.is(r.status, 1);
  assert.match(r.stderr, /external plugins disabled; unable to load external plugin 'WebhookGuard'/);
});

test('kustomize cleans up its temporary config file on success', () => {
  const before = readdirSync(sb.env.TMPDIR!).filter((f) => f.startsWith('kust-plugin-config-')).length;
  ok(KUBECTL, ['kustomize', '--enable-alpha-plugins', kustomization('k-clean', GUARD)], { env: sb.env });
  assert.is(readdirSync(sb.env.TMPDIR!).filter((f) => f.startsWith('kust-plugin-config-')).length, before);
  assert.ok(existsSync(sb.env.TMPDIR!));
});

test.run();
