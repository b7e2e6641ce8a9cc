// Tells which host is calling from argv, the environment and the first bytes of stdin, without loading
// the pipeline: a kustomize legacy exec plugin, a KRM function (ResourceList), or a plain stream.
import { readFileSync, statSync } from 'node:fs';
import { hasContent, sniffKind, splitStream } from '../yaml/stream.js';

/** RESOURCE_LIST_VERSIONS are the apiVersions of a KRM ResourceList that select KRM mode. */
export const RESOURCE_LIST_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1alpha1'];

/**
 * kustomizePluginArgv recognises a kustomize legacy exec plugin call, where argv[0] is the path of a
 * temporary file holding the plugin's config object (kustomize also sets KUSTOMIZE_PLUGIN_CONFIG_STRING),
 * and the rest are the config's `argsOneLiner`/`argsFromFile` arguments. It returns the argv to run
 * instead (`--config <file> …rest`), or undefined when this is not such a call.
 */
export function kustomizePluginArgv(argv: string[], env: NodeJS.ProcessEnv): string[] | undefined {
  const first = argv[0];
  if (first === undefined || first === '' || first.startsWith('-')) return undefined;
  let text: string;
  try {
    if (!statSync(first).isFile()) return undefined;
    text = readFileSync(first, 'utf8');
  } catch {
    return undefined;
  }
  if (env.KUSTOMIZE_PLUGIN_CONFIG_STRING === undefined && sniffKind(text) !== 'WebhookGuard') return undefined;
  return ['--config', first, ...argv.slice(1)];
}

/**
 * isResourceList tells whether the input is a single KRM `ResourceList` document (the way kyaml's
 * reader decides to unwrap one): one document whose top-level kind is ResourceList and whose
 * apiVersion is config.kubernetes.io/v1 (or v1alpha1). JSON input is recognised too.
 */
export function isResourceList(text: string): boolean {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const value = JSON.parse(trimmed);
      return value?.kind === 'ResourceList' && RESOURCE_LIST_VERSIONS.includes(value?.apiVersion);
    } catch {
      return false;
    }
  }
  if (sniffKind(text) !== 'ResourceList') return false;
  if (splitStream(text).filter((s) => hasContent(s.text)).length !== 1) return false;
  const api = /^apiVersion:[ \t]*["']?([^"'\s#]+)/m.exec(text)?.[1];
  return api !== undefined && RESOURCE_LIST_VERSIONS.includes(api);
}
