/**
 * Rebuilds the trimmed schema files from a full `terraform providers schema -json`, where Terraform and the
 * registry are reachable. Keeps exactly the types the checked-in files already hold (plus any `--add`ed),
 * the whole provider block, and drops the providers' description texts.
 *
 * Usage: `npm run providers:refresh -- <full-schema.json | -> [--add <type>]...`
 */
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';

import { isMainModule } from '../main-module.js';
import { GENERATED_PROVIDERS, type GeneratedProviderName } from '../versions.js';

import { schemaPath } from './paths.js';
import { providerAddress, type ProviderSchema, type ProviderSchemaFile, type TypeSchema } from './schema-format.js';

type Section = 'resource_schemas' | 'data_source_schemas';

/** The trimmed file for one provider: used types from `full`, descriptions removed. */
export function trimSchema(
  full: ProviderSchemaFile,
  current: ProviderSchemaFile,
  name: GeneratedProviderName,
  extraTypes: readonly string[] = [],
): ProviderSchemaFile {
  const address = providerAddress(GENERATED_PROVIDERS[name]);
  const source = full.provider_schemas[address];
  if (!source) throw new Error(`the full schema has no provider ${address}; run terraform init with it first`);
  const have = current.provider_schemas[address];
  const pick = (section: Section, isData: boolean): Record<string, TypeSchema> => {
    const wanted = new Set(Object.keys(have?.[section] ?? {}));
    for (const t of extraTypes) if (t.startsWith('data.') === isData) wanted.add(t.replace(/^data\./, ''));
    const out: Record<string, TypeSchema> = {};
    for (const type of [...wanted].filter((t) => t.startsWith(`${name}_`)).sort()) {
      const schema = source[section]?.[type];
      if (!schema) throw new Error(`${address} ${GENERATED_PROVIDERS[name].version} has no ${section} entry ${type}`);
      out[type] = stripDescriptions(schema);
    }
    return out;
  };
  const trimmed: ProviderSchema = {
    provider: stripDescriptions(source.provider),
    resource_schemas: pick('resource_schemas', false),
    data_source_schemas: pick('data_source_schemas', true),
  };
  return { format_version: full.format_version, provider_schemas: { [address]: trimmed } };
}

function stripDescriptions<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripDescriptions) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'description')
      .map(([k, v]) => [k, stripDescriptions(v)]),
  ) as T;
}

async function main(args: string[]): Promise<void> {
  const input = args[0];
  if (!input) throw new Error('usage: npm run providers:refresh -- <full-schema.json | -> [--add <type>]...');
  const extra = args.flatMap((a, i) => (args[i - 1] === '--add' ? [a] : []));
  const full = JSON.parse(
    input === '-' ? readFileSync(0, 'utf8') : await readFile(input, 'utf8'),
  ) as ProviderSchemaFile;
  for (const name of Object.keys(GENERATED_PROVIDERS) as GeneratedProviderName[]) {
    const file = schemaPath(name);
    const current = JSON.parse(await readFile(file, 'utf8')) as ProviderSchemaFile;
    const trimmed = trimSchema(full, current, name, extra);
    await writeFile(`${file}.next`, `${JSON.stringify(trimmed, null, 2)}\n`);
    await rename(`${file}.next`, file);
    process.stderr.write(`refreshed ${file}\n`);
  }
}

if (isMainModule(import.meta.url)) {
  await main(process.argv.slice(2));
}
