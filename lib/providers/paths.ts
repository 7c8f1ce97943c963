/**
 * Where the provider schema files and generated bindings live, found from this file whether it runs from
 * TypeScript sources (tsx, Vitest) or from `dist/`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { GeneratedProviderName } from '../versions.js';

/** The directory holding regionkit's package.json. */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const SCHEMA_DIR = path.join(PACKAGE_ROOT, 'lib', 'providers', 'schemas');
export const GEN_DIR = path.join(PACKAGE_ROOT, 'lib', 'gen');

/** Path of the checked-in schema file of one provider. */
export function schemaPath(name: GeneratedProviderName): string {
  return path.join(SCHEMA_DIR, `${name}.json`);
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
