// Reads the manifest streams `check` and `unblock` take: files and `-` (stdin), each decoded and named.
import { readFileSync } from 'node:fs';
import { UsageError, UserError } from '../errors.js';
import type { Input } from '../model/model.js';
import { decodeInput } from '../yaml/stream.js';
import type { IO } from './io.js';

/**
 * DUMP is the command that dumps what check and unblock need of a live cluster. Copied from a help text, its lines
 * come indented: a backslash continuation inside the comma list would then split it (kubectl refuses two type
 * lists), so each line stands alone. No Secrets: they hold keys, and no rule needs their data. ConfigMaps (Kyverno's
 * webhooks, leader-election config files) and RBAC (which backends may run twice, which register webhooks at run time)
 * answer what a render shows too. No CRDs: kubectl writes their long descriptions as multi-line plain scalars, which
 * only the full reader reads, and it reads no document over 1 MiB, so a dump with a large CRD would be refused.
 */
export const DUMP = [
  'W=mutatingwebhookconfigurations,validatingwebhookconfigurations',
  'R=namespaces,services,endpointslices,networkpolicies,poddisruptionbudgets,horizontalpodautoscalers',
  'C=configmaps,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings',
  'kubectl get "$W,$R,$C,deployments,statefulsets,daemonsets,replicasets,pods" -A -o yaml > dump.yaml',
].join('\n');

/** indent indents each line of a command by two spaces, for a help text. */
export const indent = (text: string): string => text.replace(/^/gm, '  ');

/**
 * readInputs reads each file (or stdin for `-`, and when none is named); errors name `command` and the file. Stdin is
 * named `stdinName` when given (check --stdin-name), in the inputs and in errors alike.
 */
export async function readInputs(names: string[], io: IO, command: string, stdinName?: string): Promise<Input[]> {
  const files = names.length ? names : ['-'];
  if (files.filter((f) => f === '-').length > 1) throw new UsageError(`${command}: - (stdin) given more than once`);
  if (files.includes('-') && io.stdinIsTTY)
    throw new UsageError(`${command}: no input: name manifest files, or pipe them in (see webhook-guard ${command} --help)`);
  const inputs: Input[] = [];
  for (const f of files) {
    let buf: Buffer;
    if (f === '-') buf = await io.readStdin();
    else {
      try {
        buf = readFileSync(f);
        io.sized?.(buf.length);
      } catch (err) {
        throw new UsageError(`${command}: cannot read ${f} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    const source = f === '-' && stdinName !== undefined ? stdinName : f;
    try {
      inputs.push({ source, text: decodeInput(buf) });
    } catch (err) {
      if (err instanceof UserError)
        throw new (err.constructor as new (m: string) => UserError)(`${source === '-' ? 'stdin' : source}: ${err.message}`);
      throw err;
    }
  }
  return inputs;
}
