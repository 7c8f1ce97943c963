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
 * Alibaba Cloud (cloud-provider-alibaba-cloud v2.14.0, alibaba-cloud-csi-driver chart 1.36.2):
 * - the cloud controller manager: no published chart, so kubernetes provider resources (alicloud-ccm.ts) reading
 *   `cloud-config.conf` from the Secret;
 * - `alibaba-cloud-csi-driver`: disk driver only (`csi.nas.enabled`, `csi.oss.enabled` false; `csi.local` and
 *   `csi.bmcpfs` are off by default), outside ACK (`deploy.ack: false`, as values-ecs.yaml), the AccessKey from
 *   the Secret's `id` and `secret` (`deploy.accessKey`), `deploy.regionID` set (docs/install.md: "It is
 *   recommended to explicitly set this"). The chart renders its own controller PodDisruptionBudget
 *   (`controller.pdb`, templates/controller-pdb.yaml) and requests on every container; its default storage
 *   class is off (ours are in storage-classes.ts). The node plugin learns its instance id, region and zone from its
 *   Node (`KubernetesNodeMetadata`: the providerID `<region>.<instance-id>` and the `topology.kubernetes.io/zone`
 *   label the CCM sets, pkg/cloud/metadata/k8s.go) once its ECS metadata attempt fails, since the metadata service
 *   is closed (docs/platform.md).
 *
 * @see https://github.com/kubernetes/cloud-provider-openstack/tree/openstack-cloud-controller-manager-2.36.0/charts/openstack-cloud-controller-manager
 * @see https://github.com/kubernetes/cloud-provider-openstack/tree/openstack-cinder-csi-2.36.0/charts/cinder-csi-plugin
 * @see https://github.com/kubernetes-sigs/alibaba-cloud-csi-driver/tree/alibaba-cloud-csi-driver-1.36.2/deploy/charts/alibaba-cloud-csi-driver
 */
import { dependable } from 'cdktf';
import { Construct } from 'constructs';

import { ALICLOUD_CLOUD_CONFIG_FILE } from '../../lib/cloud/alicloud/cluster-cloud-integration.js';
import type { ClusterCloudIntegrationRefs } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { type Release } from '../../lib/gen/helm/release/index.js';
import type { DaemonSetV1 } from '../../lib/gen/kubernetes/daemon-set-v1/index.js';
import { PodDisruptionBudgetV1 } from '../../lib/gen/kubernetes/pod-disruption-budget-v1/index.js';
import { SecretV1 } from '../../lib/gen/kubernetes/secret-v1/index.js';
import type { CloudKind } from '../../lib/spec/region-spec.js';
import { HELM_CHARTS } from '../../lib/versions.js';

import { AlicloudCloudControllerManager } from './alicloud-ccm.js';
import { pinnedRelease } from './pinned-release.js';

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

/** Release name of the Alibaba Cloud CSI chart. */
export const ALICLOUD_CSI_RELEASE = 'alibaba-cloud-csi-driver';

/**
 * Values for the Alibaba Cloud CSI chart; every key exists in the pinned chart's values (test/platform/chart-values.test.ts).
 * @param region Alibaba Cloud region id (`deploy.regionID`).
 */
export function alicloudCsiValues(region: string): Record<string, unknown> {
  return {
    csi: { nas: { enabled: false }, oss: { enabled: false } },
    defaultStorageClass: { enabled: false },
    deploy: {
      ack: false,
      regionID: region,
      // keys `id` and `secret` of the Secret: the template's defaults (ALICLOUD_ACCESS_KEY_KEYS)
      accessKey: { enabled: true, secretName: CLOUD_CONFIG_SECRET },
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
  /** Alibaba Cloud region id; required for cloud `alicloud` (the CSI driver's `deploy.regionID`). */
  readonly alicloudRegion?: string;
}

/** The cloud controller manager and block-storage CSI driver of a kubeadm cluster, and their Secret. */
export class CloudProvider extends Construct {
  public readonly secret: SecretV1;
  /** The cloud controller manager: its release (OpenStack) or its DaemonSet (Alibaba Cloud). */
  public readonly controllerManager: Release | DaemonSetV1;
  /** The CSI driver's release. */
  public readonly csiDriver: Release;
  /** A PodDisruptionBudget the chart does not render: the Cinder CSI controller's; Alibaba Cloud's chart has its own. */
  public readonly csiControllerPdb?: PodDisruptionBudgetV1;
  /** Alibaba Cloud's CCM objects. */
  public readonly alicloudControllerManager?: AlicloudCloudControllerManager;

  constructor(scope: Construct, id: string, props: CloudProviderProps) {
    super(scope, id);
    if (props.integration.kind !== props.cloud) {
      throw new SpecError(
        `${this.node.path}: integration is of cloud ${props.integration.kind}, the region's cloud is ${props.cloud}`,
      );
    }
    const labels = { 'app.kubernetes.io/managed-by': 'regionkit' };
    this.secret = new SecretV1(this, 'CloudConfig', {
      metadata: { name: CLOUD_CONFIG_SECRET, namespace: CLOUD_PROVIDER_NAMESPACE, labels },
      type: 'Opaque',
      data: { ...props.integration.secretFiles },
    });
    if (props.cloud === 'alicloud') {
      if (!props.alicloudRegion) {
        throw new SpecError(
          `${this.node.path}: alicloudRegion is required for cloud alicloud (the region file's alicloud.region)`,
        );
      }
      const ccm = new AlicloudCloudControllerManager(this, 'AlicloudControllerManager', {
        namespace: CLOUD_PROVIDER_NAMESPACE,
        clusterName: props.clusterName,
        secretName: CLOUD_CONFIG_SECRET,
        cloudConfigFile: ALICLOUD_CLOUD_CONFIG_FILE,
        labels,
      });
      ccm.daemonSet.dependsOn = [...(ccm.daemonSet.dependsOn ?? []), dependable(this.secret)];
      this.alicloudControllerManager = ccm;
      this.controllerManager = ccm.daemonSet;
      this.csiDriver = pinnedRelease(this, 'CsiDriver', HELM_CHARTS.alicloudCsiDriver, {
        name: ALICLOUD_CSI_RELEASE,
        namespace: CLOUD_PROVIDER_NAMESPACE,
        values: alicloudCsiValues(props.alicloudRegion),
        // the node plugin reads its instance id and zone from the Node the CCM initialized
        dependsOn: [this.secret, ccm.daemonSet],
      });
      return;
    }
    this.controllerManager = pinnedRelease(this, 'ControllerManager', HELM_CHARTS.openstackCloudControllerManager, {
      name: 'openstack-ccm',
      namespace: CLOUD_PROVIDER_NAMESPACE,
      values: openstackCcmValues(props.clusterName),
      dependsOn: [this.secret],
    });
    this.csiDriver = pinnedRelease(this, 'CsiDriver', HELM_CHARTS.openstackCinderCsi, {
      name: CINDER_CSI_RELEASE,
      namespace: CLOUD_PROVIDER_NAMESPACE,
      values: cinderCsiValues(props.clusterName),
      // the controller's pods schedule only on nodes the CCM has initialized
      dependsOn: [this.secret, this.controllerManager],
    });
    this.csiControllerPdb = new PodDisruptionBudgetV1(this, 'CsiControllerPdb', {
      metadata: { name: `${CINDER_CSI_RELEASE}-controllerplugin`, namespace: CLOUD_PROVIDER_NAMESPACE, labels },
      spec: {
        minAvailable: '1',
        selector: {
          matchLabels: {
            app: HELM_CHARTS.openstackCinderCsi.chart,
            component: 'controllerplugin',
            release: CINDER_CSI_RELEASE,
          },
        },
      },
    });
  }
}
