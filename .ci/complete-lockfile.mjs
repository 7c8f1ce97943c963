#!/usr/bin/env node
// The npm registry reachable from our build machines serves only the linux-x64 builds of packages that ship
// per-platform binaries as optional dependencies (rollup, unrs-resolver). `npm install` then leaves the other
// platforms' entries out of package-lock.json, and `npm ci` refuses that lock file as "out of sync".
// This adds the missing entries back with the os/cpu/libc their package names state, so `npm ci` skips them
// on every machine they do not fit, exactly as it would with a complete lock file. Run it after every
// `npm install` that changes package-lock.json (`npm run deps:lock` does both).
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM =
  /-(aix|android|darwin|freebsd|linux|netbsd|openbsd|openharmony|sunos|win32)-(arm64|arm|ia32|loong64|mips64el|ppc64|riscv64|s390x|x64|wasm32)(?:-(gnu|gnueabihf|musl|musleabihf|msvc|eabi|wasi))?$/;
const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const here = { os: process.platform, cpu: process.arch };
let added = 0;

for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const m = PLATFORM.exec(name);
    if (!m)
      throw new Error(
        `${name}@${version} (optional dependency of ${location || 'the root'}) is missing and names no platform`,
      );
    const [, os, cpu, abi] = m;
    const libc = abi?.startsWith('musl') ? ['musl'] : abi?.startsWith('gnu') ? ['glibc'] : undefined;
    if (os === here.os && cpu === here.cpu && libc?.[0] !== 'musl') {
      throw new Error(`${name}@${version} fits this machine but is missing: the registry lacks a package we need`);
    }
    lock.packages[`node_modules/${name}`] = {
      version,
      cpu: [cpu],
      os: [os],
      ...(libc ? { libc } : {}),
      optional: true,
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.error(`complete-lockfile: added ${added} platform entr${added === 1 ? 'y' : 'ies'}`);
