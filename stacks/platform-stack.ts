/**
 * `<region>-platform`: what runs inside a Kubernetes region's cluster (tenant namespaces and their baseline, the
 * Gateway API, storage classes), fed by the `<region>-infra` stack's outputs through cross-stack references.
 *
 * The kubernetes and helm providers are configured only from {@link KubernetesAccess}, whose fields are tokens of
 * the infra stack: cdktf turns each into a sensitive infra output and a `terraform_remote_state` read here, so
 * no endpoint or credential is a literal in this stack, nobody copies a kubeconfig, and the stacks' dependency
 * (manifest.json) makes `regionkit deploy` and `cdktf deploy '<region>-*'` apply infra first.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

import type { KubernetesAccess } from '../constructs/cluster/kubernetes-access.js';
import { assertSameCopies } from '../constructs/one-copy.js';
import { GATEWAY_NAMESPACE, GatewayApi } from '../constructs/platform/gateway-api.js';
import { StorageClasses } from '../constructs/platform/storage-classes.js';
import { TenantNamespace } from '../constructs/platform/tenant-namespace.js';
import { SpecError } from '../lib/errors.js';
import { HelmProvider } from '../lib/gen/helm/provider/index.js';
import { KubernetesProvider } from '../lib/gen/kubernetes/provider/index.js';
import { resolveRegionSpec } from '../lib/spec/load.js';
import type { RegionSpec, RegionSpecInput } from '../lib/spec/region-spec.js';

import { configureBackend } from './backend.js';

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  /** The region; validated and defaulted here if it is not already. Its cluster must be `kind: kubernetes`. */
  readonly spec: RegionSpecInput | RegionSpec;
  /** How to reach the cluster: tokens of the region's infra stack (never literals). */
  readonly access: KubernetesAccess;
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
 * configured only from the infra stack's {@link KubernetesAccess}.
 * @throws SpecError when the region's cluster is not `kind: kubernetes`
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
  }
}
