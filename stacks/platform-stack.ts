/**
 * `<region>-platform`: what runs inside a Kubernetes region's cluster (tenant namespaces and their baseline, the
 * Gateway API, storage classes; for a kubeadm cluster also its pod network, cloud controller manager and CSI
 * driver), fed by the `<region>-infra` stack's outputs through cross-stack references.
 *
 * The kubernetes and helm providers are configured only from {@link KubernetesAccess}, whose fields are tokens of
 * the infra stack: cdktf turns each into a sensitive infra output and a `terraform_remote_state` read here, so
 * no endpoint or credential is a literal in this stack, nobody copies a kubeconfig, and the stacks' dependency
 * (manifest.json) makes `regionkit deploy` and `cdktf deploy '<region>-*'` apply infra first.
 */
import { TerraformStack, dependable } from 'cdktf';
import { Construct } from 'constructs';

import type { KubernetesAccess } from '../constructs/cluster/kubernetes-access.js';
import { assertSameCopies } from '../constructs/one-copy.js';
import { CloudProvider } from '../constructs/platform/cloud-provider.js';
import { GATEWAY_NAMESPACE, GatewayApi } from '../constructs/platform/gateway-api.js';
import { NetworkPolicyAgent } from '../constructs/platform/network-policy-agent.js';
import { PodNetwork } from '../constructs/platform/pod-network.js';
import { StorageClasses } from '../constructs/platform/storage-classes.js';
import { TenantNamespace } from '../constructs/platform/tenant-namespace.js';
import { managedCni } from '../lib/cloud/kubernetes-network.js';
import type { ClusterCloudIntegrationRefs } from '../lib/cloud/types.js';
import { SpecError } from '../lib/errors.js';
import { HelmProvider } from '../lib/gen/helm/provider/index.js';
import { KubernetesProvider } from '../lib/gen/kubernetes/provider/index.js';
import { planClusterRanges } from '../lib/net/network-plan.js';
import { resolveRegionSpec } from '../lib/spec/load.js';
import type { RegionSpec, RegionSpecInput } from '../lib/spec/region-spec.js';
import { zoneCount } from '../lib/spec/semantic.js';

import { configureBackend } from './backend.js';

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  /** The region; validated and defaulted here if it is not already. Its cluster must be `kind: kubernetes`. */
  readonly spec: RegionSpecInput | RegionSpec;
  /** How to reach the cluster: tokens of the region's infra stack (never literals). */
  readonly access: KubernetesAccess;
  /**
   * A kubeadm cluster's cloud integration (`KubeadmCluster.cloudIntegration`): the configuration and credentials
   * of its cloud controller manager and CSI driver, tokens of the infra stack. Required for mode kubeadm (both
   * clouds' adapters make one); refused for mode managed (the cloud runs its own).
   * @default - none: no cloud controller manager or CSI driver is installed
   */
  readonly cloudIntegration?: ClusterCloudIntegrationRefs;
  /**
   * Path of the local state file relative to the stack's synthesized directory (local backend only).
   * @default - `../<stack>/terraform.<stack>.tfstate`, as the infra stack writes its own
   */
  readonly localStatePath?: string;
}

/** Stack name of a region's in-cluster resources. */
export function platformStackName(region: string): string {
  return `${region}-platform`;
}

/**
 * `<region>-platform`: tenants, the Gateway API and storage classes of a Kubernetes region, its providers
 * configured only from the infra stack's {@link KubernetesAccess}; for mode kubeadm also Flannel and, with
 * `cloudIntegration`, the cloud controller manager and CSI driver; for a managed cluster whose CNI ignores
 * NetworkPolicy, an agent that enforces it.
 * @throws SpecError when the region's cluster is not `kind: kubernetes`, or its pod range cannot be planned
 * @throws Error when `cloudIntegration` is given for a managed cluster, or missing for a kubeadm cluster (a
 *   wiring mistake, not the region file's)
 */
export class PlatformStack extends TerraformStack {
  /** The region as validated, defaults filled in. */
  public readonly spec: RegionSpec;
  public readonly kubernetesProvider: KubernetesProvider;
  public readonly helmProvider: HelmProvider;
  /** Tenant namespaces by tenant name, in the spec's order. */
  public readonly tenants: ReadonlyMap<string, TenantNamespace>;
  public readonly gatewayApi: GatewayApi;
  public readonly storageClasses: StorageClasses;
  /** Flannel, for a kubeadm cluster; undefined for a managed one. */
  public readonly podNetwork?: PodNetwork;
  /** The cloud controller manager and CSI driver, for a kubeadm cluster with a cloud integration. */
  public readonly cloudProvider?: CloudProvider;
  /**
   * kube-network-policies, for a managed cluster whose CNI does not enforce NetworkPolicy (ACK's Flannel;
   * lib/cloud/kubernetes-network.ts). Kubeadm clusters get it inside Flannel's DaemonSet (PodNetwork).
   */
  public readonly networkPolicyAgent?: NetworkPolicyAgent;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(assertSameCopies(scope), id);
    const spec = (this.spec = resolveRegionSpec(props.spec, `stack ${id}`));
    const cluster = spec.cluster;
    if (cluster?.kind !== 'kubernetes') {
      throw new SpecError(
        `stack ${id}: a platform stack needs cluster kind kubernetes, got ${cluster?.kind ?? 'none'}`,
        {
          hint: 'only Kubernetes regions have a <region>-platform stack',
        },
      );
    }
    configureBackend(this, spec.backend, {
      localStatePath: props.localStatePath ?? `../${id}/terraform.${id}.tfstate`,
      alicloudRegion: spec.alicloud?.region,
    });

    const { endpoint, clusterCaCertificate, clientCertificate, clientKey, tlsServerName } = props.access;
    const credentials = {
      host: endpoint,
      clusterCaCertificate,
      clientCertificate,
      clientKey,
      ...(tlsServerName === undefined ? {} : { tlsServerName }),
    };
    this.kubernetesProvider = new KubernetesProvider(this, 'kubernetes', credentials);
    this.helmProvider = new HelmProvider(this, 'helm', { kubernetes: credentials });

    if (cluster.mode === 'kubeadm') {
      const { ranges, problems } = planClusterRanges({
        networkCidr: spec.network.cidr,
        zones: zoneCount(spec),
        podCidr: cluster.podCidr,
        serviceCidr: cluster.serviceCidr,
      });
      if (!ranges) {
        throw new SpecError(`stack ${id}: cluster.podCidr cannot be planned: ${JSON.stringify(problems)}`);
      }
      this.podNetwork = new PodNetwork(this, 'PodNetwork', {
        podCidr: ranges.podCidr,
        kubernetesVersion: cluster.version,
      });
      if (props.cloudIntegration) {
        this.cloudProvider = new CloudProvider(this, 'CloudProvider', {
          cloud: spec.cloud,
          clusterName: spec.name,
          integration: props.cloudIntegration,
          alicloudRegion: spec.alicloud?.region,
        });
      } else {
        throw new Error(
          `stack ${id}: a kubeadm cluster on ${spec.cloud} needs props.cloudIntegration (KubeadmCluster.cloudIntegration)`,
        );
      }
    } else if (props.cloudIntegration) {
      throw new Error(`stack ${id}: cloudIntegration is for kubeadm clusters; a managed cluster runs its cloud's own`);
    } else if (!managedCni(spec.cloud).enforcesNetworkPolicy) {
      // the tenants' default-deny policies need an enforcer where the cloud's CNI ignores them (ACK's Flannel)
      this.networkPolicyAgent = new NetworkPolicyAgent(this, 'NetworkPolicyAgent');
    }

    this.storageClasses = new StorageClasses(this, 'Storage', { cloud: spec.cloud });

    const tenantsScope = new Construct(this, 'Tenants');
    const tenants = new Map<string, TenantNamespace>();
    for (const tenant of spec.tenants) {
      tenants.set(
        tenant.name,
        new TenantNamespace(tenantsScope, tenant.name, {
          tenant,
          gatewayNamespace: GATEWAY_NAMESPACE,
          kubernetesVersion: cluster.version,
        }),
      );
    }
    this.tenants = tenants;

    this.gatewayApi = new GatewayApi(this, 'GatewayApi', {
      tenants: spec.tenants,
      tenantNamespaces: new Map([...tenants].map(([name, t]) => [name, t.namespaceName])),
      kubernetesVersion: cluster.version,
    });
    // Envoy Gateway's pods need the pod network, and nodes the CCM has initialized (until then they carry the
    // uninitialized taint); its LoadBalancer Service needs the CCM's service controller
    const before = [this.podNetwork?.release, this.cloudProvider?.controllerManager].filter((r) => r !== undefined);
    if (before.length > 0) {
      this.gatewayApi.controller.dependsOn = [
        ...(this.gatewayApi.controller.dependsOn ?? []),
        ...before.map((r) => dependable(r)),
      ];
    }
  }
}
