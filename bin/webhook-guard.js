#!/usr/bin/env node
// Entry point: runs the compiled CLI, or says in one line that the checkout has not been built.
import('../dist/src/cli/process.js').then(
  (cli) => cli.run(process.argv.slice(2)),
  (err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist')) throw err;
    process.stderr.write('webhook-guard: this checkout is not built; run `npm install` (or `npm run build`) in it first\n');
    process.exitCode = 1;
  },
);
