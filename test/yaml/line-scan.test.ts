// The WebAssembly scan of one piece against a plain loop over its bytes, on random pieces of the bytes that matter, and its
// search for a word against Buffer's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lineScan, MAX_NEEDLE, PIECE } from '../../src/yaml/line-scan.js';

// What look gives, the slow way.
function expected(bytes: Buffer): { tops: number[]; nul: boolean; cr: boolean; wide: boolean; ascii: boolean } {
  const tops: number[] = [];
  for (let j = 1; j < bytes.length; j++)
    if (bytes[j - 1] === 0x0a && ![0x20, 0x09, 0x0a, 0x0d, 0x23].includes(bytes[j])) tops.push(j);
  return {
    tops,
    nul: bytes.includes(0),
    cr: bytes.includes(0x0d),
    wide: bytes.some((b) => b >= 0xe2),
    ascii: bytes.every((b) => b < 0x80),
  };
}

const ALPHABET = [0x0a, 0x0a, 0x20, 0x20, 0x20, 0x09, 0x23, 0x61, 0x2d, 0x0d, 0x00, 0xe2, 0x80, 0xa8, 0xe1, 0xff, 0x7f];

test('look finds the column-0 lines, NUL, CR, wide and non-ASCII bytes of random pieces, at every length up to a piece', () => {
  const scan = lineScan()!;
  let seed = 5;
  const random = (m: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % m;
  const lengths = [0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, PIECE - 1, PIECE];
  for (let round = 0; round < 300; round++) lengths.push(1 + random(round < 290 ? 200 : PIECE));
  for (const length of lengths) {
    const inner = Buffer.alloc(length);
    // Mostly plain bytes, so that some pieces have no NUL, CR or wide byte at all.
    const rare = random(4) === 0;
    for (let k = 0; k < length; k++) inner[k] = rare ? ALPHABET[random(ALPHABET.length)] : ALPHABET[random(9)];
    // The piece sits inside a larger buffer, whose bytes around it must not count.
    const outer = Buffer.concat([Buffer.from('\n\0\r\u2028'), inner, Buffer.from('\nx\0\r\u2028')]);
    const got = scan.look(outer, 6, 6 + length);
    assert.equal({ ...got, tops: [...got.tops] }, expected(inner), `length ${length}, round ${lengths.indexOf(length)}`);
  }
});

test('indexOf finds a word where Buffer.indexOf does, in random bytes of few letters, words near seams too', () => {
  const scan = lineScan()!;
  let seed = 7;
  const random = (m: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % m;
  // Few letters, so that first, middle and last bytes often match where the word is not.
  const letters = Buffer.from('conversiWbhk \n');
  for (let round = 0; round < 400; round++) {
    const length = [1, 2, 3, 7, 10, MAX_NEEDLE][random(6)];
    const size = round < 300 ? random(300) : PIECE * (1 + random(3)) + random(100) - 50;
    const bytes = Buffer.alloc(size);
    for (let k = 0; k < size; k++) bytes[k] = letters[random(letters.length)];
    const word = Buffer.alloc(length);
    for (let k = 0; k < length; k++) word[k] = letters[random(4)];
    // Half the words are put in: anywhere in short bytes, across or next to a seam (pieces overlap) in long ones.
    const at = round < 300 ? random(Math.max(1, size - length + 1)) : PIECE - length + random(2 * length);
    if (random(2) && at + length <= size) word.copy(bytes, at);
    assert.is(scan.indexOf(bytes, word), bytes.indexOf(word), `round ${round}, ${size} bytes, word ${word}`);
  }
});

test('indexOf finds a word at every place across the seams of pieces, and at the very end', () => {
  const scan = lineScan()!;
  for (const word of [Buffer.from('conversion'), Buffer.from('Webhook'), Buffer.from('ab'), Buffer.alloc(MAX_NEEDLE, 'w')]) {
    const places = [0, 1, PIECE - word.length, PIECE + 1, 2 * PIECE + 5 - word.length];
    for (let k = 1; k < word.length; k++) places.push(PIECE - k, 2 * PIECE - word.length + 1 - k);
    for (const at of places) {
      const bytes = Buffer.alloc(2 * PIECE + 5, 'x');
      word.copy(bytes, at);
      assert.is(scan.indexOf(bytes, word), at, `${word} at ${at}`);
      // Cut short by a byte, it is nowhere.
      assert.is(scan.indexOf(bytes.subarray(0, at + word.length - 1), word), -1, `${word} cut short at ${at}`);
    }
  }
});

test('indexOf refuses an empty word and one over MAX_NEEDLE bytes', () => {
  assert.throws(() => lineScan()!.indexOf(Buffer.from('abc'), Buffer.alloc(0)), /a word of 0 bytes is not 1 to 32/);
  assert.throws(() => lineScan()!.indexOf(Buffer.from('abc'), Buffer.alloc(33)), /a word of 33 bytes is not 1 to 32/);
});

test('look refuses a piece over PIECE bytes', () => {
  assert.throws(() => lineScan()!.look(Buffer.alloc(PIECE + 1), 0, PIECE + 1), /a piece of 262145 bytes is over 262144/);
});

test.run();
