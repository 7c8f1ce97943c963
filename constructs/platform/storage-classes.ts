/**
 * The cluster's storage classes on the cloud's CSI block-storage driver: a default class (`Delete`: a claim's
 * volume goes with it) and a `Retain` class for stateful platform services, whose volumes outlive their claims and
 * must be deleted on purpose. The driver facts live in lib/cloud/<cloud>/kubernetes-storage.ts.
 * @see https://kubernetes.io/docs/concepts/storage/storage-classes/ (v1.36)
 */
import { Construct } from 'constructs';

import { csiStorage } from '../../lib/cloud/kubernetes-storage.js';
import { StorageClassV1 } from '../../lib/gen/kubernetes/storage-class-v1/index.js';
import type { CloudKind } from '../../lib/spec/region-spec.js';

/** Name of the default storage class. */
export const DEFAULT_STORAGE_CLASS = 'regionkit-default';
/** Name of the `Retain` storage class stateful platform services claim from. */
export const RETAIN_STORAGE_CLASS = 'regionkit-retain';

/**
 * The annotation that makes a class the one claims without `storageClassName` get.
 * @see https://kubernetes.io/docs/tasks/administer-cluster/change-default-storage-class/
 */
const IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

/** Props of {@link StorageClasses}. */
export interface StorageClassesProps {
  /** The cloud whose CSI driver provisions the volumes. */
  readonly cloud: CloudKind;
}

/** The default and the `Retain` storage class. */
export class StorageClasses extends Construct {
  public readonly defaultClass: StorageClassV1;
  public readonly retainClass: StorageClassV1;

  constructor(scope: Construct, id: string, props: StorageClassesProps) {
    super(scope, id);
    const csi = csiStorage(props.cloud);
    const common = {
      storageProvisioner: csi.provisioner,
      volumeBindingMode: csi.volumeBindingMode,
      allowVolumeExpansion: csi.allowVolumeExpansion,
      ...(csi.parameters ? { parameters: { ...csi.parameters } } : {}),
    };
    const labels = { 'app.kubernetes.io/managed-by': 'regionkit' };
    this.defaultClass = new StorageClassV1(this, 'Default', {
      metadata: { name: DEFAULT_STORAGE_CLASS, labels, annotations: { [IS_DEFAULT_CLASS]: 'true' } },
      reclaimPolicy: 'Delete',
      ...common,
    });
    this.retainClass = new StorageClassV1(this, 'Retain', {
      metadata: { name: RETAIN_STORAGE_CLASS, labels },
      reclaimPolicy: 'Retain',
      ...common,
    });
  }
}
