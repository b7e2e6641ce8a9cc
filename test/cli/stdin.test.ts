// A piped stdin, read whole as the writer delivers it: slowly, in small pieces, and from a pipe its writer made
// non-blocking (the reads get EAGAIN and go on as a stream). A Python writer makes such a pipe; without Python the
// test is counted as skipped.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { BIN, cli, gatedSuite, ROOT, run } from '../support/helpers.js';

const python = spawnSync('python3', ['--version']).status === 0 ? undefined : 'no python3 to write through a pipe with';
const test = gatedSuite('cli: piped stdin', python);

// The writer waits before its first byte, then writes 1000 bytes every 10 ms, and prints what webhook-guard wrote.
const WRITER = `
import os, subprocess, sys, threading, time
data = sys.stdin.buffer.read()
r, w = os.pipe()
os.set_blocking(r, sys.argv[3] == 'blocking')
p = subprocess.Popen([sys.argv[1], sys.argv[2]], stdin=r, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(r)
def write():
    time.sleep(0.2)
    for i in range(0, len(data), 1000):
        os.write(w, data[i:i + 1000])
        time.sleep(0.01)
    os.close(w)
t = threading.Thread(target=write)
t.start()
out, err = p.communicate()
t.join()
sys.stdout.buffer.write(out)
sys.stderr.buffer.write(err)
sys.exit(p.returncode)
`;

const input = readFileSync(join(ROOT, 'examples', 'openkruise-precreated-namespace', 'input.yaml'));

for (const mode of ['blocking', 'non-blocking']) {
  test(`a ${mode} pipe written slowly in small pieces gives the output of the whole input at once`, () => {
    const r = spawnSync('python3', ['-c', WRITER, process.execPath, BIN, mode], { input, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.fixture(r.stdout, cli([], input).stdout);
  });
}

// Past 16 MiB the input is scanned for the split between reads, from a pipe and from a file: a large stream gives what
// it gives read at once, and so do inputs the scan sends another way (a carriage return, a separator far into the stream).
const filler = Buffer.from(
  `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: filler}\ndata:\n  text: |\n${'    a line of text\n'.repeat(1 << 16)}`,
);
const large = Buffer.concat([input, ...Array.from({ length: 18 }, () => filler)]);
for (const [name, tail] of [
  ['LF only', ''],
  ['a carriage return at the end', '---\r\nkind: ConfigMap\r\n'],
  ['U+2028 at the end', '---\nkind: ConfigMap\ndata: {x: "a\u2028b"}\n'],
]) {
  test(`${(large.length / 2 ** 20).toFixed(0)} MiB through a pipe, ${name}: the output of the same bytes from a file`, () => {
    const bytes = Buffer.concat([large, Buffer.from(tail)]);
    const dir = mkdtempSync(join(tmpdir(), 'wg-stdin-'));
    try {
      writeFileSync(join(dir, 'in.yaml'), bytes);
      const fd = openSync(join(dir, 'in.yaml'), 'r');
      const file = spawnSync(process.execPath, [BIN, '-q'], { stdio: [fd, 'pipe', 'pipe'], maxBuffer: 1 << 30 });
      closeSync(fd);
      const piped = spawnSync(process.execPath, [BIN, '-q'], { input: bytes, maxBuffer: 1 << 30 });
      assert.is(file.status, 0, file.stderr.toString());
      assert.is(piped.status, 0, piped.stderr.toString());
      assert.ok(piped.stdout.equals(file.stdout), 'the same output');
      // Both are scanned as they are read: the library's run over the bytes at once is the reference.
      assert.ok(file.stdout.equals(Buffer.from(run(bytes.toString('utf8')).output)), 'the output of the bytes at once');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// A large file is read a piece at a time from where stdin stands: a shell that read part of it first leaves the rest,
// and fewer bytes come than the file's size says.
test('a large file on a stdin already read partway: the output of the bytes from there on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wg-stdin-'));
  try {
    const skipped = Buffer.from('\0 not YAML, and read by someone else\n');
    writeFileSync(join(dir, 'in.yaml'), Buffer.concat([skipped, large]));
    const from = `import os, subprocess, sys
fd = os.open(sys.argv[3], os.O_RDONLY)
os.lseek(fd, int(sys.argv[4]), 0)
r = subprocess.run([sys.argv[1], sys.argv[2], '-q'], stdin=fd, capture_output=True)
sys.stdout.buffer.write(r.stdout)
sys.stderr.buffer.write(r.stderr)
sys.exit(r.returncode)`;
    const r = spawnSync('python3', ['-c', from, process.execPath, BIN, join(dir, 'in.yaml'), String(skipped.length)], {
      maxBuffer: 1 << 30,
    });
    assert.is(r.status, 0, r.stderr.toString());
    assert.ok(r.stdout.equals(Buffer.from(run(large.toString('utf8')).output)), 'the output of the bytes after the offset');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
