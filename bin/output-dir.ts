/**
 * Publishing synthesized stacks into the output directory without ever leaving it half-written: everything
 * is synthesized into a staging directory beside it first, so a failed synth leaves the previous output
 * exactly as it was. Publishing then replaces, in each stack directory, only what synth writes there
 * (`cdk.tf.json` and whatever else cdktf put in the staged stack directory), each entry by one rename; anything
 * else in a stack directory (`.terraform/`, the lock file, state, `terraform.tfvars`, plan files) belongs to
 * the operator and is never touched. The manifest is rewritten through a temporary file.
 *
 * Layout: `<out>/manifest.json`, `<out>/stacks/<stack>/cdk.tf.json`. regionkit records, per stack in the
 * manifest, the region file it came from (`regionFile`, relative to `<out>`); only stacks recorded that way
 * are ever reported stale or pruned.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Files cdktf may write into a stack directory (JSON output, HCL output with its metadata, assets). They are
 * synth's own: when a run no longer produces one of them, the stale copy is removed.
 */
export const SYNTH_OWNED_ENTRIES: readonly string[] = ['cdk.tf.json', 'cdk.tf', 'metadata.json', 'assets'];

/** A stack as this run publishes it. */
export interface PublishedStack {
  /** Stack name, also its directory name under `<out>/stacks/`. */
  readonly name: string;
  /** Absolute path of the region file the stack was synthesized from. */
  readonly regionFile: string;
}

/** One entry of `manifest.json`'s `stacks`: cdktf's fields plus regionkit's `regionFile`. */
export interface ManifestStack {
  /** Region file the stack came from, relative to the output directory, `/`-separated. Only regionkit writes it. */
  readonly regionFile?: string;
  readonly [key: string]: unknown;
}

interface Manifest {
  version?: string;
  stacks: Record<string, ManifestStack>;
  [key: string]: unknown;
}

/** A fresh staging directory next to `outdir` (same filesystem, so renames are atomic). */
export async function createStaging(outdir: string): Promise<string> {
  await mkdir(path.dirname(outdir), { recursive: true });
  return mkdtemp(`${outdir}.staging-`);
}

/** Moves the stacks in `staging` into `outdir` and merges the manifests; removes `staging`. */
export async function publishStacks(staging: string, outdir: string, stacks: readonly PublishedStack[]): Promise<void> {
  await mkdir(path.join(outdir, 'stacks'), { recursive: true });
  const trash = await mkdtemp(`${outdir}.old-`);
  try {
    for (const { name } of stacks) {
      await publishStackDir(path.join(staging, 'stacks', name), path.join(outdir, 'stacks', name), trash);
    }
    const next = JSON.parse(await readFile(path.join(staging, 'manifest.json'), 'utf8')) as Manifest;
    for (const { name, regionFile } of stacks) {
      if (next.stacks[name]) next.stacks[name] = { ...next.stacks[name], regionFile: relativeTo(outdir, regionFile) };
    }
    const manifest = mergeManifests(await readOutputManifest(outdir), next, outdir);
    await writeManifest(outdir, manifest, staging);
  } finally {
    await rm(trash, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Stacks in `outdir`'s manifest that regionkit synthesized from a region file that is gone, or from one of
 * `loadedFiles` (absolute) that no longer produces them (the region was renamed). Sorted by name.
 */
export async function staleStacks(
  outdir: string,
  loadedFiles: readonly string[],
  producedNames: readonly string[],
): Promise<{ name: string; reason: string }[]> {
  const manifest = await readOutputManifest(outdir);
  const stale: { name: string; reason: string }[] = [];
  for (const [name, entry] of Object.entries(manifest?.stacks ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof entry.regionFile !== 'string' || producedNames.includes(name)) continue;
    if (!existsSync(path.join(outdir, 'stacks', name))) continue;
    const file = path.resolve(outdir, entry.regionFile);
    if (!existsSync(file)) stale.push({ name, reason: 'region file no longer present' });
    else if (loadedFiles.includes(file)) stale.push({ name, reason: 'region file no longer defines it' });
  }
  return stale;
}

/**
 * Removes the directories and manifest entries of `names` (stale stacks) from `outdir`, except a directory
 * holding a non-empty Terraform state file: deleting it would lose track of live cloud resources. Returns the
 * names kept that way.
 */
export async function pruneStacks(outdir: string, names: readonly string[]): Promise<string[]> {
  const manifest = await readOutputManifest(outdir);
  if (!manifest) return [];
  const kept: string[] = [];
  const trash = await mkdtemp(`${outdir}.old-`);
  try {
    for (const name of names) {
      const dir = path.join(outdir, 'stacks', name);
      if (await holdsState(dir)) {
        kept.push(name);
        continue;
      }
      if (existsSync(dir)) await rename(dir, path.join(trash, name));
      delete manifest.stacks[name];
    }
    await writeManifest(outdir, manifest, trash);
  } finally {
    await rm(trash, { recursive: true, force: true });
  }
  return kept;
}

async function holdsState(dir: string): Promise<boolean> {
  try {
    for (const entry of await readdir(dir)) {
      if (entry.endsWith('.tfstate') && (await lstat(path.join(dir, entry))).size > 0) return true;
    }
  } catch {
    return false;
  }
  return false;
}

/** Stack directories currently in `outdir`. */
export async function publishedStacks(outdir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(outdir, 'stacks'))).sort();
  } catch {
    return [];
  }
}

/**
 * Replaces synth's entries in `target` with those in `next`, one rename each (a file is replaced in place; a
 * directory is moved to `trash` first), and removes synth-owned entries this run did not write. Creates
 * `target` by rename when it does not exist yet.
 */
async function publishStackDir(next: string, target: string, trash: string): Promise<void> {
  if (!existsSync(target)) {
    await rename(next, target);
    return;
  }
  const written = await readdir(next);
  const old = await mkdtemp(path.join(trash, `${path.basename(target)}-`));
  for (const entry of written) {
    const current = path.join(target, entry);
    if (await isDirectory(current)) await rename(current, path.join(old, entry));
    await rename(path.join(next, entry), current);
  }
  for (const entry of SYNTH_OWNED_ENTRIES) {
    if (!written.includes(entry) && existsSync(path.join(target, entry))) {
      await rename(path.join(target, entry), path.join(old, entry));
    }
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isDirectory();
  } catch {
    return false;
  }
}

/** `<outdir>/manifest.json`, or undefined when it is missing or unreadable. */
export async function readOutputManifest(outdir: string): Promise<Manifest | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
    return { ...manifest, stacks: manifest.stacks ?? {} };
  } catch {
    return undefined; // missing or unreadable: replaced, not merged
  }
}

/** This run's stacks over the previous ones whose directory still exists, sorted by name. */
function mergeManifests(previous: Manifest | undefined, next: Manifest, outdir: string): Manifest {
  const kept = Object.entries(previous?.stacks ?? {}).filter(([name]) => existsSync(path.join(outdir, 'stacks', name)));
  const stacks = Object.fromEntries(
    Object.entries({ ...Object.fromEntries(kept), ...next.stacks }).sort(([a], [b]) => a.localeCompare(b)),
  );
  return { ...next, stacks };
}

async function writeManifest(outdir: string, manifest: Manifest, scratch: string): Promise<void> {
  const tmp = path.join(scratch, 'manifest.json.next');
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, path.join(outdir, 'manifest.json'));
}

function relativeTo(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join('/');
}
