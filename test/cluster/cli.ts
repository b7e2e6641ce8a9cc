// `npm run cluster -- up|down|status`: the tests' control plane for a person at a shell, left running between commands.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE } from '../support/cache.js';
import { killGroup, missingControlPlane, startCluster } from './harness.js';

const STATE = join(CACHE, 'cluster.json');

interface State {
  dir: string;
  url: string;
  kubeconfig: string;
  pids: number[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function read(): State | undefined {
  return existsSync(STATE) ? (JSON.parse(readFileSync(STATE, 'utf8')) as State) : undefined;
}

async function down(): Promise<void> {
  const state = read();
  if (!state) {
    console.error('cluster: none is running');
    return;
  }
  for (const pid of state.pids) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (state.pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of state.pids) if (alive(pid)) killGroup(pid, 'SIGKILL');
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(STATE, { force: true });
  console.error(`cluster: stopped ${state.url}`);
}

async function up(): Promise<void> {
  const state = read();
  if (state && state.pids.every(alive)) {
    console.error(`cluster: already running at ${state.url}`);
    console.log(`KUBECONFIG=${state.kubeconfig}`);
    return;
  }
  if (state) await down();
  const missing = missingControlPlane();
  if (missing) throw new Error(missing);
  const c = await startCluster({ detached: true, log: (m) => console.error(`cluster: ${m}`) });
  writeFileSync(STATE, JSON.stringify({ dir: c.dir, url: c.url, kubeconfig: c.kubeconfig, pids: c.pids }, null, 2));
  console.error(`cluster: etcd, kube-apiserver and kube-controller-manager at ${c.url}; stop with npm run cluster -- down`);
  console.log(`KUBECONFIG=${c.kubeconfig}`);
}

const command = process.argv[2];
try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else if (command === 'status') {
    const state = read();
    console.log(state && state.pids.every(alive) ? `running at ${state.url}\nKUBECONFIG=${state.kubeconfig}` : 'not running');
  } else {
    console.error('usage: npm run cluster -- up|down|status');
    process.exitCode = 2;
  }
} catch (err) {
  console.error(`cluster: ${(err as Error).message}`);
  process.exitCode = 1;
}
