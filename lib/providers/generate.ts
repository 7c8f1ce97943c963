/**
 * Turns the checked-in provider schema files into TypeScript bindings under `lib/gen/<provider>/`.
 *
 * Runs before build, test and synth (npm `pre*` scripts and Vitest's global setup). It is a no-op when
 * the schema, the pin and this generator are unchanged, so it costs ~20 ms on the common path.
 *
 * Usage: `tsx lib/providers/generate.ts [--force]`
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { isMainModule } from '../main-module.js';
import { GENERATED_PROVIDERS, type GeneratedProviderName, type ProviderPin } from '../versions.js';

import { GEN_DIR, PACKAGE_ROOT, schemaPath } from './paths.js';
import { providerAddress, type ProviderSchemaFile } from './schema-format.js';

const STAMP = '.stamp';

/** Generates bindings for every provider whose inputs changed; returns the names it regenerated. */
export async function generateAll(options: { force?: boolean } = {}): Promise<string[]> {
  const done: string[] = [];
  for (const name of Object.keys(GENERATED_PROVIDERS) as GeneratedProviderName[]) {
    if (await generateProvider(name, options)) done.push(name);
  }
  return done;
}

async function generateProvider(name: GeneratedProviderName, options: { force?: boolean }): Promise<boolean> {
  const pin = GENERATED_PROVIDERS[name];
  const schemaText = await readFile(schemaPath(name), 'utf8');
  const stamp = inputsHash(schemaText, pin);
  const outDir = path.join(GEN_DIR, name);
  const stampFile = path.join(outDir, STAMP);
  if (!options.force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return false;

  const schema = JSON.parse(schemaText) as ProviderSchemaFile;
  const address = providerAddress(pin);
  if (!schema.provider_schemas?.[address]) {
    throw new Error(`${schemaPath(name)}: expected provider_schemas["${address}"] for ${pin.source} ${pin.version}`);
  }
  // The generator reads the version from `provider_versions`, which `terraform providers schema -json` does not
  // print; without it the generated provider writes no `version` into required_providers.
  const input = { ...schema, provider_versions: { [address]: pin.version } };

  // The generator's commons module probes `terraform version` when it loads; we never need the answer.
  process.env.TERRAFORM_BINARY_NAME ??= 'regionkit-no-terraform-probe';
  process.env.CHECKPOINT_DISABLE ??= '1';
  const { generateProviderBindingsFromSchema } = await import('@cdktf/provider-generator');
  const staging = path.join(GEN_DIR, `.staging-${name}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await generateProviderBindingsFromSchema(staging, input as never);

  const produced = path.join(staging, 'providers', pin.name);
  await fixForNodeEsm(produced, pin);
  await writeFile(path.join(produced, STAMP), stamp);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(GEN_DIR, { recursive: true });
  await rename(produced, outDir);
  await rm(staging, { recursive: true, force: true });
  return true;
}

function inputsHash(schemaText: string, pin: ProviderPin): string {
  const self = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const generatorVersion = (
    JSON.parse(
      readFileSync(path.join(PACKAGE_ROOT, 'node_modules/@cdktf/provider-generator/package.json'), 'utf8'),
    ) as {
      version: string;
    }
  ).version;
  return createHash('sha256')
    .update(JSON.stringify([pin, generatorVersion]))
    .update(self)
    .update(schemaText)
    .digest('hex');
}

/**
 * Makes the generator's output loadable as Node ESM and portable:
 * - removes the provider-wide `index.ts`/`lazy-index.ts` (we deep-import only, and lazy-index is CommonJS);
 * - gives relative imports explicit `.js`/`/index.js` suffixes (NodeNext resolution requires them);
 * - writes the unqualified provider source (the generator writes `registry.terraform.io/...`).
 */
async function fixForNodeEsm(dir: string, pin: ProviderPin): Promise<void> {
  await rm(path.join(dir, 'index.ts'), { force: true });
  await rm(path.join(dir, 'lazy-index.ts'), { force: true });
  for (const file of await listFiles(dir)) {
    if (file.endsWith('README.md')) {
      await rm(file);
      continue;
    }
    if (!file.endsWith('.ts')) continue;
    const text = await readFile(file, 'utf8');
    let fixed = await rewriteRelativeImports(file, text);
    fixed = fixed.replaceAll(
      `terraformProviderSource: '${providerAddress(pin)}'`,
      `terraformProviderSource: '${pin.source}'`,
    );
    if (fixed !== text) await writeFile(file, fixed);
  }
  const providerFile = await readFile(path.join(dir, 'provider', 'index.ts'), 'utf8');
  if (!providerFile.includes(`terraformProviderSource: '${pin.source}'`)) {
    throw new Error(`generated provider for ${pin.name} does not carry the source ${pin.source}; generator changed?`);
  }
  if (!providerFile.includes(`providerVersion: '${pin.version}'`)) {
    throw new Error(`generated provider for ${pin.name} does not carry version ${pin.version}; generator changed?`);
  }
}

async function rewriteRelativeImports(file: string, text: string): Promise<string> {
  const specifiers = new Set([...text.matchAll(/from '(\.{1,2}\/[^']*)'/g)].map((m) => m[1]!));
  let out = text;
  for (const spec of specifiers) {
    if (spec.endsWith('.js')) continue;
    const target = path.resolve(path.dirname(file), spec);
    const isDir = await stat(target).then(
      (s) => s.isDirectory(),
      () => false,
    );
    out = out.replaceAll(`from '${spec}'`, `from '${spec}${isDir ? '/index.js' : '.js'}'`);
  }
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

if (isMainModule(import.meta.url)) {
  const regenerated = await generateAll({ force: process.argv.includes('--force') });
  if (regenerated.length > 0) process.stderr.write(`generated bindings: ${regenerated.join(', ')}\n`);
}
