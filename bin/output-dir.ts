/**
 * Publishing synthesized stacks into the output directory without ever leaving it half-written: everything
 * is synthesized into a staging directory beside it first; only then is each stack directory swapped in
 * by rename, and the manifest rewritten through a temporary file. A failed run leaves the previous output
 * exactly as it was. Stacks not part of this run are kept; Terraform's working files (`.terraform/`, the
 * lock file) in a replaced stack directory are carried over.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const TERRAFORM_WORKING_FILES = ['.terraform', '.terraform.lock.hcl'];

interface Manifest {
  version?: string;
  stacks: Record<string, unknown>;
  [key: string]: unknown;
}

/** A fresh staging directory next to `outdir` (same filesystem, so renames are atomic). */
export async function createStaging(outdir: string): Promise<string> {
  await mkdir(path.dirname(outdir), { recursive: true });
  return mkdtemp(`${outdir}.staging-`);
}

/** Moves the stacks in `staging` into `outdir` and merges the manifests; removes `staging`. */
export async function publishStacks(staging: string, outdir: string, stackNames: readonly string[]): Promise<void> {
  await mkdir(path.join(outdir, 'stacks'), { recursive: true });
  const trash = await mkdtemp(`${outdir}.old-`);
  try {
    for (const name of stackNames) {
      const target = path.join(outdir, 'stacks', name);
      const next = path.join(staging, 'stacks', name);
      if (existsSync(target)) {
        for (const file of TERRAFORM_WORKING_FILES) {
          if (existsSync(path.join(target, file))) await rename(path.join(target, file), path.join(next, file));
        }
        await rename(target, path.join(trash, name));
      }
      await rename(next, target);
    }
    const manifest = await mergedManifest(path.join(outdir, 'manifest.json'), path.join(staging, 'manifest.json'));
    const tmp = path.join(staging, 'manifest.json.next');
    await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(tmp, path.join(outdir, 'manifest.json'));
  } finally {
    await rm(trash, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

async function mergedManifest(previousFile: string, nextFile: string): Promise<Manifest> {
  const next = JSON.parse(await readFile(nextFile, 'utf8')) as Manifest;
  if (!existsSync(previousFile)) return next;
  let previous: Manifest;
  try {
    previous = JSON.parse(await readFile(previousFile, 'utf8')) as Manifest;
  } catch {
    return next; // an unreadable old manifest is replaced, not merged
  }
  const kept = Object.fromEntries(
    Object.entries(previous.stacks ?? {}).filter(([name]) =>
      existsSync(path.join(path.dirname(previousFile), 'stacks', name)),
    ),
  );
  const stacks = Object.fromEntries(Object.entries({ ...kept, ...next.stacks }).sort(([a], [b]) => a.localeCompare(b)));
  return { ...next, stacks };
}

/** Stack directories currently in `outdir`. */
export async function publishedStacks(outdir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(outdir, 'stacks'))).sort();
  } catch {
    return [];
  }
}
