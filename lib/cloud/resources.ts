/**
 * Typed handles on the cloud resources a construct made, as aws-cdk's `node.defaultChild`: the constructs
 * expose their primary resources (`hostGroup.instances`, `loadBalancer.resource`, `network.vpc` …) typed by the
 * generated bindings, so a consumer can override or read them without walking the tree.
 *
 * The handles are found by construct id below the construct, the same ids that are a contract anyway (changing
 * one replaces the cloud resource), and checked with `TerraformResource.isTerraformResource` and the
 * resource type, never `instanceof` (which fails when a project holds two copies of cdktf). Type-only imports:
 * the adapters remain the only code creating these resources.
 */
import { TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';

import type { Instance } from '../gen/alicloud/instance/index.js';
import type { SecurityGroup as AlicloudSecurityGroup } from '../gen/alicloud/security-group/index.js';
import type { SlbLoadBalancer } from '../gen/alicloud/slb-load-balancer/index.js';
import type { Vpc } from '../gen/alicloud/vpc/index.js';
import type { Vswitch } from '../gen/alicloud/vswitch/index.js';
import type { ComputeInstanceV2 } from '../gen/openstack/compute-instance-v2/index.js';
import type { LbLoadbalancerV2 } from '../gen/openstack/lb-loadbalancer-v2/index.js';
import type { NetworkingNetworkV2 } from '../gen/openstack/networking-network-v2/index.js';
import type { NetworkingSecgroupV2 } from '../gen/openstack/networking-secgroup-v2/index.js';
import type { NetworkingSubnetV2 } from '../gen/openstack/networking-subnet-v2/index.js';

/** A host: `alicloud_instance` or `openstack_compute_instance_v2`; narrow with `instanceof` on the binding class. */
export type InstanceResource = Instance | ComputeInstanceV2;
/** The region network: `alicloud_vpc` or `openstack_networking_network_v2`. */
export type NetworkResource = Vpc | NetworkingNetworkV2;
/** One zone's subnet: `alicloud_vswitch` or `openstack_networking_subnet_v2`. */
export type SubnetResource = Vswitch | NetworkingSubnetV2;
/** A load balancer: `alicloud_slb_load_balancer` or `openstack_lb_loadbalancer_v2`. */
export type LoadBalancerResource = SlbLoadBalancer | LbLoadbalancerV2;
/** A security group: `alicloud_security_group` or `openstack_networking_secgroup_v2`. */
export type SecurityGroupResource = AlicloudSecurityGroup | NetworkingSecgroupV2;

/**
 * The resource at `ids` below `scope` (first id that exists among `alternatives` at each step), which must be
 * one of `types`. A missing or different resource is a bug in regionkit (an adapter changed its ids).
 */
export function resourceAt<T extends TerraformResource>(
  scope: IConstruct,
  alternatives: readonly (readonly string[])[],
  types: readonly string[],
): T {
  let node: IConstruct | undefined = scope;
  for (const ids of alternatives) {
    node = ids.map((id) => node!.node.tryFindChild(id)).find((c) => c !== undefined);
    if (!node) break;
  }
  if (!node || !TerraformResource.isTerraformResource(node) || !types.includes(node.terraformResourceType)) {
    const where = `${scope.node.path}/${alternatives.map((ids) => ids.join('|')).join('/')}`;
    throw new Error(`${where}: expected a resource of type ${types.join(' or ')}`);
  }
  return node as T;
}
