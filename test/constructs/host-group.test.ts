import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { HostGroup } from '../../constructs/compute/host-group.js';
import { Common } from '../../constructs/roles/common.js';
import type { IHostRole } from '../../constructs/roles/host-role.js';
import { EcsAutoSnapshotPolicy } from '../../lib/gen/alicloud/ecs-auto-snapshot-policy/index.js';
import { EcsAutoSnapshotPolicyAttachment } from '../../lib/gen/alicloud/ecs-auto-snapshot-policy-attachment/index.js';
import { EcsDisk } from '../../lib/gen/alicloud/ecs-disk/index.js';
import { EcsDiskAttachment } from '../../lib/gen/alicloud/ecs-disk-attachment/index.js';
import { Instance } from '../../lib/gen/alicloud/instance/index.js';
import { BlockstorageVolumeV3 } from '../../lib/gen/openstack/blockstorage-volume-v3/index.js';
import { ComputeInstanceV2 } from '../../lib/gen/openstack/compute-instance-v2/index.js';
import { ComputeServergroupV2 } from '../../lib/gen/openstack/compute-servergroup-v2/index.js';
import { NetworkingPortV2 } from '../../lib/gen/openstack/networking-port-v2/index.js';
import { terraformString } from '../checkers/artifacts.js';
import { CLOUDS, conformanceProblems, EXAMPLE_KEY, resourcesOf, testNetwork, testStack } from '../helpers.js';

/** A role writing what a test needs into every host's cloud-config. */
function inlineRole(roleName: string, configure: IHostRole['configure'], extra: Partial<IHostRole> = {}): IHostRole {
  return { roleName, requires: [], ports: [], secrets: [], configure, ...extra };
}

/** The decoded user data of every host, in host order. */
function userData(stack: Parameters<typeof resourcesOf>[0], cloud: string): string[] {
  const type = cloud === 'alicloud' ? Instance.tfResourceType : ComputeInstanceV2.tfResourceType;
  return resourcesOf(stack, type).map((r) => {
    // user data is Terraform's base64gzip() of the plain text on both clouds; read back the text
    return terraformString(r.user_data as string);
  });
}

describe.each(CLOUDS)('HostGroup on %s', (cloud) => {
  test('minimal definition', async () => {
    const t = testStack(cloud);
    new HostGroup(t.stack, 'Workers', { network: testNetwork(t), name: 'worker' });
    expect(Testing.synth(t.stack)).toMatchSnapshot();
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });

  test('spreads hosts round-robin over zones with deterministic addresses', () => {
    const t = testStack(cloud);
    const network = testNetwork(t);
    new HostGroup(t.stack, 'Control', { network, name: 'control', count: 1 });
    const workers = new HostGroup(t.stack, 'Workers', { network, name: 'worker', count: 5 });
    expect(workers.hosts.map((h) => [h.name, h.zoneIndex, h.privateIp])).toEqual([
      ['test-worker-1', 0, '10.0.0.48'],
      ['test-worker-2', 1, '10.0.16.48'],
      ['test-worker-3', 2, '10.0.32.48'],
      ['test-worker-4', 0, '10.0.0.49'],
      ['test-worker-5', 1, '10.0.16.49'],
    ]);
  });

  test('zoneSpread keeps a group in the first zones', () => {
    const t = testStack(cloud);
    const group = new HostGroup(t.stack, 'Db', { network: testNetwork(t), name: 'db', count: 3, zoneSpread: 1 });
    expect(group.hosts.map((h) => h.zoneIndex)).toEqual([0, 0, 0]);
  });

  test('renders a first-boot cloud-config per host with host name and admin user', () => {
    const t = testStack(cloud);
    new HostGroup(t.stack, 'Workers', {
      network: testNetwork(t),
      name: 'worker',
      count: 2,
      roles: [new Common(t.stack, 'Common', { adminUser: 'ops', sshKeys: [EXAMPLE_KEY] })],
    });
    const docs = userData(t.stack, cloud);
    expect(docs).toHaveLength(2);
    expect(docs[0]!.startsWith('#cloud-config\n')).toBe(true);
    expect(parse(docs[1]!)).toMatchObject({
      hostname: 'test-worker-2',
      ssh_pwauth: false,
      users: [{ name: 'ops', ssh_authorized_keys: [EXAMPLE_KEY], sudo: 'ALL=(ALL) NOPASSWD:ALL' }],
    });
  });

  test('fails if count is zero', () => {
    const t = testStack(cloud);
    expect(() => new HostGroup(t.stack, 'Workers', { network: testNetwork(t), name: 'worker', count: 0 })).toThrow(
      'test/Workers: count must be an integer between 1 and 100, got 0',
    );
  });

  test('fails if count exceeds the address blocks of its zones', () => {
    const t = testStack(cloud);
    expect(
      () => new HostGroup(t.stack, 'Workers', { network: testNetwork(t), name: 'worker', count: 40, zoneSpread: 1 }),
    ).toThrow('test/Workers: count must be at most 32 (32 per zone x 1 zones), got 40');
  });

  test('fails if zoneSpread exceeds the zones', () => {
    const t = testStack(cloud);
    expect(() => new HostGroup(t.stack, 'W', { network: testNetwork(t), name: 'w', zoneSpread: 4 })).toThrow(
      'test/W: zoneSpread must be an integer between 1 and 3, got 4',
    );
  });

  test('fails if the system disk is too small', () => {
    const t = testStack(cloud);
    expect(() => new HostGroup(t.stack, 'W', { network: testNetwork(t), name: 'w', systemDiskSizeGiB: 8 })).toThrow(
      'test/W: systemDiskSizeGiB must be an integer between 20 and 2048, got 8',
    );
  });
});

describe('HostGroup on alicloud', () => {
  test('passes instance type, disks and fixed address through', () => {
    const t = testStack('alicloud');
    new HostGroup(t.stack, 'Workers', {
      network: testNetwork(t),
      name: 'worker',
      instanceType: 'ecs.g7.xlarge',
      systemDiskSizeGiB: 80,
      dataDisks: [{ sizeGiB: 200, type: 'cloud_essd' }],
    });
    expect(Testing.synth(t.stack)).toHaveResourceWithProperties(Instance, {
      instance_type: 'ecs.g7.xlarge',
      system_disk_size: 80,
      system_disk_category: 'cloud_essd',
      private_ip: '10.0.0.16',
      internet_max_bandwidth_out: 0,
      deletion_protection: '${var.deletion_protection}',
      lifecycle: { ignore_changes: ['image_id', 'user_data', 'deployment_set_id', 'data_disks'] },
    });
    const synthesized = Testing.synth(t.stack);
    // the data disk is its own resource, kept when the instance goes, attached again to a replacement
    expect(synthesized).toHaveResourceWithProperties(EcsDisk, {
      disk_name: 'test-worker-1-data-1',
      size: 200,
      category: 'cloud_essd',
      delete_auto_snapshot: false,
      lifecycle: { prevent_destroy: true },
    });
    const attachments = resourcesOf(t.stack, EcsDiskAttachment.tfResourceType);
    expect(attachments).toEqual([
      {
        delete_with_instance: false,
        disk_id: expect.stringMatching(/^\$\{alicloud_ecs_disk\.Workers_Host1_DataDisk1_[0-9A-F]{8}\.id\}$/),
        instance_id: expect.stringMatching(/^\$\{alicloud_instance\.Workers_Host1_[0-9A-F]{8}\.id\}$/),
      },
    ]);
    expect(synthesized).toHaveResourceWithProperties(EcsAutoSnapshotPolicyAttachment, {
      auto_snapshot_policy_id: '${alicloud_ecs_auto_snapshot_policy.DataDiskSnapshots.id}',
    });
    expect(synthesized).toHaveResourceWithProperties(EcsAutoSnapshotPolicy, {
      retention_days: 7,
      time_points: ['3'],
      repeat_weekdays: ['1', '2', '3', '4', '5', '6', '7'],
    });
    const json = JSON.parse(synthesized) as { resource: { alicloud_instance: Record<string, object> } };
    for (const instance of Object.values(json.resource.alicloud_instance))
      expect(instance).not.toHaveProperty('data_disks');
  });

  test('spreads a group over physical servers: one deployment set, Availability strategy, at most 20 per zone', () => {
    const t = testStack('alicloud');
    new HostGroup(t.stack, 'Edge', { network: testNetwork(t), name: 'edge', count: 22, zoneSpread: 1 });
    const json = JSON.parse(Testing.synth(t.stack)) as {
      resource: {
        alicloud_ecs_deployment_set: Record<string, object>;
        alicloud_instance: Record<string, { deployment_set_id?: string }>;
      };
    };
    expect(Object.values(json.resource.alicloud_ecs_deployment_set)).toEqual([
      expect.objectContaining({ deployment_set_name: 'test-edge', strategy: 'Availability' }),
    ]);
    const inSet = Object.values(json.resource.alicloud_instance).filter((i) => i.deployment_set_id !== undefined);
    expect(inSet).toHaveLength(20);
  });

  test('looks up an exact image name once per stack', () => {
    const t = testStack('alicloud');
    const network = testNetwork(t);
    new HostGroup(t.stack, 'A', { network, name: 'a', image: 'my_image.v1' });
    new HostGroup(t.stack, 'B', { network, name: 'b', image: 'my_image.v1' });
    expect(Testing.synth(t.stack)).toHaveDataSourceWithProperties('alicloud_images', { name_regex: '^my_image\\.v1$' });
    const data = JSON.parse(Testing.synth(t.stack)) as { data: { alicloud_images: object } };
    expect(Object.keys(data.data.alicloud_images)).toHaveLength(1);
  });
});

describe('HostGroup on openstack', () => {
  test('boots from a volume of the system disk size and attaches data volumes in its zone', () => {
    const t = testStack('openstack');
    new HostGroup(t.stack, 'Workers', {
      network: testNetwork(t),
      name: 'worker',
      instanceType: 'm1.large',
      systemDiskSizeGiB: 60,
      dataDisks: [{ sizeGiB: 100, type: 'ssd' }],
    });
    const synthesized = Testing.synth(t.stack);
    expect(synthesized).toHaveResourceWithProperties(ComputeInstanceV2, {
      flavor_name: 'm1.large',
      availability_zone: 'zone-a',
      block_device: [
        {
          source_type: 'image',
          destination_type: 'volume',
          volume_size: 60,
          boot_index: 0,
          delete_on_termination: true,
        },
      ],
    });
    expect(synthesized).toHaveResourceWithProperties(NetworkingPortV2, {
      fixed_ip: [{ ip_address: '10.0.0.16' }],
    });
    expect(synthesized).toHaveResourceWithProperties(BlockstorageVolumeV3, {
      size: 100,
      volume_type: 'ssd',
      availability_zone: 'zone-a',
      lifecycle: { prevent_destroy: true },
    });
    expect(resourcesOf(t.stack, 'openstack_compute_volume_attach_v2')).toHaveLength(1);
  });

  test('ignores later image, user data and placement changes; spreads the group with an anti-affinity server group', () => {
    const t = testStack('openstack');
    new HostGroup(t.stack, 'Edge', { network: testNetwork(t), name: 'edge', count: 2, zoneSpread: 1 });
    const synthesized = Testing.synth(t.stack);
    expect(synthesized).toHaveResourceWithProperties(ComputeServergroupV2, {
      name: 'test-edge',
      policies: ['anti-affinity'],
    });
    const instances = resourcesOf(t.stack, ComputeInstanceV2.tfResourceType);
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      expect(instance.lifecycle).toEqual({ ignore_changes: ['block_device[0].uuid', 'user_data', 'scheduler_hints'] });
      expect(instance.scheduler_hints).toEqual([
        { group: expect.stringMatching(/^\$\{openstack_compute_servergroup_v2\.Edge_ServerGroup_[0-9A-F]{8}\.id\}$/) },
      ]);
    }
    expect(resourcesOf(t.stack, ComputeServergroupV2.tfResourceType)).toHaveLength(1);
  });

  test('escapes Terraform template sequences in plain-text user data', () => {
    const t = testStack('openstack');
    const group = new HostGroup(t.stack, 'Workers', { network: testNetwork(t), name: 'worker' });
    group.addRole(
      inlineRole('x', (_ctx, config) => config.addFile({ path: '/etc/x.sh', content: 'echo ${HOME} %{x}\n' })),
    );
    const raw = resourcesOf(t.stack, ComputeInstanceV2.tfResourceType)[0]!.user_data as string;
    expect(raw).toContain('echo $${HOME} %%{x}');
  });
});
