// The `unblock` subcommand: from a live-cluster dump and what is blocked, a break-glass script and its exact undo.
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import minimist from 'minimist';
import { ExitCode, failureText, InputError, UsageError } from '../errors.js';
import { version } from '../package.js';
import { Admission } from '../model/admission.js';
import { Model } from '../model/model.js';
import type { AdmissionRequest } from '../model/selectors.js';
import { isObj, labelsOf, type Obj } from '../model/types.js';
import { yaml } from '../yaml/load.js';
import { coldStart, forError, forRequest, parseError, type Plan } from '../unblock/plan.js';
import { refuseUntrustedDump } from '../unblock/dump.js';
import { render } from '../unblock/script.js';
import { FLAGS, single, suggest } from './flags.js';
import { DUMP, indent, readInputs } from './inputs.js';
import type { IO } from './io.js';

/** unblockUsage is `webhook-guard unblock --help`. */
export function unblockUsage(): string {
  return `Usage: webhook-guard unblock (--error MESSAGE | --for OBJECT | --all) --restore FILE [options] [FILE…|-]

When webhooks whose backends are down block a cluster, prints a shell script (stdout) that lets the blocked
request through with the fewest changes: for each webhook that holds it up, a kubectl patch setting
failurePolicy: Ignore on that webhook only (guarded by tests of its name and current policy), or the namespace
label the webhook's own selector exempts. The undo goes to the --restore file. Nothing is run: read the script,
then run it. Input: a live-cluster dump, e.g.
${indent(DUMP)}

Options:
  --error MESSAGE        the error as the API server gave it (failed calling webhook "…": …)
  --for OBJECT           what is blocked: KIND/NAMESPACE/NAME (pod/kruise-system/kruise-manager-x), KIND/NAME for
                         cluster-scoped objects, or a manifest FILE of the object being created
  --operation OP         CREATE (default), UPDATE or DELETE, with --for
  --as USER, --as-group GROUP
                         who sends the request, with --for (a kubelet: --as system:node:NODE --as-group system:nodes)
  --all                  cold start: every backend down at once; the start order and the fewest webhooks to fail open
  --restore FILE         where to write the restore script (required when something is to change; checked first)
  --namespace NS         namespace of resources that name none
  --help

Exit codes: 0 a script was printed; 1 nothing in the input holds the request up (--error, --for), or a dump it
cannot trust (a document it cannot read, no object, cut off); 2 usage error (a --restore FILE that cannot be written
included). On a non-zero exit nothing is printed and no restore file is written.
`;
}

// KINDS maps what --for accepts to the API's resource names.
const KINDS: Array<{ names: string[]; kind: string; group: string; version: string; resource: string; namespaced: boolean }> = [
  { names: ['pod', 'pods', 'po'], kind: 'Pod', group: '', version: 'v1', resource: 'pods', namespaced: true },
  {
    names: ['deployment', 'deployments', 'deploy'],
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    namespaced: true,
  },
  {
    names: ['replicaset', 'replicasets', 'rs'],
    kind: 'ReplicaSet',
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    namespaced: true,
  },
  {
    names: ['statefulset', 'statefulsets', 'sts'],
    kind: 'StatefulSet',
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    namespaced: true,
  },
  {
    names: ['daemonset', 'daemonsets', 'ds'],
    kind: 'DaemonSet',
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    namespaced: true,
  },
  { names: ['job', 'jobs'], kind: 'Job', group: 'batch', version: 'v1', resource: 'jobs', namespaced: true },
  { names: ['service', 'services', 'svc'], kind: 'Service', group: '', version: 'v1', resource: 'services', namespaced: true },
  {
    names: ['configmap', 'configmaps', 'cm'],
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    resource: 'configmaps',
    namespaced: true,
  },
  { names: ['secret', 'secrets'], kind: 'Secret', group: '', version: 'v1', resource: 'secrets', namespaced: true },
  {
    names: ['serviceaccount', 'serviceaccounts', 'sa'],
    kind: 'ServiceAccount',
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    namespaced: true,
  },
  {
    names: ['lease', 'leases'],
    kind: 'Lease',
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    namespaced: true,
  },
  {
    names: ['namespace', 'namespaces', 'ns'],
    kind: 'Namespace',
    group: '',
    version: 'v1',
    resource: 'namespaces',
    namespaced: false,
  },
  { names: ['node', 'nodes', 'no'], kind: 'Node', group: '', version: 'v1', resource: 'nodes', namespaced: false },
];

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'] as const;
const UNBLOCK_STRING = [...FLAGS.unblock.string];
const UNBLOCK_BOOLEAN = [...FLAGS.unblock.boolean];

/** unblockMain runs `webhook-guard unblock` with the arguments after `unblock`. */
export async function unblockMain(argv: string[], io: IO): Promise<number> {
  try {
    const args = minimist(argv, {
      string: UNBLOCK_STRING,
      boolean: UNBLOCK_BOOLEAN,
      alias: { h: 'help' },
      unknown: (arg) => {
        if (arg.startsWith('-') && arg !== '-')
          throw new UsageError(
            `unblock: unknown option ${arg.split('=')[0]}${suggest(arg, [...UNBLOCK_STRING, ...UNBLOCK_BOOLEAN])}`,
          );
        return true;
      },
    });
    if (args.help) {
      io.stdout(unblockUsage());
      return ExitCode.OK;
    }
    const error = single(args, 'error', 'unblock');
    const target = single(args, 'for', 'unblock');
    const modes = [error !== undefined, target !== undefined, args.all === true].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('unblock: give exactly one of --error MESSAGE, --for OBJECT and --all');
    const namespace = single(args, 'namespace', 'unblock');
    const restoreFile = single(args, 'restore', 'unblock');
    if (restoreFile !== undefined) checkWritable(restoreFile);
    const inputs = await readInputs(args._.map(String), io, 'unblock');
    const model = Model.fromInputs(inputs, {
      namespace,
      kinds: ['Pod', 'ConfigMap', 'CapsuleConfiguration', 'EndpointSlice', 'Endpoints', 'ReplicaSet'],
    });
    refuseUntrustedDump(model, inputs);
    let plan: Plan;
    if (error !== undefined) {
      const parsed = parseError(error);
      if (!parsed)
        throw new UsageError('unblock: --error: no `failed calling webhook "NAME"` in the message; paste the whole error');
      if ('denied' in parsed)
        throw new UsageError(
          `unblock: --error: webhook ${parsed.denied} answered and denied the request: it is up, and this is its ` +
            'verdict; unblock helps only when a webhook cannot be called',
        );
      plan = forError(model, parsed);
    } else if (target !== undefined) {
      plan = forRequest(model, request(model, target, args));
    } else plan = coldStart(model);
    // A cold start that needs no change is good news; a blocked request nothing in the input holds up is not, and like
    // every failure it prints no script: one run after `set -e`, or piped to sh, must not look like a fix.
    if (!plan.remedies.length && !plan.stages) {
      for (const note of plan.notes) io.stderr(`webhook-guard unblock: ${note}\n`);
      io.stderr(`webhook-guard: unblock: nothing to change: no webhook of the input holds up ${plan.blocked}\n`);
      return ExitCode.FAILURE;
    }
    const changes = plan.remedies.filter((r) => !r.label).length;
    if (changes && restoreFile === undefined)
      throw new UsageError('unblock: --restore FILE is required: where to write the script that undoes the changes');
    const scripts = render(plan, restoreFile ?? '', version());
    if (changes) writeRestore(restoreFile!, scripts.restore);
    io.stdout(scripts.unblock);
    for (const note of plan.notes) io.stderr(`webhook-guard unblock: ${note}\n`);
    return ExitCode.OK;
  } catch (err) {
    const { text, code } = failureText(err, 'webhook-guard unblock --help', argv.includes('--stack'));
    io.stderr(text);
    return code;
  }
}

// checkWritable refuses a --restore path that cannot be written, before the dump is read: found only after the plan,
// it would fail with the script half decided, and an error then reads as a fault of the tool.
function checkWritable(file: string): void {
  const refuse = (why: string): never => {
    throw new UsageError(`unblock: --restore ${file}: ${why}`);
  };
  const dir = dirname(file);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return refuse(
      code === 'ENOENT' || code === 'ENOTDIR' ? `its directory ${dir} does not exist` : `cannot look at ${dir} (${code})`,
    );
  }
  if (!isDir) refuse(`${dir} is not a directory`);
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) refuse('is a directory; name the file to write');
    if (!writable(file)) refuse('the file exists and is not writable');
  } else if (!writable(dir)) refuse(`its directory ${dir} is not writable`);
}

const writable = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

// writeRestore writes the undo before the script is printed: a script whose undo could not be written is never shown.
function writeRestore(file: string, text: string): void {
  try {
    writeFileSync(file, text, { mode: 0o644 });
  } catch (err) {
    throw new InputError(
      `unblock: --restore ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        'no script was printed',
    );
  }
}

// request builds the admission request for --for: from a manifest file, or KIND/NAMESPACE/NAME with what the dump
// says of the object (a live Pod of that name, else the template of the workload whose pods are named after it).
function request(model: Model, target: string, args: minimist.ParsedArgs): AdmissionRequest {
  const operation = (single(args, 'operation', 'unblock') ?? 'CREATE').toUpperCase();
  if (!(OPERATIONS as readonly string[]).includes(operation))
    throw new UsageError(`unblock: --operation ${operation}: expected ${OPERATIONS.join(', ')}`);
  const groups = args['as-group'] === undefined ? [] : [args['as-group']].flat().map(String);
  const user = single(args, 'as', 'unblock');
  const userInfo = user !== undefined || groups.length ? { username: user ?? '', groups } : undefined;
  let object: Obj;
  let kind: (typeof KINDS)[number] | undefined;
  if (existsSync(target)) {
    let value: unknown;
    try {
      value = yaml().parse(readFileSync(target, 'utf8'));
    } catch (err) {
      // A manifest the user named is an argument: what is wrong with it is theirs to fix, not a fault of the tool.
      const e = err as NodeJS.ErrnoException;
      const why = e.name.startsWith('YAML') ? e.message.split('\n')[0].replace(/:$/, '') : (e.code ?? e.message);
      throw new UsageError(`unblock: --for ${target}: cannot read it (${why})`);
    }
    if (!isObj(value) || typeof value.kind !== 'string' || !isObj(value.metadata))
      throw new UsageError(`unblock: --for ${target}: not a Kubernetes object (kind and metadata)`);
    object = value;
    kind = KINDS.find((k) => k.kind === value.kind);
    if (!kind) throw new UsageError(`unblock: --for ${target}: kind ${value.kind} is not one unblock knows`);
  } else {
    const parts = target.split('/');
    kind = KINDS.find((k) => k.names.includes(parts[0].toLowerCase()));
    if (!kind || parts.length !== (kind.namespaced ? 3 : 2) || parts.some((p) => !p))
      throw new UsageError(
        `unblock: --for ${target}: expected KIND/NAMESPACE/NAME (KIND/NAME for nodes and namespaces) or a manifest file`,
      );
    const [name, ns] = kind.namespaced ? [parts[2], parts[1]] : [parts[1], undefined];
    object = known(model, kind.kind, name, ns) ?? {
      apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
      kind: kind.kind,
      metadata: { name, ...(ns ? { namespace: ns } : {}) },
    };
  }
  const admission = new Admission(model);
  const ns = kind.namespaced ? String(object.metadata.namespace ?? model.defaultNamespace ?? 'default') : undefined;
  return {
    group: kind.group,
    version: kind.version,
    resource: kind.resource,
    operation: operation as AdmissionRequest['operation'],
    namespaced: kind.namespaced,
    kind: kind.kind,
    namespace: ns,
    name: String(object.metadata.name ?? ''),
    namespaceLabels: ns ? admission.namespaceLabels(ns) : labelsOf(object.metadata.labels),
    object: operation === 'DELETE' ? null : object,
    oldObject: operation === 'CREATE' ? null : object,
    userInfo,
  };
}

// known finds the object in the dump, or for a Pod the template of the workload its name comes from.
function known(model: Model, kind: string, name: string, ns: string | undefined): Obj | undefined {
  const live = model.ofKind(kind).find((r) => r.name === name && (ns === undefined || model.namespaceOf(r) === ns));
  if (live) return live.obj;
  if (kind !== 'Pod' || !ns) return undefined;
  const source = new Admission(model)
    .sources()
    .filter((s) => s.namespace === ns && name.startsWith(`${s.name}-`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!source || !isObj(source.create.object)) return undefined;
  const pod = structuredClone(source.create.object) as Obj;
  pod.metadata = { ...(isObj(pod.metadata) ? pod.metadata : {}), name, namespace: ns };
  return pod;
}
