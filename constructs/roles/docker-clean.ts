/**
 * `docker-clean`: a systemd timer that removes what Docker no longer uses and is older than a threshold:
 * stopped containers (`docker container prune --filter until=<N>h`), dangling image layers, and tagged images
 * no container uses and built more than N hours ago, except the region's pinned images.
 *
 * What it never removes, and why:
 * - the pinned images (the daemons' own, {@link DockerCleanProps.keepImages}): a unit that is down, or a
 *   one-shot unit (calico-cni), would otherwise lose its image, and then depends on the registry to start
 *   again. `until` compares an image's build time, so a `docker image prune --all --filter until=` would
 *   take a pinned image the first time its unit is stopped;
 * - networks: `docker network prune` removes every network no container is attached to at that moment, the
 *   `weave` network of the weave role's Docker plugin included, while tasks still name it;
 * - volumes: they hold data (REX-Ray volumes are the cloud's disks; a volume is "unused" whenever its task is
 *   between hosts).
 *
 * The filters are checked against the daemons of Debian's docker.io 20.10 (bookworm) and 26.1 (trixie):
 * `until` and `label` for container and image prune, `dangling` for images (moby daemon prune filters
 * `containersAcceptedFilters` / `imagesAcceptedFilters`, unchanged from 17.06 to 29).
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
  /** Image references never removed (the pinned images as the hosts pull them). @default - none */
  readonly keepImages?: readonly string[];
}

export const DOCKER_CLEAN_SERVICE = 'docker-clean.service';
export const DOCKER_CLEAN_TIMER = 'docker-clean.timer';
export const DOCKER_CLEAN_SCRIPT = '/usr/local/sbin/regionkit-docker-clean';
/** One image reference a line: never removed. */
export const DOCKER_CLEAN_KEEP = '/etc/regionkit/docker-clean.keep';

// Hosts of a region share a schedule; spreading them over an hour keeps them from pruning (and then pulling
// again) all at once. FixedRandomDelay keeps each host's delay the same from day to day.
const RANDOMIZED_DELAY = '1h';
// A prune stuck on a hung daemon must not block the next run forever.
const TIMEOUT = '1h';

export class DockerClean extends HostRole {
  private readonly schedule: string;
  private readonly keepHours: number;
  private readonly keepImages: readonly string[];

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
    this.keepImages = [...new Set(props.keepImages ?? [])].sort();
    this.keepImages.forEach((ref, i) =>
      checkPattern(this, `keepImages[${i}]`, ref, /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/, 'an image reference'),
    );
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    config.addFile({
      path: DOCKER_CLEAN_KEEP,
      content: `# regionkit docker-clean role: images never removed\n${this.keepImages.map((r) => `${r}\n`).join('')}`,
    });
    config.addScript(DOCKER_CLEAN_SCRIPT, CLEAN_SCRIPT);
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
          ['ExecStart', execLine([DOCKER_CLEAN_SCRIPT, String(this.keepHours), DOCKER_CLEAN_KEEP])],
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

/**
 * Arguments: hours to keep, the keep-list file. Never `docker system prune`: it removes networks, and with
 * `--all` every unused image, pinned or not.
 */
const CLEAN_SCRIPT = `#!/bin/sh
# regionkit docker-clean role: remove stopped containers and unused images older than $1 hours, except the
# images listed in $2; never networks or volumes
set -eu
hours=$1
keep=$2

docker container prune --force --filter "until=\${hours}h"
docker image prune --force --filter "until=\${hours}h"

# Tagged images built before the cut-off, one by one so that the kept ones stay; docker refuses to remove an
# image a container (running or stopped) still uses.
docker image ls --format '{{.Repository}}:{{.Tag}}' --filter dangling=false | while read -r ref; do
  if grep -qxF "$ref" "$keep"; then
    continue
  fi
  created=$(docker image inspect --format '{{.Created}}' "$ref" 2>/dev/null) || continue
  if [ "$(date -d "$created" +%s)" -lt "$(( $(date +%s) - hours * 3600 ))" ]; then
    if docker image rm "$ref" >/dev/null 2>&1; then
      echo "docker-clean: removed $ref"
    fi
  fi
done
`;
