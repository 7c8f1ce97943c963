/**
 * The CNI of a Magnum cluster as the openstack adapter makes it (the cluster template's `network_driver`
 * `calico`, openstack-cloud.ts).
 */
import type { ManagedCniFacts } from '../kubernetes-network.js';

/**
 * Calico enforces Kubernetes NetworkPolicy (Felix programs each policy into the node's data plane).
 * @see https://docs.tigera.io/calico/latest/network-policy/get-started/kubernetes-policy/kubernetes-network-policy
 */
export const OPENSTACK_MANAGED_CNI: ManagedCniFacts = {
  name: 'calico',
  enforcesNetworkPolicy: true,
  source: 'Calico docs, "Get started with Kubernetes network policy"',
};
