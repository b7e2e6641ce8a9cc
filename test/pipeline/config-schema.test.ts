// One source for each transform's options: its defaults, its JSON schema and the defaults the schema documents agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultConfig, validateConfig } from '../../src/pipeline/config.js';
import { TRANSFORMS } from '../../src/pipeline/registry.js';
import { ROOT } from '../support/helpers.js';

interface Schema {
  properties: Record<string, { description?: string; type?: string }>;
}
const schemaOf = (name: string): Schema => JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8'));
const root = JSON.parse(readFileSync(join(ROOT, 'schemas', 'config.schema.json'), 'utf8'));

test('the config schema lists every transform, and only those', () => {
  assert.equal(Object.keys(root.properties.spec.properties.transforms.properties).sort(), TRANSFORMS.map((t) => t.name).sort());
});

for (const t of TRANSFORMS) {
  test(`${t.name}: every option has a default and a schema property, and the schema states that default`, () => {
    const schema = schemaOf(t.name);
    const defaults = { enabled: true, ...t.defaults } as Record<string, unknown>;
    assert.equal(Object.keys(schema.properties).sort(), Object.keys(defaults).sort());
    for (const [key, value] of Object.entries(defaults)) {
      const stated = /Default: (.*?)(?:\.(?:\s|$)|$)/.exec(schema.properties[key].description ?? '')?.[1];
      assert.is(stated, JSON.stringify(value), `${t.name}.${key}: the schema's description states the default`);
    }
  });
}

test('the defaults, written out as a config file, pass the schema', async () => {
  const spec = { transforms: defaultConfig().transforms };
  await validateConfig({ apiVersion: 'webhookguard.dev/v1alpha1', kind: 'WebhookGuard', spec }, 'defaults');
});

test.run();
