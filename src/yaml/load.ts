// The one lazy loader of the `yaml` package, with the one set of options every reader and writer uses.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions, ToStringOptions } from 'yaml';

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

/** toYaml writes a value with STRINGIFY_OPTIONS, plus `extra`. */
export function toYaml(value: unknown, extra: StringifyOptions = {}): string {
  return yaml().stringify(value, { ...STRINGIFY_OPTIONS, ...extra });
}

/** parseYaml parses one document with PARSE_OPTIONS, plus `extra`; problems are in the document's `errors`. */
export function parseYaml(text: string, extra: ParseOptions & DocumentOptions = {}): Document {
  return yaml().parseDocument(text, { ...PARSE_OPTIONS, ...extra }) as Document;
}
