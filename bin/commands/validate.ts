/**
 * `regionkit validate [files...]`: runs exactly the checks `synth` runs (the region files, then the constructs
 * built from them: every problem of every file, exit 2), then checks the synthesized JSON of each stack against
 * the provider schema files, and with `--engine` through the real engine and plugins. Writes nothing outside a
 * temporary directory.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { checkStack, formatProblem, loadProviderSchemas } from '../../lib/providers/conformance.js';
import { findEngine, type EngineKind } from '../engine/engine.js';
import { validateWithEngine } from '../engine/validate-stacks.js';
import { progress, type Io } from '../io.js';
import { reportingEngineFailure } from '../lifecycle-options.js';
import { EXIT_BUG, EXIT_INVALID, EXIT_OK, plural, type GlobalOptions } from '../options.js';
import { loadSettled, synthesizeInto } from '../synthesize.js';

/** Options of `regionkit validate`. */
export interface ValidateOptions extends GlobalOptions {
  /**
   * Also run each stack through the real engine (`init -backend=false`, `validate -json`): `true` for the
   * default engine, or which one. @default false
   */
  readonly engine?: EngineKind | true;
}

/** Validates `files` (all of `regions/` when empty); prints `<stack>: ok` or its problem count per stack. */
export async function run(files: readonly string[], opts: ValidateOptions, io: Io): Promise<number> {
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
    if (problems > 0) return EXIT_BUG;
    if (!opts.engine) return EXIT_OK;
    const engine = await findEngine(opts.engine === true ? undefined : opts.engine, io.env);
    // awaited here: the temporary directory is removed when this function returns
    return await reportingEngineFailure(io, opts.verbose, async () => {
      const verdicts = await validateWithEngine(
        engine,
        new Map(stacks.map((s) => [s.name, path.join(dir, s.relativeDir)])),
        io.env,
        (line) => progress(io, opts.quiet, line),
      );
      for (const v of verdicts) {
        for (const line of [...v.errors, ...v.warnings]) io.err(`${v.stack}: ${line}\n`);
        if (v.skipped) io.err(`!!! ${v.stack}: not validated by ${engine.kind}: ${v.skipped}\n`);
        const verdict = v.skipped
          ? 'not validated'
          : v.errors.length === 0
            ? 'valid'
            : plural(v.errors.length, 'error');
        io.out(`${v.stack}: ${engine.kind} ${verdict}\n`);
      }
      // The provider's own validation rejected a value: one the region file set, or one regionkit chose.
      if (verdicts.some((v) => v.errors.length > 0)) {
        io.err(`hint: fix the values the region file sets; an error in a value regionkit chose is a regionkit bug\n`);
        return EXIT_INVALID;
      }
      return EXIT_OK;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
