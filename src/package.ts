// Where the installed package lives and its version, found through the package's own name (self-reference).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** packageRoot is the folder holding package.json, schemas/ and plugin.yaml, from source or from dist/ alike. */
export function packageRoot(): string {
  // `exports` lists ./package.json, so the package resolves its own manifest by name wherever it is installed.
  return (root ??= dirname(fileURLToPath(import.meta.resolve('webhook-guard/package.json'))));
}

/** version reads the package version. */
export function version(): string {
  return JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')).version;
}
