/**
 * regionkit as a library: the stacks, constructs and spec types an infra repo composes regions from.
 */
export {
  RegionStack,
  infraStackName,
  type RegionStackProps,
  type HostGroupInput,
  type LoadBalancerInput,
} from './stacks/region-stack.js';
export {
  addRegionStacks,
  addPlatformStacks,
  infraStacks,
  type PlatformClusterInputs,
  type RegionAppStack,
} from './stacks/region-app.js';
export { PlatformStack, platformStackName, type PlatformStackProps } from './stacks/platform-stack.js';
export { TenantNamespace, type TenantNamespaceProps } from './constructs/platform/tenant-namespace.js';
export { GatewayApi, type GatewayApiProps, type TenantGateway } from './constructs/platform/gateway-api.js';
export { StorageClasses, type StorageClassesProps } from './constructs/platform/storage-classes.js';
export {
  NetworkPolicyAgent,
  NETWORK_POLICY_AGENT,
  type NetworkPolicyAgentProps,
} from './constructs/platform/network-policy-agent.js';
export { PodNetwork, type PodNetworkProps } from './constructs/platform/pod-network.js';
export { CloudProvider, type CloudProviderProps } from './constructs/platform/cloud-provider.js';
export {
  AlicloudCloudControllerManager,
  type AlicloudCloudControllerManagerProps,
} from './constructs/platform/alicloud-ccm.js';
export {
  Network,
  NetworkBase,
  type INetwork,
  type NetworkAttributes,
  type NetworkProps,
} from './constructs/network/network.js';
export {
  SecurityGroup,
  Peers,
  Port,
  type ISecurityGroup,
  type Peer,
  type SecurityGroupProps,
  type IngressRule,
} from './constructs/network/security-group.js';
export { HostGroup, type HostGroupProps, type HostInfo, type IHostGroup } from './constructs/compute/host-group.js';
export {
  MesosCluster,
  AGENT_DOCKER_MIN_API_VERSION,
  type MesosClusterProps,
} from './constructs/cluster/mesos-cluster.js';
export { KubernetesCluster, type KubernetesClusterProps } from './constructs/cluster/kubernetes-cluster.js';
export { KubeadmCluster, type KubeadmClusterProps } from './constructs/cluster/kubeadm-cluster.js';
export { KubeadmPki } from './constructs/roles/kubeadm-pki.js';
export { Containerd, type ContainerdProps } from './constructs/roles/containerd.js';
export { Kubeadm, type KubeadmProps } from './constructs/roles/kubeadm.js';
export { Kubelet, type KubeletProps } from './constructs/roles/kubelet.js';
export type { KubernetesAccess } from './constructs/cluster/kubernetes-access.js';
export {
  HostRole,
  type HostContext,
  type HostRoleDeclaration,
  type IHostRole,
  type InventoryHost,
  type PortSource,
  type RoleGroup,
  type RolePort,
  type RoleSecret,
} from './constructs/roles/host-role.js';
export type { RoleDataDir } from './constructs/roles/data-disk.js';
export { RoleCatalog, BASE_ROLES, type RoleCatalogProps } from './constructs/roles/catalog.js';
export type { DnsForward } from './constructs/roles/dnsmasq.js';
export { RoleRegistry, type RoleFactory, type RoleFactoryContext } from './constructs/roles/registry.js';
export { Bastion, type BastionProps } from './constructs/compute/bastion.js';
export {
  LoadBalancer,
  type LoadBalancerListener,
  type LoadBalancerProps,
} from './constructs/loadbalancer/load-balancer.js';
export { createCloud } from './lib/cloud/create-cloud.js';
export type {
  ICloud,
  CloudKind,
  BackendSource,
  DataDiskSpec as HostDataDiskSpec,
  HostDefaults,
  HostRefs,
  HostSpec,
  IngressRuleSpec,
  ListenerSpec,
  LoadBalancerMember,
  LoadBalancerRefs,
  LoadBalancerSpec as CloudLoadBalancerSpec,
  LoadBalancerSourcesSpec,
  NetworkRefs,
  NetworkSpec,
  RexrayCloudSettings,
  RuleProtocol,
  SecurityGroupSpec,
  VirtualIpSpec,
  ZoneSubnetSpec,
  AptMirrors,
  HostSecretValue,
  HostSecretsSpec,
  IHostSecrets,
  IManagedKubernetesCloud,
  ManagedClusterRefs,
  ManagedClusterSpec,
  ManagedNodePoolSpec,
  ClusterCloudIntegrationRefs,
  ClusterCloudIntegrationSpec,
} from './lib/cloud/types.js';
export { BACKEND_SOURCE_FACTS, type BackendSourceFact, type BackendSourceFactId } from './lib/cloud/load-balancing.js';
export {
  parseUserDataValue,
  userDataTemplate,
  type UserDataEncoding,
  type UserDataPart,
} from './lib/cloud/user-data.js';
export type { SecretFetchSettings } from './lib/cloudinit/secret-delivery.js';
export type {
  InstanceResource,
  LoadBalancerResource,
  NetworkResource,
  SecurityGroupResource,
  SubnetResource,
} from './lib/cloud/resources.js';
export {
  CloudConfig,
  type CloudConfigFile,
  type CloudConfigUser,
  type SystemdUnit,
} from './lib/cloudinit/cloud-config.js';
export type { ImagePin, RegistryMirror } from './lib/images/registry-mirror.js';
export { NetworkPlan, type ClusterRanges } from './lib/net/network-plan.js';
export {
  loadRegionFile,
  loadRegionFiles,
  resolveRegionSpec,
  type LoadedSpec,
  type ResolveOptions,
} from './lib/spec/load.js';
export {
  regionSpecSchema,
  IDLE_TIMEOUT_SECONDS,
  CLOUDS,
  HOST_OS,
  type HostOs,
  GROUP_ROLE_NAMES,
  ROLE_NAME,
  type RoleName,
  type GroupRoleName,
} from './lib/spec/region-spec.js';
// The spec's documented shapes (generated from the zod schema by `npm run schema`; every field's description is its JSDoc).
export type {
  AdminSpec,
  AdminSpecInput,
  AlicloudDataDiskSnapshotsSpec,
  AlicloudDataDiskSnapshotsSpecInput,
  AlicloudRexraySettings,
  AlicloudRexraySettingsInput,
  AlicloudSettings,
  AlicloudSettingsInput,
  BackendSpec,
  BackendSpecInput,
  ClusterSpec,
  ClusterSpecInput,
  DataDiskSpec,
  DataDiskSpecInput,
  HealthCheckSpec,
  HealthCheckSpecInput,
  HostConfig,
  HostConfigInput,
  HostConfigOverrides,
  HostConfigOverridesInput,
  HostGroupSpec,
  HostGroupSpecInput,
  // the cloud adapter's ListenerSpec (above) is a different shape
  ListenerSpec as LoadBalancerListenerSpec,
  ListenerSpecInput as LoadBalancerListenerSpecInput,
  LoadBalancerSpec,
  LoadBalancerSpecInput,
  LocalBackendSpec,
  LocalBackendSpecInput,
  MesosClusterSpec,
  MesosClusterSpecInput,
  OpenstackRexraySettings,
  OpenstackRexraySettingsInput,
  OpenstackSettings,
  OpenstackSettingsInput,
  OssBackendSpec,
  OssBackendSpecInput,
  RegionNetworkSpec,
  RegionNetworkSpecInput,
  RegionSpec,
  RegionSpecInput,
  RegistryMirrorSpec,
  RegistryMirrorSpecInput,
  S3BackendSpec,
  S3BackendSpecInput,
  ControlPlaneLoggingSpec,
  ControlPlaneLoggingSpecInput,
  KubeadmKubernetesSpec,
  KubeadmKubernetesSpecInput,
  KubernetesClusterSpec,
  KubernetesClusterSpecInput,
  ManagedKubernetesSpec,
  ManagedKubernetesSpecInput,
  NodePoolAutoscalingSpec,
  NodePoolAutoscalingSpecInput,
  NodePoolSpec,
  NodePoolSpecInput,
  TaintSpec,
  TaintSpecInput,
  TenantQuotaSpec,
  TenantQuotaSpecInput,
  TenantSpec,
  TenantSpecInput,
} from './lib/spec/region-spec-types.js';
export { regionJsonSchema } from './lib/spec/json-schema.js';
export {
  checkStack,
  loadProviderSchemas,
  type ConformanceProblem,
  type Json,
  type JsonObject,
} from './lib/providers/conformance.js';
export type {
  ProviderSchema,
  SchemaAttribute,
  SchemaBlock,
  SchemaBlockType,
  SchemaNestedType,
  SchemaType,
  TypeSchema,
} from './lib/providers/schema-format.js';
export { SpecError, SpecValidationError, type SpecIssue } from './lib/errors.js';
export { GENERATED_PROVIDERS, PREBUILT_PROVIDERS, type ProviderPin } from './lib/versions.js';
