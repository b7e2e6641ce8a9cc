// Patch export: instead of manifests, the changes as kustomize patches (JSON 6902 per changed resource, a
// `$patch: delete` per removed one) for a kustomization or a Flux HelmRelease's spec.postRenderers, plus the added resources.
import fjp, { type Operation } from 'fast-json-patch';
import { deepEqual } from '../yaml/document.js';
import { toYaml } from '../yaml/load.js';
import { CLUSTER_KINDS } from '../model/kinds.js';
import { isObj, type Obj, type Resource } from '../model/types.js';
import { type Model } from '../model/model.js';
import type { Result } from '../pipeline/pipeline.js';
import { UserError, ExitCode } from '../errors.js';

/** EmitMode is a value of --emit. */
export type EmitMode = 'manifests' | 'patches' | 'flux';

/** Target selects one resource the way kustomize's `patches[].target` does (name is an anchored regex). */
export interface Target {
  group?: string;
  version: string;
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * Patch is one kustomize `patches` entry and its target: a JSON 6902 operation list, or a strategic-merge patch
 * `$patch: delete` naming the object (as YAML text).
 */
export interface Patch {
  target: Target;
  patch: string;
}

/**
 * computePatches diffs each changed resource's value before and after the transforms with
 * fast-json-patch. Before operations that reach into a list item by index, it adds a `test` of that
 * item's `name` (webhooks, containers), so a patch applied to a render whose lists moved fails
 * instead of editing the wrong entry. A document a transform removed whole (drop-webhooks) gets a
 * strategic-merge `$patch: delete`: left out, kustomize and Flux would install it as rendered. Patches
 * follow the stream's order. Throws UserError (exit 1) when a target would not select exactly one object
 * of the stream as kustomize selects them (see checkSelection).
 */
export function computePatches(model: Model): Patch[] {
  const out: Array<Patch & { at: number }> = [];
  for (const r of model.resources) {
    if (r.doc.addedBy || r.doc.original === undefined) continue;
    const before = at(r.doc.original, r.path);
    if (!isObj(before) || deepEqual(before, r.obj)) continue;
    const ops = withNameTests(before, fjp.compare(before, r.obj));
    out.push({ at: r.doc.segment.index, target: targetOf(r), patch: toYaml(ops).replace(/\n$/, '') });
  }
  const dropped = model.docs.filter((d) => d.droppedBy && isObj(d.original)).map((d) => resourceOf(d));
  for (const r of dropped) out.push({ at: r.doc.segment.index, target: targetOf(r), patch: deletion(r) });
  // sort is stable: the patches of one document (the items of a List) keep their order.
  out.sort((a, b) => a.at - b.at);
  const patches = out.map(({ target, patch }) => ({ target, patch }));
  checkSelection(patches, [...model.resources.filter((r) => !r.doc.addedBy), ...dropped]);
  return patches;
}

// resourceOf names a removed document's object: the model has let go of its resources (Model.drop).
function resourceOf(doc: Resource['doc']): Resource {
  const obj = doc.original as Obj;
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  return {
    doc,
    path: [],
    obj,
    apiVersion: String(obj.apiVersion ?? ''),
    kind: String(obj.kind ?? ''),
    name: String(meta.name ?? ''),
    namespace: meta.namespace == null ? undefined : String(meta.namespace),
  };
}

// deletion is the strategic-merge patch that removes an object: kustomize (and Flux, which runs kustomize's patches)
// drops the object its target selects. It names the object too, as a patch without a target would need.
function deletion(r: Resource): string {
  const namespace = CLUSTER_KINDS.has(r.kind) ? undefined : r.namespace;
  const metadata = { name: r.name, ...(namespace ? { namespace } : {}) };
  return toYaml({ $patch: 'delete', apiVersion: r.apiVersion, kind: r.kind, metadata }).replace(/\n$/, '');
}

/**
 * checkSelection selects, for each patch, the stream's objects the way kustomize does (group, version and kind when
 * given, the name as an anchored regular expression, the namespace against the object's: none for a cluster-scoped
 * kind, `default` when it names none), and refuses a patch that selects nothing or several objects. kustomize builds
 * without a word when a target selects nothing, and the object then goes out unhardened; one that selects several
 * edits objects webhook-guard never changed. Throws UserError (exit 1) naming the patch's target.
 */
export function checkSelection(patches: Patch[], objects: Resource[]): void {
  for (const { target } of patches) {
    const name = new RegExp(`^(?:${target.name})$`);
    const selected = objects.filter((r) => {
      const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/', 2) : ['', r.apiVersion];
      if (target.group && target.group !== group) return false;
      if (target.version !== version || target.kind !== r.kind || !name.test(r.name)) return false;
      if (target.namespace === undefined) return true;
      return !CLUSTER_KINDS.has(r.kind) && (r.namespace ?? 'default') === target.namespace;
    });
    if (selected.length === 1) continue;
    const where = target.namespace ? `${target.namespace}/` : '';
    const what = `${target.group ? target.group + '/' : ''}${target.version} ${target.kind} ${where}${target.name}`;
    const found = selected.length ? `${selected.length} objects of the stream` : 'no object of the stream';
    throw new UserError(
      `--emit: the patch for ${what} would select ${found} in kustomize, which would ` +
        (selected.length ? 'patch them all' : 'leave it unpatched without an error') +
        '; export cannot carry this change: use the hardened manifests (--emit manifests)',
      ExitCode.FAILURE,
    );
  }
}

/**
 * targetOf selects a resource by group, version, kind, name and, for a namespaced kind, namespace. A cluster-scoped
 * kind (CLUSTER_KINDS) gets no namespace even where the render gives it one (Kueue writes `namespace:` on its webhook
 * configurations): kustomize gives such a kind no namespace, so a target naming one would select nothing, and
 * kustomize would leave the object unpatched without an error.
 */
export function targetOf(r: Pick<Resource, 'apiVersion' | 'kind' | 'name' | 'namespace'>): Target {
  const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/', 2) : ['', r.apiVersion];
  const namespace = CLUSTER_KINDS.has(r.kind) ? undefined : r.namespace;
  return {
    ...(group ? { group } : {}),
    version,
    kind: r.kind,
    // kustomize reads target.name as an anchored (Go) regular expression: its metacharacters are escaped as Go's
    // QuoteMeta does. Most names can hold only the dot; RBAC names may hold nearly any character.
    name: r.name.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'),
    ...(namespace ? { namespace } : {}),
  };
}

function at(value: unknown, path: Array<string | number>): unknown {
  let node = value;
  for (const seg of path) node = (node as Record<string | number, unknown>)?.[seg];
  return node;
}

function withNameTests(before: Obj, ops: Operation[]): Operation[] {
  const out: Operation[] = [];
  const tested = new Set<string>();
  for (const op of ops) {
    const segs = op.path.split('/').slice(1);
    let node: unknown = before;
    for (let i = 0; i < segs.length - 1; i++) {
      const seg = segs[i].replace(/~1/g, '/').replace(/~0/g, '~');
      const next = Array.isArray(node) ? node[Number(seg)] : isObj(node) ? node[seg] : undefined;
      if (Array.isArray(node) && isObj(next) && typeof next.name === 'string') {
        const path = '/' + segs.slice(0, i + 1).join('/') + '/name';
        if (!tested.has(path)) {
          tested.add(path);
          out.push({ op: 'test', path, value: next.name });
        }
      }
      node = next;
    }
    out.push(op);
  }
  return out;
}

/** emitPatches renders a run's changes for --emit patches (a Kustomization) or --emit flux (a HelmRelease fragment). */
export function emitPatches(result: Result, mode: 'patches' | 'flux', version: string): string {
  const patches = computePatches(result.model).map((p) => ({ target: p.target, patch: p.patch }));
  const added = result.model.docs.filter((d) => d.addedBy);
  const addedNote = added.length
    ? mode === 'flux'
      ? '# Flux post-renderers cannot add resources: commit the documents after this one ' +
        'beside the\n# HelmRelease (for example in the Flux Kustomization that applies it).\n'
      : '# The documents after this one are resources webhook-guard adds: ' +
        'save them to a file and list it\n# under resources: as well.\n'
    : '';
  let head: string;
  if (mode === 'flux') {
    head =
      `# webhook-guard ${version}: merge spec.postRenderers into your HelmRelease. Flux runs no executable\n` +
      '# post-renderers; these kustomize patches carry the same changes. Render with the release name,\n' +
      '# namespace and values Flux uses, and render again when the chart changes.\n' +
      addedNote +
      toYaml({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        spec: { postRenderers: [{ kustomize: { patches } }] },
      });
  } else {
    head =
      `# webhook-guard ${version}: the changes as kustomize patches (JSON 6902 per changed resource,\n` +
      '# $patch: delete per removed one). Use this as the kustomization.yaml (or merge its patches into\n' +
      '# yours) and list the rendered manifests under resources:.\n' +
      addedNote +
      toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', patches });
  }
  const docs = [head];
  for (const d of added) docs.push(`---\n# Added by webhook-guard (${d.addedBy})\n${toYaml(d.working)}`);
  return docs.join('');
}
