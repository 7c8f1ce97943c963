/**
 * `docker-clean`: a systemd timer that prunes what Docker no longer uses and is older than a threshold:
 * stopped containers, images no container uses, unused networks and build cache
 * (`docker system prune --all --force --filter until=<N>h`).
 *
 * Volumes are never pruned: they hold data (REX-Ray volumes are the cloud's disks; a volume is "unused"
 * whenever its task is between hosts), and Docker does not accept the `until` filter for volumes anyway.
 *
 * @see https://docs.docker.com/reference/cli/docker/system/prune/
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.timer.html
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { execLine, renderUnit } from '../../lib/cloudinit/systemd.js';
import { checkPattern, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';

export interface DockerCleanProps {
  /** When to prune, as a systemd OnCalendar expression (`daily`, `Sun 03:00`). @default 'daily' */
  readonly schedule?: string;
  /**
   * Keep what was created less than this many hours ago (Docker compares creation times, so an old image
   * pulled today goes as soon as no container uses it). @default 168
   */
  readonly keepHours?: number;
}

export const DOCKER_CLEAN_SERVICE = 'docker-clean.service';
export const DOCKER_CLEAN_TIMER = 'docker-clean.timer';

// Hosts of a region share a schedule; spreading them over an hour keeps them from pruning (and then pulling
// again) all at once. FixedRandomDelay keeps each host's delay the same from day to day.
const RANDOMIZED_DELAY = '1h';
// A prune stuck on a hung daemon must not block the next run forever.
const TIMEOUT = '1h';

export class DockerClean extends HostRole {
  private readonly schedule: string;
  private readonly keepHours: number;

  constructor(scope: Construct, id: string, props: DockerCleanProps = {}) {
    super(scope, id, { roleName: 'docker-clean', requires: ['docker'] });
    this.schedule = props.schedule ?? 'daily';
    this.keepHours = props.keepHours ?? 168;
    // The characters OnCalendar expressions use; no newline can end up in the unit file.
    checkPattern(
      this,
      'schedule',
      this.schedule,
      /^[A-Za-z0-9*:,./ ~-]{1,64}$/,
      'a systemd OnCalendar expression such as daily',
    );
    checkRange(this, 'keepHours', this.keepHours, 1, 8760);
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    const description = `Prune unused Docker data older than ${this.keepHours}h`;
    config.addSystemdUnit({
      name: DOCKER_CLEAN_SERVICE,
      enable: false,
      content: renderUnit('docker-clean: prunes unused Docker data (regionkit host role)', {
        Unit: [
          ['Description', description],
          ['Documentation', 'https://docs.docker.com/reference/cli/docker/system/prune/'],
          ['Requires', 'docker.service'],
          ['After', 'docker.service'],
        ],
        Service: [
          ['Type', 'oneshot'],
          [
            'ExecStart',
            execLine([
              '/usr/bin/docker',
              'system',
              'prune',
              '--all',
              '--force',
              '--filter',
              `until=${this.keepHours}h`,
            ]),
          ],
          ['TimeoutStartSec', TIMEOUT],
        ],
      }),
    });
    config.addSystemdUnit({
      name: DOCKER_CLEAN_TIMER,
      content: renderUnit('docker-clean: when to prune (regionkit host role)', {
        Unit: [['Description', `${description}, ${this.schedule}`]],
        Timer: [
          ['OnCalendar', this.schedule],
          // a run missed while the host was off happens at the next boot
          ['Persistent', true],
          ['RandomizedDelaySec', RANDOMIZED_DELAY],
          ['FixedRandomDelay', true],
        ],
        Install: [['WantedBy', 'timers.target']],
      }),
    });
  }
}
