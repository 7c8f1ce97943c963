/**
 * The real engine for tests: OpenTofu and the plugins `.ci/engine.sh` built into the engine cache. Locally a
 * missing engine or plugin skips its tests loudly; under CI=true it fails them, except for the plugins the
 * Go module proxy cannot serve here (PLUGINS_NOT_SERVED), which skip with that reason everywhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, onTestFinished, test } from 'vitest';

import { findEngine, onPath, type Engine, type EngineKind } from '../../bin/engine/engine.js';
import { engineDir, hasPlugin, readManifest } from '../../bin/engine/layout.js';
import { ALL_PROVIDERS } from '../../lib/versions.js';

/**
 * Pinned plugins the Go module proxy the project's machines reach does not serve (it answers "not available"
 * for every version of the module), so no machine of ours can build them. (kubernetes and helm are pinned to
 * the releases of the commits it does serve: docs/versions.md.)
 */
export const PLUGINS_NOT_SERVED: Readonly<Record<string, string>> = {
  [ALL_PROVIDERS.alicloud.source]:
    'the Go module proxy serves no version of github.com/aliyun/terraform-provider-alicloud',
};

const ci = process.env.CI === 'true';
const warned = new Set<string>();

function warn(what: string): void {
  if (warned.has(what)) return;
  warned.add(what);
  process.stderr.write(`\n!!! ${what}: engine tests SKIPPED (run npm run engine:install)\n`);
}

/** The cached OpenTofu, or Terraform from the PATH, or undefined. */
export async function engineFor(kind: EngineKind): Promise<Engine | undefined> {
  try {
    const engine = await findEngine(kind, { ...process.env });
    return kind === 'tofu' && !engine.manifest ? undefined : engine;
  } catch {
    return undefined;
  }
}

/**
 * `test` with the engine when it and the plugins of `providers` are present; a skip when a plugin is one
 * the proxy does not serve; otherwise a skip with a warning, or a failure under CI=true.
 */
export function testWithEngine(
  name: string,
  providers: readonly { source: string; version: string }[],
  fn: (engine: Engine) => Promise<void>,
  timeout = 300_000,
): void {
  const manifest = readManifest(engineDir());
  const missing = providers.filter((p) => !hasPlugin(manifest, p));
  const notServed = missing.filter((p) => PLUGINS_NOT_SERVED[p.source]);
  if (manifest && notServed.length > 0) {
    test.skip(`${name} [${notServed.map((p) => `${p.source}: ${PLUGINS_NOT_SERVED[p.source]}`).join('; ')}]`, () => {});
    return;
  }
  if (!manifest || missing.length > 0) {
    const what = !manifest
      ? `no engine cache in ${engineDir()}`
      : `plugins not built: ${missing.map((p) => p.source).join(', ')}`;
    if (ci) test(name, () => expect.fail(`${what}; .ci/engine.sh should have built it`));
    else {
      warn(what);
      test.skip(`${name} [${what}]`, () => {});
    }
    return;
  }
  test(
    name,
    async () => {
      const engine = await engineFor('tofu');
      if (!engine) expect.fail(`the engine cache in ${engineDir()} has no working tofu`);
      await fn(engine);
    },
    timeout,
  );
}

/** Terraform on the PATH (some machines have one), or undefined. */
export function terraformOnPath(): string | undefined {
  return onPath('terraform', process.env);
}

/** A temporary directory, removed when the calling test finishes. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `regionkit-${prefix}-`));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
