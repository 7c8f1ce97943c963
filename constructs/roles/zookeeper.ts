/**
 * `zookeeper`: one member of a ZooKeeper ensemble, from Ubuntu's `zookeeperd` package. The ensemble is the
 * hosts of one group; each host's `myid` is its 1-based position there, so every member knows every other
 * at synth time from the deterministic addresses.
 *
 * @see https://zookeeper.apache.org/doc/r3.8.4/zookeeperAdmin.html
 */
import type { Construct, IConstruct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext, type InventoryHost } from './host-role.js';

export interface ZooKeeperProps {
  /** The ensemble members, in `myid` order (an odd number, at least 3, at most 9). */
  readonly ensemble: readonly InventoryHost[];
  /** @default 2181 */
  readonly clientPort?: number;
}

export const ZOO_CFG = '/etc/zookeeper/conf/zoo.cfg';
export const ZOO_MYID = '/etc/zookeeper/conf/myid';
const PEER_PORT = 2888;
const ELECTION_PORT = 3888;

/** `zk://a:2181,b:2181,c:2181/<chroot>` for clients (Mesos, Marathon, Chronos). */
export function zkUrl(ensemble: readonly InventoryHost[], chroot: string, clientPort = 2181): string {
  return `zk://${ensemble.map((h) => `${h.privateIp}:${clientPort}`).join(',')}/${chroot}`;
}

/** A ZooKeeper URL with at least one `host:port` and a path: `zk://h1:2181,h2:2181/mesos`. */
export const ZK_URL =
  /^zk:\/\/[A-Za-z0-9.-]+:\d{1,5}(?:,[A-Za-z0-9.-]+:\d{1,5})*\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

/** Throws unless `url` is a `zk://host:port[,host:port…]/path` URL. */
export function checkZkUrl(scope: IConstruct, prop: string, url: string): void {
  checkPattern(scope, prop, url, ZK_URL, 'a zk://host:port[,host:port...]/path URL');
}

/** A majority of `n` members: the quorum size of an ensemble (and of Mesos masters). */
export function quorumOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

export class ZooKeeper extends HostRole {
  public readonly ensemble: readonly InventoryHost[];
  public readonly clientPort: number;

  constructor(scope: Construct, id: string, props: ZooKeeperProps) {
    const clientPort = props.clientPort ?? 2181;
    super(scope, id, {
      roleName: 'zookeeper',
      requires: ['apt'],
      ports: [
        { protocol: 'tcp', port: clientPort, from: 'cluster', description: 'client connections' },
        { protocol: 'tcp', port: PEER_PORT, from: 'group', description: 'follower connections to the leader' },
        { protocol: 'tcp', port: ELECTION_PORT, from: 'group', description: 'leader election' },
      ],
    });
    this.ensemble = [...props.ensemble];
    this.clientPort = clientPort;
    const n = this.ensemble.length;
    if (n < 3 || n > 9 || n % 2 === 0) {
      throw new SpecError(`${this.node.path}: ensemble must have an odd number of members between 3 and 9, got ${n}`, {
        hint: 'an even ensemble tolerates no more failures than the odd one below it',
      });
    }
    checkRange(this, 'clientPort', clientPort, 1024, 65535);
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const myid = this.ensemble.findIndex((h) => h.privateIp === ctx.host.privateIp) + 1;
    if (myid === 0) throw new SpecError(`${this.node.path}: ${ctx.host.name} is not a member of the ensemble`);
    const lines = [
      '# regionkit zookeeper role',
      'tickTime=2000',
      'initLimit=10',
      'syncLimit=5',
      'dataDir=/var/lib/zookeeper',
      `clientPort=${this.clientPort}`,
      'maxClientCnxns=200',
      'autopurge.snapRetainCount=5',
      'autopurge.purgeInterval=24',
      '4lw.commands.whitelist=srvr,ruok,mntr',
      'admin.enableServer=false',
      ...this.ensemble.map((h, i) => `server.${i + 1}=${h.privateIp}:${PEER_PORT}:${ELECTION_PORT}`),
    ];
    config.addPackages('zookeeperd');
    // Deferred: the package makes /etc/zookeeper/conf an alternatives link; writing earlier would replace it.
    config.addFile({ path: ZOO_CFG, content: `${lines.join('\n')}\n`, defer: true });
    config.addFile({ path: ZOO_MYID, content: `${myid}\n`, defer: true });
    config.addRunCommand(['systemctl', 'enable', '--now', 'zookeeper.service']);
  }
}
