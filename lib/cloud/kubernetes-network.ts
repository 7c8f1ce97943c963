/**
 * The pod network a managed cluster comes with, as far as the platform stack must know it: whether it enforces
 * NetworkPolicy. Every tenant namespace relies on a default-deny policy, so where the cloud's CNI ignores
 * policies the platform stack runs an agent that enforces them. One fact per cloud
 * (lib/cloud/<cloud>/kubernetes-network.ts), chosen here by kind. Pure data: no cdktf, no provider bindings.
 */
import type { CloudKind } from '../spec/region-spec.js';

import { ALICLOUD_MANAGED_CNI } from './alicloud/kubernetes-network.js';
import { OPENSTACK_MANAGED_CNI } from './openstack/kubernetes-network.js';

/** The CNI of the cloud's managed Kubernetes, as the cloud adapter creates the cluster. */
export interface ManagedCniFacts {
  /** The CNI's name (`flannel`, `calico`). */
  readonly name: string;
  /** Whether it enforces Kubernetes NetworkPolicy objects. */
  readonly enforcesNetworkPolicy: boolean;
  /** Where these facts were read. */
  readonly source: string;
}

/** The CNI facts of `cloud`'s managed cluster. */
export function managedCni(cloud: CloudKind): ManagedCniFacts {
  return cloud === 'alicloud' ? ALICLOUD_MANAGED_CNI : OPENSTACK_MANAGED_CNI;
}
