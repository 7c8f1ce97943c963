/**
 * Puts the stacks of one or more regions into a cdktf app. Shared by the CLI and `bin/app.ts` (the app
 * `cdktf synth` runs), so both produce the same stacks.
 */
import path from 'node:path';

import type { App } from 'cdktf';

import type { RegionSpec } from '../lib/spec/region-spec.js';

import { infraStackName, RegionStack } from './region-stack.js';

export interface RegionAppOptions {
  /**
   * Directory the stacks will finally live in (`<outdir>/stacks/<stack>`) and the project directory holding
   * local state files; only their relative position is used, so output stays machine-independent.
   * @default - `cdktf.out` inside the project directory
   */
  readonly outdir?: string;
  readonly projectDir?: string;
}

/** Adds `<region>-infra` for every spec, in order. */
export function addRegionStacks(app: App, specs: readonly RegionSpec[], options: RegionAppOptions = {}): RegionStack[] {
  const projectDir = path.resolve(options.projectDir ?? '.');
  const outdir = path.resolve(projectDir, options.outdir ?? 'cdktf.out');
  return specs.map((spec) => {
    const id = infraStackName(spec.name);
    const stackDir = path.join(outdir, 'stacks', id);
    const localStatePath = path
      .relative(stackDir, path.join(projectDir, `terraform.${id}.tfstate`))
      .split(path.sep)
      .join('/');
    return new RegionStack(app, id, { spec, localStatePath });
  });
}
