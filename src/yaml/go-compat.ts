// Reads YAML that Go's parser (Helm, kubectl) accepts but the `yaml` package rejects, for reading only.

/**
 * relaxQuotedContinuations re-indents the continuation lines of multi-line quoted scalars that sit no
 * deeper than their key. Go's yaml accepts them (controller-gen emitted such CRD descriptions, e.g.
 * OpenKruise 1.5.2 and LWS 0.6.1); YAML 1.2 and the `yaml` package do not. Leading white space of a
 * folded continuation line is discarded when the scalar is read, so the value is unchanged. The
 * result is never written out: documents read this way are not edited (see document.ts).
 * Returns the input itself when nothing needed changing.
 */
export function relaxQuotedContinuations(text: string): string {
  const lines = text.split('\n');
  let changed = false;
  let quote: string | undefined;
  let minIndent = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (quote) {
      const body = line.replace(/^[ \t]+/, '');
      const indent = line.length - body.length;
      if (body.trim() !== '' && indent < minIndent) {
        lines[i] = ' '.repeat(minIndent) + body;
        changed = true;
      }
      if (closes(body, quote)) quote = undefined;
      continue;
    }
    const open = opensQuote(line);
    if (open) {
      quote = open.quote;
      minIndent = open.indent + 1;
    }
  }
  return changed ? lines.join('\n') : text;
}

const VALUE_START =
  /^([ \t]*)((?:-[ \t]+)*)(?:(?:[^\s#'"-][^#]*?|-[^\s#][^#]*?|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'):[ \t]+)?(['"])(.*)$/;

function opensQuote(line: string): { quote: string; indent: number } | undefined {
  const m = VALUE_START.exec(line.replace(/\r$/, ''));
  if (!m) return undefined;
  const quote = m[3];
  if (closes(m[4], quote)) return undefined;
  return { quote, indent: m[1].length + m[2].length };
}

// closes tells whether `rest` (the text after an opening quote, or a continuation line) ends the scalar.
function closes(rest: string, quote: string): boolean {
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (quote === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === quote) {
      if (quote === "'" && rest[i + 1] === "'") {
        i++;
        continue;
      }
      return true;
    }
  }
  return false;
}
