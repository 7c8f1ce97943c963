#!/usr/bin/env bash
# Installs the Debian packages listed in .ci/checkers.txt whose command is missing.
# Runs as root or through passwordless sudo. Packages are never allowed to start services while they install
# (policy-rc.d answers 101), so nothing binds ports or rewrites the resolver. Without root, it warns and
# leaves the decision to the tests: they skip loudly, or fail under CI=true.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Debian 13's containerd binary, unpacked into a cache (never installed) for the containerd config checks.
bash "$here/install-containerd.sh" || echo "install-checkers: install-containerd.sh failed; its checks will skip" >&2
missing=()
while read -r pkg cmd _; do
  [[ -z "${pkg:-}" || "$pkg" == \#* ]] && continue
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done < "$here/checkers.txt"
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-checkers: cannot install ${missing[*]} (not root, no passwordless sudo); their tests will skip" >&2
  exit 0
fi

echo "install-checkers: installing ${missing[*]}" >&2
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${as_root[@]}" chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
trap 'if [ "$created_policy" = 1 ]; then "${as_root[@]}" rm -f /usr/sbin/policy-rc.d; fi' EXIT
# Package lists are fetched once per machine; later runs install from them.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial || true)" ]; then
  "${as_root[@]}" apt-get update -qq
fi
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
