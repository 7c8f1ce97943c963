/**
 * Data disks: the host group's spec'd disks made ready before any role uses them, and the roles' state
 * directories put on them, so that no daemon ever writes its state to the root disk.
 *
 * Each data disk `i` (1-based) of a group gets, on every host:
 * - `regionkit-data-disk<i>.service`, a one-shot that waits for the disk (on both clouds the disk is its own
 *   volume, attached after the instance is created, possibly minutes after it boots) and formats it once as
 *   ext4 with the label
 *   `regionkit-data<i>`. It picks a whole disk that is not the root disk's, has exactly the declared size, is
 *   not read-only, and carries no signature at all (no partition table, no filesystem) — or already carries
 *   our label, which is kept as it is (a reboot, or the same disk re-attached to a replaced instance). A disk
 *   with any other content is never touched; if no disk fits in time the service fails and nothing that
 *   needs the disk starts.
 * - `srv-data<i>.mount`: the filesystem by label at `/srv/data<i>` (`nofail`; the label's device unit waits as
 *   long as the one-shot does, so a late disk is not given up on after systemd's default 90 s).
 *
 * Roles declare their directories (`IHostRole.dataDirs`), keep their state at `dataDirPath(name)`
 * (`/srv/data1/etcd`), create it from their own unit (as the daemon's user, which exists only once the package
 * is installed) and make the unit `RequiresMountsFor=` it: the unit then cannot start unless the disk is
 * mounted, so the state never lands on the root disk.
 * Every role directory goes on the group's first data disk; a group whose roles keep data but which has no
 * data disk, a disk too small for them, or a disk no role uses, is a synth-time error (`dataDiskProblems`).
 *
 * Device naming facts this relies on (the script needs none of them, it matches by size and content):
 * - OpenStack/KVM: Cinder volumes are virtio-blk `/dev/vdb`, `/dev/vdc`… in attach order, not guaranteed;
 *   `/dev/disk/by-id/virtio-<first 20 characters of the volume id>`.
 *   @see https://registry.terraform.io/providers/terraform-provider-openstack/openstack/3.4.0/docs/resources/compute_volume_attach_v2 (`device` is a hint the hypervisor may ignore)
 * - Alibaba Cloud ECS: data disks are `/dev/vdb`… (virtio) on most families and NVMe (`/dev/nvme1n1`…) on
 *   newer ones; `alicloud_ecs_disk_attachment.device` is computed, not chosen.
 *   @see https://registry.terraform.io/providers/aliyun/alicloud/1.289.0/docs/resources/ecs_disk_attachment
 *
 * @see https://www.freedesktop.org/software/systemd/man/252/systemd.mount.html (nofail, RequiresMountsFor=)
 * @see https://www.freedesktop.org/software/systemd/man/252/systemd.unit.html (JobRunningTimeoutSec=)
 */
import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import type { DataDiskSpec } from '../../lib/spec/region-spec.js';

/** State a role keeps on a data disk of its host group, never on the root disk. */
export interface RoleDataDir {
  /** Short name, unique on the host: the directory on the disk (`/srv/data1/<name>`, `dataDirPath`). */
  readonly name: string;
  /** What is kept there, for error messages and unit descriptions. */
  readonly description: string;
  /** Least room it needs, in GiB; the disk must hold the sum of its directories. */
  readonly minSizeGiB: number;
}

/** The script the preparation units run. */
export const DATA_DISK_SCRIPT = '/usr/local/sbin/regionkit-data-disk';
/** How long a host waits for a data disk to appear before the units that need it fail. */
export const DATA_DISK_WAIT_SECONDS = 1200;

/** ext4 label of data disk `index` (0-based); at most 16 characters, as ext4 allows. */
export function dataDiskLabel(index: number): string {
  return `regionkit-data${index + 1}`;
}

/** Where data disk `index` (0-based) is mounted. */
export function dataDiskMountPoint(index: number): string {
  return `/srv/data${index + 1}`;
}

/** `systemd-escape --path`: the unit-name form of an absolute path (`/mnt/my-data` -> `mnt-my\x2ddata`). */
export function systemdEscapePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return '-';
  const hex = (byte: number) => `\\x${byte.toString(16).padStart(2, '0')}`;
  let out = '';
  for (const [i, byte] of [...Buffer.from(parts.join('/'), 'utf8')].entries()) {
    const c = String.fromCharCode(byte);
    // a leading '.' would make a hidden unit file; systemd escapes it
    if (c === '.' && i === 0) out += hex(byte);
    else if (c === '/') out += '-';
    else if (/^[A-Za-z0-9:_.]$/.test(c)) out += c;
    else out += hex(byte);
  }
  return out;
}

/** Where a role keeps the state it declared as `name`: on the group's first data disk. */
export function dataDirPath(name: string): string {
  return `${dataDiskMountPoint(0)}/${name}`;
}

/** Name of the mount unit for `path` (systemd requires it to be the escaped path). */
export function mountUnitName(path: string): string {
  return `${systemdEscapePath(path)}.mount`;
}

/** A data-disk problem of a group, in the region file's terms (`dataDisks ...`). */
export function dataDiskProblems(disks: readonly DataDiskSpec[], dirs: readonly RoleDataDir[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const d of dirs) {
    if (names.has(d.name)) problems.push(`data directory ${dataDirPath(d.name)} is declared twice`);
    names.add(d.name);
  }
  const needed = dirs.reduce((sum, d) => sum + d.minSizeGiB, 0);
  const what = dirs.map((d) => `${d.description} (${d.minSizeGiB} GiB)`).join(', ');
  if (dirs.length > 0 && disks.length === 0) {
    problems.push(
      `dataDisks must hold ${what}, got []; allowed: one or more disks, the first at least ${needed} GiB ` +
        `(dataDisks: [{ sizeGiB: ${Math.max(needed, 20)} }]): role state never goes on the root disk`,
    );
  } else if (dirs.length > 0 && disks[0]!.sizeGiB < needed) {
    problems.push(`dataDisks[0].sizeGiB must be at least ${needed} to hold ${what}, got ${disks[0]!.sizeGiB}`);
  }
  const unused = dirs.length === 0 ? disks.map((_, i) => i) : disks.map((_, i) => i).slice(1);
  for (const i of unused) {
    problems.push(
      `dataDisks[${i}] is used by no role, got ${JSON.stringify(disks[i])}; allowed: disks for roles that keep ` +
        'state (etcd, zookeeper, glusterfs-server keep theirs on the first data disk)',
    );
  }
  return problems;
}

/** Adds what makes the group's first data disk ready and mounted when a role's unit needs it. */
export function configureDataDisks(
  config: CloudConfig,
  disks: readonly DataDiskSpec[],
  dirs: readonly RoleDataDir[],
): void {
  if (dirs.length === 0 || disks.length === 0) return;
  const index = 0;
  const disk = disks[index]!;
  const label = dataDiskLabel(index);
  const where = dataDiskMountPoint(index);
  const prepare = `regionkit-data-disk${index + 1}.service`;
  const mount = mountUnitName(where);
  const device = `${systemdEscapePath(`/dev/disk/by-label/${label}`)}.device`;

  config.addPackages('e2fsprogs', 'util-linux');
  config.addScript(DATA_DISK_SCRIPT, dataDiskScript());
  config.addFile({
    path: `/etc/systemd/system/${prepare}`,
    content: renderUnit(`${prepare} (regionkit data disks)`, {
      Unit: [
        ['Description', `Data disk ${index + 1}: wait for it, format it once`],
        ['Before', mount],
      ],
      Service: [
        ['Type', 'oneshot'],
        ['RemainAfterExit', true],
        ['ExecStart', `${DATA_DISK_SCRIPT} ${label} ${disk.sizeGiB} ${DATA_DISK_WAIT_SECONDS}`],
        ['TimeoutStartSec', DATA_DISK_WAIT_SECONDS + 120],
      ],
    }),
  });
  // The label's device job starts when the mount is wanted, while the disk may still be on its way; its
  // default 90 s would fail the mount before the preparation gives up (fstab's x-systemd.device-timeout=
  // writes the same setting for fstab entries).
  config.addFile({
    path: `/etc/systemd/system/${device}.d/60-regionkit.conf`,
    content: renderUnit(`${device} (regionkit data disks)`, {
      Unit: [['JobRunningTimeoutSec', DATA_DISK_WAIT_SECONDS + 180]],
    }),
  });
  config.addFile({
    path: `/etc/systemd/system/${mount}`,
    content: renderUnit(`${mount} (regionkit data disks)`, {
      Unit: [
        ['Description', `Data disk ${index + 1} (${label})`],
        ['Requires', prepare],
        ['After', prepare],
      ],
      Mount: [
        ['What', `/dev/disk/by-label/${label}`],
        ['Where', where],
        ['Type', 'ext4'],
        // nofail: not a dependency of local-fs.target, so a missing disk fails only the units that need it
        ['Options', 'defaults,noatime,nofail'],
      ],
    }),
  });
}

/**
 * `regionkit-data-disk LABEL SIZE_GIB WAIT_SECONDS`: exits 0 once a filesystem labelled LABEL exists,
 * formatting a fitting empty disk if there is none; exits 1 when none appeared in WAIT_SECONDS.
 */
export function dataDiskScript(): string {
  return `#!/bin/sh
# regionkit data disks: LABEL SIZE_GIB WAIT_SECONDS. Waits for the disk and formats it once. A disk with our
# label is kept as it is; a disk carrying anything else is never touched.
set -eu
label=$1
bytes=$(($2 * 1073741824))
log() { echo "regionkit-data-disk: $*" >&2; }
src=$(findmnt -no SOURCE /)
root=$(lsblk -no PKNAME "$src" 2>/dev/null | head -n 1)
[ -n "$root" ] || root=$(basename "$src")
# a whole disk of the declared size, not the root disk, writable, without any signature (blkid -p exits 2)
empty_disk() {
    lsblk -dnbo NAME,TYPE,SIZE,RO | while read -r name type size ro; do
        if [ "$type" != disk ] || [ "$ro" != 0 ] || [ "$size" != "$bytes" ] || [ "$name" = "$root" ]; then
            continue
        fi
        [ "$(lsblk -nro NAME "/dev/$name" | wc -l)" = 1 ] || continue
        rc=0
        blkid -p "/dev/$name" >/dev/null 2>&1 || rc=$?
        if [ "$rc" = 2 ]; then echo "/dev/$name"; break; fi
    done
}
exec 9>/run/regionkit-data-disk.lock
flock 9
waited=0
while :; do
    dev=$(blkid -c /dev/null -o device -t LABEL="$label" | head -n 1 || true)
    if [ -n "$dev" ]; then log "$label is $dev"; exit 0; fi
    dev=$(empty_disk)
    if [ -n "$dev" ]; then
        log "formatting $dev as $label"
        mkfs.ext4 -q -L "$label" "$dev" </dev/null
        udevadm trigger --action=change "$dev"
        udevadm settle --timeout=60
        exit 0
    fi
    if [ "$waited" -ge "$3" ]; then
        log "no disk labelled $label and no empty $2 GiB disk in $3 s"
        lsblk -dbo NAME,TYPE,SIZE,RO,FSTYPE,LABEL >&2
        exit 1
    fi
    sleep 5
    waited=$((waited + 5))
done
`;
}
