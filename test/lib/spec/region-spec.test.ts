import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { SpecError, SpecValidationError } from '../../../lib/errors.js';
import { loadRegionFile, loadRegionFiles, parseYaml, resolveRegionSpec } from '../../../lib/spec/load.js';
import type { RegionSpecInput } from '../../../lib/spec/region-spec.js';
import { EXAMPLE_FILES, minimalSpec } from '../../helpers.js';

/** The problem lines of a spec that must fail. */
function problems(input: unknown): string[] {
  try {
    resolveRegionSpec(input);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecValidationError);
    return (err as SpecValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('spec was accepted');
}

const base = minimalSpec('alicloud');
const withGroup = (group: Record<string, unknown>): RegionSpecInput =>
  ({ ...base, hostGroups: [{ name: 'worker', ...group }] }) as RegionSpecInput;
const withLb = (lb: Record<string, unknown>, groups = base.hostGroups): RegionSpecInput =>
  ({
    ...base,
    hostGroups: groups,
    loadBalancers: [{ name: 'public', backends: 'worker', listeners: [{ port: 80 }], ...lb }],
  }) as RegionSpecInput;

describe('region spec defaults', () => {
  test('fills every default in one pass', () => {
    const spec = resolveRegionSpec({
      name: 'r1',
      cloud: 'openstack',
      openstack: {},
      admin: { sshKeys: [base.admin.sshKeys[0]!] },
      hostGroups: [{ name: 'web' }],
      loadBalancers: [{ name: 'lb', backends: 'web', listeners: [{ port: 443 }] }],
    });
    expect(spec.zones).toBe(3);
    expect(spec.network).toEqual({ cidr: '10.0.0.0/16' });
    expect(spec.admin).toMatchObject({ user: 'ops', sshSources: [] });
    expect(spec.openstack).toEqual({ externalNetwork: 'public', privateDns: 'neutron', dnsNameservers: [] });
    expect(spec.hostGroups[0]).toEqual({ name: 'web', count: 1, systemDiskSizeGiB: 40, dataDisks: [], roles: [] });
    expect(spec.loadBalancers[0]).toEqual({
      name: 'lb',
      public: false,
      backends: 'web',
      listeners: [{ port: 443, protocol: 'tcp' }],
      healthCheck: { type: 'tcp', intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 3, unhealthyThreshold: 3 },
      idleTimeoutSeconds: 60,
    });
    expect(spec.tags).toEqual({});
    expect(spec.backend).toEqual({ type: 'local' });
  });

  test('both example regions are valid', async () => {
    const loaded = await loadRegionFiles(EXAMPLE_FILES);
    expect(loaded.map((l) => l.spec.name)).toEqual(['example-alicloud', 'example-openstack']);
  });
});

describe('region spec field errors name the field, the value and what is allowed', () => {
  test.each<[string, unknown, string]>([
    [
      'name',
      { ...base, name: 'Bad_Name' },
      `name: must be 2-30 lower-case letters, digits and '-', starting with a letter and not ending with '-', got "Bad_Name"`,
    ],
    ['cloud', { ...base, cloud: 'aws' }, 'cloud: must be one of alicloud, openstack, got "aws"'],
    [
      'alicloud.region',
      { ...base, alicloud: { region: 'Hangzhou' } },
      'alicloud.region: must be an Alibaba Cloud region id such as cn-hangzhou, got "Hangzhou"',
    ],
    [
      'zones count',
      { ...base, zones: 9 },
      'zones: must be a zone count between 1 and 8 or a list of 1-8 zone names, got 9',
    ],
    [
      'zones list',
      { ...base, zones: [] },
      'zones: must be a zone count between 1 and 8 or a list of 1-8 zone names, got []',
    ],
    [
      'network.cidr',
      { ...base, network: { cidr: '10.20.0.5/16' } },
      'network.cidr: has host bits set; the network address is 10.20.0.0/16, got "10.20.0.5/16"',
    ],
    [
      'network.cidr public',
      { ...base, network: { cidr: '8.8.0.0/16' } },
      'network.cidr: must lie inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), got "8.8.0.0/16"',
    ],
    [
      'admin.sshKeys',
      { ...base, admin: { sshKeys: ['AAAA'] } },
      'admin.sshKeys[0]: must be an OpenSSH public key line (ssh-ed25519 AAAA... comment), got "AAAA"',
    ],
    ['admin.sshKeys empty', { ...base, admin: { sshKeys: [] } }, 'admin.sshKeys: must have at least 1 item, got []'],
    [
      'admin.sshSources any',
      { ...base, admin: { sshKeys: base.admin.sshKeys, sshSources: ['0.0.0.0/0'] } },
      'admin.sshSources[0]: must not be 0.0.0.0/0: SSH is never open to the whole internet, got "0.0.0.0/0"',
    ],
    [
      'admin.sshSources cidr',
      { ...base, admin: { sshKeys: base.admin.sshKeys, sshSources: ['198.51.100.1/24'] } },
      'admin.sshSources[0]: must be a network-aligned IPv4 CIDR such as 198.51.100.0/24, got "198.51.100.1/24"',
    ],
    [
      'admin.user',
      { ...base, admin: { sshKeys: base.admin.sshKeys, user: 'Root' } },
      'admin.user: must be a Linux user name (lower-case, at most 31 characters), got "Root"',
    ],
    ['hostGroups empty', { ...base, hostGroups: [] }, 'hostGroups: must have at least 1 item, got []'],
    ['hostGroups missing', { ...base, hostGroups: undefined }, 'hostGroups: is required (a list)'],
    ['count', withGroup({ count: -4 }), 'hostGroups[0].count: must be an integer between 1 and 100, got -4'],
    [
      'count type',
      withGroup({ count: 'three' }),
      'hostGroups[0].count: must be an integer between 1 and 100, got "three"',
    ],
    [
      'systemDiskSizeGiB',
      withGroup({ systemDiskSizeGiB: 10 }),
      'hostGroups[0].systemDiskSizeGiB: must be a whole number of GiB between 20 and 2048, got 10',
    ],
    [
      'dataDisks',
      withGroup({ dataDisks: [{ sizeGiB: 5 }] }),
      'hostGroups[0].dataDisks[0].sizeGiB: must be a whole number of GiB between 20 and 32768, got 5',
    ],
    [
      'instanceType',
      withGroup({ instanceType: 'ecs g7' }),
      'hostGroups[0].instanceType: must be an instance type or flavor name: 1-128 characters without spaces, got "ecs g7"',
    ],
    [
      'image',
      withGroup({ image: ' Ubuntu' }),
      'hostGroups[0].image: must be an image name: 1-128 characters, no leading or trailing spaces, got " Ubuntu"',
    ],
    ['zoneSpread', withGroup({ zoneSpread: 0 }), 'hostGroups[0].zoneSpread: must be an integer between 1 and 8, got 0'],
    [
      'listener port',
      withLb({ listeners: [{ port: 70000 }] }),
      'loadBalancers[0].listeners[0].port: must be an integer port between 1 and 65535, got 70000',
    ],
    [
      'listener protocol',
      withLb({ listeners: [{ port: 80, protocol: 'sctp' }] }),
      'loadBalancers[0].listeners[0].protocol: must be one of tcp, udp, http, got "sctp"',
    ],
    ['listeners empty', withLb({ listeners: [] }), 'loadBalancers[0].listeners: must have at least 1 item, got []'],
    [
      'health check interval',
      withLb({ healthCheck: { intervalSeconds: 1 } }),
      'loadBalancers[0].healthCheck.intervalSeconds: must be >= 2, got 1',
    ],
    [
      "idle timeout below both clouds' range",
      withLb({ idleTimeoutSeconds: 9 }),
      'loadBalancers[0].idleTimeoutSeconds: must be >= 10, got 9',
    ],
    [
      "idle timeout above both clouds' range",
      withLb({ idleTimeoutSeconds: 901 }),
      'loadBalancers[0].idleTimeoutSeconds: must be <= 900, got 901',
    ],
    [
      'tags',
      { ...base, tags: { 'aliyun-x': 'y' } },
      'tags.aliyun-x: must be a tag key of 1-63 characters, not starting with aliyun, acs: or http, got "aliyun-x"',
    ],
    [
      'backend',
      { ...base, backend: { type: 'consul' } },
      'backend.type: must have type local, oss or s3, got "consul"',
    ],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toContain(expected);
  });

  test('an unknown field is named with the allowed ones and a suggestion', () => {
    expect(problems(withGroup({ cuont: 3 }))).toContain(
      'hostGroups[0].cuont: is not a known field (did you mean "count"?); allowed: name, count, instanceType, image, os, ' +
        'systemDiskSizeGiB, systemDiskType, dataDisks, zoneSpread, roles, hostConfig',
    );
  });

  test('every problem of a file is reported, not only the first', () => {
    const found = problems({ ...base, name: 'X', cloud: 'aws', hostGroups: [{ name: 'w', count: 0 }] });
    expect(found).toHaveLength(3);
  });
});

describe('region spec cross-field errors', () => {
  test.each<[string, unknown, string]>([
    ['missing cloud settings', { ...base, alicloud: undefined }, 'alicloud: is required when cloud is alicloud'],
    ['other cloud settings', { ...base, openstack: {} }, 'openstack: must be absent when cloud is alicloud'],
    [
      'duplicate group',
      { ...base, hostGroups: [{ name: 'a' }, { name: 'a' }] },
      'hostGroups[1].name: must be unique, got "a" twice',
    ],
    [
      'spread beyond zones',
      withGroup({ zoneSpread: 4 }),
      "hostGroups[0].zoneSpread: must be at most the region's 3 zones, got 4",
    ],
    [
      'count beyond capacity',
      withGroup({ count: 100, zoneSpread: 1 }),
      'hostGroups[0].count: must be at most 32 (32 per zone x 1 zones), got 100',
    ],
    [
      'bastion count',
      {
        ...base,
        hostGroups: [{ name: 'bastion', count: 3 }],
        admin: { ...base.admin, sshSources: ['198.51.100.0/24'] },
      },
      'hostGroups[0].count: must be 1 or 2 for the bastion group, got 3',
    ],
    [
      'bastion without sources',
      { ...base, hostGroups: [{ name: 'bastion' }] },
      'admin.sshSources: must list at least one CIDR when a "bastion" host group exists, got []',
    ],
    [
      'unknown backends',
      withLb({ backends: 'web' }),
      'loadBalancers[0].backends: must name a host group (worker), got "web"',
    ],
    [
      'duplicate listener',
      withLb({ listeners: [{ port: 80 }, { port: 80, protocol: 'http' }] }),
      'loadBalancers[0].listeners[1].port: must be unique per transport on one load balancer, got tcp/80 twice',
    ],
    [
      'timeout >= interval',
      withLb({ healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }),
      'loadBalancers[0].healthCheck.timeoutSeconds: must be less than intervalSeconds (5), got 5',
    ],
    [
      'http check on udp',
      withLb({ listeners: [{ port: 53, protocol: 'udp' }], healthCheck: { type: 'http' } }),
      'loadBalancers[0].listeners[0].protocol: must not be udp when healthCheck.type is http; use type tcp',
    ],
    [
      "idle timeout above http listeners' range",
      withLb({ listeners: [{ port: 443 }, { port: 80, protocol: 'http' }], idleTimeoutSeconds: 61 }),
      "loadBalancers[0].idleTimeoutSeconds: must be at most 60 with an http listener (listeners[1]; Alibaba Cloud's http idle timeout), got 61",
    ],
    [
      'path without http',
      withLb({ healthCheck: { path: '/healthz' } }),
      'loadBalancers[0].healthCheck.path: must be absent when healthCheck.type is tcp, got "/healthz"',
    ],
    ['duplicate zones', { ...base, zones: ['a', 'a'] }, 'zones[1]: must be unique, got "a" twice'],
    [
      'oss locking half set',
      { ...base, backend: { type: 'oss', bucket: 'state-bucket', tablestoreTable: 'locks' } },
      'backend: must set both tablestoreEndpoint and tablestoreTable (state locking) or neither',
    ],
    [
      'too many groups',
      {
        ...base,
        network: { cidr: '192.168.0.0/20' },
        hostGroups: ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name })),
      },
      'hostGroups: must have at most 5 groups for network 192.168.0.0/20, got 6; use a wider network.cidr',
    ],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toContain(expected);
  });
});

describe('region files', () => {
  async function tempFile(text: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-spec-'));
    const file = path.join(dir, 'region.yaml');
    await writeFile(file, text);
    return file;
  }

  test('YAML syntax errors carry line and column', () => {
    expect(() => parseYaml('name: a\ncloud: [alicloud\n', 'r.yaml')).toThrow(
      /^r.yaml: 1 problem\n {2}line 3:1: is not valid YAML: Flow sequence in block collection must be sufficiently indented/,
    );
  });

  test('duplicate keys are errors, not silently last-wins', () => {
    expect(() => parseYaml('name: a\nname: b\n', 'r.yaml')).toThrow(
      /line 2:1: is not valid YAML: Map keys must be unique/,
    );
  });

  test('a missing file is a SpecError naming the path', async () => {
    const err = await loadRegionFile('/nonexistent/r.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toBe('/nonexistent/r.yaml: cannot read region file (ENOENT)');
  });

  test('problems of several files are reported together', async () => {
    const a = await tempFile('name: A\n');
    const b = await tempFile('name: b\ncloud: gcp\n');
    const err = await loadRegionFiles([a, b]).catch((e: unknown) => e as SpecError);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toContain(`${a}:`);
    expect((err as SpecError).message).toContain(`${b}:`);
  });

  test('region names must be unique across files', async () => {
    const text = (await import('node:fs/promises')).readFile(EXAMPLE_FILES[0]!, 'utf8');
    const copy = await tempFile(await text);
    await expect(loadRegionFiles([EXAMPLE_FILES[0]!, copy])).rejects.toThrow(
      /name: must be unique across region files, got "example-alicloud" also in/,
    );
  });
});

describe('cluster and role constraints', () => {
  const mesos = (overrides: Record<string, unknown> = {}) =>
    ({
      ...base,
      hostGroups: [
        { name: 'control', count: 3 },
        { name: 'worker', count: 2 },
      ],
      cluster: { kind: 'mesos', rexray: false, ...overrides },
    }) as RegionSpecInput;

  test('a valid Mesos cluster gets its defaults', () => {
    expect(resolveRegionSpec(mesos()).cluster).toEqual({
      kind: 'mesos',
      controlGroup: 'control',
      workerGroup: 'worker',
      domain: 'mesos',
      chronos: true,
      rexray: false,
    });
  });

  test.each<[string, unknown, string]>([
    [
      'unknown kind',
      { ...base, cluster: { kind: 'nomad' } },
      'cluster.kind: must have kind mesos or kubernetes, got "nomad"',
    ],
    [
      'unknown group',
      mesos({ workerGroup: 'agents' }),
      'cluster.workerGroup: must name a host group (control, worker), got "agents"',
    ],
    [
      'same group twice',
      mesos({ workerGroup: 'control' }),
      'cluster.workerGroup: must differ from the other cluster groups, got "control" twice',
    ],
    [
      'even control group',
      { ...mesos(), hostGroups: [{ name: 'control', count: 4 }, { name: 'worker' }] },
      'hostGroups[0].count: must be odd and between 3 and 9 for the Mesos control group (ZooKeeper and master quorum), got 4',
    ],
    [
      'rexray without settings',
      mesos({ rexray: true }),
      'alicloud.rexray: is required when the rexray role runs (cluster.rexray, or a group role); or set cluster.rexray: false',
    ],
    [
      'cluster role without a cluster',
      { ...base, hostGroups: [{ name: 'w', roles: ['weave'] }] },
      'hostGroups[0].roles: weave open ports to the hosts of a cluster; the region has no cluster',
    ],
    [
      'calico without its pool',
      {
        ...mesos(),
        hostGroups: [
          { name: 'control', count: 3, roles: ['etcd'] },
          { name: 'worker', roles: ['calico'] },
        ],
      },
      'hostGroups[1].hostConfig.calicoIpPoolCidr: is required with the calico role (the container address range)',
    ],
    [
      'calico without etcd',
      {
        ...mesos(),
        hostConfig: { calicoIpPoolCidr: '172.24.0.0/14' },
        hostGroups: [
          { name: 'control', count: 3 },
          { name: 'worker', roles: ['calico'] },
        ],
      },
      'hostGroups: must have a group with the etcd role when any group has calico (its datastore)',
    ],
    [
      'keepalived on three hosts',
      {
        ...mesos(),
        hostGroups: [
          { name: 'control', count: 3 },
          { name: 'worker' },
          { name: 'lb', count: 3, zoneSpread: 1, roles: ['keepalived'] },
        ],
      },
      'hostGroups[2].count: must be 2 for the keepalived role (one holder, one standby), got 3',
    ],
    [
      'keepalived over zones',
      {
        ...mesos(),
        hostGroups: [
          { name: 'control', count: 3 },
          { name: 'worker' },
          { name: 'lb', count: 2, roles: ['keepalived'] },
        ],
      },
      "hostGroups[2].zoneSpread: must be 1 for the keepalived role (a virtual IP lives in one zone's subnet), got 3",
    ],
    [
      'calico pool inside the region network',
      {
        ...mesos(),
        hostConfig: { calicoIpPoolCidr: '10.0.64.0/18' },
        hostGroups: [
          { name: 'control', count: 3, roles: ['etcd'] },
          { name: 'worker', roles: ['calico'] },
        ],
      },
      'hostConfig.calicoIpPoolCidr: must not overlap the region network 10.0.0.0/16 (calico role of group worker), got "10.0.64.0/18"; pick a private range outside network.cidr',
    ],
    [
      "a group's own weave range inside the region network",
      {
        ...mesos(),
        network: { cidr: '10.32.0.0/16' },
        hostGroups: [
          { name: 'control', count: 3 },
          { name: 'worker', roles: ['weave'], hostConfig: { weaveIpallocRange: '10.32.128.0/20' } },
        ],
      },
      'hostGroups[1].hostConfig.weaveIpallocRange: must not overlap the region network 10.32.0.0/16 (weave role of group worker), got "10.32.128.0/20"; pick a private range outside network.cidr',
    ],
    [
      "weave's default range inside the region network",
      {
        ...mesos(),
        network: { cidr: '10.40.0.0/16' },
        hostGroups: [
          { name: 'control', count: 3 },
          { name: 'worker', roles: ['weave'] },
        ],
      },
      'hostConfig.weaveIpallocRange: must not overlap the region network 10.40.0.0/16 (weave role of group worker), got "10.32.0.0/12"; pick a private range outside network.cidr',
    ],
    [
      'glusterfs servers that cannot form replica sets',
      {
        ...mesos(),
        hostGroups: [
          { name: 'control', count: 3 },
          { name: 'worker', count: 4, roles: ['glusterfs-server'] },
        ],
      },
      'hostGroups[1].count: must be 2, 3 or a multiple of 3 for the glusterfs-server role (one brick per host, replica sets of 2 or 3), got 4',
    ],
    [
      'glusterfs client without servers',
      {
        ...mesos(),
        hostGroups: [
          { name: 'control', count: 3 },
          { name: 'worker', roles: ['glusterfs-client'] },
        ],
      },
      'hostGroups: must have a group with glusterfs-server when any group has glusterfs-client',
    ],
    [
      'an unknown role name',
      withGroup({ roles: ['mesos-master'] }),
      'hostGroups[0].roles[0]: must be a built-in role (apt, ntp, common, hosts, dnsmasq, docker, docker-clean, node-exporter, cadvisor, glusterfs-server, glusterfs-client, etcd, calico, weave, keepalived, rexray) or a registered one (none registered), got "mesos-master"',
    ],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toContain(expected);
  });
});
