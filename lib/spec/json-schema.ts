/**
 * The editor JSON Schema of region files, generated from the same zod definition that validates them.
 * `npm run schema` (bin/region-schema.ts) writes it to `regions/region.schema.json`; a test fails when the
 * checked-in copy is stale.
 */
import { z } from 'zod';

import { regionSpecSchema } from './region-spec.js';

/** JSON Schema (draft 2020-12) describing what a region file may contain (defaults optional). */
export function regionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(regionSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** The schema file's text, as checked in. */
export function regionJsonSchemaText(): string {
  return `${JSON.stringify(regionJsonSchema(), null, 2)}\n`;
}
