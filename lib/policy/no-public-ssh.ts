/**
 * Policy: no security group opens SSH to the whole internet. Bastions take SSH only from the admin CIDRs,
 * every other host only from the bastion.
 */
import type { IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';

import { SpecError } from '../errors.js';
import { isAnyIpv4 } from '../net/network-plan.js';

const SSH_PORT = 22;

/** The cloud-neutral view of a rule that security-group constructs record. */
interface InspectableRule {
  readonly port: { covers(protocol: 'tcp', port: number): boolean; toString(): string };
  readonly peer: { readonly cidr: string } | object;
}

function rulesOf(node: IConstruct): readonly InspectableRule[] | undefined {
  const rules = (node as { ingressRules?: unknown }).ingressRules;
  return Array.isArray(rules) ? (rules as InspectableRule[]) : undefined;
}

export class NoPublicSsh implements IAspect {
  public visit(node: IConstruct): void {
    for (const rule of rulesOf(node) ?? []) {
      if ('cidr' in rule.peer && isAnyIpv4(rule.peer.cidr) && rule.port.covers('tcp', SSH_PORT)) {
        throw new SpecError(
          `${node.node.path}: opens ${rule.port.toString()} (SSH) to ${rule.peer.cidr}; SSH is only allowed from ` +
            'admin.sshSources to the bastion',
        );
      }
    }
  }
}
