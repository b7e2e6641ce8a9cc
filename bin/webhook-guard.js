#!/usr/bin/env node
// Entry point: runs the bundled CLI (dist/bundle/, faster to start), else the compiled modules, else says the checkout is not
// built.
const notFound = (err, path) => err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(path);
import('../dist/bundle/process.js')
  .catch((err) => {
    // No bundle (built without esbuild): the same CLI, module by module.
    if (!notFound(err, 'bundle')) throw err;
    return import('../dist/src/cli/process.js');
  })
  .then(
    (cli) => cli.run(process.argv.slice(2)),
    (err) => {
      if (!notFound(err, 'dist')) throw err;
      const message = 'webhook-guard: this checkout is not built; run `npm install` (or `npm run build`) in it first\n';
      process.stderr.write(message);
      // Helm 4 drops a plugin's stderr: the log file its recipe names is the only way this reaches the user.
      if (process.env.WEBHOOK_GUARD_LOG)
        import('node:fs').then((fs) => fs.appendFileSync(process.env.WEBHOOK_GUARD_LOG, message)).catch(() => {});
      process.exitCode = 1;
    },
  );
