/**
 * `zookeeper`: one member of a ZooKeeper ensemble, from Debian's `zookeeper` package (3.8.0 in bookworm,
 * 3.9.3 in trixie). The ensemble is the hosts of one group; each host's `myid` is its 1-based position there,
 * so every member knows every other at synth time from the deterministic addresses. The data directory is on
 * the group's first data disk (`data-disk.ts`).
 *
 * The daemon runs from a native systemd unit of this role; `zookeeperd` (only a sysv script,
 * `/etc/init.d/zookeeper`, in 3.8.0-11+deb12u2 and 3.9.3-1+deb13u1) is not installed. Under systemd that
 * script becomes a generated unit with `RemainAfterExit=yes` (a JVM that died still shows "active"), no
 * restart, and ordering only after `$remote_fs` (bookworm): a reboot that starts it before the private
 * address is up leaves it down. The unit below waits for network-online.target, restarts on failure and
 * starts once, from runcmd, after zoo.cfg and myid are written.
 *
 * @see https://zookeeper.apache.org/doc/r3.8.0/zookeeperAdmin.html
 */
import type { Construct, IConstruct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkRange } from '../../lib/validate.js';

import { dataDirPath } from './data-disk.js';
import { HostRole, type HostContext, type InventoryHost } from './host-role.js';

export interface ZooKeeperProps {
  /** The ensemble members, in `myid` order (an odd number, at least 3, at most 9). */
  readonly ensemble: readonly InventoryHost[];
  /** @default 2181 */
  readonly clientPort?: number;
}

export const ZOO_CFG = '/etc/zookeeper/conf/zoo.cfg';
export const ZOO_MYID = '/etc/zookeeper/conf/myid';
/** On the group's first data disk. */
export const ZOO_DATA_DIR = dataDirPath('zookeeper');
export const ZOOKEEPER_UNIT = 'zookeeper.service';
/** ZooKeeper's command-line client, from Debian's `zookeeper` package (`dpkg -L zookeeper`, 3.8.0-11+deb12u2). */
export const ZK_CLI_PATH = '/usr/share/zookeeper/bin/zkCli.sh';
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

/**
 * `url` (a {@link ZK_URL}) with `user:password@` before its hosts, the form Mesos 1.7.1 (`--zk`, apache/mesos
 * 1.7.1 src/master/flags.cpp, include/mesos/zookeeper/url.hpp) and Marathon v1.8.244 (`--zk`,
 * mesosphere/marathon v1.8.244 src/main/scala/mesosphere/marathon/ZookeeperConf.scala `ZkUrlPattern`) read as
 * a ZooKeeper `digest` credential. `password` is usually a `secretRef`: the result is secret and belongs in
 * a secret template, never on a command line.
 *
 * @throws Error if `url` is not a `zk://host:port[,host:port…]/path` URL, or `user` or `password` holds
 *   a character either parser splits on (`:`, `@`, `/`).
 */
export function zkUrlWithCredentials(url: string, user: string, password: string): string {
  if (!ZK_URL.test(url))
    throw new Error(`zkUrlWithCredentials: url must be a zk://host:port[,host:port...]/path URL, got ${url}`);
  for (const [what, value] of [
    ['user', user],
    ['password', password],
  ] as const) {
    if (!/^[A-Za-z0-9_]+$/.test(value)) {
      // the password's value stays out of the message
      const got = what === 'user' ? `, got ${JSON.stringify(value)}` : '';
      throw new Error(`zkUrlWithCredentials: ${what} must be letters, digits or "_"${got}`);
    }
  }
  return `zk://${user}:${password}@${url.slice('zk://'.length)}`;
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
      dataDirs: [{ name: 'zookeeper', description: 'ZooKeeper snapshots and logs', minSizeGiB: 8 }],
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
      `dataDir=${ZOO_DATA_DIR}`,
      `clientPort=${this.clientPort}`,
      // clients reach it on the private address only (the default is every address)
      `clientPortAddress=${ctx.host.privateIp}`,
      'maxClientCnxns=200',
      'autopurge.snapRetainCount=5',
      'autopurge.purgeInterval=24',
      '4lw.commands.whitelist=srvr,ruok,mntr',
      'admin.enableServer=false',
      ...this.ensemble.map((h, i) => `server.${i + 1}=${h.privateIp}:${PEER_PORT}:${ELECTION_PORT}`),
    ];
    config.addPackages('zookeeper');
    // Deferred: the package makes /etc/zookeeper/conf an alternatives link; writing earlier would replace it.
    config.addFile({ path: ZOO_CFG, content: `${lines.join('\n')}\n`, defer: true });
    config.addFile({ path: ZOO_MYID, content: `${myid}\n`, defer: true });
    // Written before the packages install, so that nothing starts ZooKeeper before its configuration exists.
    config.addSystemdUnit({ name: ZOOKEEPER_UNIT, content: ZOOKEEPER_UNIT_CONTENT });
  }
}

/**
 * SLF4J's binding to log4j 1.2 and log4j itself, both installed with ZooKeeper (libzookeeper-java 3.8.0-11+deb12u2
 * Depends on libslf4j-java and liblog4j1.2-java). The package's CLASSPATH (`/etc/zookeeper/conf/environment`:
 * `/etc/zookeeper/conf:/usr/share/java/zookeeper.jar`, whose manifest adds `slf4j-api.jar` only) has no binding,
 * so ZooKeeper falls back to SLF4J's no-operation logger and logs nothing at all; the first-boot test of
 * 1 December found exactly `SLF4J: Defaulting to no-operation (NOP) logger implementation` in its journal. With
 * the binding it logs as the package's `log4j.properties` says (`ZOO_LOG4J_PROP=INFO,ROLLINGFILE`:
 * `/var/log/zookeeper/zookeeper.log`).
 */
export const ZOOKEEPER_LOG_BINDING = '/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar';

/**
 * The daemon as the package's init script runs it (its environment file and class path), in the foreground.
 * @see zookeeperd 3.8.0-11+deb12u2 /etc/init.d/zookeeper; zookeeper 3.8.0-11+deb12u2 /etc/zookeeper/conf_example/environment
 */
const ZOOKEEPER_UNIT_CONTENT = renderUnit('zookeeper.service: ZooKeeper ensemble member (regionkit zookeeper role)', {
  Unit: [
    ['Description', 'ZooKeeper ensemble member'],
    // it binds the private address, which is up only at network-online.target
    ['After', 'network-online.target'],
    ['Wants', 'network-online.target'],
    ['RequiresMountsFor', ZOO_DATA_DIR],
  ],
  Service: [
    ['Type', 'simple'],
    ['User', 'zookeeper'],
    ['Group', 'zookeeper'],
    ['EnvironmentFile', '/etc/zookeeper/conf/environment'],
    ['EnvironmentFile', '-/etc/default/zookeeper'],
    // ZooKeeper reads myid from dataDir; the package links /var/lib/zookeeper/myid to /etc/zookeeper/conf/myid,
    // and the data disk's directory gets the same link
    ['ExecStartPre', `+/usr/bin/install -d -o zookeeper -g zookeeper -m 0750 ${ZOO_DATA_DIR}`],
    ['ExecStartPre', `+/bin/ln -sfn ${ZOO_MYID} ${ZOO_DATA_DIR}/myid`],
    [
      'ExecStart',
      `/usr/bin/java -cp \${CLASSPATH}:${ZOOKEEPER_LOG_BINDING} $JAVA_OPTS -Dzookeeper.log.dir=\${ZOO_LOG_DIR} ` +
        '-Dzookeeper.root.logger=${ZOO_LOG4J_PROP} ${ZOOMAIN} ${ZOOCFG}',
    ],
    // the JVM exits 143 on SIGTERM
    ['SuccessExitStatus', 143],
    ['Restart', 'on-failure'],
    ['RestartSec', 10],
  ],
  Install: [['WantedBy', 'multi-user.target']],
});
