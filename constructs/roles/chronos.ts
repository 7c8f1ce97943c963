/**
 * `chronos`: one Chronos job scheduler as a pinned container on the host network. Chronos instances elect a
 * leader and keep their state in ZooKeeper.
 *
 * The image's start script takes its HTTP port from `PORT0` (it appends `--http_port $PORT0` itself) and its
 * libprocess port from `PORT1`, as if Marathon had launched it; so both are set as variables, never as flags.
 *
 * ZooKeeper: no digest user, so Chronos' znodes (`/chronos`) stay open. v3.0.2 takes one only as `--zk_auth`
 * on its command line (bin/start.sh passes its arguments to `java`; `ps` shows them), and even then creates
 * `/chronos/state` and `/chronos/candidate` through Curator 2.11.0's default, world-writable ACL
 * (`ZookeeperModule.scala`; constructs/roles/docs/zookeeper.md).
 *
 * @see https://mesos.github.io/chronos/docs/configuration.html
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { containerService } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkPinnedImage, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext, type RoleGroup, type RoleSecret } from './host-role.js';
import { MESOS_PRINCIPALS, MesosCredentials } from './mesos-credentials.js';
import { checkZkUrl } from './zookeeper.js';

export interface ChronosProps {
  /** Full reference of the Chronos image (`mesosphere/chronos:<version>`), as the hosts pull it; pinned. */
  readonly image: string;
  /** ZooKeeper URL of the Mesos masters, `zk://h1:2181,h2:2181,h3:2181/mesos`. */
  readonly master: string;
  /** ZooKeeper servers for Chronos's state as a plain `h1:2181,h2:2181,h3:2181` list (no `zk://`, no path). */
  readonly zkHosts: string;
  /** REST API and web UI port. @default 4400 */
  readonly httpPort?: number;
  /**
   * Port of the scheduler's libprocess endpoint (`PORT1`, which the image turns into `LIBPROCESS_PORT`). The
   * default is the port DC/OS gives its job scheduler (Metronome, Chronos's successor), next to Marathon's
   * 15101: outside the agents' task ports and the kernel's ephemeral range. @default 15201
   */
  readonly libprocessPort?: number;
}

/** Chronos' Mesos password, the whole file; a secret template. */
export const CHRONOS_MESOS_SECRET_FILE = '/etc/chronos/mesos-secret';
/**
 * `MESOSPHERE_HTTP_CREDENTIALS=operator:<password>` for `docker --env-file`: HTTP basic auth of Chronos' API,
 * from the Chaos 0.8.7 HttpConf it is built on (`--http_credentials` or this variable).
 */
export const CHRONOS_HTTP_ENV_FILE = '/etc/chronos/http.env';
/** Container (and systemd unit) name. */
export const CHRONOS_CONTAINER = 'chronos';
const ZK_HOSTS = /^[A-Za-z0-9.-]+:\d{1,5}(?:,[A-Za-z0-9.-]+:\d{1,5})*$/;

export class Chronos extends HostRole {
  public readonly httpPort: number;
  public readonly libprocessPort: number;
  private readonly image: string;
  private readonly master: string;
  private readonly zkHosts: string;

  constructor(scope: Construct, id: string, props: ChronosProps) {
    const httpPort = props.httpPort ?? 4400;
    const libprocessPort = props.libprocessPort ?? 15201;
    super(scope, id, {
      roleName: 'chronos',
      requires: ['docker'],
      ports: [
        {
          protocol: 'tcp',
          port: httpPort,
          from: 'cluster',
          description: 'Chronos API (standby instances, job clients)',
        },
        { protocol: 'tcp', port: httpPort, from: 'bastion', description: 'Chronos web UI through an SSH tunnel' },
        {
          protocol: 'tcp',
          port: libprocessPort,
          from: 'cluster',
          description: 'Chronos libprocess (Mesos masters, agents)',
        },
      ],
    });
    this.httpPort = httpPort;
    this.libprocessPort = libprocessPort;
    this.image = props.image;
    this.master = props.master;
    this.zkHosts = props.zkHosts;
    checkPinnedImage(this, 'image', this.image);
    checkZkUrl(this, 'master', this.master);
    checkPattern(this, 'zkHosts', this.zkHosts, ZK_HOSTS, 'a host:port[,host:port...] list without zk://');
    checkRange(this, 'httpPort', httpPort, 1024, 65535);
    checkRange(this, 'libprocessPort', libprocessPort, 1024, 65535);
    if (httpPort === libprocessPort) {
      throw new SpecError(`${this.node.path}: libprocessPort must differ from httpPort, got ${libprocessPort}`);
    }
  }

  /** Chronos' password as a Mesos framework, and its API's. */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    const credentials = MesosCredentials.of(group.scope);
    return [credentials.secret('chronos'), credentials.secret('chronosHttp')];
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const ip = ctx.host.privateIp;
    // Read whole by Chronos, which refuses a file others may read or write (v3.0.2 SchedulerDriverBuilder.scala);
    // the image runs it as root.
    config.addFile({
      path: CHRONOS_MESOS_SECRET_FILE,
      content: secretRef(MESOS_PRINCIPALS.chronos.secret),
      permissions: '0600',
    });
    const http = MESOS_PRINCIPALS.chronosHttp;
    config.addFile({
      path: CHRONOS_HTTP_ENV_FILE,
      content: `MESOSPHERE_HTTP_CREDENTIALS=${http.principal}:${secretRef(http.secret)}\n`,
      permissions: '0600',
    });
    config.addSystemdUnit({
      name: `${CHRONOS_CONTAINER}.service`,
      content: containerService({
        name: CHRONOS_CONTAINER,
        description: 'Chronos job scheduler for Apache Mesos',
        image: this.image,
        runOptions: [
          '--env',
          `PORT0=${this.httpPort}`,
          '--env',
          `PORT1=${this.libprocessPort}`,
          '--env',
          `LIBPROCESS_IP=${ip}`,
          '--volume',
          `${CHRONOS_MESOS_SECRET_FILE}:${CHRONOS_MESOS_SECRET_FILE}:ro`,
          // every API request needs the user and password (basic auth on /*)
          `--env-file=${CHRONOS_HTTP_ENV_FILE}`,
        ],
        // --http_address: Chaos 0.8.7's HttpConf (the HTTP layer chronos v3.0.2 builds on), else every address.
        args: [
          '--master',
          this.master,
          '--zk_hosts',
          this.zkHosts,
          '--hostname',
          ip,
          '--http_address',
          ip,
          // the masters admit only authenticated frameworks: a principal with a secret file makes Chronos
          // register with a credential (v3.0.2 SchedulerDriverBuilder.scala)
          '--mesos_authentication_principal',
          MESOS_PRINCIPALS.chronos.principal,
          '--mesos_authentication_secret_file',
          CHRONOS_MESOS_SECRET_FILE,
        ],
      }),
    });
  }
}
