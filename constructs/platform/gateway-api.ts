/**
 * Traffic into a Kubernetes region through the Gateway API: Envoy Gateway (chart pinned in lib/versions.ts
 * `HELM_CHARTS.envoyGateway`) and regionkit's own chart `charts/regionkit-gateways` (a GatewayClass, the EnvoyProxy
 * that shapes its data plane, and one Gateway per tenant with hostnames).
 *
 * Ordering in one run: GatewayClass, Gateway and EnvoyProxy are CRDs that the Envoy Gateway chart installs (its
 * `crds` subchart's `crds/` directory, which Helm applies before any template). A `kubernetes_manifest` of such a
 * kind cannot be planned before the CRD exists, so the objects are templates of a second, local chart instead:
 * `helm_release` renders and applies it at apply time, and `depends_on` the Envoy Gateway release puts it after
 * the CRDs. (Helm never upgrades CRDs in `crds/`: a chart upgrade that brings new CRD versions needs them applied
 * separately; see the chart's README at the pinned tag.)
 *
 * The proxies: every Gateway of the class merges onto one Envoy Deployment (`mergeGateways`) behind one Service of
 * type LoadBalancer, which the cloud controller manager turns into the cloud's load balancer (an internet-facing
 * CLB/NLB on ACK, an Octavia load balancer on OpenStack).
 */
import { TerraformAsset, AssetType } from 'cdktf';
import { Construct } from 'constructs';

import { Release } from '../../lib/gen/helm/release/index.js';
import { NamespaceV1 } from '../../lib/gen/kubernetes/namespace-v1/index.js';
import { PACKAGE_ROOT } from '../../lib/providers/paths.js';
import type { TenantSpec } from '../../lib/spec/region-spec.js';
import { HELM_CHARTS } from '../../lib/versions.js';

import { pinnedRelease, releaseValuesYaml } from './pinned-release.js';
import { podSecurityLabels } from './tenant-namespace.js';

/** Namespace Envoy Gateway and its proxies run in (the chart's documented install namespace). */
export const GATEWAY_NAMESPACE = 'envoy-gateway-system';
/** The GatewayClass every tenant Gateway uses. */
export const GATEWAY_CLASS = 'regionkit';
/** Directory of regionkit's own Gateway chart inside the package. */
export const GATEWAYS_CHART_DIR = `${PACKAGE_ROOT}/charts/regionkit-gateways`;

/**
 * Values for Envoy Gateway's chart. Every key exists in the pinned chart's values (test/fixtures/charts and
 * test/platform/chart-values.test.ts check it).
 * - two controller replicas and a PodDisruptionBudget of one (the chart renders its PDB only when
 *   `podDisruptionBudget.minAvailable` >= 1: templates/envoy-gateway-poddisruptionbudget.yaml);
 * - requests for the controller (the chart's defaults, stated so they are ours) and for the certgen Job (none
 *   by default).
 */
export function envoyGatewayValues(): Record<string, unknown> {
  return {
    deployment: {
      replicas: 2,
      envoyGateway: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1024Mi' } } },
    },
    podDisruptionBudget: { minAvailable: 1 },
    certgen: { job: { resources: { requests: { cpu: '10m', memory: '64Mi' } } } },
  };
}

/** A tenant's Gateway: in its namespace, one HTTP listener per hostname. */
export interface TenantGateway {
  readonly name: string;
  readonly namespace: string;
  readonly hostnames: readonly string[];
}

/** Values for `charts/regionkit-gateways`; every key exists in its values.yaml (tested). */
export function gatewaysValues(gateways: readonly TenantGateway[]): Record<string, unknown> {
  return {
    gatewayClassName: GATEWAY_CLASS,
    envoyProxy: {
      replicas: 2,
      minAvailable: 1,
      resources: { requests: { cpu: '100m', memory: '512Mi' } },
      serviceType: 'LoadBalancer',
    },
    gateways: gateways.map((g) => ({ name: g.name, namespace: g.namespace, hostnames: [...g.hostnames] })),
  };
}

/** Props of {@link GatewayApi}. */
export interface GatewayApiProps {
  /** Tenants; each with hostnames gets a Gateway in its namespace. */
  readonly tenants: readonly TenantSpec[];
  /**
   * Namespace name of each tenant, as a reference to its namespace resource (so the Gateways come after it).
   * @default - the tenant's name
   */
  readonly tenantNamespaces?: ReadonlyMap<string, string>;
  /** Kubernetes minor (`1.36`) the namespace's Pod Security Admission labels pin. */
  readonly kubernetesVersion: string;
}

/** Envoy Gateway, the GatewayClass and the tenants' Gateways. */
export class GatewayApi extends Construct {
  /** Namespace of the controller and the proxies. */
  public readonly namespace: NamespaceV1;
  /** The Envoy Gateway release (CRDs, controller). */
  public readonly controller: Release;
  /** The release of regionkit's chart (GatewayClass, EnvoyProxy, Gateways). */
  public readonly gateways: Release;

  constructor(scope: Construct, id: string, props: GatewayApiProps) {
    super(scope, id);
    const chart = HELM_CHARTS.envoyGateway;
    this.namespace = new NamespaceV1(this, 'Namespace', {
      metadata: {
        name: GATEWAY_NAMESPACE,
        labels: {
          'app.kubernetes.io/managed-by': 'regionkit',
          // restricted, as tenants: at the pinned release every container the chart and the controller run
          // drops ALL capabilities, runs as non-root with RuntimeDefault seccomp and no privilege escalation
          // (values.tmpl.yaml deployment.envoyGateway.securityContext, certgen.job.securityContext;
          // internal/infrastructure/kubernetes/resource/resource.go DefaultSecurityContext for the proxies), and
          // none uses hostPath or the host network
          ...podSecurityLabels('restricted', props.kubernetesVersion),
        },
      },
    });
    this.controller = pinnedRelease(this, 'EnvoyGateway', chart, {
      name: 'envoy-gateway',
      namespace: this.namespace.metadata.name,
      values: envoyGatewayValues(),
      wait: true,
    });

    const asset = new TerraformAsset(this, 'GatewaysChart', { path: GATEWAYS_CHART_DIR, type: AssetType.DIRECTORY });
    const gateways = props.tenants
      .filter((t) => t.hostnames.length > 0)
      .map((t) => ({ name: t.name, namespace: props.tenantNamespaces?.get(t.name) ?? t.name, hostnames: t.hostnames }));
    this.gateways = new Release(this, 'Gateways', {
      name: 'regionkit-gateways',
      namespace: this.namespace.metadata.name,
      // "./": a path Helm does not find is then an error, never a chart name to look up in a repository
      chart: `./${asset.path}`,
      values: [releaseValuesYaml(gatewaysValues(gateways))],
      dependsOn: [this.controller],
    });
  }
}
