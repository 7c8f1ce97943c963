/**
 * Plan, deploy and destroy over synthesized stacks, in dependency order, with the engine found by engine.ts.
 * The saved plan of a stack is `<stack dir>/tfplan`; deploy applies exactly that file and removes it once
 * applied, so a plan is never applied twice nor made again silently.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { SpecError } from '../../lib/errors.js';
import { hostGroupRecords } from '../../lib/host-records.js';
import { statefulAddresses } from '../../lib/stateful.js';
import { readOutputManifest } from '../output-dir.js';

import { runEngine, type Engine, type EngineRun } from './engine.js';
import { refusedLosses, summarizePlan, type PlanJson, type PlanSummary } from './plan-summary.js';
import { missingCredentials, readStackJson } from './stack-needs.js';
import { stackOrder, type CdktfManifest } from './stack-order.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The saved plan's file name inside a stack directory. */
export const PLAN_FILE = 'tfplan';

/** Options every lifecycle run takes. */
export interface LifecycleOptions {
  readonly engine: Engine;
  /** The synthesized output directory (holds manifest.json and stacks/). */
  readonly outdir: string;
  readonly env: Env;
  /** Directory clouds.yaml and relative paths are looked up from. */
  readonly cwd: string;
  /** `-parallelism` passed to plan, apply and destroy. @default - the engine's (10) */
  readonly parallelism?: number;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
  /** Engine output as it arrives (stderr), for long runs. */
  readonly engineOutput?: (chunk: string) => void;
  /** Runs the engine. @default - {@link runEngine}; tests of call sequences pass a recording runner */
  readonly runEngine?: typeof runEngine;
}

/** One stack's outcome of `plan`. */
export type StackPlan =
  | { readonly stack: string; readonly status: 'planned'; readonly planFile: string; readonly summary: PlanSummary }
  | { readonly stack: string; readonly status: 'deferred'; readonly waitsFor: readonly string[] };

/** Thrown when the engine fails for a reason that is not the input's fault (cloud API, network, state lock). */
export class EngineFailure extends Error {
  public constructor(
    message: string,
    public readonly output: string,
  ) {
    super(message);
    this.name = 'EngineFailure';
  }
}

/**
 * The stacks synthesized into `outdir`, from its manifest.json.
 * @throws SpecError when there is none (nothing synthesized there yet)
 */
export async function readStacksManifest(outdir: string): Promise<CdktfManifest> {
  const manifest = await readOutputManifest(outdir);
  if (!manifest) {
    throw new SpecError(`no synthesized stacks in ${outdir}`, {
      hint: 'run regionkit synth (or regionkit plan) first',
    });
  }
  return manifest as unknown as CdktfManifest;
}

/** Stack directory of one stack. */
export function stackDir(outdir: string, manifest: CdktfManifest, stack: string): string {
  return path.join(outdir, manifest.stacks[stack]!.workingDirectory);
}

const parallelismArgs = (n: number | undefined) => (n ? [`-parallelism=${n}`] : []);

/** The engine's error diagnostics (`Error: <summary>` and the paragraph after its source snippet). */
export function engineErrors(run: EngineRun): string[] {
  const fromStderr = errorsIn(run.stderr);
  return fromStderr.length > 0 ? fromStderr : errorsIn(run.stdout);
}

function errorsIn(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/^[│╷╵]\s?/, ''));
  // Terraform prefixes init failures with a sentence that says nothing about them
  const preamble = /encountered problems during initiali[sz]ation/;
  const errors: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const summary = /^Error: (.+)$/.exec(lines[i]!.trim())?.[1];
    if (!summary) continue;
    const detail: string[] = [];
    let j = i + 1;
    // skip the source snippet (`on <file> line N`, numbered lines, markers) up to the explanation
    while (
      j < lines.length &&
      (lines[j]!.trim() === '' || /^\s*(│|├|─|\(|on .+ line \d+|with .+,$|\d+:)/.test(lines[j]!))
    )
      j++;
    for (; j < lines.length && lines[j]!.trim() !== '' && !/^Error: /.test(lines[j]!.trim()); j++)
      detail.push(lines[j]!.trim());
    if (preamble.test(summary)) continue;
    errors.push(detail.length ? `${summary}: ${detail.join(' ')}` : summary);
  }
  return errors;
}

/** The first error of an engine's output, for one-line reports. */
export function firstError(run: EngineRun): string {
  return (
    engineErrors(run)[0] ??
    (`${run.stderr}\n${run.stdout}`.trim().split('\n').slice(-3).join(' ') || `exit ${run.exitCode}`)
  );
}

/**
 * Variables the stack declares without a default that neither `TF_VAR_<name>` nor a variables file in the
 * stack directory sets. With a variables file present, the engine's own check decides (HCL is not parsed here).
 */
export async function variablesWithoutValue(dir: string, env: Env): Promise<string[]> {
  const files = await readdir(dir);
  if (
    files.some((f) => f === 'terraform.tfvars' || f === 'terraform.tfvars.json' || /\.auto\.tfvars(\.json)?$/.test(f))
  ) {
    return [];
  }
  const json = await readStackJson(dir);
  return Object.entries(json.variable ?? {})
    .filter(([name, v]) => !('default' in v) && env[`TF_VAR_${name}`] === undefined)
    .map(([name]) => name)
    .sort();
}

function unsetVariablesError(stack: string, dir: string, names: readonly string[]): SpecError {
  return new SpecError(`${stack}: variables without a value: ${names.join(', ')}`, {
    hint: `set ${names.map((v) => `TF_VAR_${v}`).join(', ')} in the environment, or put them in ${path.join(dir, 'terraform.tfvars')} (synth keeps it)`,
  });
}

/** Root-module variables the plan found without a value. */
function unsetVariables(run: EngineRun): string[] {
  const names = engineErrors(run).flatMap((e) =>
    [...e.matchAll(/input variable "([^"]+)" is not set/g)].map((m) => m[1]!),
  );
  return [...new Set(names)].sort();
}

/**
 * `init` then `plan -out=tfplan` for each stack of `wanted` (and what they depend on), dependencies first. A
 * stack whose dependency's plan has changes is deferred: its inputs exist only after that deploy.
 * @throws SpecError (exit 2) when variables have no value (all of them named, before init), or when the plan
 *   fails without the cloud credentials its providers read
 * @throws EngineFailure when init or plan fails otherwise
 */
export async function planStacks(wanted: readonly string[], opts: LifecycleOptions): Promise<StackPlan[]> {
  const manifest = await readStacksManifest(opts.outdir);
  const order = stackOrder(manifest, wanted);
  // Only plans shown by this run may be deployed: older ones (of a stack now deferred, or left by a run that
  // failed before printing its table) go first, and this run's go too if it fails.
  const removePlans = () =>
    Promise.all(order.map((s) => rm(path.join(stackDir(opts.outdir, manifest, s), PLAN_FILE), { force: true })));
  await removePlans();
  try {
    return await planInOrder(order, manifest, opts);
  } catch (err) {
    await removePlans();
    throw err;
  }
}

async function planInOrder(
  order: readonly string[],
  manifest: CdktfManifest,
  opts: LifecycleOptions,
): Promise<StackPlan[]> {
  const results: StackPlan[] = [];
  for (const stack of order) {
    const dir = stackDir(opts.outdir, manifest, stack);
    const pending = manifest.stacks[stack]!.dependencies.filter((dep) => {
      const r = results.find((x) => x.stack === dep);
      return (
        r?.status === 'deferred' ||
        (r?.status === 'planned' &&
          (r.summary.add + r.summary.change + r.summary.destroy > 0 || r.summary.outputsChange))
      );
    });
    if (pending.length > 0) {
      opts.progress(`plan ${stack}: deferred until ${pending.join(', ')} is deployed`);
      results.push({ stack, status: 'deferred', waitsFor: pending });
      continue;
    }
    const unsetBefore = await variablesWithoutValue(dir, opts.env);
    if (unsetBefore.length > 0) throw unsetVariablesError(stack, dir, unsetBefore);
    opts.progress(`init ${stack} (${opts.engine.kind} ${opts.engine.version})`);
    const init = await runEngine(opts.engine, ['init', '-input=false', '-no-color'], dir, opts.env, opts.engineOutput);
    if (init.exitCode !== 0)
      throw new EngineFailure(`${stack}: ${opts.engine.kind} init failed: ${firstError(init)}`, init.stderr);
    opts.progress(`plan ${stack}`);
    const plan = await runEngine(
      opts.engine,
      ['plan', '-input=false', '-no-color', `-out=${PLAN_FILE}`, ...parallelismArgs(opts.parallelism)],
      dir,
      opts.env,
      opts.engineOutput,
    );
    if (plan.exitCode !== 0) {
      const unset = unsetVariables(plan);
      if (unset.length > 0) throw unsetVariablesError(stack, dir, unset);
      const stackJson = await readStackJson(dir);
      const unmet = missingCredentials(stackJson, opts.env, opts.cwd);
      if (unmet.length > 0) {
        throw new SpecError(
          `${stack}: ${unmet.map((u) => u.what).join('; ')} (${opts.engine.kind}: ${firstError(plan)})`,
          {
            hint: unmet.map((u) => u.hint).join('\n      '),
          },
        );
      }
      throw new EngineFailure(`${stack}: ${opts.engine.kind} plan failed: ${firstError(plan)}`, plan.stderr);
    }
    const summary = await savedPlanSummary(opts.engine, dir, opts.env);
    results.push({ stack, status: 'planned', planFile: path.join(dir, PLAN_FILE), summary });
  }
  return results;
}

/**
 * The summary of the saved plan in `dir`. Stateful resources are those the stack's JSON marks now and those it
 * marked when earlier deploys applied it (a renamed or removed data disk is no longer in the JSON, and its
 * deletion is exactly what must be refused).
 */
export async function savedPlanSummary(
  engine: Engine,
  dir: string,
  env: Env,
  run: typeof runEngine = runEngine,
): Promise<PlanSummary> {
  const show = await run(engine, ['show', '-json', '-no-color', PLAN_FILE], dir, env);
  if (show.exitCode !== 0)
    throw new EngineFailure(`${engine.kind} show failed in ${dir}: ${firstError(show)}`, show.stderr);
  return summarizePlan(
    JSON.parse(show.stdout) as PlanJson,
    await knownStateful(dir),
    hostGroupRecords(await readStackJson(dir)),
  );
}

/** Where deploy records the stateful marks of what it applied, beside the stack's state. */
export const STATEFUL_RECORD = 'regionkit-stateful.json';

/** Stateful marks in force for `dir`: the stack's JSON now and the records of earlier deploys. */
export async function knownStateful(dir: string): Promise<Map<string, string>> {
  const current = statefulAddresses(await readStackJson(dir));
  const recordFile = path.join(dir, STATEFUL_RECORD);
  const recorded = existsSync(recordFile)
    ? (JSON.parse(await readFile(recordFile, 'utf8')) as Record<string, string>)
    : {};
  return new Map([...Object.entries(recorded), ...current]);
}

/** Records the marks in force for an applied stack, merged with earlier ones (written atomically). */
async function recordStateful(dir: string): Promise<void> {
  const known = Object.fromEntries([...(await knownStateful(dir))].sort(([a], [b]) => a.localeCompare(b)));
  const file = path.join(dir, STATEFUL_RECORD);
  await writeFile(`${file}.next`, `${JSON.stringify(known, null, 2)}\n`);
  await rename(`${file}.next`, file);
}

/** One stack's outcome of `deploy`. */
export interface StackDeploy {
  readonly stack: string;
  readonly status: 'applied' | 'no-plan';
}

/**
 * Applies the saved plans of `wanted` in dependency order. Refuses, before applying anything, when a stack has
 * no saved plan or its plan replaces or destroys a stateful resource that `allowReplace` does not name.
 * @throws SpecError (exit 2) for a refusal; EngineFailure when an apply fails (later stacks are not applied)
 */
export async function deployStacks(
  wanted: readonly string[],
  allowReplace: readonly string[],
  opts: LifecycleOptions,
): Promise<StackDeploy[]> {
  const manifest = await readStacksManifest(opts.outdir);
  const order = stackOrder(manifest, wanted);
  const withoutPlan = order.filter((s) => !existsSync(path.join(stackDir(opts.outdir, manifest, s), PLAN_FILE)));
  if (withoutPlan.length === order.length) {
    throw new SpecError(`no saved plan for ${withoutPlan.join(', ')}`, {
      hint: 'run regionkit plan first; deploy applies only plans you have seen',
    });
  }
  const refusals: string[] = [];
  for (const stack of order.filter((s) => !withoutPlan.includes(s))) {
    const summary = await savedPlanSummary(opts.engine, stackDir(opts.outdir, manifest, stack), opts.env);
    for (const loss of refusedLosses(summary, allowReplace)) {
      refusals.push(`${stack}: the plan would ${loss.action} ${loss.address} (${loss.stateful})`);
    }
  }
  if (refusals.length > 0) {
    throw new SpecError(`refusing to deploy: ${refusals.join('; ')}`, {
      hint: `if losing that data is intended, name each address: ${refusals
        .map((r) => `--allow-replace ${/would \w+ (\S+)/.exec(r)![1]}`)
        .join(' ')}`,
    });
  }
  const results: StackDeploy[] = [];
  for (const stack of order) {
    const dir = stackDir(opts.outdir, manifest, stack);
    if (withoutPlan.includes(stack)) {
      opts.progress(`deploy ${stack}: no saved plan (plan it again after this deploy)`);
      results.push({ stack, status: 'no-plan' });
      continue;
    }
    opts.progress(`apply ${stack}`);
    const apply = await runEngine(
      opts.engine,
      ['apply', '-input=false', '-no-color', ...parallelismArgs(opts.parallelism), PLAN_FILE],
      dir,
      opts.env,
      opts.engineOutput,
    );
    if (apply.exitCode !== 0)
      throw new EngineFailure(`${stack}: ${opts.engine.kind} apply failed: ${firstError(apply)}`, apply.stderr);
    await rm(path.join(dir, PLAN_FILE), { force: true });
    await recordStateful(dir);
    results.push({ stack, status: 'applied' });
  }
  return results;
}

/**
 * Destroys every stack of `region` in reverse dependency order (`init` first, so a fresh clone can destroy).
 * @throws SpecError (exit 2) when variables have no value, before anything is destroyed
 * @throws EngineFailure when init or destroy fails (earlier stacks stay destroyed)
 */
export async function destroyRegion(stacks: readonly string[], opts: LifecycleOptions): Promise<string[]> {
  const manifest = await readStacksManifest(opts.outdir);
  const order = stackOrder(manifest, stacks)
    .filter((s) => stacks.includes(s))
    .reverse();
  const unset = await Promise.all(
    order.map(
      async (stack) => [stack, await variablesWithoutValue(stackDir(opts.outdir, manifest, stack), opts.env)] as const,
    ),
  );
  for (const [stack, names] of unset) {
    if (names.length > 0) throw unsetVariablesError(stack, stackDir(opts.outdir, manifest, stack), names);
  }
  for (const stack of order) {
    const dir = stackDir(opts.outdir, manifest, stack);
    opts.progress(`init ${stack}`);
    const init = await runEngine(opts.engine, ['init', '-input=false', '-no-color'], dir, opts.env, opts.engineOutput);
    if (init.exitCode !== 0)
      throw new EngineFailure(`${stack}: ${opts.engine.kind} init failed: ${firstError(init)}`, init.stderr);
    opts.progress(`destroy ${stack}`);
    const run = await runEngine(
      opts.engine,
      ['destroy', '-auto-approve', '-input=false', '-no-color', ...parallelismArgs(opts.parallelism)],
      dir,
      opts.env,
      opts.engineOutput,
    );
    if (run.exitCode !== 0)
      throw new EngineFailure(`${stack}: ${opts.engine.kind} destroy failed: ${firstError(run)}`, run.stderr);
  }
  return order;
}
