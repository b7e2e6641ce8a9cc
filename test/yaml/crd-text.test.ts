// A CRD's group, plural and scope read from its text or bytes: the lines searched for, as the patterns they replace read them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdScope } from '../../src/yaml/crd-text.js';

const crd = (spec: string, extra = ''): string =>
  `---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a\n${extra}spec:\n${spec}`;
const ns = (group: string, plural: string, cluster = false) => ({ group, plural, cluster });

const CASES: Array<[string, string, ReturnType<typeof crdScope>]> = [
  ['plain', crd('  group: x.io\n  names:\n    kind: A\n    plural: as\n  scope: Namespaced\n'), ns('x.io', 'as')],
  [
    'quoted, a tab, scope first',
    crd('  scope: \'Cluster\'\n  group:\t"x.io"\n  names:\n    plural: as\n'),
    ns('x.io', 'as', true),
  ],
  [
    'four spaces; a deeper group: first',
    crd('    names:\n      plural: bs\n    versions:\n    - group: no\n    group: y.io\n    scope: Cluster\n'),
    ns('y.io', 'bs', true),
  ],
  [
    'names without plural, then another',
    crd('  group: x.io\n  names:\n    kind: A\n  scope: Cluster\n  names:\n    plural: late\n'),
    ns('x.io', 'late', true),
  ],
  [
    'an empty group: line first',
    crd('  group:\n  group: x.io\n  names:\n    plural: as\n  scope: Namespaced\n'),
    ns('x.io', 'as'),
  ],
  [
    'a comment first; names: with a blank',
    crd('  # c\n  group: x.io\n  names: \n    plural: as\n  scope: Cluster\n'),
    ns('x.io', 'as', true),
  ],
  ['a no-break space after the indentation', crd('  \u00a0group: x.io\n  names:\n    plural: as\n  scope: Cluster\n'), undefined],
  ['spec: {} first', crd('  group: x.io\n  names:\n    plural: as\n  scope: Cluster\n', 'spec: {}\n'), ns('x.io', 'as', true)],
  ['spec: last, empty', crd(''), undefined],
  ['flow-style names', crd('  group: x.io\n  names: {plural: as}\n  scope: Cluster\n'), undefined],
  ['no line feed at the end', crd('  group: x.io\n  names:\n    plural: as\n  scope: Cluster'), ns('x.io', 'as', true)],
];

for (const [name, text, want] of CASES)
  test(`crdScope: ${name}`, () => {
    assert.equal(crdScope(text), want);
    assert.equal(crdScope(Buffer.from(text)), want, 'from bytes');
    assert.equal(crdScope(text.replace(/\n/g, '\r\n')), want, 'with CRLF');
  });

test.run();
