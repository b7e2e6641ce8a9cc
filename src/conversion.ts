// Finds CRD conversion webhooks, reading only the CRD's `spec.conversion` (CRDs are large, and some only Go can read).
import { readDocument } from './document.js';
import { isObj, type Doc, type Obj, type Resource, type Webhook } from './model.js';
import { sniffKind, splitStream } from './stream.js';

const WEBHOOK_STRATEGY = /^[ \t]*strategy:[ \t]*['"]?Webhook['"]?[ \t]*(#.*)?\r?$/m;
// The anchored pattern is tried at every line start (about 25 ms over the 5 MB kube-prometheus-stack
// render); this one starts with a literal, which the regex engine scans for quickly (about 3 ms).
const WEBHOOK_STRATEGY_QUICK = /strategy:[ \t]*['"]?Webhook/;

/** mayHoldConversion tells cheaply whether a document's text can contain a conversion webhook. */
export function mayHoldConversion(text: string): boolean {
  return WEBHOOK_STRATEGY_QUICK.test(text) && WEBHOOK_STRATEGY.test(text);
}

/** CrdConversion is what a CRD says about conversion, read without parsing the rest of it. */
export interface CrdConversion {
  name: string;
  conversion: Obj;
  /** metadata.annotations (cert-manager's inject-ca-from fills the caBundle). */
  annotations: Record<string, unknown>;
}

/**
 * readCrdConversion reads a CRD's name and `spec.conversion`. It cuts the two blocks out of the text
 * and parses only them, so the CRD's schema (megabytes, and in OpenKruise 1.5.2 and LWS 0.6.1 YAML
 * that only Go's reader accepts) is never parsed. Falls back to reading the whole document when the
 * blocks are not in plain block style. Returns undefined when there is no webhook conversion.
 */
export function readCrdConversion(text: string): CrdConversion | undefined {
  const spec = childBlock(text, 'spec', 'conversion');
  const meta = childBlock(text, 'metadata', 'name');
  const notes = childBlock(text, 'metadata', 'annotations');
  if (spec !== undefined && meta !== undefined) {
    const conversion = readDocument(spec).value;
    const name = readDocument(meta).value;
    const annotations = notes === undefined ? {} : readDocument(notes).value;
    if (isObj(conversion) && isObj(name) && isObj(conversion.conversion) && (notes === undefined || isObj(annotations))) {
      if (conversion.conversion.strategy !== 'Webhook') return undefined;
      return { name: String(name.name), conversion: conversion.conversion, annotations: isObj(annotations) && isObj(annotations.annotations) ? annotations.annotations : {} };
    }
  }
  const whole = readDocument(text).value;
  if (!isObj(whole) || !isObj(whole.spec?.conversion) || whole.spec.conversion.strategy !== 'Webhook') return undefined;
  return { name: String(whole.metadata?.name ?? ''), conversion: whole.spec.conversion, annotations: isObj(whole.metadata?.annotations) ? whole.metadata.annotations : {} };
}

// childBlock returns the lines of `top.child` from a block-style document, dedented to column 0,
// or undefined when the text does not have that shape.
function childBlock(text: string, top: string, child: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^${top}:[ \\t]*(#.*)?\\r?$`).test(l));
  if (start < 0) return undefined;
  let indent = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?\r?$/.test(line)) continue;
    const width = line.length - line.trimStart().length;
    if (width === 0) return undefined;
    if (indent < 0) indent = width;
    if (width < indent) return undefined;
    if (width === indent && new RegExp(`^ {${indent}}${child}:`).test(line)) {
      let end = i + 1;
      while (end < lines.length && (/^\s*(#.*)?\r?$/.test(lines[end]) || lines[end].length - lines[end].trimStart().length > indent)) end++;
      return lines.slice(i, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n') + '\n';
    }
  }
  return undefined;
}

/** conversionWebhook turns a CRD's conversion into a webhook that always fails closed. */
export function conversionWebhook(doc: Doc, crd: CrdConversion, embeddedIn?: string): Webhook {
  const hook = isObj(crd.conversion.webhook) ? crd.conversion.webhook : {};
  // apiextensions.k8s.io/v1beta1 kept the client config beside the strategy.
  const clientConfig = isObj(hook.clientConfig) ? hook.clientConfig : isObj(crd.conversion.webhookClientConfig) ? crd.conversion.webhookClientConfig : {};
  const svc = clientConfig.service;
  const owner: Resource = {
    doc,
    path: [],
    obj: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd.name, annotations: crd.annotations }, spec: { conversion: crd.conversion } },
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
    service: isObj(svc) ? { namespace: String(svc.namespace ?? ''), name: String(svc.name ?? ''), port: Number(svc.port ?? 443) } : undefined,
    url: typeof clientConfig.url === 'string' ? clientConfig.url : undefined,
  };
}

/**
 * findConversions lists the conversion webhooks of a document: a CRD, or a ConfigMap whose data holds CRDs
 * (Capsule installs its CRDs from ConfigMaps with a hook Job). Conversion webhooks are read, never edited.
 */
export function findConversions(doc: Doc, kind: string | undefined): Webhook[] {
  const text = doc.segment.text;
  if (!mayHoldConversion(text)) return [];
  if (kind === 'CustomResourceDefinition') {
    const crd = readCrdConversion(text);
    return crd ? [conversionWebhook(doc, crd)] : [];
  }
  if (kind !== 'ConfigMap' || !/kind:[ \t]*CustomResourceDefinition/.test(text)) return [];
  const cm = readDocument(text).value;
  if (!isObj(cm) || !isObj(cm.data)) return [];
  const out: Webhook[] = [];
  for (const [key, value] of Object.entries(cm.data)) {
    if (typeof value !== 'string' || !mayHoldConversion(value)) continue;
    for (const seg of splitStream(value)) {
      if (sniffKind(seg.text) !== 'CustomResourceDefinition') continue;
      const crd = readCrdConversion(seg.text);
      if (crd) out.push(conversionWebhook(doc, crd, `ConfigMap ${cm.metadata?.namespace ? `${cm.metadata.namespace}/` : ''}${cm.metadata?.name} data.${key}`));
    }
  }
  return out;
}
