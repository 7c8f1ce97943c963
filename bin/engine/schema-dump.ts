/**
 * `providers schema -json` from the real plugins: a scratch configuration that requires the given providers
 * at their pinned versions is initialized from the engine's mirror, and the engine prints every schema.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { ProviderSchemaFile } from '../../lib/providers/schema-format.js';
import type { ProviderPin } from '../../lib/versions.js';

import { runEngine, type Engine } from './engine.js';
import { REGISTRY_HOSTS } from './layout.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The schemas of `providers` as the plugins print them, keyed by `registry.terraform.io/<source>` (the form
 * `terraform providers schema -json` prints and the checked-in files use) whichever engine ran.
 * @throws Error with the engine's output when init or the schema dump fails
 */
export async function dumpProviderSchemas(
  engine: Engine,
  providers: readonly ProviderPin[],
  env: Env,
): Promise<ProviderSchemaFile> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-schema-'));
  try {
    const requiredProviders = Object.fromEntries(
      providers.map((p) => [p.name, { source: p.source, version: p.version }]),
    );
    await writeFile(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: requiredProviders } }, null, 2),
    );
    const init = await runEngine(engine, ['init', '-backend=false', '-no-color'], dir, env);
    if (init.exitCode !== 0) throw new Error(`${engine.kind} init failed:\n${init.stderr || init.stdout}`);
    const dump = await runEngine(engine, ['providers', 'schema', '-json'], dir, env);
    if (dump.exitCode !== 0) throw new Error(`${engine.kind} providers schema failed:\n${dump.stderr}`);
    const parsed = JSON.parse(dump.stdout) as ProviderSchemaFile;
    const schemas = Object.fromEntries(
      Object.entries(parsed.provider_schemas).map(([address, schema]) => [
        address.replace(`${REGISTRY_HOSTS.tofu}/`, `${REGISTRY_HOSTS.terraform}/`),
        schema,
      ]),
    );
    return { format_version: parsed.format_version, provider_schemas: schemas };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
