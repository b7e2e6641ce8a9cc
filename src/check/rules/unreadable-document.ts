// unreadable-document: a document of a kind the check needs could not be read, so what it holds is not checked.
import { DOCS, type Finding, type Rule } from '../types.js';

/**
 * unreadableDocument reports documents of modelled kinds (webhook configurations, Services, workloads…) that no YAML reader here
 * accepts.
 */
export const unreadableDocument = {
  id: 'unreadable-document',
  severity: 'error',
  title: 'A document the check needs cannot be read',
  docs: [DOCS.serviceReference],
  run(model) {
    const out: Finding[] = [];
    for (const doc of model.unreadable) {
      const e = doc.read?.error;
      out.push({
        id: 'unreadable-document',
        severity: 'error',
        resource: { doc, path: [], obj: {}, apiVersion: '', kind: doc.kind ?? '', name: '' },
        path: [],
        message:
          `This ${doc.kind ? `${doc.kind} ` : ''}document cannot be ` +
          `read${e ? ` (line ${doc.segment.line + e.line - 1}, column ${e.column}: ${e.message})` : ''}; ` +
          `whatever it defines is not checked.`,
        why:
          'The apiserver would reject it too, or read it differently; ' +
          'webhooks, Services and workloads in it are missing from the analysis.',
        docs: [],
        fix: "Fix the chart's YAML so the document parses.",
      });
    }
    return out;
  },
} satisfies Rule;
