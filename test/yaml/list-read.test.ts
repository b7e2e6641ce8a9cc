// Large Lists (live-cluster dumps) are read item by item and give the same value as reading them whole.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import { MAX_YAML_BYTES, readDocument } from '../../src/yaml/document.js';
import { readListByItems } from '../../src/yaml/list-read.js';

// One Deployment as `kubectl get -o yaml` prints it: managedFields use `f:` keys, `.` keys and `{}`.
function item(i: number, dash = '- '): string {
  return (
    `${dash}apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    ` +
    `annotations:\n      note: |\n        line one ${i}\n        line two\n` +
    `    managedFields:\n    - fieldsV1:\n        f:metadata:\n          ` +
    `f:labels:\n            .: {}\n            f:app: {}\n      manager: kubectl\n` +
    `    name: d${i}\n    namespace: ns${i % 3}\n  spec:\n    replicas: ${i % 4}\n    selector: {matchLabels: {app: d${i}}}\n`
  );
}

function dump(n: number, indent = ''): string {
  const items = Array.from({ length: n }, (_, i) => item(i).replace(/^(?=.)/gm, indent)).join('');
  return `apiVersion: v1\nitems:\n${items}kind: List\nmetadata:\n  resourceVersion: ""\n`;
}

const whole = (text: string): unknown => parseDocument(text, { version: '1.1', uniqueKeys: false }).toJS();

test('a List over the per-document bound is read, and reads as the whole document does', () => {
  const text = dump(4000);
  assert.ok(text.length > MAX_YAML_BYTES);
  const got = readDocument(text);
  assert.is(got.error, undefined);
  assert.equal(got.value, whole(text));
});

test('indented items, and an item whose dash stands alone on its line', () => {
  const text = dump(3, '  ').replace('  - apiVersion: apps/v1\n', '  -\n    apiVersion: apps/v1\n');
  const got = readListByItems(text, readDocument)!;
  assert.equal(got.value, whole(text));
});

test('a broken item is reported with its number and its line in the document', () => {
  const text = dump(3).replace('    name: d1\n', '    name: [d1\n');
  const got = readListByItems(text, readDocument)!;
  assert.is(got.value, undefined);
  assert.match(got.error!.message, /^item 2 of the List: /);
  const line = text.split('\n').findIndex((l) => l.includes('name: [d1')) + 1;
  assert.ok(Math.abs(got.error!.line - line) <= 2, `line ${got.error!.line} near ${line}`);
});

test('not a block-style List: left to the whole-document reader', () => {
  assert.is(readListByItems('kind: List\nitems: [a, b]\n', readDocument), undefined);
  assert.is(readListByItems('kind: ConfigMap\nitems:\n- a\n', readDocument), undefined);
});

test.run();
