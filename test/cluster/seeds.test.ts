// The seed outages on a real API server: each render as it is, then as webhook-guard writes it, with the same steps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { cli, CORPUS, gatedSuite, needsCorpus } from '../support/helpers.js';
import { missingControlPlane, startCluster, type Cluster } from './harness.js';
import { kubectl, ok, objects, pick, podOf, ready, webhookConfigurations } from './kube.js';

const test = gatedSuite('cluster: the seed outages, reproduced and prevented', missingControlPlane());

/** render is a corpus file as the chart renders it (`input`) or as webhook-guard writes it (`output`). */
function render(file: string, variant: 'input' | 'output', args: string[] = []): string {
  const input = readFileSync(join(CORPUS, file), 'utf8');
  if (variant === 'input') return input;
  const r = cli(args, input);
  if (r.status !== 0) throw new Error(`webhook-guard ${args.join(' ')} < ${file} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** withCluster runs `fn` against a fresh control plane and always stops it. */
async function withCluster<T>(fn: (c: Cluster) => T | Promise<T>): Promise<T> {
  const cluster = await startCluster();
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

/** install applies a render's CRDs, Services and webhook configurations (with the test CA), and nothing that runs. */
function install(c: Cluster, stream: string): void {
  const crds = pick(stream, ['CustomResourceDefinition']);
  if (crds) ok(c, ['apply', '--server-side', '-f', '-'], { input: crds });
  const services = pick(stream, ['Service', 'ServiceAccount']);
  if (services) ok(c, ['apply', '--server-side', '-f', '-'], { input: services });
  ok(c, ['apply', '--server-side', '-f', '-'], { input: webhookConfigurations(stream, c.caCert) });
}

/** createPod creates a Pod as the replicaset controller would, and returns kubectl's answer. */
function createPod(c: Cluster, pod: Record<string, any>) {
  return kubectl(c, ['create', '--as', 'system:serviceaccount:kube-system:replicaset-controller', '-f', '-', '-o', 'name'], {
    input: JSON.stringify(pod),
  });
}

needsCorpus(
  test,
  'OpenKruise 1.5.2 in a pre-created kruise-system: its controller Pod is rejected, then admitted',
  ['kruise-1.5.2-seed.yaml'],
  async () => {
    for (const variant of ['input', 'output'] as const) {
      const stream = render('kruise-1.5.2-seed.yaml', variant);
      await withCluster(async (c) => {
        ok(c, ['create', 'namespace', 'kruise-system']);
        await ready(c, ['kruise-system']);
        install(c, stream);
        const manager = objects(stream, ['Deployment']).find((d) => d.metadata.name === 'kruise-controller-manager')!;
        const created = createPod(c, podOf(manager, 'kruise-system'));
        // Elsewhere under the default ServiceAccount, which every namespace has.
        const other = podOf(manager, 'default');
        delete other.spec.serviceAccountName;
        const elsewhere = createPod(c, other);
        if (variant === 'input') {
          assert.is.not(created.status, 0, 'the input lets the controller pod in');
          assert.match(created.stderr, 'failed calling webhook "mpod.kb.io"');
          assert.match(created.stderr, 'no endpoints available for service "kruise-webhook-service"');
        } else {
          assert.is(created.status, 0, `the output still blocks the controller pod: ${created.stderr}`);
          assert.is.not(elsewhere.status, 0, 'pods in other namespaces must still go to the webhook');
          assert.match(elsewhere.stderr, 'failed calling webhook "mpod.kb.io"');
        }
        console.log(`    ${variant}: ${(created.status === 0 ? created.stdout : created.stderr).trim()}`);
      });
    }
  },
);

test.run();
