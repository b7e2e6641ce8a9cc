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

// Line breaks that Go's YAML reader (YAML 1.1) honours and the `yaml` package does not: NEL, LS, PS, and a
// carriage return not followed by a line feed.
const GO_BREAKS = /[\u0085\u2028\u2029]|\r(?!\n)/g;

/** hasGoBreaks tells whether the text holds a line break only Go's reader honours. */
export function hasGoBreaks(text: string): boolean {
  GO_BREAKS.lastIndex = 0;
  return GO_BREAKS.test(text);
}

/**
 * goBreaksToLineFeeds replaces each line break only Go honours by a line feed, one character for one, so
 * offsets stay the same. The result reads as Go reads the original; it is never written out.
 */
export function goBreaksToLineFeeds(text: string): string {
  return text.replace(GO_BREAKS, '\n');
}

/**
 * relaxFlowIndent indents the lines of flow collections (`[`, `{`) that sit no deeper than the line that
 * opened them. Go's reader accepts such under-indented flow content; the `yaml` package does not. White space
 * at the start of a line inside a flow collection means nothing, so the value is unchanged. Returns the input
 * itself when nothing needed changing. The result is only read, never written.
 */
export function relaxFlowIndent(text: string): string {
  const lines = text.split('\n');
  let depth = 0;
  let quote: string | undefined;
  let openerIndent = 0;
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (depth > 0 && !quote) {
      const body = line.replace(/^[ \t]+/, '');
      const indent = line.length - body.length;
      if (body !== '' && indent <= openerIndent) {
        line = lines[i] = ' '.repeat(openerIndent + 1) + body;
        changed = true;
      }
    }
    const lineIndent = line.length - line.trimStart().length;
    for (let k = 0; k < line.length; k++) {
      const c = line[k];
      if (quote) {
        if (quote === '"' && c === '\\') k++;
        else if (c === quote) {
          if (quote === "'" && line[k + 1] === "'") k++;
          else quote = undefined;
        }
        continue;
      }
      if (c === '#' && (k === 0 || line[k - 1] === ' ' || line[k - 1] === '\t')) break;
      if ((c === '"' || c === "'") && (depth > 0 || /[\s:\-[{,]/.test(line[k - 1] ?? ' '))) quote = c;
      else if (c === '[' || c === '{') {
        if (depth++ === 0) openerIndent = lineIndent;
      } else if ((c === ']' || c === '}') && depth > 0) depth--;
    }
  }
  return changed ? lines.join('\n') : text;
}
