/**
 * `marathon-lb`: HAProxy configured from Marathon's event stream, as a pinned container on the host network
 * of the edge hosts. Apps labelled with its group get a frontend on their service port (for clients inside
 * the cluster) and, with a virtual host label, on 80/443 (for the region's public load balancer).
 *
 * Its listen addresses come from HAProxy templates inside the image (80, 443, 9090 and 9091 on every
 * address); changing them means replacing those templates, which this role does not do, so these ports are
 * fixed and only the security groups limit who reaches them.
 *
 * @see https://github.com/mesosphere/marathon-lb#usage
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { containerService } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkPinnedImage, checkPortRange } from '../../lib/validate.js';

import { HostRole, type HostContext, type RoleGroup, type RoleSecret } from './host-role.js';
import { MESOS_PRINCIPALS, MesosCredentials } from './mesos-credentials.js';

export interface MarathonLbProps {
  /** Full reference of the marathon-lb image (`mesosphere/marathon-lb:<version>`), as the hosts pull it; pinned. */
  readonly image: string;
  /** Every Marathon's API, `http://<ip>:8080`; marathon-lb follows whichever is the leader. */
  readonly marathonUrls: readonly string[];
  /** Only apps with the label `HAPROXY_GROUP=<group>` are exposed. @default 'external' */
  readonly group?: string;
  /**
   * Service ports Marathon assigns to apps (`--local_port_min`/`--local_port_max`), first and last; opened
   * to the cluster. @default [10000, 20000]
   */
  readonly servicePortRange?: readonly [number, number];
}

/** Container (and systemd unit) name. */
export const MARATHON_LB_CONTAINER = 'marathon-lb';
/** `operator:<password>` for Marathon's API, read by `--marathon-auth-credential-file` (v1.14.2 common.py); a secret template. */
export const MARATHON_LB_CREDENTIAL_FILE = '/etc/marathon-lb/marathon-credentials';
/** Virtual-host frontends (HTTP, HTTPS), from the image's HAProxy templates. */
export const MARATHON_LB_HTTP_PORTS: readonly number[] = [80, 443];
/** HAProxy stats and `/_haproxy_health_check`, from the image's templates. */
export const MARATHON_LB_STATS_PORT = 9090;
/** Routing by the `X-Marathon-App-Id` header, from the image's templates. */
export const MARATHON_LB_APP_ID_PORT = 9091;
const MARATHON_URL = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?\/?$/;

export class MarathonLb extends HostRole {
  public readonly servicePortRange: readonly [number, number];
  private readonly image: string;
  private readonly marathonUrls: readonly string[];
  private readonly group: string;

  constructor(scope: Construct, id: string, props: MarathonLbProps) {
    const [first, last] = props.servicePortRange ?? [10000, 20000];
    checkPortRange(scope, id, 'servicePortRange', [first, last]);
    super(scope, id, {
      roleName: 'marathon-lb',
      requires: ['docker'],
      ports: [
        { protocol: 'tcp', port: 80, from: 'loadBalancer', description: 'marathon-lb HTTP virtual hosts' },
        { protocol: 'tcp', port: 443, from: 'loadBalancer', description: 'marathon-lb HTTPS virtual hosts' },
        {
          protocol: 'tcp',
          port: MARATHON_LB_STATS_PORT,
          from: 'cluster',
          description: 'marathon-lb HAProxy stats and health check',
        },
        {
          protocol: 'tcp',
          port: MARATHON_LB_APP_ID_PORT,
          from: 'cluster',
          description: 'marathon-lb routing by X-Marathon-App-Id',
        },
        { protocol: 'tcp', port: first, toPort: last, from: 'cluster', description: 'marathon-lb app service ports' },
      ],
    });
    this.servicePortRange = [first, last];
    this.image = props.image;
    this.marathonUrls = [...props.marathonUrls];
    this.group = props.group ?? 'external';
    checkPinnedImage(this, 'image', this.image);
    if (this.marathonUrls.length === 0) {
      throw new SpecError(`${this.node.path}: marathonUrls must list at least one Marathon, got []`);
    }
    this.marathonUrls.forEach((u, i) =>
      checkPattern(this, `marathonUrls[${i}]`, u, MARATHON_URL, 'an http(s)://host:port URL'),
    );
    checkPattern(this, 'group', this.group, /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." or "-"');
    const fixed = [MARATHON_LB_STATS_PORT, MARATHON_LB_APP_ID_PORT].filter((p) => p >= first && p <= last);
    if (fixed.length > 0) {
      throw new SpecError(
        `${this.node.path}: servicePortRange must not contain port ${fixed[0]}, got ${first}-${last}`,
      );
    }
  }

  /** The password of Marathon's API, which requires basic auth (marathon.ts). */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    return [MesosCredentials.of(group.scope).secret('marathonHttp')];
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    const ports = [...MARATHON_LB_HTTP_PORTS, MARATHON_LB_STATS_PORT, MARATHON_LB_APP_ID_PORT];
    const http = MESOS_PRINCIPALS.marathonHttp;
    config.addFile({
      path: MARATHON_LB_CREDENTIAL_FILE,
      content: `${http.principal}:${secretRef(http.secret)}\n`,
      permissions: '0600',
    });
    config.addSystemdUnit({
      name: `${MARATHON_LB_CONTAINER}.service`,
      content: containerService({
        name: MARATHON_LB_CONTAINER,
        description: 'marathon-lb (HAProxy for Marathon apps)',
        image: this.image,
        runOptions: [
          // Required by the image's start script: the ports its HAProxy reload guards against lost connections.
          '--env',
          `PORTS=${ports.join(',')}`,
          // The reload guard inserts and removes iptables rules; nothing else needs more than the defaults.
          '--cap-add',
          'NET_ADMIN',
          // HAProxy and marathon-lb log to syslog through /dev/log.
          '--volume',
          '/dev/log:/dev/log',
          // the file itself: its tmpfs target is not in the container otherwise (Docker resolves the symlink)
          '--volume',
          `${MARATHON_LB_CREDENTIAL_FILE}:${MARATHON_LB_CREDENTIAL_FILE}:ro`,
        ],
        args: [
          'sse',
          '--marathon',
          ...this.marathonUrls,
          '--group',
          this.group,
          '--health-check',
          '--marathon-auth-credential-file',
          MARATHON_LB_CREDENTIAL_FILE,
        ],
      }),
    });
  }
}
