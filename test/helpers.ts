/**
 * Test fixtures: a stack with a cloud adapter, a network, the example region files.
 */
import path from 'node:path';

import { type App, TerraformStack, Testing } from 'cdktf';

import { Network } from '../constructs/network/network.js';
import { createCloud } from '../lib/cloud/create-cloud.js';
import type { CloudKind, ICloud } from '../lib/cloud/types.js';
import { PACKAGE_ROOT } from '../lib/providers/paths.js';
import { resolveRegionSpec } from '../lib/spec/load.js';
import type { RegionSpecInput } from '../lib/spec/region-spec.js';

export const CLOUDS: CloudKind[] = ['alicloud', 'openstack'];
export const EXAMPLE_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILgOiVB+dvIiGhivlk1x7pTALz6I4O+2WxgCUcAjqq/R ops@example';
/** The bundled Mesos example regions. */
export const EXAMPLE_FILES = ['example-alicloud.yaml', 'example-openstack.yaml'].map((f) =>
  path.join(PACKAGE_ROOT, 'regions', f),
);
/** The bundled Kubernetes example regions (synthesized by `regionkit synth` with the Mesos ones). */
export const K8S_EXAMPLE_FILES = ['example-alicloud-k8s.yaml', 'example-openstack-k8s.yaml'].map((f) =>
  path.join(PACKAGE_ROOT, 'regions', f),
);
/** A managed Kubernetes region on OpenStack (Magnum): a test fixture, not an example. */
export const MAGNUM_FIXTURE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'k8s-managed', 'openstack-magnum.yaml');
/** A kubeadm Kubernetes region on Alibaba Cloud: a test fixture, not an example. */
export const ALICLOUD_KUBEADM_FIXTURE = path.join(
  PACKAGE_ROOT,
  'test',
  'fixtures',
  'k8s-kubeadm',
  'alicloud-kubeadm.yaml',
);

/** The smallest valid region on `cloud`, with overrides. */
export function minimalSpec(cloud: CloudKind, overrides: Partial<RegionSpecInput> = {}): RegionSpecInput {
  return {
    name: 'test',
    cloud,
    ...(cloud === 'alicloud' ? { alicloud: { region: 'cn-hangzhou' } } : { openstack: {} }),
    zones: ['zone-a', 'zone-b', 'zone-c'],
    admin: { sshKeys: [EXAMPLE_KEY] },
    hostGroups: [{ name: 'worker' }],
    ...overrides,
  };
}

export interface TestStack {
  readonly stack: TerraformStack;
  readonly cloud: ICloud;
}

/** An empty stack with the provider of `cloud` configured. */
export function testStack(cloud: CloudKind): TestStack {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, 'test');
  return { stack, cloud: createCloud(stack, resolveRegionSpec(minimalSpec(cloud))) };
}

/** A three-zone network 10.0.0.0/16 in `t`. */
export function testNetwork(t: TestStack, zones: number | string[] = ['zone-a', 'zone-b', 'zone-c']): Network {
  return new Network(t.stack, 'Network', { cloud: t.cloud, regionName: 'test', cidr: '10.0.0.0/16', zones });
}

/** Synthesized stack as an object. */
export function synthJson(
  stack: TerraformStack,
): Record<string, Record<string, Record<string, Record<string, unknown>>>> {
  return JSON.parse(Testing.synth(stack)) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
}

/** The resources of one type, in synthesized order. */
export function resourcesOf(stack: TerraformStack, type: string): Record<string, unknown>[] {
  return Object.values(synthJson(stack).resource?.[type] ?? {});
}

/** Fails the test with every schema problem of the synthesized stack. */
export async function conformanceProblems(stack: TerraformStack): Promise<string[]> {
  const { checkStack, formatProblem } = await import('../lib/providers/conformance.js');
  return checkStack(synthJson(stack) as never).map(formatProblem);
}
