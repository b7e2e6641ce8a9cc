// Label-selector semantics and webhook rule matching, as the apiserver evaluates them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  builtinScope,
  mapSelectorMatches,
  POD_CREATE,
  ruleCoversNamespaced,
  ruleMatches,
  selectorMatches,
} from '../../src/model/selectors.js';

const labels = { 'kubernetes.io/metadata.name': 'kruise-system', team: 'a' };

test('selectorMatches: each operator, matchLabels ANDed with expressions', () => {
  const table: Array<[unknown, boolean]> = [
    [null, true],
    [{}, true],
    [{ matchLabels: { team: 'a' } }, true],
    [{ matchLabels: { team: 'b' } }, false],
    [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] }, true],
    [{ matchExpressions: [{ key: 'control-plane', operator: 'NotIn', values: ['openkruise'] }] }, true],
    [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kruise-system'] }] }, false],
    [{ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'tenant', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'tenant', operator: 'DoesNotExist' }] }, true],
    [{ matchLabels: { team: 'a' }, matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, false],
    [{ matchExpressions: [{ key: 'team', operator: 'Bogus' }] }, false],
  ];
  for (const [sel, want] of table) assert.is(selectorMatches(sel as never, labels), want, JSON.stringify(sel));
  assert.is(selectorMatches(undefined, labels, false), false, 'a missing PDB selector selects nothing');
});

test('mapSelectorMatches: a Service selector needs every pair; an empty one selects nothing', () => {
  assert.ok(mapSelectorMatches({ team: 'a' }, labels));
  assert.not.ok(mapSelectorMatches({ team: 'a', app: 'x' }, labels));
  assert.not.ok(mapSelectorMatches({}, labels));
  assert.not.ok(mapSelectorMatches(undefined, labels));
});

test('ruleMatches: wildcards, subresources and scope', () => {
  const rule = (resources: string[], extra = {}) => ({
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE'],
    resources,
    ...extra,
  });
  assert.ok(ruleMatches(rule(['pods']), POD_CREATE));
  assert.ok(ruleMatches(rule(['*']), POD_CREATE));
  assert.ok(ruleMatches(rule(['*/*']), POD_CREATE));
  assert.not.ok(ruleMatches(rule(['pods/status']), POD_CREATE));
  assert.not.ok(ruleMatches(rule(['*']), { ...POD_CREATE, subresource: 'status' }), '* matches no subresources');
  assert.ok(ruleMatches(rule(['pods/*']), { ...POD_CREATE, subresource: 'ephemeralcontainers' }));
  assert.not.ok(ruleMatches(rule(['pods'], { scope: 'Cluster' }), POD_CREATE));
  assert.not.ok(ruleMatches(rule(['pods'], { operations: ['UPDATE'] }), POD_CREATE));
  assert.ok(ruleMatches(rule(['pods'], { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'] }), POD_CREATE));
  assert.not.ok(ruleMatches(rule(['pods'], { apiGroups: ['apps'] }), POD_CREATE));
});

test('ruleCoversNamespaced: only cluster-scoped resources other than namespaces escape namespaceSelector', () => {
  const r = (resources: string[], apiGroups = [''], scope?: string) => ({
    apiGroups,
    apiVersions: ['v1'],
    operations: ['CREATE'],
    resources,
    scope,
  });
  assert.not.ok(ruleCoversNamespaced(r(['nodes', 'nodes/status']), builtinScope));
  assert.ok(ruleCoversNamespaced(r(['namespaces']), builtinScope));
  assert.ok(ruleCoversNamespaced(r(['pods', 'nodes']), builtinScope));
  assert.not.ok(ruleCoversNamespaced(r(['certificatesigningrequests'], ['certificates.k8s.io']), builtinScope));
  assert.not.ok(ruleCoversNamespaced(r(['nodes'], ['*']), builtinScope));
  assert.ok(ruleCoversNamespaced(r(['*'], ['*']), builtinScope));
  assert.ok(ruleCoversNamespaced(r(['widgets'], ['example.com']), builtinScope), 'unknown resources count as namespaced');
  assert.not.ok(ruleCoversNamespaced(r(['widgets'], ['example.com'], 'Cluster'), builtinScope));
});

test.run();
