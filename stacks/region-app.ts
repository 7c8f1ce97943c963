/**
 * Puts the stacks of one or more regions into a cdktf app. Shared by the CLI and `bin/app.ts` (the app
 * `cdktf synth` runs), so both produce the same stacks.
 */
import type { App } from 'cdktf';

import type { RegionSpec } from '../lib/spec/region-spec.js';

import { infraStackName, RegionStack } from './region-stack.js';

/**
 * Adds `<region>-infra` for every spec, in order. With a local backend each stack keeps its state in
 * `terraform.<stack>.tfstate` inside its own directory, so the output is the same wherever it is written.
 */
export function addRegionStacks(app: App, specs: readonly RegionSpec[]): RegionStack[] {
  return specs.map((spec) => new RegionStack(app, infraStackName(spec.name), { spec }));
}
