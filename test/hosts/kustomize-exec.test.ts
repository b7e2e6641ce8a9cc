// The KRM exec-function recipe with a real standalone kustomize, built from the Go module proxy and cached outside
// the repo (kubectl kustomize has no --enable-exec). Skipped, and counted, without Go; required under CI=true.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as assert from 'uvu/assert';
import { CACHE } from '../support/cache.js';
import { gatedSuite } from '../support/helpers.js';
import { BIN, find, HELM3, objects, ok, ROOT, sandbox, type Sandbox } from './hosts.js';

/** KUSTOMIZE is the pinned standalone kustomize: the version kubectl v1.35 embeds. */
export const KUSTOMIZE_VERSION = 'v5.7.1';
const cache = join(CACHE, 'kustomize', KUSTOMIZE_VERSION);
const KUSTOMIZE = join(cache, 'kustomize');

// missingKustomize builds kustomize once (go install from the module proxy, about 15 s) and says why it cannot.
function missingKustomize(): string | undefined {
  if (existsSync(KUSTOMIZE)) return undefined;
  if (spawnSync('go', ['version']).status !== 0) return 'no Go toolchain to build kustomize with';
  mkdirSync(cache, { recursive: true });
  const r = spawnSync('go', ['install', `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], {
    env: { ...process.env, GOBIN: cache },
    encoding: 'utf8',
  });
  return r.status === 0 && existsSync(KUSTOMIZE)
    ? undefined
    : `go install kustomize failed: ${r.stderr.trim().split('\n').pop()}`;
}

const test = gatedSuite('hosts: kustomize exec function (real standalone kustomize)', missingKustomize());
let sb: Sandbox;
test.before(() => {
  sb = sandbox();
  // The example as it is in the repository: the krm folder, and the chart it renders through --enable-helm.
  cpSync(join(ROOT, 'examples'), join(sb.dir, 'examples'), { recursive: true });
  sb.link('helm', HELM3);
});
test.after(() => sb.cleanup());

test('the README recipe: kustomize build --enable-alpha-plugins --enable-exec runs webhook-guard on the rendered chart', () => {
  const krm = join(sb.dir, 'examples', 'kustomize', 'krm');
  symlinkSync(BIN, join(krm, 'webhook-guard'));
  const out = ok(
    KUSTOMIZE,
    ['build', '--enable-alpha-plugins', '--enable-exec', '--enable-helm', '--load-restrictor', 'LoadRestrictionsNone', krm],
    { env: { ...sb.env, PATH: `${sb.bin}:${dirname(process.execPath)}:${sb.env.PATH}` } },
  );
  const items = objects(out);
  assert.is(find(items, 'Deployment', 'kruise-controller-manager').spec.replicas, 2, 'webhook-replicas ran');
  assert.ok(find(items, 'PodDisruptionBudget'), 'the added PDB is an item of the output');
  const hook = find(items, 'MutatingWebhookConfiguration').webhooks[0];
  assert.ok(
    hook.namespaceSelector.matchExpressions.some(
      (e: any) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn' && e.values.includes('kruise-system'),
    ),
    'exclude-namespaces ran',
  );
});

test("a bad functionConfig fails the kustomize build with webhook-guard's message", () => {
  const krm = join(sb.dir, 'examples', 'kustomize', 'krm');
  const fn = join(krm, 'guard-fn.yaml');
  cpSync(fn, `${fn}.orig`);
  const bad = ok('sed', ['s/minReplicas: 2/minReplicas: many/', `${fn}.orig`], { env: sb.env });
  spawnSync('sh', ['-c', `cat > "${fn}"`], { input: bad });
  const r = spawnSync(
    KUSTOMIZE,
    ['build', '--enable-alpha-plugins', '--enable-exec', '--enable-helm', '--load-restrictor', 'LoadRestrictionsNone', krm],
    { env: { ...sb.env, PATH: `${sb.bin}:${dirname(process.execPath)}:${sb.env.PATH}` }, encoding: 'utf8' },
  );
  assert.is.not(r.status, 0);
  assert.is(r.stdout, '');
  assert.match(r.stderr, 'spec.transforms.webhook-replicas.minReplicas: must be integer');
});

test.run();
