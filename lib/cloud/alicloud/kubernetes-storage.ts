/**
 * Alibaba Cloud disk CSI (kubernetes-sigs/alibaba-cloud-csi-driver), as the platform stack's storage classes use
 * it. ACK installs the driver itself (csi-plugin, csi-provisioner); a kubeadm cluster gets the chart the platform
 * stack pins (`HELM_CHARTS.alicloudCsiDriver`, 1.36.2), whose driver name is the same
 * (`DriverName = "diskplugin.csi.alibabacloud.com"`, pkg/disk/disk.go line 51 at alibaba-cloud-csi-driver-1.36.2,
 * and its `alicloud-disk-topology-alltype` class there lists the same three types in its non-private-cloud branch,
 * templates/storage-class.yaml).
 */
import type { CsiStorageFacts } from '../kubernetes-storage.js';

/**
 * - provisioner: `DriverName = "diskplugin.csi.alibabacloud.com"` (pkg/disk/disk.go, v1.37.1);
 * - `type`: a comma-separated preference list of disk categories the driver tries in order; the chart's own
 *   `alicloud-disk-topology-alltype` class uses `cloud_essd,cloud_ssd,cloud_efficiency` with
 *   `WaitForFirstConsumer` and `allowVolumeExpansion: true`
 *   (deploy/charts/alibaba-cloud-csi-driver/templates/storage-class.yaml, v1.37.1). Disks are zonal, hence
 *   WaitForFirstConsumer.
 * @see https://github.com/kubernetes-sigs/alibaba-cloud-csi-driver/blob/v1.37.1/pkg/disk/disk.go
 */
export const ALICLOUD_CSI_STORAGE: CsiStorageFacts = {
  provisioner: 'diskplugin.csi.alibabacloud.com',
  parameters: { type: 'cloud_essd,cloud_ssd,cloud_efficiency' },
  volumeBindingMode: 'WaitForFirstConsumer',
  allowVolumeExpansion: true,
  source:
    'kubernetes-sigs/alibaba-cloud-csi-driver v1.37.1 (de815fc0): pkg/disk/disk.go DriverName, ' +
    'deploy/charts/alibaba-cloud-csi-driver/templates/storage-class.yaml',
};
