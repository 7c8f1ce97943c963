import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { Network } from '../../constructs/network/network.js';
import { DataAlicloudZones } from '../../lib/gen/alicloud/data-alicloud-zones/index.js';
import { NatGateway } from '../../lib/gen/alicloud/nat-gateway/index.js';
import { Vpc } from '../../lib/gen/alicloud/vpc/index.js';
import { Vswitch } from '../../lib/gen/alicloud/vswitch/index.js';
import { DataOpenstackComputeAvailabilityZonesV2 } from '../../lib/gen/openstack/data-openstack-compute-availability-zones-v2/index.js';
import { NetworkingRouterV2 } from '../../lib/gen/openstack/networking-router-v2/index.js';
import { NetworkingSubnetV2 } from '../../lib/gen/openstack/networking-subnet-v2/index.js';
import { CLOUDS, conformanceProblems, resourcesOf, synthJson, testNetwork, testStack } from '../helpers.js';

describe.each(CLOUDS)('Network on %s', (cloud) => {
  test('minimal definition', async () => {
    const t = testStack(cloud);
    testNetwork(t);
    expect(Testing.synth(t.stack)).toMatchSnapshot();
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });

  test('one subnet per zone from the plan', () => {
    const t = testStack(cloud);
    const network = testNetwork(t, ['a', 'b']);
    expect(network.subnetIds).toHaveLength(2);
    expect(network.zoneNames).toEqual(['a', 'b']);
    const type = cloud === 'alicloud' ? 'alicloud_vswitch' : 'openstack_networking_subnet_v2';
    const key = cloud === 'alicloud' ? 'cidr_block' : 'cidr';
    expect(resourcesOf(t.stack, type).map((s) => s[key])).toEqual(['10.0.0.0/20', '10.0.16.0/20']);
  });

  test('reads zone names from the cloud when given a count', () => {
    const t = testStack(cloud);
    const network = testNetwork(t, 2);
    expect(network.zoneNames).toHaveLength(2);
    const synthesized = Testing.synth(t.stack);
    expect(synthesized).toHaveDataSource(
      cloud === 'alicloud' ? DataAlicloudZones : DataOpenstackComputeAvailabilityZonesV2,
    );
  });

  test('fails if the CIDR is public', () => {
    const t = testStack(cloud);
    expect(() => new Network(t.stack, 'Network', { cloud: t.cloud, regionName: 'test', cidr: '8.8.0.0/16' })).toThrow(
      'test/Network: cidr must lie inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), got "8.8.0.0/16"',
    );
  });

  test('fails if zones is out of range', () => {
    const t = testStack(cloud);
    expect(() => new Network(t.stack, 'Network', { cloud: t.cloud, regionName: 'test', zones: 9 })).toThrow(
      'test/Network: zones must be an integer between 1 and 8, got 9',
    );
  });

  test('hands out host blocks and infrastructure addresses in construction order', () => {
    const t = testStack(cloud);
    const network = testNetwork(t);
    expect(network.reserveHostBlock('a')).toBe(0);
    expect(network.reserveHostBlock('b')).toBe(1);
    expect(() => network.reserveHostBlock('a')).toThrow(/reserved a host block twice/);
    expect(network.reserveInfraAddress('lb1')).toBe('10.0.0.2');
    expect(network.reserveInfraAddress('lb2')).toBe('10.0.0.3');
  });
});

describe('Network on alicloud', () => {
  test('VPC, NAT gateway with EIP, and SNAT for every vSwitch', () => {
    const t = testStack('alicloud');
    testNetwork(t);
    const synthesized = Testing.synth(t.stack);
    expect(synthesized).toHaveResourceWithProperties(Vpc, { vpc_name: 'test', cidr_block: '10.0.0.0/16' });
    expect(synthesized).toHaveResourceWithProperties(Vswitch, { zone_id: 'zone-c', cidr_block: '10.0.32.0/20' });
    expect(synthesized).toHaveResourceWithProperties(NatGateway, { nat_type: 'Enhanced', payment_type: 'PayAsYouGo' });
    expect(resourcesOf(t.stack, 'alicloud_eip_association')).toEqual([
      expect.objectContaining({ instance_type: 'Nat' }),
    ]);
    const snat = resourcesOf(t.stack, 'alicloud_snat_entry');
    expect(snat).toHaveLength(3);
    expect(snat[0]).toMatchObject({
      snat_table_id: expect.stringMatching(/^\$\{alicloud_nat_gateway\..*\.snat_table_ids\}$/),
      snat_ip: expect.stringMatching(/^\$\{alicloud_eip_address\..*\.ip_address\}$/),
      depends_on: [expect.stringMatching(/^alicloud_eip_association\./)],
    });
  });
});

describe('Network on openstack', () => {
  test('router on the external network, an interface per subnet, fixed addresses outside the DHCP pool', () => {
    const t = testStack('openstack');
    testNetwork(t);
    const synthesized = Testing.synth(t.stack);
    expect(resourcesOf(t.stack, NetworkingRouterV2.tfResourceType)).toEqual([
      expect.objectContaining({
        external_network_id: expect.stringMatching(
          /^\$\{data\.openstack_networking_network_v2\.Network_ExternalNetwork_\w+\.id\}$/,
        ),
      }),
    ]);
    expect(synthesized).toHaveResourceWithProperties(NetworkingSubnetV2, {
      cidr: '10.0.0.0/20',
      gateway_ip: '10.0.0.1',
      allocation_pool: [{ start: '10.0.12.0', end: '10.0.15.254' }],
    });
    expect(resourcesOf(t.stack, 'openstack_networking_router_interface_v2')).toHaveLength(3);
    expect(synthJson(t.stack).data?.openstack_networking_network_v2).toBeDefined();
  });
});
