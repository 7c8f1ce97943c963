/**
 * `cluster: { kind: kubernetes }` and `tenants` in region files: defaults, field errors and cross-field errors
 * in the project's form (`field.path: must ..., got <value>`), the draft Kubernetes examples, and the named
 * refusal to synthesize a Kubernetes region before its constructs exist.
 */
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { SpecValidationError } from '../../../lib/errors.js';
import { PACKAGE_ROOT } from '../../../lib/providers/paths.js';
import { loadRegionFiles, regionFilesIn, resolveRegionSpec } from '../../../lib/spec/load.js';
import { adminApiSources, type RegionSpecInput } from '../../../lib/spec/region-spec.js';
import { KUBERNETES_MINOR } from '../../../lib/versions.js';
import { RegionStack } from '../../../stacks/region-stack.js';
import { EXAMPLE_FILES, EXAMPLE_KEY, K8S_EXAMPLE_FILES, minimalSpec } from '../../helpers.js';

const K8S_FILES = K8S_EXAMPLE_FILES;

/** The problem lines of a spec that must fail. */
function problems(input: unknown): string[] {
  try {
    resolveRegionSpec(input);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecValidationError);
    return (err as SpecValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('spec was accepted');
}

const pool = { name: 'apps', instanceType: 'ecs.g7.xlarge', count: 3 };
/** An ACK managed region (network 10.0.0.0/16, zones zone-a..c), with `cluster` and the spec overridden. */
const managed = (cluster: Record<string, unknown> = {}, more: Record<string, unknown> = {}): RegionSpecInput =>
  ({
    ...minimalSpec('alicloud'),
    cluster: { kind: 'kubernetes', mode: 'managed', managed: { nodePools: [pool] }, ...cluster },
    ...more,
  }) as RegionSpecInput;
/** A kubeadm region on OpenStack: control x3 and worker x2 over three zones. */
const kubeadm = (cluster: Record<string, unknown> = {}, more: Record<string, unknown> = {}): RegionSpecInput =>
  ({
    ...minimalSpec('openstack'),
    admin: { sshKeys: [EXAMPLE_KEY], sshSources: ['198.51.100.0/24'] },
    hostGroups: [
      { name: 'control', count: 3 },
      { name: 'worker', count: 2 },
    ],
    cluster: { kind: 'kubernetes', mode: 'kubeadm', kubeadm: {}, ...cluster },
    ...more,
  }) as RegionSpecInput;
const tenant = { name: 'payments', group: 'team-payments', quota: { cpu: '8', memory: '32Gi', pods: 100 } };

describe('kubernetes cluster defaults', () => {
  test('a managed cluster: pinned minor, deletion protection, control-plane logging, node pool defaults', () => {
    const spec = resolveRegionSpec(managed());
    expect(spec.cluster).toEqual({
      kind: 'kubernetes',
      mode: 'managed',
      version: KUBERNETES_MINOR,
      managed: {
        nodePools: [{ ...pool, systemDiskSizeGiB: 120, labels: {}, taints: [], autoRepair: true }],
        deletionProtection: true,
        controlPlaneLogging: { enabled: true, retentionDays: 30 },
      },
    });
    expect(spec.tenants).toEqual([]);
  });

  test('a kubeadm cluster: control and worker groups by default', () => {
    expect(resolveRegionSpec(kubeadm()).cluster).toEqual({
      kind: 'kubernetes',
      mode: 'kubeadm',
      version: KUBERNETES_MINOR,
      kubeadm: { controlPlaneGroup: 'control', workerGroups: ['worker'] },
    });
  });

  test('the pinned minor is one minor version', () => {
    expect(KUBERNETES_MINOR).toMatch(/^1\.\d{2}$/);
  });

  test('tenants get no hostnames by default', () => {
    expect(resolveRegionSpec(managed({}, { tenants: [tenant] })).tenants).toEqual([{ ...tenant, hostnames: [] }]);
  });
});

describe('kubernetes field errors name the field, the value and what is allowed', () => {
  test.each<[string, unknown, string]>([
    ['kind', managed({ kind: 'nomad' }), 'cluster.kind: must have kind mesos or kubernetes, got "nomad"'],
    ['mode', managed({ mode: 'eks' }), 'cluster.mode: must be one of managed, kubeadm, got "eks"'],
    [
      'version',
      managed({ version: '1.36.3' }),
      'cluster.version: must be a Kubernetes minor version such as 1.36, got "1.36.3"',
    ],
    [
      'podCidr syntax',
      managed({ podCidr: '10.244.0.1/16' }),
      'cluster.podCidr: must be a network-aligned IPv4 CIDR such as 10.244.0.0/16, got "10.244.0.1/16"',
    ],
    [
      'podCidr too narrow for a node',
      managed({ podCidr: '10.244.0.0/25' }),
      'cluster.podCidr: must be a pod CIDR with a prefix between /8 and /24, got "10.244.0.0/25"',
    ],
    [
      'serviceCidr too wide for kube-apiserver',
      managed({ serviceCidr: '10.0.0.0/11' }),
      'cluster.serviceCidr: must be a service CIDR with a prefix between /12 and /24, got "10.0.0.0/11"',
    ],
    [
      'taint effect',
      managed({
        managed: { nodePools: [{ ...pool, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoRun' }] }] },
      }),
      'cluster.managed.nodePools[0].taints[0].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute, got "NoRun"',
    ],
    [
      'label key',
      managed({ managed: { nodePools: [{ ...pool, labels: { 'bad key': 'x' } }] } }),
      'cluster.managed.nodePools[0].labels.bad key: must be a label key: [prefix/]name, name up to 63 letters, digits, -, _ and ., got "bad key"',
    ],
    [
      'label value',
      managed({ managed: { nodePools: [{ ...pool, labels: { pool: '-apps' } }] } }),
      'cluster.managed.nodePools[0].labels.pool: must be a label value: up to 63 letters, digits, -, _ and ., alphanumeric at the ends, got "-apps"',
    ],
    [
      'autoscaling bound',
      managed({ managed: { nodePools: [{ name: 'apps', instanceType: 't', autoscaling: { min: -1, max: 3 } }] } }),
      'cluster.managed.nodePools[0].autoscaling.min: must be an integer between 0 and 500, got -1',
    ],
    [
      'unknown node pool field',
      managed({ managed: { nodePools: [{ ...pool, instanceTypes: ['x'] }] } }),
      'cluster.managed.nodePools[0].instanceTypes: is not a known field (did you mean "instanceType"?); allowed: name, instanceType, count, autoscaling, systemDiskSizeGiB, systemDiskType, labels, taints, zones, autoRepair',
    ],
    [
      'unknown cluster field: the allowed fields are those of its kind',
      managed({ versoin: '1.36' }),
      'cluster.versoin: is not a known field (did you mean "version"?); allowed: kind, mode, version, podCidr, serviceCidr, managed, kubeadm',
    ],
    [
      'unknown Mesos cluster field lists the Mesos fields only',
      { ...minimalSpec('alicloud'), cluster: { kind: 'mesos', foo: 1 } },
      'cluster.foo: is not a known field; allowed: kind, controlGroup, workerGroup, edgeGroup, domain, chronos, rexray',
    ],
    [
      'tenant name',
      managed({}, { tenants: [{ ...tenant, name: 'Payments' }] }),
      `tenants[0].name: must be a namespace name: 1-63 lower-case letters, digits and '-', alphanumeric at the ends, got "Payments"`,
    ],
    [
      'tenant group',
      managed({}, { tenants: [{ ...tenant, group: 'system:masters' }] }),
      'tenants[0].group: must be a group name of 1-256 characters, no leading or trailing spaces, not starting with system:, got "system:masters"',
    ],
    [
      'tenant cpu',
      managed({}, { tenants: [{ ...tenant, quota: { ...tenant.quota, cpu: '8 cores' } }] }),
      'tenants[0].quota.cpu: must be a CPU quantity such as 8, 0.5 or 500m, got "8 cores"',
    ],
    [
      'tenant memory',
      managed({}, { tenants: [{ ...tenant, quota: { ...tenant.quota, memory: '32GB' } }] }),
      'tenants[0].quota.memory: must be a memory quantity such as 32Gi or 500M, got "32GB"',
    ],
    [
      'tenant hostname',
      managed({}, { tenants: [{ ...tenant, hostnames: ['10.0.0.1'] }] }),
      'tenants[0].hostnames[0]: must be a DNS name such as app.example.com or *.example.com, got "10.0.0.1"',
    ],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toEqual([expected]);
  });
});

describe('kubernetes cross-field errors', () => {
  test.each<[string, unknown, string[]]>([
    [
      'managed without its block',
      managed({ managed: undefined }),
      ['cluster.managed: is required when mode is managed'],
    ],
    [
      'kubeadm block in managed mode',
      managed({ kubeadm: {} }),
      ['cluster.kubeadm: must be absent when mode is managed'],
    ],
    [
      'kubeadm without its block',
      kubeadm({ kubeadm: undefined }),
      ['cluster.kubeadm: is required when mode is kubeadm'],
    ],
    [
      'unknown groups',
      kubeadm({ kubeadm: { controlPlaneGroup: 'masters', workerGroups: ['worker', 'nodes'] } }),
      [
        'cluster.kubeadm.controlPlaneGroup: must name a host group (control, worker), got "masters"',
        'cluster.kubeadm.workerGroups[1]: must name a host group (control, worker), got "nodes"',
      ],
    ],
    [
      'control plane also a worker group',
      kubeadm({ kubeadm: { workerGroups: ['worker', 'control'] } }),
      ['cluster.kubeadm.workerGroups[1]: must differ from the other cluster groups, got "control" twice'],
    ],
    [
      'even control plane',
      kubeadm({}, { hostGroups: [{ name: 'control', count: 4 }, { name: 'worker' }] }),
      [
        'hostGroups[0].count: must be odd and between 3 and 7 for the Kubernetes control-plane group (etcd quorum), got 4',
      ],
    ],
    [
      'single control-plane host',
      kubeadm({}, { hostGroups: [{ name: 'control', count: 1 }, { name: 'worker' }] }),
      [
        'hostGroups[0].count: must be odd and between 3 and 7 for the Kubernetes control-plane group (etcd quorum), got 1',
      ],
    ],
    [
      'control plane in two zones',
      kubeadm({}, { hostGroups: [{ name: 'control', count: 3, zoneSpread: 2 }, { name: 'worker' }] }),
      [
        'hostGroups[0].zoneSpread: must spread the Kubernetes control-plane group so that losing one zone keeps etcd ' +
          'quorum: 3 hosts over 2 zones put 2 in one zone, leaving 1 of the 2 needed, got 2; spread it over at least ' +
          '3 zones (zones and zoneSpread)',
      ],
    ],
    [
      'control plane in a one-zone region',
      kubeadm({}, { zones: ['zone-a'] }),
      [
        'hostGroups[0].zoneSpread: must spread the Kubernetes control-plane group so that losing one zone keeps etcd ' +
          'quorum: 3 hosts over 1 zone put 3 in one zone, leaving 0 of the 2 needed, got 1; spread it over at least ' +
          '3 zones (zones and zoneSpread)',
      ],
    ],
    [
      'node pool without a size',
      managed({ managed: { nodePools: [{ name: 'apps', instanceType: 't' }] } }),
      ['cluster.managed.nodePools[0]: must set count (a fixed size) or autoscaling (min and max), got neither'],
    ],
    [
      'node pool with both sizes',
      managed({ managed: { nodePools: [{ ...pool, autoscaling: { min: 1, max: 3 } }] } }),
      ['cluster.managed.nodePools[0]: must set count or autoscaling, not both'],
    ],
    [
      'autoscaling max below min',
      managed({ managed: { nodePools: [{ name: 'apps', instanceType: 't', autoscaling: { min: 5, max: 3 } }] } }),
      ['cluster.managed.nodePools[0].autoscaling.max: must be at least autoscaling.min (5), got 3'],
    ],
    [
      'duplicate node pools',
      managed({ managed: { nodePools: [pool, pool] } }),
      ['cluster.managed.nodePools[1].name: must be unique, got "apps" twice'],
    ],
    [
      'node pool zones beyond the region',
      managed({ managed: { nodePools: [{ ...pool, zones: ['zone-a', 'zone-x'] }] } }),
      [
        'cluster.managed.nodePools[0].zones[1]: must be one of the region\'s zones (zone-a, zone-b, zone-c), got "zone-x"',
      ],
    ],
    [
      'node pool zone names in a counted region',
      managed({ managed: { nodePools: [{ ...pool, zones: ['zone-a'] }] } }, { zones: 3 }),
      [
        'cluster.managed.nodePools[0].zones: must be a zone count when the region\'s zones is a count (3), got ["zone-a"]; or list the zone names in zones',
      ],
    ],
    [
      'node pool zone count beyond the region',
      managed({ managed: { nodePools: [{ ...pool, zones: 4 }] } }),
      ["cluster.managed.nodePools[0].zones: must be at most the region's 3 zones, got 4"],
    ],
    [
      'more nodes than the pod range has /24s',
      managed({
        podCidr: '10.244.0.0/22',
        managed: { nodePools: [{ ...pool, autoscaling: { min: 1, max: 5 }, count: undefined }] },
      }),
      [
        "cluster.podCidr: must give each of the cluster's up to 5 nodes a /24: pod range 10.244.0.0/22 holds 4; use a wider podCidr",
      ],
    ],
    [
      'tenants without Kubernetes',
      { ...minimalSpec('alicloud'), tenants: [tenant] },
      ['tenants: must be empty unless cluster.kind is kubernetes (tenants are namespaces), got 1 tenant'],
    ],
    [
      'reserved namespace',
      managed({}, { tenants: [{ ...tenant, name: 'kube-system' }] }),
      ['tenants[0].name: must not be default or start with kube- (namespaces Kubernetes reserves), got "kube-system"'],
    ],
    [
      'duplicate tenants and a hostname served twice',
      managed(
        {},
        {
          tenants: [
            { ...tenant, hostnames: ['shop.example.com'] },
            { ...tenant, hostnames: ['shop.example.com'] },
          ],
        },
      ),
      [
        'tenants[1].name: must be unique, got "payments" twice',
        'tenants[1].hostnames[0]: must not be served by two tenants: tenants[0] (payments) has it too, got "shop.example.com"',
      ],
    ],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });
});

describe('pod and service ranges in the region file', () => {
  test('absent ranges are planned, not written into the spec', () => {
    const spec = resolveRegionSpec(managed());
    expect(spec.cluster).not.toHaveProperty('podCidr');
    expect(spec.cluster).not.toHaveProperty('serviceCidr');
  });

  test('a pod range overlapping the network names both ranges, the field and the vSwitch', () => {
    expect(problems(managed({ podCidr: '10.0.16.0/22' }))).toEqual([
      "cluster.podCidr: must not overlap network.cidr 10.0.0.0/16 (zone 1's vSwitch 10.0.16.0/20), got " +
        '"10.0.16.0/22"; pick a private range outside network.cidr',
    ]);
  });

  test('a service range overlapping the network names the subnet on OpenStack', () => {
    expect(problems(kubeadm({ serviceCidr: '10.0.0.0/16' }))).toEqual([
      "cluster.serviceCidr: must not overlap network.cidr 10.0.0.0/16 (zone 0's subnet 10.0.0.0/20), got " +
        '"10.0.0.0/16"; pick a private range outside network.cidr',
    ]);
  });

  test('pod and service ranges overlapping each other name both', () => {
    expect(problems(kubeadm({ podCidr: '172.20.0.0/16', serviceCidr: '172.20.0.0/20' }))).toEqual([
      'cluster.serviceCidr: must not overlap cluster.podCidr 172.20.0.0/16, got "172.20.0.0/20"; pick ranges that do not overlap',
    ]);
  });

  test('every range problem is reported at once, with the other problems of the file', () => {
    expect(
      problems(
        managed(
          { podCidr: '10.0.0.0/16', serviceCidr: '10.0.0.0/20', managed: { nodePools: [pool, pool] } },
          { tenants: [{ ...tenant, name: 'default' }] },
        ),
      ),
    ).toEqual([
      'cluster.managed.nodePools[1].name: must be unique, got "apps" twice',
      'cluster.podCidr: must not overlap network.cidr 10.0.0.0/16 (zone 0\'s vSwitch 10.0.0.0/20), got "10.0.0.0/16"; pick a private range outside network.cidr',
      'cluster.serviceCidr: must not overlap network.cidr 10.0.0.0/16 (zone 0\'s vSwitch 10.0.0.0/20), got "10.0.0.0/20"; pick a private range outside network.cidr',
      'cluster.serviceCidr: must not overlap cluster.podCidr 10.0.0.0/16, got "10.0.0.0/20"; pick ranges that do not overlap',
      'tenants[0].name: must not be default or start with kube- (namespaces Kubernetes reserves), got "default"',
    ]);
  });
});

describe('Kubernetes examples', () => {
  test('parse and validate against the spec', async () => {
    const loaded = await loadRegionFiles(K8S_FILES);
    expect(
      loaded.map((l) => [
        l.spec.name,
        l.spec.cluster?.kind,
        l.spec.cluster?.kind === 'kubernetes' && l.spec.cluster.mode,
      ]),
    ).toEqual([
      ['example-alicloud-k8s', 'kubernetes', 'managed'],
      ['example-openstack-k8s', 'kubernetes', 'kubeadm'],
    ]);
  });

  test('regions/ holds the four examples: Mesos and Kubernetes on both clouds', async () => {
    expect(await regionFilesIn(path.join(PACKAGE_ROOT, 'regions'))).toEqual(
      [...EXAMPLE_FILES, ...K8S_EXAMPLE_FILES].sort(),
    );
  });

  test.each(K8S_FILES.map((f) => [path.basename(f), f]))(
    '%s synthesizes its cluster (managed or kubeadm) in RegionStack',
    async (_name, file) => {
      const [{ spec }] = await loadRegionFiles([file]);
      const stack = new RegionStack(Testing.app(), `${spec!.name}-infra`, { spec: spec! });
      const mode = spec!.cluster?.kind === 'kubernetes' ? spec!.cluster.mode : undefined;
      expect(stack.kubernetes?.mode).toBe(mode);
      expect(stack.kubernetes?.kubeadm === undefined).toBe(mode === 'managed');
    },
  );
});

describe('admin.apiSources (who reaches a kubeadm cluster’s API server from outside the network)', () => {
  const admin = (more: Record<string, unknown>) => ({ admin: { sshKeys: [EXAMPLE_KEY], ...more } });

  test('defaults to admin.sshSources, and is kept when given', () => {
    expect(adminApiSources(resolveRegionSpec(kubeadm()))).toEqual(['198.51.100.0/24']);
    const own = resolveRegionSpec(
      kubeadm({}, admin({ sshSources: ['198.51.100.0/24'], apiSources: ['203.0.113.0/28'] })),
    );
    expect(adminApiSources(own)).toEqual(['203.0.113.0/28']);
    expect(own.admin.sshSources).toEqual(['198.51.100.0/24']);
  });

  test('a kubeadm cluster needs at least one, from either field', () => {
    expect(problems(kubeadm({}, admin({})))).toEqual([
      "admin.apiSources: must list at least one CIDR for a kubeadm cluster (the platform stack is applied through the API server's public address; the default is admin.sshSources), got []",
    ]);
    expect(() => resolveRegionSpec(kubeadm({}, admin({ apiSources: ['203.0.113.0/28'] })))).not.toThrow();
    expect(problems(kubeadm({}, admin({ sshSources: ['198.51.100.0/24'], apiSources: [] })))).toHaveLength(1);
  });

  test('never the whole internet, always network-aligned', () => {
    expect(problems(kubeadm({}, admin({ apiSources: ['0.0.0.0/0', '203.0.113.1/28'] })))).toEqual([
      'admin.apiSources[0]: must not be 0.0.0.0/0: the Kubernetes API server is never open to the whole internet, got "0.0.0.0/0"',
      'admin.apiSources[1]: must be a network-aligned IPv4 CIDR such as 198.51.100.0/24, got "203.0.113.1/28"',
    ]);
  });
});
