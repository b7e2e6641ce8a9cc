// Builds the real control plane the cluster tests run (etcd, kube-apiserver, kube-controller-manager) from the Go
// module proxy into ~/.cache/webhook-guard/control-plane/<pin>/, once per pin. `--update-replaces` regenerates the
// staging-module replace block of kube/go.mod from the go.mod of the pinned k8s.io/kubernetes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CACHE } from '../support/cache.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const KUBE = join(HERE, 'kube');
const ETCD = join(HERE, 'etcd');
/** COMMANDS are the binaries the harness starts, and the module folder and package each is built from. */
export const COMMANDS = [
  { name: 'etcd', dir: ETCD, pkg: '.' },
  { name: 'kube-apiserver', dir: KUBE, pkg: 'k8s.io/kubernetes/cmd/kube-apiserver' },
  { name: 'kube-controller-manager', dir: KUBE, pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager' },
];

/** kubernetesVersion is the k8s.io/kubernetes version kube/go.mod requires. */
export function kubernetesVersion(): string {
  const m = /^require k8s\.io\/kubernetes (v\S+)$/m.exec(readFileSync(join(KUBE, 'go.mod'), 'utf8'));
  if (!m) throw new Error('test/cluster/kube/go.mod does not require k8s.io/kubernetes on one line');
  return m[1];
}

/** pin names a build: the versions, and a hash of both modules' go.mod and go.sum, so any change rebuilds. */
export function pin(): string {
  const h = createHash('sha256');
  for (const dir of [KUBE, ETCD])
    for (const f of ['go.mod', 'go.sum', 'main.go']) if (existsSync(join(dir, f))) h.update(readFileSync(join(dir, f)));
  h.update(process.version);
  return `${kubernetesVersion()}-${h.digest('hex').slice(0, 12)}`;
}

/** binDir is where the binaries of the current pin live. */
export function binDir(): string {
  return join(CACHE, 'control-plane', pin());
}

/** missingGo says why Go cannot build here, or undefined when `go` runs. */
export function missingGo(): string | undefined {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `the go command is not available (${r.error?.message ?? r.stderr.trim()})`;
}

function go(args: string[], cwd: string): string {
  const r = spawnSync('go', args, { cwd, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (r.status !== 0) throw new Error(`go ${args.join(' ')} (in ${cwd}) failed:\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** stagingReplaces lists the replace lines kube/go.mod needs: every staging module of the pinned k8s.io/kubernetes. */
export function stagingReplaces(): string[] {
  const version = kubernetesVersion();
  const info = JSON.parse(go(['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], KUBE));
  const upstream = readFileSync(info.GoMod, 'utf8');
  const staging = [...upstream.matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\/src\/\1$/gm)].map((m) => m[1]);
  if (!staging.length) throw new Error(`no staging replaces found in ${info.GoMod}`);
  const minor = version.replace(/^v1\./, 'v0.');
  return staging.sort().map((m) => `\t${m} => ${m} ${minor}`);
}

const REPLACE_BLOCK = /^replace \(\n[\s\S]*?^\)\n/m;

function updateReplaces(): void {
  const path = join(KUBE, 'go.mod');
  const text = readFileSync(path, 'utf8');
  const block = `replace (\n${stagingReplaces().join('\n')}\n)\n`;
  const next = REPLACE_BLOCK.test(text) ? text.replace(REPLACE_BLOCK, block) : `${text.trimEnd()}\n\n${block}`;
  writeFileSync(path, next);
  go(['mod', 'tidy'], KUBE);
  console.log(`kube/go.mod: ${block.split('\n').length - 3} staging replaces for k8s.io/kubernetes ${kubernetesVersion()}`);
}

/** build makes the binaries of the current pin unless they are there; returns their folder. */
export function build({ log = (_m: string) => {} }: { log?: (m: string) => void } = {}): string {
  const dir = binDir();
  if (COMMANDS.every((c) => existsSync(join(dir, c.name)))) return dir;
  const why = missingGo();
  if (why) throw new Error(why);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  for (const c of COMMANDS) {
    log(`building ${c.name} (${c.pkg}) …`);
    const ldflags = c.name === 'etcd' ? '-s -w' : `-s -w -X k8s.io/component-base/version.gitVersion=${kubernetesVersion()}`;
    go(['build', '-trimpath', `-ldflags=${ldflags}`, '-o', join(tmp, c.name), c.pkg], c.dir);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`built ${COMMANDS.map((c) => c.name).join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s into ${dir}`);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--update-replaces')) updateReplaces();
    else console.log(build({ log: (m) => console.error(m) }));
  } catch (err) {
    console.error(`test/cluster/build.ts: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
