// One pass over a large input's bytes in WebAssembly (SIMD): where its column-0 lines start, and whether it holds a NUL,
// a carriage return, a byte that can start U+2028/2029, or any byte not ASCII. Written out here as bytecode, opcode by opcode.
//
// The same questions asked with Buffer searches cost a call per line (1.75 million on 100 MiB of renders: 40 ms) and
// one more pass over all the bytes for each character (10 ms each). Here each 256 KiB piece is copied into the
// module's memory and looked through 32 bytes at a time, the bytes after line feeds among them too: only a line that
// starts at column 0 (about one in seventy) takes a step of its own. (Looking at the byte after each line feed one by
// one took 26 ms for 100 MiB of renders, warm; this 20.) The module also searches bytes for a word (crd-text.ts asks it
// for `conversion` in large CRDs).

/** PIECE is how many bytes one call looks through. */
export const PIECE = 1 << 18;
/** MAX_NEEDLE is the longest word `indexOf` searches for. */
export const MAX_NEEDLE = 32;
// Memory: the piece at 0 (and PAD bytes of spaces after it, which the 32-byte steps and a search's second load may read),
// the lanes' smallest and largest bytes and the carriage-return flag at FLAGS, the word searched for at NEEDLE, then the
// offsets of column-0 lines found (at most one in two bytes).
const PAD = 64;
const FLAGS = PIECE + PAD;
const NEEDLE = FLAGS + 64;
const OUT = NEEDLE + 64;
const PAGES = Math.ceil((OUT + (PIECE / 2) * 4) / 65536);

/** Look is what one piece holds. */
export interface Look {
  /** Offsets (in the piece) of the bytes that start a line and are not a space, tab, line feed, carriage return or `#`. */
  tops: Int32Array;
  nul: boolean;
  cr: boolean;
  /** A byte of 0xE2 or above: U+2028 and U+2029 start with E2 80. */
  wide: boolean;
  /** No byte of 0x80 or above. */
  ascii: boolean;
}

/** LineScan looks through pieces of bytes. */
export interface LineScan {
  look(bytes: Buffer, from: number, to: number): Look;
  /** indexOf is `bytes.indexOf(word)` for a word of 1 to MAX_NEEDLE bytes: where it first is, or -1. */
  indexOf(bytes: Buffer, word: Buffer): number;
}

let made: LineScan | null | undefined;

/** madeLineScan is the module if something made it already (a large input's scan), else undefined. */
export function madeLineScan(): LineScan | undefined {
  return made ?? undefined;
}

/**
 * searchBytes is `bytes.indexOf(word)` for a word of 1 to MAX_NEEDLE bytes, by the module where a large input's scan made
 * it and the bytes are many: Buffer's search stops at each byte that could start the word, the module looks at 16
 * positions a step.
 */
export function searchBytes(bytes: Buffer, word: Buffer): number {
  const scan = bytes.length >= SEARCH_FROM ? madeLineScan() : undefined;
  return scan ? scan.indexOf(bytes, word) : bytes.indexOf(word);
}
// Below this, the copy into the module's memory and the call cost more than they save.
const SEARCH_FROM = 16 << 10;

/**
 * lineScan is the module, made on first use (about a millisecond: its bytecode is put together, then compiled);
 * undefined where WebAssembly is not there (`node --jitless`) or has no SIMD.
 */
export function lineScan(): LineScan | undefined {
  if (made === undefined) made = make();
  return made ?? undefined;
}

// The parts of WebAssembly used here (TypeScript declares them only with the DOM's types).
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

function make(): LineScan | null {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!wasm) return null;
  let exports: Record<string, unknown>;
  try {
    exports = new wasm.Instance(new wasm.Module(module())).exports;
  } catch {
    // No SIMD in this engine: the Buffer searches answer.
    return null;
  }
  const scan = exports.scan as (n: number) => number;
  const find = exports.find as (n: number, length: number) => number;
  const memory = (exports.memory as { buffer: ArrayBuffer }).buffer;
  const piece = Buffer.from(memory, 0, PIECE + PAD);
  const flags = new Uint8Array(memory, FLAGS, 36);
  const needle = Buffer.from(memory, NEEDLE, MAX_NEEDLE);
  const out = new Int32Array(memory, OUT, PIECE / 2);
  return {
    look(bytes, from, to) {
      const n = to - from;
      if (n > PIECE) throw new RangeError(`a piece of ${n} bytes is over ${PIECE}`);
      bytes.copy(piece, 0, from, to);
      piece.fill(SPACE, n, n + PAD);
      const count = scan(n);
      let min = 255;
      let max = 0;
      for (let k = 0; k < 16; k++) {
        if (flags[k] < min) min = flags[k];
        if (flags[16 + k] > max) max = flags[16 + k];
      }
      return { tops: out.slice(0, count), nul: min === 0, cr: flags[32] !== 0, wide: max >= 0xe2, ascii: max < 0x80 };
    },
    indexOf(bytes, w) {
      const length = w.length;
      if (length < 1 || length > MAX_NEEDLE) throw new RangeError(`a word of ${length} bytes is not 1 to ${MAX_NEEDLE}`);
      w.copy(needle, 0);
      // Pieces overlap by the word's length less one: a word across their seam is whole in the second.
      for (let from = 0; from + length <= bytes.length; from += PIECE - length + 1) {
        const to = Math.min(bytes.length, from + PIECE);
        bytes.copy(piece, 0, from, to);
        piece.fill(SPACE, to - from, to - from + PAD);
        const at = find(to - from, length);
        if (at !== -1) return from + at;
        if (to === bytes.length) break;
      }
      return -1;
    },
  };
}

const SPACE = 0x20;

// The module's bytecode: scan(n), over the piece's first n bytes, returns how many offsets it wrote; find(n, length) is
// where the word at NEEDLE, `length` bytes long, first is in them, or -1.
function module(): Uint8Array {
  // Locals: the parameter n, then i32s, then v128s.
  const [N, I, K, M, S, T, CARRY] = [0, 1, 2, 3, 4, 5, 6];
  const [V, MIN, MAX, CR, LFS, CRS, SPACES, TABS, HASHES, X, Y] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const i32 = (v: number) => [0x41, ...sleb(v)];
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const [block, loop, end, br, brIf] = [[0x02, 0x40], [0x03, 0x40], [0x0b], [0x0c], [0x0d]];
  const [eqz, geU, add, sub, and, or, xor, shl, shrU, ctz] = [0x45, 0x4f, 0x6a, 0x6b, 0x71, 0x72, 0x73, 0x74, 0x76, 0x68];
  const store32 = (offset: number) => [0x36, 2, ...uleb(offset)];
  const [v128load, v128store, splat, eq, vor, anyTrue, bitmask, minU, maxU] = [
    0x00, 0x0b, 0x0f, 0x23, 0x50, 0x53, 0x64, 0x77, 0x79,
  ];
  const shifted = (shift: number) => (shift ? [...i32(shift), shl] : []);
  // Adds `by` to a local; clears a mask's lowest set bit; goes round the loop again (then ends it and its block).
  const bump = (local: number, by: number) => [...get(local), ...i32(by), add, ...set(local)];
  const dropLowest = (mask: number) => [...get(mask), ...get(mask), ...i32(1), sub, and, ...set(mask)];
  const again = [...br, 0, ...end, ...end];
  // One 16-byte lane at i + offset: smallest and largest bytes so far, carriage returns so far; its line feeds as bits of
  // M, and its bytes that cannot start a line as bits of S (byte-stream.ts's startsLine, which the tests compare with
  // this: a space, tab, line feed, carriage return or `#`), from bit `shift` on.
  // prettier-ignore
  const lane = (offset: number, shift: number) => [
    ...get(I), ...simd(v128load), 0, ...uleb(offset), ...set(V),
    ...get(MIN), ...get(V), ...simd(minU), ...set(MIN),
    ...get(MAX), ...get(V), ...simd(maxU), ...set(MAX),
    ...get(V), ...get(CRS), ...simd(eq), ...tee(X), ...get(CR), ...simd(vor), ...set(CR),
    ...get(V), ...get(LFS), ...simd(eq), ...tee(Y), ...simd(bitmask), ...shifted(shift), ...get(M), or, ...set(M),
    ...get(X), ...get(Y), ...simd(vor),
    ...get(V), ...get(SPACES), ...simd(eq), ...simd(vor),
    ...get(V), ...get(TABS), ...simd(eq), ...simd(vor),
    ...get(V), ...get(HASHES), ...simd(eq), ...simd(vor),
    ...simd(bitmask), ...shifted(shift), ...get(S), or, ...set(S),
  ];
  // prettier-ignore
  const body = [
    ...i32(0x0a), ...simd(splat), ...set(LFS),
    ...i32(0x0d), ...simd(splat), ...set(CRS),
    ...i32(0x20), ...simd(splat), ...set(SPACES),
    ...i32(0x09), ...simd(splat), ...set(TABS),
    ...i32(0x23), ...simd(splat), ...set(HASHES),
    ...i32(0xff), ...simd(splat), ...set(MIN),
    ...block, ...loop,
    ...get(I), ...get(N), geU, ...brIf, 1,
    ...i32(0), ...set(M),
    ...i32(0), ...set(S),
    ...lane(0, 0), ...lane(16, 16),
    // The bytes that follow a line feed (that of the 32 bytes before, for the first) and can start a line. The bytes past
    // n are spaces (the piece's padding), so none of them counts.
    ...get(M), ...i32(1), shl, ...get(CARRY), or, ...get(S), ...i32(-1), xor, and, ...set(T),
    ...get(M), ...i32(31), shrU, ...set(CARRY),
    // Each of them, lowest first.
    ...block, ...loop,
    ...get(T), eqz, ...brIf, 1,
    ...get(K), ...i32(2), shl, ...get(I), ...get(T), ctz, add, ...store32(OUT),
    ...bump(K, 1),
    ...dropLowest(T),
    ...again,
    ...bump(I, 32),
    ...again,
    ...i32(FLAGS), ...get(MIN), ...simd(v128store), 0, 0,
    ...i32(FLAGS), ...get(MAX), ...simd(v128store), 0, 16,
    ...i32(FLAGS), ...get(CR), ...simd(anyTrue), ...store32(32),
    ...get(K),
    ...end,
  ];
  // A function's code: how many locals it declares past its parameters (i32s, then v128s), then its body.
  const func = (i32s: number, v128s: number, instructions: number[]) => [
    ...vec([
      [...uleb(i32s), 0x7f],
      [...uleb(v128s), 0x7b],
    ]),
    ...instructions,
  ];
  const code = func(6, 11, body);
  // find: 16 positions at a time, those whose byte is the word's first, whose byte length / 2 further is its middle one
  // and whose byte length - 1 further is its last (rare in text), then the bytes between of each of them, one by one.
  // Its locals: n and length, then i32s, then v128s.
  const [FN, LENGTH, FI, FM, FJ, FL, HALF, FIRST, LAST, MIDDLE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [ret, ifThen, gtU, ne, vand] = [0x0f, [0x04, 0x40], 0x4b, 0x47, 0x4e];
  const load8 = (offset: number) => [0x2d, 0, ...uleb(offset)];
  // prettier-ignore
  const findBody = [
    ...i32(0), ...load8(NEEDLE), ...simd(splat), ...set(FIRST),
    ...get(LENGTH), ...load8(NEEDLE - 1), ...simd(splat), ...set(LAST),
    ...get(LENGTH), ...i32(1), shrU, ...set(HALF),
    ...get(HALF), ...load8(NEEDLE), ...simd(splat), ...set(MIDDLE),
    ...block, ...loop,
    ...get(FI), ...get(FN), geU, ...brIf, 1,
    ...get(FI), ...simd(v128load), 0, 0, ...get(FIRST), ...simd(eq),
    ...get(FI), ...get(LENGTH), add, ...i32(-1), add, ...simd(v128load), 0, 0, ...get(LAST), ...simd(eq),
    ...simd(vand),
    ...get(FI), ...get(HALF), add, ...simd(v128load), 0, 0, ...get(MIDDLE), ...simd(eq),
    ...simd(vand), ...simd(bitmask), ...set(FM),
    ...block, ...loop,
    ...get(FM), eqz, ...brIf, 1,
    ...get(FI), ...get(FM), ctz, add, ...set(FJ),
    // Past the bytes (in the padding): so is every later one.
    ...get(FJ), ...get(LENGTH), add, ...get(FN), gtU, ...ifThen, ...i32(-1), ret, ...end,
    ...i32(1), ...set(FL),
    ...block, ...loop,
    ...get(FL), ...get(LENGTH), ...i32(1), sub, geU, ...ifThen, ...get(FJ), ret, ...end,
    ...get(FJ), ...get(FL), add, ...load8(0), ...get(FL), ...load8(NEEDLE), ne, ...brIf, 1,
    ...bump(FL, 1),
    ...again,
    ...dropLowest(FM),
    ...again,
    ...bump(FI, 16),
    ...again,
    ...i32(-1),
    ...end,
  ];
  const findCode = func(5, 3, findBody);
  const str = (s: string) => [...uleb(s.length), ...Buffer.from(s)];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vec([
        [0x60, 0x01, 0x7f, 0x01, 0x7f],
        [0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f],
      ]),
    ),
    ...section(3, vec([[0x00], [0x01]])),
    ...section(5, vec([[0x00, ...uleb(PAGES)]])),
    ...section(
      7,
      vec([
        [...str('scan'), 0x00, 0x00],
        [...str('find'), 0x00, 0x01],
        [...str('memory'), 0x02, 0x00],
      ]),
    ),
    ...section(
      10,
      vec([
        [...uleb(code.length), ...code],
        [...uleb(findCode.length), ...findCode],
      ]),
    ),
  ]);
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
