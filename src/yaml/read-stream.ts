// Reads a split stream into documents: sniffs each kind, reads fully only the kinds asked for, and
// collects the facts the model needs from the text of documents it never parses (CRDs, ConfigMaps).
import {
  conversionsInConfigMap,
  crdScope,
  holdsLeaderElection,
  mayHoldConversion,
  readCrdConversion,
  readsConfigMap,
} from './crd-text.js';
import type { CrdConversion, CrdScope } from './crd-text.js';
import { readDocument, type ReadResult } from './document.js';
import { hasContent, sniffKind, type Segment } from './stream.js';

/** Doc is one document of the stream: raw bytes, and where it was read, its original and working values. */
export interface Doc {
  segment: Segment;
  kind?: string;
  read?: ReadResult;
  /** The value as read; never changed. */
  original?: unknown;
  /** The value transforms edit; compared with `original` when writing. Set by the model for the kinds it models. */
  working?: unknown;
  /** Set on documents a transform added: which one. */
  addedBy?: string;
  /** Namespace of this document's resources that name none, when it differs by input (see Model.fromInputs). */
  defaultNamespace?: string;
  /** True when the document has the kind of a modelled object but could not be read at all. */
  unreadable?: boolean;
  /**
   * True for a ConfigMap read because it may configure runtime-created webhooks (Kyverno's) or hold a
   * config file that switches leader election (controller-runtime's component config).
   */
  webhookConfigMap?: boolean;
  /** A CRD's group, plural and scope, read from its text. */
  crdScope?: CrdScope;
  /** CRD conversion webhooks the document holds: its own, or those of CRDs kept in a ConfigMap's data. */
  conversions?: Array<{ crd: CrdConversion; where?: string }>;
}

/**
 * readStream reads each segment. Documents whose sniffed kind is in `kinds` (or that have no sniffable
 * kind) are read fully; every other document stays bytes, apart from what CRDs and ConfigMaps say about
 * conversion webhooks, CRD scope and Kyverno's runtime webhooks, which is read from their text alone.
 */
export function readStream(segments: Segment[], kinds: ReadonlySet<string>): Doc[] {
  return segments.map((segment) => {
    const doc: Doc = { segment };
    const text = segment.text;
    const sniffed = sniffKind(text);
    if (sniffed === 'CustomResourceDefinition') {
      doc.crdScope = crdScope(text);
      const crd = mayHoldConversion(text) ? readCrdConversion(text) : undefined;
      if (crd) doc.conversions = [{ crd }];
    } else if (sniffed === 'ConfigMap') {
      const embedded = conversionsInConfigMap(text);
      if (embedded.length) doc.conversions = embedded;
    }
    const configMap = sniffed === 'ConfigMap' && !kinds.has(sniffed) && (readsConfigMap(text) || holdsLeaderElection(text));
    if (sniffed !== undefined && !kinds.has(sniffed) && !configMap) {
      doc.kind = sniffed;
      return doc;
    }
    if (sniffed === undefined && !hasContent(text)) return doc;
    doc.read = readDocument(text);
    if (doc.read.value === undefined) {
      doc.kind = sniffed;
      if (sniffed !== undefined && !configMap) doc.unreadable = true;
      return doc;
    }
    doc.original = doc.read.value;
    const value = doc.read.value as { kind?: unknown } | null;
    doc.kind =
      typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.kind === 'string'
        ? value.kind
        : undefined;
    if (configMap && doc.kind === 'ConfigMap') doc.webhookConfigMap = true;
    return doc;
  });
}
