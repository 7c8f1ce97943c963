#!/usr/bin/env bash
# Builds (or finds in the cache) the Debian root disk the first-boot test boots: debootstrap of <suite> from
# Debian's packages, a kernel, GRUB installed in the disk's MBR (the VM boots through the image's own GRUB,
# so user data that changes the kernel command line and reboots is honoured), cloud-init reading only the
# NoCloud seed, a generated locale, and the packages the rendered cloud-configs install, so first boot
# downloads nothing big.
#
#   build-image.sh [--apt-preferences <dir>] [--image-units <unit,...>] <bookworm|trixie> [role package...]
#
# --apt-preferences: apt_preferences(5) files the hosts' user data writes to /etc/apt/preferences.d. They are
# copied there before the role packages install, as on a real first boot (write_files before packages), so a
# package the hosts pin away (Pin-Priority -1) is not in the image either.
#
# --image-units: units whose container image cannot be pulled here; each gets the emulation-only restart delay
# of guest/image-unit-boot-test-restart.conf (see the file).
#
# Prints the path of the qcow2 image on stdout. The image is cached under
# ${REGIONKIT_BOOT_DIR:-~/.cache/regionkit/boot}/images, keyed by this script's text, the suite and the sorted
# package set. Needs root (loop devices, chroot). Packages never start services while they install
# (policy-rc.d answers 101), and the units they enable are recorded and disabled in the image: a real first
# boot installs them under the user data's own policy-rc.d, so they are enabled but not running until a role
# starts them. A unit baked into the image (regionkit-boot-test-package-units.service) re-creates, after the
# first cloud-final, the links of the packages the host's own user data installs (with what apt pulls in
# with them), so from the second boot on the image behaves as a host that installed those packages at
# first boot; packages only other hosts install stay installed but disabled. Role packages the suite does not have are left out and listed in
# /etc/regionkit-boot-test/missing-packages; first boot then fails to install them, as it would on a cloud.
#
# Nothing here touches the host's network or resolver: the chroot gets its own copy of /etc/resolv.conf,
# which is replaced by an empty file before the image is closed.
set -euo pipefail

prefs_dir=""
if [ "${1:-}" = --apt-preferences ]; then
  prefs_dir="${2:?--apt-preferences needs a directory}"
  shift 2
fi
image_units=()
if [ "${1:-}" = --image-units ]; then
  IFS=, read -r -a image_units <<<"${2:?--image-units needs a comma-separated list}"
  shift 2
fi
suite="${1:?usage: build-image.sh [--apt-preferences <dir>] [--image-units <unit,...>] <bookworm|trixie> [package...]}"
shift
case "$suite" in bookworm | trixie) ;; *) echo "build-image: unsupported suite $suite" >&2; exit 2 ;; esac
mapfile -t role_packages < <(printf '%s\n' "$@" | sed '/^$/d' | sort -u)
here="$(cd "$(dirname "$0")" && pwd)"
dir="${REGIONKIT_BOOT_DIR:-$HOME/.cache/regionkit/boot}"
mirror="${REGIONKIT_BOOT_MIRROR:-http://deb.debian.org/debian}"
# The report script itself travels on the seed (vm.ts), so changing it does not rebuild the image.
baked=("$here/guest/regionkit-boot-report-launch" "$here/guest/regionkit-boot-report.service"
  "$here/guest/regionkit-boot-test-package-units" "$here/guest/regionkit-boot-test-package-units.service"
  "$here/guest/glusterd-boot-test-timeout.conf" "$here/guest/etcd-boot-test-timing.conf"
  "$here/guest/regionkit-secrets-boot-test.conf"
  "$here/guest/regionkit-boot-test-secret-values"
  "$here/guest/regionkit-kubernetes-packages-boot-test-tries.conf"
  "$here/guest/image-unit-boot-test-restart.conf")
prefs=()
if [ -n "$prefs_dir" ]; then mapfile -t prefs < <(find "$prefs_dir" -maxdepth 1 -type f | sort); fi
key="$({
  cat "$0" "${baked[@]}"
  echo "$suite"
  printf '%s\n' "${role_packages[@]}"
  for f in "${prefs[@]}"; do basename "$f"; cat "$f"; done
  printf 'image-unit %s\n' "${image_units[@]}"
} | sha256sum | cut -c1-16)"
out="$dir/images/debian-$suite-$key.qcow2"
if [ -f "$out" ]; then
  echo "$out"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "build-image: needs root (loop devices, chroot)" >&2; exit 1; }
mkdir -p "$dir/images"
work="$(mktemp -d "$dir/build.XXXXXX")"
root="$work/root"
disk="$work/disk.raw"
part_loop=""
disk_loop=""
cleanup() {
  set +e
  trap '' INT TERM
  for m in dev/pts dev proc sys run; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  mountpoint -q "$root" && { umount "$root" || umount -l "$root"; }
  [ -n "$part_loop" ] && losetup -d "$part_loop"
  [ -n "$disk_loop" ] && losetup -d "$disk_loop"
  # Never remove the work directory while anything is still mounted below it.
  if grep -q " $work" /proc/mounts; then
    echo "build-image: $work is still mounted; left in place" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "build-image: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
started=$SECONDS
log() { echo "build-image[$suite +$((SECONDS - started))s]: $*" >&2; }

# A 6 GiB disk, one bootable partition from 1 MiB (the gap before it holds GRUB's core image).
truncate -s 6G "$disk"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$disk"
disk_loop="$(losetup -f --show "$disk")"
part_loop="$(losetup -f --show -o $((2048 * 512)) "$disk")"
mkfs.ext4 -q -L rootfs "$part_loop"
uuid="$(blkid -s UUID -o value "$part_loop")"
mkdir -p "$root"
mount "$part_loop" "$root"

# debootstrap plus the base packages below is cached as a tar file per suite and base set, so a change of
# role packages or of the image's own files does not repeat it.
base=(linux-image-amd64 grub-pc cloud-init cloud-guest-utils locales python3-cffi-backend openssh-server
  sudo ca-certificates iproute2 e2fsprogs)
if [ "$suite" = bookworm ]; then base+=(ifupdown isc-dhcp-client); else base+=(netplan.io systemd-resolved); fi
base_tar="$dir/base/debian-$suite-$(printf '%s\n' "$mirror" "${base[@]}" | sha256sum | cut -c1-16).tar"
if [ -f "$base_tar" ]; then
  log "base from $base_tar"
  tar -C "$root" -xpf "$base_tar"
else
  log "debootstrap"
  debootstrap --arch=amd64 "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -30 "$work/debootstrap.log" >&2
    exit 1
  }
fi
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/run"
rm -f "$root/etc/resolv.conf"
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
EOF
# The test run points TMPDIR at a directory of its own, which does not exist inside the chroot.
in_root() { chroot "$root" env -u TMPDIR DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
in_root apt-get update -qq

# What a Debian cloud image has (the base set above): kernel, GRUB, cloud-init with growpart, sshd, a locale.
# Networking as the Debian cloud images of each release do it: ifupdown with dhclient on 12, netplan with
# systemd-networkd and systemd-resolved on 13. python3-cffi-backend: debootstrap does not resolve this
# virtual dependency.
if [ ! -f "$base_tar" ]; then
  log "base packages"
  in_root apt-get install -y -qq --no-install-recommends "${base[@]}" >"$work/base.log" 2>&1 || {
    tail -30 "$work/base.log" >&2
    exit 1
  }
  mkdir -p "$dir/base"
  tar -C "$root" --one-file-system -cpf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
fi

# The hosts' apt preferences first, as write_files puts them there before cloud-init installs packages.
for f in "${prefs[@]}"; do install -m 0644 "$f" "$root/etc/apt/preferences.d/$(basename "$f")"; done
# Role packages as cloud-init installs them (apt-get install with recommends), those the suite has.
present=()
missing=()
for p in "${role_packages[@]}"; do
  if in_root apt-cache show "$p" >/dev/null 2>&1; then present+=("$p"); else missing+=("$p"); fi
done
mkdir -p "$root/etc/regionkit-boot-test"
printf '%s\n' "${missing[@]}" | sed '/^$/d' >"$root/etc/regionkit-boot-test/missing-packages"
# What each role package brings in on its own (itself and what apt would install with it), so that a host
# gets back only the unit links of the packages its own user data installs.
mkdir -p "$root/etc/regionkit-boot-test/closure"
for p in "${present[@]}"; do
  { echo "$p"; in_root apt-get install -s -qq "$p" | awk '$1 == "Inst" {print $2}'; } | sort -u \
    >"$root/etc/regionkit-boot-test/closure/$p"
done
find "$root/etc/systemd/system" -type l | sort >"$work/links-before"
if [ "${#present[@]}" -gt 0 ]; then
  log "role packages: ${present[*]}"
  in_root apt-get install -y -qq "${present[@]}" >"$work/roles.log" 2>&1 || {
    # The maintainer script's own words come well before apt's summary: show them, then the tail.
    grep -n -B12 -A3 'dpkg: error processing\|subprocess .* returned error' "$work/roles.log" >&2 || true
    tail -30 "$work/roles.log" >&2
    exit 1
  }
fi
[ "${#missing[@]}" -eq 0 ] || log "not in $suite: ${missing[*]}"
# Units the role packages enabled: recorded as "link target package" and removed (see the header).
find "$root/etc/systemd/system" -type l | sort >"$work/links-after"
: >"$root/etc/regionkit-boot-test/package-unit-links"
comm -13 "$work/links-before" "$work/links-after" | while read -r link; do
  target="$(readlink "$link")"
  unit="$(basename "$target")"
  owner="$({ in_root dpkg -S "/lib/systemd/system/$unit" "/usr/lib/systemd/system/$unit" 2>/dev/null || true; } |
    head -n 1 | cut -d: -f1)"
  printf '%s %s %s\n' "${link#"$root"}" "$target" "${owner:--}" >>"$root/etc/regionkit-boot-test/package-unit-links"
  rm -f "$link"
done

log "configure"
echo 'en_US.UTF-8 UTF-8' >"$root/etc/locale.gen"
in_root locale-gen >/dev/null
in_root update-locale LANG=en_US.UTF-8
printf 'UUID=%s / ext4 rw,discard,errors=remount-ro 0 1\n' "$uuid" >"$root/etc/fstab"
mkdir -p "$root/etc/default/grub.d"
cat >"$root/etc/default/grub.d/10-regionkit-boot-test.cfg" <<'EOF'
# regionkit boot test: the serial console carries the boot log; no menu delay
GRUB_TIMEOUT=0
GRUB_CMDLINE_LINUX_DEFAULT="console=tty0 console=ttyS0,115200n8"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --speed=115200"
EOF
cat >"$root/etc/cloud/cloud.cfg.d/90-regionkit-boot-test.cfg" <<'EOF'
# regionkit boot test: only the NoCloud seed attached by the test (no metadata service probing)
datasource_list: [NoCloud, None]
EOF
if [ "$suite" = trixie ]; then ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"; fi
install -m 0755 "$here/guest/regionkit-boot-report-launch" "$root/usr/local/sbin/regionkit-boot-report-launch"
install -m 0755 "$here/guest/regionkit-boot-test-package-units" "$root/usr/local/sbin/regionkit-boot-test-package-units"
install -m 0644 "$here/guest/regionkit-boot-report.service" "$root/etc/systemd/system/"
install -m 0644 "$here/guest/regionkit-boot-test-package-units.service" "$root/etc/systemd/system/"
# Emulation only: glusterd's start outlasts its packaged 300 s under TCG (see the file).
install -D -m 0644 "$here/guest/glusterd-boot-test-timeout.conf" \
  "$root/etc/systemd/system/glusterd.service.d/90-regionkit-boot-test.conf"
# Emulation only: etcd's Raft timing for VMs that wait for a host core (see the file).
install -D -m 0644 "$here/guest/etcd-boot-test-timing.conf" \
  "$root/etc/systemd/system/etcd.service.d/90-regionkit-boot-test.conf"
# No secret store here: the fetch gives up after 60 s instead of 15 min, or reads the values on the seed of a
# host that boots with its secrets (see the file).
install -m 0755 "$here/guest/regionkit-boot-test-secret-values" "$root/usr/local/sbin/regionkit-boot-test-secret-values"
install -D -m 0644 "$here/guest/regionkit-secrets-boot-test.conf" \
  "$root/etc/systemd/system/regionkit-secrets.service.d/90-regionkit-boot-test.conf"
# No pkgs.k8s.io here: the Kubernetes packages unit gives up after two tries instead of 30 (see the file).
install -D -m 0644 "$here/guest/regionkit-kubernetes-packages-boot-test-tries.conf" \
  "$root/etc/systemd/system/regionkit-kubernetes-packages.service.d/90-regionkit-boot-test.conf"
# Emulation only: units whose image cannot be pulled here retry every 120 s instead of 5 s (see the file).
for u in "${image_units[@]}"; do
  install -D -m 0644 "$here/guest/image-unit-boot-test-restart.conf" \
    "$root/etc/systemd/system/$u.d/90-regionkit-boot-test.conf"
done
in_root systemctl enable regionkit-boot-report.service regionkit-boot-test-package-units.service >/dev/null 2>&1

log "grub"
# grub-install cannot see that the loop device holding / is a partition of the disk loop device (its core
# image looks for /boot/grub on "hostdisk//dev/loopN"), and update-grub skips kernels whose root is a loop
# device (/etc/grub.d/10_linux). So: after grub-install, a core image that finds / by UUID, installed by
# grub-bios-setup into the disk's MBR and the gap before the partition, and grub.cfg made by update-grub
# with that one check of 10_linux turned off for this run and the root named by UUID. Inside the VM
# /dev/vda1 is a plain disk partition, so update-grub there (a role changing the kernel command line) and
# grub-pc upgrades (install device /dev/vda, as debconf answers) work as on any Debian host.
# grub-install copies the modules to /boot/grub/i386-pc; its core image there is then replaced.
in_root grub-install --target=i386-pc "$disk_loop" >"$work/grub.log" 2>&1 || {
  cat "$work/grub.log" >&2
  exit 1
}
# shellcheck disable=SC2016 # $root is GRUB's variable
printf 'search.fs_uuid %s root\nset prefix=($root)/boot/grub\n' "$uuid" >"$root/tmp/grub-early.cfg"
in_root grub-mkimage -O i386-pc -c /tmp/grub-early.cfg -p /boot/grub -o /boot/grub/i386-pc/core.img \
  biosdisk part_msdos ext2 search_fs_uuid >>"$work/grub.log" 2>&1 || {
  cat "$work/grub.log" >&2
  exit 1
}
in_root grub-bios-setup -d /boot/grub/i386-pc "$disk_loop" >>"$work/grub.log" 2>&1 || {
  cat "$work/grub.log" >&2
  exit 1
}
rm -f "$root/tmp/grub-early.cfg"
cp "$root/etc/grub.d/10_linux" "$work/10_linux"
sed -i 's#^  /dev/loop/\*|/dev/loop\[0-9\])#  /dev/regionkit-build-never-matches)#' "$root/etc/grub.d/10_linux"
in_root update-grub >>"$work/grub.log" 2>&1
cp "$work/10_linux" "$root/etc/grub.d/10_linux"
sed -i "s|root=/dev/loop[0-9]*|root=UUID=$uuid|g" "$root/boot/grub/grub.cfg"
grep -q "root=UUID=$uuid" "$root/boot/grub/grub.cfg" || {
  echo "build-image: grub.cfg has no kernel entry" >&2
  cat "$work/grub.log" >&2
  exit 1
}
echo 'grub-pc grub-pc/install_devices multiselect /dev/vda' | in_root debconf-set-selections

in_root apt-get clean
rm -f "$root/usr/sbin/policy-rc.d"
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname" "$root/etc/ssh/ssh_host_"*
if [ "$suite" = bookworm ]; then rm -f "$root/etc/resolv.conf" && : >"$root/etc/resolv.conf"; fi
sync
for m in dev/pts dev proc sys run; do umount -l "$root/$m"; done
umount "$root"
losetup -d "$part_loop"
part_loop=""
losetup -d "$disk_loop"
disk_loop=""
log "convert"
qemu-img convert -O qcow2 "$disk" "$out.tmp"
mv "$out.tmp" "$out"
log "done: $out"
echo "$out"
