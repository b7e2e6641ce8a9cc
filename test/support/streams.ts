// Streams both splitters (text and bytes) are tested on: markers, comments, CRLF, BOMs, non-ASCII.

/** STREAMS are small multi-document inputs, by what they exercise. */
export const STREAMS: Record<string, string> = {
  'helm 3 style': '---\n# Source: a/b.yaml\nkind: A\n---\n# Source: a/c.yaml\nkind: B\n',
  'no leading marker': 'kind: A\n---\nkind: B',
  crlf: '---\r\nkind: A\r\n---\r\nkind: B\r\n',
  'empty and comment-only documents': '---\n---\n# Source: empty.yaml\n---\nkind: A\n---\n',
  'end markers': 'kind: A\n...\n# between\n---\nkind: B\n...\n',
  'block scalar with a marker-like indented line': 'kind: A\ndata:\n  x: |\n    ---\n    not a marker\n',
  'marker with a comment and --- in a value': '--- # first\nkind: A\nname: a---b\n---\t\nkind: B\n',
  bom: '\ufeffkind: A\n---\nkind: B\n',
  'non-ASCII before a marker': 'kind: A\ndescription: “quoted” — ü\n---\nkind: B\nemoji: 😀\n---\nkind: C\n',
  'non-ASCII kind': '---\nkind: Ärger\n---\nkind: B\n',
  empty: '',
};
