// Reports: a reviewer sees every change; only Secret content is hidden; the summary line says what the run did.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonReport, redact, summary, textReport } from '../../src/pipeline/report.js';
import type { Change, Note, Warning } from '../../src/transform.js';

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
test('a removed document is one line and its reason (the JSON report keeps what it held)', () => {
  const removed = { ...change('ValidatingWebhookConfiguration', '', { kind: 'ValidatingWebhookConfiguration' }, undefined) };
  assert.is(textReport([removed], []), '- t: removed v1 ValidatingWebhookConfiguration ns/x (document 1)\n    why: because\n');
  assert.equal(JSON.parse(jsonReport([removed], [], '0')).changes[0].before, { kind: 'ValidatingWebhookConfiguration' });
});
test('Secret data is redacted in edits and in added objects', () => {
  assert.equal(redact(change('Secret', 'data/tls.crt', 'old', 'new')), {
    ...change('Secret', 'data/tls.crt', '(redacted)', '(redacted)'),
  });
  const added: Change = { ...change('Secret', '', undefined, { kind: 'Secret', data: { k: 'v' } }), document: -1 };
  assert.equal(JSON.parse(jsonReport([added], [], '0')).changes[0].after, { kind: 'Secret', data: { k: '(redacted)' } });
});
test.run();

const summaries = suite('report: the summary line');
const warning: Warning = { transform: 'webhook-replicas', resource: 'apps/v1 Deployment ns/x', message: 'left as it is' };
const note = (short: string): Note => ({ transform: 'exclude-namespaces', resource: 'x', message: 'left as it is', short });
const added: Change = { ...change('PodDisruptionBudget', '', undefined, {}), document: -1 };
const cases: Record<string, { changes?: Change[]; warnings?: Warning[]; notes?: Note[]; line: string }> = {
  'nothing at all': { line: 'webhook-guard: nothing to change' },
  'nothing to change, and why': {
    notes: [note('failing open (Ignore)'), note('failing open (Ignore)'), note('already skipping the namespaces')],
    line:
      'webhook-guard: nothing to change: every webhook is already safe (exclude-namespaces: 2 webhooks failing open ' +
      '(Ignore), 1 webhook already skipping the namespaces)',
  },
  'nothing to change, with warnings (a second run over hardened output)': {
    warnings: [warning, warning],
    line: 'webhook-guard: nothing to change; 2 warnings',
  },
  'nothing to change, why, and a warning': {
    warnings: [warning],
    notes: [note('already skipping the namespaces')],
    line: 'webhook-guard: nothing to change (exclude-namespaces: 1 webhook already skipping the namespaces); 1 warning',
  },
  'a configuration removed (drop-webhooks), nothing else': {
    changes: [{ ...change('ValidatingWebhookConfiguration', '', {}, undefined), document: 2 }],
    line: 'webhook-guard: 1 resource removed (t 1)',
  },
  'a field changed, a resource added and two removed': {
    changes: [
      change('ConfigMap', 'data/x', 'a', 'b'),
      added,
      { ...change('ValidatingWebhookConfiguration', '', {}, undefined), document: 2 },
      { ...change('MutatingWebhookConfiguration', '', {}, undefined), document: 3 },
    ],
    line: 'webhook-guard: 1 field changed in 1 resource, 1 resource added, 2 resources removed (t 4)',
  },
  'changes and warnings': {
    changes: [change('ConfigMap', 'data/x', 'a', 'b'), change('Secret', 'data/y', 'a', 'b'), added],
    warnings: [warning],
    notes: [note('failing open (Ignore)')],
    line: 'webhook-guard: 2 fields changed in 2 resources, 1 resource added (t 3); 1 warning',
  },
};
for (const [name, c] of Object.entries(cases))
  summaries(name, () => {
    assert.is(summary(c.changes ?? [], c.warnings ?? [], c.notes ?? []), c.line);
  });
summaries.run();
