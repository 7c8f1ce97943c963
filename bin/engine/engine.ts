/**
 * Finding and running the Terraform engine: OpenTofu from the engine cache or the PATH, or Terraform from the
 * PATH. Every run is non-interactive and sends no checkpoint calls.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { execa } from 'execa';

import { SpecError } from '../../lib/errors.js';

import { engineDir, enginePaths, readManifest, type EngineManifest } from './layout.js';

/** The two engines the synthesized JSON is written for. */
export type EngineKind = 'tofu' | 'terraform';
export const ENGINE_KINDS: readonly EngineKind[] = ['tofu', 'terraform'];

/** A located engine, ready to run. */
export interface Engine {
  readonly kind: EngineKind;
  /** Absolute path of the executable. */
  readonly path: string;
  /** Version it reports (`1.11.7`). */
  readonly version: string;
  /** The engine cache's CLI config when it is used (providers from the local mirror), else undefined. */
  readonly cliConfigFile?: string;
  /** The engine cache's manifest, when the cache exists. */
  readonly manifest?: EngineManifest;
  /** Environment every run gets (on top of the caller's). */
  readonly env: Readonly<Record<string, string>>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Absolute path of `program` on the PATH of `env`, or undefined. */
export function onPath(program: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, program);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Candidate executables for one engine kind, best first. */
function candidates(kind: EngineKind, env: Env): string[] {
  const cached = kind === 'tofu' ? enginePaths(engineDir(env)).tofu : undefined;
  return [cached, onPath(kind, env)].filter((p): p is string => p !== undefined && existsSync(p));
}

async function versionOf(executable: string, env: Record<string, string>): Promise<string | undefined> {
  const result = await execa(executable, ['version', '-json'], { reject: false, env, timeout: 30_000 });
  if (result.exitCode !== 0) return undefined;
  try {
    return (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    return undefined;
  }
}

/**
 * Locates the engine to run: `kind` when given, else OpenTofu (engine cache first, then the PATH), else
 * Terraform on the PATH. When the engine cache exists, its CLI config is used, so the providers built there
 * come from the local mirror.
 * @throws SpecError when no such engine is found (exit 2), with the command that installs one
 */
export async function findEngine(kind: EngineKind | undefined, env: Env): Promise<Engine> {
  const dir = engineDir(env);
  const { cliConfig } = enginePaths(dir);
  const cliConfigFile = existsSync(cliConfig) ? cliConfig : undefined;
  const runEnv: Record<string, string> = {
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...(cliConfigFile ? { TF_CLI_CONFIG_FILE: cliConfigFile } : {}),
  };
  for (const k of kind ? [kind] : ENGINE_KINDS) {
    for (const executable of candidates(k, env)) {
      const version = await versionOf(executable, { ...(env as Record<string, string>), ...runEnv });
      if (version) {
        return { kind: k, path: executable, version, cliConfigFile, manifest: readManifest(dir), env: runEnv };
      }
    }
  }
  throw new SpecError(kind ? `engine ${kind} not found` : 'no engine found: neither tofu nor terraform', {
    hint: `build OpenTofu and the pinned plugins with \`npm run engine:install\` (into ${dir}), or put tofu or terraform on the PATH`,
  });
}

/** The result of one engine run. */
export interface EngineRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the engine in `cwd` with `args`; never throws on a non-zero exit. */
export async function runEngine(
  engine: Engine,
  args: readonly string[],
  cwd: string,
  env: Env,
  onStderr?: (chunk: string) => void,
): Promise<EngineRun> {
  const child = execa(engine.path, [...args], {
    cwd,
    env: { ...(env as Record<string, string>), ...engine.env },
    reject: false,
    stdin: 'ignore',
  });
  if (onStderr) child.stderr?.on('data', (chunk: Buffer) => onStderr(chunk.toString()));
  const result = await child;
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** One diagnostic of `validate -json` (and of `plan -json` lines). */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string; readonly start: { readonly line: number } };
}

/** `validate -json` output. */
export interface ValidateResult {
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** `init -backend=false` then `validate -json` in a stack directory. */
export async function initAndValidate(
  engine: Engine,
  stackDir: string,
  env: Env,
): Promise<{ init: EngineRun; validate?: ValidateResult }> {
  const init = await runEngine(engine, ['init', '-backend=false', '-no-color'], stackDir, env);
  if (init.exitCode !== 0) return { init };
  const run = await runEngine(engine, ['validate', '-json', '-no-color'], stackDir, env);
  return { init, validate: JSON.parse(run.stdout) as ValidateResult };
}

/** One line per diagnostic: `error: <summary>: <detail> (<file>:<line>)`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.range ? ` (${d.range.filename}:${d.range.start.line})` : '';
  const detail = d.detail ? `: ${d.detail.replace(/\s+/g, ' ').trim()}` : '';
  return `${d.severity}: ${d.summary}${detail}${where}`;
}
