/**
 * The real programs that read what regionkit renders, installed from Debian by .ci/install-checkers.sh.
 * Locally a missing program skips its tests with a loud message; under CI=true a missing program fails.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { execa } from 'execa';
import { expect, test } from 'vitest';

const SEARCH_PATH = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/share/zookeeper/bin']);

/** Absolute path of a program, or undefined. */
export function which(program: string): string | undefined {
  if (program.startsWith('/')) return existsSync(program) ? program : undefined;
  return SEARCH_PATH.map((dir) => path.join(dir, program)).find((p) => existsSync(p));
}

const warned = new Set<string>();

/**
 * `test` when `program` is installed; otherwise a skipped test with a warning, or (under CI=true) a
 * failing one, since CI must run every checker.
 */
export function testWith(program: string, name: string, fn: () => Promise<void> | void, timeout?: number): void {
  if (which(program)) {
    test(name, fn, timeout);
  } else if (process.env.CI === 'true') {
    test(name, () => {
      expect.fail(`${program} is not installed; .ci/install-checkers.sh should have installed it`);
    });
  } else {
    if (!warned.has(program)) {
      process.stderr.write(
        `\n!!! ${program} is not installed: its checks are SKIPPED (run bash .ci/install-checkers.sh)\n`,
      );
      warned.add(program);
    }
    test.skip(`${name} [${program} missing]`, fn);
  }
}

/** Runs a checker; resolves with its output, and a failure message when it rejected the input. */
export async function runChecker(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ ok: boolean; output: string }> {
  const result = await execa(which(file) ?? file, [...args], { reject: false, all: true, ...options });
  return { ok: result.exitCode === 0, output: result.all ?? '' };
}
