// The admission graph on real charts: webhooks collapsed per configuration, deadlock edges marked, what the cluster
// needs drawn where a Fail webhook intercepts it; every example and seed rendered by the real Graphviz.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dot, mermaid } from '../../src/check/graph.js';
import { checkInputs } from '../../src/check/run.js';
import { CI, CORPUS, debianTool, needsCorpus, ROOT } from '../support/helpers.js';

const test = suite('check: graphs');

needsCorpus(
  test,
  'OpenKruise 1.5.2 seed: 34 webhooks on one Service become three nodes; the deadlock edge is red',
  ['kruise-1.5.2-seed.yaml'],
  () => {
    const text = readFileSync(join(CORPUS, 'kruise-1.5.2-seed.yaml'), 'utf8');
    const graph = dot(checkInputs([{ source: 'k.yaml', text }]).admission);
    const nodes = [...graph.matchAll(/^ {2}(\w+) \[label="([^"]*)"/gm)].map((m) => m[2]);
    assert.equal(nodes, [
      'Mutating kruise-mutating-webhook-configuration\\n12 webhooks, all Fail',
      'Service kruise-system/kruise-webhook-service',
      'Deployment kruise-system/kruise-controller-manager',
      'Validating kruise-validating-webhook-configuration\\n22 webhooks, all Fail',
      'CRD conversion (1 CRD)\\nstatefulsets.apps.kruise.io, all Fail',
      'DaemonSet kruise-system/kruise-daemon',
    ]);
    const red = graph.split('\n').filter((l) => l.includes('color="#dd0000"'));
    assert.equal(red.length, 1);
    assert.match(red[0], 'label="mpod.kb.io intercepts pods of"');
  },
);

needsCorpus(
  test,
  "OpenKruise 1.5.2 seed: the nodes findings are about carry their rules and the most severe one's fill",
  ['kruise-1.5.2-seed.yaml'],
  () => {
    const text = readFileSync(join(CORPUS, 'kruise-1.5.2-seed.yaml'), 'utf8');
    const result = checkInputs([{ source: 'k.yaml', text }]);
    const graph = dot(result.admission, result.findings);
    assert.equal(
      graph.split('\n').filter((l) => l.includes('fillcolor')),
      [
        '  w1 [label="Mutating kruise-mutating-webhook-configuration\\n12 webhooks, all Fail\\nerror: self-deadlock\\n' +
          'warning: exemption-absent\\ninfo: label-exemption", shape=hexagon, style=filled, color="#bb0000", ' +
          'fillcolor="#f6cccc"];',
        '  p0 [label="Deployment kruise-system/kruise-controller-manager\\nerror: single-point-of-failure", shape=box, ' +
          'style="rounded,filled", fillcolor="#f6cccc"];',
        '  w3 [label="Validating kruise-validating-webhook-configuration\\n22 webhooks, all Fail\\nwarning: ' +
          'exemption-absent, label-exemption", shape=hexagon, style=filled, color="#bb0000", fillcolor="#fbe8b4"];',
      ],
    );
    const chart = mermaid(result.admission, result.findings);
    assert.equal(chart.split('\n').slice(-5, -1), [
      '  classDef error fill:#f6cccc',
      '  class w1,p0 error',
      '  classDef warning fill:#fbe8b4',
      '  class w3 warning',
    ]);
  },
);

const inputs = [
  ...readdirSync(join(ROOT, 'examples'))
    .map((e) => join(ROOT, 'examples', e, 'input.yaml'))
    .filter((f) => {
      try {
        readFileSync(f);
        return true;
      } catch {
        return false;
      }
    }),
];
if (debianTool('dot', ['-V'], 'graphviz'))
  test('every example draws with the real Graphviz (dot -Tsvg), without a warning', () => {
    for (const f of inputs) {
      const result = checkInputs([{ source: f, text: readFileSync(f, 'utf8') }]);
      const graph = dot(result.admission, result.findings);
      const r = spawnSync('dot', ['-Tsvg'], { input: graph, encoding: 'utf8' });
      assert.is(r.status, 0, `${f}: ${r.stderr}`);
      assert.is(r.stderr, '', `${f}: Graphviz warned`);
      assert.match(r.stdout, /<svg /);
    }
  });
else test.skip(`every example draws with the real Graphviz (no dot, and none installable${CI ? ' in CI' : ''})`, () => {});

test.run();
