// Helm 4 (v4.1.4, the real binary): plugin.yaml installed with `helm plugin install` into a temporary
// HELM_DATA_HOME, used as `--post-renderer webhook-guard`. Helm 4 sends hooks, strips # Source: in
// favour of an annotation, rejects empty output, re-sorts, and swallows the plugin's stderr.
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as assert from 'uvu/assert';
import { CHART, HELM4, ROOT, find, objects, ok, run, sandbox, type Sandbox, hostSuite } from './hosts.js';

const test = hostSuite('hosts: helm 4 plugin');
let sb: Sandbox;
test.before(() => {
  sb = sandbox();
  ok(HELM4, ['plugin', 'install', ROOT], { env: sb.env });
});
test.after(() => sb.cleanup());

const template = (...extra: string[]): string =>
  ok(HELM4, ['template', 'kruise', CHART, '--namespace', 'kruise-system', ...extra], { env: sb.env });

test('plugin.yaml holds exactly the v1 postrenderer fields, at the package version', () => {
  const manifest = parse(readFileSync(join(ROOT, 'plugin.yaml'), 'utf8'));
  assert.equal(Object.keys(manifest).sort(), ['apiVersion', 'name', 'runtime', 'runtimeConfig', 'type', 'version']);
  assert.equal(manifest.apiVersion, 'v1');
  assert.equal(manifest.type, 'postrenderer/v1');
  assert.equal(manifest.runtime, 'subprocess');
  assert.equal(manifest.runtimeConfig, { platformCommand: [{ command: '${HELM_PLUGIN_DIR}/bin/webhook-guard.js' }] });
  assert.equal(manifest.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test('helm plugin install registers a postrenderer/v1 plugin named webhook-guard', () => {
  assert.match(ok(HELM4, ['version', '--short'], { env: sb.env }), /^v4\.1\.4/);
  const list = ok(HELM4, ['plugin', 'list'], { env: sb.env });
  assert.match(list, /^webhook-guard\s+0\.1\.0\s+postrenderer\/v1\s+v1/m);
});

test('--post-renderer webhook-guard hardens templates and hooks, and keeps the filename annotation', () => {
  const out = template('--post-renderer', 'webhook-guard');
  const objs = objects(out);
  assert.equal(find(objs, 'Deployment').spec.replicas, 2);
  assert.equal(find(objs, 'PodDisruptionBudget').spec.maxUnavailable, 1);
  // The hook reached the post-renderer and came back hardened, still a hook.
  const hook = find(objs, 'ValidatingWebhookConfiguration');
  assert.equal(hook.webhooks[0].namespaceSelector.matchExpressions[0].values, ['kruise-system', 'kube-system']);
  assert.is(hook.metadata.annotations['helm.sh/hook'], 'post-install,post-upgrade');
  // Helm rebuilds # Source: from postrenderer.helm.sh/postrender-filename (and then removes it): had the
  // annotation been lost, the document would be named generated-by-postrender-N.yaml.
  assert.not.match(out, /generated-by-postrender/);
  assert.not.match(out, /postrenderer\.helm\.sh/);
  assert.match(out, /# Source: kruise-like\/templates\/validating-webhook-hook\.yaml\n/);
  assert.match(
    out,
    /# Source: kruise-like\/templates\/deployment\.yaml\n# Added by webhook-guard \(webhook-replicas\)\napiVersion: policy\/v1/,
  );
});

test('--show-only works on the post-rendered output', () => {
  const objs = objects(template('--post-renderer', 'webhook-guard', '--show-only', 'templates/mutating-webhook.yaml'));
  assert.equal(objs.length, 1);
  assert.equal(objs[0].webhooks[0].namespaceSelector.matchExpressions.length, 2);
});

test('configuration through --post-renderer-args; createNamespace=true labels the Namespace', () => {
  const cfg = join(sb.dir, 'guard.yaml');
  writeFileSync(
    cfg,
    'apiVersion: webhookguard.dev/v1alpha1\nkind: WebhookGuard\nmetadata: {name: ' +
      'guard}\nspec:\n  transforms:\n    webhook-replicas: {minReplicas: 3}\n',
  );
  const objs = objects(
    template(
      '--set',
      'createNamespace=true',
      '--post-renderer',
      'webhook-guard',
      '--post-renderer-args',
      '--config',
      '--post-renderer-args',
      cfg,
    ),
  );
  assert.equal(find(objs, 'Deployment').spec.replicas, 3);
  assert.equal(find(objs, 'Namespace').metadata.labels['control-plane'], 'openkruise');
});

test('an adopted Namespace placed first stays its own document (Helm 4 sends no leading ---)', () => {
  const out = template('--post-renderer', 'webhook-guard', '--post-renderer-args', '--adopt-namespaces');
  const objs = objects(out);
  const ns = find(objs, 'Namespace');
  assert.equal(Object.keys(ns).sort(), ['apiVersion', 'kind', 'metadata']);
  assert.equal(ns.metadata.labels, { 'control-plane': 'openkruise' });
  assert.equal(find(objs, 'Deployment').spec.replicas, 2);
  assert.not.match(out, /postrenderer\.helm\.sh/);
});

test('install --dry-run=client (no cluster needed) lists the hardened hook under HOOKS', () => {
  const out = ok(
    HELM4,
    ['install', 'kruise', CHART, '-n', 'kruise-system', '--dry-run=client', '--post-renderer', 'webhook-guard'],
    { env: sb.env },
  );
  const [hooks, manifest] = out.split(/^MANIFEST:$/m);
  assert.match(hooks, /HOOKS:[\s\S]*kind: ValidatingWebhookConfiguration[\s\S]*kubernetes\.io\/metadata\.name/);
  assert.match(manifest, /kind: PodDisruptionBudget/);
});

test("a failure fails helm (Helm 4 does not show the plugin's stderr)", () => {
  const r = run(
    HELM4,
    [
      'template',
      'kruise',
      CHART,
      '-n',
      'kruise-system',
      '--post-renderer',
      'webhook-guard',
      '--post-renderer-args',
      '--min-replicas=0',
    ],
    { env: sb.env },
  );
  assert.is(r.status, 1);
  assert.match(r.stderr, /plugin "webhook-guard" exited with error/);
  assert.is(r.stdout, '');
});

test('without a terminal (CI): WEBHOOK_GUARD_LOG gets the message Helm 4 drops', () => {
  const log = join(sb.dir, 'webhook-guard.log');
  // setsid: no controlling terminal, as in CI; stdin from /dev/null.
  const helm = (env: NodeJS.ProcessEnv) =>
    run(
      'setsid',
      [
        '-w',
        HELM4,
        'template',
        'kruise',
        CHART,
        '-n',
        'kruise-system',
        '--post-renderer',
        'webhook-guard',
        '--post-renderer-args',
        '--min-replicas=0',
      ],
      { env: { ...sb.env, ...env } },
    );
  const r = helm({ WEBHOOK_GUARD_LOG: log });
  assert.is(r.status, 1);
  assert.not.match(r.stderr, /expected a whole number/, 'Helm 4 itself shows nothing of it');
  assert.is(
    readFileSync(log, 'utf8'),
    'webhook-guard: --min-replicas 0: expected a whole number from 1 to 100\nRun webhook-guard --help for usage.\n',
  );
});

test('as a Helm 4 plugin, webhook-guard also writes its stderr to the terminal (run under a pty)', () => {
  if (run('sh', ['-c', 'command -v script'], { env: sb.env }).status !== 0) {
    console.log('  (skipped: util-linux script is not installed)');
    return;
  }
  const cmd =
    `${HELM4} template kruise ${CHART} -n kruise-system --post-renderer ` +
    `webhook-guard --post-renderer-args=--min-replicas=0 >/dev/null`;
  const r = run('script', ['-qec', cmd, '/dev/null'], { env: sb.env });
  assert.match(r.stdout, /webhook-guard: --min-replicas 0: expected a whole number from 1 to 100/);
  assert.match(r.stdout, /plugin "webhook-guard" exited with error/);
  const warn = run(
    'script',
    ['-qec', `${HELM4} template kruise ${CHART} -n kruise-system --post-renderer webhook-guard >/dev/null`, '/dev/null'],
    { env: sb.env },
  );
  assert.match(warn.stdout, /kubectl label namespace kruise-system control-plane=openkruise/);
});

test('the plugin works when installed through a symlink to the package', () => {
  const other = sandbox();
  try {
    const link = join(other.dir, 'webhook-guard');
    symlinkSync(ROOT, link);
    ok(HELM4, ['plugin', 'install', link], { env: other.env });
    const out = ok(HELM4, ['template', 'kruise', CHART, '-n', 'kruise-system', '--post-renderer', 'webhook-guard'], {
      env: other.env,
    });
    assert.match(out, /kind: PodDisruptionBudget/);
  } finally {
    other.cleanup();
  }
});

test.run();
