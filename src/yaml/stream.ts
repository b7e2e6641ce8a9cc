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
// Go's reader also splits where `---` is followed by other Unicode white space (strings.TrimSpace), which YAML
// does not: such a line would hide a document from webhook-guard that Kubernetes installs.
const GO_ONLY_MARKER = /^---[ \t]*[\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/gm;

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
 * splitStream cuts the input into segments: each starts at a `---` line (or at 0) and ends before the next. A `...` line closes
 * its segment.
 */
export function splitStream(src: string): Segment[] {
  GO_ONLY_MARKER.lastIndex = 0;
  const odd = GO_ONLY_MARKER.exec(src);
  if (odd) throw goOnlyMarker(position(src, odd.index).line);
  const cuts: number[] = [0];
  const afterEnd: number[] = [];
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(src); m; m = MARKER.exec(src)) {
    if (m.index > 0 && src[m.index - 1] !== '\n') continue;
    if (m[1] === '---') {
      // Directives (`%YAML 1.1`) just before a `---` belong to the document it starts.
      let at = m.index;
      while (at > 0) {
        const prev = src.lastIndexOf('\n', at - 2) + 1;
        if (src[prev] !== '%') break;
        at = prev;
      }
      if (at !== 0 && at > cuts[cuts.length - 1]) cuts.push(at);
    } else {
      const eol = src.indexOf('\n', m.index);
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
    if (afterEnd.includes(start) && !/^---(?=[ \t]|\r?\n|$)/.test(text) && hasContent(text))
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
    if (/^---(\s|$)/.test(line)) {
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
 * NUL byte.
 */
export function decodeInput(buf: Buffer): string {
  let text: string;
  try {
    // Most charts are plain ASCII, which decodes as Latin-1 several times faster than as UTF-8.
    text = isAscii(buf) ? buf.toString('latin1') : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    const { line, column } = position(buf.subarray(0, at).toString('utf8'), at);
    throw new InputError(
      `input is not valid UTF-8 (byte ${at}, line ${line}, column ${column}); Kubernetes manifests must be UTF-8`,
    );
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    const { line, column } = position(text, nul);
    throw new InputError(`input contains a NUL byte at line ${line}, column ${column}; this is not a YAML text stream`);
  }
  return text;
}

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
