// Opt-in: removes the webhooks, or whole webhook configurations, the user names (Capsule's advice: disable what you do not use).
import { ConfigError } from '../src/errors.js';
import type { Model } from '../src/model/model.js';
import type { Resource } from '../src/model/types.js';
import type { Transform } from '../src/transform.js';

/** DropWebhooksConfig: options of drop-webhooks. */
export interface DropWebhooksConfig {
  /** Off unless asked for: removing a webhook switches its function off. Default: false. */
  enabled: boolean;
  /** Webhook entries to remove: `webhook-name` or `configuration-name/webhook-name`. Default: []. */
  webhooks: string[];
  /** Whole webhook configurations to remove, by name. Default: []. */
  configurations: string[];
}

const CONFIG_KINDS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/**
 * dropWebhooks removes exactly what the user names, and nothing else: each named webhook entry (with its lines), or
 * each named configuration (the whole document; also when every one of its webhooks is named). A name that
 * matches nothing is a configuration error, so a typo never passes as "dropped". The only transform that removes
 * (see the Transform contract); it runs first, so the others never harden what is dropped.
 */
export const dropWebhooks: Transform<DropWebhooksConfig> = {
  name: 'drop-webhooks',
  description: 'opt-in: remove the named webhooks or webhook configurations, each reported',
  defaults: { enabled: false, webhooks: [], configurations: [] },
  removes: true,
  apply(model: Model, config, ctx) {
    const configurations = model.ofKind(...CONFIG_KINDS).filter((r) => r.path.length === 0);
    config.configurations.forEach((name, i) => {
      const found = configurations.filter((r) => r.name === name);
      if (!found.length)
        throw new ConfigError(
          `drop-webhooks: configurations[${i}] ${name}: no MutatingWebhookConfiguration or ValidatingWebhookConfiguration ` +
            'of that name in the input',
        );
      for (const r of found) ctx.dropDocument(r, `configurations names ${name}: removed as asked, with all its webhooks`);
    });
    const dropped = new Set(config.configurations);
    // Entries by configuration, then removed from the last index down so the indexes stay as read.
    const plan = new Map<Resource, number[]>();
    config.webhooks.forEach((spec, i) => {
      const slash = spec.indexOf('/');
      const [owner, name] = slash === -1 ? [undefined, spec] : [spec.slice(0, slash), spec.slice(slash + 1)];
      const hits = configurations.flatMap((r) =>
        (owner === undefined || r.name === owner) && !dropped.has(r.name) && Array.isArray(r.obj.webhooks)
          ? r.obj.webhooks.flatMap((w: unknown, index: number) =>
              typeof w === 'object' && w !== null && (w as { name?: unknown }).name === name ? [{ r, index }] : [],
            )
          : [],
      );
      if (!hits.length)
        throw new ConfigError(`drop-webhooks: webhooks[${i}] ${spec}: no webhook of that name in the input's configurations`);
      const owners = new Set(hits.map((h) => h.r));
      if (owner === undefined && owners.size > 1)
        throw new ConfigError(
          `drop-webhooks: webhooks[${i}] ${spec}: in ${[...owners].map((r) => r.name).join(' and ')}; ` +
            'name it as configuration-name/webhook-name',
        );
      for (const h of hits) plan.set(h.r, [...new Set([...(plan.get(h.r) ?? []), h.index])]);
    });
    for (const [r, indexes] of plan) {
      const total = (r.obj.webhooks as unknown[]).length;
      if (indexes.length === total) {
        ctx.dropDocument(r, `webhooks names every webhook of ${r.name}: the configuration is removed as asked`);
        continue;
      }
      for (const index of [...indexes].sort((a, b) => b - a)) {
        const name = String((r.obj.webhooks as Array<{ name?: unknown }>)[index].name);
        ctx.removeItem(r, ['webhooks', index], `webhooks names ${name}: removed as asked`);
      }
    }
  },
};
