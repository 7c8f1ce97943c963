/**
 * The checked-in schema files are what the pinned plugins print, trimmed to the used types: any difference
 * (a transcription error, a plugin upgrade without a refresh) fails here. Fix with `npm run providers:refresh`.
 */
import { readFileSync } from 'node:fs';

import { describe, expect } from 'vitest';

import { dumpProviderSchemas } from '../../bin/engine/schema-dump.js';
import { schemaPath } from '../../lib/providers/paths.js';
import { trimSchema } from '../../lib/providers/refresh.js';
import type { ProviderSchemaFile } from '../../lib/providers/schema-format.js';
import { GENERATED_PROVIDERS, type GeneratedProviderName } from '../../lib/versions.js';

import { testWithEngine } from './engine-harness.js';

describe('provider schema files equal what the pinned plugins print', () => {
  for (const name of Object.keys(GENERATED_PROVIDERS) as GeneratedProviderName[]) {
    const pin = GENERATED_PROVIDERS[name];
    testWithEngine(`${name} ${pin.version}`, [pin], async (engine) => {
      const full = await dumpProviderSchemas(engine, [pin], process.env);
      const checkedIn = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as ProviderSchemaFile;
      const fromPlugin = trimSchema(full, checkedIn, name);
      // format_version is the engine's, not the plugin's; compare the schemas.
      expect(checkedIn.provider_schemas).toEqual(fromPlugin.provider_schemas);
    });
  }
});
