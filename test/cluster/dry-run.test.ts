// Everything webhook-guard writes is accepted by a real API server: a server-side dry-run apply of every corpus output.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as assert from 'uvu/assert';
import { splitStream, sniffKind } from '../../src/yaml/stream.js';
import { cli, corpusFiles, gatedSuite, needsCorpus } from '../support/helpers.js';
import { missingControlPlane, startCluster, type Cluster } from './harness.js';
import { kubectl, ok, pick, ready, waitFor } from './kube.js';

const test = gatedSuite('cluster: every corpus output passes a server-side dry-run apply', missingControlPlane());

const ESTABLISHED = ['wait', '--for', 'condition=Established', '--timeout', '10s', 'crd', '--all'];

// The kinds applied for real first, so the rest can be validated against them.
const FOUNDATION = ['CustomResourceDefinition', 'Namespace'];

/** namespacesOf lists the namespaces a stream's objects name. */
function namespacesOf(stream: string): string[] {
  return [...new Set([...stream.matchAll(/^ {2}namespace: ["']?([a-z0-9-]+)["']?\s*$/gm)].map((m) => m[1]))];
}

/** rest is a stream without its foundation documents and empty ones. */
function rest(stream: string): string {
  return splitStream(stream)
    .filter((s) => {
      const kind = sniffKind(s.text);
      return kind === undefined ? /^kind:/m.test(s.text) : !FOUNDATION.includes(kind);
    })
    .map((s) => (s.text.startsWith('---') ? s.text : `---\n${s.text}`))
    .join('\n');
}

/** dryRun applies a stream with --dry-run=server and returns the error lines, one per refused object. */
function dryRun(c: Cluster, stream: string): string[] {
  const r = kubectl(c, ['apply', '--server-side', '--force-conflicts', '--dry-run=server', '-o', 'name', '-f', '-'], {
    input: stream,
  });
  return r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .sort();
}

for (const file of corpusFiles('dry-run')) {
  const name = basename(file);
  // A cluster per file: charts of one product in two versions define the same CRDs differently.
  needsCorpus(test, name, [name], async () => {
    const c = await startCluster();
    try {
      await ready(c);
      await check(c, name, readFileSync(file, 'utf8'));
    } finally {
      await c.stop();
    }
  });
}

async function check(c: Cluster, name: string, input: string): Promise<void> {
  const reportFile = join(c.dir, 'report.json');
  const h = cli(['--report', 'json', '--report-file', reportFile], input);
  assert.is(h.status, 0, h.stderr);
  const output = h.stdout;
  const crds = pick(output, ['CustomResourceDefinition']);
  if (crds) ok(c, ['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: crds });
  // A CRD's conditions appear a moment after it is created; `kubectl wait` fails on one that has none yet.
  if (crds) await waitFor('the CRDs to be established', () => (kubectl(c, ESTABLISHED).status === 0 ? true : undefined));
  for (const ns of namespacesOf(output)) kubectl(c, ['create', 'namespace', ns]);
  const before = dryRun(c, rest(input));
  const after = dryRun(c, rest(output));
  // The same objects may be refused for reasons of their own (a kind whose CRD another chart installs):
  // webhook-guard's output must not add a single refusal.
  assert.equal(after, before, `${name}: the output is refused where the input is not`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { changes: unknown[] };
  console.log(
    `    ${name}: ${report.changes.length} changes, every object ` +
      `accepted${before.length ? ` (${before.length} refused as in the input)` : ''}`,
  );
}

test.run();
