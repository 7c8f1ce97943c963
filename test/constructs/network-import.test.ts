/**
 * `Network.fromAttributes`: host groups and load balancers join a network made elsewhere, nothing is created for
 * the network itself, and bad attributes fail with the field named.
 */
import { describe, expect, test } from 'vitest';

import { HostGroup } from '../../constructs/compute/host-group.js';
import { LoadBalancer } from '../../constructs/loadbalancer/load-balancer.js';
import { Network, type NetworkAttributes } from '../../constructs/network/network.js';
import { SpecError } from '../../lib/errors.js';
import { CLOUDS, conformanceProblems, resourcesOf, synthJson, testStack, type TestStack } from '../helpers.js';

const NETWORK_TYPES = [
  'alicloud_vpc',
  'alicloud_vswitch',
  'alicloud_nat_gateway',
  'openstack_networking_network_v2',
  'openstack_networking_subnet_v2',
  'openstack_networking_router_v2',
];

function attrs(t: TestStack, overrides: Partial<NetworkAttributes> = {}): NetworkAttributes {
  return {
    cloud: t.cloud,
    regionName: 'shared',
    cidr: '10.8.0.0/16',
    networkId: 'net-existing',
    subnetIds: ['subnet-a', 'subnet-b'],
    zoneNames: ['zone-a', 'zone-b'],
    ...overrides,
  };
}

describe.each(CLOUDS)('Network.fromAttributes on %s', (cloud) => {
  test('hosts join the given subnets at planned addresses; no network resource is made', async () => {
    const t = testStack(cloud);
    const network = Network.fromAttributes(t.stack, 'Shared', attrs(t));
    const group = new HostGroup(t.stack, 'Api', { network, name: 'api', count: 3 });
    new LoadBalancer(t.stack, 'ApiLb', {
      network,
      name: 'api',
      backends: group,
      listeners: [{ protocol: 'tcp', port: 443 }],
    });

    const json = synthJson(t.stack);
    const types = Object.keys(json.resource ?? {});
    expect(types.filter((type) => NETWORK_TYPES.includes(type))).toEqual([]);
    expect(group.hosts.map((h) => [h.name, h.zoneIndex, h.privateIp])).toEqual([
      ['shared-api-1', 0, '10.8.0.16'],
      ['shared-api-2', 1, '10.8.16.16'],
      ['shared-api-3', 0, '10.8.0.17'],
    ]);
    const subnets =
      cloud === 'alicloud'
        ? resourcesOf(t.stack, 'alicloud_instance').map((i) => i.vswitch_id)
        : resourcesOf(t.stack, 'openstack_networking_port_v2')
            .filter((p) => String(p.name).startsWith('shared-api-'))
            .map((p) => (p.fixed_ip as { subnet_id: string }[])[0]!.subnet_id);
    expect(subnets).toEqual(['subnet-a', 'subnet-b', 'subnet-a']);
    const groups =
      cloud === 'alicloud'
        ? resourcesOf(t.stack, 'alicloud_security_group').map((g) => g.vpc_id)
        : resourcesOf(t.stack, 'openstack_networking_port_v2').map((p) => p.network_id);
    expect(new Set(groups)).toEqual(new Set(['net-existing']));
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });

  test('bad attributes name the field and the value', () => {
    const t = testStack(cloud);
    expect(() => Network.fromAttributes(t.stack, 'A', attrs(t, { zoneNames: ['zone-a'] }))).toThrow(
      'test/A: zoneNames must name the zone of each of the 2 subnetIds, got 1 (["zone-a"])',
    );
    expect(() => Network.fromAttributes(t.stack, 'B', attrs(t, { subnetIds: [], zoneNames: [] }))).toThrow(
      'test/B: subnetIds.length must be an integer between 1 and 8, got 0',
    );
    expect(() => Network.fromAttributes(t.stack, 'C', attrs(t, { cidr: '8.8.0.0/16' }))).toThrow(SpecError);
    expect(() => Network.fromAttributes(t.stack, 'D', attrs(t, { regionName: 'Shared_1' }))).toThrow(
      /regionName must be a DNS label/,
    );
  });
});
