/**
 * regionkit as a library: the stacks, constructs and spec types an infra repo composes regions from.
 */
export { RegionStack, infraStackName, type RegionStackProps } from './stacks/region-stack.js';
export { addRegionStacks } from './stacks/region-app.js';
export { Network, type INetwork, type NetworkProps } from './constructs/network/network.js';
export {
  SecurityGroup,
  Peers,
  Port,
  type ISecurityGroup,
  type Peer,
  type SecurityGroupProps,
} from './constructs/network/security-group.js';
export { HostGroup, type HostGroupProps, type HostInfo, type IHostGroup } from './constructs/compute/host-group.js';
export {
  HostRole,
  type HostContext,
  type IHostRole,
  type InventoryHost,
  type PortSource,
  type RolePort,
  type RoleSecret,
} from './constructs/roles/host-role.js';
export { RoleCatalog, BASE_ROLES } from './constructs/roles/catalog.js';
export { Bastion, type BastionProps } from './constructs/compute/bastion.js';
export {
  LoadBalancer,
  type LoadBalancerListener,
  type LoadBalancerProps,
} from './constructs/loadbalancer/load-balancer.js';
export { createCloud } from './lib/cloud/create-cloud.js';
export type { ICloud, CloudKind } from './lib/cloud/types.js';
export { CloudConfig, type CloudConfigFile, type CloudConfigUser } from './lib/cloudinit/cloud-config.js';
export { NetworkPlan } from './lib/net/network-plan.js';
export { loadRegionFile, loadRegionFiles, resolveRegionSpec, type LoadedSpec } from './lib/spec/load.js';
export {
  regionSpecSchema,
  type RegionSpec,
  type RegionSpecInput,
  type HostGroupSpec,
  type LoadBalancerSpec,
} from './lib/spec/region-spec.js';
export { regionJsonSchema } from './lib/spec/json-schema.js';
export { checkStack, loadProviderSchemas, type ConformanceProblem } from './lib/providers/conformance.js';
export { SpecError, SpecValidationError, type SpecIssue } from './lib/errors.js';
export { GENERATED_PROVIDERS, PREBUILT_PROVIDERS } from './lib/versions.js';
