/**
 * Day 2 on the kubeadm example (regions/example-openstack-k8s.yaml): growing, shrinking or adding a worker group
 * touches only that group's hosts. No control-plane host and no other worker is replaced or restarted, or gets
 * different user data, and the cluster's PKI, bootstrap token and API load balancer stay as they are.
 */
import { describe, expect, test } from 'vitest';

import type { KubernetesClusterSpec, RegionSpec } from '../../lib/spec/region-spec.js';
import { K8S_EXAMPLE_FILES } from '../helpers.js';

import { exampleSpec, synthRegion } from './cases.js';
import { planDiff, type ResourceChange, type TerraformJson } from './plan-diff.js';

const FILE = K8S_EXAMPLE_FILES.find((f) => f.includes('-openstack-k8s'))!;
const INSTANCE = 'openstack_compute_instance_v2';
const describeChange = (c: ResourceChange) =>
  `${c.action} ${c.address}${c.forcedBy.length ? ` (${c.forcedBy.join(', ')})` : ''}${c.restartedBy.length ? ' [restart]' : ''}`;

function withWorkers(spec: RegionSpec, count: number): RegionSpec {
  return { ...spec, hostGroups: spec.hostGroups.map((g) => (g.name === 'worker' ? { ...g, count } : g)) };
}

function withBatchGroup(spec: RegionSpec): RegionSpec {
  const worker = spec.hostGroups.find((g) => g.name === 'worker')!;
  const cluster = spec.cluster as KubernetesClusterSpec;
  return {
    ...spec,
    hostGroups: [...spec.hostGroups, { ...worker, name: 'batch', count: 2 }],
    cluster: {
      ...cluster,
      kubeadm: { ...cluster.kubeadm!, workerGroups: [...cluster.kubeadm!.workerGroups, 'batch'] },
    },
  };
}

function userData(json: TerraformJson): Map<string, unknown> {
  return new Map(Object.entries(json.resource?.[INSTANCE] ?? {}).map(([name, body]) => [name, body.user_data]));
}

const CASES: readonly (readonly [string, (spec: RegionSpec) => RegionSpec, RegExp])[] = [
  ['the worker group grows by one', (s) => withWorkers(s, 4), /HostGroups_Worker_Host4_/],
  ['the worker group shrinks by one', (s) => withWorkers(s, 2), /HostGroups_Worker_Host3_/],
  // the other groups admit the new one on the kubelet port and Flannel's VXLAN port: new rules, nothing replaced
  [
    'a worker group is added',
    withBatchGroup,
    /HostGroups_Batch_|_Ingress_(tcp-10250|udp-8472)-from-example-openstack-k8s-batch_/,
  ],
];

describe.each(CASES)('day 2 on example-openstack-k8s: %s', (_name, change, about) => {
  const load = (async () => {
    const spec = await exampleSpec(FILE);
    return { before: synthRegion(spec), after: synthRegion(change(spec)) };
  })();

  test('every created or destroyed resource is the changed group’s; nothing else is replaced or updated', async () => {
    const { before, after } = await load;
    const outside = planDiff(before, after)
      .filter((c) => !(about.test(c.address) && (c.action === 'create' || c.action === 'destroy')))
      .map(describeChange);
    expect(outside).toEqual([]);
  });

  test('no other host’s user data changes', async () => {
    const { before, after } = await load;
    const old = userData(before);
    const changed = [...userData(after)]
      .filter(([name, data]) => old.has(name) && old.get(name) !== data)
      .map(([name]) => name);
    expect(changed).toEqual([]);
  });
});
