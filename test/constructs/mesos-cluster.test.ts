import { describe, expect, test } from 'vitest';

import { MesosCluster } from '../../constructs/cluster/mesos-cluster.js';
import { HostGroup } from '../../constructs/compute/host-group.js';
import { BASE_ROLES, RoleCatalog } from '../../constructs/roles/catalog.js';
import { resolveRegionSpec } from '../../lib/spec/load.js';
import { minimalSpec } from '../helpers.js';
import { roleFixture } from '../role-helpers.js';

function cluster(controlCount = 3, props: Partial<ConstructorParameters<typeof MesosCluster>[2]> = {}) {
  const f = roleFixture();
  const groups: HostGroup[] = [];
  const catalog = new RoleCatalog(f.stack, 'Roles', {
    cloud: 'openstack',
    hostDefaults: {},
    adminUser: 'ops',
    sshKeys: [],
    groups: () => groups,
  });
  const config = resolveRegionSpec(minimalSpec('openstack')).hostConfig;
  // ZooKeeper keeps its state on a data disk of the control group
  const control = new HostGroup(f.stack, 'Control', {
    network: f.network,
    name: 'control',
    count: controlCount,
    os: 'debian-12',
    dataDisks: [{ sizeGiB: 20 }],
  });
  const workers = f.group('worker', 2, 'debian-12');
  const edge = f.group('edge', 2, 'debian-12');
  groups.push(control, workers, edge);
  for (const g of groups) for (const name of BASE_ROLES) g.addRole(catalog.role(name, config, g));
  const mesos = new MesosCluster(f.stack, 'Cluster', {
    name: 'test',
    control,
    workers,
    edge,
    catalog,
    hostConfig: () => config,
    rexray: false,
    ...props,
  });
  return { f, control, workers, edge, mesos, catalog };
}

describe('MesosCluster', () => {
  test('computes the ZooKeeper URL, the master quorum and the Marathon URLs from the control group', () => {
    const { mesos } = cluster(5);
    expect(mesos.mesosZk).toBe(
      'zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181,10.0.0.17:2181,10.0.16.17:2181/mesos',
    );
    expect(mesos.quorum).toBe(3);
    expect(mesos.marathonUrls).toHaveLength(5);
  });

  test('puts each role on its part of the cluster', () => {
    const { control, workers, edge } = cluster();
    const names = (g: HostGroup) => g.roles.map((r) => r.roleName);
    expect(names(control)).toEqual(
      expect.arrayContaining(['zookeeper', 'mesos-master', 'marathon', 'chronos', 'mesos-dns']),
    );
    expect(names(workers)).toEqual(expect.arrayContaining(['mesos-agent', 'cadvisor']));
    expect(names(workers)).not.toContain('rexray');
    expect(names(edge)).toEqual(expect.arrayContaining(['marathon-lb']));
    for (const g of [control, workers, edge]) {
      expect(names(g)).toEqual(expect.arrayContaining(['dnsmasq', 'docker', 'docker-clean', 'node-exporter']));
      g.validateRoles();
    }
  });

  test("workers accept the Mesos agents' old Docker API clients", () => {
    const { workers, control } = cluster();
    const dropIn = (g: HostGroup) => g.renderUserData(g.hosts[0]!).includes('DOCKER_MIN_API_VERSION=1.24');
    expect(dropIn(workers)).toBe(true);
    expect(dropIn(control)).toBe(false);
  });

  test("every host sends the Mesos domain to the control hosts' mesos-dns", () => {
    const { edge } = cluster();
    expect(edge.renderUserData(edge.hosts[0]!)).toContain('server=/mesos/10.0.0.16#8053');
  });

  test('chronos can be left out', () => {
    const { control } = cluster(3, { chronos: false });
    expect(control.roles.map((r) => r.roleName)).not.toContain('chronos');
  });

  test('fails with an even control group', () => {
    expect(() => cluster(4)).toThrow(
      'test/Cluster/Roles/ZooKeeper: ensemble must have an odd number of members between 3 and 9, got 4',
    );
  });

  test('fails if one group plays two parts', () => {
    const f = roleFixture();
    const control = f.group('control', 3);
    const catalog = new RoleCatalog(f.stack, 'Roles', {
      cloud: 'openstack',
      hostDefaults: {},
      adminUser: 'ops',
      sshKeys: [],
      groups: () => [],
    });
    expect(
      () =>
        new MesosCluster(f.stack, 'Cluster', {
          name: 't',
          control,
          workers: control,
          catalog,
          hostConfig: () => resolveRegionSpec(minimalSpec('openstack')).hostConfig,
        }),
    ).toThrow('test/Cluster: control, worker and edge groups must be different groups');
  });
});
