/**
 * Deterministic IPv4 address planning for a region.
 *
 * The region CIDR is cut into 16 equal zone subnets (zone i gets the i-th). Inside each zone subnet:
 *
 * ```
 * offset 0                      network address (never used)
 * offsets 1 .. 15               infrastructure: gateway (OpenStack .1), internal load balancer addresses, NAT
 * offsets 16 .. 3/4 of subnet   hosts, in blocks of 32 per host group per zone (group k -> block k)
 * last quarter                  left to the cloud's own allocation (DHCP ports, LB VIPs, NAT, ENIs)
 * ```
 *
 * Addresses depend only on (CIDR, group order, host index), so a host keeps its address when other groups grow
 * and quorum members (ZooKeeper, etcd) know each other at synth time.
 */
import ipaddr from 'ipaddr.js';

/** Zone subnets per region: 2^4. Fixed so that adding a zone never moves an existing zone's subnet. */
export const ZONE_SLOTS = 16;
const ZONE_BITS = 4;
/** Offsets 1..15 of each zone subnet are for infrastructure addresses. */
export const INFRA_ADDRESSES = 15;
const FIRST_HOST_OFFSET = 16;
/** Addresses per host group per zone. */
export const HOST_BLOCK_SIZE = 32;
/** The tightest and widest region CIDRs we plan for: zone subnets from /24 (room for 5 groups) to /16. */
export const MIN_PREFIX = 12;
export const MAX_PREFIX = 20;

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => ipaddr.IPv4.parseCIDR(c));

/** Why `cidr` cannot be a region CIDR, or undefined if it can. */
export function regionCidrProblem(cidr: string): string | undefined {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed) return 'must be an IPv4 CIDR such as 10.20.0.0/16';
  const [address, prefix] = parsed;
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    return `prefix must be between /${MIN_PREFIX} and /${MAX_PREFIX} (16 zone subnets of /${MIN_PREFIX + ZONE_BITS} to /${MAX_PREFIX + ZONE_BITS})`;
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
  if (network !== address.toString()) return `has host bits set; the network address is ${network}/${prefix}`;
  if (!PRIVATE_RANGES.some((range) => address.match(range) && prefix >= range[1])) {
    return 'must lie inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)';
  }
  return undefined;
}

/** Parses `a.b.c.d/n`; undefined if it is not an IPv4 CIDR. */
export function parseIpv4Cidr(cidr: string): [ipaddr.IPv4, number] | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) return undefined;
  try {
    return ipaddr.IPv4.parseCIDR(cidr);
  } catch {
    return undefined;
  }
}

/** True when `cidr` is a network-aligned IPv4 CIDR (any range, any prefix). */
export function isIpv4Cidr(cidr: string): boolean {
  const parsed = parseIpv4Cidr(cidr);
  return parsed !== undefined && ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() === parsed[0].toString();
}

/** True when two IPv4 CIDRs share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const pa = parseIpv4Cidr(a);
  const pb = parseIpv4Cidr(b);
  if (!pa || !pb) return false;
  return (
    pa[0].match(ipaddr.IPv4.networkAddressFromCIDR(b), pb[1]) ||
    pb[0].match(ipaddr.IPv4.networkAddressFromCIDR(a), pa[1])
  );
}

/** True when `cidr` covers every IPv4 address (0.0.0.0/0). */
export function isAnyIpv4(cidr: string): boolean {
  const parsed = parseIpv4Cidr(cidr);
  return parsed !== undefined && parsed[1] === 0;
}

/** Address plan of one region CIDR. */
export class NetworkPlan {
  private readonly base: number;
  private readonly zonePrefix: number;
  private readonly zoneSize: number;

  constructor(public readonly cidr: string) {
    const problem = regionCidrProblem(cidr);
    if (problem) throw new RangeError(`network CIDR ${cidr} ${problem}`);
    const [address, prefix] = parseIpv4Cidr(cidr)!;
    this.base = toInt(address);
    this.zonePrefix = prefix + ZONE_BITS;
    this.zoneSize = 2 ** (32 - this.zonePrefix);
  }

  /** Host blocks that fit in one zone subnet; the most host groups a region can have. */
  public get maxHostGroups(): number {
    return Math.floor((this.dynamicPoolStartOffset() - FIRST_HOST_OFFSET) / HOST_BLOCK_SIZE);
  }

  /** CIDR of zone `zone` (0-based). */
  public zoneSubnet(zone: number): string {
    this.checkZone(zone);
    return `${fromInt(this.zoneBase(zone))}/${this.zonePrefix}`;
  }

  /** The `n`-th (1-based, at most 15) infrastructure address of a zone: gateway, internal LB address. */
  public infraAddress(zone: number, n: number): string {
    this.checkZone(zone);
    if (!Number.isInteger(n) || n < 1 || n > INFRA_ADDRESSES) {
      throw new RangeError(`infrastructure address ${n} out of range 1..${INFRA_ADDRESSES}`);
    }
    return fromInt(this.zoneBase(zone) + n);
  }

  /** Address of host `slot` (0-based, < 32) of the group owning `block`, in `zone`. */
  public hostAddress(block: number, zone: number, slot: number): string {
    this.checkZone(zone);
    if (!Number.isInteger(block) || block < 0 || block >= this.maxHostGroups) {
      throw new RangeError(`host block ${block} out of range 0..${this.maxHostGroups - 1} for ${this.cidr}`);
    }
    if (!Number.isInteger(slot) || slot < 0 || slot >= HOST_BLOCK_SIZE) {
      throw new RangeError(`host slot ${slot} out of range 0..${HOST_BLOCK_SIZE - 1}`);
    }
    return fromInt(this.zoneBase(zone) + FIRST_HOST_OFFSET + block * HOST_BLOCK_SIZE + slot);
  }

  /** First and last address the cloud may hand out by itself in `zone` (the subnet's last quarter, minus broadcast). */
  public dynamicPool(zone: number): { start: string; end: string } {
    this.checkZone(zone);
    const base = this.zoneBase(zone);
    return { start: fromInt(base + this.dynamicPoolStartOffset()), end: fromInt(base + this.zoneSize - 2) };
  }

  private dynamicPoolStartOffset(): number {
    return this.zoneSize - this.zoneSize / 4;
  }

  private zoneBase(zone: number): number {
    return this.base + zone * this.zoneSize;
  }

  private checkZone(zone: number): void {
    if (!Number.isInteger(zone) || zone < 0 || zone >= ZONE_SLOTS) {
      throw new RangeError(`zone index ${zone} out of range 0..${ZONE_SLOTS - 1}`);
    }
  }
}

function toInt(address: ipaddr.IPv4): number {
  return address.octets.reduce((acc, octet) => acc * 256 + octet, 0);
}

function fromInt(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes pod and service ranges

/**
 * Pod ranges tried, in order, when a Kubernetes cluster's `podCidr` is not given: Flannel's default network
 * (10.244.0.0/16, the convention of kubeadm guides), then one in each other private block, so that one is free
 * whatever private block the region network lies in.
 */
export const POD_CIDR_CANDIDATES = ['10.244.0.0/16', '172.20.0.0/16', '192.168.0.0/17'] as const;
/**
 * Service ranges tried, in order, when `serviceCidr` is not given: the first /16 of kubeadm's default service
 * subnet 10.96.0.0/12 (k8s.io/kubernetes v1.36.3, cmd/kubeadm/app/apis/kubeadm/v1beta4/defaults.go
 * `DefaultServicesSubnet`), then one in each other private block. A /16 holds 65534 ClusterIPs, more than a
 * region needs, and collides less with peered networks than the whole /12.
 */
export const SERVICE_CIDR_CANDIDATES = ['10.96.0.0/16', '172.21.0.0/16', '192.168.128.0/17'] as const;

/**
 * Prefix lengths a pod range may have. Each node takes a /24 of it (the node CIDR mask that kube-controller-manager
 * and kubeadm default to), so the range must be a /24 or wider, and at most 16 bits wider than the node mask
 * (k8s.io/kubernetes v1.36.3, cmd/kubeadm/app/apis/kubeadm/validation/validation.go `ValidatePodSubnetNodeMask`,
 * cmd/kubeadm/app/constants/constants.go `PodSubnetNodeMaskMaxDiff = 16`).
 */
export const POD_CIDR_PREFIX = { min: 8, max: 24 } as const;
/** The per-node pod range: a /24 (kube-controller-manager's `--node-cidr-mask-size-ipv4` default, ACK's `node_cidr_mask` default). */
export const NODE_POD_CIDR_PREFIX = 24;
/**
 * Prefix lengths a service range may have: kube-apiserver refuses IPv4 ranges wider than /12 (k8s.io/kubernetes
 * v1.36.3, cmd/kube-apiserver/app/options/validation.go, `maxCIDRBits := 20`); narrower than /24 leaves too few
 * ClusterIPs for the platform's own services (our bound).
 */
export const SERVICE_CIDR_PREFIX = { min: 12, max: 24 } as const;

/** The most nodes a pod range of `cidr` can give a /24 each. */
export function podCidrNodeCapacity(cidr: string): number {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed) throw new RangeError(`not an IPv4 CIDR: ${cidr}`);
  return parsed[1] > NODE_POD_CIDR_PREFIX ? 0 : 2 ** (NODE_POD_CIDR_PREFIX - parsed[1]);
}

/** What the pod and service ranges of a cluster are planned from. */
export interface ClusterRangesRequest {
  /** The region network (`network.cidr`). */
  readonly networkCidr: string;
  /** Zones the region uses: zone subnets 0 .. zones-1 exist (vSwitches, subnets). */
  readonly zones: number;
  /** The pod range the region file gives, if any. */
  readonly podCidr?: string;
  /** The service range the region file gives, if any. */
  readonly serviceCidr?: string;
}

/** The planned pod and service ranges. */
export interface ClusterRanges {
  readonly podCidr: string;
  readonly serviceCidr: string;
}

/** A range of the cluster's that would shadow another address range. */
export interface ClusterRangeOverlap {
  readonly kind: 'overlap';
  /** The given range at fault. */
  readonly field: 'podCidr' | 'serviceCidr';
  readonly cidr: string;
  /** What it overlaps: the region network, or the given pod range. */
  readonly other: 'networkCidr' | 'podCidr';
  readonly otherCidr: string;
  /** When it overlaps the region network: the first zone subnet (vSwitch / subnet) in use that it overlaps. */
  readonly zoneSubnet?: { readonly zone: number; readonly cidr: string };
}

/** No candidate range is free for a range the region file leaves out. */
export interface ClusterRangeExhausted {
  readonly kind: 'exhausted';
  readonly field: 'podCidr' | 'serviceCidr';
  /** The ranges every candidate collided with. */
  readonly taken: readonly string[];
}

export type ClusterRangeProblem = ClusterRangeOverlap | ClusterRangeExhausted;

/**
 * Plans a Kubernetes cluster's pod and service ranges: a given range is kept, a missing one is the first candidate
 * ({@link POD_CIDR_CANDIDATES}, {@link SERVICE_CIDR_CANDIDATES}) overlapping neither the region network nor the
 * other range. Deterministic: the same request always gives the same ranges. Returns every problem at once (a
 * given range overlapping the network or the given pod range; no free candidate), and `ranges` only when there
 * are none. Ranges must already be valid CIDRs.
 */
export function planClusterRanges(request: ClusterRangesRequest): {
  ranges?: ClusterRanges;
  problems: ClusterRangeProblem[];
} {
  const { networkCidr, zones } = request;
  const problems: ClusterRangeProblem[] = [];
  const plan = new NetworkPlan(networkCidr);
  const networkOverlap = (field: 'podCidr' | 'serviceCidr', cidr: string) => {
    if (!cidrsOverlap(cidr, networkCidr)) return;
    const zone = Array.from({ length: Math.min(zones, ZONE_SLOTS) }, (_, z) => z).find((z) =>
      cidrsOverlap(cidr, plan.zoneSubnet(z)),
    );
    problems.push({
      kind: 'overlap',
      field,
      cidr,
      other: 'networkCidr',
      otherCidr: networkCidr,
      ...(zone === undefined ? {} : { zoneSubnet: { zone, cidr: plan.zoneSubnet(zone) } }),
    });
  };
  const pick = (field: 'podCidr' | 'serviceCidr', candidates: readonly string[], taken: readonly string[]) => {
    const free = candidates.find((c) => taken.every((t) => !cidrsOverlap(c, t)));
    if (free === undefined) problems.push({ kind: 'exhausted', field, taken });
    return free;
  };

  if (request.podCidr !== undefined) networkOverlap('podCidr', request.podCidr);
  if (request.serviceCidr !== undefined) {
    networkOverlap('serviceCidr', request.serviceCidr);
    if (request.podCidr !== undefined && cidrsOverlap(request.serviceCidr, request.podCidr)) {
      problems.push({
        kind: 'overlap',
        field: 'serviceCidr',
        cidr: request.serviceCidr,
        other: 'podCidr',
        otherCidr: request.podCidr,
      });
    }
  }
  const given = [request.podCidr, request.serviceCidr].filter((c): c is string => c !== undefined);
  const podCidr = request.podCidr ?? pick('podCidr', POD_CIDR_CANDIDATES, [networkCidr, ...given]);
  const serviceCidr =
    request.serviceCidr ??
    pick('serviceCidr', SERVICE_CIDR_CANDIDATES, [networkCidr, ...(podCidr === undefined ? given : [podCidr])]);
  if (problems.length > 0 || podCidr === undefined || serviceCidr === undefined) return { problems };
  return { ranges: { podCidr, serviceCidr }, problems };
}
