/**
 * `regionkit synth [files...]`: region files -> `<out>/stacks/<region>-infra/cdk.tf.json`, atomically.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';

import type { Io } from '../io.js';
import { progress } from '../io.js';
import type { GlobalOptions } from '../options.js';
import { createStaging, publishStacks } from '../output-dir.js';
import { checkOutputDir } from '../output-path.js';
import { loadAll, synthesizeInto } from '../synthesize.js';

export interface SynthOptions extends GlobalOptions {
  readonly out: string;
}

export async function run(files: readonly string[], opts: SynthOptions, io: Io): Promise<number> {
  const outdir = path.resolve(io.cwd, opts.out);
  await checkOutputDir(outdir, opts.out);
  const loaded = await loadAll(files, io);
  const staging = await createStaging(outdir);
  let stacks;
  try {
    stacks = await synthesizeInto(loaded, staging, outdir, io, opts.quiet);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  await publishStacks(
    staging,
    outdir,
    stacks.map((s) => s.name),
  );
  for (const stack of stacks) {
    io.out(`${path.relative(io.cwd, path.join(outdir, stack.relativeDir, 'cdk.tf.json'))}\n`);
  }
  progress(io, opts.quiet, `synthesized ${stacks.length} stack${stacks.length === 1 ? '' : 's'} into ${opts.out}`);
  return 0;
}
