// Turns what a CRD says about conversion (read from its text by yaml/crd-text.ts) into a webhook of the model.
import type { CrdConversion } from '../yaml/crd-text.js';
import { isObj, serviceRef, type Doc, type Resource, type Webhook } from './types.js';

/** conversionWebhook turns a CRD's conversion into a webhook that always fails closed. */
export function conversionWebhook(doc: Doc, crd: CrdConversion, embeddedIn?: string): Webhook {
  const hook = isObj(crd.conversion.webhook) ? crd.conversion.webhook : {};
  // apiextensions.k8s.io/v1beta1 kept the client config beside the strategy.
  const clientConfig = isObj(hook.clientConfig)
    ? hook.clientConfig
    : isObj(crd.conversion.webhookClientConfig)
      ? crd.conversion.webhookClientConfig
      : {};
  const svc = clientConfig.service;
  const owner: Resource = {
    doc,
    path: [],
    obj: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crd.name, annotations: crd.annotations },
      spec: { conversion: crd.conversion },
    },
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: crd.name,
  };
  return {
    owner,
    path: ['spec', 'conversion', 'webhook'],
    entry: { ...hook, clientConfig },
    name: embeddedIn ? `${crd.name} (in ${embeddedIn})` : crd.name,
    type: 'conversion',
    failurePolicy: 'Fail',
    service: serviceRef(svc),
    url: typeof clientConfig.url === 'string' ? clientConfig.url : undefined,
  };
}
