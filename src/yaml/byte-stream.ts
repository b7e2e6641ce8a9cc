// Splits stdin's bytes into segments without decoding the whole input: each segment decodes its own slice on demand.
import { isAscii, isUtf8 } from 'node:buffer';
import { decodeInput, goOnlyMarker, isGoOnlyMarker, position, splitStream, type Segment } from './stream.js';

const NUL = 0;
// A `---` line whose dashes are followed (after blanks) by a byte of a multi-byte character.
const SUSPECT = /^---[ \t]*[\u0080-\u00ff]/gm;

/**
 * ByteSegment is a segment kept as a slice of the input buffer. Its text is decoded when asked for and
 * not kept, so the stream is never held twice: untouched documents are written as these bytes.
 */
class ByteSegment implements Segment {
  constructor(
    readonly index: number,
    readonly bytes: Buffer,
    readonly offset: number,
    readonly line: number,
    // The Latin-1 view the split was made on, shared by the stream's segments until released.
    private readonly split: { view?: string },
  ) {}

  get text(): string {
    return decodeSlice(this.bytes);
  }

  peek(): string | undefined {
    const view = this.split.view;
    return view !== undefined && isAscii(this.bytes) ? view.slice(this.offset, this.offset + this.bytes.length) : undefined;
  }

  release(): void {
    this.split.view = undefined;
  }
}

/**
 * decodeSlice decodes an already validated UTF-8 slice; ASCII decodes as Latin-1, several times faster and one byte a character.
 */
export function decodeSlice(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * splitBytes is splitStream over a buffer: the same cuts (found on a Latin-1 view, whose offsets are the
 * byte offsets, and in which every marker, line break and `kind:` line reads as in the decoded text),
 * with each segment a slice of `buf`. Throws InputError, as decodeInput does, on invalid UTF-8 or a NUL byte.
 */
export function splitBytes(buf: Buffer): Segment[] {
  if (!isUtf8(buf) || buf.indexOf(NUL) !== -1) decodeInput(buf);
  const view = buf.toString('latin1');
  // Unicode spaces after `---` (NEL, no-break and ideographic spaces…) are several bytes, so the Latin-1 view does not
  // show them as themselves: the lines that might hold one are decoded and checked as splitStream checks text.
  if (!isAscii(buf)) {
    SUSPECT.lastIndex = 0;
    for (let m = SUSPECT.exec(view); m; m = SUSPECT.exec(view)) {
      const eol = view.indexOf('\n', m.index);
      if (isGoOnlyMarker(buf.toString('utf8', m.index, eol === -1 ? buf.length : eol)))
        throw goOnlyMarker(position(view, m.index).line);
    }
  }
  const split: { view?: string } = { view: buf.length <= PEEK_LIMIT ? view : undefined };
  return splitStream(view).map(
    (s) => new ByteSegment(s.index, buf.subarray(s.offset, s.offset + s.text.length), s.offset, s.line, split),
  );
}

// Up to this size the Latin-1 view is kept for the reading pass's looks (see readStream), which then decodes only
// the documents it reads fully (kube-prometheus-stack, 4.9 MiB: 9 ms less). Beyond it each document is decoded for
// its look: V8 frees the view (an external string) only at a full collection, which a run that decodes little
// does not trigger, so it would stay beside everything else to the end (measured: 30 MiB more peak memory on 100 MiB).
const PEEK_LIMIT = 32 << 20;

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
