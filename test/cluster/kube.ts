// What the cluster tests do to a real API server: kubectl calls, documents picked from a render, a test CA injected.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { sniffKind, splitStream } from '../../src/yaml/stream.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { DUMP } from '../../src/cli/inputs.js';
import { cli, CORPUS, ROOT } from '../support/helpers.js';
import { startCluster, type Cluster } from './harness.js';

/** KUBECTL is the real kubectl v1.35 the host tests extract (scripts/setup-hosts.mjs). */
export const KUBECTL = join(ROOT, '.cache', 'bin', 'v35', 'kubectl');

/** Run is what a kubectl call gave. */
export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** kubectl runs the real kubectl against the cluster as the admin, or as `as` (impersonation) or the kubelet. */
export function kubectl(cluster: Cluster, args: string[], opts: { input?: string; kubelet?: boolean } = {}): Run {
  const r = spawnSync(KUBECTL, args, {
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { PATH: process.env.PATH, HOME: cluster.dir, KUBECONFIG: opts.kubelet ? cluster.kubeletKubeconfig : cluster.kubeconfig },
  });
  // Run directly (not through npm test), the suite may not have the extracted kubectl yet: say so, not "null".
  if (r.error) throw new Error(`${KUBECTL}: ${r.error.message}; npm run setup-hosts extracts it`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * dump runs the dump command the help texts and the README give users, as they would paste it into a shell (kubectl
 * on PATH, the admin's kubeconfig), in the cluster's directory; it returns the dump file.
 */
export function dump(c: Cluster): string {
  const r = spawnSync('sh', ['-c', DUMP], {
    cwd: c.dir,
    encoding: 'utf8',
    env: { PATH: `${dirname(KUBECTL)}:${process.env.PATH}`, HOME: c.dir, KUBECONFIG: c.kubeconfig },
  });
  if (r.status !== 0) throw new Error(`the dump command exited ${r.status}: ${r.stderr}`);
  return join(c.dir, 'dump.yaml');
}

/** sh runs a script the way a person would: kubectl on PATH, the admin's kubeconfig. */
export function sh(c: Cluster, file: string): { status: number; out: string } {
  const r = spawnSync('sh', [file], {
    encoding: 'utf8',
    env: { PATH: `${dirname(KUBECTL)}:${process.env.PATH}`, HOME: c.dir, KUBECONFIG: c.kubeconfig },
  });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/**
 * unblock runs webhook-guard unblock over a fresh dump of the cluster; its script goes to `name`.sh and its undo to
 * `name`-restore.sh in the cluster's directory.
 */
export function unblock(c: Cluster, args: string[], name = 'unblock'): { script: string; restore: string; stdout: string } {
  const restore = join(c.dir, name === 'unblock' ? 'restore.sh' : `${name}-restore.sh`);
  const r = cli(['unblock', ...args, '--restore', restore, dump(c)]);
  if (r.status !== 0) throw new Error(`webhook-guard unblock ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const script = join(c.dir, `${name}.sh`);
  writeFileSync(script, r.stdout);
  return { script, restore, stdout: r.stdout };
}

/** ok runs kubectl and throws with its stderr unless it succeeds. */
export function ok(cluster: Cluster, args: string[], opts: { input?: string; kubelet?: boolean } = {}): string {
  const r = kubectl(cluster, args, opts);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** pick keeps the documents of a stream whose kind is one of `kinds`, as raw text joined into a stream. */
export function pick(stream: string, kinds: string[]): string {
  return splitStream(stream)
    .filter((s) => kinds.includes(sniffKind(s.text) ?? ''))
    .map((s) => (s.text.startsWith('---') ? s.text : `---\n${s.text}`))
    .join('\n');
}

/** objects reads the documents of a stream whose kind is one of `kinds` (only documents the yaml package reads). */
export function objects(stream: string, kinds: string[]): Array<Record<string, any>> {
  return parseAllDocuments(pick(stream, kinds), { version: '1.1' })
    .map((d) => d.toJS())
    .filter((o) => o && kinds.includes(o.kind));
}

/**
 * withCaBundle sets caBundle on every webhook of the webhook configurations of a stream, as cert-manager or an
 * operator would after install, and returns them as one JSON List: input and output get the same CA this way.
 */
export function webhookConfigurations(stream: string, caPem: string): string {
  const caBundle = Buffer.from(caPem).toString('base64');
  const items = objects(stream, ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']).map((o) => {
    for (const w of o.webhooks ?? []) if (w.clientConfig) w.clientConfig.caBundle = caBundle;
    return o;
  });
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** podOf is the Pod a workload's controller would create from its template, in its namespace. */
export function podOf(workload: Record<string, any>, namespace: string): Record<string, any> {
  const template = workload.spec?.template ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: `${workload.metadata.name}-`, namespace, labels: template.metadata?.labels ?? {} },
    spec: template.spec ?? {},
  };
}

/** waitFor polls `check` until it returns a value (not undefined), for at most `ms`; throws naming `what`. */
export async function waitFor<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** ready waits until the controllers run: the default ServiceAccount exists in `default` (and in `namespaces`). */
export async function ready(c: Cluster, namespaces: string[] = []): Promise<void> {
  for (const ns of ['default', ...namespaces]) {
    await waitFor(`the default ServiceAccount in ${ns}`, () =>
      kubectl(c, ['get', 'serviceaccount', 'default', '-n', ns, '-o', 'name']).status === 0 ? true : undefined,
    );
  }
}

/** createTenantNamespace creates a namespace as a Capsule tenant owner: Capsule's namespace webhook must see it. */
export function createTenantNamespace(c: Cluster): Run {
  const owner = ['--as', 'alice', '--as-group', 'projectcapsule.dev', '--as-group', 'system:masters'];
  return kubectl(c, ['create', 'namespace', 'tenant-a', ...owner]);
}

/** NODE is a Node object as a kubelet registers it. */
export const NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
};

/** readyStatus is the status a kubelet reports for a pod that runs and is Ready at `ip`. */
export function readyStatus(ip: string): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const conditions = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
    type,
    status: 'True',
    lastTransitionTime: now,
  }));
  return { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '127.0.0.1', startTime: now, conditions } };
}

/** readyPatch is the kubectl command that reports a pod (`pod/NAME` or NAME) Ready at `ip`, as its kubelet would. */
export function readyPatch(pod: string, namespace: string, ip: string): string[] {
  return [
    'patch',
    pod.includes('/') ? pod : `pod/${pod}`,
    '-n',
    namespace,
    '--subresource',
    'status',
    '--type',
    'merge',
    '-p',
    JSON.stringify(readyStatus(ip)),
  ];
}

/**
 * runPod plays the kubelet for one pod: creates it bound to node-1 and reports it Running and Ready at `ip`
 * through the status subresource, so the endpoint controllers route its Service's traffic there.
 */
export function runPod(c: Cluster, pod: Record<string, any>, ip: string): string {
  const name = ok(c, ['create', '-f', '-', '-o', 'name'], {
    input: JSON.stringify({ ...pod, spec: { ...pod.spec, nodeName: 'node-1' } }),
  }).trim();
  ok(c, readyPatch(name, pod.metadata.namespace, ip));
  return name;
}

/** readyEndpoints lists the ready addresses of a Service, from its EndpointSlices. */
export function readyEndpoints(c: Cluster, namespace: string, service: string): string[] {
  const r = kubectl(c, ['get', 'endpointslices', '-n', namespace, '-l', `kubernetes.io/service-name=${service}`, '-o', 'json']);
  if (r.status !== 0) return [];
  return JSON.parse(r.stdout).items.flatMap((s: any) =>
    (s.endpoints ?? []).filter((e: any) => e.conditions?.ready !== false).flatMap((e: any) => e.addresses ?? []),
  );
}

/** render is a corpus file as the chart renders it (`input`) or as webhook-guard writes it (`output`). */
export function render(file: string, variant: 'input' | 'output', args: string[] = []): string {
  const input = readFileSync(join(CORPUS, file), 'utf8');
  return variant === 'input' ? input : harden(input, args);
}

/** harden runs the built webhook-guard over a stream with the default configuration. */
export function harden(stream: string, args: string[] = []): string {
  const r = cli(args, stream);
  if (r.status !== 0) throw new Error(`webhook-guard ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** withCluster runs `fn` against a fresh control plane and always stops it. */
export async function withCluster<T>(fn: (c: Cluster) => T | Promise<T>): Promise<T> {
  const cluster = await startCluster();
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

/** install applies a render's CRDs, Services and webhook configurations (with the test CA), and nothing that runs. */
export function install(c: Cluster, stream: string): void {
  const crds = pick(stream, ['CustomResourceDefinition']);
  if (crds) ok(c, ['apply', '--server-side', '-f', '-'], { input: crds });
  const services = pick(stream, ['Service', 'ServiceAccount']);
  if (services) ok(c, ['apply', '--server-side', '-f', '-'], { input: services });
  ok(c, ['apply', '--server-side', '-f', '-'], { input: webhookConfigurations(stream, c.caCert) });
}

/** kubectlAsync is kubectl without blocking this process, for loops that run side by side. */
export function kubectlAsync(c: Cluster, args: string[], opts: { input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(KUBECTL, args, { env: { PATH: process.env.PATH, HOME: c.dir, KUBECONFIG: c.kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
