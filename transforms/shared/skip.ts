// The one rule for the skip lists of every transform's options: an entry is a name, or `scope/name`.

/** listed tells whether `name` is in a skip list, alone or qualified by its scope (a namespace, or a configuration). */
export function listed(list: readonly string[], name: string, scope: string): boolean {
  return list.includes(name) || list.includes(`${scope}/${name}`);
}
