// The one rule for the skip lists of every transform's options: an entry is a name, or `scope/name`.
import type { Context } from '../../src/transform.js';

/** listed tells whether `name` is in a skip list, alone or qualified by its scope (a namespace, or a configuration). */
export function listed(list: readonly string[], name: string, scope: string): boolean {
  return list.includes(name) || list.includes(`${scope}/${name}`);
}

/**
 * warnUnlisted warns of each entry of a skip list (`option`, as the configuration names it) that names nothing of the
 * stream: a misspelt name does nothing, and the edit it was meant to stop is made without a word. `known` gives the
 * names the list could give, each with its scope. A configuration shared by several releases may name what another
 * release holds: the warning says so, and changes nothing.
 */
export function warnUnlisted(
  ctx: Context,
  option: string,
  list: readonly string[],
  known: () => Iterable<[string, string]>,
): void {
  // Most runs list nothing: the stream's names are not gathered then.
  if (!list.length) return;
  const names = new Set<string>();
  for (const [name, scope] of known()) names.add(name).add(`${scope}/${name}`);
  for (const entry of list)
    if (!names.has(entry))
      ctx.warn(
        undefined,
        `${option} lists ${entry}, which names nothing in the stream, so it does nothing here (check its spelling, ` +
          'name or scope/name; an entry for another release can stay)',
      );
}
