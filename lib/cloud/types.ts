/**
 * The port between cloud-neutral constructs and the cloud adapters (`lib/cloud/<cloud>/`).
 *
 * Constructs say what they need in one vocabulary; an adapter maps it onto its provider's resources and is
 * the only code that imports generated bindings. Every spec here is already validated and defaulted.
 */
import type { TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

import type { SecretFetchSettings } from '../cloudinit/secret-delivery.js';
import type { CloudKind, HealthCheckSpec, HostOs } from '../spec/region-spec.js';
import type { ProviderPin } from '../versions.js';

import type { BackendSourceFactId } from './load-balancing.js';
import type { UserDataEncoding } from './user-data.js';

export type { CloudKind };

/** Transport protocols a security-group rule can open. */
export type RuleProtocol = 'tcp' | 'udp' | 'icmp' | 'vrrp';

/**
 * What the network construct asks the cloud adapter for: the region's network and one subnet per zone.
 */
export interface NetworkSpec {
  /** Physical name prefix (the region name). */
  readonly name: string;
  readonly cidr: string;
  /** One entry per zone, in zone order. */
  readonly zones: readonly ZoneSubnetSpec[];
  /** Zone names from the region file, or undefined to take the first N zones the cloud lists. */
  readonly zoneNames?: readonly string[];
  /** Domain of the region's private DNS zone (`<region>.internal`), without the trailing dot. */
  readonly dnsDomain: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One zone's subnet as the cloud adapter receives it.
 */
export interface ZoneSubnetSpec {
  readonly index: number;
  readonly cidr: string;
  /** Gateway address (OpenStack subnets need one; Alibaba Cloud picks its own). */
  readonly gatewayIp: string;
  /** Range the cloud may allocate by itself (DHCP, VIPs); fixed host addresses lie outside it. */
  readonly dynamicPool: { readonly start: string; readonly end: string };
}

/**
 * What the cloud made for the region network: the network and its subnets.
 */
export interface NetworkRefs {
  /** VPC / Neutron network id. */
  readonly networkId: string;
  /** Subnet (vSwitch) id per zone index. */
  readonly subnetIds: readonly string[];
  /** Zone name per zone index; a token when read from the cloud at plan time. */
  readonly zoneNames: readonly string[];
  /**
   * The domain hosts' names resolve under in the cloud's private DNS; `host()` adds each host's record.
   * @default - none: the adapter made no private DNS (OpenStack `privateDns: none`)
   */
  readonly dnsDomain?: string;
}

/**
 * What a security group asks the cloud adapter for.
 */
export interface SecurityGroupSpec {
  readonly name: string;
  readonly description: string;
  readonly networkId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One ingress rule as the cloud adapter receives it.
 */
export interface IngressRuleSpec {
  readonly securityGroupId: string;
  readonly protocol: RuleProtocol;
  /** Inclusive port range; ignored for icmp and vrrp. */
  readonly fromPort: number;
  readonly toPort: number;
  /** Exactly one of `cidr` and `sourceSecurityGroupId`. */
  readonly cidr?: string;
  readonly sourceSecurityGroupId?: string;
  readonly description: string;
}

/**
 * One data disk of a host as the cloud adapter receives it.
 */
export interface DataDiskSpec {
  readonly name: string;
  readonly sizeGiB: number;
  readonly type?: string;
}

/**
 * What a host group asks the cloud adapter for: one host, its network placement, disks and user data.
 */
export interface HostSpec {
  /** Resource name and host name: `<region>-<group>-<n>`. */
  readonly name: string;
  readonly zoneIndex: number;
  readonly subnetId: string;
  readonly zoneName: string;
  readonly privateIp: string;
  readonly networkId: string;
  readonly instanceType?: string;
  /** Operating system; picks the adapter's default image when `image` is not given. */
  readonly os: HostOs;
  /** Exact image name; must run `os`. @default - the adapter's image of `os` */
  readonly image?: string;
  readonly systemDiskSizeGiB: number;
  readonly systemDiskType?: string;
  readonly dataDisks: readonly DataDiskSpec[];
  readonly securityGroupIds: readonly string[];
  /** Renders the host's `#cloud-config` at synth time; the adapter encodes it as its cloud expects. */
  readonly renderUserData: () => string;
  /** Terraform expression per `hostRef` placeholder in the user data. @default - none */
  readonly userDataRefs?: () => Readonly<Record<string, string>>;
  /** Give the host its own public address (the bastion only). */
  readonly publicIp: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Hosts with the same `placementGroup` are spread over physical hosts (an anti-affinity server group, a
   * deployment set): `<region>-<group>`. @default - no placement constraint
   */
  readonly placementGroup?: string;
  /** The host's position among its group's hosts in its zone (0-based); placement limits are per zone. */
  readonly zoneSlot?: number;
  /**
   * Whether the host gets a config drive (OpenStack: Nova's metadata as a read-only disk labelled `config-2`), read
   * at synth time. For daemons that need the instance's id or zone after regionkit has closed the metadata service
   * (docs/security.md); ignored where the cloud has none. @default - no config drive
   */
  readonly configDrive?: () => boolean;
}

/**
 * What the cloud made for one host: its ids and addresses.
 */
export interface HostRefs {
  readonly id: string;
  readonly privateIp: string;
  /** Set when `publicIp` was requested. */
  readonly publicIp?: string;
}

/**
 * One listener of a load balancer as the cloud adapter receives it.
 */
export interface ListenerSpec {
  readonly port: number;
  readonly protocol: 'tcp' | 'udp' | 'http';
  readonly backendPort: number;
}

/**
 * One backend host of a load balancer.
 */
export interface LoadBalancerMember {
  readonly hostId: string;
  readonly privateIp: string;
  readonly subnetId: string;
}

/**
 * What a load balancer asks the cloud adapter for.
 */
export interface LoadBalancerSpec {
  readonly name: string;
  readonly public: boolean;
  /** Subnet the load balancer's internal side lives in (zone 0). */
  readonly subnetId: string;
  /** Fixed internal address for internal load balancers. */
  readonly privateAddress?: string;
  readonly listeners: readonly ListenerSpec[];
  /** Defaulted health check, always on; no `port` means each listener's backend port. */
  readonly healthCheck: Required<Omit<HealthCheckSpec, 'path' | 'port'>> & {
    readonly path?: string;
    readonly port?: number;
  };
  readonly members: readonly LoadBalancerMember[];
  /** Seconds an idle connection is kept, on every tcp and http listener (udp listeners have none). */
  readonly idleTimeoutSeconds: number;
  readonly networkCidr: string;
  /**
   * Internal load balancers: also reachable on a public address (an EIP, a floating IP on the VIP port), the
   * internal address and everything behind it unchanged. @default false
   */
  readonly publicAddress?: boolean;
  /**
   * The only client CIDRs every listener accepts (the load balancer's own allow-list, whichever address a client
   * uses). @default - every client that can reach an address of the load balancer
   */
  readonly allowedSources?: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What the cloud made for a load balancer: its resource and its address.
 */
export interface LoadBalancerRefs {
  readonly id: string;
  /** Public address for public load balancers, internal address otherwise. */
  readonly address: string;
  /** The public address of an internal load balancer made with `publicAddress`. @default - none */
  readonly publicAddress?: string;
}

/**
 * A virtual IP (keepalived) as the cloud adapter receives it: the address and the hosts that may hold it.
 */
export interface VirtualIpSpec {
  readonly name: string;
  /** Subnet every holder lives in (a virtual IP is an L2 address). */
  readonly subnetId: string;
  readonly networkId: string;
  readonly address: string;
  /** Instances that may hold the address (HostRefs.id). */
  readonly hostIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** What decides where a load balancer's traffic to its backends comes from. */
export interface LoadBalancerSourcesSpec extends Pick<
  LoadBalancerSpec,
  'public' | 'listeners' | 'healthCheck' | 'networkCidr' | 'publicAddress' | 'allowedSources'
> {
  /** CIDR of each subnet that holds a member, once each, in zone order. */
  readonly memberSubnetCidrs: readonly string[];
}

/** Where traffic from a load balancer to its backends comes from, per backend port. */
export interface BackendSource {
  readonly protocol: RuleProtocol;
  readonly port: number;
  readonly cidr: string;
  readonly description: string;
  /** The facts (`BACKEND_SOURCE_FACTS`) this source follows. */
  readonly facts: readonly BackendSourceFactId[];
}

/** Package archive mirrors of one OS: the release archive and its security updates. */
export interface AptMirrors {
  readonly primary: string;
  readonly security: string;
}

/** What hosts on this cloud use unless the region file says otherwise: services inside the cloud's network. */
export interface HostDefaults {
  /** Archive mirrors reachable without internet access, per OS. @default - the image's own sources */
  readonly aptMirrors?: Readonly<Partial<Record<HostOs, AptMirrors>>>;
  /** NTP servers inside the network, or else a pool name. */
  readonly ntpServers?: readonly string[];
  readonly ntpPool?: string;
  /** Fixed DNS resolvers of the network, where the cloud has them. */
  readonly dnsResolvers?: readonly string[];
}

/** The REX-Ray plugin settings of this cloud's volume service (without credentials, which are secrets). */
export type RexrayCloudSettings =
  | {
      readonly driver: 'cinder';
      readonly authUrl: string;
      readonly username: string;
      readonly projectName: string;
      readonly domainName: string;
      readonly regionName?: string;
    }
  | {
      readonly driver: 's3fs';
      readonly endpoint: string;
      readonly region: string;
      readonly accessKeyId: string;
      readonly virtualHostedStyle: boolean;
    };

/** The identity one host group reads its secrets with (see docs/security.md). */
export interface HostSecretsSpec {
  /** Physical name prefix, `<region>-<group>`. */
  readonly name: string;
  /** The regionkit region name; secret store entries are named after it. */
  readonly regionName: string;
  /** Instances (HostRefs.id) that get the identity, where the cloud attaches one to instances. */
  readonly hostIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** A secret a host group reads, with its value as a Terraform expression (a sensitive variable). */
export interface HostSecretValue {
  /** lower_snake_case, as roles reference it (`secretRef`). */
  readonly name: string;
  readonly description: string;
  readonly value: string;
}

/** A host group's access to the secret store: grows with the secrets its roles declare. */
export interface IHostSecrets {
  /** Puts the secret in the stack's secret store (once per stack) and lets the group's identity read it. */
  addSecret(secret: HostSecretValue): void;
  /** What a host fetches with; values may hold `hostRef` placeholders resolved by `refs`. */
  fetchSettings(): SecretFetchSettings;
  /** Terraform expression per `hostRef` key used in `fetchSettings`. */
  refs(): Readonly<Record<string, string>>;
}

/** What a cloud adapter does for the constructs. */
export interface ICloud extends IManagedKubernetesCloud {
  readonly kind: CloudKind;
  /** Provider pin written into required_providers. */
  readonly provider: ProviderPin;
  /** Largest user data the cloud accepts, counted as Base64 text. */
  readonly maxUserDataBytes: number;
  /**
   * How the adapter sends user data (lib/cloud/user-data.ts): plain text (the provider Base64-encodes it) or
   * Terraform's base64gzip (both adapters). @default 'plain'
   */
  readonly userDataEncoding?: UserDataEncoding;
  readonly hostDefaults: HostDefaults;
  /** Settings for the REX-Ray volume plugin, from the region file's cloud block; undefined when not given. */
  readonly rexray?: RexrayCloudSettings;
  /** Creates the region network, its subnets and outbound path (NAT or router) under `scope`. */
  network(scope: Construct, id: string, spec: NetworkSpec): NetworkRefs;
  /** Creates an empty security group; rules come through `ingressRule`. */
  securityGroup(scope: Construct, id: string, spec: SecurityGroupSpec): { readonly id: string };
  /** Adds one ingress rule to a security group. */
  ingressRule(scope: Construct, id: string, spec: IngressRuleSpec): void;
  /** Creates one host: its instance, fixed private address, disks and user data. */
  host(scope: Construct, id: string, spec: HostSpec): HostRefs;
  /** Creates a load balancer with a listener, health check and members per port. */
  loadBalancer(scope: Construct, id: string, spec: LoadBalancerSpec): LoadBalancerRefs;
  /** An address hosts move between themselves (keepalived); the cloud must route it to whichever holds it. */
  virtualIp(scope: Construct, id: string, spec: VirtualIpSpec): void;
  /** A host group's identity for reading its secrets from the cloud's secret store; its grants follow `addSecret`. */
  hostSecrets(scope: Construct, id: string, spec: HostSecretsSpec): IHostSecrets;
  /**
   * Sources backends must accept for a load balancer's traffic and health checks (least privilege), derived from
   * `BACKEND_SOURCE_FACTS`; one entry per protocol, port and CIDR.
   */
  loadBalancerSources(spec: LoadBalancerSourcesSpec): BackendSource[];
  /**
   * The cloud identity of a self-managed (kubeadm) cluster's cloud controller manager and block-storage CSI
   * driver, and the configuration files they read, for the platform stack to put into the Secret its charts
   * mount. Absent on a cloud whose integration is not built yet: the cluster then gets no CCM or CSI driver.
   */
  clusterCloudIntegration?(
    scope: Construct,
    id: string,
    spec: ClusterCloudIntegrationSpec,
  ): ClusterCloudIntegrationRefs;
}

// ---------------------------------------------------------------------------------------------------------------
// Self-managed Kubernetes (issue 10): what a kubeadm cluster's cloud controller manager and CSI driver need

/** What a kubeadm cluster asks the cloud adapter for, so that its CCM and CSI driver can act in the cloud. */
export interface ClusterCloudIntegrationSpec {
  /** Physical name prefix: `<region>`. */
  readonly name: string;
  /** The cluster's name (kubeadm `clusterName`); the CCM names cloud load balancers after it. */
  readonly clusterName: string;
  /** The region network (VPC / Neutron network id). */
  readonly networkId: string;
  /** Subnet (vSwitch) id per zone index; load balancers of `type: LoadBalancer` Services go into zone 0's. */
  readonly subnetIds: readonly string[];
  /** Zone name per zone index (Alibaba Cloud's CCM pairs each vSwitch with its zone). */
  readonly zoneNames: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What the cloud made for a kubeadm cluster's CCM and CSI driver: the files of the Kubernetes Secret they read.
 * Every credential in them is a token of this (the infra) stack, never a literal: the platform stack takes them
 * through cross-stack references.
 */
export interface ClusterCloudIntegrationRefs {
  readonly kind: CloudKind;
  /** Secret data: file name (`cloud.conf`; Alibaba Cloud: `cloud-config.conf`, `id`, `secret`) to content; sensitive. */
  readonly secretFiles: Readonly<Record<string, string>>;
  /**
   * The cluster's hosts need a config drive: the CSI node plugin learns its instance id and zone from one, since
   * the metadata service is closed after boot (OpenStack; Alibaba Cloud's disk CSI reads them from the Node object
   * its CCM initialized).
   */
  readonly configDrive: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Managed Kubernetes (issue 10): the cloud's managed control plane (ACK, Magnum) and its node pools

/** One node pool of a managed cluster as the cloud adapter receives it: identical nodes over some zones. */
export interface ManagedNodePoolSpec {
  /** The pool's name in the region file (`nodePools[].name`); construct ids and node-group names derive from it. */
  readonly name: string;
  /** Physical name: `<region>-<pool>`. */
  readonly physicalName: string;
  /** Instance type (`ecs.g7.xlarge`) or flavor (`m1.xlarge`). */
  readonly instanceType: string;
  /** Fixed number of nodes over all of the pool's zones; exactly one of `count` and `autoscaling` is set. */
  readonly count?: number;
  /** Bounds of the cluster autoscaler, over all of the pool's zones. */
  readonly autoscaling?: { readonly min: number; readonly max: number };
  /** Root disk of each node, GiB. */
  readonly systemDiskSizeGiB: number;
  /** Root disk type in the cloud's terms. @default - the adapter's SSD type */
  readonly systemDiskType?: string;
  /** Kubernetes labels of the nodes. */
  readonly labels: Readonly<Record<string, string>>;
  /** Kubernetes taints of the nodes. */
  readonly taints: readonly {
    readonly key: string;
    readonly value?: string;
    readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  }[];
  /** Zone indexes (into the network's subnets and zone names) the pool spreads over, ascending. */
  readonly zoneIndexes: readonly number[];
  /** Replace nodes that stay NotReady. */
  readonly autoRepair: boolean;
}

/** What a managed Kubernetes cluster asks the cloud adapter for. */
export interface ManagedClusterSpec {
  /** Physical name of the cluster: the region name. */
  readonly name: string;
  /** Kubernetes minor version (`1.36`). */
  readonly version: string;
  /** Pod range, planned by lib/net `planClusterRanges` (never overlapping the network or the service range). */
  readonly podCidr: string;
  /** Service (ClusterIP) range, planned likewise. */
  readonly serviceCidr: string;
  /** The region network (VPC / Neutron network id). */
  readonly networkId: string;
  /** Subnet (vSwitch) id per zone index. */
  readonly subnetIds: readonly string[];
  /** Zone name per zone index. */
  readonly zoneNames: readonly string[];
  /** Refuse to delete the cluster through the cloud API. */
  readonly deletionProtection: boolean;
  /** The control plane's logs in the cloud's log service. */
  readonly controlPlaneLogging: { readonly enabled: boolean; readonly retentionDays: number };
  readonly nodePools: readonly ManagedNodePoolSpec[];
  readonly tags: Readonly<Record<string, string>>;
}

/** What the cloud made for a managed cluster: its resources and how to reach its API server. */
export interface ManagedClusterRefs {
  /** The cluster resource (`alicloud_cs_managed_kubernetes`, `openstack_containerinfra_cluster_v1`). */
  readonly cluster: TerraformResource;
  readonly clusterId: string;
  /** Node-pool resources by pool name: one per pool on ACK, one per pool and zone on Magnum (zone order). */
  readonly nodePools: ReadonlyMap<string, readonly TerraformResource[]>;
  /**
   * How to reach the API server, all tokens of this stack, in the shape of `KubernetesAccess`
   * (constructs/cluster/kubernetes-access.ts; lib does not import constructs): the `https://` URL, and the CA,
   * admin client certificate and key as PEM.
   */
  readonly access: {
    readonly endpoint: string;
    readonly clusterCaCertificate: string;
    readonly clientCertificate: string;
    readonly clientKey: string;
  };
  /** A complete kubeconfig (YAML) with the same credentials; sensitive. */
  readonly kubeconfig: string;
}

/** The managed-Kubernetes part of a cloud adapter. */
export interface IManagedKubernetesCloud {
  /**
   * Creates a managed cluster in the region network with a node pool per `nodePools` entry, and reads its admin
   * credentials. @throws SpecError when the cloud cannot express what the spec asks for
   */
  managedKubernetes(scope: Construct, id: string, spec: ManagedClusterSpec): ManagedClusterRefs;
}
