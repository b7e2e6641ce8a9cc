// Build step after tsc: bundles the compiled CLI into dist/bundle/ (lazy parts stay lazy chunks), which starts faster.
//
// Loading some forty modules one by one is most of what a small render costs over bare Node; one bundle
// with code-split chunks for what runs only sometimes (check, KRM, patches) loads in a few files. The
// packages the CLI loads lazily or rarely (yaml, ajv) stay in node_modules. Without esbuild (a production
// install without devDependencies) nothing is bundled and bin/webhook-guard.js runs dist/src/ as before.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('bundle: esbuild is not installed; bin/webhook-guard.js will run dist/src/ unbundled');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'process.js')],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out,
  external: ['yaml', 'ajv', 'ajv-formats', 'ajv-draft-04'],
  logLevel: 'warning',
});
