// Table-driven transform tests: each case is input YAML, options and the exact expected output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { config, run } from './helpers.js';

/** Case is one row: `expected: 'unchanged'` means byte-identical output. */
export interface Case {
  input: string;
  expected: string | 'unchanged';
  /** Options of the transform under test. */
  options?: Record<string, unknown>;
  /** Other transforms to run too (default: only the one under test). */
  with?: string[];
  /** The warnings in order, each `resource: message` (and ` | command` when it has one) in full; default: none. */
  warnings?: string[];
  /** When given, the notes (why something was left alone) in order, each `resource: message` in full. */
  notes?: string[];
  namespace?: string;
}

/** runCases registers one uvu suite: byte-exact output, exact warnings, and a second pass that changes nothing. */
export function runCases(transform: string, cases: Record<string, Case>): void {
  const s = suite(transform);
  for (const [name, c] of Object.entries(cases)) {
    s(name, () => {
      const cfg = config(
        [transform, ...(c.with ?? [])],
        { [transform]: c.options ?? {} },
        c.namespace ? { namespace: c.namespace } : {},
      );
      const result = run(c.input, cfg);
      assert.fixture(result.output, c.expected === 'unchanged' ? c.input : c.expected);
      const warnings = result.warnings.map((w) => `${w.resource ?? ''}: ${w.message}${w.command ? ` | ${w.command}` : ''}`);
      assert.equal(warnings, c.warnings ?? []);
      if (c.notes)
        assert.equal(
          result.notes.map((n) => `${n.resource ?? ''}: ${n.message}`),
          c.notes,
        );
      assert.fixture(run(result.output, cfg).output, result.output, 'second pass changed the output');
    });
  }
  s.run();
}
