// Splits a multi-document YAML stream into raw segments and sniffs each one's kind without parsing it.
import { isAscii } from 'node:buffer';
import { InputError } from '../errors.js';

/** Segment is one document of the stream exactly as it came: joined back, the segments give the input byte for byte. */
export interface Segment {
  /** Position in the stream, from 0. */
  index: number;
  /** The bytes of the document, with its leading `---` line and comments. */
  text: string;
  /** Offset of the segment in the whole input (after any BOM). */
  offset: number;
  /** Line of the segment's first byte in the input, from 1. */
  line: number;
  /** The input the segment came from (a file name, or `-` for stdin), when a run reads several. */
  source?: string;
  /**
   * What the bytes alone show of the document, where the segment is a slice of input bytes whose lines Go and the
   * text patterns see alike (see splitBytes): undefined otherwise, and the text decides.
   */
  look?(): ByteLook | undefined;
}

/** ByteLook is a look at a document without decoding it. */
export interface ByteLook {
  /** The document's bytes, valid UTF-8 with line feeds as the only line breaks. */
  bytes: Buffer;
  /** Its column-0 lines (neither blank, indented nor comments), decoded, each with its line feed. */
  lines: string[];
  /** False when it holds a character that makes Go and a pattern see different lines (NEL, a byte order mark). */
  plain: boolean;
}

// A document marker is `---` or `...` at column 0 followed by white space or the end of the line.
// Inside a block scalar such a line ends the document too (YAML 1.2 §9.1.4), and Helm and kubectl
// split on it the same way, so a line-based split agrees with every reader that matters here.
// Only a line feed starts a line here: Go's stream reader (k8s.io/apimachinery YAMLReader) splits on line feeds.
// (A multiline `^` also matches after CR, LS and PS: such matches are skipped below; it is faster than a lookbehind.)
const MARKER = /^(---|\.\.\.)(?=[ \t]|\r?\n|$)/gm;
// Every line that starts with `---` is a separator to Go's reader, or an error (see GoSeparators); `...` only as YAML's.
const DASHES_OR_END = /^(?:---|\.\.\.(?=[ \t]|\r?\n|$))/gm;
// Go's reader also splits where `---` is followed by other Unicode white space (strings.TrimSpace), which YAML
// does not: such a line would hide a document from webhook-guard that Kubernetes installs.
const GO_ONLY_MARKER = /^---[ \t]*[\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/gm;
// The white space Go's strings.TrimSpace takes off what follows the dashes (unicode.IsSpace; JavaScript's \s differs
// on U+0085 and U+FEFF).
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_LEADING_SPACE = new RegExp(`^[${GO_SPACE}]*`);
const GO_TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`);
// What YAML also reads as a marker: the dashes, then a blank or the end of the line.
const YAML_MARKER_REST = /^(?:[ \t]|\r?$)/;

/** isGoOnlyMarker tells whether a decoded line is a `---` that only Go's reader takes for a separator. */
export function isGoOnlyMarker(line: string): boolean {
  GO_ONLY_MARKER.lastIndex = 0;
  return GO_ONLY_MARKER.test(line);
}

/** goOnlyMarker is the error for such a line. */
export function goOnlyMarker(line: number): InputError {
  return new InputError(
    `line ${line}: a document separator followed by a form feed or Unicode space, which Kubernetes reads as a ` +
      'separator and YAML does not; end the `---` line right after the dashes',
  );
}

/**
 * separatorKind is what Go's reader makes of a line that starts with `---` (given without its line feed): `yaml` for a
 * separator YAML reads as a marker too, `go` for one only Go takes (`---#…`: YAML needs a blank before a comment), or,
 * when more than white space and a comment follow the dashes, the column (from 1) and the text Go names in its error
 * ("invalid Yaml document separator: …"), for which it refuses the whole stream.
 */
export function separatorKind(line: string): 'yaml' | 'go' | { column: number; what: string } {
  // Most are the dashes alone.
  if (line.length === 3) return 'yaml';
  const rest = line.slice(3);
  const lead = GO_LEADING_SPACE.exec(rest)![0].length;
  const what = rest.slice(lead).replace(GO_TRAILING_SPACE, '');
  if (what !== '' && what[0] !== '#') return { column: 4 + lead, what };
  return YAML_MARKER_REST.test(rest) ? 'yaml' : 'go';
}

/**
 * GoSeparators follows Go's reader over a stream's `---` lines, in order. A separator line ends the document before it
 * and is dropped, unless Go's buffer is empty then (the stream's first line, or the line right after a dropped
 * separator): then the line is kept, and read as YAML with the document after it. A kept `---#…` line is YAML text,
 * which Go then fails to read (or reads as a key); webhook-guard refuses it. Of a stream that starts with a JSON object
 * Go reads the rest as YAML from the line after it: the first `---` line there is taken as kept (a blank line between
 * would make Go drop it: refused without need, never read wrongly).
 */
export class GoSeparators {
  private droppedEnd = -1;
  private seen = false;

  /** `first` is the offset of the stream's first line (after a byte order mark); `json`: the stream starts with `{`. */
  constructor(
    private readonly first: number,
    private readonly json: boolean,
  ) {}

  /**
   * check takes the `---` line at offset `at` (text without its line feed; `end` is the offset after its line feed), and
   * says whether YAML reads it as a marker too (`yaml`) or only Go does (`go`). Throws InputError where Go refuses the
   * stream, and for a `---#…` line Go keeps. `line` gives its line number, asked for a message only.
   */
  check(text: string, at: number, end: number, line: () => number): 'yaml' | 'go' {
    const kind = separatorKind(text);
    if (typeof kind !== 'string') throw invalidSeparator(line(), kind.column, text, kind.what);
    if (kind === 'go' && isGoOnlyMarker(text)) throw goOnlyMarker(line());
    const kept = at === this.first || at === this.droppedEnd || (this.json && !this.seen);
    if (kind === 'go' && kept) {
      const after =
        at === this.first
          ? 'starts the stream'
          : at === this.droppedEnd
            ? `follows the separator on line ${line() - 1}`
            : 'is the first separator after the JSON object the stream starts with';
      throw keptSeparator(line(), text, after);
    }
    this.seen = true;
    if (!kept) this.droppedEnd = end;
    return kind;
  }
}

/** startsWithJson tells whether a stream's first character other than white space is `{`: Go then reads JSON first. */
export function startsWithJson(text: string): boolean {
  return text.charCodeAt(text.length - text.replace(GO_LEADING_SPACE, '').length) === 0x7b;
}

// The line as a message shows it: without trailing white space, and cut if long.
function shown(text: string): string {
  const line = text.replace(GO_TRAILING_SPACE, '');
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

function invalidSeparator(line: number, column: number, text: string, what: string): InputError {
  const fix = what.startsWith('-')
    ? 'a separator is three dashes with only white space and a comment after them: write `---` (or `# ---` for a comment)'
    : `only white space and a comment may follow the dashes: end the line after \`---\` and put \`${shown(what)}\` on the next ` +
      'line, or remove it';
  return new InputError(
    `line ${line}, column ${column}: \`${shown(text)}\` is not a valid document separator for Kubernetes, which refuses ` +
      `the whole stream for it ("invalid Yaml document separator: ${shown(what)}"); ${fix}`,
  );
}

function keptSeparator(line: number, text: string, after: string): InputError {
  const comment = text.slice(3).replace(GO_LEADING_SPACE, '');
  return new InputError(
    `line ${line}, column 4: \`${shown(text)}\` ${after}, where Kubernetes reads it as YAML text, not as a document ` +
      `separator (YAML needs a space between \`---\` and a comment); write \`${shown(`--- ${comment}`)}\``,
  );
}

/**
 * goSeparatorLength is the length of a document's first line, without its line break, when the line is a separator only
 * Go's reader takes (`---#…`, see separatorKind): Go drops it, and the document it reads starts after it. 0 otherwise.
 */
export function goSeparatorLength(text: string): number {
  if (!text.startsWith('---')) return 0;
  const eol = text.indexOf('\n');
  const end = eol === -1 ? text.length : text[eol - 1] === '\r' ? eol - 1 : eol;
  return separatorKind(text.slice(0, end)) === 'go' ? end : 0;
}

/** SplitOptions change how splitStream reads lines. */
export interface SplitOptions {
  /**
   * Cut at YAML's markers alone, leaving other `---` lines to the YAML reader: for text that is no stream Go's reader
   * splits (a ConfigMap's value, the documents of one of its chunks). Default: false.
   */
  yamlOnly?: boolean;
  /** Decodes the text of `src` between two offsets, when `src` is a view of bytes (see splitOnView). */
  decode?: (from: number, to: number) => string;
}

/**
 * splitStream cuts the input into segments: each starts at a `---` line (or at 0) and ends before the next. A `...` line closes
 * its segment. Throws InputError on a `---` line Go's reader refuses, or that Go and YAML read differently (see GoSeparators).
 */
export function splitStream(src: string, options: SplitOptions = {}): Segment[] {
  GO_ONLY_MARKER.lastIndex = 0;
  const odd = GO_ONLY_MARKER.exec(src);
  if (odd) throw goOnlyMarker(position(src, odd.index).line);
  // A byte order mark is not part of the stream Go's reader reads (in a view of bytes it is three characters).
  const first = src.charCodeAt(0) === 0xfeff ? 1 : options.decode && src.startsWith('\u00ef\u00bb\u00bf') ? 3 : 0;
  const separators = new GoSeparators(first, startsWithJson(src.slice(first, first + 4096)));
  const lineAt = (from: number, eol: number): string => {
    const end = eol === -1 ? src.length : eol;
    return options.decode ? options.decode(from, end) : src.slice(from, end);
  };
  const cuts: number[] = [0];
  const afterEnd: number[] = [];
  const lines = options.yamlOnly ? MARKER : DASHES_OR_END;
  lines.lastIndex = 0;
  // The stream's first line after a byte order mark, which the search below does not see as a line's start.
  if (!options.yamlOnly && first && src.startsWith('---', first)) {
    const eol = src.indexOf('\n');
    separators.check(lineAt(first, eol), first, eol === -1 ? src.length : eol + 1, () => 1);
  }
  for (let m = lines.exec(src); m; m = lines.exec(src)) {
    if (m.index > 0 && src[m.index - 1] !== '\n') continue;
    const eol = src.indexOf('\n', m.index);
    if (m[0] === '---') {
      const at = m.index;
      if (!options.yamlOnly)
        separators.check(lineAt(at, eol), at, eol === -1 ? src.length : eol + 1, () => position(src, at).line);
      // Directives (`%YAML 1.1`) just before a `---` belong to the document it starts.
      let start = at;
      while (start > 0) {
        const prev = src.lastIndexOf('\n', start - 2) + 1;
        if (src[prev] !== '%') break;
        start = prev;
      }
      if (start !== 0 && start > cuts[cuts.length - 1]) cuts.push(start);
    } else {
      const next = eol === -1 ? src.length : eol + 1;
      if (next < src.length) {
        cuts.push(next);
        afterEnd.push(next);
      }
    }
  }
  const segments: Segment[] = [];
  let line = 1;
  for (let i = 0; i < cuts.length; i++) {
    const start = cuts[i];
    const end = i + 1 < cuts.length ? cuts[i + 1] : src.length;
    if (end === start && src.length > 0) continue;
    const text = src.slice(start, end);
    // Go reads one document per `---` chunk: what follows a `...` line before the next `---` is never installed.
    if (afterEnd.includes(start) && !text.startsWith('---') && hasContent(text))
      throw new InputError(
        `document ${segments.length + 1} (line ${line}): follows a \`...\` line without a \`---\` line, so Kubernetes ` +
          'never reads it; start it with `---` (or remove it)',
      );
    segments.push({ index: segments.length, text, offset: start, line });
    line += countNewlines(text);
  }
  return segments;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** hasContent tells whether a segment holds anything but markers, comments and blank lines. */
export function hasContent(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === '...') continue;
    // Every `---` line left in a segment is a separator (splitStream refuses the others), `---#…` too.
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      if (rest === '' || rest.startsWith('#')) continue;
    }
    return true;
  }
  return false;
}

const KIND_LINE = /^kind:[ \t]*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s#'"][^\s#]*))[ \t]*(?:#.*)?\r?$/gm;

/**
 * sniffKind reads a document's top-level `kind` from its text alone.
 * Returns undefined when the text has no column-0 `kind:` line or more than one (a full parse must decide).
 */
export function sniffKind(text: string): string | undefined {
  KIND_LINE.lastIndex = 0;
  const first = KIND_LINE.exec(text);
  if (!first) return undefined;
  if (KIND_LINE.exec(text)) return undefined;
  return first[1] ?? first[2] ?? first[3];
}

/** lineEnding is the line break a segment uses, so added text matches it. */
export function lineEnding(text: string): '\n' | '\r\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * decodeInput turns stdin bytes into text, rejecting what no Kubernetes reader accepts. Throws InputError on invalid UTF-8 or a
 * NUL byte, naming UTF-16 and UTF-32 (see refuseWideEncoding).
 */
export function decodeInput(buf: Buffer): string {
  let text: string;
  try {
    // Most charts are plain ASCII, which decodes as Latin-1 several times faster than as UTF-8.
    text = isAscii(buf) ? buf.toString('latin1') : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    refuseWideEncoding(buf);
    const at = firstInvalidUtf8(buf);
    const { line, column } = position(buf.subarray(0, at).toString('utf8'), at);
    throw new InputError(
      `input is not valid UTF-8 (byte ${at}, line ${line}, column ${column}); Kubernetes manifests must be UTF-8`,
    );
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    refuseWideEncoding(buf);
    const { line, column } = position(text, nul);
    throw new InputError(`input contains a NUL byte at line ${line}, column ${column}; this is not a YAML text stream`);
  }
  return text;
}

/**
 * refuseWideEncoding throws InputError for input in UTF-16 or UTF-32, which kubectl reads (by its byte order mark) and
 * webhook-guard does not: told only that it is not UTF-8, or holds no `kind:` (its letters are apart), a user would not
 * know to convert it. UTF-16 is known by its byte order mark, or by a NUL byte in every other place at its start (ASCII
 * text in UTF-16 without one). Returns for any other input.
 */
export function refuseWideEncoding(buf: Buffer): void {
  const wide = wideEncoding(buf);
  if (wide)
    throw new InputError(
      `the input is ${wide.name} (${wide.by}), and webhook-guard reads UTF-8 only: convert it first ` +
        `(iconv -f ${wide.iconv} -t UTF-8)`,
    );
}

function wideEncoding(buf: Buffer): { name: string; by: string; iconv: string } | undefined {
  // UTF-32's little-endian mark starts with UTF-16's.
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0xfffe0000) return UTF32;
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x0000feff) return UTF32;
  if (buf.length >= 2 && (buf.readUInt16BE(0) === 0xfffe || buf.readUInt16BE(0) === 0xfeff))
    return { name: 'UTF-16', by: 'it starts with a UTF-16 byte order mark', iconv: 'UTF-16' };
  // Of the first 32 characters most have a NUL byte on one side (the ASCII ones), and none on the other (no text holds
  // the NUL character).
  const pairs = Math.min(buf.length, 64) >> 1;
  let low = 0;
  let high = 0;
  for (let i = 0; i < pairs; i++) {
    if (buf[2 * i] === 0) high++;
    if (buf[2 * i + 1] === 0) low++;
  }
  const most = (n: number) => pairs > 1 && n * 4 >= pairs * 3;
  if (most(low) && high === 0)
    return {
      name: 'UTF-16',
      by: 'a NUL byte after every other byte: little-endian, without a byte order mark',
      iconv: 'UTF-16LE',
    };
  if (most(high) && low === 0)
    return { name: 'UTF-16', by: 'a NUL byte before every other byte: big-endian, without a byte order mark', iconv: 'UTF-16BE' };
  return undefined;
}

const UTF32 = { name: 'UTF-32', by: 'it starts with a UTF-32 byte order mark', iconv: 'UTF-32' };

/** position turns an offset in `text` into a 1-based line and column, for messages. */
export function position(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  const line = countNewlines(before) + 1;
  const column = before.length - before.lastIndexOf('\n');
  return { line, column };
}

function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > buf.length) return i;
    for (let k = 1; k < len; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return buf.length;
}
