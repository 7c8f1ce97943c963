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

test('alicloud instances with inline data disks are listed as stateful, the others are not', async () => {
  const json = (await exampleJson(EXAMPLE_FILES[0]!)) as {
    resource: { alicloud_instance: Record<string, { data_disks?: unknown[] }> };
  };
  const stateful = statefulAddresses(json);
  const withDisks = Object.entries(json.resource.alicloud_instance)
    .filter(([, i]) => (i.data_disks ?? []).length > 0)
    .map(([name]) => `alicloud_instance.${name}`);
  expect(withDisks.length).toBeGreaterThan(0);
  expect([...stateful.keys()].sort()).toEqual(withDisks.sort());
});
