// Runs every test file with uvu (through tsx) and ends with the failures and one "N passed, N failed" line for CI.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// uvu's package exports do not expose its bin, so it is found by path.
const uvu = fileURLToPath(new URL('../node_modules/uvu/bin.js', import.meta.url));
// --unit is the quick loop: it leaves out the suites that spawn real binaries or read the whole corpus.
const UNIT_IGNORES = ['hosts', 'cluster', 'fuzz', 'robustness', 'corpus', 'examples'];
const argv = process.argv.slice(2);
const unit = argv.includes('--unit');
const rest = argv.filter((a) => a !== '--unit');
const ignores = unit ? UNIT_IGNORES.flatMap((i) => ['-i', i]) : [];
const args = ['--import', 'tsx', uvu, 'test', '\\.test\\.ts$', ...ignores, ...rest];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk;
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (label) => Number(/^\s*(\d+)/.exec(plain.split(`${label}:`).pop() ?? '')?.[1] ?? NaN);
  const total = count('Total');
  const passed = count('Passed');
  const skipped = count('Skipped');
  if (Number.isFinite(total) && Number.isFinite(passed)) {
    process.stdout.write(
      `\ntests: ${passed} passed, ${total - passed} failed, ${Number.isFinite(skipped) ? skipped : 0} skipped\n`,
    );
    // CI keeps only the tail of a long log, so what failed is repeated where the tail will show it.
    for (const failure of failures(plain)) process.stdout.write(`\n${failure}\n`);
  } else {
    process.stdout.write('\ntests: the runner stopped before it printed its totals\n');
  }
  process.exitCode = code ?? 1;
});

/** Each uvu FAIL block as "file: FAIL suite \"test\"" and its message, without the stack. */
function failures(plain) {
  const found = [];
  let file = '';
  const lines = plain.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\S.*\.test\.ts$/.test(lines[i])) file = lines[i];
    if (!/^\s+FAIL\s/.test(lines[i])) continue;
    const message = [];
    for (let j = i + 1; j < lines.length && message.length < 12 && !/^\s+at /.test(lines[j]); j++) {
      if (lines[j].trim() !== '') message.push(lines[j]);
    }
    found.push([`${file}: ${lines[i].trim()}`, ...message].join('\n'));
  }
  return found;
}
