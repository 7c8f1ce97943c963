/**
 * A security group with ingress rules added by intent (`allowFrom(peer, port)`); egress stays the cloud's
 * default (all outbound). Rules are recorded in cloud-neutral form so policy checks can read them.
 */
import { Construct } from 'constructs';

import { resourceAt, type SecurityGroupResource } from '../../lib/cloud/resources.js';
import type { RuleProtocol } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { physicalName } from '../../lib/names.js';
import { isIpv4Cidr } from '../../lib/net/network-plan.js';

import type { INetwork } from './network.js';

/** Ports a rule opens. Every factory throws a `SpecError` for a range outside 1-65535 or with from > to. */
export class Port {
  /** One TCP port (1-65535). */
  public static tcp(port: number): Port {
    return new Port('tcp', port, port);
  }
  /** TCP ports `from` to `to`, inclusive. */
  public static tcpRange(from: number, to: number): Port {
    return new Port('tcp', from, to);
  }
  /** One UDP port (1-65535). */
  public static udp(port: number): Port {
    return new Port('udp', port, port);
  }
  /** UDP ports `from` to `to`, inclusive. */
  public static udpRange(from: number, to: number): Port {
    return new Port('udp', from, to);
  }
  /** All of ICMP (every type and code). */
  public static icmp(): Port {
    return new Port('icmp', 0, 0);
  }
  /** VRRP (IP protocol 112), for keepalived peers. */
  public static vrrp(): Port {
    return new Port('vrrp', 0, 0);
  }
  /** Ports `from` to `to` (inclusive) of `protocol`. */
  public static of(protocol: RuleProtocol, from: number, to = from): Port {
    return new Port(protocol, from, to);
  }

  private constructor(
    public readonly protocol: RuleProtocol,
    public readonly fromPort: number,
    public readonly toPort: number,
  ) {
    if (
      protocol !== 'icmp' &&
      protocol !== 'vrrp' &&
      !(Number.isInteger(fromPort) && fromPort >= 1 && toPort >= fromPort && toPort <= 65535)
    ) {
      throw new SpecError(`port range must be within 1-65535 with from <= to, got ${fromPort}-${toPort}`);
    }
  }

  /** `tcp/22`, `udp/8000-8100`, `icmp`. */
  public toString(): string {
    if (this.protocol === 'icmp' || this.protocol === 'vrrp') return this.protocol;
    return `${this.protocol}/${this.fromPort === this.toPort ? this.fromPort : `${this.fromPort}-${this.toPort}`}`;
  }

  /** True when the range contains `port` for `protocol`. */
  public covers(protocol: RuleProtocol, port: number): boolean {
    return this.protocol === protocol && port >= this.fromPort && port <= this.toPort;
  }
}

/** Where allowed traffic comes from. */
export type Peer = { readonly cidr: string; readonly label?: string } | { readonly securityGroup: ISecurityGroup };

/**
 * Factories of {@link Peer}s: an IPv4 CIDR or another security group's members. `Peers.ipv4` throws a `SpecError`
 * for a CIDR that is not network-aligned.
 */
export const Peers = {
  /** An IPv4 CIDR; `label` names it in the rule's id and description. */
  ipv4(cidr: string, label?: string): Peer {
    if (!isIpv4Cidr(cidr)) throw new SpecError(`peer must be a network-aligned IPv4 CIDR, got ${JSON.stringify(cidr)}`);
    return { cidr, label };
  },
  /** Members of another security group. */
  securityGroup(group: ISecurityGroup): Peer {
    return { securityGroup: group };
  },
};

/** An ingress rule as recorded (cloud-neutral). */
export interface IngressRule {
  readonly port: Port;
  readonly peer: Peer;
  readonly description: string;
}

/**
 * Properties of a {@link SecurityGroup}.
 */
export interface SecurityGroupProps {
  readonly network: INetwork;
  /** Name suffix; the physical name is `<region>-<name>`. */
  readonly name: string;
  /** @default - "<name> hosts of region <region>" */
  readonly description?: string;
}

/**
 * A security group as other constructs use it: its cloud id, its short name, and a way to open a port to a peer.
 */
export interface ISecurityGroup {
  readonly securityGroupId: string;
  /** Short name used in rule descriptions (`<region>-<name>`). */
  readonly groupName: string;
  /** Admits `port` from `peer`; a rule already present is kept once (the same rule twice is one rule). */
  allowFrom(peer: Peer, port: Port, description?: string): void;
}

/**
 * A security group whose ingress rules are added with {@link SecurityGroup.allowFrom}; host groups derive them
 * from their roles' declared ports (least privilege by construction). Alibaba Cloud: `alicloud_security_group`;
 * OpenStack: `openstack_networking_secgroup_v2`.
 * @see https://www.alibabacloud.com/help/en/ecs/user-guide/start-using-security-groups
 */
export class SecurityGroup extends Construct implements ISecurityGroup {
  public readonly securityGroupId: string;
  public readonly groupName: string;
  private readonly network: INetwork;
  private readonly rules = new Map<string, IngressRule>();
  private readonly rulesScope: Construct;

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    this.network = props.network;
    this.groupName = physicalName(props.network.regionName, [props.name]);
    const ref = props.network.cloud.securityGroup(this, 'Resource', {
      name: this.groupName,
      description: props.description ?? `${props.name} hosts of region ${props.network.regionName} (regionkit)`,
      networkId: props.network.networkId,
      tags: props.network.tags,
    });
    this.securityGroupId = ref.id;
    this.rulesScope = new Construct(this, 'Ingress');
  }

  /** The security group resource: `SecurityGroup` (alicloud) or `NetworkingSecgroupV2` (openstack). */
  public get resource(): SecurityGroupResource {
    return resourceAt(this, [['Resource']], ['alicloud_security_group', 'openstack_networking_secgroup_v2']);
  }

  /** Opens `port` to `peer`. Adding the same rule twice is a no-op. */
  public allowFrom(peer: Peer, port: Port, description?: string): void {
    const source = 'cidr' in peer ? (peer.label ?? peer.cidr) : peer.securityGroup.groupName;
    const key = `${port.toString()} from ${source}`;
    if (this.rules.has(key)) return;
    const text = description ?? key;
    this.rules.set(key, { port, peer, description: text });
    this.network.cloud.ingressRule(this.rulesScope, ruleId(key), {
      securityGroupId: this.securityGroupId,
      protocol: port.protocol,
      fromPort: port.fromPort,
      toPort: port.toPort,
      description: text,
      ...('cidr' in peer ? { cidr: peer.cidr } : { sourceSecurityGroupId: peer.securityGroup.securityGroupId }),
    });
  }

  /** Rules added so far (copies), for policy checks. */
  public get ingressRules(): IngressRule[] {
    return [...this.rules.values()].map((r) => ({ ...r }));
  }
}

/** A stable construct id from the rule's meaning, so rule order never renames a resource. */
function ruleId(key: string): string {
  return key.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** True for constructs carrying recorded ingress rules (policy checks use this). */
export function isSecurityGroup(x: unknown): x is SecurityGroup {
  return x instanceof SecurityGroup;
}
