#!/usr/bin/env bash
# Puts Debian 13's containerd binary (the one kubeadm hosts run) into a cache for the tests that check the
# rendered /etc/containerd/config.toml with `containerd config dump`. It is unpacked with dpkg-deb, never
# installed: no service, no socket, nothing started. Whatever trixie currently ships is taken, the same as a
# host installing the package at first boot gets.
#   cache: ${REGIONKIT_CACHE:-~/.cache/regionkit}/containerd/<version>/usr/bin/containerd (+ a `current` link)
set -euo pipefail
cache="${REGIONKIT_CACHE:-$HOME/.cache/regionkit}/containerd"
apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
echo 'deb http://deb.debian.org/debian trixie main' >"$apt_dir/sources.list"
opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o Debug::NoLocking=1
)
if ! apt-get "${opts[@]}" update -qq >&2; then
  echo "install-containerd: cannot read trixie's package lists; the containerd config checks will skip" >&2
  exit 0
fi
version="$(apt-cache "${opts[@]}" policy containerd | awk '/Candidate:/ {print $2}')"
dir="$cache/$version"
if [ ! -x "$dir/usr/bin/containerd" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get "${opts[@]}" download "containerd=$version" >&2)
  mkdir -p "$dir"
  dpkg-deb -x "$tmp"/containerd_*.deb "$dir"
fi
ln -sfn "$version" "$cache/current"
echo "install-containerd: containerd $version in $dir" >&2
