#!/usr/bin/env node
// Entry point: runs the bundled CLI (dist/bundle/webhook-guard.cjs, with its code cache), else the compiled modules,
// else says the checkout is not built. CommonJS (bin/package.json): it starts faster than an ES module.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const BUNDLE = join(__dirname, '..', 'dist', 'bundle', 'webhook-guard.cjs');

// loadBundle runs the bundle as require would, but hands V8 the compiled code the build saved beside it; V8 checks it
// against this source and this Node and compiles afresh if it does not fit. Undefined when there is no bundle.
function loadBundle() {
  let source;
  try {
    source = readFileSync(BUNDLE, 'utf8');
  } catch {
    return undefined;
  }
  const vm = require('node:vm');
  const Module = require('node:module');
  let cachedData;
  try {
    cachedData = readFileSync(`${BUNDLE}.cache`);
  } catch {
    // No cache: compiled as usual.
  }
  // The bundle has no import(): a compiled script would need a loader of its own for it (the bundle test checks).
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  // The build's run of the bundled example asks for the cache, once the run has compiled what it needs.
  const out = process.env.WEBHOOK_GUARD_CODE_CACHE_OUT;
  if (out) process.once('exit', () => writeFileSync(out, script.createCachedData()));
  return module.exports;
}

const notBuilt = (err) => err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist');
Promise.resolve()
  .then(() => loadBundle() || import('../dist/src/cli/process.js'))
  .then(
    (cli) => cli.run(process.argv.slice(2)),
    (err) => {
      if (!notBuilt(err)) throw err;
      const message = 'webhook-guard: this checkout is not built; run `npm install` (or `npm run build`) in it first\n';
      process.stderr.write(message);
      // Helm 4 drops a plugin's stderr: the log file its recipe names is the only way this reaches the user.
      if (process.env.WEBHOOK_GUARD_LOG) {
        try {
          require('node:fs').appendFileSync(process.env.WEBHOOK_GUARD_LOG, message);
        } catch {
          // Best effort: the exit code still says it failed.
        }
      }
      process.exitCode = 1;
    },
  );
