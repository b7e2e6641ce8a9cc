// Every chart in ../shared/corpus: the stream invariants, identity, and the seed scenarios fixed.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Model } from '../../src/model/model.js';
import { podLabels } from '../../src/model/types.js';
import { bareNamespaceLabels, mapSelectorMatches, POD_CREATE, ruleMatches, selectorMatches } from '../../src/model/selectors.js';
import { deepEqual } from '../../src/yaml/document.js';
import { splitStream } from '../../src/yaml/stream.js';
import { config, CORPUS, corpusFiles, run, needsCorpus } from '../support/helpers.js';

const ADDED = /^---\r?\n# Added by webhook-guard \((webhook-replicas|label-namespaces)\)\r?\n/;
const allOff = config([]);
const outputs = new Map<string, string>();

function output(name: string): string {
  if (!outputs.has(name)) outputs.set(name, run(readFileSync(join(CORPUS, name), 'utf8')).output);
  return outputs.get(name)!;
}

const invariants = suite('corpus: stream invariants');
const files = corpusFiles('corpus', invariants);
for (const file of files) {
  const name = basename(file);
  invariants(name, () => {
    const input = readFileSync(file, 'utf8');
    assert.ok(run(input, allOff).output === input, 'all transforms disabled: output must be byte-identical');
    const result = run(input);
    outputs.set(name, result.output);
    const inSegs = splitStream(input).map((s) => s.text);
    const outSegs = splitStream(result.output).map((s) => s.text);
    const kept = outSegs.filter((t) => !ADDED.test(t));
    const added = outSegs.filter((t) => ADDED.test(t));
    assert.is(kept.length, inSegs.length, 'every input document comes out, and only PDBs/Namespaces are added');
    assert.is(added.length, result.changes.filter((c) => c.document === -1).length);
    for (const t of added) assert.match(t, /\nkind: (PodDisruptionBudget|Namespace)\n/);
    const edited = new Set(result.changes.filter((c) => c.document >= 0).map((c) => c.document));
    // The writer compares only the documents a change names: transforms edit through their context alone.
    for (const doc of result.model.docs)
      if (doc.working !== undefined && !doc.addedBy && !edited.has(doc.segment.index))
        assert.ok(deepEqual(doc.working, doc.original), `document ${doc.segment.index + 1} was edited without a change`);
    kept.forEach((t, i) => {
      if (!edited.has(i)) assert.ok(t === inSegs[i], `document ${i + 1} is unchanged and must be byte-identical`);
      else assert.ok(t !== inSegs[i], `document ${i + 1} was reported as edited`);
    });
    assert.ok(run(result.output).output === result.output, 'a second pass changes nothing');
  });
}
invariants.run();

const seeds = suite('corpus: seed scenarios');

function model(text: string): Model {
  return Model.read(splitStream(text));
}

needsCorpus(
  seeds,
  'kruise-1.5.2-seed: no Fail webhook intercepts Pod CREATE in a bare kruise-system; controller has 2 replicas and a PDB',
  ['kruise-1.5.2-seed.yaml'],
  () => {
    const before = model(readFileSync(join(CORPUS, 'kruise-1.5.2-seed.yaml'), 'utf8'));
    const after = model(output('kruise-1.5.2-seed.yaml'));
    const intercepting = (m: Model): string[] =>
      m
        .webhooks()
        .filter((w) => w.failurePolicy === 'Fail' && (w.entry.rules ?? []).some((r: never) => ruleMatches(r, POD_CREATE)))
        .filter((w) => selectorMatches(w.entry.namespaceSelector, bareNamespaceLabels('kruise-system')))
        .map((w) => w.name);
    assert.equal(intercepting(before), ['mpod.kb.io'], 'the seed reproduces the deadlock');
    assert.equal(intercepting(after), []);
    const deploy = after.ofKind('Deployment').find((d) => d.name === 'kruise-controller-manager')!;
    assert.is(deploy.obj.spec.replicas, 2);
    assert.is(after.pdbsFor(deploy).length, 1);
  },
);

needsCorpus(
  seeds,
  'lws-0.6.1 next to kueue-0.11.4: lws-webhook-service selects the LWS pods and not the Kueue pods',
  ['lws-0.6.1-in-kueue-system.yaml', 'kueue-0.11.4.yaml'],
  () => {
    const kueue = model(readFileSync(join(CORPUS, 'kueue-0.11.4.yaml'), 'utf8'))
      .ofKind('Deployment')
      .find((d) => d.name === 'kueue-controller-manager')!;
    const check = (text: string): [boolean, boolean] => {
      const m = model(text);
      const svc = m.ofKind('Service').find((s) => s.name === 'lws-webhook-service')!;
      const lws = m.ofKind('Deployment').find((d) => d.name === 'lws-controller-manager')!;
      return [
        mapSelectorMatches(svc.obj.spec.selector, podLabels(lws)),
        mapSelectorMatches(svc.obj.spec.selector, podLabels(kueue)),
      ];
    };
    assert.equal(
      check(readFileSync(join(CORPUS, 'lws-0.6.1-in-kueue-system.yaml'), 'utf8')),
      [true, true],
      'the seed reproduces the overlap',
    );
    assert.equal(check(output('lws-0.6.1-in-kueue-system.yaml')), [true, false]);
  },
);

needsCorpus(seeds, 'capsule-0.12.4: the webhook backend has 2 replicas and a PDB', ['capsule-0.12.4.yaml'], () => {
  const m = model(output('capsule-0.12.4.yaml'));
  const backends = new Set(
    m
      .webhooks()
      .filter((w) => w.failurePolicy === 'Fail')
      .flatMap((w) => m.backendsOf(w)),
  );
  assert.equal(
    [...backends].map((b) => b.name),
    ['capsule-controller-manager'],
  );
  for (const b of backends) {
    assert.is(b.obj.spec.replicas, 2);
    assert.is(m.pdbsFor(b).length, 1);
  }
});

needsCorpus(
  seeds,
  'kops pod-identity-webhook: no longer intercepts pods in kube-system',
  ['kops-eks-pod-identity-webhook-addon.yaml'],
  () => {
    const intercepts = (text: string): boolean =>
      model(text)
        .webhooks()
        .some(
          (w) =>
            (w.entry.rules ?? []).some((r: never) => ruleMatches(r, POD_CREATE)) &&
            selectorMatches(w.entry.namespaceSelector, bareNamespaceLabels('kube-system')),
        );
    assert.ok(
      intercepts(readFileSync(join(CORPUS, 'kops-eks-pod-identity-webhook-addon.yaml'), 'utf8')),
      'the seed intercepts kube-system',
    );
    assert.not.ok(intercepts(output('kops-eks-pod-identity-webhook-addon.yaml')));
  },
);
seeds.run();
