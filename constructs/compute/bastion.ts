/**
 * The region's only SSH entry: a host group with public addresses whose security group opens SSH to the
 * admin source CIDRs and nothing else. Other groups accept SSH only from the bastion (`allowSshTo`).
 */
import type { Construct } from 'constructs';

import { SpecError } from '../../lib/errors.js';
import { isAnyIpv4 } from '../../lib/net/network-plan.js';
import { Peers, Port } from '../network/security-group.js';

import { HostGroup, type HostGroupProps, type IHostGroup } from './host-group.js';

export const SSH_PORT = 22;

/**
 * Properties of a {@link Bastion}: those of a {@link HostGroup} without the name and the public address, which a
 * bastion always has.
 */
export interface BastionProps extends Omit<HostGroupProps, 'publicIp' | 'name'> {
  /** Group name. @default 'bastion' */
  readonly name?: string;
  /** CIDRs allowed to reach the bastion on SSH; never 0.0.0.0/0. */
  readonly sshSources: readonly string[];
}

/**
 * The region's SSH entry: a host group with a public address that admits SSH only from the admin's `sshSources`;
 * every other group admits SSH only from it.
 */
export class Bastion extends HostGroup {
  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id, { ...props, name: props.name ?? 'bastion', publicIp: true, count: props.count ?? 1 });
    if (props.sshSources.length === 0) {
      throw new SpecError(`${this.node.path}: sshSources must list at least one CIDR, got []`);
    }
    for (const cidr of props.sshSources) {
      if (isAnyIpv4(cidr)) {
        throw new SpecError(
          `${this.node.path}: sshSources must not contain ${cidr}: SSH is never open to the internet`,
        );
      }
      this.securityGroup.allowFrom(Peers.ipv4(cidr), Port.tcp(SSH_PORT), `ssh from admin source ${cidr}`);
    }
  }

  /** Public addresses of the bastion hosts, in host order. */
  public get publicAddresses(): string[] {
    return this.hostRefs.map((r) => r.publicIp!);
  }

  /** Lets the bastion reach `group` on SSH. */
  public allowSshTo(group: IHostGroup): void {
    group.securityGroup.allowFrom(Peers.securityGroup(this.securityGroup), Port.tcp(SSH_PORT), 'ssh from bastion');
  }
}
