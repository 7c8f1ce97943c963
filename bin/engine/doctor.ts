/**
 * `regionkit doctor`: can `deploy` proceed from this machine? Checks the engine and its version, a plugin for
 * every provider the stacks pin, the cloud credentials each stack's providers read (names only, never
 * values) and each stack's backend settings.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { MIN_OPENTOFU_VERSION, MIN_TERRAFORM_VERSION } from '../../lib/versions.js';

import type { Engine } from './engine.js';
import { enginePaths, pluginDir, pluginFile, REGISTRY_HOSTS } from './layout.js';
import { variablesWithoutValue } from './lifecycle.js';
import { missingBackendSettings, missingCredentials, pinnedProviders, readStackJson } from './stack-needs.js';

type Env = Readonly<Record<string, string | undefined>>;

/** One line of the doctor's report. */
export interface Check {
  readonly status: 'ok' | 'warn' | 'fail';
  /** What was checked (`engine`, `plugin aliyun/alicloud 1.289.0`, `example-alicloud-infra: credentials`). */
  readonly subject: string;
  readonly detail: string;
  readonly hint?: string;
}

/** `a.b.c` ≥ `x.y.z`, numerically. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map((n) => parseInt(n, 10));
  const b = minimum.split('.').map((n) => parseInt(n, 10));
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The checks for `engine` (undefined when none was found) and the stacks in `stackDirs`. */
export async function doctorChecks(
  engine: Engine | undefined,
  engineError: string | undefined,
  stackDirs: ReadonlyMap<string, string>,
  env: Env,
  cwd: string,
): Promise<Check[]> {
  const checks: Check[] = [];
  if (!engine) {
    checks.push({
      status: 'fail',
      subject: 'engine',
      detail: engineError ?? 'not found',
      hint: 'npm run engine:install',
    });
  } else {
    const minimum = engine.kind === 'tofu' ? MIN_OPENTOFU_VERSION : MIN_TERRAFORM_VERSION;
    const fresh = versionAtLeast(engine.version, minimum);
    checks.push({
      status: fresh ? 'ok' : 'fail',
      subject: 'engine',
      detail: `${engine.kind} ${engine.version} at ${engine.path}${fresh ? '' : `, older than ${minimum}`}`,
      ...(fresh ? {} : { hint: `use ${engine.kind} ${minimum} or newer` }),
    });
    checks.push({
      status: 'ok',
      subject: 'provider installation',
      detail: engine.cliConfigFile
        ? `CLI config ${engine.cliConfigFile} (local mirror first)`
        : `the engine's own configuration (${env.TF_CLI_CONFIG_FILE ?? 'default'})`,
    });
  }
  const providers = new Map<string, { source: string; version: string }>();
  for (const [stack, dir] of stackDirs) {
    const json = await readStackJson(dir);
    for (const p of pinnedProviders(json)) providers.set(`${p.source} ${p.version}`, p);
    const creds = missingCredentials(json, env, cwd);
    checks.push(
      ...(creds.length
        ? creds.map((u) => ({
            status: 'fail' as const,
            subject: `${stack}: credentials`,
            detail: u.what,
            hint: u.hint,
          }))
        : [{ status: 'ok' as const, subject: `${stack}: credentials`, detail: 'present in the environment' }]),
    );
    const unset = await variablesWithoutValue(dir, env);
    checks.push(
      unset.length
        ? {
            status: 'fail',
            subject: `${stack}: variables`,
            detail: `without a value: ${unset.join(', ')}`,
            hint: `set ${unset.map((v) => `TF_VAR_${v}`).join(', ')}, or put them in the stack directory's terraform.tfvars`,
          }
        : { status: 'ok', subject: `${stack}: variables`, detail: 'every variable without a default has a value' },
    );
    const backend = missingBackendSettings(json, env);
    const [type] = Object.keys(json.terraform?.backend ?? { local: {} });
    checks.push(
      ...(backend.length
        ? backend.map((u) => ({ status: 'fail' as const, subject: `${stack}: backend`, detail: u.what, hint: u.hint }))
        : [{ status: 'ok' as const, subject: `${stack}: backend`, detail: `${type} backend settings complete` }]),
    );
  }
  for (const { source, version } of [...providers.values()].sort((a, b) => a.source.localeCompare(b.source))) {
    checks.push(pluginCheck(engine, source, version, env));
  }
  return checks;
}

function pluginCheck(engine: Engine | undefined, source: string, version: string, env: Env): Check {
  const subject = `plugin ${source} ${version}`;
  const host = REGISTRY_HOSTS[engine?.kind ?? 'tofu'];
  const mirror = engine?.cliConfigFile ? enginePaths(path.dirname(engine.cliConfigFile)).mirror : undefined;
  if (mirror && existsSync(path.join(pluginDir(mirror, host, source, version), pluginFile(source, version)))) {
    return { status: 'ok', subject, detail: 'in the local mirror' };
  }
  const otherVersion = engine?.manifest?.plugins.find((p) => p.source === source && p.version !== version);
  if (engine?.cliConfigFile && otherVersion) {
    // the CLI config installs this source from the mirror only: init cannot fetch another version
    return {
      status: 'fail',
      subject,
      detail: `the engine cache has ${source} ${otherVersion.version} only, and installs that provider from its mirror alone`,
      hint: 'run npm run engine:install to build the pinned version',
    };
  }
  const missing = engine?.manifest?.missing.find((m) => m.source === source && m.version === version);
  const cache = env.TF_PLUGIN_CACHE_DIR;
  if (cache && existsSync(path.join(cache, host, source, version))) {
    return { status: 'ok', subject, detail: `in the plugin cache ${cache}` };
  }
  return {
    status: 'warn',
    subject,
    detail: `not on this machine${missing ? ` (the engine install could not build it: ${missing.reason})` : ''}; init downloads it from ${host}`,
    hint: 'deploy needs that registry reachable, or the plugin placed in the mirror',
  };
}

/** Exit code of a report: 0 when nothing failed. */
export function doctorExitCode(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'fail') ? 2 : 0;
}
