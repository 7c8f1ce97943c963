/**
 * What applying one synthesized Terraform JSON document over another would do, per resource address, the way
 * the engine decides it for providers built on terraform-plugin-sdk:
 * - an address only in `after` is created, one only in `before` destroyed;
 * - an address in both compares its configuration attribute by attribute (nested blocks and lists element by
 *   element). A value that references a resource being replaced is unknown until apply, so it counts as
 *   changed (the engine plans it "known after apply"); this is repeated until nothing more changes.
 * - changes under the resource's own `lifecycle.ignore_changes` (in `after`, as the engine reads it) are
 *   dropped; what is left is an in-place update, or a replacement when any changed attribute is one of the
 *   type's ForceNew attributes (or lies inside a ForceNew block), from `force-new.ts`;
 * - an updated instance whose changes include a restart attribute (`restarts.ts`) is also "restarted".
 *
 * It reads configuration only (there is no state here), so an attribute the cloud computes and the config
 * leaves out never shows as a change: the same limit a `plan` of an unchanged configuration has.
 */
import { BUILTIN_FORCE_NEW, RANDOM_FORCE_NEW, TLS_FORCE_NEW } from './force-new-support.js';
import { ALICLOUD_FORCE_NEW, OPENSTACK_FORCE_NEW, type ForceNewFacts } from './force-new.js';
import { INSTANCE_RESTARTS } from './restarts.js';

/** A synthesized stack (cdk.tf.json) as far as this reads it. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

export type PlanAction = 'create' | 'destroy' | 'replace' | 'update';

export interface ResourceChange {
  /** `<type>.<name>`. */
  readonly address: string;
  readonly type: string;
  readonly action: PlanAction;
  /** For updates and replacements: the changed attribute paths, `block_device[0].uuid`, after ignore_changes. */
  readonly paths: readonly string[];
  /** For replacements: the changed paths that force it. */
  readonly forcedBy: readonly string[];
  /** For updates of an instance: the changed paths that stop and start it. */
  readonly restartedBy: readonly string[];
  /** Changed paths that `lifecycle.ignore_changes` dropped. */
  readonly ignored: readonly string[];
}

type Segment = string | number;

const FORCE_NEW: Readonly<Record<string, ForceNewFacts>> = {
  ...ALICLOUD_FORCE_NEW,
  ...OPENSTACK_FORCE_NEW,
  ...TLS_FORCE_NEW,
  ...RANDOM_FORCE_NEW,
  ...BUILTIN_FORCE_NEW,
};
/** Meta-arguments: not resource attributes the provider compares. */
const META = new Set(['//', 'lifecycle', 'depends_on', 'provider', 'count', 'for_each', 'provisioner', 'connection']);

/** Every resource change from `before` to `after`, sorted by address; unchanged resources are left out. */
export function planDiff(before: TerraformJson, after: TerraformJson): ResourceChange[] {
  const old = resourcesOf(before);
  const now = resourcesOf(after);
  for (const type of new Set([...old.values(), ...now.values()].map((r) => r.type))) {
    if (!FORCE_NEW[type]) throw new Error(`plan-diff: no ForceNew facts for ${type}; add them to force-new.ts`);
  }
  const changes = new Map<string, ResourceChange>();
  for (const [address, r] of now) {
    if (!old.has(address)) changes.set(address, bare(address, r.type, 'create'));
  }
  for (const [address, r] of old) {
    if (!now.has(address)) changes.set(address, bare(address, r.type, 'destroy'));
  }
  // Data sources whose configuration changed are read again: their results are unknown until apply.
  const unknown = new Set<string>();
  for (const [address, body] of dataOf(after)) {
    const was = dataOf(before).get(address);
    if (!was || leafDiff(strip(was), strip(body)).length > 0) unknown.add(`data.${address}`);
  }
  // Replacements make references to the replaced resources unknown, which can force more replacements.
  for (;;) {
    let grew = false;
    for (const [address, r] of now) {
      const was = old.get(address);
      if (!was) continue;
      const change = compare(address, r.type, was.body, r.body, unknown);
      const prior = changes.get(address);
      if (change === undefined) continue;
      if (!prior || prior.action !== change.action || prior.paths.length !== change.paths.length) {
        changes.set(address, change);
        if (change.action === 'replace' && !unknown.has(address)) {
          unknown.add(address);
          grew = true;
        }
      }
    }
    if (!grew) break;
  }
  return [...changes.values()].sort((a, b) => a.address.localeCompare(b.address));
}

function bare(address: string, type: string, action: PlanAction): ResourceChange {
  return { address, type, action, paths: [], forcedBy: [], restartedBy: [], ignored: [] };
}

function compare(
  address: string,
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  unknown: ReadonlySet<string>,
): ResourceChange | undefined {
  const changed = leafDiff(strip(before), strip(after));
  // an unchanged value that references something unknown until apply is itself unknown
  for (const [path, value] of leaves(strip(after))) {
    if (typeof value !== 'string' || !value.includes('${')) continue;
    if ([...unknown].some((u) => value.includes(`${u}.`)) && !changed.some((c) => samePath(c, path))) {
      changed.push(path);
    }
  }
  const ignores = ignoreChanges(after);
  const kept = changed.filter((p) => !ignores.some((i) => i === 'all' || isPrefix(i, p)));
  const ignored = changed.filter((p) => !kept.includes(p)).map(render);
  if (kept.length === 0) return undefined;
  const forceNew = Object.keys(FORCE_NEW[type]!.attributes);
  const forcedBy = kept.filter((p) => {
    const schemaPath = p.filter((s) => typeof s === 'string').join('.');
    return forceNew.some((f) => schemaPath === f || schemaPath.startsWith(`${f}.`));
  });
  const restarts = INSTANCE_RESTARTS[type];
  const restartedBy =
    forcedBy.length === 0 && restarts ? kept.filter((p) => Object.hasOwn(restarts.attributes, String(p[0]))) : [];
  return {
    address,
    type,
    action: forcedBy.length > 0 ? 'replace' : 'update',
    paths: kept.map(render).sort(),
    forcedBy: forcedBy.map(render).sort(),
    restartedBy: restartedBy.map(render).sort(),
    ignored: ignored.sort(),
  };
}

function resourcesOf(json: TerraformJson): Map<string, { type: string; body: Record<string, unknown> }> {
  const out = new Map<string, { type: string; body: Record<string, unknown> }>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) out.set(`${type}.${name}`, { type, body });
  }
  return out;
}

function dataOf(json: TerraformJson): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [type, byName] of Object.entries(json.data ?? {})) {
    for (const [name, body] of Object.entries(byName)) out.set(`${type}.${name}`, body);
  }
  return out;
}

function strip(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !META.has(k)));
}

/** `lifecycle.ignore_changes` as paths; `'all'` for all. */
function ignoreChanges(body: Record<string, unknown>): (Segment[] | 'all')[] {
  const raw = (body.lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes;
  if (raw === undefined) return [];
  if (raw === 'all') return ['all'];
  return (raw as string[]).map((p) => (p === 'all' ? 'all' : parsePath(p)));
}

/** `block_device[0].uuid` -> ['block_device', 0, 'uuid']. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`plan-diff: cannot read attribute path ${path}`);
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

function render(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function isPrefix(prefix: readonly Segment[], path: readonly Segment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

function samePath(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}

/** Every leaf of a value with its path; an empty object or list is a leaf of its own. */
function leaves(value: unknown, path: Segment[] = []): [Segment[], unknown][] {
  if (Array.isArray(value)) {
    return value.length === 0 ? [[path, value]] : value.flatMap((v, i) => leaves(v, [...path, i]));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [[path, value]] : entries.flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [[path, value]];
}

/** Paths of the leaves that differ; a list or block element present on one side only contributes all its leaves. */
function leafDiff(a: unknown, b: unknown, path: Segment[] = []): Segment[][] {
  if (a === undefined) return leaves(b, path).map(([p]) => p);
  if (b === undefined) return leaves(a, path).map(([p]) => p);
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Segment[][] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...leafDiff(a[i], b[i], [...path, i]));
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const out: Segment[][] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) out.push(...leafDiff(a[k], b[k], [...path, k]));
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
