/**
 * Runs once per `vitest run`: generates the bindings and gives the whole run a private temporary directory.
 * Every temporary file of the run (the tests' own, cdktf's `Testing` outdirs, the cdktf CLI's) goes under
 * it, because os.tmpdir() reads TMPDIR and the test workers inherit this environment; teardown removes it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { generateAll } from '../lib/providers/generate.js';

/** Prefix of the per-run temporary directory in the system's temporary directory. */
export const RUN_TMP_PREFIX = 'regionkit-test-run-';

export default async function setup(): Promise<() => void> {
  // Bindings are generated before any test imports them (a no-op when the schema files are unchanged).
  await generateAll();
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(path.join(os.tmpdir(), RUN_TMP_PREFIX));
  // Checkers that drop privileges (dnsmasq reads its upstream file as its own user) must reach the
  // directories tests open up for them; each test's own mkdtemp directory is still 0700.
  chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
