/**
 * The cloud's controllers inside a kubeadm cluster: its cloud controller manager (node addresses, provider ids and
 * zones, the taint `node.cloudprovider.kubernetes.io/uninitialized` lifted, Services of type LoadBalancer) and its
 * block-storage CSI driver (the provisioner of the platform stack's storage classes). Managed clusters (ACK,
 * Magnum) run their cloud's own and never get these.
 *
 * The configuration they read, credentials included, is one Kubernetes Secret written from tokens of the infra
 * stack (`KubeadmCluster.cloudIntegration`, made by the cloud adapter: lib/cloud/<cloud>/), never a literal, and
 * never in a release's values (which Helm keeps in its own release Secret and Terraform in state twice).
 *
 * OpenStack (cloud-provider-openstack v1.36.0, the 2.36.0 charts):
 * - `openstack-cloud-controller-manager`: a DaemonSet on the control-plane nodes (the chart's nodeSelector and
 *   tolerations); the chart renders no PodDisruptionBudget, and none would help a DaemonSet (a drain leaves its
 *   pods); it mounts the Secret `secret.name` (`secret.create: false`: ours) at /etc/config and reads
 *   `cloud.conf` (templates/daemonset.yaml). Controllers: cloud-node, cloud-node-lifecycle and service; not
 *   `route` (the chart's default list has it), since Flannel's VXLAN carries pod traffic and the route controller
 *   would need a `[Route] router-id`;
 * - `openstack-cinder-csi`: a controller Deployment (two replicas with leader election: the sidecars run with
 *   `--leader-election=true`, templates/controllerplugin-deployment.yaml) and a node DaemonSet, both mounting the
 *   Secret `secret.name` and reading `secret.filename` (default `cloud.conf`). The chart renders no
 *   PodDisruptionBudget, so this construct adds one for the controller (its pods' labels `app`, `component`,
 *   `release` from templates/_helpers.tpl); the chart's own storage classes are off (ours are in
 *   storage-classes.ts, on the same provisioner).
 *
 * @see https://github.com/kubernetes/cloud-provider-openstack/tree/openstack-cloud-controller-manager-2.36.0/charts/openstack-cloud-controller-manager
 * @see https://github.com/kubernetes/cloud-provider-openstack/tree/openstack-cinder-csi-2.36.0/charts/cinder-csi-plugin
 */
import { Construct } from 'constructs';
import { stringify } from 'yaml';

import type { ClusterCloudIntegrationRefs } from '../../lib/cloud/types.js';
import { NotBuiltYetError, SpecError } from '../../lib/errors.js';
import { Release } from '../../lib/gen/helm/release/index.js';
import { PodDisruptionBudgetV1 } from '../../lib/gen/kubernetes/pod-disruption-budget-v1/index.js';
import { SecretV1 } from '../../lib/gen/kubernetes/secret-v1/index.js';
import type { CloudKind } from '../../lib/spec/region-spec.js';
import { HELM_CHARTS } from '../../lib/versions.js';

/** Namespace of the cloud's controllers and their Secret. */
export const CLOUD_PROVIDER_NAMESPACE = 'kube-system';
/** The Secret the CCM and the CSI driver mount (the OCCM chart's default `secret.name`). */
export const CLOUD_CONFIG_SECRET = 'cloud-config';
/** Release name of the Cinder CSI chart; its pods' `release` label. */
export const CINDER_CSI_RELEASE = 'cinder-csi';

const requests = (cpu: string, memory: string) => ({ requests: { cpu, memory } });

/** Values for the OCCM chart; every key exists in the pinned chart's values (test/platform/chart-values.test.ts). */
export function openstackCcmValues(clusterName: string): Record<string, unknown> {
  return {
    secret: { enabled: true, create: false, name: CLOUD_CONFIG_SECRET },
    cluster: { name: clusterName },
    enabledControllers: ['cloud-node', 'cloud-node-lifecycle', 'service'],
    resources: requests('200m', '128Mi'),
    priorityClassName: 'system-cluster-critical',
  };
}

/**
 * Values for the Cinder CSI chart; every key exists in the pinned chart's values, `secret.name` in its templates
 * (the values file has it only as a comment; test data names where).
 */
export function cinderCsiValues(clusterName: string): Record<string, unknown> {
  // a new object each time: one shared object would be written as a YAML anchor and aliases
  const sidecar = () => requests('10m', '32Mi');
  return {
    secret: { enabled: true, hostMount: false, create: false, name: CLOUD_CONFIG_SECRET },
    storageClass: { enabled: false },
    clusterID: clusterName,
    csi: {
      attacher: { resources: sidecar() },
      provisioner: { resources: sidecar() },
      snapshotter: { resources: sidecar() },
      resizer: { resources: sidecar() },
      livenessprobe: { resources: sidecar() },
      nodeDriverRegistrar: { resources: sidecar() },
      plugin: {
        resources: requests('20m', '64Mi'),
        controllerPlugin: { replicas: 2 },
      },
    },
  };
}

/** Props of {@link CloudProvider}. */
export interface CloudProviderProps {
  /** The region's cloud; must be the integration's. */
  readonly cloud: CloudKind;
  /** The cluster's name (kubeadm `clusterName`): cloud load balancers and volumes are tagged with it. */
  readonly clusterName: string;
  /** Tokens of the infra stack (`KubeadmCluster.cloudIntegration`). */
  readonly integration: ClusterCloudIntegrationRefs;
}

/** The cloud controller manager and block-storage CSI driver of a kubeadm cluster, and their Secret. */
export class CloudProvider extends Construct {
  public readonly secret: SecretV1;
  /** The cloud controller manager's release. */
  public readonly controllerManager: Release;
  /** The CSI driver's release. */
  public readonly csiDriver: Release;
  /** The CSI controller's PodDisruptionBudget (the chart has none). */
  public readonly csiControllerPdb: PodDisruptionBudgetV1;

  constructor(scope: Construct, id: string, props: CloudProviderProps) {
    super(scope, id);
    if (props.integration.kind !== props.cloud) {
      throw new SpecError(
        `${this.node.path}: integration is of cloud ${props.integration.kind}, the region's cloud is ${props.cloud}`,
      );
    }
    if (props.cloud !== 'openstack') {
      throw new NotBuiltYetError(
        `${this.node.path}: no cloud controller manager and CSI driver for ${props.cloud} yet`,
        {
          hint: 'docs/platform.md: kubeadm clusters on alicloud get Flannel only',
        },
      );
    }
    const labels = { 'app.kubernetes.io/managed-by': 'regionkit' };
    this.secret = new SecretV1(this, 'CloudConfig', {
      metadata: { name: CLOUD_CONFIG_SECRET, namespace: CLOUD_PROVIDER_NAMESPACE, labels },
      type: 'Opaque',
      data: { ...props.integration.secretFiles },
    });
    const ccm = HELM_CHARTS.openstackCloudControllerManager;
    this.controllerManager = new Release(this, 'ControllerManager', {
      name: 'openstack-ccm',
      namespace: CLOUD_PROVIDER_NAMESPACE,
      repository: ccm.repository,
      chart: ccm.chart,
      version: ccm.version,
      values: [toYaml(openstackCcmValues(props.clusterName))],
      dependsOn: [this.secret],
    });
    const csi = HELM_CHARTS.openstackCinderCsi;
    this.csiDriver = new Release(this, 'CsiDriver', {
      name: CINDER_CSI_RELEASE,
      namespace: CLOUD_PROVIDER_NAMESPACE,
      repository: csi.repository,
      chart: csi.chart,
      version: csi.version,
      values: [toYaml(cinderCsiValues(props.clusterName))],
      // the controller's pods schedule only on nodes the CCM has initialized
      dependsOn: [this.secret, this.controllerManager],
    });
    this.csiControllerPdb = new PodDisruptionBudgetV1(this, 'CsiControllerPdb', {
      metadata: { name: `${CINDER_CSI_RELEASE}-controllerplugin`, namespace: CLOUD_PROVIDER_NAMESPACE, labels },
      spec: {
        minAvailable: '1',
        selector: {
          matchLabels: { app: csi.chart, component: 'controllerplugin', release: CINDER_CSI_RELEASE },
        },
      },
    });
  }
}

/** YAML for a release's `values`: no line folding, so a token inside a string stays whole. */
function toYaml(values: Record<string, unknown>): string {
  return stringify(values, { lineWidth: 0 });
}
