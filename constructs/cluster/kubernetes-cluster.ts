/**
 * A Kubernetes cluster of a region, one typed construct whatever builds it (`cluster: { kind: kubernetes, mode }`):
 * - `managed`: the cloud's managed Kubernetes (ACK on Alibaba Cloud, Magnum on OpenStack) with the region file's
 *   node pools, made by the cloud adapter (`ICloud.managedKubernetes`);
 * - `kubeadm`: kubeadm on the region's host groups (`KubeadmCluster`, constructs/cluster/kubeadm-cluster.ts).
 *
 * Either way it exposes `access` (`KubernetesAccess`), what the `<region>-platform` stack configures its
 * kubernetes and helm providers from, through cross-stack references.
 */
import type { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

import type { ManagedNodePoolSpec } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { planClusterRanges, type ClusterRanges } from '../../lib/net/network-plan.js';
import type { KubernetesClusterSpec, NodePoolSpec } from '../../lib/spec/region-spec.js';
import type { HostGroup } from '../compute/host-group.js';
import type { INetwork } from '../network/network.js';

import { KubeadmCluster } from './kubeadm-cluster.js';
import { adminKubeconfig, type KubernetesAccess } from './kubernetes-access.js';

/** Properties of a {@link KubernetesCluster}. */
export interface KubernetesClusterProps {
  /** The region network the cluster lives in; its cloud adapter makes the managed cluster. */
  readonly network: INetwork;
  /** The region file's `cluster` block, validated and defaulted (`kind: kubernetes`). */
  readonly spec: KubernetesClusterSpec;
  /**
   * The region's zone names when the region file lists them (`zones: [a, b, c]`), so that node pools naming
   * zones can be placed. @default - the region's zones are a count; pools name zones by count only
   */
  readonly zoneNames?: readonly string[];
  /** Tags of every cloud resource. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The region's host groups by name; mode kubeadm builds the cluster on the groups `spec.kubeadm` names.
   * @default - none: mode kubeadm throws
   */
  readonly hostGroups?: ReadonlyMap<string, HostGroup>;
  /**
   * Mode kubeadm: CIDRs outside the region network that reach the API server through its public address (the
   * region's `admin.apiSources`, see `adminApiSources`). @default - none: the API server stays inside the network
   */
  readonly apiSources?: readonly string[];
}

/**
 * A region's Kubernetes cluster. Mode `managed` is built here through the cloud adapter: a managed control plane
 * in the region network, pod and service ranges planned by lib/net (`planClusterRanges`), and one node pool per
 * `managed.nodePools` entry over its zones (all of the region's by default). Mode `kubeadm` builds a
 * {@link KubeadmCluster} on the host groups `spec.kubeadm` names, with the same planned ranges.
 *
 * @throws SpecError when the pod or service range overlaps the network or each other (naming both ranges), a
 *   node pool names a zone the region does not list, or (mode kubeadm) a group `spec.kubeadm` names is not in
 *   `hostGroups`, or KubeadmCluster refuses the groups (control-plane count and zone spread)
 */
export class KubernetesCluster extends Construct {
  /** Managed or kubeadm. */
  public readonly mode: KubernetesClusterSpec['mode'];
  /** Endpoint, CA and admin client credentials of the API server: tokens of this stack. */
  public readonly access: KubernetesAccess;
  /** A full kubeconfig with the admin credentials (YAML); sensitive. */
  public readonly kubeconfig: string;
  /** Pod and service ranges, as planned. */
  public readonly ranges: ClusterRanges;
  /**
   * The managed cluster resource (`alicloud_cs_managed_kubernetes`, `openstack_containerinfra_cluster_v1`).
   * @default - none for mode kubeadm (see {@link kubeadm})
   */
  public readonly cluster?: TerraformResource;
  /** Node-pool resources by pool name: one per pool on ACK, one per pool and zone on Magnum; empty for kubeadm. */
  public readonly nodePools: ReadonlyMap<string, readonly TerraformResource[]>;
  /** The kubeadm cluster on the region's host groups (mode kubeadm). */
  public readonly kubeadm?: KubeadmCluster;

  constructor(scope: Construct, id: string, props: KubernetesClusterProps) {
    super(scope, id);
    const { spec, network } = props;
    this.mode = spec.mode;
    const { ranges, problems } = planClusterRanges({
      networkCidr: network.cidr,
      zones: network.zoneCount,
      podCidr: spec.podCidr,
      serviceCidr: spec.serviceCidr,
    });
    if (!ranges) {
      throw new SpecError(
        problems
          .map((p) =>
            p.kind === 'exhausted'
              ? `${this.node.path}: ${p.field} has no free default range (every candidate overlaps one of ${p.taken.join(', ')})`
              : `${this.node.path}: ${p.field} ${p.cidr} overlaps ${p.other} ${p.otherCidr}`,
          )
          .join('\n'),
        { hint: 'pick pod and service ranges outside network.cidr and apart from each other' },
      );
    }
    this.ranges = ranges;

    if (spec.mode === 'kubeadm') {
      this.kubeadm = this.buildKubeadm(network, spec, ranges, props);
      this.access = this.kubeadm.access;
      this.kubeconfig = adminKubeconfig(network.regionName, this.access);
      this.nodePools = new Map();
      return;
    }
    const managed = spec.managed;
    if (!managed) throw new SpecError(`${this.node.path}: cluster.managed is required when mode is managed`);
    const refs = network.cloud.managedKubernetes(this, 'Managed', {
      name: network.regionName,
      version: spec.version,
      podCidr: ranges.podCidr,
      serviceCidr: ranges.serviceCidr,
      networkId: network.networkId,
      subnetIds: network.subnetIds,
      zoneNames: network.zoneNames,
      deletionProtection: managed.deletionProtection,
      controlPlaneLogging: managed.controlPlaneLogging,
      nodePools: managed.nodePools.map((pool) => this.poolSpec(network, pool, props.zoneNames)),
      tags: props.tags ?? {},
    });
    this.access = refs.access;
    this.kubeconfig = refs.kubeconfig;
    this.cluster = refs.cluster;
    this.nodePools = refs.nodePools;
  }

  private buildKubeadm(
    network: INetwork,
    spec: KubernetesClusterSpec,
    ranges: ClusterRanges,
    { hostGroups, apiSources }: KubernetesClusterProps,
  ): KubeadmCluster {
    const groups = spec.kubeadm;
    if (!groups) throw new SpecError(`${this.node.path}: cluster.kubeadm is required when mode is kubeadm`);
    const group = (field: string, name: string): HostGroup => {
      const found = hostGroups?.get(name);
      if (!found) {
        throw new SpecError(
          `${this.node.path}: cluster.kubeadm.${field} must name a host group ` +
            `(${[...(hostGroups?.keys() ?? [])].join(', ') || 'none given'}), got ${JSON.stringify(name)}`,
        );
      }
      return found;
    };
    return new KubeadmCluster(this, 'Kubeadm', {
      name: network.regionName,
      controlPlane: group('controlPlaneGroup', groups.controlPlaneGroup),
      workers: groups.workerGroups.map((name, i) => group(`workerGroups[${i}]`, name)),
      podCidr: ranges.podCidr,
      serviceCidr: ranges.serviceCidr,
      version: spec.version,
      ...(apiSources ? { apiSources } : {}),
    });
  }

  private poolSpec(
    network: INetwork,
    pool: NodePoolSpec,
    regionZones: readonly string[] | undefined,
  ): ManagedNodePoolSpec {
    const all = Array.from({ length: network.zoneCount }, (_, i) => i);
    let zoneIndexes: number[];
    if (pool.zones === undefined) zoneIndexes = all;
    else if (typeof pool.zones === 'number') zoneIndexes = all.slice(0, pool.zones);
    else {
      zoneIndexes = pool.zones.map((name) => {
        const i = regionZones?.indexOf(name) ?? -1;
        if (i < 0) {
          throw new SpecError(
            `${this.node.path}: node pool ${pool.name} zones must name the region's zones ` +
              `(${regionZones?.join(', ') ?? 'a count'}), got ${JSON.stringify(name)}`,
          );
        }
        return i;
      });
      zoneIndexes.sort((a, b) => a - b);
    }
    return {
      name: pool.name,
      physicalName: `${network.regionName}-${pool.name}`,
      instanceType: pool.instanceType,
      ...(pool.count === undefined ? {} : { count: pool.count }),
      ...(pool.autoscaling ? { autoscaling: { min: pool.autoscaling.min, max: pool.autoscaling.max } } : {}),
      systemDiskSizeGiB: pool.systemDiskSizeGiB,
      ...(pool.systemDiskType === undefined ? {} : { systemDiskType: pool.systemDiskType }),
      labels: { ...pool.labels },
      taints: pool.taints.map((t) => ({ ...t })),
      zoneIndexes,
      autoRepair: pool.autoRepair,
    };
  }
}
