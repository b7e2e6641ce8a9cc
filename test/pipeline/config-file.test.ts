// Config files as read from disk: one document, each error with the file, the line or the field, and what to write instead.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readConfigFile, resolveConfig, validateConfig } from '../../src/pipeline/config.js';
import { lines, runMain } from '../support/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'wg-config-'));
const HEAD = ['apiVersion: webhookguard.dev/v1alpha1', 'kind: WebhookGuard', 'metadata:', '  name: guard'];

/** Case is a config file's text, and the full message it is refused with (FILE for its path), or the namespace it sets. */
interface Case {
  text: string;
  error?: string;
  namespace?: string;
}

const cases: Record<string, Case> = {
  'two documents: the line of the second': {
    text: lines(...HEAD, 'spec:', '  namespace: a', '---', ...HEAD, 'spec:', '  namespace: b'),
    error:
      'config FILE: line 7: a second YAML document starts here; a configuration file must hold one document: remove the ' +
      'others (or put them in files of their own)',
  },
  'a second document after comments and a marker with a comment': {
    text: lines(...HEAD, '# more', '--- # two', '# c', 'spec: {}'),
    error:
      'config FILE: line 6: a second YAML document starts here; a configuration file must hold one document: remove the ' +
      'others (or put them in files of their own)',
  },
  'a `---` line at the end starts no document': {
    text: lines('---', ...HEAD, 'spec:', '  namespace: a', '---'),
    namespace: 'a',
  },
  'a `---` line and comments at the end': {
    text: lines(...HEAD, 'spec:', '  namespace: a', '---', '# nothing else'),
    namespace: 'a',
  },
  'kubeVersion written plain is a number': {
    text: lines(...HEAD, 'spec:', '  kubeVersion: 1.30'),
    error:
      'config FILE is invalid:\n' +
      '  spec.kubeVersion: must be string, and YAML reads 1.30 written plain as the number 1.3: quote it (kubeVersion: "1.30")',
  },
  'kubeVersion quoted': { text: lines(...HEAD, 'spec:', '  kubeVersion: "1.30"', '  namespace: a'), namespace: 'a' },
  'a boolean, a number and null where strings are expected, in a map and a list': {
    text: lines(...HEAD, 'spec:', '  namespace: yes', '  transforms:', '    exclude-namespaces:', '      namespaces: [0755, ~]'),
    error:
      'config FILE is invalid:\n' +
      '  spec.namespace: must be string, and YAML reads yes written plain as the boolean true: quote it (namespace: "yes")\n' +
      '  spec.transforms.exclude-namespaces.namespaces.0: must be string, and YAML reads 0755 written plain as the number ' +
      '493: quote it (- "0755")\n' +
      '  spec.transforms.exclude-namespaces.namespaces.1: must be string, and YAML reads ~ written plain as null: quote it ' +
      '(- "~")',
  },
  'a Kubernetes version older than the output works on': {
    text: lines(...HEAD, 'spec:', '  kubeVersion: "v1.20.4"'),
    error:
      "config FILE is invalid:\n  spec.kubeVersion: Kubernetes 1.20 is older than webhook-guard's output works on (1.21 or " +
      'later: the kubernetes.io/metadata.name label it excludes namespaces by, and policy/v1 PodDisruptionBudgets, came ' +
      'in 1.21)',
  },
  'the oldest version it works on': { text: lines(...HEAD, 'spec:', '  kubeVersion: "1.21"', '  namespace: a'), namespace: 'a' },
  'a list where a string is expected: no quoting helps': {
    text: lines(...HEAD, 'spec:', '  kubeVersion: [1.30]'),
    error: 'config FILE is invalid:\n  spec.kubeVersion: must be string',
  },
  'not YAML: the line and column': {
    text: lines(...HEAD, 'spec: ['),
    error: 'config FILE: line 6, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
  },
  'not YAML, and a second document: the syntax error first, then the second document': {
    text: lines(...HEAD, 'spec: [', '---', 'b: 1'),
    error:
      'config FILE: line 6, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]\n' +
      'config FILE: line 6: a second YAML document starts here; a configuration file must hold one document: remove the ' +
      'others (or put them in files of their own)',
  },
  'a syntax error inside the first document, away from the second': {
    text: lines(...HEAD.slice(0, 3), '  name: {guard', 'spec:', '  namespace: a', '---', 'b: 1'),
    error:
      'config FILE: line 5, column 1: Flow map in block collection must be sufficiently indented and end with a }\n' +
      'config FILE: line 7: a second YAML document starts here; a configuration file must hold one document: remove the ' +
      'others (or put them in files of their own)',
  },
  'a syntax error in the second document': {
    text: lines(...HEAD, '---', 'b: 1', '  c: 2'),
    error:
      'config FILE: line 6, column 4: Nested mappings are not allowed in compact mappings\n' +
      'config FILE: line 5: a second YAML document starts here; a configuration file must hold one document: remove the ' +
      'others (or put them in files of their own)',
  },
  'a key twice': {
    text: lines(...HEAD, 'spec: {}', 'spec: {}'),
    error: 'config FILE: line 6, column 1: Map keys must be unique',
  },
};

const test = suite('config file');
let n = 0;
for (const [name, c] of Object.entries(cases)) {
  test(name, async () => {
    const path = join(tmp, `config-${n++}.yaml`);
    writeFileSync(path, c.text);
    let message: string | undefined;
    let value: unknown;
    try {
      value = readConfigFile(path);
      await validateConfig(value, path);
    } catch (err) {
      message = (err as Error).message.split(path).join('FILE');
    }
    assert.is(message, c.error);
    if (c.namespace !== undefined) assert.is(resolveConfig(value).namespace, c.namespace);
  });
}
test('through the CLI: both problems, the syntax error first, and exit 3', async () => {
  const path = join(tmp, 'broken-two.yaml');
  writeFileSync(path, lines(...HEAD, 'spec: [', '---', 'b: 1'));
  const r = await runMain('', ['--config', path]);
  assert.equal([r.exit, r.stdout], [3, '']);
  assert.fixture(
    r.stderr,
    `webhook-guard: config ${path}: line 6, column 1: Flow sequence in block collection must be sufficiently indented and ` +
      `end with a ]\nconfig ${path}: line 6: a second YAML document starts here; a configuration file must hold one ` +
      'document: remove the others (or put them in files of their own)\n',
  );
});
test.run();
