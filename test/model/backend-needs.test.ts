// What a webhook backend needs, which webhooks can block it, the never-derive labels, and namespace-naming selectors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { anyPod, blocksNeeds, type NeedsVerdict, type Subjects } from '../../src/model/backend-needs.js';
import { neverDerive } from '../../src/model/protected-labels.js';
import { namesSelected } from '../../src/model/selectors.js';

const rule = (apiGroups: string[], resources: string[], operations = ['CREATE', 'UPDATE']) => ({
  apiGroups,
  apiVersions: ['*'],
  operations,
  resources,
});
const backendPod = anyPod('sys', { app: 'hook', 'sidecar.istio.io/inject': 'false' });
const subjects: Subjects = { pods: [backendPod], labels: [{}, { app: 'hook' }] };

test('blocksNeeds: rules, wildcards, failure policy, objectSelector, Events', () => {
  const table: Array<[string, Record<string, unknown>, 'Fail' | 'Ignore', NeedsVerdict]> = [
    ['pods', { rules: [rule([''], ['pods'])] }, 'Fail', { verdict: 'yes', needs: ['pods'], reason: '' }],
    [
      'pods/* covers the subresources that matter',
      { rules: [rule([''], ['pods/*'])] },
      'Fail',
      { verdict: 'yes', needs: ['pods/binding', 'pods/status', 'pods/eviction'], reason: '' },
    ],
    [
      'pods/exec is not needed',
      { rules: [rule([''], ['pods/exec'], ['CONNECT'])] },
      'Fail',
      { verdict: 'no', needs: [], reason: 'rules' },
    ],
    ['pod DELETE only', { rules: [rule([''], ['pods'], ['DELETE'])] }, 'Fail', { verdict: 'no', needs: [], reason: 'rules' }],
    [
      'an operator group with resources * is its own custom resources',
      { rules: [rule(['metallb.io'], ['*'])] },
      'Fail',
      { verdict: 'no', needs: [], reason: 'rules' },
    ],
    [
      'cert-manager groups with */*',
      { rules: [rule(['cert-manager.io', 'acme.cert-manager.io'], ['*/*'])] },
      'Fail',
      { verdict: 'no', needs: [], reason: 'rules' },
    ],
    [
      'apiGroups * with a named resource',
      { rules: [rule(['*'], ['serviceaccounts'])] },
      'Fail',
      { verdict: 'yes', needs: ['serviceaccounts'], reason: '' },
    ],
    [
      'serviceaccounts/token',
      { rules: [rule([''], ['serviceaccounts/token'], ['CREATE'])] },
      'Fail',
      { verdict: 'yes', needs: ['serviceaccounts/token'], reason: '' },
    ],
    [
      'leases',
      { rules: [rule(['coordination.k8s.io'], ['leases'])] },
      'Fail',
      { verdict: 'yes', needs: ['leases.coordination.k8s.io'], reason: '' },
    ],
    ['Events on Fail', { rules: [rule([''], ['events'])] }, 'Fail', { verdict: 'yes', needs: ['events'], reason: '' }],
    ['Ignore never blocks', { rules: [rule(['*'], ['*'])] }, 'Ignore', { verdict: 'no', needs: [], reason: 'failurePolicy' }],
    [
      'Ingresses, Jobs and Namespaces are not needed',
      { rules: [rule(['networking.k8s.io', 'batch', ''], ['ingresses', 'jobs', 'namespaces'])] },
      'Fail',
      { verdict: 'no', needs: [], reason: 'rules' },
    ],
    [
      'an opt-in objectSelector the backend pods do not satisfy',
      { rules: [rule([''], ['pods'])], objectSelector: { matchLabels: { 'sidecar.istio.io/inject': 'true' } } },
      'Fail',
      { verdict: 'no', needs: [], reason: 'objectSelector' },
    ],
    [
      'an opt-out objectSelector the backend pods use',
      {
        rules: [rule([''], ['pods'])],
        objectSelector: { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] }] },
      },
      'Fail',
      { verdict: 'no', needs: [], reason: 'objectSelector' },
    ],
    [
      'a matchCondition that skips the pod controllers',
      {
        rules: [rule([''], ['pods'])],
        matchConditions: [{ name: 'users-only', expression: "!request.userInfo.username.startsWith('system:')" }],
      },
      'Fail',
      { verdict: 'no', needs: [], reason: 'matchCondition users-only' },
    ],
  ];
  for (const [name, entry, policy, want] of table) assert.equal(blocksNeeds(entry, policy, 'sys', subjects), want, name);
});

test('blocksNeeds: namespaceSelector only when the caller gives the namespace labels', () => {
  const entry = {
    rules: [rule([''], ['pods'])],
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['sys'] }] },
  };
  assert.is(blocksNeeds(entry, 'Fail', 'sys', subjects).verdict, 'yes');
  const bare = { ...subjects, namespaceLabels: { 'kubernetes.io/metadata.name': 'sys' } };
  assert.equal(blocksNeeds(entry, 'Fail', 'sys', bare), { verdict: 'no', needs: [], reason: 'namespaceSelector' });
});

test('blocksNeeds: asked again, each answer is that of its own webhook, namespace and subjects', () => {
  const selected = { rules: [rule([''], ['pods'])], objectSelector: { matchLabels: { app: 'hook' } } };
  const other = { pods: [anyPod('sys', { app: 'other' })], labels: [{}] };
  const conditioned = {
    rules: [rule([''], ['pods'])],
    matchConditions: [{ name: 'only-hook', expression: "object.metadata.labels['app'] == 'hook'" }],
  };
  for (let round = 0; round < 2; round++) {
    assert.equal(blocksNeeds(selected, 'Fail', 'sys', subjects), { verdict: 'yes', needs: ['pods'], reason: '' });
    assert.equal(blocksNeeds(selected, 'Fail', 'sys', other), { verdict: 'no', needs: [], reason: 'objectSelector' });
    assert.equal(blocksNeeds({ ...selected, objectSelector: {} }, 'Fail', 'sys', other).verdict, 'yes');
    assert.equal(blocksNeeds(conditioned, 'Fail', 'sys', subjects).verdict, 'yes');
    assert.equal(blocksNeeds(conditioned, 'Fail', 'sys', other), {
      verdict: 'no',
      needs: [],
      reason: 'matchCondition only-hook',
    });
  }
  // Conditions read the pods themselves: pods alike in labels but not in what a condition reads are told apart, and a
  // pod given twice counts once.
  const bySa = {
    rules: [rule([''], ['pods'])],
    matchConditions: [{ name: 'sa', expression: "object.spec.serviceAccountName == 'hook'" }],
  };
  const withSa = (sa: string) => ({ ...anyPod('sys', { app: 'hook' }), spec: { serviceAccountName: sa } });
  for (let round = 0; round < 2; round++) {
    assert.equal(blocksNeeds(bySa, 'Fail', 'sys', { pods: [withSa('hook'), withSa('hook')], labels: [{}] }).verdict, 'yes');
    assert.equal(blocksNeeds(bySa, 'Fail', 'sys', { pods: [withSa('other')], labels: [{}] }), {
      verdict: 'no',
      needs: [],
      reason: 'matchCondition sa',
    });
  }
  // An answer given out is the caller's: changing it changes no later answer.
  blocksNeeds(selected, 'Fail', 'sys', subjects).needs.push('changed');
  assert.equal(blocksNeeds(selected, 'Fail', 'sys', subjects).needs, ['pods']);
});

test('namesSelected: matchLabels on the name label and In are the same statement', () => {
  const table: Array<[unknown, string[] | undefined]> = [
    [null, undefined],
    [{ matchLabels: { team: 'a' } }, undefined],
    [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['a'] }] }, undefined],
    [{ matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, ['a']],
    [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a'] }] }, ['a']],
    [
      {
        matchLabels: { 'kubernetes.io/metadata.name': 'a' },
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['a'] }],
      },
      [],
    ],
    [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a', 'b'] }] }, ['a', 'b']],
  ];
  for (const [selector, want] of table) assert.equal(namesSelected(selector as never), want, JSON.stringify(selector));
});

test('neverDerive: security and mesh domains, exact keys, and nothing else', () => {
  const table: Array<[string, boolean]> = [
    ['pod-security.kubernetes.io/enforce', true],
    ['pod-security.kubernetes.io/warn-version', true],
    ['istio-injection', true],
    ['istio.io/rev', true],
    ['sidecar.istio.io/inject', true],
    ['linkerd.io/inject', true],
    ['config.linkerd.io/proxy-cpu-limit', true],
    ['cert-manager.io/disable-validation', true],
    ['cert-manager.io/other', false],
    ['admission.gatekeeper.sh/ignore', true],
    ['control-plane', false],
    ['kubernetes.io/metadata.name', false],
    ['notistio.io/rev', false],
  ];
  for (const [key, want] of table) assert.is(neverDerive(key), want, key);
});

test.run();
