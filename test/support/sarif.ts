// The SARIF 2.1.0 schema validator the check tests share.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * sarifValidator compiles the SARIF 2.1.0 JSON schema. The schema ships in @microsoft/jest-sarif (draft-04,
 * 2.1.0-rtm.5); ajv-draft-04 reads that draft. One of its patterns is not valid as a unicode regular expression,
 * hence unicodeRegExp: false.
 */
export async function sarifValidator(): Promise<((log: unknown) => boolean) & { errors?: unknown[] | null }> {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  const { default: Ajv04 } = await import('ajv-draft-04');
  const { default: addFormats } = await import('ajv-formats');
  const ajv = new (Ajv04 as unknown as typeof Ajv04.default)({ strict: false, allErrors: true, unicodeRegExp: false });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  return ajv.compile(schema) as ((log: unknown) => boolean) & { errors?: unknown[] | null };
}

/** timeoutHook is an Ignore webhook on a custom resource with a 30 s timeout: one `timeout` warning, nothing else. */
export const timeoutHook = (name: string): string[] => [
  `- name: ${name}`,
  '  admissionReviewVersions: [v1]',
  '  sideEffects: None',
  '  failurePolicy: Ignore',
  '  timeoutSeconds: 30',
  '  clientConfig: {url: "https://hooks.example.com/v"}',
  '  rules: [{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [widgets]}]',
];
