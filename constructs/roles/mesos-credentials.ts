/**
 * The Mesos cluster's credentials, made at apply time by the `hashicorp/random` provider: one secret per
 * principal (Marathon, Chronos, the agents, the operator), each a `random_password` of the stack, the
 * passwords of Marathon's and Chronos' own HTTP APIs, and the ZooKeeper digest users of the znodes' creators
 * (`mesos` for the masters' /mesos, `marathon` for /marathon; constructs/roles/docs/zookeeper.md). The masters accept all Mesos principals (`--credentials`),
 * each other role gets its own. Values reach hosts as secrets of their
 * group through the secret store (lib/cloudinit/secret-delivery.ts), never in user data, and live in
 * Terraform state like every generated value (docs/security.md).
 *
 * Generated rather than taken from sensitive variables: only daemons use them (an operator reads the
 * operator secret from the secret store or state when needed), so nobody has to invent, store and pass four
 * values, and they are made the same way as the etcd PKI's keys (etcd-pki.ts).
 *
 * Letters and digits only (`special = false`): values are spliced into JSON strings (`--credentials`) and
 * other files unescaped, and 32 of them are ~190 bits.
 *
 * @see https://github.com/apache/mesos/blob/1.7.1/docs/authentication.md
 */
import { TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';

import { Password } from '../../lib/gen/random/password/index.js';
import { RandomProvider } from '../../lib/gen/random/provider/index.js';

import type { RoleSecret } from './host-role.js';

/** The principals of a Mesos cluster, each with the secret that holds its password. */
export const MESOS_PRINCIPALS = {
  marathon: { principal: 'marathon', secret: 'mesos_marathon_secret', description: 'Mesos principal marathon' },
  chronos: { principal: 'chronos', secret: 'mesos_chronos_secret', description: 'Mesos principal chronos' },
  agent: { principal: 'agent', secret: 'mesos_agent_secret', description: 'Mesos principal of the agents' },
  operator: {
    principal: 'operator',
    secret: 'mesos_operator_secret',
    description: "Mesos principal for operators (the masters' read-write HTTP endpoints)",
  },
  // HTTP basic authentication of the frameworks' own APIs (not Mesos principals; the user is `principal`)
  marathonHttp: {
    principal: 'operator',
    secret: 'marathon_http_password',
    description: "Marathon API user operator's password (marathon-lb and operators)",
  },
  chronosHttp: {
    principal: 'operator',
    secret: 'chronos_http_password',
    description: "Chronos API user operator's password",
  },
  // ZooKeeper `digest` users (not Mesos principals; the user is `principal`), one per creator of a path: every
  // creator of a path must authenticate as the same user, since the ACLs grant all rights to the creator's id
  zkMesos: {
    principal: 'mesos',
    secret: 'zk_mesos_password',
    description: 'ZooKeeper digest user mesos (the Mesos masters, creators of /mesos)',
  },
  zkMarathon: {
    principal: 'marathon',
    secret: 'zk_marathon_password',
    description: 'ZooKeeper digest user marathon (the Marathons, creators of /marathon)',
  },
} as const;

export type MesosPrincipal = keyof typeof MESOS_PRINCIPALS;

/** Length of every generated password. */
export const MESOS_SECRET_LENGTH = 32;

/** One `random_password` per principal per stack, created on first use. */
export class MesosCredentials extends Construct {
  /** The stack's credentials, created with the `random` provider block on first use. */
  public static of(scope: IConstruct): MesosCredentials {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild('MesosCredentials');
    if (existing) return existing as MesosCredentials;
    return new MesosCredentials(stack, 'MesosCredentials');
  }

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    if (!stack.node.tryFindChild('random')) new RandomProvider(stack, 'random');
  }

  /** The secret holding `principal`'s password. */
  public secret(principal: MesosPrincipal): RoleSecret {
    const p = MESOS_PRINCIPALS[principal];
    const password =
      (this.node.tryFindChild(principal) as Password | undefined) ??
      new Password(this, principal, { length: MESOS_SECRET_LENGTH, special: false });
    return { name: p.secret, description: p.description, value: password.result };
  }
}
