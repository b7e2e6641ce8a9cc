// `npm run fuzz`: generated and mutated manifest streams through webhook-guard, checking the stream invariants.
//
// Every case runs the CLI's main() in-process (and, for a sample, the built binary) and must end in
// one of two ways: exit 0 with every input document in order, the untouched ones byte for byte, edited
// ones reading back as the transforms intended, and a second run changing nothing; or exit 1 with an
// empty stdout and a message naming the document (or the byte) at fault. Never an internal error, a
// stack trace or a hang. Along the way the fast reader and editor are compared with `yaml`.
// test/fuzz.test.ts runs a small fixed-seed batch of the same cases. Then `--go N` cases (default 3000) go
// through the Go differential (see goDifferential).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fjp from 'fast-json-patch';
import { resolveConfig } from '../src/pipeline/config.js';
import { applyOperationsWithYaml, deepEqual, readWithYaml } from '../src/yaml/document.js';
import { fastEdit } from '../src/yaml/fast-edit.js';
import { fastRead } from '../src/yaml/fast-read.js';
import { transformStream } from '../src/pipeline/pipeline.js';
import { decodeInput, goSeparatorLength, splitStream } from '../src/yaml/stream.js';
import { judgeAll } from '../test/support/differential.js';
import { oracleMissing } from '../test/support/go-oracle.js';
import { runMain } from '../test/support/helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
const BIN = join(ROOT, 'bin', 'webhook-guard.js');

// ---------------------------------------------------------------------------------------------
// Randomness: a small seeded generator, so that every case can be replayed from (seed, index).

/** Rng is a seeded random source (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** next is a float in [0, 1). */
  next(): number {
    let t = (this.s += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

// ---------------------------------------------------------------------------------------------
// Generated streams: webhook charts written in many YAML styles.

type Obj = Record<string, unknown>;

const WORDS = [
  'web',
  'api',
  'kruise',
  'capsule',
  'guard',
  'lws',
  'kueue',
  'cert',
  'on',
  'yes',
  'no',
  'null',
  '0755',
  '1.30',
  'a b',
  "it's",
  'x: y',
  '#hash',
  '- dash',
  '---',
  '...',
  'ünï',
  'emoji😀',
  '',
  ' lead',
  'trail ',
];
const SAFE = ['web', 'api', 'kruise', 'capsule', 'guard', 'lws', 'kueue', 'cert', 'system', 'manager'];

function name(rng: Rng): string {
  return `${rng.pick(SAFE)}-${rng.int(5)}`;
}

function labels(rng: Rng, app: string): Obj {
  const l: Obj = { 'app.kubernetes.io/name': app };
  if (rng.chance(0.6)) l['app.kubernetes.io/instance'] = app;
  if (rng.chance(0.4)) l['control-plane'] = rng.pick(['controller-manager', app]);
  if (rng.chance(0.2)) l[rng.pick(['odd', 'on', 'x.y/z'])] = rng.pick(WORDS);
  return l;
}

/** chart builds the objects of one webhook chart, with random gaps and variations. */
function chart(rng: Rng, ns: string): Obj[] {
  const app = name(rng);
  const podLabels = labels(rng, app);
  const selector = rng.chance(0.5) ? { 'control-plane': 'controller-manager' } : { ...podLabels };
  const out: Obj[] = [];
  if (rng.chance(0.5))
    out.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, ...(rng.chance(0.5) ? { labels: labels(rng, app) } : {}) },
    });
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${app}-webhook`, ...(rng.chance(0.7) ? { namespace: ns } : {}) },
    spec: { ports: [{ port: 443, targetPort: rng.pick([9443, 'webhook', 8443]) }], ...(rng.chance(0.9) ? { selector } : {}) },
  });
  const kind = rng.pick(['Deployment', 'Deployment', 'StatefulSet', 'DaemonSet']);
  const workload: Obj = {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: `${app}-manager`, namespace: ns, labels: podLabels },
    spec: {
      ...(kind !== 'DaemonSet' && rng.chance(0.7) ? { replicas: rng.pick([1, 1, 2, 3]) } : {}),
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: { ...podLabels, ...selector } },
        spec: {
          containers: [
            {
              name: 'manager',
              image: `registry.example.com/${app}:v1.${rng.int(9)}`,
              args: ['--webhook-port=9443', '--leader-elect'],
              ports: [{ containerPort: 9443, name: 'webhook' }],
            },
          ],
          ...(rng.chance(0.2)
            ? {
                affinity: {
                  podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...selector } } },
                    ],
                  },
                },
              }
            : {}),
        },
      },
    },
  };
  out.push(workload);
  if (rng.chance(0.2))
    out.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: app, namespace: ns },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind, name: `${app}-manager` }, minReplicas: 1, maxReplicas: 3 },
    });
  if (rng.chance(0.2))
    out.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: app, namespace: ns },
      spec: { minAvailable: 1, selector: { matchLabels: { ...selector } } },
    });
  const hooks = (type: string): Obj[] =>
    Array.from({ length: 1 + rng.int(3) }, (_, i) => {
      const w: Obj = {
        name: `${type}-${i}.${app}.example.com`,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        clientConfig: {
          service: { name: `${app}-webhook`, namespace: ns, ...(rng.chance(0.3) ? { port: 443 } : {}), path: `/${type}` },
        },
        rules: [
          {
            apiGroups: [rng.pick(['', 'apps', '*'])],
            apiVersions: ['v1'],
            operations: rng.pick([['CREATE'], ['CREATE', 'UPDATE'], ['*']]),
            resources: [rng.pick(['pods', 'namespaces', 'nodes', '*', 'deployments'])],
            ...(rng.chance(0.3) ? { scope: rng.pick(['Namespaced', 'Cluster', '*']) } : {}),
          },
        ],
      };
      if (rng.chance(0.8)) w.failurePolicy = rng.pick(['Fail', 'Fail', 'Ignore']);
      if (rng.chance(0.4))
        w.namespaceSelector = rng.chance(0.5)
          ? {
              matchExpressions: [
                {
                  key: rng.pick(['control-plane', 'kubernetes.io/metadata.name']),
                  operator: rng.pick(['NotIn', 'In', 'DoesNotExist']),
                  values: [rng.pick(['openkruise', ns, 'kube-system'])],
                },
              ],
            }
          : { matchLabels: { [rng.pick(['a', 'on'])]: rng.pick(['b', 'yes']) } };
      if (rng.chance(0.2)) w.objectSelector = { matchExpressions: [{ key: 'webhook-skip', operator: 'DoesNotExist' }] };
      if (rng.chance(0.1)) w.matchConditions = [{ name: 'exclude-leases', expression: "request.resource.resource != 'leases'" }];
      return w;
    });
  if (rng.chance(0.8))
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: app },
      webhooks: hooks('mutate'),
    });
  if (rng.chance(0.8))
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: app },
      webhooks: hooks('validate'),
    });
  return out;
}

/** extras are documents around the charts: pass-through kinds, tricky text, Lists and secrets. */
function extra(rng: Rng, ns: string, marker: string): Obj | string {
  switch (rng.int(10)) {
    case 0:
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cfg', namespace: ns },
        data: { 'config.yaml': 'a: 1\n---\n# not a comment\n...\nb: yes\n', plain: rng.pick(WORDS) },
      };
    case 1:
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds', namespace: ns },
        type: 'Opaque',
        stringData: { password: marker },
        data: { token: Buffer.from(marker).toString('base64') },
      };
    case 2:
      return {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: rng.pick(['Namespaced', 'Cluster']),
          names: { plural: 'widgets', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', description: 'x'.repeat(rng.int(3000)) } },
            },
          ],
        },
      };
    case 3:
      return {
        apiVersion: 'example.com/v1',
        kind: rng.pick(['Widget', 'Foo', 'ResourceQuota']),
        metadata: { name: 'w', namespace: ns },
        spec: nest(rng, 1 + rng.int(rng.chance(0.2) ? 120 : 8)),
      };
    case 4:
      return { apiVersion: 'v1', kind: 'List', items: chart(rng, ns).slice(0, 1 + rng.int(3)) };
    case 5:
      return rng.pick(['', '# Source: chart/templates/empty.yaml\n', '# only a comment\n# and another\n', '\n\n']);
    case 6:
      return {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'sa', namespace: ns, annotations: { long: 'L'.repeat(1000 + rng.int(40000)) } },
      };
    case 7:
      return { apiVersion: 'v1', metadata: { name: 'no-kind' }, data: { a: 'b' } };
    default:
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'role' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      };
  }
}

function nest(rng: Rng, depth: number): unknown {
  let v: unknown = rng.pick(WORDS);
  for (let i = 0; i < depth; i++) v = rng.chance(0.7) ? { [`k${i}`]: v } : [v];
  return v;
}

/** Style is how one document is written. */
interface Style {
  nl: string;
  indentSeq: boolean;
  comments: number;
  quoting: number;
  flow: number;
  anchors: number;
  blockScalars: number;
  tabs: number;
}

/** Emitter writes a value as block YAML in a random style, keeping what it wrote readable (except with tabs). */
class Emitter {
  readonly lines: string[] = [];
  private anchors: string[] = [];
  constructor(
    readonly rng: Rng,
    readonly style: Style,
  ) {}

  scalar(v: unknown): string {
    const rng = this.rng;
    if (v === null) return rng.pick(['null', '~', '']);
    if (typeof v === 'boolean') return v ? rng.pick(['true', 'yes', 'on', 'True']) : rng.pick(['false', 'no', 'off']);
    if (typeof v === 'number') return String(v);
    const s = String(v);
    const safe = /^[A-Za-z_/][A-Za-z0-9_./=-]*$/.test(s) && !/^(y|n|yes|no|on|off|true|false|null|~)$/i.test(s);
    if (safe && !rng.chance(this.style.quoting)) return s;
    if (!/['\n\r\t\\\u0000-\u001f]/.test(s) && rng.chance(0.5)) return `'${s}'`;
    return JSON.stringify(s);
  }

  comment(indent: number): void {
    if (this.rng.chance(this.style.comments))
      this.lines.push(
        ' '.repeat(this.rng.int(indent + 3)) + this.rng.pick(['# comment', '#', '# key: value', '# ---', '  # indented']),
      );
    if (this.rng.chance(this.style.comments / 3)) this.lines.push('');
  }

  trailing(): string {
    return this.rng.chance(this.style.comments) ? this.rng.pick([' # trailing', '  #x', ' # a: b']) : '';
  }

  anchor(): string {
    if (!this.rng.chance(this.style.anchors)) return '';
    const a = `a${this.anchors.length}`;
    this.anchors.push(a);
    return `&${a} `;
  }

  /**
   * inline returns the text after `key:` or `- ` for scalars, flow collections and block scalars, or undefined for block
   * collections.
   */
  inline(v: unknown, indent: number): string | undefined {
    const rng = this.rng;
    if (v !== null && typeof v === 'object') {
      const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
      if (empty) return Array.isArray(v) ? '[]' : '{}';
      const small = JSON.stringify(v).length < 80 && Object.values(v).every((x) => x === null || typeof x !== 'object');
      if (small && rng.chance(this.style.flow)) {
        return Array.isArray(v)
          ? `[${v.map((x) => this.scalar(x)).join(', ')}]`
          : `{${Object.entries(v)
              .map(([k, x]) => `${this.scalar(k)}: ${this.scalar(x)}`)
              .join(', ')}}`;
      }
      return undefined;
    }
    if (typeof v === 'string' && v.includes('\n') && !/[\r\t]/.test(v) && rng.chance(Math.max(this.style.blockScalars, 0.5))) {
      const header = rng.pick(['|', '|-', '|+', '>', '>-']);
      const body = v.replace(/\n$/, '').split('\n');
      const pad = ' '.repeat(indent + 2);
      // Keep the value: `|` keeps one final line break, `|-` none; other headers only round-trip some text.
      return `${header}\n${body.map((l) => (l === '' ? '' : pad + l)).join('\n')}`;
    }
    if (this.anchors.length && rng.chance(this.style.anchors / 2)) return `*${rng.pick(this.anchors)}`;
    return this.anchor() + this.scalar(v) + this.trailing();
  }

  value(v: unknown, indent: number): void {
    if (Array.isArray(v)) {
      for (const item of v) {
        this.comment(indent);
        const text = this.inline(item, indent + 2);
        if (text !== undefined) {
          this.lines.push(`${' '.repeat(indent)}- ${text}`);
          continue;
        }
        if (!Array.isArray(item) && this.rng.chance(0.8)) {
          // Compact map: the first key on the dash line.
          const start = this.lines.length;
          this.value(item, indent + 2);
          const first = this.lines.findIndex((l, i) => i >= start && l.trim() !== '' && !l.trim().startsWith('#'));
          if (first >= 0) this.lines[first] = `${' '.repeat(indent)}- ${this.lines[first].slice(indent + 2)}`;
        } else {
          this.lines.push(`${' '.repeat(indent)}-`);
          this.value(item, indent + 2);
        }
      }
      return;
    }
    for (const [k, x] of Object.entries(v as Obj)) {
      this.comment(indent);
      const key = this.rng.chance(this.style.quoting / 3) ? JSON.stringify(k) : this.scalar(k);
      const pad =
        this.style.tabs && this.rng.chance(this.style.tabs) ? '\t'.repeat(Math.max(1, indent >> 1)) : ' '.repeat(indent);
      const text = this.inline(x, indent);
      if (text !== undefined) {
        this.lines.push(`${pad}${key}: ${text}`);
        continue;
      }
      this.lines.push(`${pad}${key}:${this.trailing()}`);
      const childIndent = Array.isArray(x) ? (this.style.indentSeq ? indent + 2 : indent) : indent + 2;
      this.value(x, childIndent);
    }
  }
}

/** generateStream writes a random multi-document stream of webhook charts and other documents. */
export function generateStream(rng: Rng, marker = 'S3CRET-MARKER'): string {
  const docs: Array<Obj | string> = [];
  for (let c = 0, n = 1 + rng.int(3); c < n; c++) {
    const ns = rng.pick(['kruise-system', 'capsule-system', 'default', `team-${c}`]);
    docs.push(...chart(rng, ns));
    for (let e = rng.int(4); e > 0; e--) docs.push(extra(rng, ns, marker));
  }
  if (rng.chance(0.3)) docs.push(docs[rng.int(docs.length)]); // a duplicate resource
  if (rng.chance(0.3)) docs.splice(0, 0, docs.splice(rng.int(docs.length), 1)[0]);
  const crlf = rng.chance(0.1);
  const parts: string[] = [];
  docs.forEach((doc, i) => {
    const style: Style = {
      nl: crlf ? '\r\n' : '\n',
      indentSeq: rng.chance(0.5),
      comments: rng.pick([0, 0.05, 0.3]),
      quoting: rng.pick([0, 0.1, 0.5]),
      flow: rng.pick([0, 0.2, 0.8]),
      anchors: rng.pick([0, 0, 0, 0.1]),
      blockScalars: rng.pick([0.5, 1]),
      tabs: rng.chance(0.03) ? 0.05 : 0,
    };
    let head = i === 0 && rng.chance(0.3) ? '' : rng.pick(['---\n', '---\n', '--- # doc\n', '---   \n']);
    // Separators with a comment that YAML reads as text (`---#`) or as a comment: Go drops both where they end a document.
    if (i > 0 && head === '--- # doc\n' && rng.chance(0.4)) head = rng.pick(['---# doc\n', '---\t# doc\n']);
    if (rng.chance(0.6)) head += `# Source: chart/templates/t${i}.yaml\n`;
    let body: string;
    if (typeof doc === 'string') body = doc;
    else {
      const em = new Emitter(rng, style);
      em.value(doc, 0);
      body = em.lines.join('\n') + '\n';
    }
    if (rng.chance(0.05)) body += '...\n';
    if (i > 0 && !head.startsWith('---') && !parts[parts.length - 1].endsWith('...\n')) head = '---\n' + head;
    parts.push(head + body);
  });
  let text = parts.join('');
  if (crlf) text = text.replace(/\r?\n/g, '\r\n');
  if (rng.chance(0.05)) text = '\ufeff' + text;
  if (rng.chance(0.1)) text = text.replace(/\n$/, '');
  return text;
}

// ---------------------------------------------------------------------------------------------
// Mutations: damage to real renders.

/** corpusSlice takes up to a few dozen consecutive documents (at most ~300 KB) of a corpus file. */
export function corpusSlice(rng: Rng, files: string[]): string {
  const text = readFileSync(rng.pick(files), 'utf8');
  const segs = splitStream(text);
  let i = rng.int(segs.length);
  const out: string[] = [];
  let size = 0;
  for (let n = 1 + rng.int(30); n > 0 && i < segs.length; n--, i++) {
    if (size + segs[i].text.length > 300_000 && out.length) break;
    if (segs[i].text.length > 300_000) continue;
    out.push(segs[i].text);
    size += segs[i].text.length;
  }
  return out.join('');
}

const MUTATIONS = ['flip', 'truncate', 'swap', 'tab', 'nul', 'delete', 'duplicate', 'marker', 'indent'] as const;

/** mutate applies one to three random damages to the bytes of a stream, and says which. */
export function mutate(rng: Rng, text: string): { bytes: Buffer; what: string[] } {
  let buf: Buffer = Buffer.from(text, 'utf8');
  const what: string[] = [];
  for (let n = 1 + rng.int(3); n > 0 && buf.length; n--) {
    const m = rng.pick(MUTATIONS);
    what.push(m);
    const at = rng.int(buf.length);
    const lines = (): string[] => buf.toString('latin1').split('\n');
    const fromLines = (ls: string[]): Buffer => Buffer.from(ls.join('\n'), 'latin1');
    switch (m) {
      case 'flip':
        buf = Buffer.from(buf);
        buf[at] ^= 1 << rng.int(8);
        break;
      case 'truncate':
        buf = buf.subarray(0, at);
        break;
      case 'swap': {
        const ls = lines();
        const a = rng.int(ls.length);
        const b = rng.int(ls.length);
        [ls[a], ls[b]] = [ls[b], ls[a]];
        buf = fromLines(ls);
        break;
      }
      case 'tab':
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from('\t'), buf.subarray(at)]);
        break;
      case 'nul':
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from([0]), buf.subarray(at)]);
        break;
      case 'delete': {
        const ls = lines();
        ls.splice(rng.int(ls.length), 1);
        buf = fromLines(ls);
        break;
      }
      case 'duplicate': {
        const ls = lines();
        const a = rng.int(ls.length);
        ls.splice(a, 0, ls[a]);
        buf = fromLines(ls);
        break;
      }
      case 'marker': {
        const ls = lines();
        // Go refuses the stream for `--- x`, `--- !!map`, `----`; it splits at `---#x` anywhere (in a block scalar too).
        ls.splice(rng.int(ls.length), 0, rng.pick(['---', '...', '--- x', '--- !!map', '----', '---#x', '%YAML 1.1']));
        buf = fromLines(ls);
        break;
      }
      case 'indent': {
        const ls = lines();
        const a = rng.int(ls.length);
        ls[a] = rng.chance(0.5) ? ' ' + ls[a] : ls[a].replace(/^ /, '');
        buf = fromLines(ls);
        break;
      }
    }
  }
  return { bytes: buf, what };
}

// ---------------------------------------------------------------------------------------------
// Checking one case.

/** Outcome is what one case did. */
export interface Outcome {
  exit: number;
  /** Problems found: empty for a case that behaved. */
  problems: string[];
  /** Which fast paths the case exercised (documents read, edits made), for the counts. */
  fastReads: number;
  fastEdits: number;
}

const FAILURE =
  /^webhook-guard: (input is not valid UTF-8 \(byte \d+, line \d+, column \d+\)|input contains a NUL byte at line \d+, column \d+|document \d+ \(|line \d+: a document separator|line \d+, column \d+: `---|the input (is empty|holds no Kubernetes object|is UTF-(16|32) ))/;

/** checkCase runs one input through main() and checks every invariant; `spawn` also runs the built binary. */
export async function checkCase(input: Buffer, options: { spawn?: boolean; secret?: string } = {}): Promise<Outcome> {
  const problems: string[] = [];
  const out: Outcome = { exit: -1, problems, fastReads: 0, fastEdits: 0 };
  const first = await runMain(input);
  out.exit = first.exit;
  if (/internal error|\n\s+at /.test(first.stderr)) problems.push(`internal error or stack trace: ${first.stderr.slice(0, 300)}`);
  if (options.secret && (first.stderr.includes(options.secret) || (first.exit !== 0 && first.stdout.includes(options.secret))))
    problems.push('a Secret value appears on stderr');
  if (first.exit === 1) {
    if (first.stdout !== '') problems.push('exit 1 with output on stdout');
    if (!FAILURE.test(first.stderr))
      problems.push(`failure message names neither a document nor a byte: ${first.stderr.slice(0, 300)}`);
  } else if (first.exit === 0) {
    checkStream(input, first.stdout, problems, out);
    const second = await runMain(Buffer.from(first.stdout, 'utf8'));
    if (second.exit !== 0 || second.stdout !== first.stdout)
      problems.push(
        `not idempotent: second run exit ` +
          `${second.exit}${second.exit === 0 ? ', output differs' : `: ${second.stderr.slice(0, 200)}`}`,
      );
  } else problems.push(`exit ${first.exit}: ${first.stderr.slice(0, 300)}`);
  if (options.spawn) {
    const r = spawnSync(process.execPath, [BIN], { input, timeout: 60_000, maxBuffer: 256 << 20 });
    if (r.error) problems.push(`binary: ${r.error.message}`);
    else {
      if (r.status !== first.exit) problems.push(`binary exit ${r.status}, in-process ${first.exit}`);
      if (r.stdout.toString('utf8') !== first.stdout) problems.push('binary stdout differs from in-process');
      if (r.stderr.toString('utf8') !== first.stderr)
        problems.push(`binary stderr differs: ${r.stderr.toString('utf8').slice(0, 200)}`);
    }
  }
  return out;
}

// checkStream checks a successful run: documents in order, untouched ones byte for byte, edited ones as
// intended; and compares the fast reader and editor with yaml on every document.
function checkStream(input: Buffer, output: string, problems: string[], out: Outcome): void {
  const text = decodeInput(input);
  const result = transformStream(text, resolveConfig(undefined));
  if (result.output !== output) problems.push('main() and transformStream() disagree (not deterministic?)');
  const inSegs = splitStream(text);
  const outSegs = splitStream(output).filter((s) => !/^---\r?\n# Added by webhook-guard \(/.test(s.text));
  if (outSegs.length !== inSegs.length) {
    problems.push(`${inSegs.length} documents in, ${outSegs.length} out (besides added ones)`);
    return;
  }
  const docs = result.model.docs.filter((d) => !d.addedBy);
  // A first line only Go reads as a separator (`---#…`) is no YAML: the readers and editors compared here see the document
  // Go reads after it.
  const asGoReads = (t: string): string => t.slice(goSeparatorLength(t));
  inSegs.forEach((segment, i) => {
    const doc = docs[i];
    const seg = { text: asGoReads(segment.text) };
    const got = asGoReads(outSegs[i].text);
    const changed = doc.working !== undefined && !deepEqual(doc.original, doc.working);
    if (!changed) {
      const own = segment.text;
      const nl = own.includes('\r\n') ? '\r\n' : '\n';
      const ok = [own, `---${nl}${own}`, own + nl, `---${nl}${own}${nl}`];
      if (!ok.includes(outSegs[i].text)) problems.push(`document ${i + 1} is untouched but its bytes changed`);
    } else {
      const back = readWithYaml(got);
      if (back.error || !deepEqual(back.value, doc.working)) problems.push(`document ${i + 1} does not read back as edited`);
      const ops = fjp.compare(doc.original as object, doc.working as object);
      const fast = fastEdit(seg.text, ops);
      if (fast !== undefined) {
        out.fastEdits++;
        let slow: string | undefined;
        try {
          slow = applyOperationsWithYaml(seg.text, ops, doc.working);
        } catch (err) {
          slow = `(yaml editor failed: ${(err as Error).message})`;
        }
        if (slow !== fast) problems.push(`document ${i + 1}: fast-edit and the yaml editor write different text`);
      }
    }
    if (seg.text.length < 200_000) {
      const fast = fastRead(seg.text);
      if (fast) {
        out.fastReads++;
        const slow = readWithYaml(seg.text);
        if (slow.error || !deepEqual(slow.value, fast.value))
          problems.push(`document ${i + 1}: fast-read and yaml read it differently`);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Batches, run in a worker so that a hang is caught and reported.

/** CaseSpec says how to build case `index` of a batch. */
export interface BatchSpec {
  seed: number;
  generated: number;
  mutated: number;
  /** Every n-th case also runs the built binary (0: never). */
  spawnEvery: number;
  /** Stop after this many milliseconds (0: no limit). */
  budgetMs?: number;
}

/** CaseReport is one case that misbehaved, with what is needed to replay it. */
export interface CaseReport {
  index: number;
  kind: 'generated' | 'mutated';
  what: string;
  problems: string[];
  input: string;
}

/** Summary counts a batch. */
export interface Summary {
  cases: number;
  generated: number;
  mutated: number;
  spawned: number;
  exit0: number;
  exit1: number;
  fastReads: number;
  fastEdits: number;
  failures: CaseReport[];
}

/** buildCase makes case `index` of a batch: its bytes and a description. */
export function buildCase(
  spec: BatchSpec,
  index: number,
  files: string[],
): { kind: CaseReport['kind']; bytes: Buffer; what: string; secret: string } {
  const rng = new Rng(spec.seed * 1_000_003 + index);
  const secret = `S3CRET-${spec.seed}-${index}`;
  if (index < spec.generated || !files.length) {
    const text = generateStream(rng, secret);
    // A third of the generated streams are damaged too.
    if (rng.chance(0.33)) {
      const m = mutate(rng, text);
      return { kind: 'generated', bytes: m.bytes, what: `generated, then ${m.what.join(', ')}`, secret };
    }
    return { kind: 'generated', bytes: Buffer.from(text, 'utf8'), what: 'generated', secret };
  }
  const m = mutate(rng, corpusSlice(rng, files));
  return { kind: 'mutated', bytes: m.bytes, what: `corpus slice, ${m.what.join(', ')}`, secret };
}

/** corpusYaml lists the corpus files, or [] when the folder is absent. */
export function corpusYaml(): string[] {
  if (!existsSync(CORPUS)) return [];
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(CORPUS, f));
}

function emptySummary(): Summary {
  return { cases: 0, generated: 0, mutated: 0, spawned: 0, exit0: 0, exit1: 0, fastReads: 0, fastEdits: 0, failures: [] };
}

function merge(into: Summary, one: Summary): void {
  for (const k of ['cases', 'generated', 'mutated', 'spawned', 'exit0', 'exit1', 'fastReads', 'fastEdits'] as const)
    into[k] += one[k];
  into.failures.push(...one.failures);
}

/** runBatch runs the cases of `spec` from `from` in this thread; `onStart` and `onDone` hear of each case. */
export async function runBatch(
  spec: BatchSpec,
  from = 0,
  onStart: (i: number) => void = () => {},
  onDone: (one: Summary) => void = () => {},
): Promise<Summary> {
  const files = corpusYaml();
  const total = spec.generated + (files.length ? spec.mutated : 0);
  const sum = emptySummary();
  const t0 = Date.now();
  for (let i = from; i < total; i++) {
    if (spec.budgetMs && Date.now() - t0 > spec.budgetMs) break;
    onStart(i);
    const c = buildCase(spec, i, files);
    const spawn = spec.spawnEvery > 0 && i % spec.spawnEvery === 0;
    let o: Outcome;
    try {
      o = await checkCase(c.bytes, { spawn, secret: c.secret });
    } catch (err) {
      o = { exit: -1, problems: [`the harness threw: ${(err as Error).stack}`], fastReads: 0, fastEdits: 0 };
    }
    const one = emptySummary();
    one.cases = 1;
    one[c.kind] = 1;
    one.spawned = spawn ? 1 : 0;
    one.exit0 = o.exit === 0 ? 1 : 0;
    one.exit1 = o.exit === 1 ? 1 : 0;
    one.fastReads = o.fastReads;
    one.fastEdits = o.fastEdits;
    if (o.problems.length)
      one.failures.push({ index: i, kind: c.kind, what: c.what, problems: o.problems, input: c.bytes.toString('base64') });
    merge(sum, one);
    onDone(one);
  }
  return sum;
}

/**
 * runGuarded runs a batch in a worker thread; a case that runs longer than `caseTimeoutMs` is
 * reported as a hang and the batch goes on with the next case in a fresh worker.
 */
export async function runGuarded(spec: BatchSpec, caseTimeoutMs: number): Promise<Summary> {
  const total = emptySummary();
  let from = 0;
  const started = Date.now();
  for (;;) {
    const budgetMs = spec.budgetMs ? Math.max(1, spec.budgetMs - (Date.now() - started)) : 0;
    const hung = await new Promise<number | undefined>((done, fail) => {
      // The worker runs this same TypeScript file, so it registers tsx for itself first.
      const code =
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return ` +
        `import(${JSON.stringify(import.meta.url)}); }).then((m) => m.workerMain())`;
      const worker = new Worker(code, { eval: true, workerData: { spec: { ...spec, budgetMs }, from } });
      let current = from;
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          void worker.terminate();
          done(current);
        }, caseTimeoutMs);
      };
      arm();
      worker.on('message', (m: { start?: number; one?: Summary; end?: boolean }) => {
        if (m.start !== undefined) {
          current = m.start;
          arm();
        }
        if (m.one) merge(total, m.one);
        if (m.end) {
          clearTimeout(timer);
          done(undefined);
        }
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        fail(err);
      });
    });
    if (hung === undefined) return total;
    const c = buildCase(spec, hung, corpusYaml());
    const one = emptySummary();
    one.cases = 1;
    one[c.kind] = 1;
    one.failures.push({
      index: hung,
      kind: c.kind,
      what: c.what,
      problems: [`hung: still running after ${caseTimeoutMs} ms`],
      input: c.bytes.toString('base64'),
    });
    merge(total, one);
    from = hung + 1;
  }
}

/** workerMain is the worker side of runGuarded. */
export async function workerMain(): Promise<void> {
  const { spec, from } = workerData as { spec: BatchSpec; from: number };
  await runBatch(
    spec,
    from,
    (i) => parentPort!.postMessage({ start: i }),
    (one) => parentPort!.postMessage({ one }),
  );
  parentPort!.postMessage({ end: true });
}

/**
 * compareCorpus reads every corpus document, whatever its size, with the fast reader and with yaml, and lists where they differ.
 */
export function compareCorpus(files: string[]): { documents: number; fast: number; differ: string[] } {
  const out = { documents: 0, fast: 0, differ: [] as string[] };
  for (const file of files) {
    for (const seg of splitStream(readFileSync(file, 'utf8'))) {
      out.documents++;
      const fast = fastRead(seg.text);
      if (!fast) continue;
      out.fast++;
      const slow = readWithYaml(seg.text);
      if (slow.error || !deepEqual(slow.value, fast.value))
        out.differ.push(`${file} document ${seg.index + 1} (line ${seg.line})`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// npm run fuzz [-- --seed N --generated N --mutated N --minutes M --spawn-every N]

async function cli(): Promise<void> {
  const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? dflt : Number(process.argv[i + 1]);
  };
  const spec: BatchSpec = {
    seed: arg('seed', Date.now() % 100000),
    generated: arg('generated', 3000),
    mutated: arg('mutated', 3000),
    spawnEvery: arg('spawn-every', 50),
    budgetMs: arg('minutes', 10) * 60_000,
  };
  const files = corpusYaml();
  if (!files.length) console.log(`fuzz: ${CORPUS} is absent; only generated streams, no corpus mutations`);
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')))
    console.log('fuzz: dist/ is missing (npm run build); spawned cases will fail');
  console.log(
    `fuzz: seed ${spec.seed}, up to ${spec.generated} generated and ` +
      `${files.length ? spec.mutated : 0} mutated cases, at most ${spec.budgetMs! / 60000} min`,
  );
  const t0 = Date.now();
  const whole = compareCorpus(files);
  console.log(
    `fuzz: fast reader and yaml agree on ${whole.fast - whole.differ.length} of the ` +
      `${whole.fast} corpus documents the fast reader reads (of ${whole.documents})`,
  );
  for (const d of whole.differ) console.log(`  differs: ${d}`);
  if (whole.differ.length) process.exitCode = 1;
  const s = await runGuarded(spec, 30_000);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  console.log(
    `fuzz: ${s.cases} cases (${s.generated} generated, ${s.mutated} ` +
      `mutated, ${s.spawned} also through the binary) in ${secs} s: ` +
      `${s.exit0} exit 0, ${s.exit1} exit 1; fast reader compared on ${s.fastReads} ` +
      `documents, fast editor on ${s.fastEdits} edits; ${s.failures.length} failures`,
  );
  if (s.failures.length) {
    const dir = join(ROOT, '.cache', 'fuzz');
    mkdirSync(dir, { recursive: true });
    for (const f of s.failures.slice(0, 50)) {
      const file = join(dir, `seed${spec.seed}-case${f.index}.yaml`);
      writeFileSync(file, Buffer.from(f.input, 'base64'));
      console.log(`  case ${f.index} (${f.what}): ${f.problems.join('; ')}\n    input: ${file}`);
    }
    process.exitCode = 1;
  }
  await goDifferential(spec.seed, arg('go', 3000), files);
}

/**
 * goDifferential is the long run of test/yaml/go-differential.test.ts: generated streams (a sixth damaged) and
 * corpus slices, each refused or read by Go (the real kubectl) as the input plus the reported edits, with every
 * Fail webhook hardened. Batches of 100 cases share two kubectl calls.
 */
async function goDifferential(seed: number, count: number, files: string[]): Promise<void> {
  const missing = oracleMissing();
  if (missing) {
    console.log(`fuzz: no Go differential run: ${missing}`);
    return;
  }
  const t0 = Date.now();
  let failed = 0;
  let refused = 0;
  for (let from = 0; from < count; from += 100) {
    const inputs: Buffer[] = [];
    for (let i = from; i < Math.min(count, from + 100); i++) {
      const rng = new Rng(seed * 7919 + i);
      const text = files.length && i % 4 === 3 ? corpusSlice(rng, files) : generateStream(rng, `S3CRET-${i}`);
      inputs.push(i % 6 === 5 ? mutate(rng, text).bytes : Buffer.from(text, 'utf8'));
    }
    const outcomes = [];
    for (const input of inputs) outcomes.push(await runMain(input, ['--report', 'json']));
    refused += outcomes.filter((o) => o.exit !== 0).length;
    judgeAll(inputs, outcomes).forEach((j, k) => {
      if (!j.problems.length) return;
      failed++;
      const dir = join(ROOT, '.cache', 'fuzz');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `go-seed${seed}-case${from + k}.yaml`);
      writeFileSync(file, inputs[k]);
      if (failed <= 50) console.log(`  go case ${from + k}: ${j.problems.join('; ').slice(0, 600)}\n    input: ${file}`);
    });
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  console.log(`fuzz: Go differential: ${count} cases in ${secs} s, ${refused} refused, ${failed} failures`);
  if (failed) process.exitCode = 1;
}

if (isMainThread && process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
