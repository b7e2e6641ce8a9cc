// The library API: harden a manifest stream, or check one, from code instead of the command line.
import { checkInputs, type CheckResult, type Located } from './check/run.js';
import type { CheckOptions } from './check/types.js';
import type { Input } from './model/model.js';
import { resolveConfig, validateConfig, type Config, type Overrides } from './pipeline/config.js';
import { transformStream } from './pipeline/pipeline.js';
import type { Change, Warning } from './transform.js';

export { ConfigError, InputError, UsageError, UserError } from './errors.js';
export type { Change, CheckOptions, Config, Input, Located, Overrides, Warning };

/** HardenOptions choose the configuration of a `harden` call. */
export interface HardenOptions {
  /** A WebhookGuard configuration object (as in a --config file), validated against schemas/. Default: none. */
  config?: unknown;
  /** The flags' overrides on top of it (disable, minReplicas, excludeNamespaces, namespace, kubeVersion, …). */
  overrides?: Overrides;
}

/** HardenResult is the hardened stream and what was changed and why. */
export interface HardenResult {
  /** The output stream: untouched documents byte for byte, edited ones changed only at the edited fields. */
  output: string;
  changes: Change[];
  warnings: Warning[];
}

/**
 * harden runs the transforms over a manifest stream, as `webhook-guard < in > out` does. Throws ConfigError
 * for an invalid configuration and InputError for input it must refuse (the message names the document).
 */
export async function harden(manifests: string, options: HardenOptions = {}): Promise<HardenResult> {
  if (options.config !== undefined) await validateConfig(options.config, 'config');
  const { output, changes, warnings } = transformStream(manifests, resolveConfig(options.config, options.overrides));
  return { output, changes, warnings };
}

/** CheckReport is what `check` finds: findings in report order, and the assumptions they rest on. */
export interface CheckReport {
  findings: Located[];
  assumptions: string[];
}

/**
 * check analyses one or more manifest streams (several releases, or a live-cluster dump) as one cluster,
 * changing nothing, as `webhook-guard check` does. A string is one input named `-`.
 */
export function check(inputs: string | Input[], options: CheckOptions = {}): CheckReport {
  const list = typeof inputs === 'string' ? [{ source: '-', text: inputs }] : inputs;
  const { findings, assumptions }: CheckResult = checkInputs(list, options);
  return { findings, assumptions };
}
