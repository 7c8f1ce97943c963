/**
 * `glusterfs-server` and `glusterfs-client`: one replicated GlusterFS volume, served by the hosts of one group
 * (Debian's `glusterfs-server`, 10.3 in bookworm, 11.1 in trixie) and mounted by hosts of any group of the
 * cluster (`glusterfs-client`) through a systemd automount. The first server forms the trusted pool and
 * creates the volume at its first boot; every other host only waits for it.
 *
 * Bricks live on the group's first data disk (`data-disk.ts`): glusterd `RequiresMountsFor=` the brick and
 * makes it, and the volume is created without `force`, so gluster itself refuses a brick on the root
 * filesystem.
 *
 * glusterd listens on every address: `transport.socket.bind-address` in glusterd.vol would move glusterd
 * off loopback, where the self-heal daemon fetches its volume file (`glusterfs -s localhost`), and brick
 * processes ignore it (gluster/glusterfs#4428, 2024). The security group admits only the cluster's groups.
 *
 * @see https://docs.gluster.org/en/latest/Install-Guide/Configure/
 * @see https://docs.gluster.org/en/latest/Administrator-Guide/Setting-Up-Clients/
 */
import type { Construct, IConstruct } from 'constructs';

import { neverInstall } from '../../lib/cloudinit/apt-preferences.js';
import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { execLine, renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern } from '../../lib/validate.js';

import { dataDirPath, mountUnitName } from './data-disk.js';
import { HostRole, type HostContext, type InventoryHost } from './host-role.js';

export { mountUnitName, systemdEscapePath } from './data-disk.js';

export interface GlusterfsServerProps {
  /**
   * Brick directory on every server, below `/srv/data1/glusterfs` (the group's first data disk).
   * @default '/srv/data1/glusterfs/brick'
   */
  readonly brickPath?: string;
  /** Name of the volume. @default 'shared' */
  readonly volumeName?: string;
}

export interface GlusterfsClientProps {
  /**
   * The servers, evaluated when a host is configured: the hosts of the group with `glusterfs-server`. The
   * first serves the volume file; the others are backup volume-file servers.
   */
  readonly servers: () => readonly InventoryHost[];
  /** Name of the volume. @default 'shared' */
  readonly volumeName?: string;
  /** Where the volume is mounted. @default '/mnt/shared' */
  readonly mountPoint?: string;
}

export const GLUSTERD_VOL = '/etc/glusterfs/glusterd.vol';
/** Forms the pool and creates the volume; written on the first server only. */
export const VOLUME_SCRIPT = '/usr/local/sbin/regionkit-glusterfs-volume';
/** Mounts the volume on a client, retried until the servers serve it. */
export const MOUNT_SERVICE = 'regionkit-glusterfs-mount.service';
export const GLUSTERD_PORT = 24007;
/** Brick processes take ports from this range; glusterd.vol caps it so it matches the security group. */
export const BRICK_PORTS = { from: 49152, to: 49251 } as const;

const DEFAULT_VOLUME = 'shared';
const BRICK_ROOT = dataDirPath('glusterfs');
const DEFAULT_BRICK_PATH = `${BRICK_ROOT}/brick`;
const DEFAULT_MOUNT_POINT = '/mnt/shared';
// Hosts of a region boot together; package installs take minutes, so the waits are generous but bounded.
const SERVER_ATTEMPTS = 120;
const RETRY_SECONDS = 5;
/** Seconds between a client's mount attempts; it never stops trying. */
const CLIENT_RETRY_SECONDS = 15;

const PATH = /^(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)+$/;
const PATH_ALLOWED = "an absolute path of letters, digits, '.', '_' and '-' (no '.' or '..' parts, no trailing '/')";
// cli_validate_volname of the gluster CLI: these names are keywords of the CLI or of volume files.
const RESERVED_VOLUME_NAMES = [
  'volume',
  'type',
  'help',
  'subvolumes',
  'option',
  'end-volume',
  'all',
  'volume_not_in_ring',
  'description',
  'force',
  'snap-max-hard-limit',
  'snap-max-soft-limit',
  'auto-delete',
  'activate-on-create',
];

/** Replica count of a volume over `servers` hosts (one brick each), or undefined when no layout fits. */
export function replicaCount(servers: number): number | undefined {
  if (servers === 2 || servers === 3) return servers;
  return servers > 3 && servers % 3 === 0 ? 3 : undefined;
}

/** A word for a POSIX shell: single-quoted unless it is plainly safe. */
function sh(word: string): string {
  return /^[A-Za-z0-9._/:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function checkVolumeName(scope: IConstruct, value: string): void {
  checkPattern(
    scope,
    'volumeName',
    value,
    /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/,
    "1-64 letters, digits, '_' and '-', not starting with '-'",
  );
  if (RESERVED_VOLUME_NAMES.includes(value)) {
    throw new SpecError(`${scope.node.path}: volumeName must not be a gluster keyword, got ${JSON.stringify(value)}`);
  }
}

/**
 * A GlusterFS server: glusterd, a brick directory, and on the group's first host the script that joins the
 * group's hosts into one trusted pool and creates and starts the replicated volume.
 */
export class GlusterfsServer extends HostRole {
  public readonly brickPath: string;
  public readonly volumeName: string;

  constructor(scope: Construct, id: string, props: GlusterfsServerProps = {}) {
    super(scope, id, {
      roleName: 'glusterfs-server',
      dataDirs: [{ name: 'glusterfs', description: 'GlusterFS bricks', minSizeGiB: 20 }],
      requires: ['apt'],
      ports: [
        // 24008 was glusterd's RDMA listener; glusterd.vol below uses the socket transport only, so it stays closed.
        {
          protocol: 'tcp',
          port: GLUSTERD_PORT,
          from: 'cluster',
          description: 'glusterd: peers and volume files for clients',
        },
        {
          protocol: 'tcp',
          port: BRICK_PORTS.from,
          toPort: BRICK_PORTS.to,
          from: 'cluster',
          description: 'brick processes: clients and self-heal',
        },
      ],
    });
    this.brickPath = props.brickPath ?? DEFAULT_BRICK_PATH;
    this.volumeName = props.volumeName ?? DEFAULT_VOLUME;
    checkPattern(this, 'brickPath', this.brickPath, PATH, PATH_ALLOWED);
    checkVolumeName(this, this.volumeName);
    if (!this.brickPath.startsWith(`${BRICK_ROOT}/`)) {
      throw new SpecError(
        `${this.node.path}: brickPath must be below ${BRICK_ROOT} (the data disk), got ${JSON.stringify(this.brickPath)}`,
        { hint: 'gluster wants the brick on a disk of its own, in a directory below the mount point' },
      );
    }
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const servers = ctx.groupHosts;
    const replica = replicaCount(servers.length);
    if (replica === undefined) {
      throw new SpecError(
        `${this.node.path}: group ${ctx.host.group} must have 2, 3 or a multiple of 3 hosts to serve a replicated volume, got ${servers.length}`,
        { hint: 'each host holds one brick; 2 or 3 hosts form one replica set, more hosts form several sets of 3' },
      );
    }
    // glusterfs-server 10.3-5 Recommends nfs-common, which Depends on rpcbind: port 111 on every address, for
    // an NFS this role never serves (gNFS stays off). The first-boot test found rpcbind listening there.
    neverInstall(
      config,
      'glusterfs-server',
      ['nfs-common'],
      'regionkit glusterfs-server role: nfs-common comes in through Recommends and brings\n' +
        'rpcbind listening on port 111 of every address; gNFS is not used',
    );
    config.addPackages('glusterfs-server');
    // The package's own settings (as Debian's glusterfs-server 10.3 ships them), the brick port range capped.
    config.addFile({
      path: GLUSTERD_VOL,
      content: [
        'volume management',
        '    type mgmt/glusterd',
        '    option working-directory /var/lib/glusterd',
        '    option transport-type socket',
        '    option transport.socket.keepalive-time 10',
        '    option transport.socket.keepalive-interval 2',
        '    option transport.socket.read-fail-log off',
        `    option transport.socket.listen-port ${GLUSTERD_PORT}`,
        '    option ping-timeout 0',
        '    option event-threads 1',
        '#   regionkit: bricks take ports from the range the security group opens',
        `    option base-port ${BRICK_PORTS.from}`,
        `    option max-port ${BRICK_PORTS.to}`,
        'end-volume',
        '',
      ].join('\n'),
    });
    // The brick directory is made on the data disk just before glusterd starts, so it exists before the first
    // server creates the volume; glusterd cannot start without the disk.
    config.addSystemdDropIn(
      'glusterd.service',
      '60-regionkit.conf',
      renderUnit('glusterd.service: bricks on the data disk (regionkit glusterfs-server role)', {
        Unit: [['RequiresMountsFor', this.brickPath]],
        Service: [['ExecStartPre', `/bin/mkdir -p ${this.brickPath}`]],
      }),
    );
    config.addRunCommand(['systemctl', 'enable', '--now', 'glusterd.service']);
    if (ctx.host.index !== 0) return;
    config.addScript(VOLUME_SCRIPT, this.volumeScript(servers, replica));
    config.addRunCommand([VOLUME_SCRIPT]);
  }

  private volumeScript(servers: readonly InventoryHost[], replica: number): string {
    const peers = servers.slice(1).map((h) => h.privateIp);
    const bricks = servers.map((h) => `${h.privateIp}:${this.brickPath}`);
    return `#!/bin/sh
# regionkit glusterfs-server role: joins the ${servers.length} servers into one trusted pool, then creates and
# starts volume ${this.volumeName} (replica ${replica}). Runs on the first server; running it again changes nothing.
set -eu

volume=${sh(this.volumeName)}
replica=${replica}
peers=${sh(peers.join(' '))}
bricks=${sh(bricks.join(' '))}

# --mode=script: no questions (replica 2 asks whether to accept its split-brain risk)
gluster_cli() {
    gluster --mode=script "$@"
}

# Runs a command until it succeeds: at most ${SERVER_ATTEMPTS} times, ${RETRY_SECONDS} seconds apart.
retry() {
    attempt=1
    until "$@"; do
        if [ "$attempt" -ge ${SERVER_ATTEMPTS} ]; then
            echo "regionkit-glusterfs-volume: gave up after $attempt attempts: $*" >&2
            return 1
        fi
        attempt=$((attempt + 1))
        sleep ${RETRY_SECONDS}
    done
}

all_peers_in_pool() {
    connected=$(gluster_cli peer status | grep -c '^State: Peer in Cluster (Connected)$' || true)
    [ "$connected" -ge ${peers.length} ]
}

retry gluster_cli pool list >/dev/null
# A probe succeeds once the peer's glusterd answers; probing a member again is a no-op.
for peer in $peers; do
    retry gluster_cli peer probe "$peer"
done
retry all_peers_in_pool

if ! gluster_cli volume info "$volume" >/dev/null 2>&1; then
    # no force: gluster refuses a brick on the root filesystem, and every brick must be on a data disk
    # shellcheck disable=SC2086 # one word per brick
    gluster_cli volume create "$volume" replica "$replica" transport tcp $bricks
fi
# Only a volume never started is started: one an operator stopped stays stopped.
if gluster_cli volume info "$volume" | grep -q '^Status: Created$'; then
    gluster_cli volume start "$volume"
fi
`;
  }
}

/** A GlusterFS client: the volume mounted by a systemd mount unit, started once the servers serve it. */
export class GlusterfsClient extends HostRole {
  public readonly volumeName: string;
  public readonly mountPoint: string;
  private readonly servers: () => readonly InventoryHost[];

  constructor(scope: Construct, id: string, props: GlusterfsClientProps) {
    super(scope, id, { roleName: 'glusterfs-client', requires: ['apt'] });
    this.servers = props.servers;
    this.volumeName = props.volumeName ?? DEFAULT_VOLUME;
    this.mountPoint = props.mountPoint ?? DEFAULT_MOUNT_POINT;
    checkVolumeName(this, this.volumeName);
    checkPattern(this, 'mountPoint', this.mountPoint, PATH, PATH_ALLOWED);
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    const servers = this.servers().map((h) => h.privateIp);
    if (servers.length === 0) {
      throw new SpecError(`${this.node.path}: servers must return at least one host, got none`, {
        hint: 'pass the hosts of the group with the glusterfs-server role',
      });
    }
    const [first, ...backups] = servers;
    const unit = mountUnitName(this.mountPoint);
    const options = [
      'defaults',
      '_netdev',
      ...(backups.length > 0 ? [`backup-volfile-servers=${backups.join(':')}`] : []),
    ];
    config.addPackages('glusterfs-client');
    const automount = unit.replace(/\.mount$/, '.automount');
    // Written as files: escaped unit names (\x2d for '-') are outside CloudConfig.addSystemdUnit's names.
    config.addFile({
      path: `/etc/systemd/system/${unit}`,
      content: renderUnit(`${unit}: GlusterFS volume ${this.volumeName} (regionkit glusterfs-client role)`, {
        Unit: [
          ['Description', `GlusterFS volume ${this.volumeName} at ${this.mountPoint}`],
          ['After', 'network-online.target'],
          ['Wants', 'network-online.target'],
        ],
        Mount: [
          ['What', `${first}:/${this.volumeName}`],
          ['Where', this.mountPoint],
          ['Type', 'glusterfs'],
          ['Options', options.join(',')],
        ],
      }),
    });
    // Any access mounts the volume, and an access after a failed mount tries again: nothing gives up for good.
    config.addFile({
      path: `/etc/systemd/system/${automount}`,
      content: renderUnit(`${automount}: GlusterFS volume ${this.volumeName} (regionkit glusterfs-client role)`, {
        Unit: [['Description', `Mount GlusterFS volume ${this.volumeName} at ${this.mountPoint} on access`]],
        Automount: [['Where', this.mountPoint]],
        Install: [['WantedBy', 'remote-fs.target']],
      }),
    });
    // The first server creates the volume during its own first boot, which can take longer than any fixed
    // wait: this mounts the volume as soon as it is served, retrying without a limit, at every boot.
    config.addFile({
      path: `/etc/systemd/system/${MOUNT_SERVICE}`,
      content: renderUnit(`${MOUNT_SERVICE}: GlusterFS volume ${this.volumeName} (regionkit glusterfs-client role)`, {
        Unit: [
          ['Description', `Mount GlusterFS volume ${this.volumeName} once the servers serve it`],
          ['After', `network-online.target ${automount}`],
          ['Wants', 'network-online.target'],
          ['StartLimitIntervalSec', 0],
        ],
        Service: [
          ['Type', 'oneshot'],
          ['RemainAfterExit', true],
          ['ExecStart', execLine(['/bin/systemctl', 'start', unit])],
          ['Restart', 'on-failure'],
          ['RestartSec', CLIENT_RETRY_SECONDS],
        ],
        Install: [['WantedBy', 'multi-user.target']],
      }),
    });
    config.addRunCommand(['systemctl', 'daemon-reload']);
    config.addRunCommand(['systemctl', 'enable', '--now', automount]);
    config.addRunCommand(['systemctl', 'enable', '--now', '--no-block', MOUNT_SERVICE]);
  }
}
