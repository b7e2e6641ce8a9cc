// The check rules, in report order within a severity. Adding a rule is one file here and one line below.
import type { Rule } from '../types.js';
import { backendReadiness } from './backend-readiness.js';
import { backendResources } from './backend-resources.js';
import { certificateNames } from './certificate-names.js';
import { networkPolicy } from './network-policy.js';
import { clusterScopedCritical } from './cluster-scoped-critical.js';
import { conversionCaBundle } from './conversion-ca-bundle.js';
import { exemptionAbsent } from './exemption-absent.js';
import { interceptsKubeSystem } from './intercepts-kube-system.js';
import { labelExemption } from './label-exemption.js';
import { mutualDeadlock } from './mutual-deadlock.js';
import { noEndpoints } from './no-endpoints.js';
import { runtimeWebhooks } from './runtime-webhooks.js';
import { selfDeadlock } from './self-deadlock.js';
import { serviceSelectorOverlap } from './service-selector-overlap.js';
import { sideEffects } from './side-effects.js';
import { singlePointOfFailure } from './single-point-of-failure.js';
import { timeout } from './timeout.js';
import { unreadableDocument } from './unreadable-document.js';

/** RULES lists every check rule; ids are unique and stable. */
export const RULES: Rule[] = [
  selfDeadlock,
  mutualDeadlock,
  serviceSelectorOverlap,
  noEndpoints,
  singlePointOfFailure,
  certificateNames,
  networkPolicy,
  backendResources,
  backendReadiness,
  clusterScopedCritical,
  interceptsKubeSystem,
  exemptionAbsent,
  labelExemption,
  timeout,
  sideEffects,
  conversionCaBundle,
  runtimeWebhooks,
  unreadableDocument,
];
