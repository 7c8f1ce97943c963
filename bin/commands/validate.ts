/**
 * `regionkit validate [files...]`: runs exactly the checks `synth` runs (the region files, then the constructs
 * built from them: every problem of every file, exit 2), then checks the synthesized JSON of each stack against
 * the provider schema files. Writes nothing outside a temporary directory.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { checkStack, formatProblem, loadProviderSchemas } from '../../lib/providers/conformance.js';
import { progress, type Io } from '../io.js';
import { EXIT_BUG, EXIT_OK, plural, type GlobalOptions } from '../options.js';
import { loadSettled, synthesizeInto } from '../synthesize.js';

/** Validates `files` (all of `regions/` when empty); prints `<stack>: ok` or its problem count per stack. */
export async function run(files: readonly string[], opts: GlobalOptions, io: Io): Promise<number> {
  const { loaded, errors } = await loadSettled(files, io);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-validate-'));
  try {
    const stacks = await synthesizeInto(loaded, dir, io, opts.quiet, errors);
    progress(io, opts.quiet, `${plural(loaded.length, 'region file')} valid`);
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
