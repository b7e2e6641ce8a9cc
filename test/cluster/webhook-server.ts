// Real webhook backends for the cluster tests: HTTPS servers in a network namespace of the test's own, one per pod IP.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { issueCert, type Cluster } from './harness.js';

/** Call is one admission request a backend received. */
export interface Call {
  path: string;
  kind: string;
  name: string;
  namespace?: string;
  operation: string;
  username: string;
  groups: string[];
  hasObject: boolean;
}

/** Backend is a running webhook server and what it was asked. */
export interface Backend {
  calls: Call[];
  close(): Promise<void>;
}

/**
 * TestNet is a network namespace the test made, joined to this one by a veth pair. Endpoints may not be loopback
 * or link-local addresses (the API server refuses them), so backends get pod IPs here: its own test hosts.
 */
export interface TestNet {
  ns: string;
  /** Addresses inside the namespace, one per backend pod. */
  ips: string[];
  remove(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

/** missingTestNet says why network namespaces cannot be made here, or undefined when they can. */
export function missingTestNet(): string | undefined {
  const probe = `wgp${randomBytes(3).toString('hex')}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0)
    return `network namespaces are not available (ip netns add: ${(r.stderr || r.error?.message || '').trim()})`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

/** testNet makes a network namespace with `count` addresses, reachable from here through a veth pair. */
export function testNet(count: number): TestNet {
  const id = randomBytes(3).toString('hex');
  const ns = `wg-${id}`;
  // A /24 of 10.254.0.0/16 that no route of this machine uses yet.
  const routes = spawnSync('ip', ['route'], { encoding: 'utf8' }).stdout;
  let subnet = 1 + (parseInt(id, 16) % 250);
  while (routes.includes(`10.254.${subnet}.`)) subnet = (subnet % 250) + 1;
  const base = `10.254.${subnet}`;
  ip(['netns', 'add', ns]);
  const remove = () => {
    spawnSync('ip', ['link', 'del', `wgh${id}`]);
    spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    ip(['link', 'add', `wgh${id}`, 'type', 'veth', 'peer', 'name', `wgn${id}`]);
    ip(['link', 'set', `wgn${id}`, 'netns', ns]);
    ip(['addr', 'add', `${base}.1/24`, 'dev', `wgh${id}`]);
    ip(['link', 'set', `wgh${id}`, 'up']);
    const ips = Array.from({ length: count }, (_, i) => `${base}.${i + 2}`);
    for (const a of ips) ip(['netns', 'exec', ns, 'ip', 'addr', 'add', `${a}/24`, 'dev', `wgn${id}`]);
    ip(['netns', 'exec', ns, 'ip', 'link', 'set', `wgn${id}`, 'up']);
    ip(['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    return { ns, ips, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/**
 * serveWebhook runs a backend at `ip:port` inside the test network, with a certificate the test CA signed for the
 * Service's DNS names (`svc`, `svc.ns`, `svc.ns.svc`) and its IP, allowing every AdmissionReview and recording it.
 */
export async function serveWebhook(
  c: Cluster,
  net: TestNet,
  opts: { service: string; namespace: string; ip: string; port: number },
): Promise<Backend> {
  const names = [opts.service, `${opts.service}.${opts.namespace}`, `${opts.service}.${opts.namespace}.svc`];
  // The pod IP too, for webhooks that call the backend by URL; a call by Service name checks the names.
  const { cert, key } = issueCert(c.dir, `${opts.service}-${opts.ip}`, names, [opts.ip]);
  const program = join(import.meta.dirname, 'webhook-backend.ts');
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', net.ns, process.execPath, '--import', 'tsx', program, cert, key, opts.ip, String(opts.port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const calls: Call[] = [];
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the webhook backend for ${opts.service} exited ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === 'listening') resolve();
        else calls.push(JSON.parse(line) as Call);
      }
    });
  });
  return {
    calls,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
