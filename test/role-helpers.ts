/**
 * Rendering roles on real host groups for role tests: a stack, a network and groups, user data per host.
 */
import { parse } from 'yaml';

import { Bastion } from '../constructs/compute/bastion.js';
import { HostGroup } from '../constructs/compute/host-group.js';
import type { IHostRole } from '../constructs/roles/host-role.js';
import type { CloudKind } from '../lib/cloud/types.js';
import type { HostOs } from '../lib/spec/region-spec.js';

import { testNetwork, testStack, type TestStack } from './helpers.js';

export interface RoleFixture extends TestStack {
  readonly network: ReturnType<typeof testNetwork>;
  /** Adds a host group with `count` hosts running `os` (default: HostGroup's). */
  group(name: string, count?: number, os?: HostOs): HostGroup;
}

/** A stack on `cloud` with a three-zone network, ready for host groups. */
export function roleFixture(cloud: CloudKind = 'openstack'): RoleFixture {
  const t = testStack(cloud);
  const network = testNetwork(t);
  return {
    ...t,
    network,
    group: (name, count = 1, os) =>
      new HostGroup(
        t.stack,
        name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
        { network, name, count, os },
      ),
  };
}

/** The rendered cloud-config of every host of `group` (secret references left in place). */
export function renderAll(group: HostGroup): string[] {
  return group.hosts.map((h) => group.renderUserData(h));
}

/** One file written by a host's cloud-config, by path. */
export function fileOf(cloudConfig: string, path: string): { content: string; permissions: string; defer?: boolean } {
  const doc = parse(cloudConfig) as {
    write_files?: { path: string; content: string; permissions: string; defer?: boolean }[];
  };
  const file = doc.write_files?.find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path} in cloud-config`);
  return file;
}

/** A host group with `roles` on it, rendered: the cloud-config of each host. */
export function renderRoles(
  roles: (scope: RoleFixture) => IHostRole[],
  count = 1,
  cloud: CloudKind = 'openstack',
): string[] {
  const f = roleFixture(cloud);
  const group = f.group('test-group', count);
  for (const role of roles(f)) group.addRole(role);
  return renderAll(group);
}

/** A group's ingress rules as `<protocol>/<ports> <peer group or CIDR>` lines, in the order added. */
export function ruleLines(group: Pick<HostGroup, 'securityGroup'>): string[] {
  return group.securityGroup.ingressRules.map(
    (r) => `${r.port.toString()} ${'securityGroup' in r.peer ? r.peer.securityGroup.groupName : r.peer.cidr}`,
  );
}

export interface ClusterFixture extends RoleFixture {
  /** The control group (ZooKeeper, masters). */
  readonly control: HostGroup;
  /** The second group of the cluster (workers or edge). */
  readonly other: HostGroup;
  readonly bastion?: Bastion;
}

/**
 * Two groups forming one cluster: `control` (3 hosts by default) and `other` (2 by default), optionally
 * behind a bastion whose SSH tunnels reach ports open to `bastion`.
 */
export function clusterFixture(
  options: { cloud?: CloudKind; controlCount?: number; other?: string; otherCount?: number; bastion?: boolean } = {},
): ClusterFixture {
  const f = roleFixture(options.cloud);
  // Mesos groups run Debian 12 (cgroup v1 for the agents), as the region spec defaults them
  const control = f.group('control', options.controlCount ?? 3, 'debian-12');
  const other = f.group(options.other ?? 'worker', options.otherCount ?? 2, 'debian-12');
  const bastion = options.bastion
    ? new Bastion(f.stack, 'Bastion', { network: f.network, sshSources: ['203.0.113.0/24'] })
    : undefined;
  for (const g of [control, other]) {
    g.joinCluster('c', [control, other]);
    if (bastion) g.setBastion(bastion.securityGroup);
  }
  return { ...f, control, other, bastion };
}

/** The ExecStart= command line of the unit at `unitPath` in a rendered cloud-config. */
export function execStartOf(cloudConfig: string, unitPath: string): string {
  return /^ExecStart=(.*)$/m.exec(fileOf(cloudConfig, unitPath).content)![1]!;
}
