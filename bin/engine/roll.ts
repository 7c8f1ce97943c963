/**
 * `regionkit roll`: replaces the hosts of one group on purpose, a few at a time, with the engine's
 * `-replace=<instance address>`; each step is a saved plan that is checked and then applied, as deploy does.
 *
 * Steps: zone by zone (zone 1 first), at most `batchSize` hosts per step: for a quorum group (ZooKeeper, etcd)
 * as many as the quorum can lose (`floor((n - 1) / 2)`, 1 of 3, 2 of 5), for any other group all but one of
 * its hosts, so some host of the group always serves. After each step it waits until every replaced host
 * answers on the group's health endpoint (lib/host-records.ts) and stops at the first failure.
 *
 * Before the first step a plan without `-replace` must show no change except deletion protection turned off
 * (Alibaba refuses to release protected instances: the stack's `deletion_protection` variable is false for the
 * whole roll and back to its default after the last step). Any other pending change stops the roll: deploy it
 * first, so a roll replaces hosts and nothing else.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';

import { SpecError } from '../../lib/errors.js';
import { hostGroupRecords, type GroupRecord, type HealthEndpoint, type HostRecord } from '../../lib/host-records.js';

import { runEngine, type EngineRun } from './engine.js';
import {
  EngineFailure,
  firstError,
  knownStateful,
  PLAN_FILE,
  readStacksManifest,
  stackDir,
  type LifecycleOptions,
} from './lifecycle.js';
import { refusedLosses, summarizePlan, type PlanJson } from './plan-summary.js';
import { readStackJson } from './stack-needs.js';

/** The stack variable that turns deletion protection off for a roll (lib/cloud/alicloud). */
export const DELETION_PROTECTION_VARIABLE = 'deletion_protection';
/** Attributes a deletion-protection toggle changes (alicloud_instance, alicloud_slb_load_balancer). */
const PROTECTION_ATTRIBUTES = new Set(['deletion_protection', 'delete_protection']);
/** How long a roll waits for a replaced host's health endpoint by default, in seconds. */
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 900;
/** Seconds between health probes of a host. */
export const HEALTH_PROBE_INTERVAL_SECONDS = 10;

/** One step of a roll: hosts replaced together. */
export interface RollStep {
  readonly zone: number;
  readonly hosts: readonly HostRecord[];
}

/** Probes a host's health endpoint once; true when it answers as healthy. */
export type HealthProbe = (host: HostRecord, endpoint: HealthEndpoint) => Promise<boolean>;

/** Options of one roll. */
export interface RollOptions extends LifecycleOptions {
  /** Stateful resources a step may replace or destroy (as `deploy --allow-replace`). @default - none */
  readonly allowReplace?: readonly string[];
  /** Only the hosts of this zone (1-based). @default - every zone, in order */
  readonly zone?: number;
  /** Seconds to wait for each step's hosts to be healthy; 0 does not wait. @default 900 */
  readonly healthTimeoutSeconds?: number;
  /** @default - {@link probeHealth}, from this machine to the host's private address */
  readonly probe?: HealthProbe;
  /** @default - a timer */
  readonly sleep?: (seconds: number) => Promise<void>;
  /** Monotonic seconds. @default - the process clock */
  readonly now?: () => number;
}

/** What a roll did, step by step. */
export interface RollResult {
  readonly stack: string;
  readonly group: string;
  readonly steps: readonly { readonly zone: number; readonly hosts: readonly string[] }[];
}

/** Thrown when a step fails (the engine, or a host that did not become healthy); later steps did not run. */
export class RollStopped extends EngineFailure {
  public constructor(
    message: string,
    output: string,
    public readonly replaced: readonly string[],
  ) {
    super(message, output);
    this.name = 'RollStopped';
  }
}

/** Hosts a step may replace together: what the quorum can lose, or all but one host of other groups. */
export function batchSize(group: Pick<GroupRecord, 'quorum' | 'hosts'>): number {
  const n = group.hosts.length;
  return Math.max(1, group.quorum ? Math.floor((n - 1) / 2) : n - 1);
}

/** The steps of a roll of `group`, zone by zone (optionally one zone), in host order within each zone. */
export function rollSteps(group: GroupRecord, zone?: number): RollStep[] {
  const size = batchSize(group);
  const zones = [...new Set(group.hosts.map((h) => h.zone))].sort((a, b) => a - b);
  const steps: RollStep[] = [];
  for (const z of zones) {
    if (zone !== undefined && z !== zone) continue;
    const hosts = group.hosts.filter((h) => h.zone === z);
    for (let i = 0; i < hosts.length; i += size) steps.push({ zone: z, hosts: hosts.slice(i, i + size) });
  }
  return steps;
}

/**
 * Rolls `group` of `stack`: checks, then replaces its hosts step by step (see the module comment).
 * @throws SpecError (exit 2) for an unknown group or zone, pending changes, or a step that would lose a
 *   stateful resource; RollStopped when a step fails; EngineFailure when init or the first plan fails
 */
export async function rollGroup(stack: string, group: string, opts: RollOptions): Promise<RollResult> {
  const run = opts.runEngine ?? runEngine;
  const manifest = await readStacksManifest(opts.outdir);
  if (!manifest.stacks[stack]) throw new SpecError(`no synthesized stack ${stack}`, { hint: 'run regionkit synth' });
  const dir = stackDir(opts.outdir, manifest, stack);
  const json = await readStackJson(dir);
  const groups = hostGroupRecords(json);
  const record = groups.get(group);
  if (!record) {
    throw new SpecError(`${stack}: no host group ${group}`, { hint: `host groups: ${[...groups.keys()].join(', ')}` });
  }
  const zones = [...new Set(record.hosts.map((h) => h.zone))].sort((a, b) => a - b);
  if (opts.zone !== undefined && !zones.includes(opts.zone)) {
    throw new SpecError(`${stack}: group ${group} has no host in zone ${opts.zone}`, {
      hint: `its hosts are in zone ${zones.join(', ')}`,
    });
  }
  const steps = rollSteps(record, opts.zone);
  const protection = DELETION_PROTECTION_VARIABLE in ((json as { variable?: object }).variable ?? {});
  const unprotect = protection ? [`-var=${DELETION_PROTECTION_VARIABLE}=false`] : [];
  const parallelism = opts.parallelism ? [`-parallelism=${opts.parallelism}`] : [];
  const engine = (args: string[]) => run(opts.engine, args, dir, opts.env, opts.engineOutput);
  const plan = (extra: string[]) =>
    engine(['plan', '-input=false', '-no-color', `-out=${PLAN_FILE}`, ...parallelism, ...extra]);
  const show = async (): Promise<PlanJson> => {
    const shown = await engine(['show', '-json', '-no-color', PLAN_FILE]);
    if (shown.exitCode !== 0) throw new EngineFailure(`${stack}: show failed: ${firstError(shown)}`, shown.stderr);
    return JSON.parse(shown.stdout) as PlanJson;
  };
  const apply = () => engine(['apply', '-input=false', '-no-color', ...parallelism, PLAN_FILE]);
  const fail = (what: string, result: EngineRun, replaced: readonly string[]) =>
    new RollStopped(`${stack}: roll of ${group} stopped: ${what}: ${firstError(result)}`, result.stderr, replaced);

  try {
    opts.progress(`init ${stack}`);
    const init = await engine(['init', '-input=false', '-no-color']);
    if (init.exitCode !== 0) throw new EngineFailure(`${stack}: init failed: ${firstError(init)}`, init.stderr);

    opts.progress(`plan ${stack}: pending changes${protection ? ' (deletion protection off)' : ''}`);
    const check = await plan(unprotect);
    if (check.exitCode !== 0) throw new EngineFailure(`${stack}: plan failed: ${firstError(check)}`, check.stderr);
    const pending = otherChanges(await show());
    if (pending.others.length > 0) {
      throw new SpecError(`${stack}: the region has changes that are not deployed: ${pending.others.join(', ')}`, {
        hint: 'deploy them first (regionkit plan, regionkit deploy): a roll replaces hosts and nothing else',
      });
    }
    const replaced: string[] = [];
    if (pending.protection > 0) {
      opts.progress(`apply ${stack}: deletion protection off for the roll`);
      const off = await apply();
      if (off.exitCode !== 0) throw fail('turning deletion protection off failed', off, replaced);
    }

    for (const [i, step] of steps.entries()) {
      const names = step.hosts.map((h) => h.name);
      const where = `step ${i + 1}/${steps.length} (zone ${step.zone}: ${names.join(', ')})`;
      opts.progress(`plan ${stack}: ${where}`);
      const planned = await plan([...unprotect, ...step.hosts.map((h) => `-replace=${h.instance}`)]);
      if (planned.exitCode !== 0) throw fail(`${where}: plan failed`, planned, replaced);
      const summary = summarizePlan(await show(), await knownStateful(dir));
      const lost = refusedLosses(summary, opts.allowReplace ?? []);
      if (lost.length > 0) {
        throw new SpecError(
          `${stack}: roll of ${group} stopped at ${where}: the plan would ${lost.map((l) => `${l.action} ${l.address} (${l.stateful})`).join('; ')}`,
          {
            hint: `if losing that data is intended, name each address: ${lost.map((l) => `--allow-replace ${l.address}`).join(' ')}`,
          },
        );
      }
      opts.progress(`apply ${stack}: ${where}`);
      const applied = await apply();
      if (applied.exitCode !== 0) throw fail(`${where}: apply failed`, applied, replaced);
      replaced.push(...names);
      await waitHealthy(step.hosts, record.health, opts, `${stack}: roll of ${group} stopped at ${where}`, replaced);
    }

    if (protection) {
      opts.progress(`plan ${stack}: deletion protection on again`);
      const on = await plan([]);
      if (on.exitCode !== 0) throw fail('turning deletion protection on again: plan failed', on, replaced);
      const back = await apply();
      if (back.exitCode !== 0) throw fail('turning deletion protection on again failed', back, replaced);
    }
    return { stack, group, steps: steps.map((s) => ({ zone: s.zone, hosts: s.hosts.map((h) => h.name) })) };
  } finally {
    // a saved plan left by a roll must never be deployed later
    await rm(path.join(dir, PLAN_FILE), { force: true });
  }
}

/** Changes of a plan other than deletion-protection toggles, by address, and how many toggles there are. */
export function otherChanges(plan: PlanJson): { others: string[]; protection: number } {
  const others: string[] = [];
  let protection = 0;
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions;
    if (rc.mode !== 'managed' || actions.every((a) => a === 'no-op' || a === 'read')) continue;
    if (actions.length === 1 && actions[0] === 'update' && onlyProtection(rc.change.before, rc.change.after)) {
      protection++;
      continue;
    }
    others.push(`${rc.address} (${actions.join('+')})`);
  }
  return { others, protection };
}

function onlyProtection(before: unknown, after: unknown): boolean {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  const changed = [...keys].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  return changed.length > 0 && changed.every((k) => PROTECTION_ATTRIBUTES.has(k));
}

async function waitHealthy(
  hosts: readonly HostRecord[],
  endpoint: HealthEndpoint,
  opts: RollOptions,
  where: string,
  replaced: readonly string[],
): Promise<void> {
  const timeout = opts.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS;
  if (timeout === 0) {
    opts.progress(`health: not waited for (--health-timeout 0)`);
    return;
  }
  const probe = opts.probe ?? probeHealth;
  const sleep = opts.sleep ?? ((s: number) => new Promise<void>((r) => setTimeout(r, s * 1000)));
  const now = opts.now ?? (() => performance.now() / 1000);
  const what = `${endpoint.protocol} ${endpoint.port}${endpoint.path ?? ''} (${endpoint.source})`;
  const start = now();
  for (const host of hosts) {
    opts.progress(`health ${host.name}: waiting for ${what} at ${host.privateIp}`);
    while (!(await probe(host, endpoint))) {
      if (now() - start >= timeout) {
        throw new RollStopped(
          `${where}: ${host.name} (${host.privateIp}) did not answer ${what} within ${timeout} s`,
          '',
          replaced,
        );
      }
      await sleep(HEALTH_PROBE_INTERVAL_SECONDS);
    }
    opts.progress(`health ${host.name}: ok`);
  }
}

/**
 * One probe from this machine to the host's private address (run roll where that address is reachable: the
 * bastion, or a network peered with the region's): a TCP connect, or an HTTP GET answered 2xx or 3xx, each
 * within 5 s.
 */
export async function probeHealth(host: HostRecord, endpoint: HealthEndpoint): Promise<boolean> {
  if (endpoint.protocol === 'http') {
    try {
      const res = await fetch(`http://${host.privateIp}:${endpoint.port}${endpoint.path ?? '/'}`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(5000),
      });
      return res.status >= 200 && res.status < 400;
    } catch {
      return false;
    }
  }
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: host.privateIp, port: endpoint.port, timeout: 5000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
