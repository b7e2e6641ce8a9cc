// Suppression as kube-linter and Polaris users expect: annotations on the resource, rules switched off in the config
// or by flag, counted in the summary, still listed (marked) in JSON, SARIF and JUnit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sarifValidator, timeoutHook } from '../support/sarif.js';
import { checkInputs } from '../../src/check/run.js';
import { junitReport, sarifReport } from '../../src/check/report.js';
import { cli, lines } from '../support/helpers.js';

const test = suite('check: suppression');
const dir = mkdtempSync(join(tmpdir(), 'wg-suppress-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// Two Ignore webhooks with long timeouts: two `timeout` warnings on one configuration, annotated as given.
const widgets = (annotations: string[] = []): string =>
  lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata:',
    '  name: widgets',
    ...(annotations.length ? ['  annotations:', ...annotations.map((a) => `    ${a}`)] : []),
    'webhooks:',
    ...['a', 'b'].flatMap((n) => timeoutHook(`${n}.example.com`)),
  );

const count = (text: string, options = {}) => {
  const r = checkInputs([{ source: 'w.yaml', text }], options);
  return [r.findings.length, r.suppressed.map((f) => `${f.id} ${f.suppressed!.kind}: ${f.suppressed!.justification}`)];
};

test('annotations: a list with a reason, one key per rule, a star; other rules still count', () => {
  assert.equal(count(widgets()), [2, []]);
  assert.equal(count(widgets(['webhook-guard.dev/ignore: "timeout: the vendor needs 30 s"'])), [
    0,
    ['timeout annotation: the vendor needs 30 s', 'timeout annotation: the vendor needs 30 s'],
  ]);
  assert.equal(count(widgets(['webhook-guard.dev/ignore.timeout: "tracked in OPS-12"'])), [
    0,
    ['timeout annotation: tracked in OPS-12', 'timeout annotation: tracked in OPS-12'],
  ]);
  assert.equal(count(widgets(['webhook-guard.dev/ignore: "*"'])), [
    0,
    ['timeout annotation: webhook-guard.dev/ignore: *', 'timeout annotation: webhook-guard.dev/ignore: *'],
  ]);
  assert.equal(count(widgets(['webhook-guard.dev/ignore: side-effects'])), [2, []]);
});

test('configuration: exclude, or include only some rules', () => {
  assert.equal(count(widgets(), { exclude: ['timeout'] }), [
    0,
    ['timeout configuration: in exclude', 'timeout configuration: in exclude'],
  ]);
  assert.equal(count(widgets(), { include: ['self-deadlock'] }), [
    0,
    ['timeout configuration: not in include (self-deadlock)', 'timeout configuration: not in include (self-deadlock)'],
  ]);
});

test('the CLI: --exclude and the config file; the summary counts what was suppressed; exit codes follow what counts', () => {
  const text = widgets(['webhook-guard.dev/ignore.timeout: "tracked in OPS-12"']);
  const r = cli(['check', '--fail-on', 'warning', '-'], text);
  assert.is(r.status, 0, 'suppressed warnings do not fail the run');
  assert.match(r.stdout, /webhook-guard check: no findings; 2 suppressed \(2 by annotation\)\n$/);
  assert.is(cli(['check', '--fail-on', 'warning', '-'], widgets()).status, 1);
  assert.is(cli(['check', '--fail-on', 'warning', '--exclude', 'timeout', '-'], widgets()).status, 0);
  const config = join(dir, 'guard.yaml');
  writeFileSync(
    config,
    lines(
      'apiVersion: webhookguard.dev/v1alpha1',
      'kind: WebhookGuard',
      'metadata: {name: g}',
      'spec:',
      '  check: {exclude: [timeout]}',
    ),
  );
  const viaConfig = cli(['check', '--fail-on', 'warning', '-c', config, '-'], widgets());
  assert.is(viaConfig.status, 0, viaConfig.stderr);
  assert.match(viaConfig.stdout, '; 2 suppressed (2 by configuration)');
  const typo = cli(['check', '--exclude', 'timout', '-'], widgets());
  assert.is(typo.status, 2);
  assert.match(typo.stderr, /^webhook-guard: check: no rule timout; did you mean timeout\? \(rules: self-deadlock, /);
});

test('JSON, SARIF and JUnit list suppressed findings, marked', async () => {
  const text = widgets(['webhook-guard.dev/ignore: "timeout: the vendor needs 30 s"']);
  const json = JSON.parse(cli(['check', '-o', 'json', '-'], text).stdout);
  assert.equal(json.summary, { error: 0, warning: 0, info: 0, suppressed: 2 });
  assert.equal(json.findings[0].suppressed, { kind: 'annotation', justification: 'the vendor needs 30 s' });
  const result = checkInputs([{ source: 'w.yaml', text }]);
  const sarif = JSON.parse(sarifReport(result, '0.0.0-test'));
  assert.equal(sarif.runs[0].results[0].suppressions, [{ kind: 'inSource', justification: 'the vendor needs 30 s' }]);
  // The SARIF 2.1.0 schema accepts it.
  const validate = await sarifValidator();
  assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.match(junitReport(result), '<skipped message="suppressed (annotation): the vendor needs 30 s"/>');
});

test.run();
