// Splits stdin's bytes into segments without decoding the input: each segment decodes its own slice on demand.
import { isAscii, isUtf8 } from 'node:buffer';
import { InputError } from '../errors.js';
import { lineScan, PIECE, type LineScan } from './line-scan.js';
import {
  decodeInput,
  GoSeparators,
  goOnlyMarker,
  hasContent,
  isGoOnlyMarker,
  position,
  splitStream,
  startsWithJson,
  type ByteLook,
  type Segment,
} from './stream.js';

const NUL = 0;
const TAB = 9;
const LF = 10;
const VT = 11;
const FF = 12;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const PERCENT = 37;
const DASH = 45;
const DOT = 46;
// A `---` line whose dashes are followed (after blanks) by a byte of a multi-byte character.
const SUSPECT = /^---[ \t]*[\u0080-\u00ff]/gm;
// U+2028 and U+2029 are E2 80 A8 and E2 80 A9: one search for their first two bytes finds both (and the few
// curly quotes and dashes that share them).
const E2_80 = Buffer.from([0xe2, 0x80]);
const NEL = Buffer.from('\u0085');
const BOM = Buffer.from('\ufeff');

/**
 * Split is what a byte split knows about the whole input, shared by its segments: the input, where its column-0
 * lines start (none of them blank, indented or a comment), and line numbers, counted only when asked for.
 */
class Split {
  private counted = 0;
  private line = 1;

  constructor(
    readonly buf: Buffer,
    // Undefined where the bytes alone do not show the lines as both Go and the text patterns see them (see splitBytes).
    readonly tops: number[] | undefined,
    private readonly scan?: ByteScan,
  ) {}

  /** ascii tells whether buf[from, to) is all ASCII, asking the scan first. */
  ascii(from: number, to: number): boolean {
    return this.scan?.ascii(from, to, this.buf) ?? isAscii(this.buf.subarray(from, to));
  }

  /** lineOf is the 1-based line of a byte offset: messages ask for few, mostly in stream order. */
  lineOf(offset: number): number {
    if (offset < this.counted) {
      this.counted = 0;
      this.line = 1;
    }
    const buf = this.buf;
    for (let i = buf.indexOf(LF, this.counted); i !== -1 && i < offset; i = buf.indexOf(LF, i + 1)) this.line++;
    this.counted = offset;
    return this.line;
  }
}

/**
 * ByteSegment is a segment kept as a slice of the input buffer. Its text is decoded when asked for and
 * not kept, so the stream is never held twice: untouched documents are written as these bytes.
 */
class ByteSegment implements Segment {
  private knownLine: number | undefined;

  constructor(
    readonly index: number,
    readonly bytes: Buffer,
    readonly offset: number,
    private readonly split: Split,
    // The segment's column-0 lines: split.tops[from .. to).
    private readonly from = 0,
    private readonly to = 0,
    line?: number,
  ) {
    this.knownLine = line;
  }

  get line(): number {
    return (this.knownLine ??= this.split.lineOf(this.offset));
  }

  get text(): string {
    // The scan of a large input knows which of its stretches are ASCII: no second pass over the bytes for that.
    return decodeSlice(this.bytes, this.split.ascii(this.offset, this.offset + this.bytes.length));
  }

  look(): ByteLook | undefined {
    const { tops, buf } = this.split;
    // A byte order mark that starts the stream is not part of the text the reader looks at (see readStream).
    if (tops === undefined || (this.offset === 0 && this.bytes.subarray(0, 3).equals(BOM))) return undefined;
    // Most documents are ASCII, which the scan knows: their lines are decoded as Latin-1 straight from the input.
    const ascii = this.split.ascii(this.offset, this.offset + this.bytes.length);
    const lines: string[] = [];
    for (let k = this.from; k < this.to; k++) {
      const eol = buf.indexOf(LF, tops[k]);
      const end = eol === -1 ? buf.length : eol + 1;
      lines.push(ascii ? buf.toString('latin1', tops[k], end) : decodeSlice(buf.subarray(tops[k], end)));
    }
    // splitBytes took the byte way only without carriage returns and Unicode line separators; of the other characters
    // that make Go and a pattern see different lines, NEL and a byte order mark are multi-byte.
    const plain = ascii || (!this.bytes.includes(NEL) && !this.bytes.includes(BOM));
    return { bytes: this.bytes, lines, plain };
  }
}

/**
 * decodeSlice decodes an already validated UTF-8 slice; ASCII decodes as Latin-1, several times faster and one byte a character.
 * `ascii`, when the caller knows it, spares the look at the bytes.
 */
export function decodeSlice(bytes: Buffer, ascii = isAscii(bytes)): string {
  return ascii ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * splitBytes is splitStream over a buffer: the same cuts, found on the bytes, with each segment a slice of `buf`.
 * Throws InputError, as decodeInput does, on invalid UTF-8 or a NUL byte, and as splitStream does on markers.
 */
export function splitBytes(buf: Buffer): Segment[] {
  const scan = SCANNED.get(buf)?.length === buf.length ? SCANNED.get(buf)! : new ByteScan().end(buf);
  if (!scan.utf8(buf) || scan.nul) decodeInput(buf);
  // JavaScript's `^` also starts a line after a carriage return and after U+2028 and U+2029, where Go's reader does not:
  // the few inputs with those are split on a decoded view, by the text split itself.
  if (scan.breaks) return splitOnView(buf, isAscii(buf));
  const split = new Split(buf, scan.tops, scan);
  const tops = split.tops!;
  const cuts: number[] = [0];
  const afterEnd = new Set<number>();
  // Go reads the stream without a byte order mark: its first line starts after one.
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const separators = new GoSeparators(bom, startsWithJson(buf.toString('utf8', bom, bom + 4096)));
  for (const top of tops) {
    const at = top === 0 ? bom : top;
    const c = buf[at];
    if ((c !== DASH && c !== DOT) || buf[at + 1] !== c || buf[at + 2] !== c) continue;
    if (c === DASH) {
      // Go's reader also splits where `---` is followed by a form feed or other Unicode white space, which YAML does not.
      let k = at + 3;
      while (buf[k] === SPACE || buf[k] === TAB) k++;
      if ((buf[k] === FF || buf[k] === VT || buf[k] >= 0x80) && isGoOnlyMarker(lineText(buf, at)))
        throw goOnlyMarker(split.lineOf(at));
      // Every `---` line is a separator to Go, or refused; most are the dashes alone, which need no decoding.
      // Most are the dashes alone: their line feed is right after them, and no search is needed.
      const eol = buf[at + 3] === LF ? at + 3 : buf.indexOf(LF, at);
      const text = eol === at + 3 || at + 3 === buf.length ? '---' : lineText(buf, at);
      separators.check(text, at, eol === -1 ? buf.length : eol + 1, () => split.lineOf(at));
      // The stream's first line starts its first segment.
      if (top === 0) continue;
      // Directives (`%YAML 1.1`) just before a `---` belong to the document it starts.
      let start = at;
      while (start > 0) {
        const prev = buf.lastIndexOf(LF, Math.max(start - 2, 0)) + 1;
        if (buf[prev] !== PERCENT) break;
        start = prev;
      }
      if (start !== 0 && start > cuts[cuts.length - 1]) cuts.push(start);
    } else {
      const next = buf[at + 3];
      if (at + 3 < buf.length && next !== SPACE && next !== TAB && next !== LF) continue;
      const eol = buf.indexOf(LF, at);
      const after = eol === -1 ? buf.length : eol + 1;
      if (after < buf.length) {
        cuts.push(after);
        afterEnd.add(after);
      }
    }
  }
  const segments: Segment[] = [];
  let top = 0;
  for (let i = 0; i < cuts.length; i++) {
    const start = cuts[i];
    const end = i + 1 < cuts.length ? cuts[i + 1] : buf.length;
    if (end === start && buf.length > 0) continue;
    const from = top;
    while (top < tops.length && tops[top] < end) top++;
    const segment = new ByteSegment(segments.length, buf.subarray(start, end), start, split, from, top);
    // Go reads one document per `---` chunk: what follows a `...` line before the next `---` is never installed.
    if (afterEnd.has(start) && !startsWithDashes(buf, start) && hasContent(segment.text))
      throw new InputError(
        `document ${segments.length + 1} (line ${segment.line}): follows a \`...\` line without a \`---\` line, so ` +
          'Kubernetes never reads it; start it with `---` (or remove it)',
      );
    segments.push(segment);
  }
  return segments;
}

const startsWithDashes = (buf: Buffer, at: number): boolean => buf[at] === DASH && buf[at + 1] === DASH && buf[at + 2] === DASH;

/**
 * ByteScan looks through the input for what splitBytes needs before it cuts: where the lines start that are neither
 * blank, indented nor comments (the only lines a split, a kind sniff and the check of the top level look at, about
 * one in seventy in real renders), and whether a NUL, a carriage return or U+2028/2029 is anywhere. It takes the
 * input as it arrives (a piped stdin is scanned between reads, while the writer writes): `more` with the bytes so
 * far, `end` with all of them.
 */
export class ByteScan {
  readonly tops: number[] = [];
  nul = false;
  /** A carriage return or U+2028/2029: the text split decides (see splitBytes). */
  breaks = false;
  /** How many bytes were scanned, once ended. */
  length = -1;
  // The first offset not yet known to start a column-0 line or not (its line feed is the byte before), and where the
  // search for U+2028/2029 goes on.
  private next = 0;
  private flags = 0;
  // Where the bytes may not be ASCII: pieces the WebAssembly scan saw a byte of 0x80 or above in, joined where they meet
  // (pairs of offsets); undefined once Buffer searches looked at some bytes, which tell nothing of that.
  private notAscii: number[] | undefined = [];

  /**
   * `scan` looks through the bytes once there are `piecesFrom` or more of them (see line-scan.ts; by default made
   * then: it costs about a millisecond); with null, Buffer searches do.
   */
  constructor(
    private scan?: LineScan | null,
    private readonly piecesFrom = BY_PIECES,
  ) {}

  more(bytes: Buffer): this {
    const n = bytes.length;
    // The bytes before `seen` were scanned by an earlier call.
    const seen = this.next;
    if (this.next === 0 && n > 0) {
      if (startsLine(bytes[0])) this.tops.push(0);
      this.next = 1;
    }
    const scan = n >= this.piecesFrom ? this.lineScan() : null;
    if (scan) this.byPieces(bytes, scan, seen);
    else this.bySearches(bytes);
    this.next = Math.max(this.next, n);
    return this;
  }

  // lineScan is the WebAssembly scan given, or made on first use; null for none.
  private lineScan(): LineScan | null {
    if (this.scan === undefined) this.scan = lineScan() ?? null;
    return this.scan;
  }

  end(all: Buffer): this {
    this.more(all);
    this.length = all.length;
    SCANNED.set(all, this);
    return this;
  }

  /** utf8 tells whether the bytes it ended on are UTF-8: it checks only where they may not be ASCII. */
  utf8(all: Buffer): boolean {
    if (this.notAscii === undefined || this.length !== all.length) return isUtf8(all);
    // Each stretch starts and ends inside ASCII pieces (pieces share a byte), so no character is cut.
    for (let k = 0; k < this.notAscii.length; k += 2)
      if (!isUtf8(all.subarray(this.notAscii[k], this.notAscii[k + 1]))) return false;
    return true;
  }

  /**
   * ascii is true when bytes [from, to) are all in pieces the scan saw as ASCII, and undefined when the scan cannot tell
   * (they reach into a stretch that is not, or Buffer searches scanned them). Given the scanned bytes, it looks at the
   * part of each such stretch inside the range, and tells either way.
   */
  ascii(from: number, to: number, all?: Buffer): boolean | undefined {
    if (this.notAscii === undefined || this.length === -1) return undefined;
    // Few stretches: most inputs are ASCII but for a few quotes and names.
    for (let k = 0; k < this.notAscii.length; k += 2) {
      const start = Math.max(from, this.notAscii[k]);
      const end = Math.min(to, this.notAscii[k + 1]);
      if (start >= end) continue;
      // A large document that shares a piece with a curly quote is looked at there only, not through all its bytes.
      if (!all) return undefined;
      if (!isAscii(all.subarray(start, end))) return false;
    }
    return true;
  }

  private bySearches(bytes: Buffer): void {
    const n = bytes.length;
    if (n > 0) this.notAscii = undefined;
    // A line feed that is the last byte so far starts a line whose first byte has not come yet: it is looked at again.
    for (let i = bytes.indexOf(LF, this.next - 1); i !== -1 && i + 1 < n; i = bytes.indexOf(LF, i + 1))
      if (startsLine(bytes[i + 1])) this.tops.push(i + 1);
    this.nul ||= bytes.indexOf(NUL, this.flags) !== -1;
    this.breaks ||= bytes.indexOf(CR, this.flags) !== -1;
    if (!this.separators(bytes, this.flags, n)) this.flags = Math.max(this.flags, n - 1);
  }

  // byPieces is `more` by the WebAssembly scan over the bytes from `seen` on, a piece at a time; each piece starts at the
  // last byte of the one before (a line feed there starts a line in this one). U+2028 and U+2029 are searched for only
  // in pieces with a byte that can start them.
  private byPieces(bytes: Buffer, scan: LineScan, seen: number): void {
    const n = bytes.length;
    if (n <= seen) return;
    // E2 80 that ended the bytes before (the search stopped there): the byte after them has come now.
    let before = this.flags < seen - 1;
    let unfinished = false;
    for (let from = Math.max(0, seen - 1), to = 0; to < n; from = to - 1) {
      to = Math.min(n, from + PIECE);
      const look = scan.look(bytes, from, to);
      for (let k = 0; k < look.tops.length; k++) this.tops.push(from + look.tops[k]);
      this.nul ||= look.nul;
      this.breaks ||= look.cr;
      if (!look.ascii && this.notAscii) {
        const last = this.notAscii.length - 1;
        if (last > 0 && this.notAscii[last] >= from) this.notAscii[last] = to;
        else this.notAscii.push(from, to);
      }
      if (look.wide || before) unfinished = this.separators(bytes, before ? this.flags : from, to);
      before = false;
    }
    if (!unfinished) this.flags = Math.max(this.flags, n - 1);
  }

  // separators searches bytes[from, to) for U+2028/2029 (E2 80 A8 and E2 80 A9; E2 80 across `to` is in the next
  // piece, which starts a byte before), and tells whether it stopped at E2 80 that are the last two bytes so far: the next
  // search starts there, as their third byte comes with the next read.
  private separators(bytes: Buffer, from: number, to: number): boolean {
    const n = bytes.length;
    if (this.breaks) return false;
    const window = bytes.subarray(from, to);
    for (let k = window.indexOf(E2_80); k !== -1; k = window.indexOf(E2_80, k + 2)) {
      const at = from + k;
      if (at + 2 >= n) {
        this.flags = at;
        return true;
      }
      if (bytes[at + 2] === 0xa8 || bytes[at + 2] === 0xa9) {
        this.breaks = true;
        return false;
      }
    }
    this.flags = Math.max(this.flags, to - 1);
    return false;
  }
}

// Below this many bytes the Buffer searches look (a chart's render): the module costs about a millisecond to
// make, and runs slower until V8 has compiled it fully.
const BY_PIECES = 1 << 20;

// Scans ended on an input, for splitBytes: a Buffer the CLI read from a pipe was scanned as it came.
const SCANNED = new WeakMap<Buffer, ByteScan>();

const startsLine = (c: number): boolean => c !== SPACE && c !== TAB && c !== LF && c !== CR && c !== HASH;

/** lineText is the decoded line that starts at `at`, without its line feed. */
export function lineText(buf: Buffer, at: number): string {
  const eol = buf.indexOf(LF, at);
  return decodeSlice(buf.subarray(at, eol === -1 ? buf.length : eol));
}

// splitOnView is splitBytes by the text split, on a Latin-1 view of the bytes (whose offsets are the byte offsets,
// and in which every marker, line break and `kind:` line reads as in the decoded text).
function splitOnView(buf: Buffer, ascii: boolean): Segment[] {
  const view = buf.toString('latin1');
  // Unicode spaces after `---` (NEL, no-break and ideographic spaces…) are several bytes, so the Latin-1 view does not
  // show them as themselves: the lines that might hold one are decoded and checked as splitStream checks text.
  if (!ascii) {
    SUSPECT.lastIndex = 0;
    for (let m = SUSPECT.exec(view); m; m = SUSPECT.exec(view)) {
      const eol = view.indexOf('\n', m.index);
      if (isGoOnlyMarker(buf.toString('utf8', m.index, eol === -1 ? buf.length : eol)))
        throw goOnlyMarker(position(view, m.index).line);
    }
  }
  const split = new Split(buf, undefined);
  // Separator lines are decoded for what follows their dashes (Go's white space, a message's quote).
  return splitStream(view, { decode: (from, to) => buf.toString('utf8', from, to) }).map(
    (s) => new ByteSegment(s.index, buf.subarray(s.offset, s.offset + s.text.length), s.offset, split, 0, 0, s.line),
  );
}

/** head is the start of a segment's text, about `length` characters, decoded alone. */
export function head(segment: Segment, length: number): string {
  return segment instanceof ByteSegment ? decodeSlice(segment.bytes.subarray(0, length)) : segment.text.slice(0, length);
}

/** bytesOf is a segment's bytes: its own slice of the input when it has one, else its text encoded. */
export function bytesOf(segment: Segment): Buffer | string {
  return segment instanceof ByteSegment ? segment.bytes : segment.text;
}

/**
 * mayBeResourceList tells, without decoding the input, whether it can be a KRM ResourceList (which
 * isResourceList then decides on the text): JSON, or at most one column-0 `kind:` line, as sniffKind
 * needs. It stops at the second `kind:` line, so a manifest stream costs a few bytes of search.
 */
export function mayBeResourceList(buf: Buffer): boolean {
  for (let i = 0; i < buf.length && i < 1024; i++) {
    const b = buf[i];
    if (b === 0x7b) return true;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) break;
  }
  let kinds = buf.subarray(0, 5).toString('latin1') === 'kind:' ? 1 : 0;
  for (let at = buf.indexOf('\nkind:'); at !== -1 && kinds < 2; at = buf.indexOf('\nkind:', at + 1)) kinds++;
  return kinds < 2;
}
