import { App, type TerraformStack } from 'cdktf';
import { expect, test } from 'vitest';

import { loadRegionFile } from '../../lib/spec/load.js';
import { statefulAddresses } from '../../lib/stateful.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES } from '../helpers.js';

async function exampleJson(file: string): Promise<unknown> {
  const { spec } = await loadRegionFile(file);
  const stack: TerraformStack = new RegionStack(new App({ skipValidation: true }), `${spec.name}-infra`, { spec });
  return stack.toTerraform();
}

test('openstack data volumes are listed as stateful in the stack JSON', async () => {
  const stateful = statefulAddresses(await exampleJson(EXAMPLE_FILES[1]!));
  expect(stateful.size).toBeGreaterThan(0);
  for (const [address, why] of stateful) {
    expect(address).toMatch(/^openstack_blockstorage_volume_v3\./);
    expect(why).toMatch(/^data disk \d of /);
  }
});

test('alicloud data disks are their own resources, listed as stateful and protected from destroy', async () => {
  const json = (await exampleJson(EXAMPLE_FILES[0]!)) as {
    resource: {
      alicloud_instance: Record<string, { data_disks?: unknown[] }>;
      alicloud_ecs_disk: Record<string, { lifecycle?: { prevent_destroy?: boolean } }>;
    };
  };
  const stateful = statefulAddresses(json);
  const disks = Object.keys(json.resource.alicloud_ecs_disk).map((name) => `alicloud_ecs_disk.${name}`);
  expect(disks.length).toBe(3);
  expect([...stateful.keys()].sort()).toEqual(disks.sort());
  for (const disk of Object.values(json.resource.alicloud_ecs_disk)) expect(disk.lifecycle?.prevent_destroy).toBe(true);
  // no instance carries a disk that would go with it
  for (const instance of Object.values(json.resource.alicloud_instance)) expect(instance.data_disks).toBeUndefined();
});

test('openstack data volumes are protected from destroy', async () => {
  const json = (await exampleJson(EXAMPLE_FILES[1]!)) as {
    resource: { openstack_blockstorage_volume_v3: Record<string, { lifecycle?: { prevent_destroy?: boolean } }> };
  };
  const volumes = Object.values(json.resource.openstack_blockstorage_volume_v3);
  expect(volumes.length).toBe(3);
  for (const v of volumes) expect(v.lifecycle?.prevent_destroy).toBe(true);
});
