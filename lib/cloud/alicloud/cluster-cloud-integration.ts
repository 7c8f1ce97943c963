/**
 * What Alibaba Cloud's cloud controller manager and disk CSI driver in a kubeadm cluster need from the infra stack:
 * a RAM user with a custom policy and an AccessKey, and the files of the Kubernetes Secret they read
 * (constructs/platform/cloud-provider.ts writes it; every credential is a token of this stack).
 *
 * Why an AccessKey and not the instances' RAM role: a RAM role's STS credentials come only from the metadata
 * service (100.100.100.200), which regionkit closes after first boot (docs/security.md), and both the CCM
 * (`RamRoleToken`, pkg/provider/alibaba/base/clientMgr.go at v2.14.0) and the CSI driver ("turn on access to ECS
 * metadata", docs/install.md at alibaba-cloud-csi-driver-1.36.2) would read it there.
 *
 * The Secret's files:
 * - `cloud-config.conf`: the CCM's `--cloud-config` (JSON, `CloudConfig.Global`, pkg/config/cloud_config.go at
 *   v2.14.0): `accessKeyID` and `accessKeySecret` Base64-encoded (`LoadAK` decodes both,
 *   pkg/provider/alibaba/base/token.go:180-192), `region`, `vpcid`, `vswitchid` (`zone:vsw-id` pairs, comma
 *   separated: `CfgMetaData.VswitchIDs`, pkg/provider/alibaba/base/metadata.go:594-617), `zoneid` and
 *   `clusterID`. With `vpcid` and `vswitchid` set the CCM reads its metadata from this file instead of the
 *   metadata service (`NewMetaData`, metadata.go:63-70);
 * - `id` and `secret`: the AccessKey as the CSI chart's `deploy.accessKey` reads it (env `ACCESS_KEY_ID` and
 *   `ACCESS_KEY_SECRET` from keys `id` and `secret`: template `akEnv`, templates/_utils.tpl:56-69 at
 *   alibaba-cloud-csi-driver-1.36.2).
 *
 * @see https://github.com/kubernetes/cloud-provider-alibaba-cloud/tree/v2.14.0/pkg/config/cloud_config.go
 * @see https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-createuser (UserName)
 * @see https://github.com/kubernetes-sigs/alibaba-cloud-csi-driver/tree/alibaba-cloud-csi-driver-1.36.2/docs/ram-policies/disk
 */
import { Fn, TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';

import { SpecError } from '../../errors.js';
import { RamAccessKey } from '../../gen/alicloud/ram-access-key/index.js';
import { RamPolicy } from '../../gen/alicloud/ram-policy/index.js';
import { RamUser } from '../../gen/alicloud/ram-user/index.js';
import { RamUserPolicyAttachment } from '../../gen/alicloud/ram-user-policy-attachment/index.js';
import type { ClusterCloudIntegrationRefs, ClusterCloudIntegrationSpec } from '../types.js';

/** Name of the CCM's cloud config in the Secret (`--cloud-config=/etc/kubernetes/config/<this>`). */
export const ALICLOUD_CLOUD_CONFIG_FILE = 'cloud-config.conf';
/** Keys of the AccessKey in the Secret: the CSI chart's defaults (`deploy.accessKey.idKey`, template `akEnv`). */
export const ALICLOUD_ACCESS_KEY_KEYS = { id: 'id', secret: 'secret' } as const;

/**
 * Actions of the CCM's controllers regionkit runs (`node`, `service`: CLB only; no `route`, `nlb` or `ingress`),
 * from the master policy at v2.14.0 (docs/examples/master.policy, which docs/getting-started.md names for an
 * AccessKey): its `ecs:Describe*`, every `slb:` action and `vpc:Describe*`. Left out: route entries (route
 * controller off: Flannel's VXLAN carries pod traffic), ENI, instance and key-pair actions, and the ALB, SLS,
 * certificate and service-linked-role statements (the ingress controller is not run).
 */
export const ALICLOUD_CCM_ACTIONS: readonly string[] = [
  'ecs:Describe*',
  'slb:Describe*',
  'slb:CreateLoadBalancer',
  'slb:DeleteLoadBalancer',
  'slb:ModifyLoadBalancerInternetSpec',
  'slb:RemoveBackendServers',
  'slb:AddBackendServers',
  'slb:RemoveTags',
  'slb:AddTags',
  'slb:StopLoadBalancerListener',
  'slb:StartLoadBalancerListener',
  'slb:SetLoadBalancerHTTPListenerAttribute',
  'slb:SetLoadBalancerHTTPSListenerAttribute',
  'slb:SetLoadBalancerTCPListenerAttribute',
  'slb:SetLoadBalancerUDPListenerAttribute',
  'slb:CreateLoadBalancerHTTPSListener',
  'slb:CreateLoadBalancerHTTPListener',
  'slb:CreateLoadBalancerTCPListener',
  'slb:CreateLoadBalancerUDPListener',
  'slb:DeleteLoadBalancerListener',
  'slb:CreateVServerGroup',
  'slb:DescribeVServerGroups',
  'slb:DeleteVServerGroup',
  'slb:SetVServerGroupAttribute',
  'slb:DescribeVServerGroupAttribute',
  'slb:ModifyVServerGroupBackendServers',
  'slb:AddVServerGroupBackendServers',
  'slb:ModifyLoadBalancerInstanceSpec',
  'slb:SetLoadBalancerModificationProtection',
  'slb:SetLoadBalancerDeleteProtection',
  'slb:SetLoadBalancerName',
  'slb:RemoveVServerGroupBackendServers',
  'vpc:Describe*',
];

/**
 * Actions of the disk CSI driver: the union of its controller's and node plugin's example policies at
 * alibaba-cloud-csi-driver-1.36.2 (docs/ram-policies/disk/controller.json, node.json), less the node policy's
 * `eflo:DescribeNode` and `eflo:DescribeNodeType` (Lingjun nodes only; regionkit's nodes are ECS instances).
 */
export const ALICLOUD_DISK_CSI_ACTIONS: readonly string[] = [
  'ecs:AddTags',
  'ecs:AttachDisk',
  'ecs:CreateDisk',
  'ecs:CreateSnapshot',
  'ecs:CreateSnapshotGroup',
  'ecs:DeleteDisk',
  'ecs:DeleteSnapshot',
  'ecs:DeleteSnapshotGroup',
  'ecs:DescribeDisks',
  'ecs:DescribeInstanceAttribute',
  'ecs:DescribeInstanceHistoryEvents',
  'ecs:DescribeInstances',
  'ecs:DescribeSnapshotGroups',
  'ecs:DescribeSnapshots',
  'ecs:DescribeTags',
  'ecs:DescribeTaskAttribute',
  'ecs:DescribeTasks',
  'ecs:DetachDisk',
  'ecs:ListTagResources',
  'ecs:ModifyDiskAttribute',
  'ecs:ModifyDiskSpec',
  'ecs:RemoveTags',
  'ecs:ResizeDisk',
  'ecs:TagResources',
  'ecs:UntagResources',
];

/** The RAM policy document of a kubeadm cluster's CCM and disk CSI driver. */
export function cloudProviderPolicy(): object {
  return {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: [...ALICLOUD_CCM_ACTIONS], Resource: ['*'] },
      { Effect: 'Allow', Action: [...ALICLOUD_DISK_CSI_ACTIONS], Resource: ['*'] },
    ],
  };
}

/** Where the adapter's region comes from; the rest is the kubeadm cluster's spec. */
export interface AlicloudIntegrationContext {
  /** Alibaba Cloud region id (`cn-hangzhou`). */
  readonly region: string;
}

/**
 * The RAM user `<region>-cloud-provider` (`<region>-<cluster>-cloud-provider` if the cluster is named otherwise) with the policy of the same name and one AccessKey, and the
 * Secret's files. Every credential is a token of the calling (infra) stack.
 */
export function alicloudClusterCloudIntegration(
  scope: Construct,
  id: string,
  spec: ClusterCloudIntegrationSpec,
  ctx: AlicloudIntegrationContext,
): ClusterCloudIntegrationRefs {
  const root = new Construct(scope, id);
  // RAM user names are 1-64 characters (CreateUser `UserName`); a region name has at most 30, and a kubeadm
  // cluster is named after its region, so `<region>-cloud-provider` fits
  const name =
    spec.clusterName === spec.name ? `${spec.name}-cloud-provider` : `${spec.name}-${spec.clusterName}-cloud-provider`;
  if (name.length > 64) {
    throw new SpecError(
      `RAM user name ${name} of cluster ${spec.clusterName}: ${name.length} characters, at most 64 allowed`,
    );
  }
  const user = new RamUser(root, 'User', {
    name,
    displayName: name,
    comments: `regionkit: cloud controller manager and disk CSI of cluster ${spec.clusterName}`,
  });
  const policy = new RamPolicy(root, 'Policy', {
    policyName: name,
    description: `regionkit: cloud controller manager and disk CSI of cluster ${spec.clusterName}`,
    policyDocument: JSON.stringify(cloudProviderPolicy()),
    tags: { ...spec.tags },
  });
  new RamUserPolicyAttachment(root, 'PolicyAttachment', {
    policyName: policy.policyName,
    policyType: 'Custom',
    userName: user.name,
  });
  const key = new RamAccessKey(root, 'AccessKey', { userName: user.name });
  // JSON written as text around the tokens (ids, zone names and Base64 need no escaping)
  const vswitches = spec.subnetIds.map((subnet, i) => `${spec.zoneNames[i]}:${subnet}`).join(',');
  const text = [
    '{"Global": {',
    `  "accessKeyID": "${Fn.base64encode(key.id)}",`,
    `  "accessKeySecret": "${Fn.base64encode(key.secret)}",`,
    `  "clusterID": "${spec.clusterName}",`,
    `  "region": "${ctx.region}",`,
    `  "vpcid": "${spec.networkId}",`,
    `  "vswitchid": "${vswitches}",`,
    `  "zoneid": "${spec.zoneNames[0]}"`,
    '}}',
    '',
  ].join('\n');
  const cloudConfig = new TerraformLocal(root, 'CloudConfig', text);
  return {
    kind: 'alicloud',
    secretFiles: {
      [ALICLOUD_CLOUD_CONFIG_FILE]: cloudConfig.asString,
      [ALICLOUD_ACCESS_KEY_KEYS.id]: key.id,
      [ALICLOUD_ACCESS_KEY_KEYS.secret]: key.secret,
    },
    configDrive: false,
  };
}
