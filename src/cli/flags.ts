// What every subcommand's flag parsing shares: the flags themselves, one-value reading, and the closest known flag for a typo.
import type minimist from 'minimist';
import { UsageError } from '../errors.js';

/**
 * single reads a flag that takes one value: undefined when absent, a UsageError (prefixed with the subcommand, as
 * `check: `) when given twice or empty.
 */
export function single(args: minimist.ParsedArgs, name: string, command = ''): string | undefined {
  const v = args[name];
  if (v === undefined) return undefined;
  const who = command ? `${command}: ` : '';
  if (Array.isArray(v)) throw new UsageError(`${who}--${name} given more than once`);
  if (v === '') throw new UsageError(`${who}--${name} needs a value`);
  return String(v);
}

/** suggest names the known flag closest to an unknown one (`--confg` → `; did you mean --config?`), if one is close. */
export function suggest(arg: string, known: readonly string[], prefix = '--'): string {
  const given = arg.replace(/^-+/, '').split('=')[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    // A flag the typo begins wins a tie (`--al`: --all before --as).
    const d = distance(given, k) - (k.startsWith(given) ? 0.5 : 0);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  const close = best !== undefined && bestDistance <= Math.max(1, Math.floor(given.length / 3));
  return close ? `; did you mean ${prefix}${best}?` : '';
}

// distance is the Levenshtein distance between two strings.
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** FLAGS are each command's flags, for its parser, its typo suggestions and shell completion. */
export const FLAGS = {
  harden: {
    string: [
      'config',
      'disable',
      'min-replicas',
      'exclude-namespace',
      'namespace',
      'report',
      'report-file',
      'kube-version',
      'emit',
      'fail-open',
    ],
    boolean: ['adopt-namespaces', 'allow-empty', 'quiet', 'help', 'version', 'stack', 'explain', 'plugin-dir'],
  },
  check: {
    string: ['format', 'fail-on', 'include', 'exclude', 'stdin-name', 'namespace', 'config'],
    boolean: ['help', 'stack'],
  },
  unblock: {
    string: ['error', 'for', 'operation', 'as', 'as-group', 'restore', 'namespace'],
    boolean: ['all', 'help', 'stack'],
  },
} as const satisfies Record<string, { string: readonly string[]; boolean: readonly string[] }>;
