// Writes a plan as two shell scripts a person reads before running: the break-glass changes, and their exact undo.
import type { Plan, Remedy } from './plan.js';

/** Scripts are the break-glass script (stdout) and the restore script (the file the user names). */
export interface Scripts {
  unblock: string;
  restore: string;
  /** The commands that say whether each backend answers again (ready endpoints). */
  health: string[];
}

// quote makes a shell word of any text.
const quote = (s: string): string => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const resourceOf = (r: Remedy): string => `${r.webhook.owner.kind.toLowerCase()}/${r.webhook.owner.name}`;

// patch is a JSON patch on one webhook only: guarded by tests of its name and current failure policy at its index,
// so kubectl refuses it (and changes nothing) when the configuration is no longer what the dump showed.
function patch(r: Remedy, from: string | undefined, to: string | undefined): string {
  const at = `/webhooks/${r.index}`;
  const ops: object[] = [{ op: 'test', path: `${at}/name`, value: r.webhook.name }];
  if (from !== undefined) ops.push({ op: 'test', path: `${at}/failurePolicy`, value: from });
  ops.push(
    to === undefined
      ? { op: 'remove', path: `${at}/failurePolicy` }
      : { op: from === undefined ? 'add' : 'replace', path: `${at}/failurePolicy`, value: to },
  );
  return `kubectl patch ${quote(resourceOf(r))} --type=json -p ${quote(JSON.stringify(ops))}`;
}

// healthCommand prints the ready addresses of the webhook's Service: nothing printed means it does not answer yet.
function healthCommand(r: Remedy): string | undefined {
  const svc = r.webhook.service;
  if (!svc) return undefined;
  const path = `{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\\n"}{end}`;
  return (
    `kubectl get endpointslices -n ${quote(svc.namespace)} -l ${quote(`kubernetes.io/service-name=${svc.name}`)} ` +
    `-o jsonpath=${quote(path)}`
  );
}

/** render writes the plan as scripts; `restoreFile` is named in the unblock script so the user finds the undo. */
export function render(plan: Plan, restoreFile: string, version: string): Scripts {
  const out: string[] = [
    '#!/bin/sh',
    `# webhook-guard ${version} unblock: ${plan.blocked}.`,
    '# Read it before running it. It changes only the webhooks named below, each guarded by a test of its name and',
    '# failure policy at its index: if the configuration changed since the dump, kubectl refuses that patch.',
    'set -eu',
  ];
  const restore: string[] = [
    '#!/bin/sh',
    `# webhook-guard ${version} unblock: restores what the unblock script for ${plan.blocked} changed.`,
    '# Run it once the backends answer again (see the commands in the unblock script).',
    'set -eu',
  ];
  if (plan.stages?.length) {
    out.push('', '# Start order once the changes below are made (each stage can start when the one before it runs):');
    plan.stages.forEach((stage, i) => out.push(`#   ${i + 1}. ${stage.join(', ')}`));
  }
  for (const note of plan.notes) out.push(`# note: ${note}`);
  if (!plan.remedies.length) out.push('', '# Nothing to change: no webhook of the input holds this up.');
  const health: string[] = [];
  for (const r of plan.remedies) {
    const w = r.webhook;
    out.push(
      '',
      `# ${resourceOf(r)} webhooks[${r.index}] ${w.name} (${w.type}, failurePolicy Fail)`,
      `#   ${r.why}; ${r.health.evidence}.`,
    );
    const h = healthCommand(r);
    if (h && !health.includes(h)) health.push(h);
    if (r.label) {
      const { namespace, key, value } = r.label;
      out.push(
        `#   Its own namespaceSelector exempts namespaces labelled ${key}=${value}: the chart expects ${namespace} to carry`,
        '#   it, so the label is the fix and stays (no restore).',
        `kubectl label namespace ${quote(namespace)} ${quote(`${key}=${value}`)}`,
      );
      continue;
    }
    const from = w.entry.failurePolicy === undefined ? undefined : 'Fail';
    out.push(
      '#   Until it is restored, ' +
        `${w.type === 'mutating' ? 'what it mutates passes unmutated' : 'what it validates passes unvalidated'}.`,
      patch(r, from, 'Ignore'),
    );
    restore.push('', `# ${resourceOf(r)} webhooks[${r.index}] ${w.name}: back to failurePolicy Fail`, patch(r, 'Ignore', from));
  }
  if (health.length) {
    out.push('', '# When each backend answers again (its command prints ready addresses; nothing printed means not yet):');
    for (const h of health) out.push(`#   ${h}`);
  }
  if (restore.length > 4) out.push(`# then restore the failure policies: sh ${quote(restoreFile)}`);
  return { unblock: out.join('\n') + '\n', restore: restore.join('\n') + '\n', health };
}
