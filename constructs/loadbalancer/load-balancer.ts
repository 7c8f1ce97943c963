/**
 * A layer-4 (or plain HTTP) load balancer in front of one host group, public or internal, with a health
 * check that is always on and one idle timeout on both clouds. Opens exactly the backend ports, from exactly
 * where the cloud's load balancer traffic comes from (the adapter's `loadBalancerSources`, derived from
 * `BACKEND_SOURCE_FACTS` in lib/cloud/load-balancing.ts; see docs/load-balancer.md), on the backends' security
 * group.
 */
import { Token } from 'cdktf';
import { Construct } from 'constructs';

import { resourceAt, type LoadBalancerResource } from '../../lib/cloud/resources.js';
import type { BackendSource, ListenerSpec, LoadBalancerSpec } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { physicalName } from '../../lib/names.js';
import { isIpv4Cidr } from '../../lib/net/network-plan.js';
import { IDLE_TIMEOUT_SECONDS, type HealthCheckSpec } from '../../lib/spec/region-spec.js';
import { checkRange } from '../../lib/validate.js';
import type { IHostGroup } from '../compute/host-group.js';
import type { INetwork } from '../network/network.js';
import { Peers, Port } from '../network/security-group.js';

/**
 * One port a {@link LoadBalancer} listens on, and the backend port it forwards to.
 */
export interface LoadBalancerListener {
  readonly port: number;
  /** @default 'tcp' */
  readonly protocol?: 'tcp' | 'udp' | 'http';
  /** @default - the listener port */
  readonly backendPort?: number;
}

/**
 * Properties of a {@link LoadBalancer}.
 */
export interface LoadBalancerProps {
  readonly network: INetwork;
  /** Name suffix; the physical name is `<region>-<name>`. */
  readonly name: string;
  /** Reachable from the internet. @default false */
  readonly public?: boolean;
  /** Hosts that receive the traffic. */
  readonly backends: IHostGroup;
  /** At least one listener. */
  readonly listeners: readonly LoadBalancerListener[];
  /** @default - tcp check of each listener's backend port every 5 s, timeout 3 s, thresholds 3/3 */
  readonly healthCheck?: Partial<HealthCheckSpec>;
  /**
   * Seconds an idle connection is kept, rendered on every tcp and http listener on both clouds (udp listeners
   * have none); between 10 and 900, at most 60 with an http listener.
   * @default 60
   * @see docs/load-balancer.md for each cloud's range at the pinned provider version
   */
  readonly idleTimeoutSeconds?: number;
  /**
   * Internal load balancers: also a public address (Alibaba Cloud: an EIP associated with the CLB; OpenStack: a
   * floating IP on the VIP port), the private address unchanged. Restrict it with `allowedSources`.
   * @default false
   */
  readonly publicAddress?: boolean;
  /**
   * The only client IPv4 CIDRs every listener accepts, whichever address they use (Alibaba Cloud: a whitelist
   * access control list on each listener; OpenStack: the listeners' `allowed_cidrs`); at least one, at most
   * 300 (`MAX_ALLOWED_SOURCES`). List the network's own CIDR too when hosts inside use the load balancer.
   * @default - every client that reaches an address of the load balancer
   * @see docs/load-balancer.md
   */
  readonly allowedSources?: readonly string[];
}

/**
 * Most `allowedSources` of one load balancer: Alibaba Cloud's entries of one access control list (300, the console's
 * limit per list and `entry_list`'s MaxItems in resource_alicloud_slb_acl.go at v1.289.0).
 */
export const MAX_ALLOWED_SOURCES = 300;

/**
 * A layer-4 (or plain HTTP) load balancer in front of one host group, public or internal, with a health check that
 * is always on; it opens exactly the backend ports on the backends' security group. Alibaba Cloud: a pay-by-LCU
 * CLB; OpenStack: an Octavia load balancer. Throws a `SpecError` for no listener, a port out of range or a
 * health-check timeout not below its interval.
 * @see https://docs.openstack.org/octavia/latest/
 */
export class LoadBalancer extends Construct {
  /** Public address (public load balancers) or internal address. */
  public readonly address: string;
  /**
   * Internal load balancers: the private address reserved for it at synth time (a literal, unlike `address`), which
   * host user data may name. @default - none: public load balancers
   */
  public readonly privateAddress?: string;
  /** Internal load balancers made with `publicAddress`: that address (a token). @default - none */
  public readonly publicAddress?: string;
  /** The load balancer's cloud id (`alicloud_slb_load_balancer.id`, `openstack_lb_loadbalancer_v2.id`). */
  public readonly id: string;
  /** Sources the backends admit for this load balancer, each with the facts it follows (docs/load-balancer.md). */
  public readonly backendSources: readonly BackendSource[];

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const isPublic = props.public ?? false;
    const idleTimeoutSeconds = props.idleTimeoutSeconds ?? IDLE_TIMEOUT_SECONDS.default;
    if (props.listeners.length === 0)
      throw new SpecError(`${this.node.path}: listeners must list at least one, got []`);
    const listeners: ListenerSpec[] = props.listeners.map((l, i) => {
      const listener = { port: l.port, protocol: l.protocol ?? 'tcp', backendPort: l.backendPort ?? l.port };
      checkRange(this, `listeners[${i}].port`, listener.port, 1, 65535);
      checkRange(this, `listeners[${i}].backendPort`, listener.backendPort, 1, 65535);
      return listener;
    });
    const hc = props.healthCheck ?? {};
    const healthCheck = {
      type: hc.type ?? 'tcp',
      port: hc.port,
      path: hc.type === 'http' ? (hc.path ?? '/') : undefined,
      intervalSeconds: hc.intervalSeconds ?? 5,
      timeoutSeconds: hc.timeoutSeconds ?? 3,
      healthyThreshold: hc.healthyThreshold ?? 3,
      unhealthyThreshold: hc.unhealthyThreshold ?? 3,
    };
    if (healthCheck.port !== undefined) checkRange(this, 'healthCheck.port', healthCheck.port, 1, 65535);
    checkRange(this, 'healthCheck.intervalSeconds', healthCheck.intervalSeconds, 2, 50);
    checkRange(this, 'healthCheck.timeoutSeconds', healthCheck.timeoutSeconds, 1, healthCheck.intervalSeconds - 1);
    checkRange(this, 'healthCheck.healthyThreshold', healthCheck.healthyThreshold, 2, 10);
    checkRange(this, 'healthCheck.unhealthyThreshold', healthCheck.unhealthyThreshold, 2, 10);
    const hasHttp = listeners.some((l) => l.protocol === 'http');
    checkRange(
      this,
      'idleTimeoutSeconds',
      idleTimeoutSeconds,
      IDLE_TIMEOUT_SECONDS.min,
      hasHttp ? IDLE_TIMEOUT_SECONDS.maxHttp : IDLE_TIMEOUT_SECONDS.max,
    );

    if (props.publicAddress && isPublic) {
      throw new SpecError(`${this.node.path}: publicAddress is for internal load balancers, got public: true`, {
        hint: 'a public load balancer already has a public address',
      });
    }
    const allowedSources = props.allowedSources === undefined ? undefined : [...new Set(props.allowedSources)];
    if (allowedSources !== undefined) checkAllowedSources(this, allowedSources);

    const network = props.network;
    const privateAddress = isPublic ? undefined : network.reserveInfraAddress(this.node.path);
    this.privateAddress = privateAddress;

    const spec: LoadBalancerSpec = {
      name: physicalName(network.regionName, [props.name]),
      public: isPublic,
      subnetId: network.subnetIds[0]!,
      privateAddress,
      listeners,
      healthCheck,
      idleTimeoutSeconds,
      networkCidr: network.cidr,
      ...(props.publicAddress ? { publicAddress: true } : {}),
      ...(allowedSources ? { allowedSources } : {}),
      tags: network.tags,
      members: props.backends.hosts.map((host, i) => ({
        hostId: props.backends.hostRefs[i]!.id,
        privateIp: host.privateIp,
        subnetId: network.subnetIds[host.zoneIndex]!,
      })),
    };
    const memberZones = [...new Set(props.backends.hosts.map((host) => host.zoneIndex))].sort((a, b) => a - b);
    const memberSubnetCidrs = memberZones.map((zone) => network.plan.zoneSubnet(zone));
    this.backendSources = network.cloud.loadBalancerSources({ ...spec, memberSubnetCidrs });
    for (const source of this.backendSources) {
      props.backends.securityGroup.allowFrom(
        Peers.ipv4(source.cidr),
        Port.of(source.protocol, source.port),
        `${source.description} (load balancer ${spec.name})`,
      );
    }
    const refs = network.cloud.loadBalancer(this, 'Resource', spec);
    this.address = refs.address;
    this.publicAddress = refs.publicAddress;
    this.id = refs.id;
  }

  /** The load balancer resource: `SlbLoadBalancer` (alicloud) or `LbLoadbalancerV2` (openstack). */
  public get resource(): LoadBalancerResource {
    return resourceAt(
      this,
      [['Resource'], ['Resource']],
      ['alicloud_slb_load_balancer', 'openstack_lb_loadbalancer_v2'],
    );
  }
}

/** At least one and at most {@link MAX_ALLOWED_SOURCES} IPv4 CIDRs (an empty whitelist admits everyone on CLB). */
function checkAllowedSources(scope: Construct, sources: readonly string[]): void {
  if (sources.length === 0 || sources.length > MAX_ALLOWED_SOURCES) {
    throw new SpecError(
      `${scope.node.path}: allowedSources must list between 1 and ${MAX_ALLOWED_SOURCES} CIDRs, got ${sources.length}`,
      { hint: 'leave allowedSources out to admit every client' },
    );
  }
  sources.forEach((cidr, i) => {
    if (!Token.isUnresolved(cidr) && !isIpv4Cidr(cidr)) {
      throw new SpecError(
        `${scope.node.path}: allowedSources[${i}] must be an IPv4 CIDR such as 198.51.100.0/24, got ${JSON.stringify(cidr)}`,
      );
    }
  });
}
