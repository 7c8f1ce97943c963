/**
 * CLI test fixtures: a project directory with region files, a run of `main` with captured output, and a
 * content snapshot of a directory tree.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { main } from '../../bin/main.js';
import { EXAMPLE_FILES } from '../helpers.js';

import { fakeIo } from './fake-io.js';

/** A project directory with the example regions in regions/ (in the run's temporary directory). */
export async function project(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-cli-'));
  await mkdir(path.join(dir, 'regions'));
  for (const file of EXAMPLE_FILES) await cp(file, path.join(dir, 'regions', path.basename(file)));
  return dir;
}

/** Runs `regionkit <args>` in `dir`; the exit code with what it printed. */
export async function run(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = fakeIo(dir);
  const code = await main(['node', 'regionkit', ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Every file under `dir` with a hash of its content, for "nothing changed" checks. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  }
  return out;
}
