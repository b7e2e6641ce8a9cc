// The process edge: stdin read whole as bytes, stdout written in pieces with back-pressure, a closed reader reported in one line.
import { constants } from 'node:buffer';
import { fstatSync, read, readFileSync, readlinkSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type V8 from 'node:v8';
import { isatty } from 'node:tty';
import { InputError } from '../errors.js';
import { ByteScan } from '../yaml/byte-stream.js';
import { escapeControls } from '../text.js';

// PIECE is how much of the output is written before waiting for the reader.
const PIECE = 4 << 20;
// The first size of the buffer a piped stdin is collected in, and how much larger the next one is (up to the most a
// Buffer can hold): 1, 16, 256 MiB… Only the pages written become resident; the bytes so far are copied at each step
// (1/15 of the input at most), and a chart's render takes one step at most.
const FIRST_STDIN_BUFFER = 1 << 20;
const STDIN_GROWTH = 16;
const MAX_STDIN = constants.MAX_LENGTH;
// Below this a piped input is scanned once it is all there: a chart's render (kube-prometheus-stack, 4.9 MiB) came
// 11 ms later when scanned between reads, 100 MiB 70 ms sooner.
const SCAN_WHILE_READING = 16 << 20;
// How much of a large file one read asks for: a few milliseconds of copying, about the time to scan the piece before.
const FILE_PIECE = 4 << 20;
// The size of a memory page on the systems Node runs on (larger pages are whole numbers of it).
const PAGE = 4096;
// From this size of input on, V8 compiles without inlining (see compileLean).
const LEAN_FROM = 8 << 20;

/** run answers `--version` without loading the CLI, otherwise runs it with the process's streams. */
export async function run(argv: string[]): Promise<void> {
  let writing = Promise.resolve();
  let stdoutBroken = false;
  // A reader that goes away (`| head`, a killed Helm) is reported in one line, not as a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (!stdoutBroken) process.stderr.write(`webhook-guard: cannot write the output (${err.code ?? err.message})\n`);
    stdoutBroken = true;
    process.exitCode = 1;
  });
  // stderr is best effort: a full or closed stderr (`2>/dev/full`) never changes the outcome, which is the exit
  // code and stdout. (An unhandled error there would end the run with exit 1 after a complete output.)
  process.stderr.on('error', () => {});
  // A closed stdout (`>&-`) would lose the output while the run exits 0: refuse before reading anything.
  if (!fdOpen(1)) {
    process.stderr.write('webhook-guard: stdout is closed; nothing could be written (run it with stdout open)\n');
    process.exitCode = 1;
    return;
  }
  if (argv.length === 1 && argv[0] === '--version') {
    const { version } = await import('../package.js');
    process.stdout.write(version() + '\n');
    return;
  }
  // writeInPieces writes a long output a few MB at a time, waiting for the reader between pieces: one write
  // would first encode all of it into a second copy, and a pipe whose reader lags (Helm, or any pipe) queues
  // every piece it has not taken yet (each 100 MB more for a 100 MB stream). Node keeps running until the
  // last piece is written.
  const writePieces = async (text: string) => {
    for (let i = 0; i < text.length && !stdoutBroken;) {
      let end = Math.min(text.length, i + PIECE);
      // Never split a surrogate pair: each half would be written as U+FFFD.
      const c = text.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end++;
      if (!process.stdout.write(text.slice(i, end))) await new Promise((resolve) => process.stdout.once('drain', resolve));
      i = end;
    }
  };
  // writeOut writes the pieces (mostly the input's own slices) corked a few MB at a time, so that each batch
  // goes out as one gathered write rather than a write per document, waiting for the reader between batches.
  const writeOut = async (pieces: Array<Buffer | string>) => {
    for (let i = 0; i < pieces.length && !stdoutBroken;) {
      process.stdout.cork();
      let ok = true;
      for (let size = 0; i < pieces.length && size < PIECE; i++) {
        const p = pieces[i];
        if (typeof p === 'string' && p.length > PIECE) {
          process.stdout.uncork();
          await writePieces(p);
          process.stdout.cork();
          continue;
        }
        ok = process.stdout.write(p) && ok;
        size += p.length;
      }
      process.stdout.uncork();
      if (!ok) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  };
  // What `check` and `unblock` read from files so far.
  let filesRead = 0;
  const { main } = await import('./main.js');
  process.exitCode = await main(argv, {
    readStdin: async () => {
      const stdin = stdinKind();
      if (stdin === 'closed') throw new InputError('stdin is closed: pipe rendered manifests into webhook-guard');
      if (stdin === 'directory') throw new InputError('stdin is a directory: pipe rendered manifests into webhook-guard');
      if (stdin !== 'file') return readPipe();
      const size = fstatSync(0).size;
      compileLean(size);
      return size < SCAN_WHILE_READING ? readFileSync(0) : readLargeFile(size);
    },
    stdout: (text) => {
      writing = writing.then(() => writePieces(text));
    },
    writeOut: (pieces) => {
      writing = writing.then(() => writeOut(pieces));
    },
    stderr: (text) => process.stderr.write(escapeControls(text)),
    sized: (bytes) => {
      filesRead += bytes;
      compileLean(filesRead);
    },
    // Asked of the descriptor: process.stdin would set up a stream for stdin, which is read otherwise (start-up time).
    stdinIsTTY: isatty(0),
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env,
  });
  await writing;
}

// readPipe collects a piped stdin into one buffer; when it is full, a larger one is taken and the bytes so far copied
// into it (see STDIN_GROWTH). The reads go straight into it, so no chunk is left for the garbage collector. A fixed
// buffer, not a resizable one that grows in place: every later look at the input's bytes (the scan's searches, the
// documents' slices) is slower on a resizable one (100 MiB through a pipe: 878 → 819 ms). The reads block this thread,
// which has nothing else to do until the input is all there: a read from libuv's thread pool cost a hand-over each time
// (100 MiB through a pipe read whole 213 → 178 ms after start). The bytes that came are scanned for the split between
// reads (see ByteScan) while the writer fills the pipe again. A stdin that its writer made non-blocking (EAGAIN) is
// read on as a stream.
async function readPipe(): Promise<Buffer> {
  let buf = Buffer.allocUnsafeSlow(FIRST_STDIN_BUFFER);
  let length = 0;
  const room = (more: number): void => {
    if (length + more <= buf.length) return;
    if (length + more > MAX_STDIN) throw new InputError(`stdin is over ${MAX_STDIN} bytes, more than a Buffer holds`);
    const bigger = Buffer.allocUnsafeSlow(Math.min(MAX_STDIN, Math.max(length + more, buf.length * STDIN_GROWTH)));
    buf.copy(bigger, 0, 0, length);
    buf = bigger;
  };
  const scan = new ByteScan();
  for (;;) {
    room(1);
    let n: number;
    try {
      n = readSync(0, buf, length, buf.length - length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
        room(chunk.length);
        chunk.copy(buf, length);
        length += chunk.length;
        compileLean(length);
      }
      break;
    }
    if (n === 0) break;
    length += n;
    compileLean(length);
    if (length >= SCAN_WHILE_READING) scan.more(buf.subarray(0, length));
  }
  const all = buf.subarray(0, length);
  scan.end(all);
  return all;
}

// readLargeFile reads a large file into one buffer of its size, a piece at a time: the thread pool copies the next
// piece while this thread scans the last (100 MiB: the read's 55 ms overlap the scan's 90). A fixed-length buffer, as for
// a pipe (see readPipe). A file that grew since its size was asked is read to its end all the same.
async function readLargeFile(size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafeSlow(size);
  const next = (at: number): Promise<number> =>
    new Promise((resolve, reject) =>
      read(0, buf, at, Math.min(FILE_PIECE, size - at), null, (err, bytes) => (err ? reject(err) : resolve(bytes))),
    );
  const scan = new ByteScan();
  let length = 0;
  // Where the pages from the end on were touched by this thread.
  let touched = size;
  for (let pending = next(0); length < size;) {
    const n = await pending;
    if (n === 0) break;
    length += n;
    if (length < size) pending = next(length);
    scan.more(buf.subarray(0, length));
    // The memory of a fresh buffer is mapped on first touch, a page at a time, and that costs more than copying the
    // bytes into it: while the thread pool reads from the front, this thread, which would wait, touches a piece from
    // the end, past the piece being read (100 MiB read 80 → 57 ms). A byte a page maps it; the read overwrites them.
    if (touched - FILE_PIECE >= length + FILE_PIECE) {
      touched -= FILE_PIECE;
      for (let at = touched; at < touched + FILE_PIECE; at += PAGE) buf[at] = 0;
    }
  }
  const all = buf.subarray(0, length);
  // Grown since: the rest is read, and the split scans the whole again. (One byte asks: readFileSync would first make
  // room for the whole file again.)
  const probe = Buffer.alloc(1);
  if (length === size && readSync(0, probe, 0, 1, null) === 1) return Buffer.concat([all, probe, readFileSync(0)]);
  scan.end(all);
  return all;
}

let lean = false;

// compileLean turns V8's inlining off for the rest of the run once the input read so far (`bytes`) comes to LEAN_FROM.
// V8 optimizes a run's hot functions on background threads while the run goes on; inlining makes those jobs several
// times larger, and on a machine with few cores they take the CPU a large input's run needs (see README, Performance).
// A small input's run is over before much is optimized, and loading node:v8 costs it 2 ms. (Set at start-up, the flag
// would also void the code cache, which V8 takes only under the flags it was made with.)
function compileLean(bytes: number): void {
  if (lean || bytes < LEAN_FROM) return;
  lean = true;
  (createRequire(import.meta.url)('node:v8') as typeof V8).setFlagsFromString('--no-turbo-inlining');
}

function stdinKind(): 'file' | 'directory' | 'closed' | 'other' {
  if (!fdOpen(0)) return 'closed';
  try {
    const st = fstatSync(0);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'closed';
  }
}

// Node reopens a closed stdin, stdout or stderr as /dev/null read-write before any code runs, so a closed
// stream looks open. A shell redirection opens /dev/null for reading or for writing only; read-write /dev/null
// is how Node's reopening shows (Linux: /proc/self/fdinfo). Elsewhere a closed stream cannot be told apart.
function fdOpen(fd: number): boolean {
  try {
    fstatSync(fd);
  } catch {
    return false;
  }
  try {
    if (readlinkSync(`/proc/self/fd/${fd}`) !== '/dev/null') return true;
    const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags === undefined || (parseInt(flags, 8) & 3) !== 2;
  } catch {
    return true;
  }
}
