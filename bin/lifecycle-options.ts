/**
 * What the engine-driving commands (plan, deploy, destroy, doctor, validate --engine) share: their options,
 * the region arguments they take, and how engine failures are reported.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { SpecError } from '../lib/errors.js';

import type { EngineKind } from './engine/engine.js';
import { EngineFailure, type LifecycleOptions } from './engine/lifecycle.js';
import type { CdktfManifest } from './engine/stack-order.js';
import { progress, type Io } from './io.js';
import { EXIT_BUG, type GlobalOptions } from './options.js';

/** Options every engine-driving command takes. */
export interface EngineOptions extends GlobalOptions {
  /** Output directory holding the synthesized stacks. @default cdktf.out */
  readonly out: string;
  /** Engine to run. @default - tofu (engine cache, then PATH), else terraform */
  readonly engine?: EngineKind;
  /** `-parallelism` of plan, apply and destroy. @default - the engine's (10) */
  readonly parallelism?: number;
}

/**
 * Region arguments as region files: a path to an existing file is taken as is; a bare name means
 * `regions/<name>.yaml`.
 * @throws SpecError naming every argument that is neither
 */
export function regionFiles(args: readonly string[], io: Io): string[] {
  const missing: string[] = [];
  const files = args.map((arg) => {
    const asFile = path.resolve(io.cwd, arg);
    if (existsSync(asFile) && /\.ya?ml$/.test(arg)) return asFile;
    const named = path.join(io.cwd, 'regions', `${arg}.yaml`);
    if (existsSync(named)) return named;
    missing.push(arg);
    return asFile;
  });
  if (missing.length > 0) {
    throw new SpecError(`no region file for ${missing.join(', ')}`, {
      hint: 'name a region file, or a region whose file is regions/<name>.yaml',
    });
  }
  return files;
}

/**
 * The stacks of `regions` in a manifest (all stacks when none is named). A region's stacks are named
 * `<region>-<kind>` with a one-word kind (`infra`, `platform`), so region `eu` never owns `eu-west-infra`.
 * @throws SpecError when a named region has no synthesized stack
 */
export function stacksOfRegions(manifest: CdktfManifest, regions: readonly string[]): string[] {
  const all = Object.keys(manifest.stacks).sort();
  if (regions.length === 0) return all;
  const owns = (region: string, stack: string) =>
    /^[a-z0-9]+$/.test(stack.slice(region.length + 1)) && stack.startsWith(`${region}-`);
  const stacks = all.filter((s) => regions.some((r) => owns(r, s)));
  const without = regions.filter((r) => !all.some((s) => owns(r, s)));
  if (without.length > 0) {
    throw new SpecError(`no synthesized stack for region ${without.join(', ')}`, {
      hint: `regionkit plan <region file> synthesizes and plans it; synthesized regions: ${
        [...new Set(all.map((s) => s.replace(/-[a-z0-9]+$/, '')))].join(', ') || 'none'
      }`,
    });
  }
  return stacks;
}

/**
 * Region names from arguments that are names or region files (a file's region is the `name` it declares).
 * @throws SpecError when a file does not load
 */
export async function regionNames(args: readonly string[], io: Io): Promise<string[]> {
  const files = args.filter((a) => /\.ya?ml$/.test(a));
  const { loadRegionFiles } = await import('../lib/spec/load.js');
  const loaded = await loadRegionFiles(
    files.map((f) => path.resolve(io.cwd, f)),
    io.cwd,
  );
  return args.map((a) => (/\.ya?ml$/.test(a) ? loaded[files.indexOf(a)]!.spec.name : a));
}

/** LifecycleOptions for a command run. */
export function lifecycleOptions(engine: LifecycleOptions['engine'], opts: EngineOptions, io: Io): LifecycleOptions {
  // The engine runs in the stack directory, where gophercloud would not find the project's clouds.yaml.
  const projectCloudsYaml = path.join(io.cwd, 'clouds.yaml');
  const env =
    !io.env.OS_CLIENT_CONFIG_FILE && existsSync(projectCloudsYaml)
      ? { ...io.env, OS_CLIENT_CONFIG_FILE: projectCloudsYaml }
      : io.env;
  return {
    engine,
    outdir: path.resolve(io.cwd, opts.out),
    env,
    cwd: io.cwd,
    ...(opts.parallelism ? { parallelism: opts.parallelism } : {}),
    progress: (line) => progress(io, opts.quiet, line),
    ...(opts.verbose ? { engineOutput: (chunk: string) => io.err(chunk) } : {}),
  };
}

/**
 * Runs `fn`, reporting an EngineFailure (the cloud, the network or the state said no: not a regionkit bug)
 * with the engine's own words and exit code 1.
 */
export async function reportingEngineFailure(
  io: Io,
  verbose: boolean | undefined,
  fn: () => Promise<number>,
): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof EngineFailure)) throw err;
    io.err(`error: ${err.message}\n`);
    // with --verbose the engine's output was already streamed
    if (!verbose) io.err('run with --verbose for the engine output\n');
    return EXIT_BUG;
  }
}
