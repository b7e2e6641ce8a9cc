// Reads a large `kind: List` (a `kubectl get -o yaml` dump) item by item, so each object is bounded on its own.

/** ItemReader reads one document's text, as readDocument does. */
type ItemReader = (text: string) => {
  value?: unknown;
  relaxed?: boolean;
  error?: { message: string; line: number; column: number };
};

/**
 * readListByItems reads a block-style List whose `items:` is a top-level block sequence by cutting the
 * items apart in the text and reading each alone with `read`. A live-cluster dump is one List of many
 * megabytes, while no single object can exceed the apiserver's 1.5 MiB, so reading item by item keeps the
 * per-document bound meaningful without refusing real dumps. Returns undefined when the text is not of
 * that shape (the caller then treats it as one document).
 */
export function readListByItems(text: string, read: ItemReader): ReturnType<ItemReader> | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^items:[ \t]*(#.*)?\r?$/.test(l));
  if (start < 0 || !/^kind:[ \t]*['"]?[A-Za-z]*List['"]?[ \t]*(#.*)?\r?$/m.test(text)) return undefined;
  // Go reads the last of two top-level `items` keys; cutting items out of the text would take the first.
  const second = lines.findIndex((l, i) => i > start && /^["']?items["']?[ \t]*:/.test(l));
  if (second >= 0)
    return { error: { message: 'the List has a second top-level items key; keep one', line: second + 1, column: 1 } };
  let indent = -1;
  let end = lines.length;
  const starts: number[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?\r?$/.test(line)) continue;
    const width = line.length - line.trimStart().length;
    if (indent < 0) {
      if (!/^ *- /.test(line) && !/^ *-\r?$/.test(line)) return undefined;
      indent = width;
    }
    if (width < indent || (width === indent && !/^ *-( |\r?$)/.test(line))) {
      end = i;
      break;
    }
    if (width === indent) starts.push(i);
  }
  if (!starts.length) return undefined;
  const items: unknown[] = [];
  let relaxed = false;
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k];
    const to = k + 1 < starts.length ? starts[k + 1] : end;
    // The item's lines, its `-` turned into a space and dedented to its content's column, read as a document of its own.
    const chunk = lines.slice(from, to);
    chunk[0] = chunk[0].slice(0, indent) + ' ' + chunk[0].slice(indent + 1);
    const first = chunk.find((l) => !/^\s*(#.*)?\r?$/.test(l)) ?? '';
    const col = first.length - first.trimStart().length;
    const body = chunk.map((l) => l.slice(Math.min(col, l.length - l.trimStart().length))).join('\n');
    const got = read(body + '\n');
    if (got.error && got.value === undefined) {
      return { error: { ...got.error, line: got.error.line + from, message: `item ${k + 1} of the List: ${got.error.message}` } };
    }
    relaxed ||= !!got.relaxed;
    items.push(got.value);
  }
  const rest = read([...lines.slice(0, start), 'items: []', ...lines.slice(end)].join('\n'));
  if (rest.value === null || typeof rest.value !== 'object' || Array.isArray(rest.value))
    return rest.error ? { error: rest.error } : undefined;
  return { value: { ...(rest.value as object), items }, ...(relaxed || rest.relaxed ? { relaxed: true } : {}) };
}
