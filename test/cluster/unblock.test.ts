// `unblock` on a real API server: the seed outage happens, the printed script runs for real and lets the request
// through, and the restore script brings the webhook configuration back exactly.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { withCapsuleNodeWebhook } from '../support/fixtures.js';
import { CORPUS, gatedSuite, needsCorpus } from '../support/helpers.js';
import { captured } from './captured.js';
import { missingControlPlane } from './harness.js';
import {
  createTenantNamespace,
  install,
  kubectl,
  NODE,
  ok,
  objects,
  pick,
  podOf,
  ready,
  render,
  sh,
  unblock,
  waitFor,
  withCluster,
} from './kube.js';

const test = gatedSuite('cluster: unblock, run for real', missingControlPlane());

needsCorpus(
  test,
  'OpenKruise 1.5.2 in a pre-created namespace: the pasted error gives the label the chart expects; the pod goes in',
  ['kruise-1.5.2-seed.yaml'],
  async () => {
    const stream = render('kruise-1.5.2-seed.yaml', 'input');
    await withCluster(async (c) => {
      ok(c, ['create', 'namespace', 'kruise-system']);
      await ready(c, ['kruise-system']);
      install(c, stream);
      ok(c, ['apply', '--server-side', '-f', '-'], { input: pick(stream, ['Deployment']) });
      const manager = objects(stream, ['Deployment']).find((d) => d.metadata.name === 'kruise-controller-manager')!;
      const create = () =>
        kubectl(c, ['create', '--as', 'system:serviceaccount:kube-system:replicaset-controller', '-f', '-', '-o', 'name'], {
          input: JSON.stringify(podOf(manager, 'kruise-system')),
        });
      const before = create();
      assert.is.not(before.status, 0, 'the seed outage must happen first');
      const { script, stdout } = unblock(c, ['--error', before.stderr.trim()]);
      const run = sh(c, script);
      assert.is(run.status, 0, run.out);
      const after = create();
      assert.is(after.status, 0, `still blocked after the script: ${after.stderr}`);
      const session = [
        '$ kubectl create -f controller-pod.json -o name',
        before.stderr.trim(),
        '$ webhook-guard unblock --error "$(the error above)" --restore restore.sh dump.yaml > unblock.sh',
        '$ cat unblock.sh',
        stdout.trimEnd(),
        '$ sh unblock.sh',
        run.out.trimEnd(),
        '$ kubectl create -f controller-pod.json -o name',
        after.stdout.trim(),
      ].join('\n');
      captured('openkruise-precreated-namespace', 'unblock', session);
      captured('', 'unblock-openkruise', session);
    });
  },
);

needsCorpus(
  test,
  "kops pod-identity-webhook: a kubelet's mirror pod; the patch lets it in, the restore brings the webhook back exactly",
  ['kops-eks-pod-identity-webhook-addon.yaml'],
  async () => {
    const stream = render('kops-eks-pod-identity-webhook-addon.yaml', 'input');
    await withCluster(async (c) => {
      await ready(c, ['kube-system']);
      install(c, stream);
      ok(c, ['create', '-f', '-'], { input: JSON.stringify(NODE) });
      const uid = JSON.parse(ok(c, ['get', 'node', 'node-1', '-o', 'json'])).metadata.uid;
      // A kubelet may create only mirror pods of its own node (NodeRestriction): owned by the Node, bound to it.
      const mirror = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'etcd-manager-main-node-1',
          namespace: 'kube-system',
          annotations: { 'kubernetes.io/config.mirror': 'f00d', 'kubernetes.io/config.source': 'file' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid, controller: true }],
        },
        spec: { nodeName: 'node-1', containers: [{ name: 'etcd-manager', image: 'registry.k8s.io/etcd-manager:v3' }] },
      };
      const manifest = join(c.dir, 'mirror-pod.json');
      writeFileSync(manifest, JSON.stringify(mirror));
      const create = () => kubectl(c, ['create', '-f', manifest, '-o', 'name'], { kubelet: true });
      const blocked = create();
      assert.is.not(blocked.status, 0, 'the seed outage must happen first');
      const webhooks = () =>
        JSON.stringify(JSON.parse(ok(c, ['get', 'mutatingwebhookconfiguration', 'pod-identity-webhook', '-o', 'json'])).webhooks);
      const original = webhooks();
      const args = ['--for', manifest, '--as', 'system:node:node-1', '--as-group', 'system:nodes'];
      const { script, restore, stdout } = unblock(c, args);
      const run = sh(c, script);
      assert.is(run.status, 0, run.out);
      const admitted = create();
      assert.is(admitted.status, 0, `the mirror pod is admitted once the webhook fails open: ${admitted.stderr}`);
      assert.is.not(webhooks(), original, 'the script changed the webhook');
      const undo = sh(c, restore);
      assert.is(undo.status, 0, undo.out);
      assert.is(webhooks(), original, 'the restore brings the webhooks back as they were, byte for byte in kubectl get -o json');
      // Run twice, the script refuses: its guard tests the policy it expects.
      const again = sh(c, restore);
      assert.is.not(again.status, 0, 'a second restore must be refused by its test op');
      assert.match(again.out, /The request is invalid/, again.out);
      assert.is(webhooks(), original);
      const local = (text: string) => text.replaceAll(`${c.dir}/`, '');
      const session = [
        '$ kubectl create -f mirror-pod.json -o name --kubeconfig kubelet.kubeconfig',
        local(blocked.stderr.trim()),
        '$ webhook-guard unblock --for mirror-pod.json --as system:node:node-1 --as-group system:nodes \\',
        '    --restore restore.sh dump.yaml > unblock.sh',
        '$ cat unblock.sh',
        local(stdout).trimEnd(),
        '$ sh unblock.sh',
        run.out.trimEnd(),
        '$ kubectl create -f mirror-pod.json -o name --kubeconfig kubelet.kubeconfig',
        admitted.stdout.trim(),
        '$ sh restore.sh    # once the backend answers again',
        undo.out.trimEnd(),
      ].join('\n');
      captured('kops-pod-identity-webhook', 'unblock', session);
      captured('', 'unblock-kops', session);
    });
  },
);

needsCorpus(
  test,
  'Capsule 0.12.4 with its node webhook, cold start: the plan fails the node webhook open only; the kubelet gets through, ' +
    'the tenant webhook still answers for itself, and the restore brings the webhooks back exactly',
  ['capsule-0.12.4.yaml'],
  async () => {
    const stream = withCapsuleNodeWebhook(readFileSync(join(CORPUS, 'capsule-0.12.4.yaml'), 'utf8')).text;
    await withCluster(async (c) => {
      await ready(c);
      ok(c, ['create', 'namespace', 'capsule-system']);
      install(c, stream);
      // The Deployment is in the dump, as on a real cluster: its pods never run (no node is Ready, no kubelet here).
      ok(c, ['apply', '--server-side', '-f', '-'], { input: pick(stream, ['Deployment']) });
      ok(c, ['create', '-f', '-'], { input: JSON.stringify(NODE) });
      const kubelet = () => kubectl(c, ['label', 'node', 'node-1', '--overwrite', 'example.com/ready=true'], { kubelet: true });
      const tenant = () => createTenantNamespace(c);
      const blocked = kubelet();
      assert.is.not(blocked.status, 0, 'the seed outage must happen first');
      assert.match(blocked.stderr, 'failed calling webhook "nodes.projectcapsule.dev"');
      const config = ['validatingwebhookconfiguration', 'capsule-validating-webhook-configuration'];
      const webhooks = () => JSON.stringify(JSON.parse(ok(c, ['get', ...config, '-o', 'json'])).webhooks);
      const original = webhooks();
      const { script, restore } = unblock(c, ['--all']);
      const run = sh(c, script);
      assert.is(run.status, 0, run.out);
      // The API server reads webhook configurations through an informer: the patch takes effect a moment later.
      let last = '';
      await waitFor(
        `the kubelet's update to be admitted after:\n${readFileSync(script, 'utf8')}`,
        () => {
          const r = kubelet();
          last = r.stderr;
          return r.status === 0 ? true : undefined;
        },
        10_000,
      ).catch((e: Error) => assert.unreachable(`${e.message}\nlast: ${last}`));
      // Only the node webhook was changed: a tenant's namespace still goes to Capsule, which is still down.
      const other = tenant();
      assert.is.not(other.status, 0, 'the namespace webhook must be left failing closed');
      assert.match(other.stderr, 'failed calling webhook "namespaces.tenants.projectcapsule.dev"');
      const changed = (JSON.parse(webhooks()) as Array<{ name: string; failurePolicy: string }>).filter(
        (w, i) => w.failurePolicy !== (JSON.parse(original) as Array<{ failurePolicy: string }>)[i].failurePolicy,
      );
      assert.equal(
        changed.map((w) => [w.name, w.failurePolicy]),
        [['nodes.projectcapsule.dev', 'Ignore']],
      );
      const undo = sh(c, restore);
      assert.is(undo.status, 0, undo.out);
      assert.is(webhooks(), original, 'the restore brings the webhooks back as they were, byte for byte in kubectl get -o json');
      const again = kubelet();
      assert.is.not(again.status, 0, 'restored, the node webhook fails closed again while Capsule is down');
    });
  },
);

test.run();
