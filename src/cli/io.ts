// The process's streams as the CLI sees them, injected so tests can call the commands directly.

/** IO is the process's streams, injected so tests can call main directly. */
export interface IO {
  readStdin(): Promise<Buffer>;
  stdout(text: string): void;
  /** Writes the output as pieces (the input's own byte slices and text) in order; without it, stdout gets the joined text. */
  writeOut?(pieces: Array<Buffer | string>): void;
  stderr(text: string): void;
  /** True when stdin is a terminal (no piped input). */
  stdinIsTTY?: boolean;
  /** True when stdout is a terminal (check colours its text report only then). */
  stdoutIsTTY?: boolean;
  /** Told the size of each input read from a file, so that the process can prepare for a large run (see compileLean). */
  sized?(bytes: number): void;
  /** The environment (NO_COLOR, TERM, Helm's and kustomize's variables): the only place the CLI reads it. */
  env: Record<string, string | undefined>;
}
