/**
 * Day-2 changes to a managed Kubernetes region (issue 10), planned the way the engine plans them (plan-diff.ts,
 * ForceNew facts from the pinned provider source): growing a node pool or adding one touches that pool alone,
 * never the cluster or another pool; a version bump or new tags replace nothing. On the ACK example and the
 * Magnum fixture.
 */
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import type { KubernetesClusterSpec, NodePoolSpec, RegionSpec } from '../../lib/spec/region-spec.js';
import { K8S_EXAMPLE_FILES, MAGNUM_FIXTURE } from '../helpers.js';

import { exampleSpec, synthRegion } from './cases.js';
import { planDiff, type ResourceChange } from './plan-diff.js';

const CLUSTER_TYPES = ['alicloud_cs_managed_kubernetes', 'openstack_containerinfra_cluster_v1'];
const POOL_TYPES = ['alicloud_cs_kubernetes_node_pool', 'openstack_containerinfra_nodegroup_v1'];

function withPools(spec: RegionSpec, edit: (pools: NodePoolSpec[]) => NodePoolSpec[]): RegionSpec {
  const cluster = spec.cluster as KubernetesClusterSpec;
  return {
    ...spec,
    cluster: { ...cluster, managed: { ...cluster.managed!, nodePools: edit(cluster.managed!.nodePools) } },
  };
}

/** Construct-id fragment of a pool's resources: `NodePool<Pascal>` (ACK) or `NodePool<Pascal>Zone<n>` (Magnum). */
const poolId = (name: string) => `_NodePool${name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
const describeChange = (c: ResourceChange) => `${c.action} ${c.address} (${[...c.forcedBy, ...c.paths].join(', ')})`;

/** The managed-cluster regions: the ACK example and the Magnum fixture (the kubeadm example: kubeadm.test.ts). */
const REGIONS = [...K8S_EXAMPLE_FILES.filter((f) => !f.includes('-openstack-k8s')), MAGNUM_FIXTURE].map(
  (f) => [path.basename(f, '.yaml'), f] as const,
);

describe.each(REGIONS)('day 2 on %s', (_name, file) => {
  const load = (async () => {
    const spec = await exampleSpec(file);
    return { spec, before: synthRegion(spec) };
  })();
  const changes = async (change: (spec: RegionSpec) => RegionSpec) => {
    const { spec, before } = await load;
    return planDiff(before, synthRegion(change(spec)));
  };

  test('growing a node pool updates that pool in place (or adds its node groups), nothing else', async () => {
    const grow = (p: NodePoolSpec): NodePoolSpec =>
      p.autoscaling ? { ...p, autoscaling: { min: p.autoscaling.min + 1, max: p.autoscaling.max + 3 } } : p;
    const growFixed = (p: NodePoolSpec): NodePoolSpec => (p.count === undefined ? p : { ...p, count: p.count + 1 });
    for (const [i, edit] of [grow, growFixed].entries()) {
      const { spec } = await load;
      const pools = (spec.cluster as KubernetesClusterSpec).managed!.nodePools;
      const target = pools.find((p) => (i === 0 ? p.autoscaling : p.count !== undefined))!;
      const planned = await changes((s) => withPools(s, (ps) => ps.map((p) => (p === target ? edit(p) : p))));
      expect(planned.length).toBeGreaterThan(0);
      const outside = planned.filter(
        (c) => !(POOL_TYPES.includes(c.type) && c.address.includes(poolId(target.name)) && c.action !== 'replace'),
      );
      expect(outside.map(describeChange)).toEqual([]);
      expect(planned.filter((c) => c.action === 'destroy' || c.action === 'replace')).toEqual([]);
    }
  });

  test('adding a node pool creates only its resources', async () => {
    const planned = await changes((s) =>
      withPools(s, (ps) => [...ps, { ...ps[0]!, name: 'batch', labels: {}, taints: [], zones: undefined }]),
    );
    expect(planned.length).toBeGreaterThan(0);
    expect(
      planned
        .filter((c) => !(c.action === 'create' && POOL_TYPES.includes(c.type) && c.address.includes(poolId('batch'))))
        .map(describeChange),
    ).toEqual([]);
  });

  test('a node pool taking a new instance type leaves the cluster and the other pools alone', async () => {
    const planned = await changes((s) =>
      withPools(s, (ps) => ps.map((p, i) => (i === 0 ? { ...p, instanceType: `${p.instanceType}-new` } : p))),
    );
    const { spec } = await load;
    const first = (spec.cluster as KubernetesClusterSpec).managed!.nodePools[0]!.name;
    expect(planned.filter((c) => !c.address.includes(poolId(first))).map(describeChange)).toEqual([]);
    expect(planned.filter((c) => CLUSTER_TYPES.includes(c.type))).toEqual([]);
  });

  test('a Kubernetes version bump and new tags replace nothing', async () => {
    const planned = await changes((s) => ({
      ...s,
      cluster: { ...(s.cluster as KubernetesClusterSpec), version: '1.37' },
      tags: { ...s.tags, environment: 'staging' },
    }));
    expect(planned.filter((c) => c.action !== 'update').map(describeChange)).toEqual([]);
  });
});
