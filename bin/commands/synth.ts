/**
 * `regionkit synth [files...]`: region files -> `<out>/stacks/<region>-infra/cdk.tf.json`, atomically. Stacks
 * regionkit made earlier from region files that are gone are reported, and removed with `--prune`.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';

import { displayPath, progress, type Io } from '../io.js';
import { EXIT_OK, plural, type GlobalOptions } from '../options.js';
import { createStaging, publishStacks, pruneStacks, staleStacks } from '../output-dir.js';
import { checkOutputDir } from '../output-path.js';
import { loadSettled, synthesizeInto } from '../synthesize.js';

/** Options of `regionkit synth`. */
export interface SynthOptions extends GlobalOptions {
  /** Output directory, as given. */
  readonly out: string;
  /** Remove stale stacks (their region file is gone) instead of only reporting them. @default false */
  readonly prune?: boolean;
}

/** Synthesizes `files` (all of `regions/` when empty) into `opts.out`; prints each stack's file on stdout. */
export async function run(files: readonly string[], opts: SynthOptions, io: Io): Promise<number> {
  const outdir = path.resolve(io.cwd, opts.out);
  await checkOutputDir(outdir, opts.out);
  const { loaded, errors } = await loadSettled(files, io);
  const staging = await createStaging(outdir);
  let stacks;
  try {
    stacks = await synthesizeInto(loaded, staging, io, opts.quiet, errors);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  await publishStacks(staging, outdir, stacks);
  for (const stack of stacks) io.out(`${displayPath(io, path.join(outdir, stack.relativeDir, 'cdk.tf.json'))}\n`);
  progress(io, opts.quiet, `synthesized ${plural(stacks.length, 'stack')} into ${displayPath(io, outdir)}`);

  const stale = await staleStacks(
    outdir,
    stacks.map((s) => s.regionFile),
    stacks.map((s) => s.name),
  );
  if (opts.prune && stale.length > 0) {
    const kept = await pruneStacks(
      outdir,
      stale.map((s) => s.name),
    );
    for (const { name } of stale) {
      io.err(
        kept.includes(name)
          ? `stale stack: ${name} kept: its directory holds Terraform state; destroy it first, then remove it by hand\n`
          : `pruned stale stack: ${name}\n`,
      );
    }
  } else {
    for (const { name, reason } of stale) io.err(`stale stack: ${name} (${reason}); remove with --prune\n`);
  }
  return EXIT_OK;
}
