// Host detection: which calls are a kustomize legacy exec plugin, which inputs are a KRM ResourceList.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import { parse } from 'yaml';
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

test('KRM results carry the notes: why a webhook was left alone, as info results naming the resource', () => {
  const list = [
    'apiVersion: config.kubernetes.io/v1',
    'kind: ResourceList',
    'items:',
    '- apiVersion: admissionregistration.k8s.io/v1',
    '  kind: MutatingWebhookConfiguration',
    '  metadata: {name: pod-identity}',
    '  webhooks:',
    '  - name: pod-identity.example.com',
    '    failurePolicy: Ignore',
    '    clientConfig: {service: {name: pod-identity, namespace: default, path: /mutate}}',
    '    rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
    '    sideEffects: None',
    '    admissionReviewVersions: [v1]',
    '',
  ].join('\n');
  const r = cli(['--quiet'], list);
  assert.is(r.status, 0, r.stderr);
  const results = (parse(r.stdout) as { results: unknown[] }).results;
  assert.equal(
    results.filter((x: any) => x.tags?.leftAlone),
    [
      {
        message:
          'exclude-namespaces: left alone: webhook pod-identity.example.com fails open (failurePolicy: Ignore): while its ' +
          'backend is down, requests pass, so it cannot deadlock its backend or the control plane; its selectors are left ' +
          'as the chart wrote them',
        severity: 'info',
        resourceRef: {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'MutatingWebhookConfiguration',
          name: 'pod-identity',
        },
        tags: { transform: 'exclude-namespaces', leftAlone: 'true' },
      },
    ],
  );
});

test.run();
