// Refuses a dump unblock cannot trust: an unreadable document, a cut-off List, an empty input, a webhook no API server stores.
import { InputError } from '../errors.js';
import { describe, type Input, type Model } from '../model/model.js';
import { isObj } from '../model/types.js';
import type { Doc } from '../yaml/read-stream.js';
import { positionOf } from '../yaml/locate.js';

// Every refusal ends here: a new dump is the way out in the middle of an outage, whatever was wrong with this one.
const AGAIN = 'dump the cluster again (the command is in webhook-guard unblock --help)';

const inputName = (source: string | undefined): string => (source === undefined || source === '-' ? 'stdin' : source);

// where names a document by its input, its number and first line, and a place in it by the input's line and column.
const where = (doc: Doc): string => `${inputName(doc.segment.source)}: ${describe(doc)}`;

/**
 * refuseUntrustedDump throws InputError for a dump a break-glass plan cannot rest on. A plan made without what a
 * document holds would say "nothing to change" while a webhook that is not in it blocks the cluster, so what check
 * reports as `unreadable-document` (a document of a kind unblock reads, or whose kind its text does not settle) is
 * refused here. So are a List that lost its end (kubectl writes its kind last), an input with no object at all (what
 * `kubectl get … > dump.yaml` leaves when it fails), and a webhook the API server would never store (no name, no
 * Service or URL to call), which a dump cut off mid-document gives.
 */
export function refuseUntrustedDump(model: Model, inputs: Input[]): void {
  for (const doc of model.unreadable) {
    const e = doc.read?.error;
    const at = e ? ` (line ${doc.segment.line + e.line - 1}, column ${e.column}: ${e.message})` : '';
    throw new InputError(
      `unblock: ${where(doc)}: ` +
        (doc.kind === undefined
          ? `cannot read this document${at}; its text does not settle its kind, and it may hold webhooks or their ` +
            'backends, which the plan would miss'
          : `cannot read this ${doc.kind}${at}; unblock must read every document of this kind, or its plan may miss ` +
            'the webhooks that block') +
        `: fix the YAML there, or ${AGAIN}`,
    );
  }
  // kubectl writes a List's keys sorted, `kind: List` after the items: one with items and no kind lost its end.
  for (const doc of model.docs)
    if (doc.kind === undefined && isObj(doc.original) && Array.isArray(doc.original.items))
      throw new InputError(
        `unblock: ${where(doc)}: has items but no kind, where kubectl writes \`kind: List\` after the items: the dump ` +
          `was cut off; ${AGAIN}`,
      );
  const withObjects = new Set<string | undefined>(model.resources.map((r) => r.doc.segment.source));
  // Documents of kinds unblock does not read (Secrets, CRDs) are objects too: the input is a dump, only not all used.
  for (const doc of model.docs) if (doc.kind !== undefined && !isList(doc)) withObjects.add(doc.segment.source);
  for (const input of inputs)
    if (!withObjects.has(input.source))
      throw new InputError(
        `unblock: ${inputName(input.source)}: holds no Kubernetes object (an empty file or List, what a failed ` +
          `kubectl get leaves); ${AGAIN}`,
      );
  refuseCutWebhooks(model);
}

// isList tells a document that is only a wrapper of items (kubectl's `kind: List`): with no items it holds no object.
function isList(doc: Doc): boolean {
  return doc.kind === 'List' || (isObj(doc.original) && Array.isArray(doc.original.items));
}

// refuseCutWebhooks refuses a webhook with no name, or with neither a whole Service reference nor a URL: the API
// server refuses such a configuration, so the dump lost the rest of it (cut off mid-document) or was edited.
function refuseCutWebhooks(model: Model): void {
  for (const r of model.ofKind('MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration')) {
    const entries: unknown[] = Array.isArray(r.obj.webhooks) ? r.obj.webhooks : [];
    entries.forEach((entry, i) => {
      const e = isObj(entry) ? entry : {};
      const svc = e.clientConfig?.service;
      const lacks =
        typeof e.name !== 'string' || e.name === ''
          ? 'has no name'
          : isObj(svc)
            ? !svc.namespace || !svc.name
              ? `calls a Service with no ${svc.namespace ? 'name' : 'namespace'} (clientConfig.service)`
              : undefined
            : typeof e.clientConfig?.url === 'string'
              ? undefined
              : 'names neither a Service nor a URL to call (clientConfig)';
      if (lacks === undefined) return;
      const path = [...r.path, 'webhooks', i];
      const found = positionOf(r.doc.segment, path);
      const at = found ? ` (line ${r.doc.segment.line + found.line}, column ${found.column})` : '';
      throw new InputError(
        `unblock: ${where(r.doc)}: ${r.kind} ${r.name || '(no name)'} webhooks[${i}]${at} ${lacks}; the API server ` +
          `stores no such webhook, so the dump was cut off or edited: ${AGAIN}`,
      );
    });
  }
}
