// KRM function mode: a ResourceList on stdin, shaped exactly as `kustomize build --enable-alpha-plugins
// --enable-exec` sends it (integrations doc §4.2). `kubectl kustomize` cannot run exec functions and no
// standalone kustomize is installable here, so the protocol itself is tested.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import * as assert from 'uvu/assert';
import { CHART, HELM3, KUBECTL, byKey, find, guard as cli, objects, ok, sandbox, type Sandbox, hostSuite } from './hosts.js';

const test = hostSuite('hosts: KRM function (ResourceList)');
let sb: Sandbox;
let rendered: string;
test.before(() => {
  sb = sandbox();
  rendered = ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system'], { env: sb.env });
});
test.after(() => sb.cleanup());

const FUNCTION_CONFIG = {
  apiVersion: 'webhookguard.dev/v1alpha1',
  kind: 'WebhookGuard',
  metadata: {
    annotations: {
      'config.kubernetes.io/function': 'exec:\n  path: ./webhook-guard\n',
      'config.kubernetes.io/local-config': 'true',
    },
    name: 'guard',
  },
};

// resourceList wraps objects the way kustomize 5.7.1 does: sorted keys, unindented sequences, and the
// kustomize.config.k8s.io/id, config.kubernetes.io/index and internal.config.kubernetes.io/* annotations.
function resourceList(items: any[], functionConfig: any = FUNCTION_CONFIG): string {
  const annotated = items.map((o, i) => {
    const copy = structuredClone(o);
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [undefined, o.apiVersion];
    copy.metadata.annotations = {
      ...(copy.metadata.annotations ?? {}),
      'kustomize.config.k8s.io/id': stringify({
        ...(group ? { group } : {}),
        kind: o.kind,
        name: o.metadata.name,
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
        version,
      }),
      'config.kubernetes.io/index': String(i),
      'internal.config.kubernetes.io/index': String(i),
      'internal.config.kubernetes.io/annotations-migration-resource-id': String(i),
      'internal.config.kubernetes.io/id': String(i + 1),
      'config.k8s.io/id': String(i + 1),
    };
    return copy;
  });
  const list: any = { apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: annotated };
  if (functionConfig !== undefined) list.functionConfig = functionConfig;
  return stringify(list, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

const KRM_ANNOTATION =
  /^(config\.kubernetes\.io\/|internal\.config\.kubernetes\.io\/|kustomize\.config\.k8s\.io\/id$|config\.k8s\.io\/id$)/;

function stripKrm(o: any): any {
  const copy = structuredClone(o);
  const a = copy.metadata?.annotations;
  if (a) {
    for (const k of Object.keys(a)) if (KRM_ANNOTATION.test(k)) delete a[k];
    if (!Object.keys(a).length) delete copy.metadata.annotations;
  }
  return copy;
}

function isSubsequence(small: string[], big: string[]): boolean {
  let i = 0;
  for (const line of big) if (i < small.length && line === small[i]) i++;
  return i === small.length;
}

test('items come out hardened exactly as in stream mode, in one ResourceList', async () => {
  const input = resourceList(objects(rendered));
  const r = await cli([], input);
  assert.is(r.status, 0, r.stderr);
  const out = objects(r.stdout);
  assert.is(out.length, 1);
  assert.is(out[0].kind, 'ResourceList');
  assert.is(out[0].apiVersion, 'config.kubernetes.io/v1');
  const stream = await cli([], rendered);
  const want = byKey(objects(stream.stdout));
  const got = byKey(out[0].items.map(stripKrm));
  assert.equal([...got.keys()].sort(), [...want.keys()].sort());
  for (const [k, o] of want) assert.equal(got.get(k), o, k);
});

test('every config.kubernetes.io/* and internal.config.kubernetes.io/* annotation is kept', async () => {
  const inItems = objects(rendered);
  const input = resourceList(inItems);
  const out = objects((await cli([], input)).stdout)[0];
  const before = objects(input)[0].items;
  for (const item of before) {
    const after = out.items.find((o: any) => o.kind === item.kind && o.metadata.name === item.metadata.name);
    for (const [k, v] of Object.entries(item.metadata.annotations))
      if (KRM_ANNOTATION.test(k)) assert.is(after.metadata.annotations[k], v, `${item.kind} ${k}`);
  }
  assert.equal(out.functionConfig, FUNCTION_CONFIG);
});

test('the ResourceList is edited in place: every other input line survives, comments too', async () => {
  const input = resourceList(objects(rendered)).replace('- apiVersion: apps/v1\n', '- apiVersion: apps/v1 # keep me\n');
  const r = await cli([], input);
  assert.is(r.status, 0, r.stderr);
  // Only insertions, and the one replaced scalar (replicas 1 -> 2).
  const expected = input.replace('    replicas: 1\n', '    replicas: 2\n');
  assert.ok(isSubsequence(expected.split('\n'), r.stdout.split('\n')), 'input lines are a subsequence of the output');
  assert.match(r.stdout, /- apiVersion: apps\/v1 # keep me\n/);
});

test('results: one info per change, a warning per warning, with resourceRef and field', async () => {
  const out = objects((await cli([], resourceList(objects(rendered)))).stdout)[0];
  const results: any[] = out.results;
  const replicas = results.find((x) => x.field?.path === 'spec/replicas');
  assert.equal(replicas.severity, 'info');
  assert.equal(replicas.resourceRef, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'kruise-controller-manager',
    namespace: 'kruise-system',
  });
  assert.equal(replicas.field, { path: 'spec/replicas', currentValue: 1, proposedValue: 2 });
  assert.match(replicas.message, /^webhook-replicas: /);
  const added = results.find((x) => x.resourceRef?.kind === 'PodDisruptionBudget');
  assert.match(added.message, /added policy\/v1 PodDisruptionBudget/);
  const warning = results.find((x) => x.severity === 'warning');
  assert.match(
    warning.message,
    /label-namespaces: namespace kruise-system is not in the stream.*kubectl label namespace kruise-system control-plane=openkruise/,
  );
  for (const x of results) assert.ok(['info', 'warning'].includes(x.severity) && typeof x.message === 'string');
  // Added resources are items of the list (kustomize reads nothing else).
  assert.ok(out.items.some((o: any) => o.kind === 'PodDisruptionBudget'));
});

test('functionConfig is the configuration; flags still override it', async () => {
  const fc = {
    ...FUNCTION_CONFIG,
    spec: { transforms: { 'webhook-replicas': { minReplicas: 3 }, 'label-namespaces': { adoptNamespaces: true } } },
  };
  const out = objects((await cli([], resourceList(objects(rendered), fc))).stdout)[0];
  assert.equal(find(out.items, 'Deployment').spec.replicas, 3);
  assert.equal(find(out.items, 'Namespace').metadata.labels, { 'control-plane': 'openkruise' });
  const flagged = objects((await cli(['--min-replicas', '4'], resourceList(objects(rendered), fc))).stdout)[0];
  assert.equal(find(flagged.items, 'Deployment').spec.replicas, 4);
});

test('no functionConfig: the defaults (or --config) apply', async () => {
  const out = objects((await cli([], resourceList(objects(rendered), undefined))).stdout)[0];
  assert.equal(find(out.items, 'Deployment').spec.replicas, 2);
});

test('an invalid functionConfig: message on stderr, exit 3, and an error result for kpt', async () => {
  const fc = { ...FUNCTION_CONFIG, spec: { transforms: { 'webhook-replicas': { minReplicas: 'many' } } } };
  const input = resourceList(objects(rendered), fc);
  const r = await cli([], input);
  assert.is(r.status, 3);
  assert.match(
    r.stderr,
    /webhook-guard: config functionConfig is invalid:\n {2}spec\.transforms\.webhook-replicas\.minReplicas: must be integer/,
  );
  const out = objects(r.stdout)[0];
  assert.equal(out.results.length, 1);
  assert.is(out.results[0].severity, 'error');
  assert.equal(out.items, objects(input)[0].items, 'items unchanged');
});

test('a functionConfig of another kind is a configuration error', async () => {
  const r = await cli(
    [],
    resourceList(objects(rendered), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: {} }),
  );
  assert.is(r.status, 3);
  assert.match(r.stderr, /functionConfig: expected kind WebhookGuard .*got kind ConfigMap/);
});

test('kpt-style path annotations give each result its file', async () => {
  const items = objects(rendered).map((o, i) => ({
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...(o.metadata.annotations ?? {}), 'internal.config.kubernetes.io/path': `manifests/${i}.yaml` },
    },
  }));
  const out = objects((await cli([], resourceList(items))).stdout)[0];
  const replicas = out.results.find((x: any) => x.field?.path === 'spec/replicas');
  assert.equal(replicas.file, { path: 'manifests/1.yaml', index: 1 });
});

test('a JSON ResourceList is accepted', async () => {
  const input = JSON.stringify(objects(resourceList(objects(rendered)))[0], null, 2);
  const r = await cli([], input);
  assert.is(r.status, 0, r.stderr);
  assert.equal(find(objects(r.stdout)[0].items, 'Deployment').spec.replicas, 2);
});

test('--emit is for manifest streams only', async () => {
  const r = await cli(['--emit', 'patches'], resourceList(objects(rendered)));
  assert.is(r.status, 2);
  assert.match(r.stderr, /--emit patches works on a manifest stream, not on a ResourceList/);
});

test('a stream that merely contains a ResourceList among other documents is not KRM input', async () => {
  const input = rendered + '---\n' + resourceList([]);
  const r = await cli([], input);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^kind: ResourceList$/m);
  assert.match(r.stdout, /# Added by webhook-guard/);
});

test('kubectl kustomize skips exec KRM functions silently (why this protocol is tested directly)', async () => {
  const dir = join(sb.dir, 'krm');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rendered.yaml'), rendered);
  writeFileSync(join(dir, 'guard.yaml'), stringify(FUNCTION_CONFIG));
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [rendered.yaml]\ntransformers: [guard.yaml]\n');
  const out = objects(ok(KUBECTL, ['kustomize', '--enable-alpha-plugins', dir], { env: sb.env }));
  assert.equal(find(out, 'Deployment').spec.replicas, 1, 'unchanged: the function never ran');
});

test.run();
