/**
 * Region names from the cloud's private DNS (issue 8): a zone `<region>.internal` and one A record per host,
 * so no host carries an inventory of the others.
 */
import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { userDataTemplate } from '../../lib/cloud/user-data.js';
import { resolveRegionSpec } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { conformanceProblems, minimalSpec, resourcesOf } from '../helpers.js';

const region = (cloud: 'alicloud' | 'openstack', privateDns?: 'designate' | 'neutron' | 'none') =>
  new RegionStack(Testing.app(), 'test-infra', {
    spec: minimalSpec(cloud, {
      hostGroups: [{ name: 'worker', count: 2 }],
      ...(cloud === 'openstack' && privateDns ? { openstack: { privateDns } } : {}),
    }),
  });

describe('private DNS on alicloud', () => {
  test('a PrivateZone zone bound to the VPC, one A record per host', () => {
    const stack = region('alicloud');
    expect(resourcesOf(stack, 'alicloud_pvtz_zone')).toEqual([
      expect.objectContaining({ zone_name: 'test.internal', remark: 'regionkit: host names of test' }),
    ]);
    expect(resourcesOf(stack, 'alicloud_pvtz_zone_attachment')).toEqual([
      expect.objectContaining({ vpc_ids: [expect.stringMatching(/^\$\{alicloud_vpc\.Network_Vpc_[0-9A-F]+\.id\}$/)] }),
    ]);
    expect(resourcesOf(stack, 'alicloud_pvtz_zone_record').map((r) => [r.rr, r.type, r.value, r.ttl])).toEqual([
      ['test-worker-1', 'A', '10.0.0.16', 300],
      ['test-worker-2', 'A', '10.0.16.16', 300],
    ]);
  });

  test('the synthesized stack matches the schema file', async () => {
    expect(await conformanceProblems(region('alicloud'))).toEqual([]);
  });
});

describe('private DNS on openstack', () => {
  test('defaults to Neutron internal DNS: the network’s dns_domain and each port’s dns_name', () => {
    expect(resolveRegionSpec(minimalSpec('openstack')).openstack!.privateDns).toBe('neutron');
    const stack = region('openstack');
    expect(resourcesOf(stack, 'openstack_networking_network_v2')[0]).toMatchObject({ dns_domain: 'test.internal.' });
    const ports = resourcesOf(stack, 'openstack_networking_port_v2');
    expect(ports.map((p) => p.dns_name)).toEqual(['test-worker-1', 'test-worker-2']);
    expect(ports.map((p) => p.name)).toEqual(['test-worker-1', 'test-worker-2']);
    expect(resourcesOf(stack, 'openstack_dns_zone_v2')).toEqual([]);
  });

  test('designate: a zone and a recordset per host, no Neutron DNS attributes', () => {
    const stack = region('openstack', 'designate');
    expect(resourcesOf(stack, 'openstack_dns_zone_v2')).toEqual([
      expect.objectContaining({ name: 'test.internal.', email: 'hostmaster@test.internal', type: 'PRIMARY' }),
    ]);
    expect(resourcesOf(stack, 'openstack_dns_recordset_v2').map((r) => [r.name, r.type, r.records])).toEqual([
      ['test-worker-1.test.internal.', 'A', ['10.0.0.16']],
      ['test-worker-2.test.internal.', 'A', ['10.0.16.16']],
    ]);
    expect(resourcesOf(stack, 'openstack_networking_network_v2')[0]).not.toHaveProperty('dns_domain');
    expect(resourcesOf(stack, 'openstack_networking_port_v2').every((p) => !('dns_name' in p))).toBe(true);
  });

  test('none: no names anywhere, and /etc/hosts names the host by its short name only', () => {
    const stack = region('openstack', 'none');
    expect(resourcesOf(stack, 'openstack_dns_zone_v2')).toEqual([]);
    expect(resourcesOf(stack, 'openstack_networking_network_v2')[0]).not.toHaveProperty('dns_domain');
    const userData = userDataTemplate(String(resourcesOf(stack, 'openstack_compute_instance_v2')[0]!.user_data));
    expect(userData).toMatch(/^ *10\.0\.0\.16 test-worker-1$/m);
    expect(userData).not.toContain('.internal');
  });

  test.each(['neutron', 'designate', 'none'] as const)(
    'privateDns %s: the synthesized stack matches the schema file',
    async (privateDns) => {
      expect(await conformanceProblems(region('openstack', privateDns))).toEqual([]);
    },
  );

  test('fails if privateDns is not one of the three', () => {
    expect(() =>
      resolveRegionSpec(minimalSpec('openstack', { openstack: { privateDns: 'route53' as never } })),
    ).toThrow(/openstack\.privateDns: must be one of designate, neutron, none/);
  });
});
