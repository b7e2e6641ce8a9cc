// Finds where a finding points: input, document, and the line and column of the field in that input.
import { positionOf } from '../yaml/locate.js';
import type { Resource } from '../model/types.js';
/** Location is a place in an input, for reports and SARIF. */
export interface Location {
  /** The input's name (`-` for stdin). */
  source: string;
  /** Document number in its input, from 1; 0 for documents a transform added. */
  document: number;
  /** Line and column in the input, from 1. */
  line: number;
  column: number;
}

/**
 * locate finds the line of `path` inside a resource, or of its deepest part that exists in the text
 * (documents only Go's YAML reader accepts, and objects the model built, fall back to the resource's start).
 */
export function locate(r: Resource, path: Array<string | number> = []): Location {
  const seg = r.doc.segment;
  const source = seg.source ?? '-';
  if (seg.index < 0) return { source, document: 0, line: 0, column: 0 };
  const found = positionOf(seg, [...r.path, ...path]);
  if (found) return { source, document: seg.index + 1, line: seg.line + found.line, column: found.column };
  return { source, document: seg.index + 1, line: seg.line, column: 1 };
}
