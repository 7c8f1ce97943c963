/**
 * Puts the stacks of one or more regions into a cdktf app. Shared by the CLI and `bin/app.ts` (the app
 * `cdktf synth` runs), so both produce the same stacks.
 */
import type { App } from 'cdktf';

import type { KubernetesAccess } from '../constructs/cluster/kubernetes-access.js';
import type { RegionSpec } from '../lib/spec/region-spec.js';

import { PlatformStack, platformStackName } from './platform-stack.js';
import { infraStackName, RegionStack } from './region-stack.js';

/**
 * Adds `<region>-infra` for every spec, in order. With a local backend each stack keeps its state in
 * `terraform.<stack>.tfstate` inside its own directory, so the output is the same wherever it is written.
 */
export function addRegionStacks(app: App, specs: readonly RegionSpec[]): RegionStack[] {
  return specs.map((spec) => new RegionStack(app, infraStackName(spec.name), { spec }));
}

/**
 * Adds `<region>-platform` for every Kubernetes region among `infra`, configured from the access `accessOf`
 * returns for its infra stack (tokens of that stack: the platform stack then depends on it, so it is planned and
 * applied after it). A region for which `accessOf` returns undefined gets no platform stack.
 */
export function addPlatformStacks(
  app: App,
  infra: readonly RegionStack[],
  accessOf: (infra: RegionStack) => KubernetesAccess | undefined,
): PlatformStack[] {
  return infra.flatMap((stack) => {
    if (stack.spec.cluster?.kind !== 'kubernetes') return [];
    const access = accessOf(stack);
    return access ? [new PlatformStack(app, platformStackName(stack.spec.name), { spec: stack.spec, access })] : [];
  });
}
