import type { Io } from '../../bin/io.js';

/** An Io that records stdout and stderr, rooted at `cwd`. */
export function fakeIo(cwd: string, env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    cwd,
    env,
    out: (text: string) => {
      io.stdout += text;
    },
    err: (text: string) => {
      io.stderr += text;
    },
  };
  return io;
}
