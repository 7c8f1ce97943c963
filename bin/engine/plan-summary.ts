/**
 * What a saved plan would do, read from `show -json <planfile>`: counts per action and every resource that
 * would be replaced or destroyed, with the stateful ones (lib/stateful.ts) flagged.
 * @see https://opentofu.org/docs/internals/json-format/#plan-representation
 */

/** The part of `show -json` output this reads. */
export interface PlanJson {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly mode: 'managed' | 'data';
    readonly change: { readonly actions: readonly string[] };
  }[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
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
}

/** `openstack_blockstorage_volume_v3.x[0]` → `openstack_blockstorage_volume_v3.x` (module paths kept). */
export function baseAddress(address: string): string {
  return address.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]$/, '');
}

/** Summarizes a plan; `stateful` maps addresses (without instance keys) to their reason. */
export function summarizePlan(plan: PlanJson, stateful: ReadonlyMap<string, string>): PlanSummary {
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
  return { add, change, destroy, outputsChange, losing };
}

/** Stateful resources a plan would lose that `allowed` (addresses, with or without instance key) does not name. */
export function refusedLosses(summary: PlanSummary, allowed: readonly string[]): LosingChange[] {
  return summary.losing.filter(
    (l) => l.stateful !== undefined && !allowed.includes(l.address) && !allowed.includes(baseAddress(l.address)),
  );
}
