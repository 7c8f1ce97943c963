#!/usr/bin/env bash
# Builds OpenTofu and the pinned provider plugins from their Go modules into the engine cache
# (~/.cache/regionkit/engine, or $REGIONKIT_ENGINE_DIR), with a filesystem mirror and a CLI config.
# Skips what is already built. Needs Go and node_modules (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install tsx .ci/engine-install.ts "$@"
