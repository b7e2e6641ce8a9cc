// The layers of ARCHITECTURE.md, enforced: no import cycles between files, and no layer imports one above it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './support/helpers.js';

// LAYERS, bottom to top: a file may import from its own layer or any layer below it.
const LAYERS: Array<[string, (path: string) => boolean]> = [
  ['base', (p) => p === 'src/errors.ts' || p === 'src/package.ts' || p === 'src/text.ts'],
  ['yaml', (p) => p.startsWith('src/yaml/')],
  ['model', (p) => p.startsWith('src/model/')],
  ['transform contract', (p) => p === 'src/transform.ts'],
  ['transforms', (p) => p.startsWith('transforms/')],
  ['pipeline', (p) => p.startsWith('src/pipeline/')],
  ['check', (p) => p.startsWith('src/check/')],
  ['unblock', (p) => p.startsWith('src/unblock/')],
  ['hosts', (p) => p.startsWith('src/hosts/')],
  ['cli', (p) => p.startsWith('src/cli/')],
  ['library API', (p) => p === 'src/index.ts'],
];

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((e) => {
    const p = `${dir}/${e}`;
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import\(?)\s*'(\.{1,2}\/[^']+)'/g)) {
    out.push(posix.normalize(posix.join(posix.dirname(file), m[1])).replace(/\.js$/, '.ts'));
  }
  return out;
}

const all = [...files('src'), ...files('transforms')];
const graph = new Map(all.map((f) => [f, imports(f)]));
const layerOf = (f: string): number => LAYERS.findIndex(([, has]) => has(f));

test('every source file belongs to a layer', () => {
  assert.equal(
    all.filter((f) => layerOf(f) < 0),
    [],
  );
});

test('no file imports from a layer above its own', () => {
  const upward: string[] = [];
  for (const [from, tos] of graph) {
    for (const to of tos) {
      if (layerOf(to) > layerOf(from))
        upward.push(`${from} (${LAYERS[layerOf(from)][0]}) imports ${to} (${LAYERS[layerOf(to)][0]})`);
    }
  }
  assert.equal(upward, []);
});

test('no import cycles between files', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const to of graph.get(f) ?? []) {
      if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' -> '));
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of all) if (!state.has(f)) visit(f);
  assert.equal(cycles, []);
});

test('imports name files that exist', () => {
  const missing = [...graph].flatMap(([from, tos]) =>
    tos.filter((t) => !graph.has(t)).map((t) => `${from} -> ${relative(ROOT, t)}`),
  );
  assert.equal(missing, []);
});

// uvu runs the tests a suite has when its run() is called and silently drops any registered later (three were,
// found in review): no test file registers a test after its suite's run().
test('no test is registered after its suite runs', () => {
  const late: string[] = [];
  for (const file of files('test').filter((f) => f.endsWith('.test.ts'))) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const runs = new Map<string, number>();
    lines.forEach((l, i) => {
      const m = /^(\w+)\.run\(\);/.exec(l);
      if (m) runs.set(m[1], i);
    });
    lines.forEach((l, i) => {
      for (const [suite, at] of runs) if (i > at && new RegExp(`^\\s*${suite}\\(`).test(l)) late.push(`${file}:${i + 1}`);
    });
  }
  assert.equal(late, []);
});

test.run();
