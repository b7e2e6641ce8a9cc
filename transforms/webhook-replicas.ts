// Gives the workloads behind fail-closed webhooks a minimum of replicas, a disruption budget and host spread.
import { selectorMatches, type LabelSelector, type Labels } from '../src/model/selectors.js';
import { sharedOnly } from '../src/model/shared-labels.js';
import { addTo, isObj, labelsOf, podLabels, type Obj, type Resource, type Webhook } from '../src/model/types.js';
import {
  multiInstance,
  rolloutOutage,
  rolloutFix,
  runtimeServers,
  servingContainers,
  webhookRoutes,
} from '../src/model/workloads.js';
import type { Context, Transform } from '../src/transform.js';
import { WORKLOAD_KINDS } from '../src/model/kinds.js';
import type { Model } from '../src/model/model.js';
import { listed, warnUnlisted } from './shared/skip.js';

/** WebhookReplicasConfig: options of webhook-replicas. */
export interface WebhookReplicasConfig {
  /** Least replicas (or HPA minReplicas) for a workload that serves a Fail webhook; never lowered. Default: 2. */
  minReplicas: number;
  /** Add a PodDisruptionBudget (maxUnavailable: 1) where none in the stream selects the pods. Default: true. */
  podDisruptionBudget: boolean;
  /** Add a ScheduleAnyway spread over kubernetes.io/hostname where the pods have no spread or anti-affinity. Default: true. */
  topologySpread: boolean;
  /**
   * Workloads known to run safely as several copies although the render shows no leader election:
   * `name` or `namespace/name`. Default: [].
   */
  scalableWorkloads: string[];
  /** Workloads to leave alone: `name` or `namespace/name`. Default: []. */
  skipWorkloads: string[];
}

const CARRIED_ANNOTATIONS = /^(helm\.sh\/hook.*|postrenderer\.helm\.sh\/postrender-filename)$/;

/**
 * webhookReplicas makes the pods behind every Fail webhook survive one pod's loss: replicas (or the HPA's
 * minReplicas) at least minReplicas, a PDB with maxUnavailable 1, and a soft spread across nodes.
 *
 * The principle: an edit is made only where the render shows the failure it prevents, and never where it
 * would switch off a function of the chart, change its behaviour under load, or open a window of outage
 * during the upgrade that applies it; where the render cannot tell, nothing changes and a warning says what
 * would be done and why. Here that means:
 * - replicas are raised only where the render shows that several copies are safe (leader election switched
 *   on by flag, config file or a known image; a server whose RBAC lets it write no state; or `scalableWorkloads`):
 *   two copies of a singleton controller act twice (MetalLB's assigns each address twice). Otherwise the
 *   replicas stay and a warning says what to change in the chart's values;
 * - the PDB (maxUnavailable: 1) is added even to one replica: it never blocks a node drain;
 * - the spread edits the pod template, so it rolls the pods: it is added only where there are (or will be)
 *   several replicas, never to a kept singleton (its rollout runs two copies at once), and never to a
 *   workload whose rollout stops every pod (Recreate, or maxUnavailable covering all replicas): that
 *   strategy is reported as the risk instead;
 * - besides the rendered webhooks' backends, workloads that serve webhooks registered at run time (Kyverno,
 *   Rancher's webhook, Longhorn, or a ServiceAccount that may create or update webhook configurations or
 *   CRDs) get the same treatment when a Service of the stream routes a webhook port to them;
 * - a Fail webhook whose backend cannot be found is a warning (with the `--namespace` to pass), never silence.
 * DaemonSets already run one pod per node and are left alone.
 */
export const webhookReplicas = {
  name: 'webhook-replicas',
  description: 'enforce minimum replicas, a PodDisruptionBudget and node spread for workloads serving Fail webhooks',
  defaults: { minReplicas: 2, podDisruptionBudget: true, topologySpread: true, scalableWorkloads: [], skipWorkloads: [] },
  apply(model, config, ctx) {
    const served = new Map<Resource, string>();
    const rendered = new Map<Resource, string[]>();
    // CRD conversion webhooks count too: they always fail closed.
    const failing = model.servingWebhooks().filter((w) => w.failurePolicy === 'Fail');
    const unresolved: Webhook[] = [];
    for (const w of failing) {
      const backends = model.backendsOf(w);
      if (w.service && !backends.length) unresolved.push(w);
      for (const b of backends) addTo(rendered, b, w.name);
    }
    // The Service ports each backend's webhooks call (see servingContainers), gathered by Service once: a backend five
    // releases of a stream share has some two hundred webhooks, and one or two Service ports.
    const routes = new Map<Resource, Map<Resource, ReadonlySet<number>>>();
    for (const [svc, ports] of webhookRoutes(model, failing))
      for (const b of model.selectedWorkloads(svc)) {
        let byService = routes.get(b);
        if (!byService) routes.set(b, (byService = new Map()));
        byService.set(svc, ports);
      }
    warnUnresolved(model, unresolved, ctx);
    for (const [b, all] of rendered) {
      const names = [...new Set(all)];
      const list = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      served.set(b, `it serves the Fail webhook${names.length > 1 ? 's' : ''} ${list}`);
    }
    for (const r of runtimeServers(model, new Set(rendered.keys()), true))
      served.set(r.workload, `it serves webhooks registered at run time (${r.why})`);
    // The pod labels of each namespace's workloads, which every budget's selector is held against (this transform
    // changes no pod labels).
    const pods = new Map<string, Array<[Resource, Labels]>>();
    const podsIn = (ns: string): Array<[Resource, Labels]> => {
      let found = pods.get(ns);
      if (!found) pods.set(ns, (found = model.workloadsIn(ns).map((w) => [w, podLabels(w)])));
      return found;
    };
    const workloads = () => model.ofKind(...WORKLOAD_KINDS).map((w): [string, string] => [w.name, model.namespaceOf(w)]);
    warnUnlisted(ctx, 'webhook-replicas skipWorkloads', config.skipWorkloads, workloads);
    warnUnlisted(ctx, 'webhook-replicas scalableWorkloads', config.scalableWorkloads, workloads);
    const min = config.minReplicas;
    for (const [wl, serves] of served) {
      const ns = model.namespaceOf(wl);
      if (wl.kind === 'DaemonSet' || listed(config.skipWorkloads, wl.name, ns)) continue;
      const why = `${serves}: with one pod, losing it rejects every matching request (Kubernetes: webhook availability)`;
      const serving = servingContainers(wl, routes.get(wl) ?? new Map());
      const multi = multiInstance(model, wl, listed(config.scalableWorkloads, wl.name, ns), serving);
      const hpa = model.hpaFor(wl);
      const raw = hpa ? (hpa.obj.spec?.minReplicas ?? 1) : (wl.obj.spec?.replicas ?? 1);
      const replicas = Number(raw);
      let several = replicas >= min;
      if (!Number.isFinite(replicas)) {
        ctx.warn(
          hpa ?? wl,
          `${hpa ? 'spec.minReplicas' : 'spec.replicas'} is ${JSON.stringify(raw)}, not a number; left as it is`,
        );
        several = false;
      } else if (replicas < min && multi?.yes) {
        const because = `${why}; several copies are safe: ${multi.why}`;
        if (hpa) {
          ctx.set(hpa, ['spec', 'minReplicas'], min, `the HPA scales ${wl.kind} ${wl.name}; ${because}`);
          if (Number(hpa.obj.spec?.maxReplicas) < min)
            ctx.set(hpa, ['spec', 'maxReplicas'], min, 'maxReplicas may not be below minReplicas');
        } else ctx.set(wl, ['spec', 'replicas'], min, because);
        several = true;
      } else if (replicas < min) {
        ctx.warn(
          wl,
          `${serves}, but runs ${replicas} replica${replicas === 1 ? '' : 's'}, ` +
            `left as ${replicas === 1 ? 'it is' : 'they are'}: ` +
            (multi
              ? `${multi.why}, and two copies of a controller without leader election act twice`
              : `the render shows no leader election (--leader-elect, --enable-leader-election, ` +
                `--leader-election, or leaderElection.leaderElect in its config file), and two copies of a ` +
                `singleton controller act twice`) +
            `; if several copies are safe, switch leader election on and raise the replicas in the chart's values, ` +
            `or list it in webhook-replicas scalableWorkloads`,
        );
      }
      // Worked out only where a budget or a spread is to be added.
      let budget: ReturnType<typeof budgetSelector> | undefined;
      const selectorFor = () => (budget ??= budgetSelector(model, wl, podsIn));
      const pdbName = `${wl.name}-webhook-guard`;
      // A budget an earlier run added counts even if it selects no pods (a workload whose selector misses its
      // own pod labels), or every run would add another (found by the fuzzer).
      const ours = model.ofKind('PodDisruptionBudget').some((p) => p.name === pdbName && model.namespaceOf(p) === ns);
      const wanted = config.podDisruptionBudget && model.pdbsFor(wl).length === 0 && !ours;
      const { selector: podSelector, others, shared } = wanted ? selectorFor() : { selector: {}, others: [], shared: false };
      if (wanted && others.length)
        ctx.warn(
          wl,
          `no PodDisruptionBudget added: its pods' labels (${shown(podSelector)}) are carried by the pods of ` +
            `${others.map((o) => `${o.kind} ${o.name}`).join(', ')} too, and a budget on them would cover those pods as ` +
            `well; a pod that two budgets cover cannot be evicted, so drains would stop at it. ${OWN_LABELS}`,
        );
      else if (wanted) {
        if (shared)
          ctx.warn(
            wl,
            `the PodDisruptionBudget added selects ${shown(podSelector)}, labels other releases' pods carry too ` +
              `(scaffolding defaults such as kubebuilder's control-plane=controller-manager): pods of another release ` +
              `in ${ns} that carry them come under it, and one that a budget of its own covers too cannot be evicted. ` +
              `${OWN_LABELS}, or set webhook-replicas podDisruptionBudget: false if ${ns} holds other releases`,
          );
        const annotations = Object.fromEntries(
          Object.entries(labelsOf(wl.obj.metadata?.annotations)).filter(([k]) => CARRIED_ANNOTATIONS.test(k)),
        );
        const labels = labelsOf(wl.obj.metadata?.labels);
        ctx.add(
          {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: {
              name: pdbName,
              namespace: ns,
              ...(Object.keys(labels).length ? { labels } : {}),
              ...(Object.keys(annotations).length ? { annotations } : {}),
            },
            spec: { maxUnavailable: 1, selector: structuredClone(podSelector) },
          },
          `no PodDisruptionBudget selects the pods of ${wl.kind} ${wl.name}; ${why}; ` +
            `maxUnavailable: 1 lets a drain evict one pod at a time and never blocks it`,
          { after: wl },
        );
      }
      const outage = rolloutOutage(wl, several && Number.isFinite(replicas) ? Math.max(replicas, min) : undefined);
      if (outage) {
        ctx.warn(
          wl,
          `${outage}, so its webhooks are down during each rollout whatever its replicas and budget; ` +
            `its pod template is left as it is (an edit there would cause such a rollout); ${rolloutFix(wl)}`,
        );
        continue;
      }
      const podSpec = wl.obj.spec?.template?.spec;
      const spread = podSpec?.topologySpreadConstraints;
      if (
        several &&
        config.topologySpread &&
        isObj(podSpec) &&
        !(Array.isArray(spread) && spread.length) &&
        !podSpec.affinity?.podAntiAffinity
      ) {
        ctx.set(
          wl,
          ['spec', 'template', 'spec', 'topologySpreadConstraints'],
          [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: structuredClone(selectorFor().selector),
            },
          ],
          `replicas on one node fail together; ScheduleAnyway keeps one-node ` +
            `clusters schedulable (changing the pod template rolls the pods)`,
        );
      }
    }
  },
} satisfies Transform<WebhookReplicasConfig>;

// warnUnresolved names each Service a Fail webhook calls whose backend the stream does not show, once per
// Service: the namespace may have been guessed wrong (Helm passes none to a post-renderer), or another
// release serves it. Either way nothing was made safer, and the summary must not say "nothing to change".
function warnUnresolved(model: Model, webhooks: Webhook[], ctx: Context): void {
  const byService = new Map<string, Webhook[]>();
  for (const w of webhooks) {
    const key = `${w.service!.namespace}/${w.service!.name}`;
    byService.set(key, [...(byService.get(key) ?? []), w]);
  }
  for (const [key, ws] of byService) {
    const { namespace, name } = ws[0].service!;
    const svc = model.serviceOf(ws[0]);
    const names = ws.map((w) => w.name);
    const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    const who = `Fail webhook${names.length > 1 ? 's' : ''} ${listed}`;
    const unnamed = model.ofKind('Service').some((s) => s.name === name && s.namespace === undefined);
    let message: string;
    if (svc)
      message =
        `${who} call${names.length > 1 ? '' : 's'} Service ${key}, which selects no workload of the stream; ` +
        'its replicas cannot be checked';
    else if (unnamed && namespace !== model.defaultNamespace)
      message =
        `${who} call${names.length > 1 ? '' : 's'} Service ${key}, but the stream renders Service ${name} without a namespace ` +
        `and the release namespace was taken as ${model.defaultNamespace} (${model.namespaceEvidence}); ` +
        'its backend is left as it is: ' +
        `pass --namespace ${namespace} if that is the release namespace`;
    else
      message =
        `${who} call${names.length > 1 ? '' : 's'} Service ${key}, which is not in the stream; its backend is left as it is ` +
        `(if another release installs it, harden that release; if this one does, pass --namespace ${namespace})`;
    ctx.warn(ws[0].owner, message);
  }
}

// Helm's recommended labels, which tell one release's pods from another's.
const NAMING_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance'];
// The fix for a budget that cannot tell the workload's pods from others', in the chart.
const OWN_LABELS = `Give its pod template labels of its own (${NAMING_LABELS.join(' and ')}) in the chart's values`;

/**
 * budgetSelector is the selector the added budget and spread use: the workload's own (its immutable spec.selector),
 * narrowed with app.kubernetes.io/name and /instance from its pod template where that selector also reaches other
 * pods (another workload of its namespace in the stream, or labels other releases' pods carry too). A budget that
 * reaches another workload's pods would stop drains at any of them that a budget of its own covers. `others` are
 * the workloads whose pods the selector still reaches; `shared` tells one still made only of shared labels.
 */
function budgetSelector(
  model: Model,
  wl: Resource,
  podsIn: (ns: string) => Array<[Resource, Labels]>,
): { selector: Obj; others: Resource[]; shared: boolean } {
  const own: Obj = isObj(wl.obj.spec?.selector) ? wl.obj.spec.selector : { matchLabels: podLabels(wl) };
  const ns = model.namespaceOf(wl);
  // The same workload rendered again (a stream holding a release twice) is the same object in the cluster.
  const reached = (selector: Obj) =>
    podsIn(ns)
      .filter(
        ([o, labels]) => !(o.kind === wl.kind && o.name === wl.name) && selectorMatches(selector as LabelSelector, labels, false),
      )
      .map(([o]) => o);
  const isShared = (selector: Obj) =>
    !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length) && sharedOnly(labelsOf(selector.matchLabels));
  let selector = own;
  if (reached(own).length || isShared(own)) {
    const pod = podLabels(wl);
    const matchLabels = labelsOf(own.matchLabels);
    const added = NAMING_LABELS.filter((k) => pod[k] !== undefined && matchLabels[k] === undefined);
    if (added.length)
      selector = { ...own, matchLabels: { ...matchLabels, ...Object.fromEntries(added.map((k) => [k, pod[k]])) } };
  }
  return { selector, others: reached(selector), shared: isShared(selector) };
}

// shown writes a label selector for messages: `k=v, key In [a, b]`.
function shown(selector: Obj): string {
  const pairs = Object.entries(labelsOf(selector.matchLabels)).map(([k, v]) => `${k}=${v}`);
  const expressions = (Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isObj) : []).map(
    (e) => `${e.key} ${e.operator}${Array.isArray(e.values) ? ` [${e.values.join(', ')}]` : ''}`,
  );
  return [...pairs, ...expressions].join(', ');
}
