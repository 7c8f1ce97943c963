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

/** Ports a rule opens. */
export class Port {
  public static tcp(port: number): Port {
    return new Port('tcp', port, port);
  }
  public static tcpRange(from: number, to: number): Port {
    return new Port('tcp', from, to);
  }
  public static udp(port: number): Port {
    return new Port('udp', port, port);
  }
  public static udpRange(from: number, to: number): Port {
    return new Port('udp', from, to);
  }
  public static icmp(): Port {
    return new Port('icmp', 0, 0);
  }
  /** VRRP (IP protocol 112), for keepalived peers. */
  public static vrrp(): Port {
    return new Port('vrrp', 0, 0);
  }
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

export interface SecurityGroupProps {
  readonly network: INetwork;
  /** Name suffix; the physical name is `<region>-<name>`. */
  readonly name: string;
  /** @default - "<name> hosts of region <region>" */
  readonly description?: string;
}

export interface ISecurityGroup {
  readonly securityGroupId: string;
  /** Short name used in rule descriptions (`<region>-<name>`). */
  readonly groupName: string;
  allowFrom(peer: Peer, port: Port, description?: string): void;
}

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
