/**
 * Loads region files and synthesizes their stacks into a directory; shared by `synth` and `validate`.
 */
import path from 'node:path';

import { SpecError } from '../lib/errors.js';
import { loadRegionFiles, regionFilesIn, type LoadedSpec } from '../lib/spec/load.js';

import { progress, type Io } from './io.js';

/** The region files named on the command line, or every file in `regions/`. */
export async function resolveRegionFiles(files: readonly string[], io: Io): Promise<string[]> {
  if (files.length > 0) return files.map((f) => path.resolve(io.cwd, f));
  const found = await regionFilesIn(path.join(io.cwd, 'regions'));
  if (found.length === 0) {
    throw new SpecError('no region files given and none found in regions/', {
      hint: 'pass region files, e.g. regionkit synth regions/example-alicloud.yaml',
    });
  }
  return found;
}

/** Loads and validates every file (all problems reported together). */
export async function loadAll(files: readonly string[], io: Io): Promise<LoadedSpec[]> {
  return loadRegionFiles(await resolveRegionFiles(files, io), io.cwd);
}

export interface SynthesizedStack {
  readonly name: string;
  readonly region: string;
  /** Directory of the stack inside the directory synthesized into. */
  readonly relativeDir: string;
}

/**
 * Synthesizes `loaded` into `dir`. `finalOutdir` is where the stacks will be published: local state paths
 * are computed relative to it, so the staging location never leaks into the output.
 */
export async function synthesizeInto(
  loaded: readonly LoadedSpec[],
  dir: string,
  finalOutdir: string,
  io: Io,
  quiet?: boolean,
): Promise<SynthesizedStack[]> {
  const [{ App }, { addRegionStacks }] = await Promise.all([import('cdktf'), import('../stacks/region-app.js')]);
  const app = new App({ outdir: dir });
  const stacks = addRegionStacks(
    app,
    loaded.map((l) => l.spec),
    { outdir: finalOutdir, projectDir: io.cwd },
  );
  stacks.forEach((stack, i) => progress(io, quiet, `synth ${stack.node.id} (${i + 1}/${stacks.length})`));
  app.synth();
  return stacks.map((stack) => ({
    name: stack.node.id,
    region: stack.spec.name,
    relativeDir: path.join('stacks', stack.node.id),
  }));
}
