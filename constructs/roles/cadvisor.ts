/**
 * `cadvisor`: cAdvisor as a pinned container on the host network, exporting per-container resource usage
 * (CPU, memory, network, disk) on `/metrics` for Prometheus. It listens on the host's private address only,
 * on 8081 by default: 8080 is cAdvisor's own default and Marathon's HTTP port on control hosts.
 *
 * @see https://github.com/google/cadvisor/blob/master/docs/running.md
 * @see https://github.com/google/cadvisor/blob/master/docs/runtime_options.md
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { containerService } from '../../lib/cloudinit/systemd.js';
import { checkPinnedImage, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';

export interface CadvisorProps {
  /**
   * Full reference of the cAdvisor image as the hosts pull it, pinned (`ghcr.io/google/cadvisor:v0.60.5`).
   * Releases from v0.53.0 on are published on ghcr.io only; older ones on gcr.io/cadvisor/cadvisor.
   */
  readonly image: string;
  /** HTTP port of the UI, the API and `/metrics`. @default 8081 */
  readonly port?: number;
  /** Seconds between two collections of each container's statistics. @default 10 */
  readonly housekeepingIntervalSeconds?: number;
}

/** Container (and systemd unit) name. */
export const CADVISOR_CONTAINER = 'cadvisor';

export class Cadvisor extends HostRole {
  public readonly port: number;
  private readonly image: string;
  private readonly housekeepingIntervalSeconds: number;

  constructor(scope: Construct, id: string, props: CadvisorProps) {
    const port = props.port ?? 8081;
    super(scope, id, {
      roleName: 'cadvisor',
      requires: ['docker'],
      // Prometheus may run on any group of the region (or a monitoring host outside the cluster).
      ports: [{ protocol: 'tcp', port, from: 'region', description: 'cAdvisor metrics and API' }],
    });
    this.port = port;
    this.image = props.image;
    this.housekeepingIntervalSeconds = props.housekeepingIntervalSeconds ?? 10;
    checkPinnedImage(this, 'image', this.image);
    checkRange(this, 'port', port, 1024, 65535);
    checkRange(this, 'housekeepingIntervalSeconds', this.housekeepingIntervalSeconds, 1, 300);
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    config.addSystemdUnit({
      name: `${CADVISOR_CONTAINER}.service`,
      content: containerService({
        name: CADVISOR_CONTAINER,
        description: 'cAdvisor container metrics',
        image: this.image,
        // The mounts and device of cAdvisor's documented `docker run`: read-only views of the host.
        runOptions: [
          '--privileged',
          '--device=/dev/kmsg',
          '--volume=/:/rootfs:ro',
          '--volume=/var/run:/var/run:ro',
          '--volume=/sys:/sys:ro',
          '--volume=/var/lib/docker/:/var/lib/docker:ro',
          '--volume=/dev/disk/:/dev/disk:ro',
        ],
        args: [
          `--listen_ip=${ctx.host.privateIp}`,
          `--port=${this.port}`,
          `--housekeeping_interval=${this.housekeepingIntervalSeconds}s`,
          // Per-container series for Docker containers only (plus the host's root cgroup): the systemd slices
          // of every host service would multiply the series Prometheus stores.
          '--docker_only=true',
        ],
      }),
    });
  }
}
