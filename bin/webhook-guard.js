#!/usr/bin/env node
// Entry point: answers --version without loading anything, otherwise runs the compiled CLI.
import { fstatSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version + '\n');
} else {
  const { main } = await import('../dist/src/cli.js');
  process.exitCode = await main(argv, {
    readStdin: async () => {
      // A file on stdin is read in one piece; a pipe in chunks, which need a copy to join (twice the memory).
      if (stdinIsFile()) return readFileSync(0);
      const chunks = [];
      for await (const chunk of process.stdin) chunks.push(chunk);
      return Buffer.concat(chunks);
    },
    stdout: writeInPieces,
    stderr: (text) => process.stderr.write(text),
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env,
  });
}

function stdinIsFile() {
  try {
    return fstatSync(0).isFile();
  } catch {
    return false;
  }
}

// writeInPieces writes a long output a few MB at a time: one write would first encode all of it into a
// second copy (100 MB more for a 100 MB stream). On Linux, writes to files and pipes are synchronous, so
// the pieces do not queue up.
function writeInPieces(text) {
  const PIECE = 4 << 20;
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + PIECE);
    // Never split a surrogate pair: each half would be written as U+FFFD.
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end++;
    process.stdout.write(text.slice(i, end));
    i = end;
  }
}
