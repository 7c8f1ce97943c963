/**
 * The day-2 changes an operator makes to a running region, applied to a bundled example region, and the
 * synthesized infra stack before and after each.
 */
import { Testing } from 'cdktf';

import { loadRegionFile } from '../../lib/spec/load.js';
import type { MesosClusterSpec, RegionSpec } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { synthJson } from '../helpers.js';

import type { TerraformJson } from './plan-diff.js';

export interface Day2Case {
  readonly name: string;
  /** The region after the change. */
  readonly change: (spec: RegionSpec) => RegionSpec;
  /**
   * Groups the change is about (a role or a disk added to them): their hosts' user data changes, and only
   * new hosts (or a deliberate `regionkit roll`) pick it up. @default - none
   */
  readonly about?: (spec: RegionSpec) => readonly string[];
}

const mesos = (spec: RegionSpec) => spec.cluster as MesosClusterSpec;
const worker = (spec: RegionSpec) => mesos(spec).workerGroup;
const edge = (spec: RegionSpec) => mesos(spec).edgeGroup!;

function withGroup(spec: RegionSpec, name: string, edit: (g: RegionSpec['hostGroups'][number]) => object): RegionSpec {
  return { ...spec, hostGroups: spec.hostGroups.map((g) => (g.name === name ? { ...g, ...edit(g) } : g)) };
}

export const DAY2_CASES: readonly Day2Case[] = [
  {
    name: 'the worker group grows by one',
    change: (s) => withGroup(s, worker(s), (g) => ({ count: g.count + 1 })),
  },
  {
    name: 'the worker group shrinks by one',
    change: (s) => withGroup(s, worker(s), (g) => ({ count: g.count - 1 })),
  },
  {
    name: 'an internal load balancer is added in front of the workers',
    change: (s) => ({
      ...s,
      loadBalancers: [
        ...s.loadBalancers,
        {
          name: 'internal',
          public: false,
          backends: worker(s),
          listeners: [{ port: 8080, protocol: 'tcp' }],
          healthCheck: s.loadBalancers[0]!.healthCheck,
          idleTimeoutSeconds: s.loadBalancers[0]!.idleTimeoutSeconds,
        },
      ],
    }),
  },
  {
    name: 'a listener is added to the public load balancer',
    change: (s) => ({
      ...s,
      loadBalancers: s.loadBalancers.map((lb, i) =>
        i === 0 ? { ...lb, listeners: [...lb.listeners, { port: 8443, protocol: 'tcp' as const }] } : lb,
      ),
    }),
  },
  {
    name: 'the tags change',
    change: (s) => ({ ...s, tags: { ...s.tags, environment: 'staging', 'cost-center': 'c42' } }),
  },
  {
    name: 'a role is added to the edge group',
    change: (s) => withGroup(s, edge(s), (g) => ({ roles: [...g.roles, 'glusterfs-client'] })),
    about: (s) => [edge(s)],
  },
  {
    name: 'the workers get a data disk and a role that keeps state on it',
    change: (s) =>
      withGroup(s, worker(s), (g) => ({ dataDisks: [...g.dataDisks, { sizeGiB: 50 }], roles: [...g.roles, 'etcd'] })),
    about: (s) => [worker(s)],
  },
  {
    name: 'a new host group is added',
    change: (s) => ({
      ...s,
      hostGroups: [...s.hostGroups, { ...s.hostGroups.find((g) => g.name === worker(s))!, name: 'batch', roles: [] }],
    }),
  },
];

/** The infra stack of a region, synthesized. */
export function synthRegion(spec: RegionSpec): TerraformJson {
  return synthJson(new RegionStack(Testing.app(), `${spec.name}-infra`, { spec })) as TerraformJson;
}

/** A bundled example region, as the loader resolves it. */
export async function exampleSpec(file: string): Promise<RegionSpec> {
  return (await loadRegionFile(file)).spec;
}
