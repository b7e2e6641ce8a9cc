// Error classes that map to the CLI's exit codes; only these are shown to users without a stack trace.

/** ExitCode is the contract documented in the README. */
export const ExitCode = {
  OK: 0,
  /** Bad input, a transform that cannot do its work, or (in check mode) findings at or above --fail-on. */
  FAILURE: 1,
  USAGE: 2,
  CONFIG: 3,
} as const;

/** UserError is an expected failure: its message is printed as is, and it carries its exit code. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** InputError is unreadable or invalid input (exit 1). */
export class InputError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.FAILURE);
  }
}

/** UsageError is a wrong flag or argument (exit 2). */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}

/** ConfigError is an invalid configuration object (exit 3). */
export class ConfigError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.CONFIG);
  }
}

/**
 * failureText turns a thrown error into what the CLI prints and its exit code: a user error's message
 * (with a pointer to the help for usage errors), or an internal error with its stack only when asked.
 */
export function failureText(err: unknown, help: string, stack: boolean): { text: string; code: number } {
  if (err instanceof UserError) {
    const hint = err.exitCode === ExitCode.USAGE ? `Run ${help} for usage.\n` : '';
    return { text: `webhook-guard: ${err.message}\n${hint}`, code: err.exitCode };
  }
  const e = err as Error;
  const detail = stack && e?.stack ? e.stack + '\n' : 'Run again with --stack for details, and please report it.\n';
  return { text: `webhook-guard: internal error: ${e?.message ?? String(err)}\n${detail}`, code: ExitCode.FAILURE };
}
