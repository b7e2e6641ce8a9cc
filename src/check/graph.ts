// The admission dependency graph: webhook → Service → workload, "intercepts pods of" edges, and deadlock cycles.
import { escapeControls } from '../text.js';
import type { Resource, Webhook } from '../model/types.js';
import type { Admission, PodSource } from '../model/admission.js';
import type { Finding, Severity } from './types.js';

/** Intercept is one "intercepts pods of" edge: the webhook is called when the source creates pods. */
export interface Intercept {
  webhook: Webhook;
  source: PodSource;
  verdict: 'yes' | 'unknown';
  reason?: string;
}

/** Dependency says that `from` cannot create pods while a Fail webhook served by `to` is down. */
export interface Dependency {
  from: PodSource;
  to: PodSource;
  via: Webhook;
  verdict: 'yes' | 'unknown';
}

/** Cycle is a set of backends that block each other's pods (a strongly connected component), with one closed walk through it. */
export interface Cycle {
  sources: PodSource[];
  /** A closed walk: each step's `to` is the next step's `from`, and the last returns to the first. */
  walk: Dependency[];
  /** True when every step is certain (no matchCondition could not be evaluated). */
  certain: boolean;
}

/** AdmissionGraph is the whole picture, built once per run. */
export interface AdmissionGraph {
  webhooks: Webhook[];
  intercepts: Intercept[];
  dependencies: Dependency[];
  /** Self-loops: a Fail webhook intercepts the pods of its own backend. */
  selfLoops: Dependency[];
  /** Cycles of two backends or more. */
  cycles: Cycle[];
}

const built = new WeakMap<Admission, AdmissionGraph>();

/** graphOf builds (once per Admission) the admission dependency graph. */
export function graphOf(admission: Admission): AdmissionGraph {
  let g = built.get(admission);
  if (g) return g;
  const webhooks = admission.webhooks();
  const intercepts: Intercept[] = [];
  for (const w of webhooks) {
    if (w.type === 'conversion') continue;
    for (const source of admission.sources()) {
      const v = admission.interceptsPods(w, source);
      if (v.verdict !== 'no') intercepts.push({ webhook: w, source, verdict: v.verdict, reason: v.reason });
    }
  }
  const dependencies: Dependency[] = [];
  for (const i of intercepts) {
    if (i.webhook.failurePolicy !== 'Fail') continue;
    for (const to of admission.backends(i.webhook)) dependencies.push({ from: i.source, to, via: i.webhook, verdict: i.verdict });
  }
  const selfLoops = dependencies.filter((d) => d.from === d.to);
  g = { webhooks, intercepts, dependencies, selfLoops, cycles: findCycles(dependencies.filter((d) => d.from !== d.to)) };
  built.set(admission, g);
  return g;
}

// findCycles runs Tarjan's algorithm over the dependencies and returns each component of two or more
// backends with a closed walk through all of them, found by breadth-first search inside the component.
function findCycles(deps: Dependency[]): Cycle[] {
  const out = new Map<PodSource, Dependency[]>();
  for (const d of deps) out.set(d.from, [...(out.get(d.from) ?? []), d]);
  const nodes = [...new Set(deps.flatMap((d) => [d.from, d.to]))];
  const index = new Map<PodSource, number>();
  const low = new Map<PodSource, number>();
  const onStack = new Set<PodSource>();
  const stack: PodSource[] = [];
  const components: PodSource[][] = [];
  let counter = 0;
  const strong = (v: PodSource): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const d of out.get(v) ?? []) {
      if (!index.has(d.to)) {
        strong(d.to);
        low.set(v, Math.min(low.get(v)!, low.get(d.to)!));
      } else if (onStack.has(d.to)) low.set(v, Math.min(low.get(v)!, index.get(d.to)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: PodSource[] = [];
      let w: PodSource;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) components.push(comp.reverse());
    }
  };
  for (const n of nodes) if (!index.has(n)) strong(n);
  return components.map((comp) => {
    const inComp = new Set(comp);
    // Walk from the first node through every other one and back, each leg a shortest path inside the component.
    const walk: Dependency[] = [];
    const legs = [...comp.slice(1), comp[0]];
    let at = comp[0];
    for (const target of legs) {
      if (walk.some((d) => d.to === target) && target !== comp[0]) continue;
      const path = shortest(at, target, out, inComp);
      walk.push(...path);
      at = target;
    }
    return { sources: comp, walk, certain: walk.every((d) => d.verdict === 'yes') };
  });
}

function shortest(from: PodSource, to: PodSource, out: Map<PodSource, Dependency[]>, allowed: Set<PodSource>): Dependency[] {
  const prev = new Map<PodSource, Dependency>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const v = queue.shift()!;
    // Prefer certain edges: they are listed first.
    const edges = [...(out.get(v) ?? [])].sort((a, b) => (a.verdict === b.verdict ? 0 : a.verdict === 'yes' ? -1 : 1));
    for (const d of edges) {
      if (!allowed.has(d.to)) continue;
      if (d.to === to) {
        const path = [d];
        for (let p = v; p !== from; p = prev.get(p)!.from) path.unshift(prev.get(p)!);
        return path;
      }
      if (seen.has(d.to)) continue;
      seen.add(d.to);
      prev.set(d.to, d);
      queue.push(d.to);
    }
  }
  return [];
}

/** sourceName names a pod source in messages: `Deployment kruise-system/kruise-controller-manager`. */
export function sourceName(s: PodSource): string {
  return `${s.kind} ${s.namespace}/${s.name}`;
}

/** webhookName names a webhook in messages, with its configuration. */
export function webhookName(w: Webhook): string {
  return `${w.name} (${w.owner.kind} ${w.owner.name})`;
}

interface RenderNode {
  id: string;
  label: string;
  shape: 'webhook' | 'service' | 'workload' | 'missing';
  fail?: boolean;
  /** The most severe finding about what the node stands for, which colours it. */
  severity?: Severity;
}

interface RenderEdge {
  from: string;
  to: string;
  label: string;
  kind: 'calls' | 'selects' | 'intercepts';
  deadlock: boolean;
  maybe: boolean;
}

// layout collects the nodes and edges both renderers draw. Webhooks are collapsed per configuration and Service
// (a chart's 30 webhooks on one Service are one node), their intercept edges name the webhooks they stand for, and the
// cluster-critical targets (what kubelets send, kube-system) are drawn where a Fail webhook intercepts them.
function layout(admission: Admission, findings: readonly Finding[]): { nodes: RenderNode[]; edges: RenderEdge[] } {
  const g = graphOf(admission);
  const nodes = new Map<string, RenderNode>();
  const edges: RenderEdge[] = [];
  const ids = new Map<unknown, string>();
  const id = (thing: unknown, prefix: string): string => {
    let v = ids.get(thing);
    if (!v) ids.set(thing, (v = `${prefix}${ids.size}`));
    return v;
  };
  // One group a configuration (CRD conversions: one group a Service) and Service.
  const groupOf = new Map<Webhook, string>();
  const members = new Map<string, Webhook[]>();
  for (const w of g.webhooks) {
    const target = w.service ? `${w.service.namespace}/${w.service.name}` : `url:${w.url ?? ''}`;
    const key = w.type === 'conversion' ? `conversion|${target}` : `${w.owner.kind}/${w.owner.name}|${target}`;
    groupOf.set(w, key);
    members.set(key, [...(members.get(key) ?? []), w]);
  }
  const names = (ws: Webhook[]): string =>
    ws.length <= 2 ? ws.map((w) => w.name).join(', ') : `${ws[0].name} and ${ws.length - 1} more`;
  const deadlocked = new Set<string>();
  for (const d of [...g.selfLoops, ...g.cycles.flatMap((c) => c.walk)])
    deadlocked.add(`${groupOf.get(d.via)}>${id(d.from, 'p')}`);
  const sourceNode = (s: PodSource) => {
    const sid = id(s, 'p');
    if (!nodes.has(sid)) nodes.set(sid, { id: sid, label: sourceName(s), shape: 'workload' });
    return sid;
  };
  const edge = (from: string, to: string, label: string, kind: RenderEdge['kind'], deadlock = false, maybe = false) => {
    const same = edges.find((e) => e.from === from && e.to === to && e.kind === kind);
    if (same) {
      same.deadlock ||= deadlock;
      same.maybe &&= maybe;
    } else edges.push({ from, to, label, kind, deadlock, maybe });
  };
  for (const [key, ws] of members) {
    const gid = id(key, 'w');
    const fail = ws.filter((w) => w.failurePolicy === 'Fail').length;
    const first = ws[0];
    const policies = fail === ws.length ? 'all Fail' : `${fail} Fail`;
    const title =
      first.type === 'conversion'
        ? `CRD conversion (${ws.length} CRD${ws.length === 1 ? '' : 's'})`
        : `${first.owner.kind.replace('WebhookConfiguration', '')} ${first.owner.name}`;
    nodes.set(gid, {
      id: gid,
      label: `${title}\n${ws.length === 1 ? first.name : `${ws.length} webhooks`}, ${policies}`,
      shape: 'webhook',
      fail: fail > 0,
    });
    if (first.service) {
      const svc = admission.serviceOf(first);
      const target = `${first.service.namespace}/${first.service.name}`;
      const sid = id(svc ?? target, 's');
      if (!nodes.has(sid))
        nodes.set(sid, {
          id: sid,
          label: `Service ${target}${svc ? '' : '\n(not in the input)'}`,
          shape: svc ? 'service' : 'missing',
        });
      edge(gid, sid, 'calls', 'calls');
      if (svc) for (const b of admission.selected(svc)) edge(sid, sourceNode(b), 'selects', 'selects');
    } else if (first.url) {
      const uid = id(`url:${first.url}`, 'u');
      if (!nodes.has(uid)) nodes.set(uid, { id: uid, label: `URL ${first.url}`, shape: 'missing' });
      edge(gid, uid, 'calls', 'calls');
    }
    // What the cluster itself needs, drawn only where a Fail webhook of the group intercepts it.
    for (const [area, label] of [
      [['node', 'csr', 'lease'], 'kubelets: Nodes, node Leases, CSRs'],
      [['kube-system'], 'kube-system'],
    ] as const) {
      const hit = ws.filter((w) => w.failurePolicy === 'Fail' && admission.probeHits(w, [...area]).length);
      if (!hit.length) continue;
      const cid = id(`critical:${label}`, 'c');
      if (!nodes.has(cid)) nodes.set(cid, { id: cid, label, shape: 'missing' });
      edge(gid, cid, `${names(hit)} intercept${hit.length === 1 ? 's' : ''}`, 'intercepts');
    }
  }
  const byEdge = new Map<string, Webhook[]>();
  for (const i of g.intercepts) {
    const k = `${groupOf.get(i.webhook)}>${id(i.source, 'p')}`;
    byEdge.set(k, [...(byEdge.get(k) ?? []), i.webhook]);
  }
  for (const i of g.intercepts) {
    const key = groupOf.get(i.webhook)!;
    const pid = sourceNode(i.source);
    const via = byEdge.get(`${key}>${pid}`)!;
    edge(
      id(key, 'w'),
      pid,
      `${names(via)} ${i.verdict === 'yes' ? 'intercept' : 'may intercept'}${via.length === 1 ? 's' : ''} pods of`,
      'intercepts',
      deadlocked.has(`${key}>${pid}`),
      i.verdict === 'unknown',
    );
  }
  markFindings(nodes, findings, (r, path) => {
    // A finding on a configuration marks the groups of the webhooks its path points into (all of them, without one).
    const groups = [...members].filter(([, ws]) =>
      ws.some((w) => w.owner.obj === r.obj && w.path.every((p, i) => path.length <= i || path[i] === p)),
    );
    const sources = admission.sources().filter((s) => s.resource === r || s.pods.includes(r));
    return [...groups.map(([key]) => ids.get(key)), ids.get(r), ...sources.map((s) => ids.get(s))];
  });
  return { nodes: [...nodes.values()], edges };
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

// markFindings adds to each node the rules of the findings about what it stands for (`error: self-deadlock`), and
// the most severe one, which colours it: on a real chart that is where to look first.
function markFindings(
  nodes: Map<string, RenderNode>,
  findings: readonly Finding[],
  nodesOf: (r: Resource, path: Array<string | number>) => Array<string | undefined>,
): void {
  const marks = new Map<string, Map<Severity, Set<string>>>();
  for (const f of findings) {
    for (const nid of new Set(nodesOf(f.resource, f.path))) {
      if (nid === undefined || !nodes.has(nid)) continue;
      const bySeverity = marks.get(nid) ?? new Map<Severity, Set<string>>();
      marks.set(nid, bySeverity);
      bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? new Set()).add(f.id));
    }
  }
  for (const [nid, bySeverity] of marks) {
    const node = nodes.get(nid)!;
    const present = SEVERITIES.filter((s) => bySeverity.has(s));
    node.severity = present[0];
    node.label += present.map((s) => `\n${s}: ${[...bySeverity.get(s)!].join(', ')}`).join('');
  }
}

// Fill colours by severity (six-digit: Graphviz reads no other form).
const FILL: Record<Severity, string> = { error: '#f6cccc', warning: '#fbe8b4', info: '#dde8f6' };

// Labels come from the charts: control characters are escaped (as on stderr) before the format's own quoting.
const quoteMermaid = (s: string) => escapeControls(s).replace(/"/g, '#quot;').replace(/\n/g, '<br/>');

/** mermaid renders the graph as a Mermaid flowchart; deadlock edges are red and thick, nodes with findings filled. */
export function mermaid(admission: Admission, findings: readonly Finding[] = []): string {
  const { nodes, edges } = layout(admission, findings);
  const lines = ['flowchart LR'];
  for (const n of nodes) {
    const label = `"${quoteMermaid(n.label)}"`;
    const shape =
      n.shape === 'webhook'
        ? `{{${label}}}`
        : n.shape === 'service'
          ? `[/${label}/]`
          : n.shape === 'missing'
            ? `[${label}]`
            : `([${label}])`;
    lines.push(`  ${n.id}${shape}`);
  }
  const red: number[] = [];
  edges.forEach((e, i) => {
    const arrow = e.kind === 'intercepts' ? (e.maybe ? '-.->' : '==>') : '-->';
    lines.push(`  ${e.from} ${arrow}|${quoteMermaid(e.label)}| ${e.to}`);
    if (e.deadlock) red.push(i);
  });
  lines.push('  classDef fail stroke:#bb0000,stroke-width:2px');
  lines.push('  classDef missing stroke-dasharray:4 3,color:#666666');
  const fail = nodes.filter((n) => n.fail).map((n) => n.id);
  if (fail.length) lines.push(`  class ${fail.join(',')} fail`);
  const missing = nodes.filter((n) => n.shape === 'missing').map((n) => n.id);
  if (missing.length) lines.push(`  class ${missing.join(',')} missing`);
  if (red.length) lines.push(`  linkStyle ${red.join(',')} stroke:#dd0000,stroke-width:4px,color:#dd0000`);
  for (const severity of SEVERITIES) {
    const marked = nodes.filter((n) => n.severity === severity).map((n) => n.id);
    if (marked.length) lines.push(`  classDef ${severity} fill:${FILL[severity]}`, `  class ${marked.join(',')} ${severity}`);
  }
  return lines.join('\n') + '\n';
}

const quoteDot = (s: string) => `"${escapeControls(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** dot renders the graph in Graphviz DOT; deadlock edges are red and thick, nodes with findings filled. */
export function dot(admission: Admission, findings: readonly Finding[] = []): string {
  const { nodes, edges } = layout(admission, findings);
  const lines = [
    'digraph admission {',
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of nodes) {
    const [shape, styles, more] =
      n.shape === 'webhook'
        ? ['hexagon', [], n.fail ? ', color="#bb0000"' : '']
        : n.shape === 'service'
          ? ['parallelogram', [], '']
          : n.shape === 'missing'
            ? ['box', ['dashed'], ', fontcolor="#666666"']
            : ['box', ['rounded'], ''];
    if (n.severity) styles.push('filled');
    const style = styles.length === 0 ? '' : `, style=${styles.length === 1 ? styles[0] : `"${styles.join(',')}"`}`;
    const fill = n.severity ? `, fillcolor="${FILL[n.severity]}"` : '';
    lines.push(`  ${n.id} [label=${quoteDot(n.label)}, shape=${shape}${style}${more}${fill}];`);
  }
  for (const e of edges) {
    const attrs = [`label=${quoteDot(e.label)}`];
    if (e.kind === 'intercepts') attrs.push(e.maybe ? 'style=dashed' : 'style=bold');
    // Graphviz reads only six-digit RGB colours: "#d00" would come out black.
    if (e.deadlock) attrs.push('color="#dd0000"', 'fontcolor="#dd0000"', 'penwidth=3');
    lines.push(`  ${e.from} -> ${e.to} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
