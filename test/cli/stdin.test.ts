// A piped stdin, read whole as the writer delivers it: slowly, in small pieces, and from a pipe its writer made
// non-blocking (the reads get EAGAIN and go on as a stream). A Python writer makes such a pipe; without Python the
// test is counted as skipped.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { BIN, cli, gatedSuite, ROOT } from '../support/helpers.js';

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

test.run();
