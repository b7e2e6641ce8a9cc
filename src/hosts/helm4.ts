// Helm 4 runs post-renderer plugins with their stderr captured and never shown (not even the exit code
// without --debug), so warnings such as "label namespace kruise-system" would be lost. As a Helm 4
// plugin, webhook-guard also writes its stderr to the terminal, when there is one.
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { escapeControls } from '../text.js';

/** isHelmPlugin tells whether Helm runs us as a plugin (Helm 4 sets HELM_PLUGIN_NAME and HELM_PLUGIN_DIR). */
export function isHelmPlugin(env: NodeJS.ProcessEnv): boolean {
  return !!env.HELM_PLUGIN_NAME && !!env.HELM_PLUGIN_DIR;
}

/**
 * teeToTerminal wraps a stderr writer so that its text also goes to /dev/tty, control characters escaped as on
 * stderr. Without a controlling terminal (CI, Argo CD, Flux) opening /dev/tty fails and the writer is left as it was.
 */
export function teeToTerminal(stderr: (text: string) => void, tty = '/dev/tty'): (text: string) => void {
  let fd: number | undefined;
  let failed = false;
  return (text: string) => {
    stderr(text);
    if (failed) return;
    try {
      if (fd === undefined) {
        fd = openSync(tty, 'a');
        process.once('exit', () => closeSync(fd!));
      }
      writeSync(fd, escapeControls(text));
    } catch {
      failed = true;
    }
  };
}

/** LOG_ENV names a file that gets a copy of everything webhook-guard writes to stderr (Helm 4 in CI has no other way). */
export const LOG_ENV = 'WEBHOOK_GUARD_LOG';

/**
 * teeToFile wraps a stderr writer so that its text is also appended, control characters escaped, to `path`. Helm 4.1
 * drops a post-renderer plugin's stderr (even with --debug, `stderr=""`), and CI has no terminal: the plugin recipe
 * sets WEBHOOK_GUARD_LOG and prints the file when Helm fails. A file that cannot be written is said once, on stderr.
 */
export function teeToFile(stderr: (text: string) => void, path: string): (text: string) => void {
  let failed = false;
  return (text: string) => {
    stderr(text);
    if (failed) return;
    try {
      appendFileSync(path, escapeControls(text));
    } catch (err) {
      failed = true;
      stderr(`webhook-guard: cannot write ${LOG_ENV}=${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
    }
  };
}
