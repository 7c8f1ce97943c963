/**
 * What a saved plan would do, read from `show -json <planfile>`: counts per action and every resource that
 * would be replaced or destroyed, with the stateful ones (lib/stateful.ts) flagged.
 * @see https://opentofu.org/docs/internals/json-format/#plan-representation
 */

import type { GroupRecord } from '../../lib/host-records.js';

/** A module of the state in `show -json` output. */
export interface StateModule {
  readonly resources?: readonly { readonly address: string; readonly values?: Readonly<Record<string, unknown>> }[];
  readonly child_modules?: readonly StateModule[];
}

/** The part of `show -json` output this reads. */
export interface PlanJson {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly mode: 'managed' | 'data';
    readonly change: {
      readonly actions: readonly string[];
      readonly before?: unknown;
      readonly after?: unknown;
    };
  }[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  /** The state the plan started from (refreshed). */
  readonly prior_state?: { readonly values?: { readonly root_module?: StateModule } };
}

/** Hosts of one group that run an older configuration than a host created now would get. */
export interface OlderConfiguration {
  readonly group: string;
  readonly hosts: readonly string[];
}

/** A resource the plan would replace or destroy. */
export interface LosingChange {
  readonly address: string;
  readonly action: 'replace' | 'destroy';
  /** Why it holds state, when the stack marks it stateful. */
  readonly stateful?: string;
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Outputs would change: stacks reading them wait for this one's deploy. */
  readonly outputsChange: boolean;
  readonly losing: readonly LosingChange[];
  /** Per group, the hosts whose configuration record differs from their configuration now (lib/host-records.ts). */
  readonly olderConfiguration: readonly OlderConfiguration[];
}

/** `openstack_blockstorage_volume_v3.x[0]` → `openstack_blockstorage_volume_v3.x` (module paths kept). */
export function baseAddress(address: string): string {
  return address.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]$/, '');
}

/**
 * Summarizes a plan; `stateful` maps addresses (without instance keys) to their reason, `hostGroups` are the
 * stack's host records (lib/host-records.ts).
 */
export function summarizePlan(
  plan: PlanJson,
  stateful: ReadonlyMap<string, string>,
  hostGroups: ReadonlyMap<string, GroupRecord> = new Map(),
): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  const losing: LosingChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    const actions = rc.change.actions;
    const replaced = actions.includes('delete') && actions.includes('create');
    if (actions.includes('create')) add++;
    if (actions.includes('update')) change++;
    if (actions.includes('delete')) destroy++;
    if (replaced || (actions.length === 1 && actions[0] === 'delete')) {
      const why = stateful.get(baseAddress(rc.address));
      losing.push({ address: rc.address, action: replaced ? 'replace' : 'destroy', ...(why ? { stateful: why } : {}) });
    }
  }
  const outputsChange = Object.values(plan.output_changes ?? {}).some((o) => o.actions.some((a) => a !== 'no-op'));
  return { add, change, destroy, outputsChange, losing, olderConfiguration: olderConfiguration(plan, hostGroups) };
}

/**
 * Hosts whose record in the prior state holds another configuration hash than the stack's JSON lists now, and
 * that the plan does not replace already.
 */
export function olderConfiguration(plan: PlanJson, hostGroups: ReadonlyMap<string, GroupRecord>): OlderConfiguration[] {
  const prior = new Map<string, Readonly<Record<string, unknown>>>();
  const walk = (m: StateModule | undefined) => {
    for (const r of m?.resources ?? []) prior.set(r.address, r.values ?? {});
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(plan.prior_state?.values?.root_module);
  const replaced = new Set(
    (plan.resource_changes ?? []).filter((rc) => rc.change.actions.includes('create')).map((rc) => rc.address),
  );
  const result: OlderConfiguration[] = [];
  for (const [group, record] of [...hostGroups].sort(([a], [b]) => a.localeCompare(b))) {
    const hosts = record.hosts
      .filter((h) => {
        const values = prior.get(h.record);
        if (!values || replaced.has(h.record) || replaced.has(h.instance)) return false;
        return (values.input as { config?: unknown } | undefined)?.config !== h.config;
      })
      .map((h) => h.name);
    if (hosts.length > 0) result.push({ group, hosts });
  }
  return result;
}

/** Stateful resources a plan would lose that `allowed` (addresses, with or without instance key) does not name. */
export function refusedLosses(summary: PlanSummary, allowed: readonly string[]): LosingChange[] {
  return summary.losing.filter(
    (l) => l.stateful !== undefined && !allowed.includes(l.address) && !allowed.includes(baseAddress(l.address)),
  );
}
