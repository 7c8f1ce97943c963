/**
 * The infra stack's outputs are an interface (docs/outputs.md): the exact set of names per example, each with a
 * description, names that do not change when a group grows or shrinks, and the values that are known at synth.
 */
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { loadRegionFile } from '../../lib/spec/load.js';
import type { RegionSpec } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES, synthJson } from '../helpers.js';

type Outputs = Record<string, { value?: unknown; description?: unknown }>;

const GROUP_OUTPUTS = ['instance_ids', 'private_ips', 'security_group_id', 'virtual_ips'];
const groupOutputs = (group: string) => GROUP_OUTPUTS.map((o) => `host_group_${group}_${o}`);

/** Both examples have the same shape: bastion, control, worker, edge and one public load balancer. */
const EXAMPLE_OUTPUTS = [
  'bastion_addresses',
  ...groupOutputs('bastion'),
  ...groupOutputs('control'),
  ...groupOutputs('edge'),
  ...groupOutputs('worker'),
  'load_balancer_public_address',
  'load_balancer_public_id',
  'network_id',
  'subnet_ids',
  'zone_names',
].sort();

async function outputsOf(file: string, change: (spec: RegionSpec) => RegionSpec = (s) => s): Promise<Outputs> {
  const { spec } = await loadRegionFile(file);
  return synthJson(new RegionStack(Testing.app(), `${spec.name}-infra`, { spec: change(spec) })).output as Outputs;
}

function resize(spec: RegionSpec, group: string, by: number): RegionSpec {
  return {
    ...spec,
    hostGroups: spec.hostGroups.map((g) => (g.name === group ? { ...g, count: g.count + by } : g)),
  };
}

describe.each(EXAMPLE_FILES.map((f) => [path.basename(f, '.yaml'), f]))('%s outputs', (name, file) => {
  test('are exactly the documented set, each with a description', async () => {
    const outputs = await outputsOf(file);
    expect(Object.keys(outputs).sort()).toEqual(EXAMPLE_OUTPUTS);
    for (const [key, output] of Object.entries(outputs)) {
      expect(output.description, key).toMatch(/^[a-z].{10,}/);
      expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  test.each([
    ['worker grows by one', 'worker', 1],
    ['worker shrinks by one', 'worker', -1],
    ['worker grows by four (a second host per zone)', 'worker', 4],
    ['bastion grows by one', 'bastion', 1],
  ] as const)('names do not change when %s', async (_case, group, by) => {
    const outputs = await outputsOf(file, (spec) => resize(spec, group, by));
    expect(Object.keys(outputs).sort()).toEqual(EXAMPLE_OUTPUTS);
    const before = await outputsOf(file);
    const count = (before[`host_group_${group}_private_ips`]!.value as string[]).length;
    expect(outputs[`host_group_${group}_private_ips`]!.value).toHaveLength(count + by);
    expect(outputs[`host_group_${group}_instance_ids`]!.value).toHaveLength(count + by);
  });

  test('a group and a load balancer added in code add exactly their own outputs', async () => {
    const { spec } = await loadRegionFile(file);
    const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
    stack.addHostGroup({ name: 'batch-jobs', count: 2 });
    stack.addLoadBalancer({ name: 'jobs-api', backends: 'batch-jobs', listeners: [{ port: 8080 }] });
    const names = Object.keys(synthJson(stack).output as Outputs).sort();
    expect(names).toEqual(
      [
        ...EXAMPLE_OUTPUTS,
        ...groupOutputs('batch_jobs'),
        'load_balancer_jobs_api_address',
        'load_balancer_jobs_api_id',
      ].sort(),
    );
  });

  test('values: subnets and zones per zone, addresses and ids per host, the keepalived virtual IP', async () => {
    const outputs = await outputsOf(file);
    const value = (key: string) => outputs[key]!.value;
    const cloud = name === 'example-alicloud' ? 'alicloud' : 'openstack';
    expect(value('subnet_ids')).toHaveLength(3);
    expect(value('zone_names')).toHaveLength(3);
    expect(value('network_id')).toMatch(
      cloud === 'alicloud' ? /^\$\{alicloud_vpc\.\w+\.id\}$/ : /^\$\{openstack_networking_network_v2\.\w+\.id\}$/,
    );
    expect(value('host_group_control_security_group_id')).toMatch(
      cloud === 'alicloud'
        ? /^\$\{alicloud_security_group\.\w+\.id\}$/
        : /^\$\{openstack_networking_secgroup_v2\.\w+\.id\}$/,
    );
    const instance = cloud === 'alicloud' ? 'alicloud_instance' : 'openstack_compute_instance_v2';
    expect(value('host_group_worker_instance_ids')).toEqual(
      [1, 2, 3].map((n) =>
        expect.stringMatching(new RegExp(`^\\$\\{${instance}\\.HostGroups_Worker_Host${n}_\\w+\\.id\\}$`)),
      ),
    );
    if (cloud === 'alicloud') {
      expect(value('host_group_worker_private_ips')).toEqual(['10.20.0.80', '10.20.16.80', '10.20.32.80']);
      expect(value('host_group_edge_virtual_ips')).toEqual([]);
    } else {
      expect(value('zone_names')).toEqual(['az1', 'az2', 'az3']);
      expect(value('host_group_worker_private_ips')).toEqual(['10.30.0.80', '10.30.16.80', '10.30.32.80']);
      // the edge pair's keepalived address: the first infrastructure address of zone 1
      expect(value('host_group_edge_virtual_ips')).toEqual(['10.30.0.2']);
    }
    for (const group of ['bastion', 'control', 'worker']) expect(value(`host_group_${group}_virtual_ips`)).toEqual([]);
  });
});
