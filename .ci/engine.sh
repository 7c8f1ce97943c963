#!/usr/bin/env bash
# Builds OpenTofu and the pinned provider plugins from their Go modules into the engine cache
# (~/.cache/regionkit/engine, or $REGIONKIT_ENGINE_DIR), with a filesystem mirror and a CLI config.
# Skips what is already built. Needs Go and node_modules (npm ci). Without Go it warns and leaves the decision
# to the tests (they skip loudly, or fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  echo "engine: go is not on the PATH; OpenTofu and the plugins cannot be built, engine tests will skip" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
exec npx --no-install tsx .ci/engine-install.ts "$@"
