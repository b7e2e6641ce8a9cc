// The differential test: webhook-guard's output as Go reads it, against the input as Go reads it (issue 11).
import { spawn } from 'node:child_process';
import * as assert from 'uvu/assert';
import { judge, type Outcome } from '../support/differential.js';
import { goRead } from '../support/go-oracle.js';
import { oracleMissing } from '../support/go-oracle.js';
import { BIN, gatedSuite, ROOT } from '../support/helpers.js';
import { HOSTILE } from './hostile-cases.js';

/** runBin spawns the built CLI with `--report json`, feeding `input` on stdin. */
export function runBin(input: string | Buffer, args: string[] = ['--report', 'json']): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (exit) =>
      resolve({ exit, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** runAll runs the CLI on every input, two at a time (the machine has two cores). */
export async function runAll(inputs: Array<string | Buffer>): Promise<Outcome[]> {
  const out: Outcome[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) out[i] = await runBin(inputs[i]);
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** differential runs the rule on named inputs and returns the problems of each failing case. */
export async function differential(cases: Array<[string, string | Buffer]>): Promise<Map<string, string[]>> {
  const outcomes = await runAll(cases.map(([, input]) => input));
  const goIn = goRead(cases.map(([, input]) => input));
  const accepted = outcomes.map((o, i) => (o.exit === 0 ? i : -1)).filter((i) => i >= 0);
  const goOutList = goRead(accepted.map((i) => outcomes[i].stdout));
  const goOut = new Map(accepted.map((i, k) => [i, goOutList[k]]));
  const failed = new Map<string, string[]>();
  cases.forEach(([name], i) => {
    const problems = judge(outcomes[i], goIn[i], goOut.get(i));
    if (problems.length) failed.set(name, problems);
  });
  return failed;
}

const hostile = gatedSuite('go-differential: hostile cases', oracleMissing());

hostile('every hostile case is refused, or read as Go reads it with every Fail webhook hardened', async () => {
  const names = Object.keys(HOSTILE);
  const failed = await differential(names.map((n) => [n, HOSTILE[n].input]));
  const outcomes = await runAll(names.map((n) => HOSTILE[n].input));
  names.forEach((n, i) => {
    if (HOSTILE[n].accept && outcomes[i].exit !== 0)
      failed.set(n, [...(failed.get(n) ?? []), `valid input refused: ${outcomes[i].stderr.trim()}`]);
  });
  const text = [...failed].map(([n, p]) => `- ${n}:\n    ${p.join('\n    ')}`).join('\n');
  if (process.env.GO_DIFF_LIST) console.log(text);
  assert.is(failed.size, 0, `${failed.size} of ${names.length} cases break the rule:\n${text}`);
});

hostile.run();
