/**
 * Alibaba Cloud adapter: VPC + vSwitches, enhanced NAT gateway with EIP and SNAT, security groups, ECS
 * instances, CLB (SLB) load balancers. The only module that creates `alicloud_*` resources.
 *
 * @see https://registry.terraform.io/providers/aliyun/alicloud/1.289.0/docs
 */
import { Fn, Lazy, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

import { CsKubernetesNodePool } from '../../gen/alicloud/cs-kubernetes-node-pool/index.js';
import { CsManagedKubernetes } from '../../gen/alicloud/cs-managed-kubernetes/index.js';
import { DataAlicloudCsClusterCredential } from '../../gen/alicloud/data-alicloud-cs-cluster-credential/index.js';
import { DataAlicloudImages } from '../../gen/alicloud/data-alicloud-images/index.js';
import { DataAlicloudZones } from '../../gen/alicloud/data-alicloud-zones/index.js';
import { EcsAutoSnapshotPolicy } from '../../gen/alicloud/ecs-auto-snapshot-policy/index.js';
import { EcsAutoSnapshotPolicyAttachment } from '../../gen/alicloud/ecs-auto-snapshot-policy-attachment/index.js';
import { EcsDeploymentSet } from '../../gen/alicloud/ecs-deployment-set/index.js';
import { EcsDisk } from '../../gen/alicloud/ecs-disk/index.js';
import { EcsDiskAttachment } from '../../gen/alicloud/ecs-disk-attachment/index.js';
import { EcsRamRoleAttachment } from '../../gen/alicloud/ecs-ram-role-attachment/index.js';
import { EipAddress } from '../../gen/alicloud/eip-address/index.js';
import { EipAssociation } from '../../gen/alicloud/eip-association/index.js';
import { Havip } from '../../gen/alicloud/havip/index.js';
import { HavipAttachment } from '../../gen/alicloud/havip-attachment/index.js';
import { Instance } from '../../gen/alicloud/instance/index.js';
import { KmsSecret } from '../../gen/alicloud/kms-secret/index.js';
import { NatGateway } from '../../gen/alicloud/nat-gateway/index.js';
import { AlicloudProvider } from '../../gen/alicloud/provider/index.js';
import { PvtzZone } from '../../gen/alicloud/pvtz-zone/index.js';
import { PvtzZoneAttachment } from '../../gen/alicloud/pvtz-zone-attachment/index.js';
import { PvtzZoneRecord } from '../../gen/alicloud/pvtz-zone-record/index.js';
import { RamPolicy } from '../../gen/alicloud/ram-policy/index.js';
import { RamRole } from '../../gen/alicloud/ram-role/index.js';
import { RamRolePolicyAttachment } from '../../gen/alicloud/ram-role-policy-attachment/index.js';
import { SecurityGroup } from '../../gen/alicloud/security-group/index.js';
import { SecurityGroupRule } from '../../gen/alicloud/security-group-rule/index.js';
import { SlbAcl } from '../../gen/alicloud/slb-acl/index.js';
import { SlbAclEntryAttachment } from '../../gen/alicloud/slb-acl-entry-attachment/index.js';
import { SlbBackendServer } from '../../gen/alicloud/slb-backend-server/index.js';
import { SlbListener } from '../../gen/alicloud/slb-listener/index.js';
import { SlbLoadBalancer } from '../../gen/alicloud/slb-load-balancer/index.js';
import { SnatEntry } from '../../gen/alicloud/snat-entry/index.js';
import { Vpc } from '../../gen/alicloud/vpc/index.js';
import { Vswitch } from '../../gen/alicloud/vswitch/index.js';
import { NODE_POD_CIDR_PREFIX } from '../../net/network-plan.js';
import type { AlicloudSettings, HostOs } from '../../spec/region-spec.js';
import { markStateful } from '../../stateful.js';
import { GENERATED_PROVIDERS } from '../../versions.js';
import { healthCheckTransport, listenerTransport, mergeSources } from '../load-balancing.js';
import type {
  BackendSource,
  ClusterCloudIntegrationRefs,
  ClusterCloudIntegrationSpec,
  HostDefaults,
  HostRefs,
  HostSecretsSpec,
  HostSecretValue,
  HostSpec,
  ICloud,
  IHostSecrets,
  IngressRuleSpec,
  LoadBalancerRefs,
  LoadBalancerSourcesSpec,
  LoadBalancerSpec,
  ManagedClusterRefs,
  ManagedClusterSpec,
  NetworkRefs,
  NetworkSpec,
  RexrayCloudSettings,
  SecurityGroupSpec,
  VirtualIpSpec,
} from '../types.js';
import { userDataValue } from '../user-data.js';

import { alicloudClusterCloudIntegration } from './cluster-cloud-integration.js';

// defaults, each the general-purpose choice for a new region
/** 2 vCPU / 8 GiB, 7th generation general purpose: offered in every mainland and most international regions. */
export const DEFAULT_INSTANCE_TYPE = 'ecs.g7.large';
/**
 * Alibaba's own system images per OS; the newest build is taken at plan time (see ignore_changes). The names
 * follow Alibaba's system-image pattern `<os>_<version>[_<minor>]_x64_20G_alibase_<date>.vhd`
 * (`ubuntu_22_04_x64_20G_alibase_20240101.vhd`, `centos_8_3_x64_20G_alibase_20240430.vhd`); Debian builds
 * carry the point release, hence the optional `<minor>`.
 * @see https://www.alibabacloud.com/help/en/ecs/user-guide/image-overview
 */
export const DEFAULT_IMAGE_NAME_REGEX: Readonly<Record<HostOs, string>> = {
  'debian-12': '^debian_12_([0-9]+_)?x64_20G_alibase_',
  'debian-13': '^debian_13_([0-9]+_)?x64_20G_alibase_',
  'ubuntu-24.04': '^ubuntu_24_04_x64_20G_alibase_',
};
/** Alibaba's package mirror as seen from inside a VPC (no internet access needed). */
const MIRROR = 'http://mirrors.cloud.aliyuncs.com';
const DEBIAN_MIRRORS = { primary: `${MIRROR}/debian`, security: `${MIRROR}/debian-security` };
/** ESSD is the only disk category every current instance family supports. */
export const DEFAULT_DISK_CATEGORY = 'cloud_essd';
/**
 * ECS user data limit, 32 KB. Alibaba's documents disagree on whether it counts the Base64 text or the raw
 * data, so we hold the stricter reading: the Base64-encoded size.
 */
export const MAX_USER_DATA_BYTES = 32 * 1024;
/** Source range of SLB health checks and of layer-7 listener traffic (Alibaba's reserved 100.64.0.0/10). */
export const SLB_SYSTEM_CIDR = '100.64.0.0/10';
/** TTL of host records: a replaced host keeps its address, so records rarely change. */
const DNS_TTL_SECONDS = 300;
/** Peak bandwidth cap of pay-by-traffic EIPs, Mbit/s. */
const EIP_BANDWIDTH_MBPS = '200';
/**
 * A deployment set of the high availability strategy (`Availability`) puts each instance on its own physical
 * server, and holds at most 20 instances per zone; hosts beyond that many in one zone stay outside the set.
 * @see https://www.alibabacloud.com/help/en/ecs/user-guide/overview-43
 */
export const DEPLOYMENT_SET_MAX_PER_ZONE = 20;
/**
 * What a host's lifecycle leaves alone once it runs: a newer image build (`image_id` would rebuild the system
 * disk), new user data (at v1.289.0 `modifyInstanceAttribute` in resource_alicloud_instance.go sends a changed
 * `user_data` with `reboot = true`, and the update then stops and starts the instance, lines 2909-2921 and
 * 1940-1947; cloud-init would not run it again anyway), the deployment set (`ModifyInstanceDeployment`,
 * line 2235, moves a running instance: an existing region adopting placement takes it on the next roll), and
 * `data_disks`: data disks are their own resources now, and the inline disks of instances made before that
 * are ForceNew (line 231 on): dropping them from the configuration must not replace the instance.
 * Hosts are replaced on purpose (`regionkit roll`).
 */
/**
 * The stack variable turning deletion protection of instances and load balancers on (the default) or off:
 * Alibaba refuses to release a protected instance or CLB, so a deliberate replacement or destroy turns it off
 * first (`regionkit roll` does; for destroy, `TF_VAR_deletion_protection=false regionkit plan` and deploy).
 */
export const DELETION_PROTECTION_VARIABLE = 'deletion_protection';
export const INSTANCE_IGNORE_CHANGES = ['image_id', 'user_data', 'deployment_set_id', 'data_disks'];

/**
 * ACK Pro (`ack.pro.small`): the managed control plane with an SLA, for production regions (the docs of
 * `cluster_spec` at v1.289.0 list ack.standard, the basic one, and the Pro tiers).
 */
export const ACK_CLUSTER_SPEC = 'ack.pro.small';
/** `vswitch_ids` of `alicloud_cs_managed_kubernetes` takes 1-5 vSwitches (MaxItems 5 at v1.289.0). */
export const ACK_MAX_CONTROL_PLANE_VSWITCHES = 5;
/**
 * Control-plane components whose logs ACK collects: API server, controller manager, scheduler (the docs of
 * `control_plane_log_components` at v1.289.0 list `apiserver`, `kcm`, `scheduler`, `ccm`, `controlplane-events`).
 */
export const ACK_CONTROL_PLANE_LOG_COMPONENTS = ['apiserver', 'kcm', 'scheduler'] as const;
/**
 * Addons installed with the cluster: Flannel, the CNI that uses `pod_cidr`, and the disk CSI driver
 * (`csi-plugin`, `csi-provisioner`), as the docs' example at v1.289.0 names them.
 */
export const ACK_ADDONS = ['flannel', 'csi-plugin', 'csi-provisioner'] as const;

/**
 * kube-proxy mode: `nftables` (the docs of `proxy_mode` at v1.289.0: supported from Kubernetes 1.35, recommended
 * for new clusters, IPVS deprecated upstream from 1.35). ACK creates its newest release (no `version` is sent),
 * which is past 1.35. A constant, never derived from the spec's version: `proxy_mode` is ForceNew, and a version
 * bump must not replace the cluster.
 */
export const ACK_PROXY_MODE = 'nftables';

export class AlicloudCloud implements ICloud {
  public readonly kind = 'alicloud' as const;
  public readonly provider = GENERATED_PROVIDERS.alicloud;
  public readonly maxUserDataBytes = MAX_USER_DATA_BYTES;
  public readonly userDataEncoding = 'base64gzip' as const;
  public readonly hostDefaults: HostDefaults = {
    // Alibaba's mirror, NTP and DNS servers answer inside every VPC, with or without internet access; the
    // mirror's host is the VPC-internal name of mirrors.aliyun.com (Debian's security suite lives beside it)
    aptMirrors: {
      'debian-12': DEBIAN_MIRRORS,
      'debian-13': DEBIAN_MIRRORS,
      'ubuntu-24.04': { primary: `${MIRROR}/ubuntu`, security: `${MIRROR}/ubuntu` },
    },
    ntpServers: ['ntp.cloud.aliyuncs.com', 'ntp1.cloud.aliyuncs.com', 'ntp2.cloud.aliyuncs.com'],
    dnsResolvers: ['100.100.2.136', '100.100.2.138'],
  };
  public readonly rexray?: RexrayCloudSettings;
  private readonly images = new Map<string, DataAlicloudImages>();
  private readonly region: string;
  /** The region's PrivateZone zone, made with the network; each host adds its record. */
  private dnsZone?: PvtzZone;
  private readonly snapshots: NonNullable<AlicloudSettings['dataDiskSnapshots']>;

  constructor(
    private readonly stack: Construct,
    settings: AlicloudSettings,
  ) {
    // Credentials come from the environment (ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY or a profile).
    new AlicloudProvider(stack, 'Alicloud', { region: settings.region });
    this.region = settings.region;
    this.snapshots = settings.dataDiskSnapshots ?? { retentionDays: 7, hour: 3 };
    if (settings.rexray) {
      // REX-Ray has no Alibaba disk driver: its s3fs driver on OSS's S3-compatible API, virtual-hosted style.
      // https://www.alibabacloud.com/help/en/oss/developer-reference/use-amazon-s3-sdks-to-access-oss: the
      // S3-compatible internal endpoint is s3.oss-<region>-internal.aliyuncs.com (not the OSS API's own).
      this.rexray = {
        driver: 's3fs',
        endpoint: settings.rexray.endpoint ?? `s3.oss-${settings.region}-internal.aliyuncs.com`,
        region: settings.region,
        accessKeyId: settings.rexray.accessKeyId,
        virtualHostedStyle: true,
      };
    }
  }

  public network(scope: Construct, id: string, spec: NetworkSpec): NetworkRefs {
    const root = new Construct(scope, id);
    const vpc = new Vpc(root, 'Vpc', { vpcName: spec.name, cidrBlock: spec.cidr, tags: { ...spec.tags } });
    const zoneNames = spec.zoneNames ? [...spec.zoneNames] : this.listedZones(root, spec.zones.length);
    const vswitches = spec.zones.map(
      (zone) =>
        new Vswitch(root, `Vswitch${zone.index + 1}`, {
          vswitchName: `${spec.name}-zone-${zone.index + 1}`,
          vpcId: vpc.id,
          cidrBlock: zone.cidr,
          zoneId: zoneNames[zone.index]!,
          tags: { ...spec.tags },
        }),
    );

    // outbound internet: an enhanced NAT gateway in zone 1 with one EIP, SNAT for every vSwitch
    const nat = new NatGateway(root, 'NatGateway', {
      natGatewayName: spec.name,
      vpcId: vpc.id,
      vswitchId: vswitches[0]!.id,
      natType: 'Enhanced',
      paymentType: 'PayAsYouGo',
      internetChargeType: 'PayByLcu',
      tags: { ...spec.tags },
    });
    const eip = this.eip(root, 'NatEip', `${spec.name}-nat`, spec.tags);
    const association = new EipAssociation(root, 'NatEipAssociation', {
      allocationId: eip.id,
      instanceId: nat.id,
      instanceType: 'Nat',
    });
    vswitches.forEach(
      (vswitch, i) =>
        new SnatEntry(root, `Snat${i + 1}`, {
          snatEntryName: `${spec.name}-zone-${i + 1}`,
          snatTableId: nat.snatTableIds,
          sourceVswitchId: vswitch.id,
          snatIp: eip.ipAddress,
          dependsOn: [association],
        }),
    );
    // Region names: a PrivateZone zone bound to the VPC, answered by the VPC's own resolvers (100.100.2.136/138),
    // one A record per host. Records change without touching any host.
    this.dnsZone = new PvtzZone(root, 'DnsZone', {
      zoneName: spec.dnsDomain,
      remark: `regionkit: host names of ${spec.name}`,
      tags: { ...spec.tags },
    });
    new PvtzZoneAttachment(root, 'DnsZoneAttachment', { zoneId: this.dnsZone.id, vpcIds: [vpc.id] });
    return { networkId: vpc.id, subnetIds: vswitches.map((v) => v.id), zoneNames, dnsDomain: spec.dnsDomain };
  }

  public securityGroup(scope: Construct, id: string, spec: SecurityGroupSpec): { id: string } {
    const group = new SecurityGroup(scope, id, {
      securityGroupName: spec.name,
      description: spec.description,
      vpcId: spec.networkId,
      securityGroupType: 'normal',
      tags: { ...spec.tags },
    });
    return { id: group.id };
  }

  public ingressRule(scope: Construct, id: string, spec: IngressRuleSpec): void {
    if (spec.protocol === 'vrrp' && spec.cidr) {
      throw new Error(`alicloud: VRRP can only be opened to a security group, not to ${spec.cidr}`);
    }
    new SecurityGroupRule(scope, id, {
      securityGroupId: spec.securityGroupId,
      type: 'ingress',
      // ECS rules know no VRRP (IP protocol 112); "all" from the peer group is the narrowest rule that admits it.
      ipProtocol: spec.protocol === 'vrrp' ? 'all' : spec.protocol,
      portRange: spec.protocol === 'icmp' || spec.protocol === 'vrrp' ? '-1/-1' : `${spec.fromPort}/${spec.toPort}`,
      // VPC security groups only take intranet rules; source groups require it.
      nicType: 'intranet',
      policy: 'accept',
      priority: 1,
      description: spec.description,
      ...(spec.cidr ? { cidrIp: spec.cidr } : { sourceSecurityGroupId: spec.sourceSecurityGroupId }),
    });
  }

  public host(scope: Construct, id: string, spec: HostSpec): HostRefs {
    const root = new Construct(scope, id);
    const instance = new Instance(root, 'Resource', {
      // identity
      instanceName: spec.name,
      hostName: spec.name,
      tags: { ...spec.tags },
      volumeTags: { ...spec.tags },
      // placement and network
      instanceType: spec.instanceType ?? DEFAULT_INSTANCE_TYPE,
      vswitchId: spec.subnetId,
      privateIp: spec.privateIp,
      securityGroups: [...spec.securityGroupIds],
      internetMaxBandwidthOut: 0,
      instanceChargeType: 'PostPaid',
      securityEnhancementStrategy: 'Active',
      // boot
      imageId: this.imageId(spec.image, spec.os),
      // Gzip: a Mesos worker's cloud-config outgrows ECS's 32 KB limit in plain text. The provider passes Base64
      // through as it is (resource_alicloud_instance.go at v1.289.0) and cloud-init unpacks gzip; the plain text
      // stays reviewable in the synthesized JSON, inside base64gzip().
      userData: Lazy.stringValue({
        produce: () => userDataValue(spec.renderUserData(), spec.userDataRefs?.() ?? {}, this.userDataEncoding),
      }),
      // disk
      systemDiskCategory: spec.systemDiskType ?? DEFAULT_DISK_CATEGORY,
      systemDiskSize: spec.systemDiskSizeGiB,
      systemDiskName: `${spec.name}-system`,
      // placement: the group's hosts on different physical servers (within the set's per-zone limit)
      ...(spec.placementGroup && (spec.zoneSlot ?? 0) < DEPLOYMENT_SET_MAX_PER_ZONE
        ? { deploymentSetId: this.deploymentSet(scope, spec).id }
        : {}),
      // ModifyInstanceAttribute DeletionProtection: the instance cannot be released through the API or the
      // console until it is turned off (`regionkit roll` turns it off through the variable, then on again).
      deletionProtection: this.deletionProtection().booleanValue,
      lifecycle: { ignoreChanges: [...INSTANCE_IGNORE_CHANGES] },
    });
    // Data disks are their own resources, never released with the instance: a replacement host gets them
    // attached again (the attachment follows the instance id, forcing a new attachment, not a new disk).
    spec.dataDisks.forEach((disk, i) => {
      const volume = new EcsDisk(root, `DataDisk${i + 1}`, {
        diskName: disk.name,
        size: disk.sizeGiB,
        category: disk.type ?? DEFAULT_DISK_CATEGORY,
        zoneId: spec.zoneName,
        deleteAutoSnapshot: false,
        description: `data disk ${i + 1} of ${spec.name} (regionkit)`,
        tags: { ...spec.tags },
        lifecycle: { preventDestroy: true },
      });
      markStateful(volume, `data disk ${i + 1} of ${spec.name}`);
      new EcsDiskAttachment(root, `DataDisk${i + 1}Attachment`, {
        diskId: volume.id,
        instanceId: instance.id,
        deleteWithInstance: false,
      });
      new EcsAutoSnapshotPolicyAttachment(root, `DataDisk${i + 1}Snapshots`, {
        autoSnapshotPolicyId: this.snapshotPolicy().id,
        diskId: volume.id,
      });
    });
    if (this.dnsZone) {
      new PvtzZoneRecord(root, 'DnsRecord', {
        zoneId: this.dnsZone.id,
        rr: spec.name,
        type: 'A',
        value: spec.privateIp,
        ttl: DNS_TTL_SECONDS,
      });
    }
    let publicIp: string | undefined;
    if (spec.publicIp) {
      const eip = this.eip(root, 'Eip', spec.name, spec.tags);
      new EipAssociation(root, 'EipAssociation', {
        allocationId: eip.id,
        instanceId: instance.id,
        instanceType: 'EcsInstance',
      });
      publicIp = eip.ipAddress;
    }
    return { id: instance.id, privateIp: spec.privateIp, publicIp };
  }

  public loadBalancer(scope: Construct, id: string, spec: LoadBalancerSpec): LoadBalancerRefs {
    const root = new Construct(scope, id);
    // Pay-by-LCU is the only pay-as-you-go CLB billing offered for new instances since June 2025.
    const lb = new SlbLoadBalancer(root, 'Resource', {
      loadBalancerName: spec.name,
      addressType: spec.public ? 'internet' : 'intranet',
      paymentType: 'PayAsYouGo',
      instanceChargeType: 'PayByCLCU',
      ...(spec.public
        ? { internetChargeType: 'PayByTraffic' }
        : { vswitchId: spec.subnetId, address: spec.privateAddress }),
      // SetLoadBalancerDeleteProtection (resource_alicloud_slb_load_balancer.go at v1.289.0, line 418)
      deleteProtection: Fn.conditional(this.deletionProtection().booleanValue, 'on', 'off') as string,
      tags: { ...spec.tags },
    });
    const hc = spec.healthCheck;
    const allowList = spec.allowedSources ? this.slbAcl(root, spec.name, spec.allowedSources, spec.tags) : undefined;
    spec.listeners.forEach((listener) => {
      const common = {
        loadBalancerId: lb.id,
        frontendPort: listener.port,
        backendPort: listener.backendPort,
        protocol: listener.protocol,
        // -1: no bandwidth cap (pay-by-traffic instances).
        bandwidth: -1,
        scheduler: 'wrr',
        healthCheckConnectPort: hc.port ?? listener.backendPort,
        healthCheckInterval: hc.intervalSeconds,
        healthCheckTimeout: hc.timeoutSeconds,
        healthyThreshold: hc.healthyThreshold,
        unhealthyThreshold: hc.unhealthyThreshold,
      };
      const http =
        hc.type === 'http' ? { healthCheckUri: hc.path ?? '/', healthCheckHttpCode: 'http_2xx,http_3xx' } : {};
      new SlbListener(root, `Listener-${listener.protocol}-${listener.port}`, {
        ...common,
        ...http,
        ...(listener.protocol === 'tcp' ? { healthCheckType: hc.type } : {}),
        ...(listener.protocol === 'http' ? { healthCheck: 'on', stickySession: 'off' } : {}),
        // Idle timeout: tcp's established_timeout (10-900 s), http's idle_timeout (1-60 s); udp has none
        // (resource_alicloud_slb_listener.go at v1.289.0).
        ...(listener.protocol === 'tcp' ? { establishedTimeout: spec.idleTimeoutSeconds } : {}),
        ...(listener.protocol === 'http' ? { idleTimeout: spec.idleTimeoutSeconds } : {}),
        // After the entries: a whitelist with no entry forwards every request (the access-control page below).
        // Every listener of the load balancer takes the same list.
        ...(allowList
          ? { aclStatus: 'on', aclType: 'white', aclIds: [allowList.acl.id], dependsOn: allowList.entries }
          : {}),
      });
    });
    new SlbBackendServer(root, 'Backends', {
      loadBalancerId: lb.id,
      backendServers: spec.members.map((m) => ({ serverId: m.hostId, weight: 100, type: 'ecs' })),
    });
    let publicAddress: string | undefined;
    if (spec.publicAddress && !spec.public) {
      // An EIP associated with the intranet CLB, which keeps its private address: instance_type SlbInstance
      // (website/docs/r/eip_association.html.markdown at v1.289.0); EIPs bind internal-facing CLB instances in a
      // VPC (https://www.alibabacloud.com/help/en/eip/support/faq-about-associating-and-disassociating-eips).
      const eip = this.eip(root, 'Eip', spec.name, spec.tags);
      new EipAssociation(root, 'EipAssociation', {
        allocationId: eip.id,
        instanceId: lb.id,
        instanceType: 'SlbInstance',
      });
      publicAddress = eip.ipAddress;
    }
    return { id: lb.id, address: lb.address, publicAddress };
  }

  /**
   * A whitelist access control list of `sources` (one `alicloud_slb_acl_entry_attachment` per CIDR: the ACL's
   * own `entry_list` is deprecated since 1.162.0) for listeners to name in `acl_ids` with `acl_status` on and
   * `acl_type` white (resource_alicloud_slb_acl.go, resource_alicloud_slb_acl_entry_attachment.go and
   * resource_alicloud_slb_listener.go at v1.289.0), the entries keyed by CIDR so reordering replaces nothing. A
   * whitelist forwards only its entries' requests, and every request while it has none, so listeners depend on the
   * entries.
   * @see https://www.alibabacloud.com/help/en/slb/classic-load-balancer/user-guide/overview-3
   */
  private slbAcl(
    scope: Construct,
    name: string,
    sources: readonly string[],
    tags: Readonly<Record<string, string>>,
  ): { acl: SlbAcl; entries: SlbAclEntryAttachment[] } {
    const acl = new SlbAcl(scope, 'Acl', { name: `${name}-clients`, ipVersion: 'ipv4', tags: { ...tags } });
    const entries = sources.map(
      (entry) =>
        new SlbAclEntryAttachment(scope, `AclEntry-${entry.replace(/[./]/g, '-')}`, {
          aclId: acl.id,
          entry,
          comment: 'regionkit',
        }),
    );
    return { acl, entries };
  }

  public virtualIp(scope: Construct, id: string, spec: VirtualIpSpec): void {
    const root = new Construct(scope, id);
    // A HaVip: ECS routes the address to the instance that announced it last (gratuitous ARP from keepalived).
    const havip = new Havip(root, 'Resource', {
      haVipName: spec.name,
      vswitchId: spec.subnetId,
      ipAddress: spec.address,
      description: `virtual IP of ${spec.name} (regionkit)`,
      tags: { ...spec.tags },
    });
    spec.hostIds.forEach(
      (instanceId, i) =>
        new HavipAttachment(root, `Attachment${i + 1}`, { haVipId: havip.id, instanceId, instanceType: 'EcsInstance' }),
    );
  }

  /**
   * A kubeadm cluster's CCM and disk CSI driver act through a RAM user's AccessKey made here (not the instances'
   * RAM role: its STS credentials come from the metadata service, which regionkit closes after boot); see
   * lib/cloud/alicloud/cluster-cloud-integration.ts for the policy and the Secret's files.
   */
  public clusterCloudIntegration(
    scope: Construct,
    id: string,
    spec: ClusterCloudIntegrationSpec,
  ): ClusterCloudIntegrationRefs {
    return alicloudClusterCloudIntegration(scope, id, spec, { region: this.region });
  }

  /**
   * An instance RAM role per host group, attached to each of its instances, with a custom policy allowing
   * `kms:GetSecretValue` on exactly the KMS secrets of this region its roles declared; one KMS secret per
   * secret and stack. Hosts get the role's STS credentials from the metadata service.
   *
   * @see https://www.alibabacloud.com/help/en/ecs/user-guide/attach-an-instance-ram-role-to-an-ecs-instance
   * @see https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-getsecretvalue
   */
  public hostSecrets(scope: Construct, id: string, spec: HostSecretsSpec): IHostSecrets {
    const root = new Construct(scope, id);
    const names: string[] = [];
    const roleName = `${spec.name}-secrets`;
    const role = new RamRole(root, 'Role', {
      roleName,
      description: `regionkit: hosts of ${spec.name} read their secrets from KMS`,
      assumeRolePolicyDocument: JSON.stringify(ECS_TRUST_POLICY),
      tags: { ...spec.tags },
    });
    const policy = new RamPolicy(root, 'Policy', {
      policyName: roleName,
      description: `regionkit: read the KMS secrets of ${spec.name}`,
      policyDocument: Lazy.stringValue({
        produce: () => JSON.stringify(kmsSecretReadPolicy(this.region, spec.regionName, names)),
      }),
      tags: { ...spec.tags },
    });
    new RamRolePolicyAttachment(root, 'PolicyAttachment', {
      policyName: policy.policyName,
      policyType: 'Custom',
      roleName: role.roleName,
    });
    spec.hostIds.forEach(
      (instanceId, i) => new EcsRamRoleAttachment(root, `Host${i + 1}`, { instanceId, ramRoleName: role.roleName }),
    );
    return {
      addSecret: (secret: HostSecretValue) => {
        if (names.includes(secret.name)) return;
        names.push(secret.name);
        this.kmsSecret(spec, secret);
      },
      fetchSettings: () => ({
        kind: 'alicloud',
        roleName,
        endpoint: `kms-vpc.${this.region}.aliyuncs.com`,
        secrets: Object.fromEntries([...names].sort().map((n) => [n, kmsSecretName(spec.regionName, n)])),
      }),
      refs: () => ({}),
    };
  }

  /** The stack's KMS secret holding `secret`, created on first use. */
  private kmsSecret(spec: HostSecretsSpec, secret: HostSecretValue): void {
    const store =
      (this.stack.node.tryFindChild('SecretStore') as Construct | undefined) ??
      new Construct(this.stack, 'SecretStore');
    if (store.node.tryFindChild(secret.name)) return;
    new KmsSecret(store, secret.name, {
      secretName: kmsSecretName(spec.regionName, secret.name),
      secretData: secret.value,
      // A new value needs a new version id: bump it (or replace the resource) when rotating.
      versionId: 'v1',
      description: `regionkit ${spec.regionName}: ${secret.description}`,
      // Rebuilding a region must be able to reuse the name at once, not after a 30-day recovery window.
      forceDeleteWithoutRecovery: true,
      tags: storeTags(spec.tags),
    });
  }

  /**
   * Layer-4 listeners pass the client's own address through (`clb-layer4-clients`): the world for a public load
   * balancer, the network for an internal one. http listeners proxy from CLB nodes (`clb-layer7-proxy`), and
   * every health check comes from them (`clb-health-checks`), both from 100.64.0.0/10. Alibaba's docs say a
   * security group admits health checks without a rule; the explicit rule keeps the backends' intent in the plan.
   */
  public loadBalancerSources(spec: LoadBalancerSourcesSpec): BackendSource[] {
    const sources: BackendSource[] = [];
    for (const l of spec.listeners) {
      const description = `${l.protocol} ${l.port} clients`;
      const protocol = listenerTransport(l);
      if (l.protocol === 'http') {
        sources.push({
          protocol,
          port: l.backendPort,
          cidr: SLB_SYSTEM_CIDR,
          description,
          facts: ['clb-layer7-proxy'],
        });
      } else {
        // Layer 4 passes the client's own address through: the listener's allow-list, else whoever reaches it.
        const clients = spec.allowedSources ?? (spec.public || spec.publicAddress ? ['0.0.0.0/0'] : [spec.networkCidr]);
        for (const cidr of clients)
          sources.push({ protocol, port: l.backendPort, cidr, description, facts: ['clb-layer4-clients'] });
      }
      sources.push({
        protocol: healthCheckTransport(l, spec.healthCheck.type),
        port: spec.healthCheck.port ?? l.backendPort,
        cidr: SLB_SYSTEM_CIDR,
        description: 'health checks',
        facts: ['clb-health-checks'],
      });
    }
    return mergeSources(sources);
  }

  // managed Kubernetes -------------------------------------------------------------------------------------------

  /**
   * An ACK managed cluster (Pro) in the region's VPC and its node pools, and the admin credential read from
   * `alicloud_cs_cluster_credential`. Every argument is from the provider at v1.289.0
   * (website/docs/r/cs_managed_kubernetes.html.markdown, r/cs_kubernetes_node_pool.html.markdown,
   * d/cs_cluster_credential.html.markdown; the schemas in alicloud/resource_alicloud_cs_managed_kubernetes.go and
   * resource_alicloud_cs_kubernetes_node_pool.go).
   *
   * - The control plane's vSwitches are the region's zone vSwitches (the first {@link ACK_MAX_CONTROL_PLANE_VSWITCHES},
   *   `vswitch_ids` MaxItems at v1.289.0); each node pool spans the vSwitches of its zones, balanced over them.
   * - Flannel with the planned `pod_cidr` (the docs: Flannel needs `pod_cidr` and the `flannel` addon), a /24 per
   *   node (`node_cidr_mask`), the planned `service_cidr`; the disk CSI addons for the platform's storage class.
   * - No NAT gateway of ACK's own (`new_nat_gateway = false`): the region network's NAT gateway already gives
   *   every zone vSwitch SNAT.
   * - The API server gets an internet endpoint (`slb_internet_enabled`) so that the `<region>-platform` stack
   *   can be applied from outside the VPC in the same run; it accepts only the cluster's client certificates.
   * - Kubernetes version: ACK takes a full release (`1.34.1-aliyun.1`), which a minor cannot name; without one
   *   ACK installs its newest release at creation and never upgrades on its own (the docs of `version`).
   */
  public managedKubernetes(scope: Construct, id: string, spec: ManagedClusterSpec): ManagedClusterRefs {
    const root = new Construct(scope, id);
    const logging = spec.controlPlaneLogging;
    const cluster = new CsManagedKubernetes(root, 'Cluster', {
      name: spec.name,
      clusterSpec: ACK_CLUSTER_SPEC,
      vswitchIds: spec.subnetIds.slice(0, ACK_MAX_CONTROL_PLANE_VSWITCHES),
      podCidr: spec.podCidr,
      serviceCidr: spec.serviceCidr,
      nodeCidrMask: NODE_POD_CIDR_PREFIX,
      proxyMode: ACK_PROXY_MODE,
      newNatGateway: false,
      slbInternetEnabled: true,
      // protected unless the region file says otherwise, and then only while the stack's deletion_protection
      // variable is true: a deliberate destroy turns it off the way it does for instances and load balancers
      deletionProtection: spec.deletionProtection ? this.deletionProtection().booleanValue : false,
      // the credential data source below is the one place the certificates are read
      skipSetCertificateAuthority: true,
      ...(logging.enabled
        ? {
            controlPlaneLogComponents: [...ACK_CONTROL_PLANE_LOG_COMPONENTS],
            controlPlaneLogTtl: String(logging.retentionDays),
          }
        : {}),
      addons: ACK_ADDONS.map((name) => ({ name })),
      tags: { ...spec.tags },
    });
    const nodePools = new Map<string, CsKubernetesNodePool[]>();
    for (const pool of spec.nodePools) {
      nodePools.set(pool.name, [
        new CsKubernetesNodePool(root, `NodePool${pascalName(pool.name)}`, {
          clusterId: cluster.id,
          nodePoolName: pool.physicalName,
          vswitchIds: pool.zoneIndexes.map((z) => spec.subnetIds[z]!),
          multiAzPolicy: 'BALANCE',
          instanceTypes: [pool.instanceType],
          systemDiskCategory: pool.systemDiskType ?? DEFAULT_DISK_CATEGORY,
          systemDiskSize: pool.systemDiskSizeGiB,
          ...(pool.autoscaling
            ? { scalingConfig: { enable: true, minSize: pool.autoscaling.min, maxSize: pool.autoscaling.max } }
            : { desiredSize: String(pool.count!) }),
          labels: Object.entries(pool.labels).map(([key, value]) => ({ key, value })),
          taints: pool.taints.map((t) => ({
            key: t.key,
            effect: t.effect,
            ...(t.value === undefined ? {} : { value: t.value }),
          })),
          // a managed node pool repairs NotReady nodes; upgrades and CVE fixes stay deliberate (the region file)
          management: { enable: true, autoRepair: pool.autoRepair, autoUpgrade: false, autoVulFix: false },
          tags: { ...spec.tags },
        }),
      ]);
    }
    const credential = new DataAlicloudCsClusterCredential(root, 'Credential', { clusterId: cluster.id });
    // certificate_authority holds the kubeconfig's *-data fields: Base64 of the PEM (flattenAlicloudCSCertificate
    // in resource_alicloud_cs_kubernetes.go at v1.289.0)
    const pem = (key: string) => Fn.base64decode(credential.certificateAuthority.lookup(key));
    return {
      cluster,
      clusterId: cluster.id,
      nodePools,
      access: {
        endpoint: cluster.connections.lookup('api_server_internet'),
        clusterCaCertificate: pem('cluster_cert'),
        clientCertificate: pem('client_cert'),
        clientKey: pem('client_key'),
      },
      kubeconfig: credential.kubeConfig,
    };
  }

  /** The stack's `deletion_protection` variable (bool, default true), created on first use. */
  private deletionProtection(): TerraformVariable {
    const existing = this.stack.node.tryFindChild('DeletionProtection');
    if (existing) return existing as TerraformVariable;
    const variable = new TerraformVariable(this.stack, 'DeletionProtection', {
      type: 'bool',
      default: true,
      nullable: false,
      description:
        'Deletion protection of instances and load balancers; false only while replacing or destroying them on purpose.',
    });
    variable.overrideLogicalId(DELETION_PROTECTION_VARIABLE);
    return variable;
  }

  /**
   * The group's deployment set (`<region>-<group>`, high availability strategy), made with its first host.
   * `strategy` forces a new set (ForceNew in resource_alicloud_ecs_deployment_set.go at v1.289.0).
   */
  private deploymentSet(scope: Construct, spec: HostSpec): EcsDeploymentSet {
    const existing = scope.node.tryFindChild('DeploymentSet');
    if (existing) return existing as EcsDeploymentSet;
    return new EcsDeploymentSet(scope, 'DeploymentSet', {
      deploymentSetName: spec.placementGroup!,
      description: `hosts of ${spec.placementGroup!} on different physical servers (regionkit)`,
      strategy: 'Availability',
    });
  }

  /**
   * The stack's automatic snapshot policy for data disks: daily at the configured hour, kept `retentionDays`.
   * @see https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-createautosnapshotpolicy
   */
  private snapshotPolicy(): EcsAutoSnapshotPolicy {
    const existing = this.stack.node.tryFindChild('DataDiskSnapshots');
    if (existing) return existing as EcsAutoSnapshotPolicy;
    return new EcsAutoSnapshotPolicy(this.stack, 'DataDiskSnapshots', {
      autoSnapshotPolicyName: `${this.stack.node.id}-data-disks`,
      repeatWeekdays: ['1', '2', '3', '4', '5', '6', '7'],
      timePoints: [String(this.snapshots.hour)],
      retentionDays: this.snapshots.retentionDays,
    });
  }

  private listedZones(scope: Construct, count: number): string[] {
    const zones = new DataAlicloudZones(scope, 'Zones', { availableResourceCreation: 'VSwitch' });
    return Array.from({ length: count }, (_, i) => Fn.element(zones.ids, i) as string);
  }

  private imageId(name: string | undefined, os: HostOs): string {
    const key = name === undefined ? `default ${os}` : `name ${name}`;
    let image = this.images.get(key);
    if (!image) {
      image = new DataAlicloudImages(this.stack, `Image${this.images.size + 1}`, {
        nameRegex: name === undefined ? DEFAULT_IMAGE_NAME_REGEX[os] : `^${escapeRegex(name)}$`,
        ...(name === undefined ? { owners: 'system' } : {}),
        mostRecent: true,
      });
      this.images.set(key, image);
    }
    return Fn.element(image.ids, 0) as string;
  }

  private eip(scope: Construct, id: string, name: string, tags: Readonly<Record<string, string>>): EipAddress {
    return new EipAddress(scope, id, {
      addressName: name,
      paymentType: 'PayAsYouGo',
      internetChargeType: 'PayByTraffic',
      bandwidth: EIP_BANDWIDTH_MBPS,
      isp: 'BGP',
      tags: { ...tags },
    });
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Trust policy of an instance RAM role: only ECS may assume it. */
const ECS_TRUST_POLICY = {
  Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } }],
  Version: '1',
};

/** KMS secret name of a regionkit secret: `regionkit/<region>/<name>` (letters, digits and `_/+=.@-` allowed). */
export function kmsSecretName(regionName: string, name: string): string {
  return `regionkit/${regionName}/${name}`;
}

/**
 * RAM policy allowing GetSecretValue on exactly the named secrets of this region, in this Alibaba region.
 * Secret ARNs have the form `acs:kms:${region}:${account}:secret/${secret-name}`; the account is `*`, which
 * a role of one account can only use on its own account's secrets unless another account's secret policy
 * grants it.
 */
export function kmsSecretReadPolicy(alicloudRegion: string, regionName: string, names: readonly string[]): object {
  if (names.length === 0) throw new Error('a secret-read policy needs at least one secret');
  return {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['kms:GetSecretValue'],
        Resource: [...names].sort().map((n) => `acs:kms:${alicloudRegion}:*:secret/${kmsSecretName(regionName, n)}`),
      },
    ],
  };
}

/** Tags of a stack-wide secret store entry: the group's tags without the group, since every group shares it. */
function storeTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => k !== 'regionkit-group'));
}

/** `system-pool` -> `SystemPool`: construct ids are PascalCase. */
function pascalName(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
