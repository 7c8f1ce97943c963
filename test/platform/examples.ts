/**
 * Every example region synthesized into one app, as the secret scan and the platform tests read them: the
 * regions/ examples through addRegionStacks, and the Kubernetes example drafts (test/fixtures/k8s-drafts) as
 * platform stacks on a test infra stack (test/platform/test-infra.ts) until RegionStack builds Kubernetes
 * regions and exposes their access; then the lead wires them through addPlatformStacks.
 */
import path from 'node:path';

import { App, type TerraformStack } from 'cdktf';

import { loadRegionFiles } from '../../lib/spec/load.js';
import { PlatformStack, platformStackName } from '../../stacks/platform-stack.js';
import { addRegionStacks } from '../../stacks/region-app.js';
import { infraStackName } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES, K8S_EXAMPLE_FILES } from '../helpers.js';

import { platformProps, testInfraStack } from './test-infra.js';

/**
 * The Kubernetes examples: the ACK one in regions/, the kubeadm one still a draft (test/fixtures/k8s-drafts) until
 * RegionStack builds kubeadm clusters.
 */
export const K8S_DRAFT_FILES = [
  ...K8S_EXAMPLE_FILES,
  path.resolve(import.meta.dirname, '..', 'fixtures', 'k8s-drafts', 'example-openstack-k8s.yaml'),
];

/** Every example's stacks in a new app (synthesized into `outdir` by `app.synth()`). */
export async function exampleStacks(outdir: string): Promise<{ app: App; stacks: TerraformStack[] }> {
  const app = new App({ outdir, skipValidation: true });
  const mesos = await loadRegionFiles(EXAMPLE_FILES);
  const stacks: TerraformStack[] = addRegionStacks(
    app,
    mesos.map((l) => l.spec),
  );
  for (const { spec } of await loadRegionFiles(K8S_DRAFT_FILES)) {
    const infra = testInfraStack(app, infraStackName(spec.name));
    stacks.push(infra.stack, new PlatformStack(app, platformStackName(spec.name), platformProps(spec, infra)));
  }
  return { app, stacks };
}
