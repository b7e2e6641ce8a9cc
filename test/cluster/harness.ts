// A real control plane for the tests: etcd, kube-apiserver and kube-controller-manager on loopback, built from source.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, binDir, missingGo } from './build.js';

/** ADMIN_TOKEN and KUBELET_TOKEN are the static tokens of the two users the token file defines. */
export const ADMIN_TOKEN = 'wg-admin-token';
export const KUBELET_TOKEN = 'wg-kubelet-token';
/** KUBELET is the user the kubelet token authenticates: a node, in system:nodes. */
export const KUBELET = { username: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] };

// Bounds: the API server is usually ready in 2 s here; a cold disk or a loaded machine gets ten times that.
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Cluster is a running control plane and what a test needs to talk to it. */
export interface Cluster {
  dir: string;
  url: string;
  /** A kubeconfig file for the admin user. */
  kubeconfig: string;
  /** A kubeconfig file for the kubelet user node-1 (system:nodes). */
  kubeletKubeconfig: string;
  /** The test CA (PEM): it signs the API server's certificate and the webhook servers' certificates. */
  caCert: string;
  caKeyFile: string;
  caCertFile: string;
  pids: number[];
  stop(): Promise<void>;
}

/** missingControlPlane says why the control plane cannot run here, or undefined when it can be built or is built. */
export function missingControlPlane(): string | undefined {
  if (process.platform !== 'linux') return `the control plane tests run on Linux only (this is ${process.platform})`;
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not available to make the test certificates';
  try {
    binDir();
  } catch (err) {
    return (err as Error).message;
  }
  return missingGo();
}

/**
 * freePort finds a free loopback port below the kernel's range for outgoing connections (ip_local_port_range), so
 * that no connection another process opens can take it before the component that is given it binds it.
 */
export async function freePort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // Not Linux: any port the kernel gives.
  }
  for (let tries = 0; tries < 50 && low > 11000; tries++) {
    const port = 10000 + Math.floor(Math.random() * (low - 11000));
    if (await canListen(port)) return port;
  }
  return listen(0);
}

function canListen(port: number): Promise<boolean> {
  return listen(port).then(
    () => true,
    () => false,
  );
}

function listen(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address() as { port: number };
      srv.close(() => resolve(bound));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** issueCert writes `<name>.crt`/`<name>.key` in `dir`, signed by the test CA, for the given DNS names and IPs. */
export function issueCert(dir: string, name: string, dnsNames: string[], ips: string[] = []): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  const san = [...dnsNames.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', `${name}.csr`, '-subj', `/CN=${dnsNames[0] ?? name}`],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '2',
      '-extfile',
      ext,
    ],
    dir,
  );
  return { cert, key };
}

function kubeconfig(url: string, caFile: string, token: string, user: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    `  cluster: {server: "${url}", certificate-authority: "${caFile}"}`,
    'users:',
    `- name: ${user}`,
    `  user: {token: ${token}}`,
    'contexts:',
    '- name: test',
    `  context: {cluster: test, user: ${user}}`,
    'current-context: test',
    '',
  ].join('\n');
}

async function waitReady(url: string, caCert: string | undefined, child: ChildProcess, log: string, name: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const { request } = await import('node:https');
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${tail(log)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const tls = caCert ? { ca: caCert } : { rejectUnauthorized: false };
      const req = request(url, { ...tls, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail(log)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

function start(bin: string, args: string[], log: string, detached: boolean): ChildProcess {
  const out = openSync(log, 'a');
  // Its own process group, so stop() ends everything it started.
  const child = spawn(bin, args, { stdio: ['ignore', out, out], detached: true });
  if (detached) child.unref();
  return child;
}

/**
 * startCluster starts etcd, kube-apiserver and kube-controller-manager on free loopback ports in a temporary folder,
 * building them first if needed. `detached` leaves them running after this process exits (npm run cluster -- up).
 */
export async function startCluster(options: { detached?: boolean; log?: (m: string) => void } = {}): Promise<Cluster> {
  // A free port is only free when asked: an outgoing connection (the API server's to etcd) may take it before the
  // component binds it. Such a start is retried on new ports; any other failure is the test's.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !/address already in use/.test((err as Error).message)) throw err;
      options.log?.(`a port was taken before a component bound it; starting again (attempt ${attempt + 1})`);
    }
  }
}

const START_ATTEMPTS = 3;

async function startOnce(options: { detached?: boolean; log?: (m: string) => void }): Promise<Cluster> {
  const bins = build({ log: options.log ?? (() => {}) });
  const dir = mkdtempSync(join(tmpdir(), 'wg-cluster-'));
  const children: ChildProcess[] = [];
  // Should this process end before stop() (an exit mid-test, a crash), the components go with it, not on running.
  const onExit = () => {
    for (const c of children) if (c.exitCode === null && c.pid) killGroup(c.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  if (!options.detached) process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    for (const c of children) if (c.exitCode === null && c.pid) killGroup(c.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) killGroup(c.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '2',
        '-subj',
        '/CN=webhook-guard-test-ca',
      ],
      dir,
    );
    issueCert(dir, 'apiserver', ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'], ['127.0.0.1']);
    openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
    openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
    writeFileSync(
      join(dir, 'tokens.csv'),
      `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n${KUBELET_TOKEN},${KUBELET.username},kubelet-uid,"system:nodes"\n`,
    );
    const [etcdClient, etcdPeer, apiPort, kcmPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    children.push(
      start(
        join(bins, 'etcd'),
        [
          '--data-dir',
          join(dir, 'etcd'),
          '--listen-client-urls',
          etcdUrl,
          '--advertise-client-urls',
          etcdUrl,
          '--listen-peer-urls',
          `http://127.0.0.1:${etcdPeer}`,
          '--initial-advertise-peer-urls',
          `http://127.0.0.1:${etcdPeer}`,
          '--initial-cluster',
          `default=http://127.0.0.1:${etcdPeer}`,
          '--unsafe-no-fsync',
          '--log-level',
          'error',
        ],
        join(dir, 'etcd.log'),
        options.detached ?? false,
      ),
    );
    const url = `https://127.0.0.1:${apiPort}`;
    const apiLog = join(dir, 'kube-apiserver.log');
    const api = start(
      join(bins, 'kube-apiserver'),
      [
        '--etcd-servers',
        etcdUrl,
        '--bind-address',
        '127.0.0.1',
        '--advertise-address',
        '127.0.0.1',
        '--secure-port',
        String(apiPort),
        '--cert-dir',
        join(dir, 'certs'),
        '--tls-cert-file',
        join(dir, 'apiserver.crt'),
        '--tls-private-key-file',
        join(dir, 'apiserver.key'),
        '--client-ca-file',
        join(dir, 'ca.crt'),
        '--token-auth-file',
        join(dir, 'tokens.csv'),
        '--service-account-key-file',
        join(dir, 'sa.pub'),
        '--service-account-signing-key-file',
        join(dir, 'sa.key'),
        '--service-account-issuer',
        'https://kubernetes.default.svc',
        '--authorization-mode',
        'Node,RBAC',
        '--enable-admission-plugins',
        'NodeRestriction',
        '--service-cluster-ip-range',
        '10.96.0.0/16',
        // Webhook calls go to a Ready endpoint of the Service, as in the seeds' "no endpoints available".
        '--enable-aggregator-routing=true',
        '--profiling=false',
      ],
      apiLog,
      options.detached ?? false,
    );
    children.push(api);
    const caCert = readFileSync(join(dir, 'ca.crt'), 'utf8');
    await waitReady(`${url}/readyz`, caCert, api, apiLog, 'kube-apiserver');
    const admin = join(dir, 'kubeconfig');
    writeFileSync(admin, kubeconfig(url, join(dir, 'ca.crt'), ADMIN_TOKEN, 'admin'));
    const kubeletKubeconfig = join(dir, 'kubelet.kubeconfig');
    writeFileSync(kubeletKubeconfig, kubeconfig(url, join(dir, 'ca.crt'), KUBELET_TOKEN, 'kubelet'));
    mkdirSync(join(dir, 'kcm'), { recursive: true });
    children.push(
      start(
        join(bins, 'kube-controller-manager'),
        [
          '--kubeconfig',
          admin,
          '--authentication-kubeconfig',
          admin,
          '--authorization-kubeconfig',
          admin,
          '--bind-address',
          '127.0.0.1',
          '--secure-port',
          String(kcmPort),
          '--cert-dir',
          join(dir, 'kcm'),
          '--service-account-private-key-file',
          join(dir, 'sa.key'),
          '--root-ca-file',
          join(dir, 'ca.crt'),
          // What the scenarios need: service accounts, namespaces, Deployments → ReplicaSets → Pods, EndpointSlices.
          '--controllers',
          [
            'serviceaccount-controller',
            'serviceaccount-token-controller',
            'root-ca-certificate-publisher-controller',
            'namespace-controller',
            'deployment-controller',
            'replicaset-controller',
            'endpointslice-controller',
            'endpoints-controller',
            'garbage-collector-controller',
          ].join(','),
          '--leader-elect=false',
        ],
        join(dir, 'kube-controller-manager.log'),
        options.detached ?? false,
      ),
    );
    // Its own serving certificate is self-signed; /healthz needs no credentials.
    const kcm = children[children.length - 1];
    await waitReady(
      `https://127.0.0.1:${kcmPort}/healthz`,
      undefined,
      kcm,
      join(dir, 'kube-controller-manager.log'),
      'kube-controller-manager',
    );
    return {
      dir,
      url,
      kubeconfig: admin,
      kubeletKubeconfig,
      caCert,
      caKeyFile: join(dir, 'ca.key'),
      caCertFile: join(dir, 'ca.crt'),
      pids: children.map((c) => c.pid!).filter(Boolean),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** killGroup signals a process group, ignoring one that is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
