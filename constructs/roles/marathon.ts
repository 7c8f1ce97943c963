/**
 * `marathon`: one Marathon scheduler as a pinned container on the host network. The Marathons of a cluster
 * elect a leader in ZooKeeper and keep their state there; standbys proxy API calls to the leader.
 *
 * Marathon is a Mesos framework: the masters (and agents, for framework messages) open connections back to
 * its libprocess endpoint, so that endpoint gets a fixed port on the private address instead of a random one.
 *
 * @see https://mesosphere.github.io/marathon/docs/command-line-flags.html
 * @see https://mesos.apache.org/documentation/latest/configuration/libprocess/
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { containerService } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPinnedImage, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext, type RoleGroup, type RoleSecret } from './host-role.js';
import { MESOS_PRINCIPALS, MesosCredentials } from './mesos-credentials.js';
import { checkZkUrl, zkUrlWithCredentials } from './zookeeper.js';

export interface MarathonProps {
  /** Full reference of the Marathon image (`mesosphere/marathon:<version>`), as the hosts pull it; pinned. */
  readonly image: string;
  /** ZooKeeper URL of the Mesos masters, `zk://h1:2181,h2:2181,h3:2181/mesos`. */
  readonly master: string;
  /**
   * ZooKeeper URL of Marathon's own state, `zk://h1:2181,h2:2181,h3:2181/marathon`, without credentials: the
   * role adds the digest user `marathon` and its generated password ({@link MARATHON_ZK_ENV_FILE}).
   */
  readonly zk: string;
  /** REST API and web UI port. @default 8080 */
  readonly httpPort?: number;
  /**
   * Port of the scheduler's libprocess endpoint (`LIBPROCESS_PORT`). The default is the port DC/OS gives
   * Marathon's libprocess: outside the agents' task ports (31000-32000) and the kernel's ephemeral range
   * (32768-60999), so nothing else takes it first. @default 15101
   */
  readonly libprocessPort?: number;
}

/** Container (and systemd unit) name. */
export const MARATHON_CONTAINER = 'marathon';
/**
 * Marathon's Mesos password, the whole file (Marathon reads every byte, v1.8.244 MarathonSchedulerDriver.scala):
 * a secret template owned by `nobody`, the user the image runs Marathon as (build.sbt `daemonUser`).
 */
export const MARATHON_MESOS_SECRET_FILE = '/etc/marathon/mesos-secret';
/**
 * `MESOSPHERE_HTTP_CREDENTIALS=operator:<password>` for `docker --env-file`: Marathon's HTTP basic auth
 * (`--http_credentials` or this variable, v1.8.244 HttpConf.scala), so the password is never on a command line.
 */
export const MARATHON_HTTP_ENV_FILE = '/etc/marathon/http.env';
/**
 * `MARATHON_ZK=zk://marathon:<password>@hosts/marathon` for `docker --env-file`: Marathon's state URL with the
 * ZooKeeper digest user `marathon`. `--zk` cannot read a file, but Marathon turns every `MARATHON_<NAME>`
 * variable into `--<name>` inside the JVM (v1.8.244 src/main/scala/mesosphere/marathon/Main.scala
 * `envToArgs`), so the password is on no command line. With credentials Marathon creates its znodes with
 * `CREATOR_ALL_ACL` (ZookeeperConf.scala `zkDefaultCreationACL`, RichCuratorFramework.scala `aclProvider`).
 */
export const MARATHON_ZK_ENV_FILE = '/etc/marathon/zk.env';
/**
 * Marathon's logging: its own pattern on stdout, but `mesosphere.marathon.MarathonApp` only from WARN. That
 * class logs every argument at INFO when it starts (`Starting Marathon … with …`, v1.8.244 Main.scala), the
 * ones `envToArgs` made from `MARATHON_ZK` included, and the journal would keep the password. Read through
 * logback's `logback.configurationFile` property (logback 1.2.3, project/Dependencies.scala), which the image's
 * start script hands to Java as a `-D` argument (sbt-native-packager 1.3.9 bash-template, project/plugins.sbt).
 */
export const MARATHON_LOGBACK_FILE = '/etc/marathon/logback.xml';
/** Logger of the class that logs Marathon's arguments at start (v1.8.244 Main.scala `MarathonApp`). */
export const MARATHON_ARGS_LOGGER = 'mesosphere.marathon.MarathonApp';

/** {@link MARATHON_LOGBACK_FILE}: the pattern of Marathon's own logback.xml (v1.8.244 src/main/resources). */
const LOGBACK_XML = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <appender name="stdout" class="ch.qos.logback.core.ConsoleAppender">
    <encoder>
      <pattern>[%date] %-5level %message \\(%logger:%thread\\)%n</pattern>
    </encoder>
  </appender>
  <!-- logs its arguments, MARATHON_ZK's password among them, at INFO -->
  <logger name="${MARATHON_ARGS_LOGGER}" level="WARN"/>
  <root level="INFO">
    <appender-ref ref="stdout"/>
  </root>
</configuration>
`;

export class Marathon extends HostRole {
  public readonly httpPort: number;
  public readonly libprocessPort: number;
  private readonly image: string;
  private readonly master: string;
  private readonly zk: string;

  constructor(scope: Construct, id: string, props: MarathonProps) {
    const httpPort = props.httpPort ?? 8080;
    const libprocessPort = props.libprocessPort ?? 15101;
    super(scope, id, {
      roleName: 'marathon',
      requires: ['docker'],
      ports: [
        {
          protocol: 'tcp',
          port: httpPort,
          from: 'cluster',
          description: 'Marathon API (marathon-lb, standby Marathons)',
        },
        { protocol: 'tcp', port: httpPort, from: 'bastion', description: 'Marathon web UI through an SSH tunnel' },
        {
          protocol: 'tcp',
          port: libprocessPort,
          from: 'cluster',
          description: 'Marathon libprocess (Mesos masters, agents)',
        },
      ],
    });
    this.httpPort = httpPort;
    this.libprocessPort = libprocessPort;
    this.image = props.image;
    this.master = props.master;
    this.zk = props.zk;
    checkPinnedImage(this, 'image', this.image);
    checkZkUrl(this, 'master', this.master);
    checkZkUrl(this, 'zk', this.zk);
    checkRange(this, 'httpPort', httpPort, 1024, 65535);
    checkRange(this, 'libprocessPort', libprocessPort, 1024, 65535);
    if (httpPort === libprocessPort) {
      throw new SpecError(`${this.node.path}: libprocessPort must differ from httpPort, got ${libprocessPort}`);
    }
    if (this.zk === this.master) {
      throw new SpecError(`${this.node.path}: zk must differ from master, got ${this.zk}`, {
        hint: "Marathon's state belongs under its own path, e.g. /marathon",
      });
    }
  }

  /** Marathon's password as a Mesos framework, its API's, and its ZooKeeper user's. */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    const credentials = MesosCredentials.of(group.scope);
    return [credentials.secret('marathon'), credentials.secret('marathonHttp'), credentials.secret('zkMarathon')];
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const ip = ctx.host.privateIp;
    config.addFile({
      path: MARATHON_MESOS_SECRET_FILE,
      content: secretRef(MESOS_PRINCIPALS.marathon.secret),
      permissions: '0400',
      owner: 'nobody:nogroup',
    });
    const http = MESOS_PRINCIPALS.marathonHttp;
    config.addFile({
      path: MARATHON_HTTP_ENV_FILE,
      content: `MESOSPHERE_HTTP_CREDENTIALS=${http.principal}:${secretRef(http.secret)}\n`,
      permissions: '0600',
    });
    config.addFile({ path: MARATHON_LOGBACK_FILE, content: LOGBACK_XML, permissions: '0644' });
    const zkUser = MESOS_PRINCIPALS.zkMarathon;
    config.addFile({
      path: MARATHON_ZK_ENV_FILE,
      content: `MARATHON_ZK=${zkUrlWithCredentials(this.zk, zkUser.principal, secretRef(zkUser.secret))}\n`,
      permissions: '0600',
    });
    config.addSystemdUnit({
      name: `${MARATHON_CONTAINER}.service`,
      content: containerService({
        name: MARATHON_CONTAINER,
        description: 'Marathon scheduler for Apache Mesos',
        image: this.image,
        runOptions: [
          '--env',
          `LIBPROCESS_IP=${ip}`,
          '--env',
          `LIBPROCESS_PORT=${this.libprocessPort}`,
          '--volume',
          `${MARATHON_MESOS_SECRET_FILE}:${MARATHON_MESOS_SECRET_FILE}:ro`,
          // every API request, /ping included, needs the user and password (basic auth on /*)
          `--env-file=${MARATHON_HTTP_ENV_FILE}`,
          // --zk with the password, as MARATHON_ZK (never --zk as well: it would be given twice)
          `--env-file=${MARATHON_ZK_ENV_FILE}`,
          '--volume',
          `${MARATHON_LOGBACK_FILE}:${MARATHON_LOGBACK_FILE}:ro`,
        ],
        args: [
          // a Java property for the start script, not a Marathon flag (bash-template: `-D*) addJava`)
          `-Dlogback.configurationFile=${MARATHON_LOGBACK_FILE}`,
          '--master',
          this.master,
          '--hostname',
          ip,
          '--http_address',
          ip,
          '--http_port',
          String(this.httpPort),
          // the masters admit only authenticated frameworks
          '--mesos_authentication',
          '--mesos_authentication_principal',
          MESOS_PRINCIPALS.marathon.principal,
          '--mesos_authentication_secret_file',
          MARATHON_MESOS_SECRET_FILE,
        ],
      }),
    });
  }
}
