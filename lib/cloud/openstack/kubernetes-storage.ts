/**
 * OpenStack Cinder CSI (kubernetes/cloud-provider-openstack), as the platform stack's storage classes use it.
 * Magnum clusters and kubeadm clusters alike need the driver installed (the chart openstack-cinder-csi).
 */
import type { CsiStorageFacts } from '../kubernetes-storage.js';

/**
 * - provisioner: `driverName = "cinder.csi.openstack.org"` (pkg/csi/cinder/driver.go, v1.36.0, the commit the
 *   chart release openstack-cinder-csi-2.36.0 is tagged on);
 * - no parameters: the chart's own `csi-cinder-sc-delete` / `csi-cinder-sc-retain` classes set none and allow
 *   expansion (charts/cinder-csi-plugin/templates/storageclass.yaml at openstack-cinder-csi-2.36.0). Cinder
 *   volumes live in an availability zone, hence WaitForFirstConsumer.
 * @see https://github.com/kubernetes/cloud-provider-openstack/blob/v1.36.0/pkg/csi/cinder/driver.go
 */
export const OPENSTACK_CSI_STORAGE: CsiStorageFacts = {
  provisioner: 'cinder.csi.openstack.org',
  volumeBindingMode: 'WaitForFirstConsumer',
  allowVolumeExpansion: true,
  source:
    'kubernetes/cloud-provider-openstack v1.36.0 = openstack-cinder-csi-2.36.0 (bae07f49): ' +
    'pkg/csi/cinder/driver.go driverName, charts/cinder-csi-plugin/templates/storageclass.yaml',
};
