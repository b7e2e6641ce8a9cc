// The differential rule: webhook-guard refuses, or Go reads the output as the input plus the reported edits, all Fail webhooks
// hardened.
// The judge reads Go's output with matchers of its own, written apart from src/model on purpose: an oracle that
// shared the code under test would agree with its bugs.
import { spawn } from 'node:child_process';
import { goRead, type GoReading } from './go-oracle.js';
import { BIN, ROOT } from './helpers.js';

/** Outcome is one run of webhook-guard with `--report json`. */
export interface Outcome {
  exit: number | null;
  stdout: string;
  stderr: string;
}

interface ReportChange {
  transform: string;
  resource: string;
  /** From 1; null for an added document. */
  document: number | null;
  path: string;
}
interface ReportWarning {
  transform: string;
  resource?: string;
  message: string;
}
type O = Record<string, unknown>;

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

/** runAll runs the built CLI on every input, two at a time (the machine has two cores). */
export async function runAll(inputs: Array<string | Buffer>): Promise<Outcome[]> {
  const out: Outcome[] = new Array<Outcome>(inputs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) out[i] = await runBin(inputs[i]);
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** Judged is one case run and read by Go: its outcome and what the rule found wrong. */
export interface Judged {
  outcome: Outcome;
  goIn: GoReading;
  problems: string[];
}

/** judgeAll reads inputs and the accepted outputs with Go (one kubectl call each) and applies the rule. */
export function judgeAll(inputs: Array<string | Buffer>, outcomes: Outcome[]): Judged[] {
  const goIn = goRead(inputs);
  const accepted = outcomes.map((o, i) => (o.exit === 0 ? i : -1)).filter((i) => i >= 0);
  const goOutList = goRead(accepted.map((i) => outcomes[i].stdout));
  const goOut = new Map(accepted.map((i, k) => [i, goOutList[k]]));
  return outcomes.map((outcome, i) => ({ outcome, goIn: goIn[i], problems: judge(outcome, goIn[i], goOut.get(i)) }));
}

/** NAME_LABEL is the label the apiserver sets on every namespace to its name. */
const NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * judge applies the rule to one case and returns what is wrong (empty when the case holds):
 * - a refusal must have a non-zero exit, an empty stdout and a one-line-ish message without a stack trace;
 * - otherwise (a) the objects Go reads from the output equal those it reads from the input, except at the
 *   fields the report lists and the documents it says it added, and Go reads the output without new errors;
 *   (b) every Fail webhook Go reads in the output is hardened (see hardened), unless the report states why not.
 */
export function judge(outcome: Outcome, goIn: GoReading, goOut: GoReading | undefined): string[] {
  if (outcome.exit !== 0) {
    const problems: string[] = [];
    if (outcome.stdout !== '') problems.push(`refused (exit ${outcome.exit}) but wrote ${outcome.stdout.length} bytes to stdout`);
    if (!/webhook-guard/.test(outcome.stderr)) problems.push(`refused without a message: ${JSON.stringify(outcome.stderr)}`);
    if (/\n\s+at /.test(outcome.stderr) || /internal error/i.test(outcome.stderr))
      problems.push(`refused with an internal error: ${outcome.stderr.slice(0, 400)}`);
    return problems;
  }
  // Go refuses the whole stream for a `---` line with more than a comment after the dashes, wherever it is (kubectl still
  // prints what it read before it): webhook-guard must refuse it too.
  const separator = goIn.errors.find((e) => e.includes('invalid Yaml document separator'));
  if (separator) return [`accepted a stream Go refuses: ${separator}`];
  if (!goOut) return ['exit 0 but no Go reading of the output was made'];
  const report = parseReport(outcome.stderr);
  if (!report) return [`exit 0 without a JSON report on stderr: ${outcome.stderr.slice(0, 300)}`];
  const problems: string[] = [];
  if (goOut.errors.length && !goIn.errors.length) problems.push(`Go cannot read the output: ${goOut.errors.join('; ')}`);
  const before = goIn.objects.map((o) => structuredClone(o));
  const after = goOut.objects.map((o) => structuredClone(o));
  const added = report.changes.filter((c) => c.document === null).map((c) => c.resource);
  const kept = after.filter((o) => !added.some((id) => idMatches(id, o)) || before.some((b) => sameId(b, o)));
  for (const c of report.changes) {
    for (const o of [...before, ...kept]) if (idMatches(c.resource, o)) strip(o, c.path);
  }
  if (before.length !== kept.length) {
    problems.push(
      `Go reads ${before.length} objects from the input and ${kept.length} (not counting added ones) from the output:\n` +
        `  in:  ${before.map(idOf).join(', ')}\n  out: ${kept.map(idOf).join(', ')}`,
    );
  } else {
    before.forEach((b, i) => {
      if (!deepEqual(b, kept[i]))
        problems.push(
          `object ${i} (${idOf(b)}) differs outside the reported fields:\n ` +
            ` in:  ${JSON.stringify(b)}\n  out: ${JSON.stringify(kept[i])}`,
        );
    });
  }
  // (Where Go cannot read the input at all, Kubernetes installs nothing from it and the edits are moot.)
  for (const c of goIn.errors.length ? [] : report.changes)
    if (!goOut.objects.some((o) => idMatches(c.resource, o)))
      problems.push(`the report changes ${c.resource} (${c.path}), which Go does not read in the output`);
  // A webhook left alone with a stated reason (a warning, or a note: it cannot block what a backend needs) is exempt.
  problems.push(...unhardened(goOut.objects, [...report.warnings, ...(report.notes ?? [])]));
  return problems;
}

/**
 * unhardened lists the Fail webhooks Go reads in `objects` that are not hardened. A webhook is hardened when
 * its namespaceSelector matches neither kube-system nor its own backend's namespace, each seen as the
 * apiserver labels it (kubernetes.io/metadata.name) plus the labels a Namespace object in the stream gives it.
 * It is exempt when a warning names its configuration and the webhook (the report states why). Kyverno's
 * ConfigMap (`data.webhooks`) is held to the same rule for the ConfigMap's namespace and kube-system.
 */
export function unhardened(objects: O[], warnings: ReportWarning[]): string[] {
  const nsLabels = new Map<string, Record<string, string>>();
  for (const o of objects)
    if (o.kind === 'Namespace' && isObj(o.metadata) && typeof o.metadata.name === 'string')
      nsLabels.set(o.metadata.name, { ...(isObj(o.metadata.labels) ? (o.metadata.labels as Record<string, string>) : {}) });
  const crdScopes = new Map<string, boolean>();
  for (const o of objects) {
    const spec = isObj(o.spec) ? o.spec : undefined;
    if (o.kind === 'CustomResourceDefinition' && spec && isObj(spec.names))
      crdScopes.set(`${String(spec.group)}/${String(spec.names.plural)}`, spec.scope === 'Cluster');
  }
  const labelsOf = (ns: string) => ({ ...(nsLabels.get(ns) ?? {}), [NAME_LABEL]: ns });
  const problems: string[] = [];
  for (const o of objects) {
    // Named as webhook-guard's report names it: a configuration whose metadata is not a map has no name, like one
    // whose metadata has none (the API server refuses both).
    const name = isObj(o.metadata) ? String(o.metadata.name ?? '') : '';
    if (o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration') {
      if (!Array.isArray(o.webhooks)) continue;
      const beta = String(o.apiVersion).endsWith('v1beta1');
      for (const w of o.webhooks as unknown[]) {
        if (!isObj(w)) continue;
        const policy = w.failurePolicy ?? (beta ? 'Ignore' : 'Fail');
        if (policy !== 'Fail') continue;
        const svc = isObj(w.clientConfig) && isObj(w.clientConfig.service) ? w.clientConfig.service : undefined;
        const targets = ['kube-system', ...(svc && typeof svc.namespace === 'string' ? [svc.namespace] : [])];
        const exempt = warnings.some((x) => (x.resource ?? '').includes(name) && x.message.includes(String(w.name)));
        // A webhook none of whose rules names groups, versions, operations and resources intercepts nothing.
        if (exempt || !matchesAnything(w.rules)) continue;
        const open = targets.filter((ns) => selectorMatches(w.namespaceSelector, labelsOf(ns)));
        // A namespaceSelector does not apply to cluster-scoped objects: a webhook that sees only those is out of scope.
        if (open.length && !onlyClusterScoped(w.rules, crdScopes))
          problems.push(`${o.kind} ${name}: Fail webhook ${String(w.name)} still intercepts ${open.join(', ')}`);
        for (const [resource, group] of [
          ['nodes', ''],
          ['certificatesigningrequests', 'certificates.k8s.io'],
        ])
          if (mayMatch(w.rules, group, resource) && !skips(w.matchConditions, resource))
            problems.push(
              `${o.kind} ${name}: Fail webhook ${String(w.name)} can block ${resource} and has no condition skipping them`,
            );
      }
    }
    if (o.kind === 'ConfigMap' && isObj(o.data) && typeof o.data.webhooks === 'string') {
      let entries: unknown;
      try {
        entries = JSON.parse(o.data.webhooks);
      } catch {
        continue; // Kyverno cannot read it either.
      }
      const ns = isObj(o.metadata) && typeof o.metadata.namespace === 'string' ? o.metadata.namespace : undefined;
      const targets = ['kube-system', ...(ns ? [ns] : [])];
      for (const e of Array.isArray(entries) ? entries : [entries]) {
        if (!isObj(e)) continue;
        const open = targets.filter((t) => selectorMatches(e.namespaceSelector, labelsOf(t)));
        const exempt = warnings.some((x) => (x.resource ?? '').includes(name));
        if (open.length && !exempt)
          problems.push(`ConfigMap ${name}: Kyverno's data.webhooks still intercepts ${open.join(', ')}`);
      }
    }
  }
  return problems;
}

// matchesAnything tells whether some rule lists API groups, versions, operations and resources (the apiserver
// refuses a rule without them).
function matchesAnything(rules: unknown): boolean {
  const full = (x: unknown) => Array.isArray(x) && x.length > 0;
  return (
    Array.isArray(rules) &&
    rules.some((r) => isObj(r) && full(r.apiGroups) && full(r.apiVersions) && full(r.operations) && full(r.resources))
  );
}

// mayMatch tells whether a webhook's rules can match a resource of the group (wildcards included).
function mayMatch(rules: unknown, group: string, resource: string): boolean {
  if (!Array.isArray(rules)) return false;
  return rules.some(
    (r) =>
      isObj(r) &&
      Array.isArray(r.apiGroups) &&
      r.apiGroups.some((g) => g === '*' || g === group) &&
      Array.isArray(r.resources) &&
      r.resources.some((x) => x === '*' || x === resource || String(x).startsWith(`${resource}/`)) &&
      r.scope !== 'Namespaced' &&
      // A rule without API versions or operations matches nothing (the apiserver refuses it).
      Array.isArray(r.apiVersions) &&
      r.apiVersions.some((v) => v === '*' || v === 'v1' || v === 'v1beta1') &&
      Array.isArray(r.operations) &&
      r.operations.length > 0,
  );
}

// skips tells whether the matchConditions hold one that names the resource (guard-cluster-scoped's skip-nodes/-csrs).
function skips(conditions: unknown, resource: string): boolean {
  // (A webhook on Nodes or CSRs alone skips kubelets' requests instead: `'system:nodes' in request.userInfo.groups`.)
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => isObj(c) && [`'${resource}'`, `'system:nodes'`].some((s) => String(c.expression).includes(s)))
  );
}

// The built-in cluster-scoped resources a webhook rule may name.
const CLUSTER_RESOURCES = new Set([
  '/nodes',
  '/namespaces',
  '/persistentvolumes',
  '/componentstatuses',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
  'storage.k8s.io/storageclasses',
  'storage.k8s.io/csidrivers',
  'storage.k8s.io/csinodes',
  'storage.k8s.io/volumeattachments',
  'apiextensions.k8s.io/customresourcedefinitions',
  'certificates.k8s.io/certificatesigningrequests',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingadmissionpolicies',
  'admissionregistration.k8s.io/validatingadmissionpolicybindings',
  'scheduling.k8s.io/priorityclasses',
  'node.k8s.io/runtimeclasses',
  'networking.k8s.io/ingressclasses',
  'apiregistration.k8s.io/apiservices',
  'flowcontrol.apiserver.k8s.io/flowschemas',
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations',
]);

// onlyClusterScoped tells whether every rule covers cluster-scoped resources only (by `scope: Cluster`, a CRD in
// the stream, or a built-in kind), so that no namespaceSelector could keep the webhook out of a namespace.
function onlyClusterScoped(rules: unknown, crds: Map<string, boolean>): boolean {
  if (!Array.isArray(rules) || !rules.length) return false;
  return rules.every((r) => {
    if (!isObj(r)) return false;
    if (r.scope === 'Cluster') return true;
    const groups = Array.isArray(r.apiGroups) ? r.apiGroups.map(String) : [];
    const resources = Array.isArray(r.resources) ? r.resources.map((x) => String(x).split('/')[0]) : [];
    if (!groups.length || !resources.length) return false;
    const cluster = (g: string, res: string) =>
      g === '*'
        ? [...CLUSTER_RESOURCES, ...[...crds].filter(([, c]) => c).map(([k]) => k)].some((k) => k.endsWith(`/${res}`))
        : CLUSTER_RESOURCES.has(`${g}/${res}`) || crds.get(`${g}/${res}`) === true;
    return groups.every((g) => resources.every((res) => res !== '*' && cluster(g, res)));
  });
}

/** selectorMatches evaluates a Kubernetes label selector as the apiserver does; a missing selector matches everything. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isObj(selector)) return false;
  if (isObj(selector.matchLabels)) for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isObj(e)) return false;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** parseReport finds the JSON report (`--report json`) in stderr. */
export function parseReport(
  stderr: string,
): { changes: ReportChange[]; warnings: ReportWarning[]; notes?: ReportWarning[] } | undefined {
  const start = stderr.indexOf('{\n');
  const end = stderr.lastIndexOf('\n}');
  if (start < 0 || end < 0) return undefined;
  try {
    return JSON.parse(stderr.slice(start, end + 2)) as {
      changes: ReportChange[];
      warnings: ReportWarning[];
      notes?: ReportWarning[];
    };
  } catch {
    return undefined;
  }
}

function idOf(o: O): string {
  const m = isObj(o.metadata) ? o.metadata : {};
  return `${String(o.apiVersion)} ${String(o.kind)} ${m.namespace ? `${String(m.namespace)}/` : ''}${String(m.name)}`;
}

function sameId(a: O, b: O): boolean {
  return idOf(a) === idOf(b);
}

// idMatches tells whether a report's resource (`apiVersion Kind ns/name`, the namespace filled in when the object
// names none) is this object.
function idMatches(id: string, o: O): boolean {
  const m = isObj(o.metadata) ? o.metadata : {};
  // The report names a missing apiVersion or name as empty (which the API server would refuse anyway).
  const head = `${String(o.apiVersion ?? '')} ${String(o.kind)} `;
  const name = String(m.name ?? '');
  if (!id.startsWith(head)) return false;
  const rest = id.slice(head.length);
  // Cluster-scoped objects are named without the namespace a chart may still give them.
  if (m.namespace && rest === `${String(m.namespace)}/${name}`) return true;
  if (m.namespace) return rest === name;
  return rest === name || rest.endsWith(`/${name}`);
}

// strip deletes the field a report path names (`webhooks[name]/namespaceSelector`, map keys may hold `/`), and
// then any map or list that deleting it left empty on the way, so an added field and its absence compare equal.
function strip(obj: O, path: string): void {
  const segs = splitPath(path);
  const trail: Array<{ parent: O | unknown[]; key: string | number }> = [];
  let node: unknown = obj;
  let i = 0;
  while (i < segs.length) {
    const item = /^(.*)\[(.*)\]$/.exec(segs[i]);
    if (item && isObj(node) && Array.isArray(node[item[1]])) {
      const list = node[item[1]] as unknown[];
      const at = list.findIndex((x, k) => (isObj(x) && x.name === item[2]) || String(k) === item[2]);
      if (at < 0) return;
      trail.push({ parent: node, key: item[1] }, { parent: list, key: at });
      node = list[at];
      i++;
      continue;
    }
    if (Array.isArray(node) && /^\d+$/.test(segs[i])) {
      trail.push({ parent: node, key: Number(segs[i]) });
      node = node[Number(segs[i])];
      i++;
      continue;
    }
    // A field the input had as null (or a scalar) was replaced whole: strip it there.
    if (!isObj(node)) break;
    // The longest run of segments that is a key: label and annotation keys hold `/`.
    let j = segs.length;
    while (j > i && !Object.prototype.hasOwnProperty.call(node, segs.slice(i, j).join('/'))) j--;
    if (j === i) return;
    const key = segs.slice(i, j).join('/');
    trail.push({ parent: node, key });
    node = node[key];
    i = j;
  }
  const last = trail.pop();
  if (!last) return;
  if (Array.isArray(last.parent)) last.parent[last.key as number] = null;
  else delete (last.parent as O)[last.key as string];
  for (let k = trail.length - 1; k >= 0; k--) {
    const { parent, key } = trail[k];
    const v = (parent as O)[key as string];
    const empty = isObj(v) ? !Object.keys(v).length : Array.isArray(v) && !v.length;
    if (!empty || Array.isArray(parent)) break;
    delete (parent as O)[key as string];
  }
}

// splitPath splits a report path at the slashes outside `[name]` (a webhook's name may hold slashes).
function splitPath(path: string): string[] {
  const out = [''];
  let depth = 0;
  for (const c of path) {
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    if (c === '/' && depth === 0) out.push('');
    else out[out.length - 1] += c;
  }
  return out;
}

function isObj(x: unknown): x is O {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as O);
  const kb = Object.keys(b as O);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as O)[k], (b as O)[k]));
}
