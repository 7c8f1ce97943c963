/**
 * A group of identical hosts spread round-robin over the region's zones, each with a deterministic private
 * address and its own first-boot cloud-config.
 */
import { Construct } from 'constructs';

import type { HostRefs } from '../../lib/cloud/types.js';
import { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { SpecError } from '../../lib/errors.js';
import { hostName } from '../../lib/names.js';
import { HOST_BLOCK_SIZE } from '../../lib/net/network-plan.js';
import type { DataDiskSpec } from '../../lib/spec/region-spec.js';
import { checkRange } from '../../lib/validate.js';
import type { INetwork } from '../network/network.js';
import { SecurityGroup, type ISecurityGroup } from '../network/security-group.js';

/** Administrative login put on every host. */
export interface AdminAccess {
  /** Login name. */
  readonly user: string;
  /** OpenSSH public keys. */
  readonly sshKeys: readonly string[];
}

/** One host as other constructs (and roles) see it. */
export interface HostInfo {
  /** 0-based position in the group. */
  readonly index: number;
  /** `<region>-<group>-<n>`, n = index + 1. */
  readonly name: string;
  readonly zoneIndex: number;
  readonly privateIp: string;
}

/** Something that adds to every host's cloud-config (the host-role model builds on this). */
export interface IHostConfigurator {
  configure(host: HostInfo, config: CloudConfig): void;
}

export interface HostGroupProps {
  /** Network the hosts are placed in. */
  readonly network: INetwork;
  /** Group name; part of every host name. */
  readonly name: string;
  /** Number of hosts. @default 1 */
  readonly count?: number;
  /** Instance type in the cloud's own terms (`ecs.g7.large`, `m1.large`). @default - the adapter's small type */
  readonly instanceType?: string;
  /** Exact image name. @default - the adapter's Ubuntu 24.04 LTS image */
  readonly image?: string;
  /** Root disk size in GiB. @default 40 */
  readonly systemDiskSizeGiB?: number;
  /** Root disk type in the cloud's terms. @default - the adapter's SSD type */
  readonly systemDiskType?: string;
  /** Extra disks, attached in order. @default - none */
  readonly dataDisks?: readonly DataDiskSpec[];
  /** Spread over this many of the network's zones. @default - all of the network's zones */
  readonly zoneSpread?: number;
  /** Admin login on every host. @default - no login user (hosts reachable by no one) */
  readonly admin?: AdminAccess;
  /** Give every host a public address. Only the bastion does this. @default false */
  readonly publicIp?: boolean;
}

export interface IHostGroup {
  readonly groupName: string;
  readonly network: INetwork;
  readonly securityGroup: ISecurityGroup;
  readonly hosts: readonly HostInfo[];
  /** Cloud references (ids, addresses) per host, in host order. */
  readonly hostRefs: readonly HostRefs[];
}

export class HostGroup extends Construct implements IHostGroup {
  public readonly groupName: string;
  public readonly network: INetwork;
  public readonly securityGroup: SecurityGroup;
  public readonly hosts: readonly HostInfo[];
  public readonly hostRefs: readonly HostRefs[];
  private readonly admin?: AdminAccess;
  private readonly configurators: IHostConfigurator[] = [];

  constructor(scope: Construct, id: string, props: HostGroupProps) {
    super(scope, id);
    this.network = props.network;
    this.groupName = props.name;
    this.admin = props.admin;
    const count = props.count ?? 1;
    const systemDiskSizeGiB = props.systemDiskSizeGiB ?? 40;
    const zoneSpread = props.zoneSpread ?? props.network.zoneCount;
    const dataDisks = props.dataDisks ?? [];
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
        name: hostName(this.network.regionName, this.groupName, index + 1),
        zoneIndex,
        privateIp: this.network.plan.hostAddress(block, zoneIndex, Math.floor(index / zoneSpread)),
      };
    });
    this.hostRefs = this.hosts.map((host) =>
      this.network.cloud.host(this, `Host${host.index + 1}`, {
        name: host.name,
        zoneIndex: host.zoneIndex,
        zoneName: this.network.zoneNames[host.zoneIndex]!,
        subnetId: this.network.subnetIds[host.zoneIndex]!,
        networkId: this.network.networkId,
        privateIp: host.privateIp,
        instanceType: props.instanceType,
        image: props.image,
        systemDiskSizeGiB,
        systemDiskType: props.systemDiskType,
        dataDisks: dataDisks.map((d, i) => ({ name: `${host.name}-data-${i + 1}`, sizeGiB: d.sizeGiB, type: d.type })),
        securityGroupIds: [this.securityGroup.securityGroupId],
        renderUserData: () => this.renderUserData(host),
        publicIp: props.publicIp ?? false,
        tags: { ...this.network.tags, 'regionkit-group': this.groupName },
      }),
    );
  }

  /** Adds something that writes into every host's cloud-config; rendered at synth, so order of calls is kept. */
  public addConfigurator(configurator: IHostConfigurator): void {
    this.configurators.push(configurator);
  }

  /** The `#cloud-config` document of one host, as it will be passed to the cloud. */
  public renderUserData(host: HostInfo): string {
    const config = new CloudConfig();
    config.setHostname(host.name);
    if (this.admin) {
      config.addUser({
        name: this.admin.user,
        sudo: true,
        groups: ['adm', 'sudo'],
        sshAuthorizedKeys: this.admin.sshKeys,
      });
    }
    for (const c of this.configurators) c.configure(host, config);
    return config.render();
  }
}
