// The contract between check rules and the report: severities, findings, rules and the documentation they cite.
import type { Model } from '../model/model.js';
import type { Resource } from '../model/types.js';
import type { Admission } from '../model/admission.js';

/** Severity orders findings; `--fail-on` compares against it. */
export type Severity = 'error' | 'warning' | 'info';

/** SEVERITIES lists the severities from the most to the least severe. */
export const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

/** atLeast tells whether `s` is as severe as `threshold` or more. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(threshold);
}

/** DocRef is a section of the Kubernetes documentation a finding rests on. */
export interface DocRef {
  title: string;
  url: string;
}

const DAC = 'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/';
const GP = 'https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/';

/** DOCS are the sections findings cite, by short name. Titles are the pages' own headings. */
export const DOCS = {
  selfDeadlock: {
    title: 'Dynamic Admission Control: Avoiding deadlocks in self-hosted webhooks',
    url: `${DAC}#avoiding-deadlocks-in-self-hosted-webhooks`,
  },
  selfMutation: { title: 'Admission Webhook Good Practices: Avoid self-mutations', url: `${GP}#avoid-self-mutation` },
  dependencyLoops: { title: 'Admission Webhook Good Practices: Avoid dependency loops', url: `${GP}#avoid-dependency-loops` },
  kubeSystem: {
    title: 'Dynamic Admission Control: Avoiding operating on the kube-system namespace',
    url: `${DAC}#avoiding-operating-on-the-kube-system-namespace`,
  },
  limitScope: { title: 'Admission Webhook Good Practices: Limit the scope of each webhook', url: `${GP}#webhook-limit-scope` },
  namespaceSelector: {
    title: 'Dynamic Admission Control: Matching requests: namespaceSelector',
    url: `${DAC}#matching-requests-namespaceselector`,
  },
  objectSelector: {
    title: 'Dynamic Admission Control: Matching requests: objectSelector',
    url: `${DAC}#matching-requests-objectselector`,
  },
  matchConditions: {
    title: 'Dynamic Admission Control: Matching requests: matchConditions',
    url: `${DAC}#matching-requests-matchconditions`,
  },
  failOpen: {
    title: 'Admission Webhook Good Practices: Fail open and validate the final state',
    url: `${GP}#fail-open-validate-final-state`,
  },
  availability: { title: 'Dynamic Admission Control: Availability', url: `${DAC}#availability` },
  loadBalancer: {
    title: 'Admission Webhook Good Practices: Use a load balancer to ensure webhook availability',
    url: `${GP}#load-balancer-webhook`,
  },
  serviceReference: { title: 'Dynamic Admission Control: Service reference', url: `${DAC}#service-reference` },
  timeouts: { title: 'Dynamic Admission Control: Timeouts', url: `${DAC}#timeouts` },
  smallTimeout: { title: 'Admission Webhook Good Practices: Set a small timeout value', url: `${GP}#small-timeout` },
  sideEffects: { title: 'Dynamic Admission Control: Side effects', url: `${DAC}#side-effects` },
  avoidSideEffects: { title: 'Admission Webhook Good Practices: Avoid side effects', url: `${GP}#avoid-side-effects` },
  nameLabel: {
    title: 'Well-Known Labels, Annotations and Taints: kubernetes.io/metadata.name',
    url: 'https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name',
  },
  disruptions: {
    title: 'Disruptions: Pod disruption budgets',
    url: 'https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-budgets',
  },
} satisfies Record<string, DocRef>;

/** Finding is one problem a rule found, tied to a resource and a field of it. */
export interface Finding {
  /** The rule id: stable, kebab-case. */
  id: string;
  severity: Severity;
  /** The resource the finding is about; its document and line locate it. */
  resource: Resource;
  /** Field path inside the resource, e.g. ['webhooks', 3, 'namespaceSelector']. */
  path: Array<string | number>;
  /** What is wrong, naming the objects involved. */
  message: string;
  /** Why it matters. */
  why: string;
  /** The documentation it rests on. */
  docs: DocRef[];
  /** What to do about it. */
  fix: string;
  /** The webhook-guard transform that applies the fix, where one does. */
  transform?: string;
  /** Other resources involved (a cycle's other webhooks, the workloads a Service selects). */
  related?: Resource[];
  /** What the finding assumed (e.g. a namespace not in the input carries only its name label). */
  assumptions?: string[];
}

/** CheckOptions come from flags and the configuration. */
export interface CheckOptions {
  /** Namespace of resources that name none. Default: the most common one of each input. */
  namespace?: string;
  /** Rules to run; the others' findings are suppressed. Default: all. */
  include?: string[];
  /** Rules not to run: their findings are suppressed. */
  exclude?: string[];
}

/** Suppression says why a finding does not count: an annotation on its resource, or the rule switched off. */
export interface Suppression {
  kind: 'annotation' | 'configuration';
  /** The reason given (the annotation's value after `:`), or which option switched the rule off. */
  justification: string;
}

/** CheckContext is what every rule can use: the model, the admission simulation, the options. */
export interface CheckContext {
  model: Model;
  admission: Admission;
  options: CheckOptions;
}

/** Rule is one check: a stable id, a default severity, and a pure run over the model. */
export interface Rule {
  /** Stable id, kebab-case; findings and SARIF results carry it. */
  id: string;
  /** The severity of its typical finding (a finding may be lower, e.g. for an Ignore webhook). */
  severity: Severity;
  /** One line: what the rule looks for (SARIF shortDescription, README). */
  title: string;
  /** The documentation sections the rule rests on. */
  docs: DocRef[];
  run(model: Model, ctx: CheckContext): Finding[];
}
