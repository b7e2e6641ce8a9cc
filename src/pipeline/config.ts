// Loads the WebhookGuard configuration, validates it against schemas/, and merges defaults and flags into it.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MAX_ALIAS_COUNT, parseAllYaml, parseYaml } from '../yaml/load.js';
import { hasContent, position } from '../yaml/stream.js';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../package.js';
import { TRANSFORMS } from './registry.js';
import type AjvModule from 'ajv';
import type { Document } from 'yaml';

export const DEFAULT_KUBE_VERSION = '1.30';

/**
 * minorVersion reads a Kubernetes version as Helm accepts it (`1.30`, `v1.29.3`, `1.29.3-eks-adc7111`, `v1.30+k3s1`)
 * and gives its `1.minor`, or undefined when it is not one.
 */
export function minorVersion(v: string): string | undefined {
  const m = /^v?1\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?$/.exec(v.trim());
  return m ? `1.${Number(m[1])}` : undefined;
}

/**
 * tooOld says why webhook-guard's output cannot target a Kubernetes minor version (`1.20`), or undefined: it adds
 * policy/v1 PodDisruptionBudgets (served from 1.21) and excludes namespaces by the kubernetes.io/metadata.name label
 * (on every namespace from 1.21; before, `NotIn [kube-system]` by it matches every namespace, kube-system too).
 */
export function tooOld(minor: string): string | undefined {
  return Number(minor.split('.')[1]) < 21
    ? `Kubernetes ${minor} is older than webhook-guard's output works on (1.21 or later: the kubernetes.io/metadata.name ` +
        'label it excludes namespaces by, and policy/v1 PodDisruptionBudgets, came in 1.21)'
    : undefined;
}

/** TransformOptions are one transform's options plus its switch. */
// Each transform checks its own options against its schema (config-schema.test.ts holds them to one another).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TransformOptions = { enabled: boolean } & Record<string, any>;

/** Config is the resolved configuration a run uses: every transform present, defaults filled in. */
export interface Config {
  namespace?: string;
  kubeVersion: string;
  transforms: Record<string, TransformOptions>;
}

/** Overrides are what flags can set on top of the file. */
export interface Overrides {
  disable?: string[];
  minReplicas?: number;
  excludeNamespaces?: string[];
  adoptNamespaces?: boolean;
  namespace?: string;
  kubeVersion?: string;
  /** `--fail-open TYPE`: switch fail-open on for these webhook types. */
  failOpen?: Array<'mutating' | 'validating'>;
}

/** readConfigFile reads a YAML or JSON config file. Throws ConfigError when it cannot be read or parsed. */
/** MAX_CONFIG_BYTES bounds the config file: a config is a few KB; `--config /dev/zero` must not read forever. */
export const MAX_CONFIG_BYTES = 1 << 20;

// readBounded reads at most `max` bytes of a file (a device or a pipe included) and refuses a longer one.
function readBounded(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(max + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length <= max; length += n) n = readSync(fd, buf, length, max + 1 - length, null);
    if (length > max) throw new ConfigError(`config ${path}: larger than ${max >> 20} MiB; a configuration is a few KB`);
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readBounded(path, MAX_CONFIG_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`config ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // Unlike manifests, a config file is ours: duplicate keys are a mistake, not something Go would accept.
  const options = { uniqueKeys: true, strict: true };
  const docs = parseAllYaml(text, options);
  // One document is the configuration: of several, which one was meant would be a guess. A document with nothing in it (a
  // `---` line at the end) is none.
  // (Every parsed document has its range.)
  const filled = docs.filter((d) => hasContent(text.slice(d.range![0], d.range![2])));
  const doc = filled[0] ?? docs[0] ?? parseYaml(text, options);
  const problems: string[] = [];
  // A syntax error first, in whichever document it is: it is what the user must fix before anything else.
  const broken = [...docs, doc].find((d) => d.errors.length);
  if (broken) {
    const e = broken.errors[0];
    const { line, column } = position(text, e.pos[0]);
    problems.push(`config ${path}: line ${line}, column ${column}: ${e.message.split('\n')[0]}`);
  }
  if (filled.length > 1)
    problems.push(
      `config ${path}: line ${position(text, filled[1].range![0]).line}: a second YAML document starts here; a configuration ` +
        'file must hold one document: remove the others (or put them in files of their own)',
    );
  if (problems.length) throw new ConfigError(problems.join('\n'));
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    if (typeof value === 'object' && value !== null) SOURCES.set(value, doc);
    return value;
  } catch (err) {
    // An alias bomb ("billion laughs") in the config.
    throw new ConfigError(`config ${path}: ${(err as Error).message}`);
  }
}

/**
 * validateConfig checks a configuration object against schemas/config.schema.json.
 * Throws ConfigError naming each bad field path and what is expected.
 */
export async function validateConfig(value: unknown, source: string): Promise<void> {
  // Required, not imported: the bundle is CommonJS, where a dynamic import() would need a loader of its own.
  const Ajv = (createRequire(import.meta.url)('ajv') as typeof AjvModule & { default: typeof AjvModule }).default;
  const root = packageRoot();
  const ajv = new Ajv({ allErrors: true, strict: true });
  for (const t of TRANSFORMS) ajv.addSchema(JSON.parse(readFileSync(join(root, 'schemas', `${t.name}.schema.json`), 'utf8')));
  const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', 'config.schema.json'), 'utf8')));
  if (validate(value)) {
    const version = (value as { spec?: { kubeVersion?: string } }).spec?.kubeVersion;
    const old = version === undefined ? undefined : tooOld(minorVersion(version) ?? version);
    if (old) throw new ConfigError(`config ${source} is invalid:\n  spec.kubeVersion: ${old}`);
    return;
  }
  const lines = (validate.errors ?? []).map((e) => {
    const field = e.instancePath
      ? e.instancePath.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~')
      : '(top level)';
    let what = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties')
      what = `unknown field ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
    if (e.keyword === 'const') what = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    if (e.keyword === 'enum')
      what =
        `must be one of ` +
        `${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    if (e.keyword === 'type' && (e.params as { type: string }).type === 'string') what += plainNotString(value, e.instancePath);
    return `  ${field}: ${what}`;
  });
  throw new ConfigError(`config ${source} is invalid:\n${[...new Set(lines)].join('\n')}`);
}

// The documents config files were read from, by the value read, so a message can quote what the file says.
const SOURCES = new WeakMap<object, Document>();

/**
 * plainNotString explains a string field the file gives a number, a boolean or null: YAML (1.1, as Kubernetes reads it)
 * reads `1.30`, `0755`, `yes` or `~` written plain as such, and quoting keeps the text (`kubeVersion: "1.30"`). Empty
 * when the value is no such scalar, or was not read from a file.
 */
function plainNotString(value: unknown, pointer: string): string {
  const doc = typeof value === 'object' && value !== null ? SOURCES.get(value) : undefined;
  const path = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const node = doc?.getIn(
    path.map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    true,
  ) as { value?: unknown; source?: string; type?: string } | undefined;
  if (node?.type !== 'PLAIN' || typeof node.source !== 'string') return '';
  const read =
    typeof node.value === 'number'
      ? `the number ${String(node.value)}`
      : typeof node.value === 'boolean'
        ? `the boolean ${String(node.value)}`
        : node.value === null
          ? 'null'
          : undefined;
  if (read === undefined) return '';
  const key = path[path.length - 1];
  const quoted = JSON.stringify(node.source);
  return `, and YAML reads ${node.source} written plain as ${read}: quote it (${/^\d+$/.test(key) ? `- ${quoted}` : `${key}: ${quoted}`})`;
}

/** defaultConfig is the configuration with nothing set: every transform on with its defaults. */
export function defaultConfig(): Config {
  const transforms: Record<string, TransformOptions> = {};
  for (const t of TRANSFORMS) transforms[t.name] = { enabled: true, ...structuredClone(t.defaults) };
  return { kubeVersion: DEFAULT_KUBE_VERSION, transforms };
}

/** resolveConfig merges a validated config object (or none) and the flags over the defaults. */
export function resolveConfig(file: unknown, overrides: Overrides = {}): Config {
  const config = defaultConfig();
  // validateConfig has checked the file against the schema before this reads it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const spec = (file as { spec?: Record<string, any> } | undefined)?.spec ?? {};
  if (spec.namespace) config.namespace = spec.namespace;
  if (spec.kubeVersion) config.kubeVersion = minorVersion(String(spec.kubeVersion)) ?? String(spec.kubeVersion);
  for (const [name, options] of Object.entries(spec.transforms ?? {})) Object.assign(config.transforms[name], options);
  for (const name of overrides.disable ?? []) config.transforms[name].enabled = false;
  if (overrides.minReplicas !== undefined) config.transforms['webhook-replicas'].minReplicas = overrides.minReplicas;
  if (overrides.excludeNamespaces?.length) {
    const list: string[] = config.transforms['exclude-namespaces'].namespaces;
    for (const ns of overrides.excludeNamespaces) if (!list.includes(ns)) list.push(ns);
    // Kyverno's runtime webhooks must skip the same namespaces.
    const kyverno: string[] = config.transforms['kyverno-config'].namespaces;
    for (const ns of overrides.excludeNamespaces) if (!kyverno.includes(ns)) kyverno.push(ns);
  }
  if (overrides.failOpen?.length)
    Object.assign(config.transforms['fail-open'], { enabled: true, webhookTypes: [...new Set(overrides.failOpen)] });
  if (overrides.adoptNamespaces) config.transforms['label-namespaces'].adoptNamespaces = true;
  if (overrides.namespace) config.namespace = overrides.namespace;
  if (overrides.kubeVersion) config.kubeVersion = minorVersion(overrides.kubeVersion) ?? overrides.kubeVersion;
  return config;
}
