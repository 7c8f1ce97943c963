import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { PACKAGE_ROOT } from '../../../lib/providers/paths.js';
import { regionJsonSchema, regionJsonSchemaText } from '../../../lib/spec/json-schema.js';

describe('editor JSON Schema', () => {
  test('the checked-in regions/region.schema.json is current (run `npm run schema` after changing the spec)', () => {
    const checkedIn = readFileSync(path.join(PACKAGE_ROOT, 'regions', 'region.schema.json'), 'utf8');
    expect(checkedIn).toBe(regionJsonSchemaText());
  });

  test('describes the fields, their defaults and required ones', () => {
    const schema = regionJsonSchema() as {
      required: string[];
      properties: Record<string, { description?: string; default?: unknown }>;
    };
    expect(schema.required).toEqual(['name', 'cloud', 'admin', 'hostGroups']);
    expect(schema.properties.zones?.default).toBe(3);
    expect(schema.properties.network?.default).toEqual({ cidr: '10.0.0.0/16' });
    expect(schema.properties.name?.description).toMatch(/prefixes every cloud resource/);
  });
});
