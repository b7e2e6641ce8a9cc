// Reports: a reviewer sees every change; only Secret content is hidden.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonReport, redact, textReport } from '../../src/pipeline/report.js';
import type { Change } from '../../src/transform.js';

const change = (kind: string, path: string, before: unknown, after: unknown): Change => ({
  transform: 't',
  resource: `v1 ${kind} ns/x`,
  document: 0,
  path,
  before,
  after,
  why: 'because',
});

const test = suite('report: what a reviewer can review');
test('a ConfigMap change is shown as it is (Kyverno webhook selectors and conditions are not secret)', () => {
  const c = change('ConfigMap', 'data/matchConditions', undefined, '[{"name":"webhook-guard-skip-nodes"}]');
  assert.equal(redact(c), c);
  assert.is(
    textReport([c], []),
    '~ t: v1 ConfigMap ns/x (document 1): data/matchConditions\n' +
      '    (absent) -> "[{\\"name\\":\\"webhook-guard-skip-nodes\\"}]"\n' +
      '    why: because\n',
  );
});
test('Secret data is redacted in edits and in added objects', () => {
  assert.equal(redact(change('Secret', 'data/tls.crt', 'old', 'new')), {
    ...change('Secret', 'data/tls.crt', '(redacted)', '(redacted)'),
  });
  const added: Change = { ...change('Secret', '', undefined, { kind: 'Secret', data: { k: 'v' } }), document: -1 };
  assert.equal(JSON.parse(jsonReport([added], [], '0')).changes[0].after, { kind: 'Secret', data: { k: '(redacted)' } });
});
test.run();
