/**
 * The region's private network: one subnet per zone, outbound internet through the cloud's NAT or router,
 * addresses planned deterministically (see `lib/net/network-plan.ts`).
 */
import { Construct } from 'constructs';

import { resourceAt, type NetworkResource, type SubnetResource } from '../../lib/cloud/resources.js';
import type { ICloud } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { DNS_LABEL, regionDnsDomain } from '../../lib/names.js';
import { HOST_BLOCK_SIZE, INFRA_ADDRESSES, NetworkPlan, regionCidrProblem } from '../../lib/net/network-plan.js';
import { MAX_ZONES } from '../../lib/spec/region-spec.js';
import { checkPattern, checkRange } from '../../lib/validate.js';
import { assertSameCopies } from '../one-copy.js';
import type { InventoryHost } from '../roles/host-role.js';

/**
 * Properties of a {@link Network}: the cloud adapter, the region name, its private CIDR and its zones.
 */
export interface NetworkProps {
  /** Adapter of the cloud the network lives on. */
  readonly cloud: ICloud;
  /** Region name; prefixes every physical name in the region. */
  readonly regionName: string;
  /** Private IPv4 CIDR, /12 to /20. @default '10.0.0.0/16' */
  readonly cidr?: string;
  /** Zone count (the first N the cloud lists) or explicit zone names. @default 3 */
  readonly zones?: number | readonly string[];
  /** Tags for every resource of the region. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A region network as other constructs see it. */
export interface INetwork {
  readonly cloud: ICloud;
  readonly regionName: string;
  readonly cidr: string;
  readonly plan: NetworkPlan;
  readonly zoneCount: number;
  readonly networkId: string;
  /** Subnet id per zone index. */
  readonly subnetIds: readonly string[];
  /** Zone name per zone index (may be tokens). */
  readonly zoneNames: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Domain of the region's private DNS zone: every host has a record `<host name>.<dnsDomain>`.
   * @default - none: the cloud has no private DNS the region uses (OpenStack `privateDns: none`)
   */
  readonly dnsDomain?: string;
  /** Reserves the next block of host addresses (one per host group, in construction order). */
  reserveHostBlock(owner: string): number;
  /** Reserves the next fixed infrastructure address of a zone (LB and virtual IPs), in construction order. */
  reserveInfraAddress(owner: string, zone?: number): string;
  /** Adds hosts to the region's inventory (address and name clashes are checked against it; no role reads it). */
  registerHosts(hosts: readonly InventoryHost[]): void;
  /** Every registered host, groups in construction order (a copy). */
  readonly inventory: InventoryHost[];
  /**
   * Counts changes that can alter any host's rendered configuration (hosts, roles, DNS forwards anywhere in
   * the region): rendered user data is reused only while it stays the same.
   */
  readonly revision: number;
  /** Records such a change. */
  changed(): void;
}

/**
 * What {@link Network.fromAttributes} needs to place host groups and load balancers in a network that exists
 * already (made by another stack, another regionkit region, or by hand).
 *
 * Host addresses are planned, not asked for: the subnets must be laid out as {@link NetworkPlan} lays out `cidr`
 * (subnet `i` is `plan.zoneSubnet(i)`, its gateway the first address), which holds for a network another
 * regionkit region made with the same `cidr` and zones. Otherwise hosts get addresses outside their subnet and
 * the cloud rejects them at apply.
 */
export interface NetworkAttributes {
  /** Adapter of the cloud the network lives on. */
  readonly cloud: ICloud;
  /** Region name; prefixes every physical name of what is added to the network. */
  readonly regionName: string;
  /** The network's private IPv4 CIDR, /12 to /20. */
  readonly cidr: string;
  /** VPC id (Alibaba Cloud) or Neutron network id (OpenStack). */
  readonly networkId: string;
  /** vSwitch (Alibaba Cloud) or subnet (OpenStack) id per zone, in plan order; 1 to 8 of them. */
  readonly subnetIds: readonly string[];
  /** Zone name of each subnet, same length and order as `subnetIds`. */
  readonly zoneNames: readonly string[];
  /** Tags for every resource added to the network. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Domain of the network's private DNS zone, where `host()` adds each host's record.
   * @default - none: hosts get no DNS records
   */
  readonly dnsDomain?: string;
}

/**
 * Address and host bookkeeping shared by a network made here ({@link Network}) and one imported with
 * {@link Network.fromAttributes}; a base for networks of your own that host groups can join.
 */
export abstract class NetworkBase extends Construct implements INetwork {
  public readonly cloud: ICloud;
  public readonly regionName: string;
  public readonly cidr: string;
  public readonly plan: NetworkPlan;
  public readonly zoneCount: number;
  public readonly tags: Readonly<Record<string, string>>;
  public abstract readonly networkId: string;
  public abstract readonly subnetIds: readonly string[];
  public abstract readonly zoneNames: readonly string[];
  public abstract readonly dnsDomain?: string;
  private readonly blockOwners: string[] = [];
  private readonly infraOwners = new Map<number, string[]>();
  private readonly hosts: InventoryHost[] = [];
  private revisionCount = 0;

  protected constructor(
    scope: Construct,
    id: string,
    props: Required<Pick<NetworkProps, 'cloud' | 'regionName' | 'cidr' | 'tags'>> & {
      zoneCount: number;
      /** The property that gave the zone count, for the error. */
      zonesField: string;
    },
  ) {
    super(assertSameCopies(scope), id);
    this.cloud = props.cloud;
    this.regionName = props.regionName;
    this.cidr = props.cidr;
    this.tags = props.tags;
    this.zoneCount = props.zoneCount;
    checkPattern(this, 'regionName', this.regionName, DNS_LABEL, 'a DNS label (lower-case letters, digits, -)');
    const cidrProblem = regionCidrProblem(this.cidr);
    if (cidrProblem) throw new SpecError(`${this.node.path}: cidr ${cidrProblem}, got ${JSON.stringify(this.cidr)}`);
    checkRange(this, props.zonesField, this.zoneCount, 1, MAX_ZONES);
    this.plan = new NetworkPlan(this.cidr);
  }

  public reserveHostBlock(owner: string): number {
    if (this.blockOwners.includes(owner)) throw new Error(`${this.node.path}: ${owner} reserved a host block twice`);
    if (this.blockOwners.length >= this.plan.maxHostGroups) {
      throw new SpecError(
        `${this.node.path}: cidr ${this.cidr} has room for ${this.plan.maxHostGroups} host groups ` +
          `(${HOST_BLOCK_SIZE} addresses per group per zone), got a ${this.blockOwners.length + 1}th (${owner})`,
        { hint: 'use a wider network CIDR' },
      );
    }
    this.blockOwners.push(owner);
    return this.blockOwners.length - 1;
  }

  public registerHosts(hosts: readonly InventoryHost[]): void {
    for (const host of hosts) {
      const clash = this.hosts.find((h) => h.name === host.name || h.privateIp === host.privateIp);
      if (clash) throw new Error(`${this.node.path}: host ${host.name} (${host.privateIp}) clashes with ${clash.name}`);
      this.hosts.push({ ...host });
    }
    this.changed();
  }

  public get revision(): number {
    return this.revisionCount;
  }

  public changed(): void {
    this.revisionCount++;
  }

  public get inventory(): InventoryHost[] {
    return this.hosts.map((h) => ({ ...h }));
  }

  public reserveInfraAddress(owner: string, zone = 0): string {
    const owners = this.infraOwners.get(zone) ?? [];
    if (owners.includes(owner)) throw new Error(`${this.node.path}: ${owner} reserved an address twice`);
    // Address 1 of every zone is the gateway; 2..15 are handed out here.
    if (owners.length + 2 > INFRA_ADDRESSES) {
      throw new SpecError(
        `${this.node.path}: zone ${zone + 1} has ${INFRA_ADDRESSES - 1} fixed infrastructure addresses, got a ` +
          `${owners.length + 1}th (${owner})`,
        { hint: 'use fewer internal load balancers or virtual IPs' },
      );
    }
    owners.push(owner);
    this.infraOwners.set(zone, owners);
    return this.plan.infraAddress(zone, owners.length + 1);
  }
}

/**
 * The region's network, made here: a VPC (Alibaba Cloud) or Neutron network (OpenStack) with one subnet per zone,
 * outbound internet through the cloud's NAT gateway or router. To use a network that exists already, see
 * {@link Network.fromAttributes}.
 */
export class Network extends NetworkBase {
  /**
   * A network that exists already, for host groups and load balancers to join: nothing is created for the network
   * itself, and its subnets keep their own routes and gateways.
   * @throws SpecError when `regionName` is not a DNS label, `cidr` is not a /12 to /20 private range, there are not
   *   1 to 8 subnets, or `zoneNames` does not have one name per subnet.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: NetworkAttributes): INetwork {
    return new ImportedNetwork(scope, id, attrs);
  }

  public readonly networkId: string;
  public readonly subnetIds: readonly string[];
  public readonly zoneNames: readonly string[];
  public readonly dnsDomain?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    const zones = props.zones ?? 3;
    super(scope, id, {
      cloud: props.cloud,
      regionName: props.regionName,
      cidr: props.cidr ?? '10.0.0.0/16',
      zoneCount: typeof zones === 'number' ? zones : zones.length,
      zonesField: 'zones',
      tags: props.tags ?? {},
    });
    const refs = this.cloud.network(this, 'Resource', {
      name: this.regionName,
      cidr: this.cidr,
      dnsDomain: regionDnsDomain(this.regionName),
      zoneNames: typeof zones === 'number' ? undefined : zones,
      tags: this.tags,
      zones: Array.from({ length: this.zoneCount }, (_, index) => ({
        index,
        cidr: this.plan.zoneSubnet(index),
        gatewayIp: this.plan.infraAddress(index, 1),
        dynamicPool: this.plan.dynamicPool(index),
      })),
    });
    this.networkId = refs.networkId;
    this.subnetIds = refs.subnetIds;
    this.zoneNames = refs.zoneNames;
    if (refs.dnsDomain) this.dnsDomain = refs.dnsDomain;
  }

  /**
   * The region's network resource, typed by the generated binding: `Vpc` (alicloud) or `NetworkingNetworkV2`
   * (openstack), for `addOverride` or reading attributes.
   */
  public get vpc(): NetworkResource {
    return resourceAt(this, [['Resource'], ['Vpc', 'Network']], ['alicloud_vpc', 'openstack_networking_network_v2']);
  }

  /** One subnet per zone, in zone order: `Vswitch` (alicloud) or `NetworkingSubnetV2` (openstack). */
  public get subnets(): SubnetResource[] {
    return Array.from({ length: this.zoneCount }, (_, i) =>
      resourceAt<SubnetResource>(
        this,
        [['Resource'], [`Vswitch${i + 1}`, `Subnet${i + 1}`]],
        ['alicloud_vswitch', 'openstack_networking_subnet_v2'],
      ),
    );
  }
}

/** A network made elsewhere ({@link Network.fromAttributes}). */
class ImportedNetwork extends NetworkBase {
  public readonly networkId: string;
  public readonly subnetIds: readonly string[];
  public readonly zoneNames: readonly string[];
  public readonly dnsDomain?: string;

  public constructor(scope: Construct, id: string, attrs: NetworkAttributes) {
    super(scope, id, {
      cloud: attrs.cloud,
      regionName: attrs.regionName,
      cidr: attrs.cidr,
      zoneCount: attrs.subnetIds.length,
      zonesField: 'subnetIds.length',
      tags: attrs.tags ?? {},
    });
    if (attrs.zoneNames.length !== attrs.subnetIds.length) {
      throw new SpecError(
        `${this.node.path}: zoneNames must name the zone of each of the ${attrs.subnetIds.length} subnetIds, ` +
          `got ${attrs.zoneNames.length} (${JSON.stringify(attrs.zoneNames)})`,
      );
    }
    this.networkId = attrs.networkId;
    this.subnetIds = [...attrs.subnetIds];
    this.zoneNames = [...attrs.zoneNames];
    if (attrs.dnsDomain) this.dnsDomain = attrs.dnsDomain;
  }
}
