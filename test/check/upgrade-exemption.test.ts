// check on a live dump and a new render together: the namespace labels the new webhooks rely on that the live
// namespaces lack (OpenKruise's advice to re-check labels on every upgrade).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkInputs } from '../../src/check/run.js';
import { CORPUS, lines, needsCorpus } from '../support/helpers.js';

const test = suite('check: a live dump beside the next render');

// What `kubectl get namespaces -o yaml` gives for a pre-created kruise-system: the name label only.
const DUMP = lines(
  'apiVersion: v1',
  'kind: List',
  'items:',
  '- apiVersion: v1',
  '  kind: Namespace',
  '  metadata:',
  '    name: kruise-system',
  '    labels: {kubernetes.io/metadata.name: kruise-system}',
  '  status: {phase: Active}',
);

needsCorpus(
  test,
  'the live kruise-system lacks the control-plane label the new webhooks exempt it by',
  ['kruise-1.5.2-seed.yaml'],
  () => {
    const render = readFileSync(join(CORPUS, 'kruise-1.5.2-seed.yaml'), 'utf8');
    const result = checkInputs([
      { source: 'dump.yaml', text: DUMP },
      { source: 'render.yaml', text: render },
    ]);
    const found = result.findings.filter((f) => f.id === 'exemption-absent');
    assert.equal(
      found.map((f) => `${f.location.source}:${f.location.line} ${f.field}`),
      [
        'render.yaml:6592 webhooks[mpod.kb.io]/namespaceSelector/matchExpressions/0',
        'render.yaml:7012 webhooks[vpod.kb.io]/namespaceSelector/matchExpressions/0',
        'render.yaml:7043 webhooks[vpodeviction.kb.io]/namespaceSelector/matchExpressions/0',
      ],
    );
    assert.is(
      found[0].message,
      'mutating webhook mpod.kb.io (failurePolicy Fail) exempts namespaces labelled control-plane=openkruise, which is how ' +
        'it would skip its own namespace kruise-system; but the Namespace kruise-system in the input (dump.yaml) does not ' +
        'carry that label.',
    );
    // Labelled in the live cluster: nothing to report.
    const labelled = DUMP.replace(
      '{kubernetes.io/metadata.name: kruise-system}',
      '{kubernetes.io/metadata.name: kruise-system, control-plane: openkruise}',
    );
    const ok = checkInputs([
      { source: 'dump.yaml', text: labelled },
      { source: 'render.yaml', text: render },
    ]);
    assert.equal(
      ok.findings.filter((f) => f.id === 'exemption-absent'),
      [],
    );
  },
);

test.run();
