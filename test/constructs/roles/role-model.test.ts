/**
 * The role model on a host group: dependency order, cycles and missing roles, ports to security-group rules,
 * secrets to sensitive variables, the user-data limit of each cloud.
 */
import { randomBytes } from 'node:crypto';

import { App, TerraformStack, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { HostGroup } from '../../../constructs/compute/host-group.js';
import { BASE_ROLES, RoleCatalog } from '../../../constructs/roles/catalog.js';
import type { IHostRole, RolePort } from '../../../constructs/roles/host-role.js';
import { orderRoles } from '../../../constructs/roles/role-order.js';
import { secretRef } from '../../../lib/cloudinit/secret.js';
import { SpecError } from '../../../lib/errors.js';
import { resolveRegionSpec } from '../../../lib/spec/load.js';
import { GROUP_ROLE_NAMES } from '../../../lib/spec/region-spec.js';
import { RegionStack } from '../../../stacks/region-stack.js';
import { CLOUDS, minimalSpec, synthJson } from '../../helpers.js';
import { roleFixture } from '../../role-helpers.js';

function role(roleName: string, extra: Partial<IHostRole> = {}): IHostRole {
  return {
    roleName,
    requires: [],
    ports: [],
    secrets: [],
    configure: (_ctx, config) => config.addRunCommand(['echo', roleName]),
    ...extra,
  };
}

/** The role commands of runcmd, after the secret-delivery units every host starts first. */
const runOrder = (doc: string) =>
  ((parse(doc) as { runcmd: string[][] }).runcmd ?? [])
    .map((c) => c[1])
    .filter((c) => c !== 'daemon-reload' && c !== 'enable');

describe('role order', () => {
  test('a role comes after the roles it requires, otherwise in the order added', () => {
    const f = roleFixture();
    const g = f.group('g');
    g.addRole(role('c', { requires: ['b'] }));
    g.addRole(role('a'));
    g.addRole(role('b', { requires: ['a'] }));
    g.addRole(role('d'));
    expect(runOrder(g.renderUserData(g.hosts[0]!))).toEqual(['a', 'b', 'c', 'd']);
  });

  test('a dependency cycle fails with the cycle named', () => {
    const roles = [role('a', { requires: ['c'] }), role('b', { requires: ['a'] }), role('c', { requires: ['b'] })];
    expect(() => orderRoles(roles, 'test/G')).toThrow('test/G: roles form a dependency cycle: a -> c -> b -> a');
  });

  test('a missing dependency fails with a hint', () => {
    const f = roleFixture();
    const g = f.group('g');
    g.addRole(role('marathon', { requires: ['docker', 'java'] }));
    try {
      g.validateRoles();
      expect.fail('validateRoles accepted a missing dependency');
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).message).toBe(
        'test/G: role marathon requires docker, java, which are not on these hosts',
      );
      expect((err as SpecError).hint).toBe("add docker, java to the group's roles");
    }
  });

  test('synth of a stack with a cycle fails too (groups composed by hand)', () => {
    const f = roleFixture();
    const g = f.group('g');
    g.addRole(role('a', { requires: ['b'] }));
    g.addRole(role('b', { requires: ['a'] }));
    expect(() => Testing.synth(f.stack, true)).toThrow(/roles form a dependency cycle: a -> b -> a/);
  });

  test('the same role twice is one role; two different roles of one name are an error', () => {
    const f = roleFixture();
    const g = f.group('g');
    const a = role('a');
    g.addRole(a);
    g.addRole(a);
    expect(g.roles).toHaveLength(1);
    expect(() => g.addRole(role('a'))).toThrow('test/G: role a is added twice with different settings');
  });
});

describe('role ports become security-group rules, and only they', () => {
  const port = (p: Partial<RolePort>): RolePort => ({
    protocol: 'tcp',
    port: 7000,
    from: 'group',
    description: 'x',
    ...p,
  });

  test.each(CLOUDS)('%s: group, cluster, bastion and region sources', (cloud) => {
    const f = roleFixture(cloud);
    const a = f.group('a');
    const b = f.group('b');
    const bastion = f.group('bastion');
    a.setBastion(bastion.securityGroup);
    a.addRole(
      role('r', {
        ports: [
          port({ port: 7001, from: 'group', description: 'peers' }),
          port({ port: 7002, from: 'cluster', description: 'clients' }),
          port({ port: 7003, toPort: 7010, protocol: 'udp', from: 'bastion', description: 'ui' }),
          port({ port: 7004, from: 'region', description: 'metrics' }),
          port({ port: 80, from: 'loadBalancer', description: 'web' }),
        ],
      }),
    );
    // cluster rules wait until the group joins its cluster
    expect(a.securityGroup.ingressRules.map((r) => r.port.toString())).toEqual([
      'tcp/7001',
      'udp/7003-7010',
      'tcp/7004',
    ]);
    a.joinCluster('c', [a, b]);
    const rules = a.securityGroup.ingressRules.map(
      (r) =>
        `${r.port.toString()} ${'securityGroup' in r.peer ? r.peer.securityGroup.groupName : r.peer.cidr} ${r.description}`,
    );
    expect(rules).toEqual([
      'tcp/7001 test-a r: peers',
      'udp/7003-7010 test-bastion r: ui',
      'tcp/7004 10.0.0.0/16 r: metrics',
      'tcp/7002 test-a r: clients',
      'tcp/7002 test-b r: clients',
    ]);
  });

  test('cluster ports on a group in no cluster are a problem', () => {
    const f = roleFixture();
    const a = f.group('a');
    a.addRole(role('r', { ports: [port({ from: 'cluster' })] }));
    expect(() => a.validateRoles()).toThrow(
      'test/A: roles r open ports to their cluster, but the group is in no cluster',
    );
  });
});

describe('secrets', () => {
  test('become sensitive variables once per stack that feed the secret store, never the user data', () => {
    const f = roleFixture();
    const secrets = [{ name: 'app_password', description: 'the app password' }];
    const configure: IHostRole['configure'] = (_ctx, config) =>
      config.addFile({ path: '/etc/app.env', content: `PASSWORD=${secretRef('app_password')}\n`, permissions: '0600' });
    f.group('a').addRole(role('app', { secrets, configure }));
    f.group('b').addRole(role('app', { secrets, configure }));
    const json = synthJson(f.stack) as unknown as {
      variable: Record<string, Record<string, unknown>>;
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(Object.keys(json.variable)).toEqual(['app_password']);
    expect(json.variable.app_password).toMatchObject({
      sensitive: true,
      nullable: false,
      description: 'the app password',
    });
    // one Barbican secret for the stack, fed by the variable; one restricted credential per group
    expect(Object.values(json.resource.openstack_keymanager_secret_v1!).map((r) => r.payload)).toEqual([
      '${var.app_password}',
    ]);
    expect(Object.keys(json.resource.openstack_identity_application_credential_v3!)).toHaveLength(2);
    const userData = Object.values(json.resource.openstack_compute_instance_v2!).map((r) => r.user_data as string);
    for (const u of userData) {
      expect(u).toContain(`PASSWORD=${secretRef('app_password')}`);
      expect(u).not.toContain('var.');
    }
  });
});

describe('user data size', () => {
  test.each([
    ['alicloud', 32768],
    ['openstack', 65535],
  ] as const)('%s refuses user data over %i Base64 bytes, naming the host', (cloud, limit) => {
    const f = roleFixture(cloud);
    const g = f.group('big');
    g.addRole(
      role('big', {
        // random hex: gzip (both clouds) cannot shrink it below the limit
        configure: (_ctx, config) =>
          config.addFile({
            path: '/opt/blob',
            content: randomBytes(limit)
              .toString('hex')
              .slice(0, 2 * limit),
          }),
      }),
    );
    expect(() => g.validateRoles()).toThrow(
      new RegExp(
        `^test/Big: user data of test-big-1 is \\d+ bytes \\(\\d+ Base64-encoded\\); ${cloud} accepts at most ${limit} encoded bytes`,
      ),
    );
  });
});

describe('RoleCatalog', () => {
  test('builds every role a region file may name', () => {
    const app = new App({ outdir: '/nonexistent' });
    const stack = new TerraformStack(app, 's');
    const catalog = new RoleCatalog(stack, 'Roles', {
      cloud: 'openstack',
      hostDefaults: {},
      adminUser: 'ops',
      sshKeys: [],
      groups: () => [],
    });
    expect([...catalog.roleNames].sort()).toEqual([...GROUP_ROLE_NAMES].sort());
    expect(BASE_ROLES.every((r) => GROUP_ROLE_NAMES.includes(r))).toBe(true);
  });

  test('one role object per distinct setting; a group override gets its own', () => {
    const f = roleFixture();
    const catalog = new RoleCatalog(f.stack, 'Roles', {
      cloud: 'openstack',
      hostDefaults: {},
      adminUser: 'ops',
      sshKeys: [],
      groups: () => [],
    });
    const config = resolveRegionSpec(minimalSpec('openstack')).hostConfig;
    const g = new HostGroup(f.stack, 'G', { network: f.network, name: 'g' });
    expect(catalog.role('docker', config, g)).toBe(catalog.role('docker', config, g));
    expect(catalog.role('docker', { ...config, dockerIptables: false }, g)).not.toBe(catalog.role('docker', config, g));
  });
});

describe('roles that list another group’s hosts list one group only (issue 8)', () => {
  const render = (extraServers: boolean) => {
    // Alibaba Cloud: its user data is sent gzip-compressed; plain, this control host (Mesos control roles, etcd
    // with TLS, GlusterFS, weave) is over Nova's 65535 Base64 bytes on OpenStack.
    const stack = new RegionStack(Testing.app(), 'test-infra', {
      spec: minimalSpec('alicloud', {
        hostGroups: [
          { name: 'control', count: 3, dataDisks: [{ sizeGiB: 50 }], roles: ['glusterfs-server', 'etcd', 'weave'] },
          // the workers become a second etcd cluster and weave group (one glusterfs-server group per region)
          extraServers
            ? { name: 'worker', count: 3, dataDisks: [{ sizeGiB: 50 }], roles: ['etcd', 'weave'] }
            : { name: 'worker', count: 3 },
          { name: 'edge', count: 2, roles: ['glusterfs-client', 'calico', 'weave'] },
        ],
        hostConfig: { calicoIpPoolCidr: '172.20.0.0/16' },
        cluster: { kind: 'mesos', controlGroup: 'control', workerGroup: 'worker', edgeGroup: 'edge', rexray: false },
      }),
    });
    const edge = stack.hostGroups.get('edge')!;
    return edge.renderUserData(edge.hosts[0]!);
  };

  test('etcd endpoints and weave seeds come from the control group, not every group with the role', () => {
    const doc = render(false);
    expect(doc).toContain('10.0.0.16:/shared');
    expect(doc).toContain('https://10.0.0.16:2379,https://10.0.16.16:2379,https://10.0.32.16:2379');
    // another group taking the same roles changes nothing on the edge hosts
    expect(render(true)).toBe(doc);
  });
});

describe('rendered user data is reused only while nothing it depends on changed', () => {
  test('a role added to another group later shows in the hosts that list its peers', () => {
    const f = roleFixture();
    const a = f.group('a');
    const peersRole = role('peers', {
      configure: (_ctx, config) =>
        config.addFile({ path: '/etc/peers', content: f.network.inventory.map((h) => h.name).join('\n') }),
    });
    a.addRole(peersRole);
    const first = a.renderUserData(a.hosts[0]!);
    expect(a.renderUserData(a.hosts[0]!)).toBe(first);
    f.group('b');
    expect(a.renderUserData(a.hosts[0]!)).toContain('test-b-1');
  });
});
