/**
 * The CNI of an ACK managed cluster as the alicloud adapter makes it (`ACK_ADDONS` in alicloud-cloud.ts: the
 * `flannel` addon with the planned `pod_cidr`).
 */
import type { ManagedCniFacts } from '../kubernetes-network.js';

/**
 * ACK's Flannel does not enforce NetworkPolicy: Alibaba Cloud's comparison of the two ACK network plugins lists
 * NetworkPolicy support for Terway only.
 * @see https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/work-with-terway
 */
export const ALICLOUD_MANAGED_CNI: ManagedCniFacts = {
  name: 'flannel',
  enforcesNetworkPolicy: false,
  source: 'Alibaba Cloud ACK docs, "Comparison between Terway and Flannel" (NetworkPolicy: Terway only)',
};
