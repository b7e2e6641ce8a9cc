// Runs every test file with uvu (through tsx) and ends with one plain "N passed, N failed" line for CI.
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
  } else {
    process.stdout.write('\ntests: the runner stopped before it printed its totals\n');
  }
  process.exitCode = code ?? 1;
});
