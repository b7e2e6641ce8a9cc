// Patch export (--emit patches|flux): the emitted JSON 6902 patches, applied to the original render by
// the real `kubectl kustomize` (kustomize v5.7.1, the engine Flux's helm-controller embeds too), give
// the same objects as webhook-guard's own output.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import * as assert from 'uvu/assert';
import {
  CHART,
  HELM3,
  KUBECTL,
  ROOT,
  byKey,
  docsOf,
  guard as cli,
  objects,
  ok,
  run,
  sandbox,
  type Sandbox,
  hostSuite,
} from './hosts.js';
import { checkSelection, type Patch } from '../../src/hosts/patches.js';
import type { Resource } from '../../src/model/types.js';

const test = hostSuite('hosts: patch export');
let sb: Sandbox;
test.before(() => {
  sb = sandbox();
});
test.after(() => sb.cleanup());

let n = 0;
// applyEmitted writes the render, the emitted Kustomization (with resources: added) and the added
// documents into a folder, and builds it with kubectl kustomize.
function applyEmitted(rendered: string, emitted: string): ReturnType<typeof run> {
  const dir = join(sb.dir, `k${n++}`);
  mkdirSync(dir, { recursive: true });
  const [head, ...added] = docsOf(emitted);
  const kustomization = objects(head)[0];
  assert.is(kustomization.kind, 'Kustomization');
  writeFileSync(join(dir, 'rendered.yaml'), rendered);
  const resources = ['rendered.yaml'];
  if (added.length) {
    writeFileSync(join(dir, 'added.yaml'), added.map((d) => `---\n${d}`).join(''));
    resources.push('added.yaml');
  }
  writeFileSync(join(dir, 'kustomization.yaml'), stringify({ ...kustomization, resources }));
  return run(KUBECTL, ['kustomize', dir], { env: sb.env });
}

function sameObjects(got: unknown[], want: unknown[]): void {
  const g = byKey(got as any[]);
  const w = byKey(want as any[]);
  assert.equal([...g.keys()].sort(), [...w.keys()].sort());
  for (const [k, o] of w) assert.equal(g.get(k), o, k);
}

async function roundTrip(rendered: string, args: string[]): Promise<void> {
  const own = await cli(['--quiet', ...args], rendered);
  assert.is(own.status, 0, own.stderr);
  const emitted = await cli(['--quiet', '--emit', 'patches', ...args], rendered);
  assert.is(emitted.status, 0, emitted.stderr);
  const built = applyEmitted(rendered, emitted.stdout);
  assert.is(built.status, 0, built.stderr);
  sameObjects(objects(built.stdout), objects(own.stdout));
}

test('helm template of the example chart (hooks included): patches + added resources = own output', async () => {
  await roundTrip(ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system'], { env: sb.env }), []);
});

test('createNamespace=true and an adopted namespace: both round-trip', async () => {
  await roundTrip(
    ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system', '--set', 'createNamespace=true'], { env: sb.env }),
    [],
  );
  await roundTrip(ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system'], { env: sb.env }), [
    '--adopt-namespaces',
    '--min-replicas',
    '3',
  ]);
});

for (const name of readdirSync(join(ROOT, 'examples')).sort()) {
  const dir = join(ROOT, 'examples', name);
  if (!existsSync(join(dir, 'input.yaml'))) continue;
  test(`seed scenario ${name}: patches round-trip through kustomize`, async () => {
    const args = existsSync(join(dir, 'config.yaml')) ? ['--config', join(dir, 'config.yaml')] : [];
    await roundTrip(readFileSync(join(dir, 'input.yaml'), 'utf8'), args);
  });
}

const HEAD =
  '# webhook-guard 0.1.0: the changes as kustomize patches (JSON 6902 per changed resource,\n' +
  '# $patch: delete per removed one). Use this as the kustomization.yaml (or merge its patches into\n' +
  '# yours) and list the rendered manifests under resources:.\n' +
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\npatches:\n';
const hook = (name: string, policy: string, resource: string): string =>
  `  - name: ${name}\n    admissionReviewVersions: [v1]\n    sideEffects: None\n    failurePolicy: ${policy}\n` +
  '    clientConfig:\n      service: {name: demo-webhook, namespace: demo-system}\n' +
  `    rules:\n      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [${resource}]}\n`;
const DROP_CONFIG =
  'apiVersion: webhookguard.dev/v1alpha1\nkind: WebhookGuard\nmetadata: {name: g}\nspec:\n  transforms:\n' +
  '    drop-webhooks:\n      enabled: true\n      webhooks: [v.demo.io]\n      configurations: [gone.demo.io]\n';
const deletion = (kind: string, name: string): string =>
  `  - target:\n      group: admissionregistration.k8s.io\n      version: v1\n      kind: ${kind}\n` +
  `      name: ${name.replace(/\./g, '\\.')}\n    patch: |-\n      $patch: delete\n` +
  `      apiVersion: admissionregistration.k8s.io/v1\n      kind: ${kind}\n      metadata:\n        name: ${name}\n`;

// Byte-exact exports, each also applied to its render by the real kustomize (same objects as the own output).
const exports: Record<string, { input: string; config?: string; expected: string }> = {
  // Kueue 0.19.2 and 0.11.4 render `namespace: kueue-system` on their webhook configurations; kustomize reads the
  // kinds as cluster-scoped, so a target naming that namespace selected nothing and the webhooks went out unhardened.
  'a cluster-scoped object rendered with a namespace: its target names none': {
    input:
      'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n' +
      'metadata:\n  name: demo.io\n  namespace: demo-system\nwebhooks:\n' +
      hook('mpod.demo.io', 'Fail', 'pods'),
    expected:
      HEAD +
      '  - target:\n      group: admissionregistration.k8s.io\n      version: v1\n' +
      '      kind: MutatingWebhookConfiguration\n      name: demo\\.io\n    patch: |-\n' +
      '      - op: test\n        path: /webhooks/0/name\n        value: mpod.demo.io\n' +
      '      - op: add\n        path: /webhooks/0/namespaceSelector\n        value:\n          matchExpressions:\n' +
      '            - key: kubernetes.io/metadata.name\n              operator: NotIn\n              values:\n' +
      '                - demo-system\n                - kube-system\n' +
      '      - op: add\n        path: /webhooks/0/matchConditions\n        value:\n' +
      '          - name: webhook-guard-skip-mirror-pods\n' +
      `            expression: "!(request.operation == 'CREATE' && request.resource.group == '' && ` +
      `request.resource.resource == 'pods' && has(request.userInfo.groups) && 'system:nodes' in request.userInfo.groups ` +
      `&& object != null && has(object.metadata) && has(object.metadata.annotations) && 'kubernetes.io/config.mirror' ` +
      `in object.metadata.annotations)"\n`,
  },
  // drop-webhooks removing a configuration (named, or every webhook of it named) left no patch: kustomize and Flux
  // installed it as rendered. The one with a namespace shows the deletion's target names none either.
  'drop-webhooks removes whole configurations: a $patch: delete for each, in stream order': {
    input:
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: keep\n' +
      `webhooks:\n${hook('a.demo.io', 'Ignore', 'configmaps')}---\n` +
      'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n' +
      `metadata:\n  name: gone.demo.io\n  namespace: demo-system\nwebhooks:\n${hook('m.demo.io', 'Fail', 'nodes')}---\n` +
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: emptied\n' +
      `webhooks:\n${hook('v.demo.io', 'Fail', 'nodes')}`,
    config: DROP_CONFIG,
    expected:
      HEAD + deletion('MutatingWebhookConfiguration', 'gone.demo.io') + deletion('ValidatingWebhookConfiguration', 'emptied'),
  },
};

for (const [name, c] of Object.entries(exports)) {
  test(`export: ${name}`, async () => {
    const args: string[] = [];
    if (c.config) {
      const file = join(sb.dir, `config-${n++}.yaml`);
      writeFileSync(file, c.config);
      args.push('--config', file);
    }
    const emitted = await cli(['--quiet', '--emit', 'patches', ...args], c.input);
    assert.is(emitted.stderr, '');
    assert.fixture(emitted.stdout, c.expected);
    await roundTrip(c.input, args);
    // Flux carries the same patches: strategic-merge ones (the deletions) included, as kustomize's `patches` do.
    const flux = await cli(['--quiet', '--emit', 'flux', ...args], c.input);
    assert.equal(objects(flux.stdout)[0].spec.postRenderers[0].kustomize.patches, objects(emitted.stdout)[0].patches);
  });
}

// checkSelection refuses a patch whose target, as kustomize selects, reaches no object or several of the stream.
const object = (apiVersion: string, kind: string, name: string, namespace?: string): Resource =>
  ({ doc: {}, path: [], obj: {}, apiVersion, kind, name, namespace }) as unknown as Resource;
const selections: Record<string, { target: Patch['target']; objects: Resource[]; error?: string }> = {
  'one object: passes': {
    target: { version: 'v1', kind: 'Service', name: 'web', namespace: 'a' },
    objects: [object('v1', 'Service', 'web', 'a'), object('v1', 'Service', 'web', 'b')],
  },
  'a namespaced object that names none is in default': {
    target: { version: 'v1', kind: 'Service', name: 'web', namespace: 'default' },
    objects: [object('v1', 'Service', 'web'), object('v1', 'Service', 'web', 'b')],
  },
  'a namespace on a cluster-scoped kind selects nothing': {
    target: { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', name: 'v' },
    objects: [object('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'v', 'x')],
  },
  'a target with a namespace on a cluster-scoped kind: refused': {
    target: {
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      kind: 'ValidatingWebhookConfiguration',
      name: 'v',
      namespace: 'x',
    },
    objects: [object('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'v', 'x')],
    error:
      '--emit: the patch for admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration x/v would select no object ' +
      'of the stream in kustomize, which would leave it unpatched without an error; export cannot carry this change: ' +
      'use the hardened manifests (--emit manifests)',
  },
  'no group selects every group: a Knative Service of the same name and namespace too': {
    target: { version: 'v1', kind: 'Service', name: 'web', namespace: 'a' },
    objects: [object('v1', 'Service', 'web', 'a'), object('serving.knative.dev/v1', 'Service', 'web', 'a')],
    error:
      '--emit: the patch for v1 Service a/web would select 2 objects of the stream in kustomize, which would patch them ' +
      'all; export cannot carry this change: use the hardened manifests (--emit manifests)',
  },
  'the name is an anchored regular expression: an escaped dot matches only a dot': {
    target: { version: 'v1', kind: 'Service', name: 'a\\.b', namespace: 'n' },
    objects: [object('v1', 'Service', 'a.b', 'n'), object('v1', 'Service', 'aXb', 'n'), object('v1', 'Service', 'a.bc', 'n')],
  },
};

for (const [name, c] of Object.entries(selections)) {
  test(`checkSelection: ${name}`, () => {
    let message: string | undefined;
    try {
      checkSelection([{ target: c.target, patch: '' }], c.objects);
    } catch (e) {
      message = (e as Error).message;
    }
    assert.is(message, c.error);
  });
}

test('every patch is targeted by group, version, kind, name and namespace', async () => {
  const rendered = ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system'], { env: sb.env });
  const k = objects((await cli(['--quiet', '--emit', 'patches'], rendered)).stdout)[0];
  const targets = k.patches.map((p: { target: object }) => p.target);
  assert.ok(targets.length >= 3);
  assert.ok(
    targets.some(
      (t: object) =>
        JSON.stringify(t) ===
        JSON.stringify({
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          name: 'kruise-controller-manager',
          namespace: 'kruise-system',
        }),
    ),
  );
  assert.ok(
    targets.some(
      (t: object) =>
        JSON.stringify(t) ===
        JSON.stringify({ version: 'v1', kind: 'Service', name: 'kruise-webhook-service', namespace: 'kruise-system' }),
    ),
  );
  // Cluster-scoped objects have no namespace; a dot in a name is escaped (kustomize reads names as regexes).
  assert.ok(
    targets.some(
      (t: { kind: string; namespace?: string }) => t.kind === 'MutatingWebhookConfiguration' && t.namespace === undefined,
    ),
  );
});

test('a patch applied to a render whose webhooks moved fails instead of editing the wrong webhook', async () => {
  const rendered = ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system'], { env: sb.env });
  const emitted = (await cli(['--quiet', '--emit', 'patches'], rendered)).stdout;
  const moved = rendered.replace('- name: mpod.kb.io', '- name: mpod-renamed.kb.io');
  const built = applyEmitted(moved, emitted);
  assert.is(built.status, 1);
  assert.match(built.stderr, /testing value \/webhooks\/0\/name failed/);
});

test('--emit flux: a HelmRelease spec.postRenderers fragment with the same patches and added resources', async () => {
  const rendered = ok(HELM3, ['template', 'kruise', CHART, '-n', 'kruise-system'], { env: sb.env });
  const patches = docsOf((await cli(['--quiet', '--emit', 'patches'], rendered)).stdout);
  const flux = docsOf((await cli(['--quiet', '--emit', 'flux'], rendered)).stdout);
  const release = objects(flux[0])[0];
  assert.is(release.apiVersion, 'helm.toolkit.fluxcd.io/v2');
  assert.is(release.kind, 'HelmRelease');
  assert.equal(Object.keys(release.spec), ['postRenderers']);
  assert.equal(release.spec.postRenderers, [{ kustomize: { patches: objects(patches[0])[0].patches } }]);
  assert.equal(flux.slice(1), patches.slice(1));
  assert.match(flux[0], /Flux post-renderers cannot add resources/);
});

test('examples/flux/helmrelease.yaml carries the current patches for the example chart (UPDATE=1 rewrites it)', async () => {
  const file = join(ROOT, 'examples', 'flux', 'helmrelease.yaml');
  const rendered = ok(HELM3, ['template', 'kruise-like', CHART, '-n', 'kruise-system'], { env: sb.env });
  const [fragment, ...added] = docsOf((await cli(['--quiet', '--emit', 'flux'], rendered)).stdout);
  const postRenderers = objects(fragment)[0].spec.postRenderers;
  const text = readFileSync(file, 'utf8');
  if (process.env.UPDATE === '1') {
    mkdirSync(join(ROOT, 'examples', 'flux', 'added'), { recursive: true });
    const block = stringify({ postRenderers }, { version: '1.1', lineWidth: 0 }).replace(/^/gm, '  ').trimEnd();
    const out = text.replace(/ {2}postRenderers:[\s\S]*?(?=\n# -- end of webhook-guard patches)/, block);
    writeFileSync(file, out);
    writeFileSync(join(ROOT, 'examples', 'flux', 'added', 'webhook-guard-added.yaml'), added.map((d) => `---\n${d}`).join(''));
  }
  const example = objects(readFileSync(file, 'utf8')).find((o) => o.kind === 'HelmRelease');
  assert.equal(
    example.spec.postRenderers,
    postRenderers,
    'stale example: run UPDATE=1 node --import tsx test/hosts/patches.test.ts',
  );
  assert.equal(
    objects(readFileSync(join(ROOT, 'examples', 'flux', 'added', 'webhook-guard-added.yaml'), 'utf8')),
    objects(added.join('---\n')),
  );
});

test('the README recipe when webhook-guard adds nothing: no added.yaml, and kustomize still builds', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('--emit patches <'))!;
  // The recipe's own lines after the render: the split, the resources line, the build.
  const steps = block.slice(block.indexOf('webhook-guard --emit patches'));
  const dir = join(sb.dir, 'nothing-added');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'rendered.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain, namespace: x}\ndata: {a: b}\n',
  );
  sb.link('kubectl', KUBECTL);
  const guardBin = join(sb.bin, 'webhook-guard');
  if (!existsSync(guardBin)) sb.link('webhook-guard', join(ROOT, 'bin', 'webhook-guard.js'));
  const out = ok('sh', ['-ec', steps], { env: sb.env, cwd: dir });
  assert.not.ok(existsSync(join(dir, 'added.yaml')));
  assert.equal(objects(out), [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'x' }, data: { a: 'b' } },
  ]);
});

test.run();
