/**
 * The cloud's CSI block-storage driver as a Kubernetes StorageClass names it: the facts the platform stack's
 * storage classes need, one file per cloud (lib/cloud/<cloud>/kubernetes-storage.ts), chosen here by kind.
 * Pure data: no cdktf, no provider bindings.
 */
import type { CloudKind } from '../spec/region-spec.js';

import { ALICLOUD_CSI_STORAGE } from './alicloud/kubernetes-storage.js';
import { OPENSTACK_CSI_STORAGE } from './openstack/kubernetes-storage.js';

/** A CSI driver's StorageClass facts at a pinned driver release. */
export interface CsiStorageFacts {
  /** The driver's name: a StorageClass's `provisioner`. */
  readonly provisioner: string;
  /** StorageClass `parameters` (driver-specific). @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * `Immediate` or `WaitForFirstConsumer`. Zonal disks want the latter, so a volume is made in the zone its pod
   * was scheduled to.
   */
  readonly volumeBindingMode: 'Immediate' | 'WaitForFirstConsumer';
  /** Whether the driver resizes volumes (a StorageClass's `allowVolumeExpansion`). */
  readonly allowVolumeExpansion: boolean;
  /** Where these facts were read: repository, tag and file(s). */
  readonly source: string;
}

/** The CSI block-storage facts of `cloud`. */
export function csiStorage(cloud: CloudKind): CsiStorageFacts {
  return cloud === 'alicloud' ? ALICLOUD_CSI_STORAGE : OPENSTACK_CSI_STORAGE;
}
