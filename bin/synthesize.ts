/**
 * Loads region files and synthesizes their stacks into a directory; shared by `synth` and `validate`.
 */
import path from 'node:path';

import { SpecError, SpecValidationError, type SpecIssue } from '../lib/errors.js';
import {
  combineSpecErrors,
  loadRegionFiles,
  loadRegionFilesSettled,
  regionFilesIn,
  type LoadedSpec,
} from '../lib/spec/load.js';
import type { RegionSpec } from '../lib/spec/region-spec.js';

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

/** The valid specs among `files` and the spec errors of the others; {@link synthesizeInto} reports both. */
export async function loadSettled(
  files: readonly string[],
  io: Io,
): Promise<{ loaded: LoadedSpec[]; errors: SpecError[] }> {
  return loadRegionFilesSettled(await resolveRegionFiles(files, io), io.cwd);
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
 * the stack directory), so staging and publishing elsewhere give the same bytes. Every region's stacks are
 * built even when an earlier one fails; the problems the constructs find (oversized user data, say) are
 * reported with `earlier` (the files that did not load), all together, each as `<file>: <field>: <problem>`.
 */
export async function synthesizeInto(
  loaded: readonly LoadedSpec[],
  dir: string,
  io: Io,
  quiet?: boolean,
  earlier: readonly SpecError[] = [],
): Promise<SynthesizedStack[]> {
  const [{ App }, { addRegionStacks }, { specFieldOf }] = await Promise.all([
    import('cdktf'),
    import('../stacks/region-app.js'),
    import('../stacks/region-stack.js'),
  ]);
  const app = new App({ outdir: dir });
  const errors = [...earlier];
  const stacks = loaded.flatMap(({ source, spec }, i) => {
    progress(io, quiet, `build ${spec.name} (${i + 1}/${loaded.length})`);
    try {
      return addRegionStacks(app, [spec]).map((stack) => ({ stack, source }));
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      const issues = constructIssues(err, spec, (p) => specFieldOf(spec, p));
      errors.push(new SpecError(new SpecValidationError(source, issues).message, { hint: err.hint }));
      return [];
    }
  });
  if (errors.length > 0) throw combineSpecErrors(errors);
  stacks.forEach(({ stack }, i) => progress(io, quiet, `synth ${stack.node.id} (${i + 1}/${stacks.length})`));
  app.synth();
  return stacks.map(({ stack, source }) => ({
    name: stack.node.id,
    region: stack.spec.name,
    regionFile: path.resolve(io.cwd, source),
    relativeDir: path.join('stacks', stack.node.id),
  }));
}

/**
 * A construct's `SpecError` as region-file issues: each line `<construct path>: <problem>` becomes
 * `<field>: <problem>`, the field found by `fieldOf`; lines without a construct path are the region's.
 */
function constructIssues(err: SpecError, spec: RegionSpec, fieldOf: (constructPath: string) => string): SpecIssue[] {
  return err.message.split('\n').map((line) => {
    const match = /^(\S+?): (.*)$/.exec(line);
    const constructPath = match?.[1];
    if (!match || !constructPath || !constructPath.startsWith(`${spec.name}-`)) return { path: '', message: line };
    return { path: fieldOf(constructPath), message: match[2]! };
  });
}
