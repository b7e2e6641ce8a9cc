#!/usr/bin/env node
// Entry point: answers --version without loading anything, otherwise runs the compiled CLI.
import { fstatSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
// The pieces of stdout still being written (see writeInPieces).
let writing = Promise.resolve();
let stdoutBroken = false;
// A reader that goes away (`| head`, a killed Helm) is reported in one line, not as a stack trace.
process.stdout.on('error', (err) => {
  if (!stdoutBroken) process.stderr.write(`webhook-guard: cannot write the output (${err.code ?? err.message})\n`);
  stdoutBroken = true;
  process.exitCode = 1;
});
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version + '\n');
} else {
  const { main } = await import('../dist/src/cli.js');
  process.exitCode = await main(argv, {
    readStdin: async () => (stdinIsFile() ? readFileSync(0) : readPipe()),
    stdout: writeInPieces,
    stderr: (text) => process.stderr.write(text),
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env,
  });
}

// readPipe collects a piped stdin into one growing buffer. Keeping the 64 KB chunks to join them at the
// end held the input twice until the garbage collector ran (about 90 MB more peak memory on 100 MB).
async function readPipe() {
  let buf = Buffer.allocUnsafe(1 << 20);
  let length = 0;
  for await (const chunk of process.stdin) {
    if (length + chunk.length > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(length + chunk.length, Math.floor(buf.length * 1.5)));
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
    chunk.copy(buf, length);
    length += chunk.length;
  }
  return buf.subarray(0, length);
}

function stdinIsFile() {
  try {
    return fstatSync(0).isFile();
  } catch {
    return false;
  }
}

// writeInPieces writes a long output a few MB at a time, waiting for the reader between pieces: one write
// would first encode all of it into a second copy, and a pipe whose reader lags (Helm, or any pipe) queues
// every piece it has not taken yet (each 100 MB more for a 100 MB stream). Node keeps running until the
// last piece is written.
function writeInPieces(text) {
  writing = writing.then(() => writePieces(text));
}

async function writePieces(text) {
  const PIECE = 4 << 20;
  for (let i = 0; i < text.length && !stdoutBroken; ) {
    let end = Math.min(text.length, i + PIECE);
    // Never split a surrogate pair: each half would be written as U+FFFD.
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end++;
    if (!process.stdout.write(text.slice(i, end))) await new Promise((resolve) => process.stdout.once('drain', resolve));
    i = end;
  }
}
