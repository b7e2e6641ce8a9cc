// The one lazy loader of the `yaml` package, with the one set of options every reader and writer uses.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions, ToStringOptions } from 'yaml';
import { renderDocument } from './fast-edit.js';

// `yaml` takes about 35 ms to load, so it is loaded on first use: runs whose documents fast-read.ts
// reads and that edit nothing never load it.
let yamlLib: typeof Yaml | undefined;

/** yaml is the `yaml` package, loaded on first call. */
export function yaml(): typeof Yaml {
  return (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

/**
 * PARSE_OPTIONS: the apiserver reads YAML 1.1 (`0755`, `yes`, `on`), so we read it that way too.
 * Duplicate keys are accepted (last wins) because Go's reader in Helm accepts them.
 * Timestamps stay strings, as they do in the JSON the apiserver sees.
 */
export const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: false,
  strict: false,
  prettyErrors: false,
  customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
};

/** MAX_ALIAS_COUNT bounds alias expansion, so a "billion laughs" document fails fast instead of eating memory. */
export const MAX_ALIAS_COUNT = 100;

/** TO_JS_OPTIONS turn a parsed document into plain values. */
export const TO_JS_OPTIONS: ToJSOptions = { maxAliasCount: MAX_ALIAS_COUNT };

/** STRINGIFY_OPTIONS write YAML 1.1 (new strings 1.1 would misread come out quoted) and never fold lines. */
export const STRINGIFY_OPTIONS = { version: '1.1' as const, lineWidth: 0, minContentWidth: 0 };

type StringifyOptions = ToStringOptions & DocumentOptions & SchemaOptions;

/**
 * toYaml writes a value with STRINGIFY_OPTIONS, plus `extra`. Strings that Go's reader would take for a number
 * or a timestamp (`0o17`, `0X1F`, `+0o7`, `1_000`, `2001-12-14`; see goReadsAsNonString) are double-quoted:
 * YAML 1.1 as the `yaml` package has it reads them as strings, go-yaml v2 (Helm, kubectl) does not.
 */
export function toYaml(value: unknown, extra: StringifyOptions = {}): string {
  // A plain document (what transforms add) is written without loading yaml, as yaml writes it (fast-edit.test.ts).
  const fast = Object.keys(extra).length === 0 ? renderDocument(value) : undefined;
  return fast ?? toYamlWithYaml(value, extra);
}

/** toYamlWithYaml is toYaml always through the `yaml` package. */
export function toYamlWithYaml(value: unknown, extra: StringifyOptions = {}): string {
  const options = { ...STRINGIFY_OPTIONS, ...extra };
  const y = yaml();
  const doc = new y.Document(value, options);
  y.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && goReadsAsNonString(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString(options);
}

const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/;
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ]|$)/;

/**
 * goReadsAsNonString tells whether go-yaml v2 reads this text, written plain, as something else than a string:
 * its resolver tries strconv.ParseInt(s, 0, 64) and ParseUint on the text without `_` (0x, 0o, 0b prefixes,
 * either case, a sign, leading-zero octal), YAML-style floats, ParseFloat on text starting with `.`, and
 * timestamps. Booleans and nulls (`on`, `~`) are quoted by the YAML 1.1 writer already.
 */
export function goReadsAsNonString(s: string): boolean {
  if (!/^[-+.0-9]/.test(s)) return false;
  const plain = s.replace(/_/g, '');
  return (
    GO_INT.test(plain) ||
    GO_FLOAT.test(plain) ||
    GO_FLOAT.test(s) ||
    GO_TIMESTAMP.test(s) ||
    /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/.test(s)
  );
}

/** parseYaml parses one document with PARSE_OPTIONS, plus `extra`; problems are in the document's `errors`. */
export function parseYaml(text: string, extra: ParseOptions & DocumentOptions = {}): Document {
  return yaml().parseDocument(text, { ...PARSE_OPTIONS, ...extra }) as Document;
}

/** parseAllYaml parses each document of a stream with PARSE_OPTIONS, plus `extra`; problems are in each document's `errors`. */
export function parseAllYaml(text: string, extra: ParseOptions & DocumentOptions = {}): Document[] {
  const docs = yaml().parseAllDocuments(text, { ...PARSE_OPTIONS, ...extra });
  // A stream with no document (empty, or comments alone) comes back as an EmptyStream, not a list.
  return Array.isArray(docs) ? (docs as Document[]) : [];
}
