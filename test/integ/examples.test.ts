/**
 * The bundled example regions, synthesized (never deployed) and snapshotted whole. A snapshot change is a
 * change of the plan Terraform would make: review it in the diff.
 */
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { loadRegionFile } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES, synthJson } from '../helpers.js';

async function exampleStack(file: string): Promise<RegionStack> {
  const { spec } = await loadRegionFile(file);
  return new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
}

describe.each(EXAMPLE_FILES.map((f) => [path.basename(f), f]))('%s', (_name, file) => {
  test('synthesizes to the reviewed plan', async () => {
    expect(Testing.synth(await exampleStack(file))).toMatchSnapshot();
  });
});

describe('example-alicloud', () => {
  test('has the resources the region needs', async () => {
    const json = synthJson(await exampleStack(EXAMPLE_FILES[0]!));
    const count = (type: string) => Object.keys(json.resource![type] ?? {}).length;
    expect(count('alicloud_vpc')).toBe(1);
    expect(count('alicloud_vswitch')).toBe(3);
    expect(count('alicloud_nat_gateway')).toBe(1);
    expect(count('alicloud_snat_entry')).toBe(3);
    expect(count('alicloud_eip_address')).toBe(2); // NAT + bastion
    expect(count('alicloud_security_group')).toBe(4);
    expect(count('alicloud_security_group_rule')).toBeGreaterThan(0);
    expect(count('alicloud_instance')).toBe(9);
    expect(count('alicloud_slb_load_balancer')).toBe(1);
    expect(Object.values(json.resource!.alicloud_slb_listener!).map((l) => l.frontend_port)).toEqual([443, 80]);
    expect(Object.values(json.resource!.alicloud_slb_backend_server!)[0]!.backend_servers).toHaveLength(2);
  });

  test('every host runs the base roles; each group the roles of its part of the Mesos cluster', async () => {
    const stack = await exampleStack(EXAMPLE_FILES[0]!);
    const roles = Object.fromEntries([...stack.hostGroups].map(([name, g]) => [name, g.roles.map((r) => r.roleName)]));
    const base = ['apt', 'ntp', 'common', 'hosts'];
    const everyClusterHost = ['dnsmasq', 'docker', 'docker-clean', 'node-exporter'];
    expect(roles.bastion).toEqual(base);
    expect(roles.control).toEqual(
      expect.arrayContaining([
        ...base,
        ...everyClusterHost,
        'zookeeper',
        'mesos-master',
        'marathon',
        'chronos',
        'mesos-dns',
        'etcd',
        'glusterfs-server',
      ]),
    );
    expect(roles.worker).toEqual(
      expect.arrayContaining([...base, ...everyClusterHost, 'mesos-agent', 'cadvisor', 'rexray', 'glusterfs-client']),
    );
    // no Calico on Mesos workers: Docker tasks do not use CNI networks (constructs/roles/docs/calico.md)
    expect(roles.worker).not.toContain('calico');
    expect(roles.edge).toEqual(expect.arrayContaining([...base, ...everyClusterHost, 'marathon-lb']));
    expect(roles.edge).not.toContain('mesos-master');
  });
});

describe('example-openstack', () => {
  test('has the equivalent resources', async () => {
    const json = synthJson(await exampleStack(EXAMPLE_FILES[1]!));
    const count = (type: string) => Object.keys(json.resource![type] ?? {}).length;
    expect(count('openstack_networking_network_v2')).toBe(1);
    expect(count('openstack_networking_subnet_v2')).toBe(3);
    expect(count('openstack_networking_router_v2')).toBe(1);
    expect(count('openstack_networking_router_interface_v2')).toBe(3);
    expect(count('openstack_networking_secgroup_v2')).toBe(4);
    expect(count('openstack_networking_port_v2')).toBe(10); // 9 hosts + the keepalived virtual IP
    expect(count('openstack_compute_instance_v2')).toBe(9);
    expect(count('openstack_blockstorage_volume_v3')).toBe(3);
    expect(count('openstack_compute_volume_attach_v2')).toBe(3);
    expect(count('openstack_lb_loadbalancer_v2')).toBe(1);
    expect(count('openstack_lb_listener_v2')).toBe(2);
    expect(count('openstack_lb_pool_v2')).toBe(2);
    expect(count('openstack_lb_monitor_v2')).toBe(2);
    expect(count('openstack_lb_member_v2')).toBe(4);
    expect(count('openstack_networking_floatingip_v2')).toBe(2); // LB VIP + bastion
  });

  test('declares the secrets its roles need as sensitive variables, with no default', async () => {
    const json = synthJson(await exampleStack(EXAMPLE_FILES[1]!)) as {
      variable: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(json.variable).sort()).toEqual(['rexray_cinder_password', 'weave_password']);
    for (const v of Object.values(json.variable)) {
      expect(v).toMatchObject({ sensitive: true, nullable: false, type: 'string' });
      expect(v.default).toBeUndefined();
    }
  });
});
