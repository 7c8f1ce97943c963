/**
 * A group of identical hosts spread round-robin over the region's zones, each with a deterministic private
 * address and its own first-boot cloud-config rendered from the group's host roles.
 */

import { Construct } from 'constructs';

import { resourceAt, type InstanceResource } from '../../lib/cloud/resources.js';
import type { HostRefs, IHostSecrets } from '../../lib/cloud/types.js';
import { estimatedUserDataBytes } from '../../lib/cloud/user-data.js';
import {
  beginSecretDelivery,
  finishSecretDelivery,
  HostCloudConfig,
  type SecretDeliveryProps,
} from '../../lib/cloudinit/secret-delivery.js';
import { SpecError } from '../../lib/errors.js';
import { hostName } from '../../lib/names.js';
import { HOST_BLOCK_SIZE } from '../../lib/net/network-plan.js';
import { DEFAULT_HOST_OS, type DataDiskSpec, type HostOs } from '../../lib/spec/region-spec.js';
import { checkRange } from '../../lib/validate.js';
import type { INetwork } from '../network/network.js';
import { Peers, Port, SecurityGroup, type ISecurityGroup, type Peer } from '../network/security-group.js';
import { configureDataDisks, dataDiskProblems } from '../roles/data-disk.js';
import type { HostContext, IHostRole, InventoryHost, RolePort } from '../roles/host-role.js';
import { orderRoles } from '../roles/role-order.js';

import { ensureSecretVariable } from './secret-variable.js';

/** One host as other constructs see it. */
export type HostInfo = InventoryHost;

/**
 * Properties of a {@link HostGroup}: how many hosts, of which type and OS, with which disks and roles.
 */
export interface HostGroupProps {
  /** Network the hosts are placed in. */
  readonly network: INetwork;
  /** Group name; part of every host name. */
  readonly name: string;
  /** Number of hosts. @default 1 */
  readonly count?: number;
  /** Instance type in the cloud's own terms (`ecs.g7.large`, `m1.large`). @default - the adapter's small type */
  readonly instanceType?: string;
  /** Host operating system; roles render for it and the adapter's default image runs it. @default 'debian-13' */
  readonly os?: HostOs;
  /** Exact image name; must run `os`. @default - the adapter's image of `os` */
  readonly image?: string;
  /** Root disk size in GiB. @default 40 */
  readonly systemDiskSizeGiB?: number;
  /** Root disk type in the cloud's terms. @default - the adapter's SSD type */
  readonly systemDiskType?: string;
  /** Extra disks, attached in order. @default - none */
  readonly dataDisks?: readonly DataDiskSpec[];
  /** Spread over this many of the network's zones. @default - all of the network's zones */
  readonly zoneSpread?: number;
  /** Give every host a public address. Only the bastion does this. @default false */
  readonly publicIp?: boolean;
  /** Host roles, configured in dependency order. @default - none (add with `addRole`) */
  readonly roles?: readonly IHostRole[];
}

/**
 * A host group as other constructs use it (load balancers, roles that list servers): its hosts and their cloud
 * references.
 */
export interface IHostGroup {
  readonly groupName: string;
  readonly network: INetwork;
  readonly securityGroup: ISecurityGroup;
  readonly hosts: readonly HostInfo[];
  /** Cloud references (ids, addresses) per host, in host order. */
  readonly hostRefs: readonly HostRefs[];
}

/**
 * A group of identical hosts with fixed private addresses from the region's address plan, spread round-robin over
 * zones, each booting from its own rendered cloud-config (the group's roles, in dependency order), behind the
 * group's own security group. Throws a `SpecError` for counts, disk sizes or names out of range, a role cycle or a
 * missing required role, and user data over the cloud's limit (Alibaba Cloud 32 KB, Nova 65,535 bytes, as Base64).
 * @see https://www.alibabacloud.com/help/en/ecs/user-guide/customize-the-initialization-configuration-for-an-instance
 * @see https://docs.openstack.org/nova/latest/user/metadata.html#user-data
 */
export class HostGroup extends Construct implements IHostGroup {
  public readonly groupName: string;
  public readonly network: INetwork;
  public readonly securityGroup: SecurityGroup;
  public readonly hosts: readonly HostInfo[];
  public readonly hostRefs: readonly HostRefs[];
  public readonly os: HostOs;
  private readonly roleList: IHostRole[] = [];
  private pendingPorts: { role: IHostRole; port: RolePort }[] = [];
  /** Set by attachConfigDrive(); read at synth. */
  private configDrive = false;
  private cluster?: { name: string; groups: readonly IHostGroup[] };
  /** Rendered user data per host; validation and synth both need it, and YAML rendering is not free. */
  private readonly rendered = new Map<number, { key: number; text: string }>();
  private bastion?: ISecurityGroup;
  private readonly dataDisks: readonly DataDiskSpec[];
  private secretAccess?: IHostSecrets;
  private readonly virtualIpList: string[] = [];

  constructor(scope: Construct, id: string, props: HostGroupProps) {
    super(scope, id);
    this.network = props.network;
    this.groupName = props.name;
    this.os = props.os ?? DEFAULT_HOST_OS;
    const count = props.count ?? 1;
    const systemDiskSizeGiB = props.systemDiskSizeGiB ?? 40;
    const zoneSpread = props.zoneSpread ?? props.network.zoneCount;
    const dataDisks = props.dataDisks ?? [];
    this.dataDisks = dataDisks;
    checkRange(this, 'count', count, 1, 100);
    checkRange(this, 'systemDiskSizeGiB', systemDiskSizeGiB, 20, 2048);
    checkRange(this, 'zoneSpread', zoneSpread, 1, props.network.zoneCount);
    dataDisks.forEach((d, i) => checkRange(this, `dataDisks[${i}].sizeGiB`, d.sizeGiB, 20, 32768));
    if (count > HOST_BLOCK_SIZE * zoneSpread) {
      throw new SpecError(
        `${this.node.path}: count must be at most ${HOST_BLOCK_SIZE * zoneSpread} (${HOST_BLOCK_SIZE} per zone x ` +
          `${zoneSpread} zones), got ${count}`,
      );
    }

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', { network: this.network, name: this.groupName });
    const block = this.network.reserveHostBlock(this.node.path);
    this.hosts = Array.from({ length: count }, (_, index) => {
      const zoneIndex = index % zoneSpread;
      return {
        index,
        group: this.groupName,
        name: hostName(this.network.regionName, this.groupName, index + 1),
        zoneIndex,
        privateIp: this.network.plan.hostAddress(block, zoneIndex, Math.floor(index / zoneSpread)),
      };
    });
    this.network.registerHosts(this.hosts);
    this.hostRefs = this.hosts.map((host) =>
      this.network.cloud.host(this, `Host${host.index + 1}`, {
        name: host.name,
        zoneIndex: host.zoneIndex,
        zoneName: this.network.zoneNames[host.zoneIndex]!,
        subnetId: this.network.subnetIds[host.zoneIndex]!,
        networkId: this.network.networkId,
        privateIp: host.privateIp,
        instanceType: props.instanceType,
        os: this.os,
        image: props.image,
        systemDiskSizeGiB,
        systemDiskType: props.systemDiskType,
        dataDisks: dataDisks.map((d, i) => ({ name: `${host.name}-data-${i + 1}`, sizeGiB: d.sizeGiB, type: d.type })),
        securityGroupIds: [this.securityGroup.securityGroupId],
        renderUserData: () => this.renderUserData(host),
        userDataRefs: () => this.secretAccess?.refs() ?? {},
        publicIp: props.publicIp ?? false,
        tags: { ...this.network.tags, 'regionkit-group': this.groupName },
        // spread over physical hosts (issue 8): one anti-affinity server group / deployment set per group
        placementGroup: `${this.network.regionName}-${this.groupName}`,
        zoneSlot: Math.floor(host.index / zoneSpread),
        configDrive: () => this.configDrive,
      }),
    );
    for (const role of props.roles ?? []) this.addRole(role);
    // A safety net for groups composed by hand; RegionStack calls validateRoles() itself, earlier.
    this.node.addValidation({ validate: () => this.roleProblems().map((p) => p.message) });
  }

  /**
   * The instance resource of every host, in host order, typed by the generated binding: `Instance` (alicloud)
   * or `ComputeInstanceV2` (openstack). Narrow with `instanceof` on the class from `regionkit/alicloud` or
   * `regionkit/openstack`.
   */
  public get instances(): InstanceResource[] {
    return this.hosts.map((h) =>
      resourceAt<InstanceResource>(
        this,
        [[`Host${h.index + 1}`], ['Resource']],
        ['alicloud_instance', 'openstack_compute_instance_v2'],
      ),
    );
  }

  /** The group's roles in the order they configure a host. */
  public get roles(): IHostRole[] {
    return orderRoles(this.roleList, this.node.path);
  }

  /** True when a role of that name is on the group. */
  public hasRole(roleName: string): boolean {
    return this.roleList.some((r) => r.roleName === roleName);
  }

  /**
   * Adds a host role: its cloud-config is rendered at synth time, its ports become security-group rules,
   * its secrets become sensitive Terraform variables whose values go to the cloud's secret store, which the
   * group's hosts read at boot (lib/cloudinit/secret-delivery.ts). Adding the same role object twice is a no-op; two
   * different roles with one name is an error.
   */
  public addRole(role: IHostRole): void {
    const existing = this.roleList.find((r) => r.roleName === role.roleName);
    if (existing === role) return;
    if (existing)
      throw new SpecError(`${this.node.path}: role ${role.roleName} is added twice with different settings`);
    this.roleList.push(role);
    this.network.changed();
    const group = { scope: this, groupName: this.groupName, hosts: this.hosts };
    for (const secret of [...role.secrets, ...(role.groupSecrets?.(group) ?? [])]) {
      const value = secret.value ?? ensureSecretVariable(this, secret).stringValue;
      this.hostSecrets().addSecret({ name: secret.name, description: secret.description, value });
    }
    this.pendingPorts.push(...role.ports.map((port) => ({ role, port })));
    this.applyPorts();
  }

  /** Makes the group part of a cluster: role ports open to `cluster` admit every member group. */
  public joinCluster(name: string, groups: readonly IHostGroup[]): void {
    if (this.cluster && this.cluster.name !== name) {
      throw new SpecError(`${this.node.path}: is already part of cluster ${this.cluster.name}, not ${name}`);
    }
    this.cluster = { name, groups };
    this.applyPorts();
  }

  /**
   * Gives every host of the group a config drive (where the cloud has one: OpenStack), for daemons that read the
   * instance's id or zone after the metadata service is closed (a kubeadm cluster's CSI node plugin). Forces new
   * instances, so call it before the group is first deployed.
   */
  public attachConfigDrive(): void {
    this.configDrive = true;
  }

  /** Names the region's bastion: role ports open to `bastion` admit it. */
  public setBastion(bastion: ISecurityGroup): void {
    this.bastion = bastion;
    this.applyPorts();
  }

  /**
   * A virtual IP every host of the group may hold (keepalived moves it). The hosts must share one zone: the
   * address belongs to that zone's subnet. Returns the address.
   */
  public addVirtualIp(owner: string): string {
    const zones = [...new Set(this.hosts.map((h) => h.zoneIndex))];
    if (zones.length !== 1) {
      throw new SpecError(
        `${this.node.path}: a virtual IP needs every host of the group in one zone (zoneSpread: 1), got zones ${zones.map((z) => z + 1).join(', ')}`,
      );
    }
    const zone = zones[0]!;
    const address = this.network.reserveInfraAddress(`${this.node.path}/${owner}`, zone);
    this.network.cloud.virtualIp(this, `VirtualIp${owner}`, {
      name: `${this.network.regionName}-${this.groupName}-vip`,
      subnetId: this.network.subnetIds[zone]!,
      networkId: this.network.networkId,
      address,
      hostIds: this.hostRefs.map((r) => r.id),
      tags: { ...this.network.tags, 'regionkit-group': this.groupName },
    });
    this.virtualIpList.push(address);
    return address;
  }

  /** Addresses added with `addVirtualIp` (keepalived's), in the order added; a copy. */
  public get virtualIps(): string[] {
    return [...this.virtualIpList];
  }

  /** Orders the roles and renders every host once; throws `SpecError` on a cycle or oversized user data. */
  public validateRoles(): void {
    const problems = this.roleProblems();
    if (problems.length > 0) {
      throw new SpecError(problems.map((p) => p.message).join('\n'), { hint: problems.find((p) => p.hint)?.hint });
    }
  }

  /** The `#cloud-config` document of one host; secret references stay placeholders the host fills at boot. */
  public renderUserData(host: HostInfo): string {
    const key = this.network.revision;
    const cached = this.rendered.get(host.index);
    if (cached?.key === key) return cached.text;
    const text = this.renderFresh(host);
    this.rendered.set(host.index, { key, text });
    return text;
  }

  /** The group's access to the secret store, created with its first secret. */
  private hostSecrets(): IHostSecrets {
    this.secretAccess ??= this.network.cloud.hostSecrets(this, 'Secrets', {
      name: `${this.network.regionName}-${this.groupName}`,
      regionName: this.network.regionName,
      hostIds: this.hostRefs.map((r) => r.id),
      tags: { ...this.network.tags, 'regionkit-group': this.groupName },
    });
    return this.secretAccess;
  }

  private renderFresh(host: HostInfo): string {
    const config = new HostCloudConfig();
    config.setHostname(host.name);
    const delivery: SecretDeliveryProps = {
      cloud: this.network.cloud.kind,
      ...(this.secretAccess ? { fetch: this.secretAccess.fetchSettings() } : {}),
    };
    // Before the roles: the guard and the fetch start first at first boot.
    beginSecretDelivery(config, delivery);
    const roles = this.roles;
    const ctx: HostContext = {
      host,
      groupHosts: this.hosts,
      region: {
        name: this.network.regionName,
        cidr: this.network.cidr,
        cloud: this.network.cloud.kind,
        ...(this.network.dnsDomain ? { dnsDomain: this.network.dnsDomain } : {}),
      },
      os: this.os,
      roles: roles.map((r) => r.roleName),
    };
    // before the roles: their units require the mounts
    configureDataDisks(config, this.dataDisks, this.roleDataDirs(roles));
    for (const role of roles) role.configure(ctx, config);
    finishSecretDelivery(config, delivery);
    return config.render();
  }

  private roleProblems(): { message: string; hint?: string }[] {
    try {
      orderRoles(this.roleList, this.node.path);
    } catch (err) {
      if (err instanceof SpecError) return [{ message: err.message, hint: err.hint }];
      throw err;
    }
    const problems: { message: string; hint?: string }[] = [];
    for (const message of dataDiskProblems(this.dataDisks, this.roleDataDirs(this.roleList))) {
      problems.push({ message: `${this.node.path}: ${message}` });
    }
    const cloud = this.network.cloud;
    for (const host of this.hosts) {
      const text = this.renderUserData(host);
      const raw = Buffer.byteLength(text);
      const encoded = estimatedUserDataBytes(text, cloud.userDataEncoding ?? 'plain');
      if (encoded > cloud.maxUserDataBytes) {
        problems.push({
          message:
            `${this.node.path}: user data of ${host.name} is ${raw} bytes (${encoded} Base64-encoded); ${cloud.kind} ` +
            `accepts at most ${cloud.maxUserDataBytes} encoded bytes`,
          hint: 'move roles to another host group, or bake large files into the image',
        });
      }
    }
    if (this.pendingPorts.some((p) => p.port.from === 'cluster')) {
      const roles = [
        ...new Set(this.pendingPorts.filter((p) => p.port.from === 'cluster').map((p) => p.role.roleName)),
      ];
      problems.push({
        message: `${this.node.path}: roles ${roles.join(', ')} open ports to their cluster, but the group is in no cluster`,
      });
    }
    return problems;
  }

  /** The state directories of the group's roles, each marked with its role. */
  private roleDataDirs(roles: readonly IHostRole[]) {
    return roles.flatMap((r) =>
      (r.dataDirs ?? []).map((d) => ({ ...d, description: `${d.description} of role ${r.roleName}` })),
    );
  }

  /** Creates the security-group rules of every role port whose source is known by now. */
  private applyPorts(): void {
    this.pendingPorts = this.pendingPorts.filter(({ role, port }) => {
      const peers = this.peersFor(port);
      if (peers === undefined) return true;
      const range =
        port.protocol === 'vrrp' ? Port.vrrp() : Port.of(port.protocol, port.port, port.toPort ?? port.port);
      for (const peer of peers) this.securityGroup.allowFrom(peer, range, `${role.roleName}: ${port.description}`);
      return false;
    });
  }

  /** Peers a port admits; undefined while its source is not known yet. */
  private peersFor(port: RolePort): Peer[] | undefined {
    switch (port.from) {
      case 'group':
        return [Peers.securityGroup(this.securityGroup)];
      case 'cluster':
        return this.cluster?.groups.map((g) => Peers.securityGroup(g.securityGroup));
      case 'bastion':
        return this.bastion ? [Peers.securityGroup(this.bastion)] : undefined;
      case 'region':
        return [Peers.ipv4(this.network.cidr, 'region')];
      case 'loadBalancer':
        return []; // the load balancer in front of the group opens its listener ports itself
    }
  }
}
