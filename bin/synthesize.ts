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

/** A stack synthesized by {@link synthesizeInto}. */
export interface SynthesizedStack {
  readonly name: string;
  readonly region: string;
  /** Absolute path of the region file it came from. */
  readonly regionFile: string;
  /** Directory of the stack inside the directory synthesized into. */
  readonly relativeDir: string;
}

/**
 * Synthesizes `loaded` into `dir`. Nothing in the output depends on `dir` (local state paths are relative to
 * the stack directory), so staging and publishing elsewhere give the same bytes.
 */
export async function synthesizeInto(
  loaded: readonly LoadedSpec[],
  dir: string,
  io: Io,
  quiet?: boolean,
): Promise<SynthesizedStack[]> {
  const [{ App }, { addRegionStacks }] = await Promise.all([import('cdktf'), import('../stacks/region-app.js')]);
  const app = new App({ outdir: dir });
  const stacks = addRegionStacks(
    app,
    loaded.map((l) => l.spec),
  );
  stacks.forEach((stack, i) => progress(io, quiet, `synth ${stack.node.id} (${i + 1}/${stacks.length})`));
  app.synth();
  return stacks.map((stack, i) => ({
    name: stack.node.id,
    region: stack.spec.name,
    regionFile: path.resolve(io.cwd, loaded[i]!.source),
    relativeDir: path.join('stacks', stack.node.id),
  }));
}
