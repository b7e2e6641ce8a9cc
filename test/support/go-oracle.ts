// Go's reading of manifest streams, from the real kubectl the tests extract: what `kubectl apply` and Helm see.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

/** KUBECTL is the kubectl that `npm run setup-hosts` extracts (Kubernetes 1.35, kustomize 5.7). */
export const KUBECTL = join(ROOT, '.cache', 'bin', 'v35', 'kubectl');

/** oracleMissing says why the oracle cannot run here, or undefined when it can. */
export function oracleMissing(): string | undefined {
  if (!existsSync(KUBECTL)) return `${KUBECTL} is absent (run npm run setup-hosts)`;
  const r = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8', env: { KUBECONFIG: '/dev/null' } });
  return r.status === 0 ? undefined : `${KUBECTL} does not run here (${r.error?.message ?? r.stderr.trim()})`;
}

/** GoReading is what Go reads from one stream: the objects in order (Lists flattened), and the errors it reported. */
export interface GoReading {
  objects: Record<string, unknown>[];
  errors: string[];
}

// The label the oracle adds (kubectl label needs one) and removes again; no chart uses this key.
const MARK_KEY = 'go-oracle.webhook-guard.invalid/read';
// A file of its own between two streams, so one kubectl call can read many streams and still tell them apart.
const SEPARATOR = (i: number) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"go-oracle-separator-${i}"}}\n`;

/**
 * goRead reads each stream as `kubectl label --local -f` does, with one kubectl call for all of them:
 * streams are files of their own, separated by marker objects. kubectl keeps going after a file it cannot
 * read and names the file in its error, so each stream's errors are its own.
 */
export function goRead(streams: Array<string | Buffer>): GoReading[] {
  if (!streams.length) return [];
  const dir = mkdtempSync(join(tmpdir(), 'go-oracle-'));
  try {
    const args = ['label', '--local', '-o', 'json'];
    streams.forEach((s, i) => {
      const file = join(dir, `s${i}.yaml`);
      writeFileSync(file, s);
      const sep = join(dir, `sep${i}.json`);
      writeFileSync(sep, SEPARATOR(i));
      args.push('-f', file, '-f', sep);
    });
    args.push(`${MARK_KEY}=x`);
    const r = spawnSync(KUBECTL, args, {
      encoding: 'utf8',
      env: { KUBECONFIG: '/dev/null', PATH: '/usr/bin:/bin' },
      maxBuffer: 1 << 30,
    });
    if (r.error) throw r.error;
    const objects = parseJsonSequence(r.stdout);
    const out: GoReading[] = streams.map(() => ({ objects: [], errors: [] }));
    let at = 0;
    for (const o of objects) {
      const name = (o.metadata as { name?: string } | undefined)?.name;
      if (o.kind === 'ConfigMap' && typeof name === 'string' && name.startsWith('go-oracle-separator-')) {
        at = Number(name.slice('go-oracle-separator-'.length)) + 1;
        continue;
      }
      unmark(o);
      out[at].objects.push(o);
    }
    for (const line of r.stderr.split('\n')) {
      if (!line.trim()) continue;
      const m = /s(\d+)\.yaml/.exec(line);
      // Some errors name no file (a List inside a List): then the streams are read in halves, to know whose it is.
      if (!m) {
        if (streams.length === 1) return [{ objects: out[0].objects, errors: [...out[0].errors, line] }];
        const half = streams.length >> 1;
        return [...goRead(streams.slice(0, half)), ...goRead(streams.slice(half))];
      }
      out[Number(m[1])].errors.push(line.split(dir + '/').join(''));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** goReadOne reads one stream. */
export function goReadOne(stream: string | Buffer): GoReading {
  return goRead([stream])[0];
}

/**
 * kustomizeRead reads a stream as kustomize (kyaml over go-yaml v3) does, through `kubectl kustomize`: the
 * objects it would emit, or its error.
 */
export function kustomizeRead(stream: string | Buffer): { objects: Record<string, unknown>[]; error?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'go-oracle-k-'));
  try {
    mkdirSync(join(dir, 'k'));
    writeFileSync(join(dir, 'k', 'in.yaml'), stream);
    writeFileSync(join(dir, 'k', 'kustomization.yaml'), 'resources:\n- in.yaml\n');
    const r = spawnSync(KUBECTL, ['kustomize', join(dir, 'k')], {
      encoding: 'utf8',
      env: { KUBECONFIG: '/dev/null', PATH: '/usr/bin:/bin' },
    });
    if (r.status !== 0)
      return {
        objects: [],
        error: r.stderr
          .split(dir + '/')
          .join('')
          .trim(),
      };
    // kubectl kustomize prints YAML; kubectl itself reads it back to JSON objects.
    const back = goReadOne(r.stdout);
    return { objects: back.objects };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function unmark(o: Record<string, unknown>): void {
  const meta = o.metadata as { labels?: Record<string, string> } | undefined;
  if (!meta?.labels) return;
  delete meta.labels[MARK_KEY];
  if (!Object.keys(meta.labels).length) delete meta.labels;
}

// kubectl prints each object as indented JSON, one after another.
function parseJsonSequence(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
  }
  return out;
}
