// The helmfile recipe with a real helmfile, built from the Go module proxy and cached outside the repo, driving
// real Helm 3 (webhook-guard on PATH) and Helm 4 (the installed plugin). Skipped, and counted, without Go.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as assert from 'uvu/assert';
import { CACHE } from '../support/cache.js';
import { gatedSuite } from '../support/helpers.js';
import { BIN, find, HELM3, HELM4, objects, ok, ROOT, sandbox, type Sandbox } from './hosts.js';

/** HELMFILE_VERSION is the pinned helmfile: the newest the module proxy serves. */
export const HELMFILE_VERSION = 'v1.8.0';
const cache = join(CACHE, 'helmfile', HELMFILE_VERSION);
const HELMFILE = join(cache, 'helmfile');

// missingHelmfile builds helmfile once and says why it cannot. Its go.mod has replace directives, which
// `go install module@version` refuses, so the module's source is downloaded and built as the main module
// (a few minutes on two cores; cached afterwards).
function missingHelmfile(): string | undefined {
  if (existsSync(HELMFILE)) return undefined;
  if (spawnSync('go', ['version']).status !== 0) return 'no Go toolchain to build helmfile with';
  const module = `github.com/helmfile/helmfile@${HELMFILE_VERSION}`;
  const dl = spawnSync('go', ['mod', 'download', '-json', module], { encoding: 'utf8' });
  if (dl.status !== 0) return `go mod download ${module} failed: ${dl.stderr.trim().split('\n').pop()}`;
  const src = join(cache, 'src');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  cpSync(JSON.parse(dl.stdout).Dir, src, { recursive: true });
  // The module cache is read-only; the copy must be writable for go.sum updates.
  spawnSync('chmod', ['-R', 'u+w', src]);
  const r = spawnSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', HELMFILE, '.'], { cwd: src, encoding: 'utf8' });
  rmSync(src, { recursive: true, force: true });
  if (r.status !== 0 || !existsSync(HELMFILE)) return `building helmfile failed: ${r.stderr.trim().split('\n').pop()}`;
  chmodSync(HELMFILE, 0o755);
  return undefined;
}

const test = gatedSuite(`hosts: helmfile ${HELMFILE_VERSION} (real helmfile)`, missingHelmfile());
let sb: Sandbox;
test.before.each(() => {
  sb = sandbox();
  cpSync(join(ROOT, 'examples'), join(sb.dir, 'examples'), { recursive: true });
});
test.after.each(() => sb.cleanup());

// helmfile template runs `helm dependency build` and `helm template … --post-renderer webhook-guard
// --post-renderer-args=…` in the helmfile's folder, as the README's recipe says.
function template(): any[] {
  const env = { ...sb.env, PATH: `${sb.bin}:${dirname(process.execPath)}:${sb.env.PATH}` };
  return objects(ok(HELMFILE, ['template'], { env, cwd: join(sb.dir, 'examples', 'helmfile') }));
}

test('Helm 3: helmDefaults.postRenderer webhook-guard is the command on PATH', () => {
  sb.link('helm', HELM3);
  sb.link('webhook-guard', BIN);
  const objs = template();
  assert.is(find(objs, 'Namespace').metadata.labels['control-plane'], 'openkruise', 'the config (postRendererArgs) was read');
  assert.is(find(objs, 'Deployment').spec.replicas, 2);
});

test('Helm 4: the same helmfile.yaml names the installed plugin', () => {
  sb.link('helm', HELM4);
  ok(HELM4, ['plugin', 'install', ROOT], { env: sb.env });
  const objs = template();
  assert.is(find(objs, 'Namespace').metadata.labels['control-plane'], 'openkruise', 'the config (postRendererArgs) was read');
  assert.ok(find(objs, 'ValidatingWebhookConfiguration').webhooks[0].namespaceSelector);
});

test.run();
