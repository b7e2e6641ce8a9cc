// Runs the check rules over a model and puts the findings in report order, each with its location.
import { describe, Model, type Input, type ModelOptions } from '../model/model.js';
import { CLUSTER_KINDS } from '../model/kinds.js';
import { resourceId } from '../model/types.js';
import { displayPath } from '../transform.js';
import { Admission } from '../model/admission.js';
import { runtimeServers } from '../model/workloads.js';
import { locate, type Location } from './locate.js';
import { RULES } from './rules/index.js';
import { SEVERITIES, type CheckOptions, type Finding, type Rule, type Suppression } from './types.js';

/**
 * CHECK_KINDS are the kinds check reads besides the model's own: live Pods, runtime-webhook config objects, Certificates,
 * NetworkPolicies.
 */
export const CHECK_KINDS = ['Pod', 'ConfigMap', 'CapsuleConfiguration', 'Certificate', 'NetworkPolicy', 'Secret'];

/** Located is a finding with where it points and how reports name its resource and field. */
export interface Located extends Finding {
  /** Set when the finding does not count (see Suppression); reports still list it, marked. */
  suppressed?: Suppression;
  location: Location;
  /** `apiVersion Kind namespace/name`. */
  resourceId: string;
  /** The field path with list items named: `webhooks[mpod.kb.io]/namespaceSelector`. */
  field: string;
}

/** CheckResult is a run's findings (in report order) and what they rest on. */
export interface CheckResult {
  /** The findings that count, in report order. */
  findings: Located[];
  /** The findings an annotation or the configuration suppressed, in report order. */
  suppressed: Located[];
  /** Every assumption any finding made, once each. */
  assumptions: string[];
  admission: Admission;
  rules: Rule[];
  /** No webhook at all: none in a configuration, no CRD conversion, none a controller of the input creates at run time. */
  noWebhooks: boolean;
}

/** checkModelOptions are the model options check needs. */
export function checkModelOptions(options: CheckOptions = {}): ModelOptions {
  return { namespace: options.namespace, kinds: CHECK_KINDS };
}

/** checkInputs builds one model from the inputs and checks it. */
export function checkInputs(inputs: Input[], options: CheckOptions = {}): CheckResult {
  return runCheck(Model.fromInputs(inputs, checkModelOptions(options)), options);
}

/**
 * runCheck runs every rule over the model. Findings come out by severity, then rule (in RULES order), then
 * input and line. Rules see the model's working values, so after transforms they check the result.
 */
export function runCheck(model: Model, options: CheckOptions = {}, rules: Rule[] = RULES): CheckResult {
  const admission = new Admission(model);
  const ctx = { model, admission, options };
  const located: Located[] = [];
  rules.forEach((rule) => {
    for (const f of rule.run(model, ctx)) {
      const clusterScoped = CLUSTER_KINDS.has(f.resource.kind);
      located.push({
        ...f,
        id: rule.id,
        location: locate(f.resource, f.path),
        // A document that could not be read has no object to name (a List has no name): its number and line tell it.
        resourceId: f.resource.doc.unreadable
          ? describe(f.resource.doc)
          : f.resource.kind
            ? resourceId({ ...f.resource, namespace: clusterScoped ? undefined : model.namespaceOf(f.resource) })
            : `document`,
        field: displayPath(f.resource.obj, f.path),
      });
    }
  });
  const order = new Map(rules.map((r, i) => [r.id, i]));
  const inputs = [...new Set(model.docs.map((d) => d.segment.source ?? '-'))];
  located.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      order.get(a.id)! - order.get(b.id)! ||
      inputs.indexOf(a.location.source) - inputs.indexOf(b.location.source) ||
      a.location.line - b.location.line,
  );
  const assumptions = [...new Set(located.flatMap((f) => f.assumptions ?? []))];
  const noWebhooks =
    !admission.webhooks().length && !runtimeServers(model, new Set()).length && !located.some((f) => f.id === 'runtime-webhooks');
  for (const f of located) f.suppressed = suppression(f, options);
  return {
    findings: located.filter((f) => !f.suppressed),
    suppressed: located.filter((f) => f.suppressed),
    assumptions,
    admission,
    rules,
    noWebhooks,
  };
}

/** IGNORE is the annotation that suppresses findings on a resource: `rule-a,rule-b` or `rule-a: why`, or `*`. */
export const IGNORE = 'webhook-guard.dev/ignore';

// suppression decides whether a finding counts: the configuration's rule lists, then the resource's annotations
// (`webhook-guard.dev/ignore: timeout,side-effects`, or one key a rule: `webhook-guard.dev/ignore.timeout: why`).
function suppression(f: Located, options: CheckOptions): Suppression | undefined {
  if (options.include?.length && !options.include.includes(f.id))
    return { kind: 'configuration', justification: `not in include (${options.include.join(', ')})` };
  if (options.exclude?.includes(f.id)) return { kind: 'configuration', justification: 'in exclude' };
  const annotations = f.resource.obj?.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const own = annotations[`${IGNORE}.${f.id}`];
  if (typeof own === 'string') return { kind: 'annotation', justification: own.trim() || `${IGNORE}.${f.id}` };
  const all = annotations[IGNORE];
  if (typeof all !== 'string') return undefined;
  const [list, ...why] = all.split(':');
  const rules = list.split(',').map((r) => r.trim());
  if (!rules.includes(f.id) && !rules.includes('*')) return undefined;
  return { kind: 'annotation', justification: why.join(':').trim() || `${IGNORE}: ${list.trim()}` };
}
