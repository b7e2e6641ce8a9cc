// What the cluster tests do to a real API server: kubectl calls, documents picked from a render, a test CA injected.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { sniffKind, splitStream } from '../../src/yaml/stream.js';
import { ROOT } from '../support/helpers.js';
import type { Cluster } from './harness.js';

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
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
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
