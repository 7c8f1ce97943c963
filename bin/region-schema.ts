/**
 * `npm run schema`: writes the editor JSON Schema of region files (`regions/region.schema.json`, or the path
 * given), and the spec's documented interfaces (`lib/spec/region-spec-types.ts`, see `bin/spec-types.ts`). A script of its own, so the library module `lib/spec/json-schema.ts` has no top-level await and
 * CommonJS consumers can `require()` the package (Node >= 20.19 loads synchronous ES modules that way).
 */
import { rename, writeFile } from 'node:fs/promises';

import { isMainModule } from '../lib/main-module.js';
import { regionJsonSchemaText } from '../lib/spec/json-schema.js';

import { SPEC_TYPES_FILE, specTypesSource } from './spec-types.js';

if (isMainModule(import.meta.url)) {
  const target = process.argv[2] ?? 'regions/region.schema.json';
  await writeFile(`${target}.next`, regionJsonSchemaText());
  await rename(`${target}.next`, target);
  process.stderr.write(`wrote ${target}\n`);
  await writeFile(`${SPEC_TYPES_FILE}.next`, await specTypesSource());
  await rename(`${SPEC_TYPES_FILE}.next`, SPEC_TYPES_FILE);
  process.stderr.write(`wrote ${SPEC_TYPES_FILE}\n`);
}
