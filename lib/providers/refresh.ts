/**
 * Trims a full `providers schema -json` (as the real plugins print it) to the checked-in schema file of one
 * provider: exactly the types the file already holds (plus any added), the whole provider block, no
 * description texts. `npm run providers:refresh` (bin/providers-refresh.ts) runs it.
 */
import { GENERATED_PROVIDERS, type GeneratedProviderName } from '../versions.js';

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

/**
 * Drops the `description` texts of blocks and attributes. Keys of `attributes` and `block_types` are names,
 * not descriptor fields: an attribute called `description` (security groups have one) is kept.
 */
function stripDescriptions<T>(value: T, namesHere = false): T {
  if (Array.isArray(value)) return value.map((v) => stripDescriptions(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => namesHere || k !== 'description')
      .map(([k, v]) => [k, stripDescriptions(v, !namesHere && (k === 'attributes' || k === 'block_types'))]),
  ) as T;
}
