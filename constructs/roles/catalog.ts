/**
 * The roles a region's host groups can have by name, built from the region's settings. One role object per
 * distinct setting, shared by every group that uses it; a group's `hostConfig` overrides give it its own.
 */
import { Construct } from 'constructs';

import type { HostDefaults, RexrayCloudSettings } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { imageReference, type ImagePin, type RegistryMirror } from '../../lib/images/registry-mirror.js';
import type { CloudKind, GroupRoleName, HostConfig } from '../../lib/spec/region-spec.js';
import { DOCKER_PLUGINS, IMAGES } from '../../lib/versions.js';
import type { HostGroup } from '../compute/host-group.js';

import { Apt } from './apt.js';
import { Cadvisor } from './cadvisor.js';
import { Calico } from './calico.js';
import { Common } from './common.js';
import { Dnsmasq, type DnsForward } from './dnsmasq.js';
import { DockerClean } from './docker-clean.js';
import { Docker } from './docker.js';
import { Etcd, etcdEndpoints } from './etcd.js';
import { GlusterfsClient, GlusterfsServer } from './glusterfs.js';
import type { IHostRole, InventoryHost } from './host-role.js';
import { Hosts } from './hosts.js';
import { Keepalived } from './keepalived.js';
import { NodeExporter } from './node-exporter.js';
import { Ntp } from './ntp.js';
import { Rexray } from './rexray.js';
import { Weave } from './weave.js';

/**
 * Properties of a {@link RoleCatalog}: the region's settings the roles are built from.
 */
export interface RoleCatalogProps {
  readonly cloud: CloudKind;
  /** The cloud's in-network services (mirror, NTP, DNS). */
  readonly hostDefaults: HostDefaults;
  /** The cloud's REX-Ray settings. @default - none: the rexray role cannot be used */
  readonly rexray?: RexrayCloudSettings;
  readonly adminUser: string;
  readonly sshKeys: readonly string[];
  /** Pinned images are pulled through it. @default - straight from their registries */
  readonly registryMirror?: RegistryMirror;
  /** The region's host groups, read when roles render (server lists of client roles). */
  readonly groups: () => readonly HostGroup[];
  /**
   * The group whose hosts serve or seed a role for every other group (weave seeds, GlusterFS servers, etcd
   * members for Calico): the cluster's control group, stable while other groups grow.
   * @default - the first group, in region order, that has the role
   */
  readonly seedGroup?: string;
}

interface Factory {
  /** The settings the role depends on (part of its identity). */
  readonly settings: (c: HostConfig, group: HostGroup) => unknown;
  readonly create: (scope: Construct, id: string, c: HostConfig, group: HostGroup) => IHostRole;
}

/** Roles every host of a region gets, in this order. */
export const BASE_ROLES: readonly GroupRoleName[] = ['apt', 'ntp', 'common', 'hosts'];

/**
 * The roles a region's host groups can have by name, built from the region's settings: one role object per
 * distinct setting, shared by the groups that use it.
 */
export class RoleCatalog extends Construct {
  public readonly cloud: CloudKind;
  public readonly hostDefaults: HostDefaults;
  public readonly adminUser: string;
  public readonly sshKeys: readonly string[];
  public readonly registryMirror?: RegistryMirror;
  private readonly groups: () => readonly HostGroup[];
  private readonly seedGroup?: string;
  private readonly made = new Map<string, IHostRole>();
  private readonly dnsForwards: DnsForward[] = [];
  private readonly factories: Partial<Record<GroupRoleName, Factory>>;

  constructor(scope: Construct, id: string, props: RoleCatalogProps) {
    super(scope, id);
    this.cloud = props.cloud;
    this.hostDefaults = props.hostDefaults;
    this.adminUser = props.adminUser;
    this.sshKeys = props.sshKeys;
    this.registryMirror = props.registryMirror;
    this.groups = props.groups;
    this.seedGroup = props.seedGroup;
    this.factories = {
      apt: {
        settings: (c) => [c.aptMirror ?? null, c.unattendedUpgrades],
        create: (s, id, c) =>
          new Apt(s, id, {
            mirror: c.aptMirror,
            cloudMirrors: this.hostDefaults.aptMirrors,
            unattendedUpgrades: c.unattendedUpgrades,
          }),
      },
      ntp: {
        settings: (c) => c.ntpServers ?? null,
        create: (s, id, c) =>
          new Ntp(s, id, { servers: c.ntpServers ?? this.hostDefaults.ntpServers, pool: this.hostDefaults.ntpPool }),
      },
      common: {
        settings: (c) => [c.sysctls, c.nofileLimit],
        create: (s, id, c) =>
          new Common(s, id, {
            adminUser: this.adminUser,
            sshKeys: this.sshKeys,
            sysctls: c.sysctls,
            nofileLimit: c.nofileLimit,
          }),
      },
      hosts: { settings: () => null, create: (s, id) => new Hosts(s, id) },
      docker: {
        settings: (c) => dockerProps(c),
        create: (s, id, c) => new Docker(s, id, dockerProps(c)),
      },
      dnsmasq: {
        settings: (c) => c.dnsRedirects,
        create: (s, id, c) =>
          new Dnsmasq(s, id, {
            redirects: c.dnsRedirects,
            forwards: () => [...this.dnsForwards],
            upstreams: this.hostDefaults.dnsResolvers,
          }),
      },
      'docker-clean': {
        settings: (c) => [c.dockerCleanSchedule, c.dockerCleanKeepHours],
        create: (s, id, c) =>
          new DockerClean(s, id, {
            schedule: c.dockerCleanSchedule,
            keepHours: c.dockerCleanKeepHours,
            // every pinned image as this region's hosts pull it: never pruned, even while no container uses it
            keepImages: Object.values(IMAGES).map((pin) => this.image(pin)),
          }),
      },
      'node-exporter': { settings: () => null, create: (s, id) => new NodeExporter(s, id) },
      'glusterfs-server': { settings: () => null, create: (s, id) => new GlusterfsServer(s, id) },
      'glusterfs-client': {
        settings: () => null,
        // one group's servers: each server group forms its own pool, and a client's list must not grow with others
        create: (s, id) => new GlusterfsClient(s, id, { servers: () => this.seedHosts('glusterfs-server') }),
      },
      etcd: { settings: () => null, create: (s, id) => new Etcd(s, id) },
      cadvisor: {
        settings: () => null,
        create: (s, id) => new Cadvisor(s, id, { image: this.image(IMAGES.cadvisor) }),
      },
      calico: {
        settings: (c) => c.calicoIpPoolCidr ?? null,
        create: (s, id, c, g) => {
          if (!c.calicoIpPoolCidr)
            throw new SpecError(`${g.node.path}: the calico role needs hostConfig.calicoIpPoolCidr`);
          return new Calico(s, id, {
            image: this.image(IMAGES.calicoNode),
            cniImage: this.image(IMAGES.calicoCni),
            ctlImage: this.image(IMAGES.calicoCtl),
            // one group's members: each etcd group is a cluster of its own
            etcdEndpoints: () => etcdEndpoints(this.seedHosts('etcd')).split(',').filter(Boolean),
            ipPoolCidr: c.calicoIpPoolCidr,
          });
        },
      },
      weave: {
        settings: (c) => c.weaveIpallocRange ?? null,
        create: (s, id, c) =>
          new Weave(s, id, {
            image: this.image(IMAGES.weave),
            seeds: () => this.seedHosts('weave'),
            ipallocRange: c.weaveIpallocRange,
          }),
      },
      rexray: {
        settings: () => null,
        create: (s, id, _c, g) => {
          const settings = props.rexray;
          if (!settings) throw new SpecError(`${g.node.path}: the rexray role needs the cloud block's rexray settings`);
          const pluginImage = settings.driver === 'cinder' ? DOCKER_PLUGINS.rexrayCinder : DOCKER_PLUGINS.rexrayS3fs;
          return new Rexray(s, id, { ...settings, pluginImage });
        },
      },
      // one virtual IP per group: the role is the group's own
      keepalived: {
        settings: (c, g) => [g.node.path, c.keepalivedCheckPorts],
        create: (s, id, c, g) => {
          const virtualIp = g.addVirtualIp('Keepalived');
          const zone = g.hosts[0]!.zoneIndex;
          return new Keepalived(s, id, {
            virtualIp,
            prefixLength: Number(g.network.plan.zoneSubnet(zone).split('/')[1]),
            // infrastructure addresses are offsets 2..15 of a zone subnet: unique router ids per subnet
            virtualRouterId: Number(virtualIp.split('.')[3]),
            checkPorts: c.keepalivedCheckPorts,
          });
        },
      },
    };
  }

  /** Role names this catalog can build. */
  public get roleNames(): GroupRoleName[] {
    return Object.keys(this.factories) as GroupRoleName[];
  }

  /** The role `name` for `group` with settings `config`; the same object wherever the settings are the same. */
  public role(name: GroupRoleName, config: HostConfig, group: HostGroup): IHostRole {
    const factory = this.factories[name];
    if (!factory) throw new Error(`${this.node.path}: no role ${name} in the catalog`);
    const key = `${name} ${JSON.stringify(factory.settings(config, group))}`;
    let role = this.made.get(key);
    if (!role) {
      const variants = [...this.made.keys()].filter((k) => k.startsWith(`${name} `)).length;
      role = factory.create(this, `${pascal(name)}${variants === 0 ? '' : variants + 1}`, config, group);
      this.made.set(key, role);
    }
    return role;
  }

  /** Hosts of every group that has the role, groups in region order. */
  public hostsWithRole(roleName: string): InventoryHost[] {
    return this.groups()
      .filter((g) => g.hasRole(roleName))
      .flatMap((g) => g.hosts);
  }

  /**
   * The hosts that serve or seed a role for the rest of the region (weave seeds, GlusterFS servers, etcd
   * members for clients): those of the seed group when it has the role, else of the first group (region order)
   * that has it. Never more than one group's, so no other group's size or roles reach them.
   */
  public seedHosts(roleName: string): InventoryHost[] {
    const withRole = this.groups().filter((g) => g.hasRole(roleName));
    const seed = withRole.find((g) => g.groupName === this.seedGroup) ?? withRole[0];
    return seed ? [...seed.hosts] : [];
  }

  /** Sends a domain to other servers on every host with dnsmasq (the Mesos domain to mesos-dns). */
  public addDnsForward(forward: DnsForward): void {
    this.dnsForwards.push(forward);
    this.groups()[0]?.network.changed();
  }

  /** A pinned image as this region's hosts pull it. */
  public image(pin: ImagePin): string {
    return imageReference(pin, this.registryMirror);
  }
}

function dockerProps(c: HostConfig) {
  return {
    registryMirrors: c.dockerRegistryMirrors,
    insecureRegistries: c.dockerInsecureRegistries,
    logMaxSizeMiB: c.dockerLogMaxSizeMiB,
    logMaxFiles: c.dockerLogMaxFiles,
    storageDriver: c.dockerStorageDriver,
    liveRestore: c.dockerLiveRestore,
    iptables: c.dockerIptables,
    minApiVersion: c.dockerMinApiVersion,
  };
}

/** `docker-clean` -> `DockerClean`. */
function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
