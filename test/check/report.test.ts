// The text report: one entry per rule and resource, each rule's why and fix once, chart text made printable.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { timeoutHook } from '../support/sarif.js';
import { checkInputs } from '../../src/check/run.js';
import { compactReport, groupFindings, junitReport, textReport } from '../../src/check/report.js';
import { dot, mermaid } from '../../src/check/graph.js';
import { cli, lines } from '../support/helpers.js';

const test = suite('check: text report');

const hook = timeoutHook;
// The configuration's name carries an escape sequence that would clear the screen.
const WIDGETS = lines(
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingWebhookConfiguration',
  'metadata: {name: "widgets\\e[2J"}',
  'webhooks:',
  ...hook('a.example.com'),
  ...hook('b.example.com'),
);
const CONFIG_MAP = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: x}');

const TABLE: Record<string, { input: string; expected: string }> = {
  'two webhooks of one configuration: one entry listing both; why and fix once, under RULES; ESC escaped': {
    input: WIDGETS,
    expected: lines(
      'webhook-guard check: 1 input (w.yaml), 2 webhooks (0 Fail), 0 pod sources',
      '',
      'WARNING (2 in 1 entry)',
      '[timeout] admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration widgets\\x1b[2J (2 findings)',
      '  at w.yaml:9:3 (document 1)',
      '  - webhooks[a.example.com]/timeoutSeconds (line 9): validating webhook a.example.com (failurePolicy Ignore) ' +
        'waits up to 30 s for its backend: while the backend hangs, every request it intercepts stalls that long before ' +
        'the failure policy applies.',
      '  - webhooks[b.example.com]/timeoutSeconds (line 16): validating webhook b.example.com (failurePolicy Ignore) ' +
        'waits up to 30 s for its backend: while the backend hangs, every request it intercepts stalls that long before ' +
        'the failure policy applies.',
      '',
      'RULES',
      "[timeout] A webhook's timeoutSeconds is above 15",
      '  why: Webhooks should answer "typically in milliseconds"; the Kubernetes documentation recommends a small timeout ' +
        '(the default is 10 s). Timeouts of several webhooks on one request add up, and the whole request fails at the ' +
        "apiserver's own deadline. (Dynamic Admission Control: Timeouts, " +
        'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#timeouts; ' +
        'Admission Webhook Good Practices: Set a small timeout value, ' +
        'https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/#small-timeout)',
      "  fix: Set timeoutSeconds to 15 or less (10, the default, or lower) in the chart's values; " +
        'no webhook-guard transform changes it.',
      '',
      'webhook-guard check: 0 errors, 2 warnings, 0 info',
    ),
  },
  'no webhook at all: said so': {
    input: CONFIG_MAP,
    expected: lines(
      'webhook-guard check: 1 input (w.yaml), 0 webhooks (0 Fail), 0 pod sources',
      '',
      'no webhooks: the input has no admission webhook, CRD conversion webhook or runtime webhook configuration',
      '',
      'webhook-guard check: no findings',
    ),
  },
};

for (const [name, c] of Object.entries(TABLE))
  test(name, () => {
    assert.fixture(textReport(checkInputs([{ source: 'w.yaml', text: c.input }]), ['w.yaml']), c.expected);
  });

test('groups: by severity, rule and resource; findings keep their order', () => {
  const groups = groupFindings(checkInputs([{ source: 'w.yaml', text: WIDGETS }]).findings);
  assert.equal(
    groups.map((g) => [g.id, g.severity, g.resourceId, g.findings.map((f) => f.field)]),
    [
      [
        'timeout',
        'warning',
        'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration widgets\x1b[2J',
        ['webhooks[a.example.com]/timeoutSeconds', 'webhooks[b.example.com]/timeoutSeconds'],
      ],
    ],
  );
});

test('--fail-on NAME,no-webhooks: an input without webhooks fails; the severity still applies', () => {
  const empty = cli(['check', '--fail-on', 'none,no-webhooks'], CONFIG_MAP);
  assert.is(empty.status, 1);
  assert.is(empty.stderr, 'webhook-guard check: no webhooks in the input (--fail-on no-webhooks)\n');
  assert.is(cli(['check', '--fail-on', 'none'], CONFIG_MAP).status, 0);
  assert.is(cli(['check', '--fail-on', 'warning,no-webhooks'], WIDGETS).status, 1, 'the timeouts are warnings');
  assert.is(cli(['check', '--fail-on', 'error,no-webhooks'], WIDGETS).status, 0);
  const bad = cli(['check', '--fail-on', 'warning,error'], WIDGETS);
  assert.is(bad.status, 2);
  assert.is(
    bad.stderr,
    'webhook-guard: check: --fail-on warning,error: expected one of error, warning, info, none, optionally with ,no-webhooks\n' +
      'Run webhook-guard check --help for usage.\n',
  );
});

test('graphs: a name with control characters is drawn escaped, never raw', () => {
  // The webhook's name sets the terminal title (OSC 0) in YAML's escapes.
  const named = lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata: {name: widgets}',
    'webhooks:',
    ...hook('"a\\e]0;x\\a.example.com"'),
  );
  const { admission } = checkInputs([{ source: 'w.yaml', text: named }]);
  // DOT doubles the backslash of the escape in its own quoting; Mermaid does not quote backslashes.
  const drawn = {
    dot: [dot(admission), 'a\\\\x1b]0;x\\\\x07.example.com'],
    mermaid: [mermaid(admission), 'a\\x1b]0;x\\x07.example.com'],
  };
  for (const [graph, name] of Object.values(drawn)) {
    assert.not.match(graph, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(graph, name);
  }
});

test('compact: one line per finding, file:line:col: severity rule: message', () => {
  assert.fixture(
    compactReport(checkInputs([{ source: 'w.yaml', text: WIDGETS }])),
    lines(
      'w.yaml:9:3: warning timeout: validating webhook a.example.com (failurePolicy Ignore) waits up to 30 s for its ' +
        'backend: while the backend hangs, every request it intercepts stalls that long before the failure policy applies.',
      'w.yaml:16:3: warning timeout: validating webhook b.example.com (failurePolicy Ignore) waits up to 30 s for its ' +
        'backend: while the backend hangs, every request it intercepts stalls that long before the failure policy applies.',
    ),
  );
});

test('junit: a suite per rule, a failing case per finding, names escaped for XML', () => {
  const result = checkInputs([{ source: 'w.yaml', text: WIDGETS }]);
  const xml = junitReport(result);
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="webhook-guard check" '));
  const cases = result.rules.length - 1 + 2;
  assert.match(xml, `<testsuites name="webhook-guard check" tests="${cases}" failures="2">`);
  assert.match(xml, '<testsuite name="timeout" tests="2" failures="2" skipped="0">');
  assert.match(
    xml,
    '<testcase classname="timeout" name="admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration widgets\\x1b[2J ' +
      'webhooks[a.example.com]/timeoutSeconds" file="w.yaml">',
  );
  assert.match(xml, '<failure type="warning" message="validating webhook a.example.com');
  assert.match(
    xml,
    `<testcase classname="self-deadlock" name="A Fail webhook intercepts the creation of its own backend&apos;s pods"/>`.replace(
      '&apos;',
      "'",
    ),
  );
  // Every element opened is closed, in order.
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-z-]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) assert.is(stack.pop(), m[2]);
    else stack.push(m[2]);
  }
  assert.equal(stack, []);
  assert.not.match(xml, /[\u0000-\u0008\u000b-\u001f]/);
});

test('check: graph formats exit 0 and draw only colours Graphviz reads (six-digit RGB)', () => {
  const seed = lines(
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    'metadata: {name: seed}',
    'webhooks:',
    '- name: mpod.example.io',
    '  admissionReviewVersions: [v1]',
    '  sideEffects: None',
    '  failurePolicy: Fail',
    '  clientConfig: {service: {namespace: seed-system, name: seed}}',
    '  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: seed, namespace: seed-system}',
    'spec: {selector: {app: seed}, ports: [{port: 443, targetPort: 9443}]}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: seed, namespace: seed-system}',
    'spec:',
    '  selector: {matchLabels: {app: seed}}',
    '  template: {metadata: {labels: {app: seed}}, spec: {containers: [{name: m, image: i, ports: [{containerPort: 9443}]}]}}',
  );
  assert.is(cli(['check', '-'], seed).status, 1, 'the text report fails on the self-deadlock');
  for (const format of ['dot', 'mermaid']) assert.is(cli(['check', '-o', format, '-'], seed).status, 0, format);
  const dot = cli(['check', '-o', 'dot', '-'], seed).stdout;
  assert.match(dot, 'color="#dd0000"');
  assert.not.match(dot, /"#[0-9a-fA-F]{3}"/);
});

test.run();
