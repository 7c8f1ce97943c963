/**
 * Puts the stacks of one or more regions into a cdktf app. Shared by the CLI and `bin/app.ts` (the app
 * `cdktf synth` runs), so both produce the same stacks.
 */
import type { App } from 'cdktf';

import type { RegionSpec } from '../lib/spec/region-spec.js';

import { PlatformStack, platformStackName, type PlatformStackProps } from './platform-stack.js';
import { infraStackName, RegionStack } from './region-stack.js';

/** A stack {@link addRegionStacks} adds: a region's `-infra` or, for a Kubernetes region, its `-platform`. */
export type RegionAppStack = RegionStack | PlatformStack;

/**
 * Adds every spec's stacks, in order: `<region>-infra`, then for a Kubernetes region `<region>-platform`,
 * configured from the infra stack's cluster access through cross-stack references (so it depends on the infra
 * stack, and `cdktf deploy '<region>-*'` and `regionkit deploy` apply it second). With a local backend each
 * stack keeps its state in `terraform.<stack>.tfstate` inside its own directory, so the output is the same
 * wherever it is written.
 * @returns the stacks in that order; `stack instanceof RegionStack` tells infra from platform
 */
export function addRegionStacks(app: App, specs: readonly RegionSpec[]): RegionAppStack[] {
  return specs.flatMap((spec) => {
    const infra = new RegionStack(app, infraStackName(spec.name), { spec });
    return [infra, ...addPlatformStacks(app, [infra], (stack) => clusterInputs(stack))];
  });
}

/** What a platform stack takes from a cluster: its access, and a kubeadm cluster's cloud integration. */
export type PlatformClusterInputs = Pick<PlatformStackProps, 'access' | 'cloudIntegration'>;

/** The platform inputs of `infra`'s own cluster; undefined when it has no Kubernetes cluster. */
function clusterInputs(infra: RegionStack): PlatformClusterInputs | undefined {
  const cluster = infra.kubernetes;
  if (!cluster) return undefined;
  const cloudIntegration = cluster.kubeadm?.cloudIntegration;
  return { access: cluster.access, ...(cloudIntegration ? { cloudIntegration } : {}) };
}

/** The `-infra` stacks among `stacks` (what {@link addRegionStacks} returned). */
export function infraStacks(stacks: readonly RegionAppStack[]): RegionStack[] {
  return stacks.filter((s): s is RegionStack => s instanceof RegionStack);
}

/**
 * Adds `<region>-platform` for every Kubernetes region among `infra`, configured from the inputs `inputsOf`
 * returns for its infra stack: the cluster's access and, for a kubeadm cluster, its cloud integration (tokens of
 * that stack: the platform stack then depends on it, so it is planned and applied after it). A region for which
 * `inputsOf` returns undefined gets no platform stack. {@link addRegionStacks} calls it with each infra stack's
 * own cluster; call it yourself for infra stacks built another way (an existing cluster's access, say).
 * @throws Error from PlatformStack when a kubeadm cluster on OpenStack comes without its cloud integration
 */
export function addPlatformStacks(
  app: App,
  infra: readonly RegionStack[],
  inputsOf: (infra: RegionStack) => PlatformClusterInputs | undefined,
): PlatformStack[] {
  return infra.flatMap((stack) => {
    if (stack.spec.cluster?.kind !== 'kubernetes') return [];
    const inputs = inputsOf(stack);
    return inputs ? [new PlatformStack(app, platformStackName(stack.spec.name), { spec: stack.spec, ...inputs })] : [];
  });
}
