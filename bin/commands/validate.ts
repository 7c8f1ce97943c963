/**
 * `regionkit validate [files...]`: every spec problem of every file, then the synthesized JSON of each
 * stack against the provider schema files. Writes nothing outside a temporary directory.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { checkStack, formatProblem, loadProviderSchemas } from '../../lib/providers/conformance.js';
import { progress, type Io } from '../io.js';
import { EXIT_BUG, EXIT_OK, type GlobalOptions } from '../options.js';
import { loadAll, synthesizeInto } from '../synthesize.js';

export async function run(files: readonly string[], opts: GlobalOptions, io: Io): Promise<number> {
  const loaded = await loadAll(files, io);
  progress(io, opts.quiet, `${loaded.length} region file${loaded.length === 1 ? '' : 's'} valid`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-validate-'));
  try {
    const stacks = await synthesizeInto(loaded, dir, io, opts.quiet);
    const schemas = loadProviderSchemas();
    let problems = 0;
    for (const stack of stacks) {
      const json = JSON.parse(await readFile(path.join(dir, stack.relativeDir, 'cdk.tf.json'), 'utf8')) as Record<
        string,
        never
      >;
      const found = checkStack(json, schemas);
      problems += found.length;
      for (const p of found) io.err(`${stack.name}: ${formatProblem(p)}\n`);
      io.out(
        `${stack.name}: ${found.length === 0 ? 'ok' : `${found.length} problem${found.length === 1 ? '' : 's'}`}\n`,
      );
    }
    // Schema problems in synthesized output mean regionkit produced something Terraform would reject: a bug.
    return problems === 0 ? EXIT_OK : EXIT_BUG;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
