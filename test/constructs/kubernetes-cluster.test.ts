/**
 * `KubernetesCluster` (mode managed) on both clouds: what the adapters make from a cluster spec, the planned
 * ranges, the zones each pool spans, the refusals; and the managed regions as whole stacks: snapshots, the schema
 * conformance check, and the infra outputs the platform stack reads.
 */
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { KubernetesCluster } from '../../constructs/cluster/kubernetes-cluster.js';
import { SpecError } from '../../lib/errors.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import type { KubernetesClusterSpec, NodePoolSpec } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';
import {
  CLOUDS,
  conformanceProblems,
  K8S_EXAMPLE_FILES,
  MAGNUM_FIXTURE,
  resourcesOf,
  synthJson,
  testNetwork,
  testStack,
} from '../helpers.js';

const pool = (extra: Partial<NodePoolSpec> = {}): NodePoolSpec => ({
  name: 'system',
  instanceType: 'type-a',
  count: 3,
  systemDiskSizeGiB: 120,
  labels: {},
  taints: [],
  autoRepair: true,
  ...extra,
});
const managed = (pools: NodePoolSpec[], extra: Partial<KubernetesClusterSpec> = {}): KubernetesClusterSpec => ({
  kind: 'kubernetes',
  mode: 'managed',
  version: '1.36',
  managed: {
    nodePools: pools,
    deletionProtection: true,
    controlPlaneLogging: { enabled: true, retentionDays: 30 },
  },
  ...extra,
});

const POOL_TYPE = { alicloud: 'alicloud_cs_kubernetes_node_pool', openstack: 'openstack_containerinfra_nodegroup_v1' };

describe.each(CLOUDS)('KubernetesCluster (managed) on %s', (cloud) => {
  test('plans the pod and service ranges outside the network, as lib/net does', () => {
    const t = testStack(cloud);
    const k8s = new KubernetesCluster(t.stack, 'Cluster', { network: testNetwork(t), spec: managed([pool()]) });
    expect(k8s.ranges).toEqual({ podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16' });
    const json = JSON.stringify(synthJson(t.stack));
    expect(json).toContain('10.244.0.0/16');
    expect(json).toContain('10.96.0.0/16');
  });

  test('fails if the pod range overlaps the network, naming both ranges', () => {
    const t = testStack(cloud);
    expect(
      () =>
        new KubernetesCluster(t.stack, 'Cluster', {
          network: testNetwork(t),
          spec: managed([pool()], { podCidr: '10.0.0.0/16' }),
        }),
    ).toThrow(/test\/Cluster: podCidr 10\.0\.0\.0\/16 overlaps networkCidr 10\.0\.0\.0\/16/);
  });

  test('fails if the service range overlaps the pod range, naming both ranges', () => {
    const t = testStack(cloud);
    expect(
      () =>
        new KubernetesCluster(t.stack, 'Cluster', {
          network: testNetwork(t),
          spec: managed([pool()], { podCidr: '172.20.0.0/16', serviceCidr: '172.20.128.0/20' }),
        }),
    ).toThrow(/serviceCidr 172\.20\.128\.0\/20 overlaps podCidr 172\.20\.0\.0\/16/);
  });

  test('mode kubeadm names the group it cannot find among hostGroups', () => {
    const t = testStack(cloud);
    const spec: KubernetesClusterSpec = {
      kind: 'kubernetes',
      mode: 'kubeadm',
      version: '1.36',
      kubeadm: { controlPlaneGroup: 'control', workerGroups: ['worker'] },
    };
    expect(() => new KubernetesCluster(t.stack, 'Cluster', { network: testNetwork(t), spec })).toThrow(
      /Cluster: cluster\.kubeadm\.controlPlaneGroup must name a host group \(none given\), got "control"/,
    );
  });

  test('a pool naming zones spans those zones only', () => {
    const t = testStack(cloud);
    const k8s = new KubernetesCluster(t.stack, 'Cluster', {
      network: testNetwork(t),
      spec: managed([pool({ zones: ['zone-c', 'zone-a'], count: 4 })]),
      zoneNames: ['zone-a', 'zone-b', 'zone-c'],
    });
    const pools = resourcesOf(t.stack, POOL_TYPE[cloud]);
    if (cloud === 'alicloud') {
      expect(pools).toHaveLength(1);
      const ids = pools[0]!.vswitch_ids as string[];
      expect(ids.map((id) => /Vswitch(\d)_/.exec(id)?.[1])).toEqual(['1', '3']);
      expect(pools[0]!.desired_size).toBe('4');
    } else {
      // zone order, the first zone one node more: 2 + 2
      expect(pools.map((p) => [p.name, (p.labels as Record<string, string>).availability_zone, p.node_count])).toEqual([
        ['system-zone-1', 'zone-a', 2],
        ['system-zone-3', 'zone-c', 2],
      ]);
    }
    expect(k8s.nodePools.get('system')).toHaveLength(cloud === 'alicloud' ? 1 : 2);
  });

  test('fails if a pool names a zone the region does not list', () => {
    const t = testStack(cloud);
    expect(
      () =>
        new KubernetesCluster(t.stack, 'Cluster', {
          network: testNetwork(t),
          spec: managed([pool({ zones: ['zone-x'] })]),
          zoneNames: ['zone-a', 'zone-b', 'zone-c'],
        }),
    ).toThrow(/node pool system zones must name the region's zones \(zone-a, zone-b, zone-c\), got "zone-x"/);
  });

  test('synthesizes only attributes the provider schema knows', async () => {
    const t = testStack(cloud);
    new KubernetesCluster(t.stack, 'Cluster', {
      network: testNetwork(t),
      spec: managed([
        pool({ labels: { 'example.com/pool': 'system' }, taints: [{ key: 'dedicated', effect: 'NoSchedule' }] }),
        pool({ name: 'apps', count: undefined, autoscaling: { min: 1, max: 7 }, systemDiskType: 'fast' }),
      ]),
    });
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });
});

describe('KubernetesCluster (managed) on alicloud', () => {
  test('an ACK Pro cluster on the zone vSwitches, Flannel on the planned pod range, protected and logging', () => {
    const t = testStack('alicloud');
    new KubernetesCluster(t.stack, 'Cluster', { network: testNetwork(t), spec: managed([pool()]) });
    const [cluster] = resourcesOf(t.stack, 'alicloud_cs_managed_kubernetes');
    expect(cluster).toMatchObject({
      cluster_spec: 'ack.pro.small',
      pod_cidr: '10.244.0.0/16',
      service_cidr: '10.96.0.0/16',
      node_cidr_mask: 24,
      new_nat_gateway: false,
      deletion_protection: '${var.deletion_protection}',
      control_plane_log_components: ['apiserver', 'kcm', 'scheduler'],
      control_plane_log_ttl: '30',
      addons: [{ name: 'flannel' }, { name: 'csi-plugin' }, { name: 'csi-provisioner' }],
      skip_set_certificate_authority: true,
    });
    expect(cluster!.vswitch_ids).toHaveLength(3);
  });

  test('control-plane logging off sends no log components; deletion protection follows the spec', () => {
    const t = testStack('alicloud');
    const spec = managed([pool()]);
    new KubernetesCluster(t.stack, 'Cluster', {
      network: testNetwork(t),
      spec: {
        ...spec,
        managed: {
          ...spec.managed!,
          deletionProtection: false,
          controlPlaneLogging: { enabled: false, retentionDays: 30 },
        },
      },
    });
    const [cluster] = resourcesOf(t.stack, 'alicloud_cs_managed_kubernetes');
    expect(cluster!.deletion_protection).toBe(false);
    expect(cluster).not.toHaveProperty('control_plane_log_components');
    expect(cluster).not.toHaveProperty('control_plane_log_ttl');
  });

  test('a pool: fixed size or autoscaling bounds, labels, taints, disks, managed auto-repair', () => {
    const t = testStack('alicloud');
    new KubernetesCluster(t.stack, 'Cluster', {
      network: testNetwork(t),
      spec: managed([
        pool({ labels: { a: 'b' }, taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }], autoRepair: false }),
        pool({ name: 'apps', count: undefined, autoscaling: { min: 2, max: 9 }, systemDiskType: 'cloud_auto' }),
      ]),
    });
    const [system, apps] = resourcesOf(t.stack, 'alicloud_cs_kubernetes_node_pool').sort((a, b) =>
      String(b.node_pool_name).localeCompare(String(a.node_pool_name)),
    );
    expect(system).toMatchObject({
      node_pool_name: 'test-system',
      desired_size: '3',
      instance_types: ['type-a'],
      system_disk_category: 'cloud_essd',
      system_disk_size: 120,
      labels: [{ key: 'a', value: 'b' }],
      taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }],
      management: { enable: true, auto_repair: false, auto_upgrade: false, auto_vul_fix: false },
      multi_az_policy: 'BALANCE',
    });
    expect(system).not.toHaveProperty('scaling_config');
    expect(apps).toMatchObject({ scaling_config: { enable: true, min_size: 2, max_size: 9 } });
    expect(apps).toMatchObject({ system_disk_category: 'cloud_auto' });
    expect(apps).not.toHaveProperty('desired_size');
  });
});

describe('KubernetesCluster (managed) on openstack', () => {
  test('a Magnum template with the planned ranges, three masters, no default workers', () => {
    const t = testStack('openstack');
    new KubernetesCluster(t.stack, 'Cluster', { network: testNetwork(t), spec: managed([pool()]) });
    const [template] = resourcesOf(t.stack, 'openstack_containerinfra_clustertemplate_v1');
    expect(template).toMatchObject({
      coe: 'kubernetes',
      network_driver: 'calico',
      master_lb_enabled: true,
      floating_ip_enabled: false,
      labels: { calico_ipv4pool: '10.244.0.0/16', service_cluster_ip_range: '10.96.0.0/16' },
    });
    expect(resourcesOf(t.stack, 'openstack_containerinfra_cluster_v1')).toMatchObject([
      { master_count: 3, node_count: 0 },
    ]);
  });

  test('labels and taints reach the kubelet; a fixed pool is pinned for the autoscaler', () => {
    const t = testStack('openstack');
    new KubernetesCluster(t.stack, 'Cluster', {
      network: testNetwork(t),
      spec: managed([pool({ labels: { a: 'b', c: 'd' }, taints: [{ key: 'k', effect: 'NoSchedule' }], count: 3 })]),
    });
    const groups = resourcesOf(t.stack, 'openstack_containerinfra_nodegroup_v1');
    expect(groups).toHaveLength(3);
    expect(groups[0]).toMatchObject({
      node_count: 1,
      min_node_count: 1,
      max_node_count: 1,
      merge_labels: true,
      labels: { kubelet_options: '--node-labels=a=b,c=d --register-with-taints=k:NoSchedule', boot_volume_size: '120' },
    });
  });

  test('fails if a pool turns auto-repair off (Magnum heals the whole cluster or none)', () => {
    const t = testStack('openstack');
    expect(
      () =>
        new KubernetesCluster(t.stack, 'Cluster', {
          network: testNetwork(t),
          spec: managed([pool(), pool({ name: 'apps', autoRepair: false })]),
        }),
    ).toThrow(SpecError);
  });
});

async function regionStack(file: string): Promise<RegionStack> {
  const { spec } = await loadRegionFile(file);
  return new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
}

describe.each([...K8S_EXAMPLE_FILES, MAGNUM_FIXTURE].map((f) => [path.basename(f), f]))('%s', (_name, file) => {
  test('synthesizes to the reviewed plan', async () => {
    expect(Testing.synth(await regionStack(file))).toMatchSnapshot();
  });

  test('every attribute is one the provider schema knows', async () => {
    expect(await conformanceProblems(await regionStack(file))).toEqual([]);
  });

  test('the infra outputs carry the API server endpoint and admin credentials, secrets sensitive', async () => {
    const stack = await regionStack(file);
    const outputs = synthJson(stack).output as unknown as Record<string, { value: string; sensitive?: boolean }>;
    const k8s = Object.fromEntries(Object.entries(outputs).filter(([name]) => name.startsWith('kubernetes_')));
    expect(Object.keys(k8s).sort()).toEqual([
      'kubernetes_client_certificate',
      'kubernetes_client_key',
      'kubernetes_cluster_ca_certificate',
      'kubernetes_endpoint',
      'kubernetes_kubeconfig',
    ]);
    for (const [name, output] of Object.entries(k8s)) {
      expect(output.value, name).toMatch(/\$\{/); // built from references, never a literal
      expect(output.sensitive ?? false, name).toBe(name !== 'kubernetes_endpoint');
    }
    expect(stack.kubernetes?.access.endpoint).toBeDefined();
  });
});

test('example-alicloud-k8s has exactly the outputs docs/outputs.md lists', async () => {
  const stack = await regionStack(K8S_EXAMPLE_FILES[0]!);
  expect(Object.keys(synthJson(stack).output!).sort()).toEqual(
    [
      'network_id',
      'subnet_ids',
      'zone_names',
      'bastion_addresses',
      ...['private_ips', 'instance_ids', 'security_group_id', 'virtual_ips'].map((o) => `host_group_bastion_${o}`),
      ...['endpoint', 'cluster_ca_certificate', 'client_certificate', 'client_key', 'kubeconfig'].map(
        (o) => `kubernetes_${o}`,
      ),
    ].sort(),
  );
});
