// The transforms in the order they run: later ones see the edits of earlier ones.
import { labelNamespaces } from '../../transforms/label-namespaces.js';
import { tightenServiceSelectors } from '../../transforms/tighten-service-selectors.js';
import { excludeNamespaces } from '../../transforms/exclude-namespaces.js';
import { guardClusterScoped } from '../../transforms/guard-cluster-scoped.js';
import { failOpen } from '../../transforms/fail-open.js';
import { kyvernoConfig } from '../../transforms/kyverno-config.js';
import { webhookReplicas } from '../../transforms/webhook-replicas.js';
import { dropWebhooks } from '../../transforms/drop-webhooks.js';
import type { Transform } from '../transform.js';

// What the user drops goes first, so no other transform hardens it. Namespaces are labelled next (their labels feed
// later decisions), Service selectors are tightened before backends are resolved, fail-open judges what webhooks
// still intercept after the exclusions, and replicas come last so they count the tightened backends.
/** TRANSFORMS lists every transform, in run order. */
export const TRANSFORMS: Array<Transform<any>> = [
  dropWebhooks,
  labelNamespaces,
  tightenServiceSelectors,
  excludeNamespaces,
  guardClusterScoped,
  failOpen,
  kyvernoConfig,
  webhookReplicas,
];

/** TRANSFORM_NAMES is what --disable accepts. */
export const TRANSFORM_NAMES = TRANSFORMS.map((t) => t.name);
