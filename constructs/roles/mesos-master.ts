/**
 * `mesos-master`: one Apache Mesos master as a pinned container on the host network. The masters of a
 * cluster elect their leader in ZooKeeper and keep the registry (which agents and frameworks exist) in a
 * replicated log on their own disks, so a quorum of masters must agree on every registry write.
 *
 * @see https://mesos.apache.org/documentation/latest/configuration/master/
 * @see https://mesos.apache.org/documentation/latest/high-availability/
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { containerService, renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkPinnedImage, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext, type RoleGroup, type RoleSecret } from './host-role.js';
import { MESOS_PRINCIPALS, MesosCredentials, type MesosPrincipal } from './mesos-credentials.js';
import { checkZkUrl, quorumOf, ZK_CLI_PATH, zkUrlWithCredentials } from './zookeeper.js';

export interface MesosMasterProps {
  /**
   * Full reference of the master image (`mesosphere/mesos-master:<version>`), as the hosts pull it (through
   * the region's registry mirror); pinned to a tag or digest.
   */
  readonly image: string;
  /** ZooKeeper URL for leader election, `zk://h1:2181,h2:2181,h3:2181/mesos` (`zkUrl(ensemble, 'mesos')`). */
  readonly zk: string;
  /**
   * Masters that must agree on a registry write: a majority of the masters (`quorumOf(masters)`), i.e. more
   * than half of the hosts of the group this role is on.
   */
  readonly quorum: number;
  /** Cluster name shown in the web UI and the API. */
  readonly clusterName: string;
  /** HTTP API, web UI and libprocess port. @default 5050 */
  readonly port?: number;
}

/**
 * Every credential the masters accept (JSON, as `--credentials` reads it at 1.7.1): frameworks and agents
 * authenticate with CRAM-MD5, HTTP clients with basic authentication, both against this file. A secret
 * template: the values are rendered into tmpfs at boot.
 */
export const MESOS_CREDENTIALS_FILE = '/etc/mesos/credentials';
/** The principals listed in {@link MESOS_CREDENTIALS_FILE}. */
export const MESOS_MASTER_PRINCIPALS: readonly MesosPrincipal[] = ['agent', 'chronos', 'marathon', 'operator'];

/**
 * The masters' ZooKeeper URL with the digest user `mesos` and its password (`zk://mesos:<password>@hosts/mesos`),
 * a secret template read through `--zk=file://` (stout's `SecurePathOrValue` reads the file and prints only
 * its path in the flags: apache/mesos 1.7.1 3rdparty/stout/include/stout/flags/parse.hpp, flag.hpp). With
 * credentials the masters create their znodes (leader election, `log_replicas`) with
 * `EVERYONE_READ_CREATOR_ALL` (src/zookeeper/group.cpp, src/zookeeper/authentication.cpp): readers without
 * credentials (agents, Marathon's and Chronos' `--master`, Mesos-DNS) still read, only `mesos` may change.
 */
export const MESOS_MASTER_ZK_FILE = '/etc/mesos/zk';

/**
 * Oneshot unit (and its script) that gives the masters' znode the ACL the masters create it with, whoever came
 * first: every Mesos detector creates its znode when it connects (`GroupProcess::create`, src/zookeeper/group.cpp
 * at 1.7.1), so an agent or a framework without credentials that reaches ZooKeeper before any master creates
 * `/mesos` open, and an open `/mesos` lets anyone add or delete election entries. Runs where ZooKeeper's client
 * is installed (the zookeeper role's hosts) at every boot, retried until ZooKeeper answers; idempotent.
 */
export const MESOS_ZK_ACL_UNIT = 'regionkit-mesos-zk-acl.service';
export const MESOS_ZK_ACL_SCRIPT = '/usr/local/sbin/regionkit-mesos-zk-acl';
/** `EVERYONE_READ_CREATOR_ALL` in zkCli's `scheme:id:perm` form (apache/mesos 1.7.1 src/zookeeper/authentication.cpp). */
export const EVERYONE_READ_CREATOR_ALL = 'world:anyone:r,auth::cdrwa';

/** Container (and systemd unit) name. Not `mesos-…`: an agent on the same host removes such containers. */
export const MESOS_MASTER_CONTAINER = 'mesos_master';
export const MESOS_MASTER_WORK_DIR = '/var/lib/mesos/master';
/** Log directory of every Mesos daemon (master and agent write differently named files). */
export const MESOS_LOG_DIR = '/var/log/mesos';

export class MesosMaster extends HostRole {
  public readonly port: number;
  private readonly image: string;
  private readonly zk: string;
  private readonly quorum: number;
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: MesosMasterProps) {
    const port = props.port ?? 5050;
    super(scope, id, {
      roleName: 'mesos-master',
      requires: ['docker'],
      ports: [
        {
          protocol: 'tcp',
          port,
          from: 'cluster',
          description: 'Mesos master API and libprocess (agents, frameworks, masters)',
        },
        { protocol: 'tcp', port, from: 'bastion', description: 'Mesos master web UI through an SSH tunnel' },
      ],
    });
    this.port = port;
    this.image = props.image;
    this.zk = props.zk;
    this.quorum = props.quorum;
    this.clusterName = props.clusterName;
    checkPinnedImage(this, 'image', this.image);
    checkZkUrl(this, 'zk', this.zk);
    checkRange(this, 'quorum', this.quorum, 1, 5);
    checkPattern(
      this,
      'clusterName',
      this.clusterName,
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
      'letters, digits, ".", "_" or "-"',
    );
    checkRange(this, 'port', port, 1024, 65535);
  }

  /** Every principal's password (the masters check them all) and their own ZooKeeper password. */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    const credentials = MesosCredentials.of(group.scope);
    return [...MESOS_MASTER_PRINCIPALS.map((p) => credentials.secret(p)), credentials.secret('zkMesos')];
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const masters = ctx.groupHosts.length;
    if (!(this.quorum > masters / 2 && this.quorum <= masters)) {
      throw new SpecError(
        `${this.node.path}: quorum must be a majority of the ${masters} masters of group ${ctx.host.group}, got ${this.quorum}`,
        { hint: `pass quorumOf(${masters}) = ${quorumOf(masters)}` },
      );
    }
    const ip = ctx.host.privateIp;
    addMesosDirectories(config, MESOS_MASTER_WORK_DIR, '0750');
    const credentials = {
      credentials: MESOS_MASTER_PRINCIPALS.map((p) => ({
        principal: MESOS_PRINCIPALS[p].principal,
        secret: secretRef(MESOS_PRINCIPALS[p].secret),
      })),
    };
    config.addFile({
      path: MESOS_CREDENTIALS_FILE,
      content: `${JSON.stringify(credentials, null, 2)}\n`,
      permissions: '0600',
    });
    const zkUser = MESOS_PRINCIPALS.zkMesos;
    config.addFile({
      path: MESOS_MASTER_ZK_FILE,
      content: zkUrlWithCredentials(this.zk, zkUser.principal, secretRef(zkUser.secret)),
      permissions: '0600',
    });
    config.addFile({ path: MESOS_ZK_ACL_SCRIPT, content: ZK_ACL_SCRIPT, permissions: '0755' });
    config.addSystemdUnit({ name: MESOS_ZK_ACL_UNIT, content: ZK_ACL_UNIT });
    config.addSystemdUnit({
      name: `${MESOS_MASTER_CONTAINER}.service`,
      content: containerService({
        name: MESOS_MASTER_CONTAINER,
        description: 'Apache Mesos master',
        image: this.image,
        runOptions: [
          '--volume',
          `${MESOS_MASTER_WORK_DIR}:${MESOS_MASTER_WORK_DIR}`,
          '--volume',
          `${MESOS_LOG_DIR}:${MESOS_LOG_DIR}`,
          // the file itself: its tmpfs target is not in the container otherwise (Docker resolves the symlink)
          '--volume',
          `${MESOS_CREDENTIALS_FILE}:${MESOS_CREDENTIALS_FILE}:ro`,
          '--volume',
          `${MESOS_MASTER_ZK_FILE}:${MESOS_MASTER_ZK_FILE}:ro`,
        ],
        // Flags, not MESOS_* variables: the image's CMD is `--registry=in_memory`, and any arguments replace it.
        args: [
          // the URL with the password, from the file: never on the command line (`ps`, `docker inspect`)
          `--zk=file://${MESOS_MASTER_ZK_FILE}`,
          `--quorum=${this.quorum}`,
          `--cluster=${this.clusterName}`,
          '--registry=replicated_log',
          `--work_dir=${MESOS_MASTER_WORK_DIR}`,
          `--log_dir=${MESOS_LOG_DIR}`,
          `--hostname=${ip}`,
          `--ip=${ip}`,
          `--port=${this.port}`,
          // Only frameworks and agents with a credential of the file register (CRAM-MD5), HTTP frameworks too
          // (basic), and the read-write HTTP endpoints (teardown, maintenance, reservations) need one.
          '--authenticate_frameworks=true',
          '--authenticate_agents=true',
          '--authenticate_http_frameworks=true',
          '--http_framework_authenticators=basic',
          '--authenticate_http_readwrite=true',
          `--credentials=${MESOS_CREDENTIALS_FILE}`,
        ],
      }),
    });
  }
}

/**
 * How long one zkCli.sh session of {@link MESOS_ZK_ACL_SCRIPT} may take before its unit retries. ZooKeeper 3.8's
 * client waits for a reply with no limit by default (`zookeeper.request.timeout` 0); the script sets
 * {@link ZK_CLI_REQUEST_TIMEOUT_MS}, and this bounds the rest (the JVM's start, connecting). On a cloud host a
 * session takes seconds; in the boot test's emulated trio the JVM alone used 15-47 s of CPU and 120 s ran out
 * (docs/boot-test.md). Below the unit's `TimeoutStartSec` (300 s).
 * @see apache/zookeeper release-3.8.0-1, client/ZKClientConfig.java (ZOOKEEPER_REQUEST_TIMEOUT_DEFAULT = 0) and
 *   ClientCnxn.java (submitRequest waits without limit when it is 0)
 */
const ZK_CLI_TIMEOUT_SECONDS = 240;

/**
 * How long zkCli.sh waits for the reply to one request of {@link MESOS_ZK_ACL_SCRIPT}, in ms: then the request
 * fails (zkCli prints ConnectionLoss), the client drops its connection and the next command connects again, so a
 * session started during a leader election ends well inside {@link ZK_CLI_TIMEOUT_SECONDS} (its four requests at
 * most 120 s). Set through `CLIENT_JVMFLAGS`, which Debian 12's zkCli.sh (zookeeper 3.8.0-11+deb12u2) passes to
 * the JVM and its environment file leaves unset.
 * @see apache/zookeeper release-3.8.0-1, client/ZKClientConfig.java (`zookeeper.request.timeout`) and
 *   ClientCnxn.java (submitRequest, waitForPacketFinish, cleanAndNotifyState)
 */
const ZK_CLI_REQUEST_TIMEOUT_MS = 30_000;

/** {@link MESOS_ZK_ACL_SCRIPT}: reads {@link MESOS_MASTER_ZK_FILE}; the password reaches zkCli on stdin only. */
const ZK_ACL_SCRIPT = `#!/bin/sh
# regionkit mesos-master role: /mesos gets the ACL the masters create it with (see ${MESOS_ZK_ACL_UNIT}).
set -eu
url=$(cat ${MESOS_MASTER_ZK_FILE})
rest=\${url#zk://}
credential=\${rest%%@*}
user=\${credential%%:*}
servers=\${rest#*@}
znode=/\${servers#*/}
servers=\${servers%%/*}
acl='${EVERYONE_READ_CREATOR_ALL}'
# printf is a shell builtin: the password is in no process's arguments
status=0
out=$(printf 'addauth digest %s\\ncreate %s "" %s\\nsetAcl %s %s\\ngetAcl %s\\nquit\\n' \\
  "$credential" "$znode" "$acl" "$znode" "$acl" "$znode" |
  CLIENT_JVMFLAGS=-Dzookeeper.request.timeout=${ZK_CLI_REQUEST_TIMEOUT_MS} \\
    timeout ${ZK_CLI_TIMEOUT_SECONDS} ${ZK_CLI_PATH} -server "$servers" 2>&1) || status=$?
if printf '%s\\n' "$out" | grep -q "^'digest,'$user:"; then
  echo "regionkit-mesos-zk-acl: $znode: anyone reads, $user may change it"
  exit 0
fi
[ "$status" -ne 124 ] || echo "regionkit-mesos-zk-acl: zkCli.sh did not finish within ${ZK_CLI_TIMEOUT_SECONDS} s" >&2
# what zkCli said last, for the journal; never a line with the credential (zkCli may echo its input)
printf '%s\\n' "$out" | grep -v digest | tail -n 8 >&2 || true
echo "regionkit-mesos-zk-acl: $znode: ACL not set yet" >&2
exit 1
`;

const ZK_ACL_UNIT = renderUnit(
  `${MESOS_ZK_ACL_UNIT.replace('.service', '')}: ACL of the Mesos masters' znode (regionkit mesos-master role)`,
  {
    Unit: [
      ['Description', "ACL of the Mesos masters' znode in ZooKeeper"],
      ['After', 'network-online.target zookeeper.service'],
      ['Wants', 'network-online.target'],
      ['ConditionPathExists', ZK_CLI_PATH],
    ],
    Service: [
      ['Type', 'oneshot'],
      ['RemainAfterExit', true],
      ['ExecStart', MESOS_ZK_ACL_SCRIPT],
      // until the ensemble has a quorum (the other control hosts may still be booting)
      ['Restart', 'on-failure'],
      ['RestartSec', 15],
      ['TimeoutStartSec', 300],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  },
);

/**
 * Creates /var/lib/mesos, `workDir` (with `workDirMode`) and the shared log directory (readable by group adm,
 * like the rest of /var/log) before a Mesos daemon's container bind-mounts them.
 */
export function addMesosDirectories(config: CloudConfig, workDir: string, workDirMode: string): void {
  config.addRunCommand(['install', '-d', '-m', '0755', '-o', 'root', '-g', 'root', '/var/lib/mesos']);
  config.addRunCommand(['install', '-d', '-m', workDirMode, '-o', 'root', '-g', 'root', workDir]);
  config.addRunCommand(['install', '-d', '-m', '0750', '-o', 'root', '-g', 'adm', MESOS_LOG_DIR]);
}
