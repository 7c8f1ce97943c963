/**
 * Checks the `--out` option before anything is written: it must be a directory, or not exist yet under a
 * directory, so a typo never turns into a half-created staging directory or an internal error.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { SpecError } from '../lib/errors.js';

/** Throws a usage error if `outdir` (resolved) or one of its existing ancestors is not a directory. */
export async function checkOutputDir(outdir: string, given: string): Promise<void> {
  for (let dir = outdir; ; dir = path.dirname(dir)) {
    const kind = await statKind(dir);
    if (kind === 'directory') return;
    if (kind === 'other') {
      const what = dir === outdir ? 'an existing file' : `${JSON.stringify(dir)} is a file`;
      throw new SpecError(`--out: must be a directory, got ${JSON.stringify(given)} (${what})`, {
        hint: 'name a directory, e.g. -o cdktf.out, or move the file away',
      });
    }
    if (path.dirname(dir) === dir) return;
  }
}

async function statKind(file: string): Promise<'directory' | 'other' | 'missing'> {
  try {
    return (await stat(file)).isDirectory() ? 'directory' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw err;
  }
}
