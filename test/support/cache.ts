// Where the tests keep the tools they build or download (control plane, kustomize, helmfile), outside the repository.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** CACHE is the tools' folder: $WEBHOOK_GUARD_CACHE, else ~/.cache/webhook-guard. */
export const CACHE = process.env.WEBHOOK_GUARD_CACHE ?? join(homedir(), '.cache', 'webhook-guard');
