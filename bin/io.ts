import path from 'node:path';

/**
 * Where the CLI writes: stdout for results, stderr for progress and diagnostics. Tests pass a fake.
 */
export interface Io {
  /** Results (paths, --json). */
  out(text: string): void;
  /** Progress and diagnostics. */
  err(text: string): void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Environment (for CI detection and the like). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks the operator a question on the terminal; absent when there is no terminal to ask on. */
  readonly ask?: (question: string) => Promise<string | undefined>;
}

/** The real process: its stdout, stderr, working directory and environment. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    ...(process.stdin.isTTY && process.stderr.isTTY ? { ask } : {}),
  };
}

async function ask(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** Writes a line to stderr unless quiet. */
export function progress(io: Io, quiet: boolean | undefined, line: string): void {
  if (!quiet) io.err(`${line}\n`);
}

/** `file` for printing: relative to the working directory when it lies under it, else absolute. */
export function displayPath(io: Io, file: string): string {
  const relative = path.relative(io.cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
