// The seed outages on a real API server: each render as it is, then as webhook-guard writes it, with the same steps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { CORPUS, gatedSuite, needsCorpus } from '../support/helpers.js';
import { missingControlPlane, type Cluster } from './harness.js';
import { withCapsuleNodeWebhook } from '../support/fixtures.js';
import { captured } from './captured.js';
import { createTenantNamespace, harden, install, kubectl, NODE, ok, objects, podOf, ready, render, withCluster } from './kube.js';

const test = gatedSuite('cluster: the seed outages, reproduced and prevented', missingControlPlane());

/** VARIANT says which stream a captured session ran against. */
const VARIANT = { input: 'the render as it is', output: "webhook-guard's output" } as const;

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
    const session: string[] = [];
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
        session.push(
          `# ${VARIANT[variant]}: the controller's Pod, created as its ReplicaSet would`,
          '$ kubectl create -f controller-pod.json -o name',
          (created.status === 0 ? created.stdout : created.stderr).trim(),
        );
      });
    }
    captured('openkruise-precreated-namespace', 'kruise-1.5.2', session.join('\n'));
  },
);

/** mirrorPod is the mirror Pod a kubelet creates for a static pod: bound to its node, owned by it, annotated. */
function mirrorPod(c: Cluster, namespace: string): Record<string, any> {
  const uid = JSON.parse(ok(c, ['get', 'node', 'node-1', '-o', 'json'])).metadata.uid;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'etcd-manager-main-node-1',
      namespace,
      annotations: { 'kubernetes.io/config.mirror': 'f00d', 'kubernetes.io/config.source': 'file' },
      labels: { 'k8s-app': 'etcd-manager-main' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid, controller: true }],
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'etcd-manager', image: 'registry.k8s.io/etcd-manager:v3' }] },
  };
}

needsCorpus(
  test,
  'kops pod-identity-webhook: a kubelet mirror pod in kube-system is rejected, then admitted',
  ['kops-eks-pod-identity-webhook-addon.yaml'],
  async () => {
    const file = 'kops-eks-pod-identity-webhook-addon.yaml';
    const runs = [
      { variant: 'input' as const, args: [] },
      { variant: 'output' as const, args: [] },
      // The mirror-pod condition alone (kube-system not excluded): it must let only kubelets' mirror pods through.
      { variant: 'output' as const, args: ['--disable', 'exclude-namespaces'] },
    ];
    const session: string[] = [];
    for (const { variant, args } of runs) {
      const stream = render(file, variant, args);
      await withCluster(async (c) => {
        await ready(c, ['kube-system']);
        install(c, stream);
        ok(c, ['create', '-f', '-'], { input: JSON.stringify(NODE) });
        const pod = mirrorPod(c, 'kube-system');
        const byKubelet = kubectl(c, ['create', '-f', '-', '-o', 'name'], { input: JSON.stringify(pod), kubelet: true });
        // The same pod, annotation included, from an ordinary user: not a kubelet, so not a mirror pod to skip.
        const forged = { ...pod, metadata: { ...pod.metadata, name: 'forged', ownerReferences: undefined } };
        const byUser = kubectl(c, ['create', '--as', 'alice', '--as-group', 'system:masters', '-f', '-', '-o', 'name'], {
          input: JSON.stringify({
            ...forged,
            metadata: { ...forged.metadata, namespace: args.length ? 'kube-system' : 'default' },
          }),
        });
        const label = `${variant}${args.length ? ` ${args.join(' ')}` : ''}`;
        console.log(`    ${label}: kubelet: ${(byKubelet.status === 0 ? byKubelet.stdout : byKubelet.stderr).trim()}`);
        if (!args.length)
          session.push(
            `# ${VARIANT[variant]}: the mirror pod of a static pod, created by node-1's kubelet`,
            '$ kubectl create -f mirror-pod.json -o name --kubeconfig kubelet.kubeconfig',
            (byKubelet.status === 0 ? byKubelet.stdout : byKubelet.stderr).trim(),
          );
        if (variant === 'input') {
          assert.is.not(byKubelet.status, 0, 'the input lets the mirror pod in');
          assert.match(byKubelet.stderr, 'failed calling webhook "pod-identity-webhook.amazonaws.com"');
          assert.match(byKubelet.stderr, 'no endpoints available for service "pod-identity-webhook"');
        } else {
          assert.is(byKubelet.status, 0, `the output still blocks the kubelet's mirror pod: ${byKubelet.stderr}`);
          assert.is.not(byUser.status, 0, `an ordinary user's pod must still go to the webhook (${label})`);
          assert.match(byUser.stderr, 'failed calling webhook "pod-identity-webhook.amazonaws.com"');
        }
      });
    }
    captured('kops-pod-identity-webhook', 'kops-pod-identity-webhook', session.join('\n'));
  },
);

needsCorpus(
  test,
  'Capsule 0.12.4 with its node webhook on and its one replica down: kubelet node updates rejected, then admitted',
  ['capsule-0.12.4.yaml'],
  async () => {
    const withNodes = withCapsuleNodeWebhook(readFileSync(join(CORPUS, 'capsule-0.12.4.yaml'), 'utf8')).text;
    const session: string[] = [];
    for (const variant of ['input', 'output'] as const) {
      const stream = variant === 'input' ? withNodes : harden(withNodes);
      await withCluster(async (c) => {
        await ready(c);
        ok(c, ['create', 'namespace', 'capsule-system']);
        install(c, stream);
        ok(c, ['create', '-f', '-'], { input: JSON.stringify(NODE) });
        const kubelet = kubectl(c, ['label', 'node', 'node-1', 'example.com/ready=true'], { kubelet: true });
        // A tenant owner creating a namespace: Capsule's namespace webhook must still see it.
        const tenant = createTenantNamespace(c);
        console.log(`    ${variant}: kubelet: ${(kubelet.status === 0 ? kubelet.stdout : kubelet.stderr).trim()}`);
        session.push(
          `# ${VARIANT[variant]}: node-1's kubelet updates its Node`,
          '$ kubectl label node node-1 example.com/ready=true --kubeconfig kubelet.kubeconfig',
          (kubelet.status === 0 ? kubelet.stdout : kubelet.stderr).trim(),
        );
        if (variant === 'input') {
          assert.is.not(kubelet.status, 0, 'the input lets the kubelet update its Node');
          assert.match(kubelet.stderr, 'failed calling webhook "nodes.projectcapsule.dev"');
          assert.match(kubelet.stderr, 'no endpoints available for service "capsule-webhook-service"');
        } else {
          assert.is(kubelet.status, 0, `the output still blocks the kubelet: ${kubelet.stderr}`);
        }
        assert.is.not(tenant.status, 0, `${variant}: namespace creation by a tenant must still go to Capsule's webhook`);
        assert.match(tenant.stderr, 'failed calling webhook "namespaces.tenants.projectcapsule.dev"');
      });
    }
    captured('capsule-single-replica', 'capsule-0.12.4', session.join('\n'));
  },
);

test.run();
