// Host detection: which calls are a kustomize legacy exec plugin, which inputs are a KRM ResourceList.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isResourceList, kustomizePluginArgv } from '../../src/hosts/detect.js';
import { cli } from '../support/helpers.js';
import { ROOT, sandbox } from './hosts.js';

const test = suite('hosts: detection');
const sb = sandbox();
test.after(() => sb.cleanup());

const guard = join(sb.dir, 'guard.yaml');
writeFileSync(guard, 'apiVersion: webhookguard.dev/v1alpha1\nkind: WebhookGuard\nmetadata: {name: g}\n');
const other = join(sb.dir, 'manifests.yaml');
writeFileSync(other, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');

test('kustomize legacy plugin calls: a readable file first, with KUSTOMIZE_PLUGIN_CONFIG_STRING or a WebhookGuard in it', () => {
  assert.equal(kustomizePluginArgv([guard, '--quiet'], {}), ['--config', guard, '--quiet']);
  assert.equal(kustomizePluginArgv([other], { KUSTOMIZE_PLUGIN_CONFIG_STRING: 'x' }), ['--config', other]);
  assert.is(kustomizePluginArgv([other], {}), undefined, 'a manifest file without the kustomize variable is a stray argument');
  assert.is(kustomizePluginArgv(['--config', guard], { KUSTOMIZE_PLUGIN_CONFIG_STRING: 'x' }), undefined);
  assert.is(kustomizePluginArgv([join(sb.dir, 'missing.yaml')], { KUSTOMIZE_PLUGIN_CONFIG_STRING: 'x' }), undefined);
  assert.is(kustomizePluginArgv([sb.dir], { KUSTOMIZE_PLUGIN_CONFIG_STRING: 'x' }), undefined, 'a folder is not a config file');
  assert.is(kustomizePluginArgv([], {}), undefined);
});

test('the CLI runs a legacy plugin call and still rejects stray manifest arguments', () => {
  assert.is(cli([guard, '--quiet'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n').status, 0);
  const stray = cli([other], '');
  assert.is(stray.status, 2);
  assert.match(stray.stderr, /unexpected argument/);
});

test('ResourceList inputs: one config.kubernetes.io/v1 (or v1alpha1) ResourceList, YAML or JSON', () => {
  assert.ok(isResourceList('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n'));
  assert.ok(
    isResourceList('---\n# c\napiVersion: config.kubernetes.io/v1alpha1\nkind: ResourceList\nitems:\n- kind: ConfigMap\n'),
  );
  assert.ok(isResourceList('{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}'));
  assert.not.ok(isResourceList('apiVersion: v1\nkind: List\nitems: []\n'));
  assert.not.ok(isResourceList('apiVersion: example.com/v1\nkind: ResourceList\nitems: []\n'));
  assert.not.ok(
    isResourceList('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n---\napiVersion: v1\nkind: ConfigMap\n'),
  );
  assert.not.ok(isResourceList('{"kind": "ResourceList"'));
  assert.not.ok(isResourceList(''));
});

test('examples/kustomize/krm/guard-fn.yaml is a valid functionConfig', () => {
  const fc = readFileSync(join(ROOT, 'examples', 'kustomize', 'krm', 'guard-fn.yaml'), 'utf8');
  const input = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n${fc.replace(/^/gm, '  ')}`;
  const r = cli([], input);
  assert.is(r.status, 0, r.stderr);
});

test.run();
