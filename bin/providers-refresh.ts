/**
 * `npm run providers:refresh`: rewrites lib/providers/schemas/<provider>.json from what the real plugins
 * print, trimmed to the types regionkit uses (lib/providers/refresh.ts).
 *
 * Usage: `npm run providers:refresh -- [--engine tofu|terraform] [--add <type>]... [full-schema.json | -]`
 * Without a file, the engine (engine cache first, see `npm run engine:install`) prints the schemas of every
 * generated provider whose plugin it has; a provider without a plugin is left as it is, loudly.
 */
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';

import { isMainModule } from '../lib/main-module.js';
import { schemaPath } from '../lib/providers/paths.js';
import { trimSchema } from '../lib/providers/refresh.js';
import { providerAddress, type ProviderSchemaFile } from '../lib/providers/schema-format.js';
import { GENERATED_PROVIDERS, type GeneratedProviderName } from '../lib/versions.js';

import { findEngine, type EngineKind } from './engine/engine.js';
import { hasPlugin, type EngineManifest } from './engine/layout.js';
import { dumpProviderSchemas } from './engine/schema-dump.js';

/** Generated providers the engine has a plugin for (all when the engine is not the cached one). */
export function providersWithPlugins(manifest: EngineManifest | undefined): GeneratedProviderName[] {
  const names = Object.keys(GENERATED_PROVIDERS) as GeneratedProviderName[];
  if (!manifest) return names;
  return names.filter((n) => hasPlugin(manifest, GENERATED_PROVIDERS[n]));
}

async function main(args: string[]): Promise<void> {
  const value = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
  const extra = value('--add');
  const input = args.find((a, i) => !a.startsWith('--') && !['--add', '--engine'].includes(args[i - 1] ?? ''));
  let full: ProviderSchemaFile;
  let names = Object.keys(GENERATED_PROVIDERS) as GeneratedProviderName[];
  if (input) {
    full = JSON.parse(input === '-' ? readFileSync(0, 'utf8') : await readFile(input, 'utf8')) as ProviderSchemaFile;
    names = names.filter((n) => full.provider_schemas[providerAddress(GENERATED_PROVIDERS[n])]);
  } else {
    const engine = await findEngine(value('--engine')[0] as EngineKind | undefined, process.env);
    names = providersWithPlugins(engine.manifest);
    for (const skipped of Object.keys(GENERATED_PROVIDERS).filter((n) => !names.includes(n as GeneratedProviderName))) {
      const missing = engine.manifest?.missing.find(
        (m) => m.source === GENERATED_PROVIDERS[skipped as GeneratedProviderName].source,
      );
      process.stderr.write(
        `!!! ${skipped}: no plugin in the engine cache, schema file left as it is (${missing?.reason ?? 'not built'})\n`,
      );
    }
    full = await dumpProviderSchemas(
      engine,
      names.map((n) => GENERATED_PROVIDERS[n]),
      process.env,
    );
  }
  for (const name of names) {
    const file = schemaPath(name);
    const current = JSON.parse(await readFile(file, 'utf8')) as ProviderSchemaFile;
    const trimmed = trimSchema(full, current, name, extra);
    await writeFile(`${file}.next`, `${JSON.stringify(trimmed, null, 2)}\n`);
    await rename(`${file}.next`, file);
    process.stderr.write(`refreshed ${file}\n`);
  }
}

if (isMainModule(import.meta.url)) await main(process.argv.slice(2));
