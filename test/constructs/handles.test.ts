/**
 * Typed handles: every construct exposes its primary cloud resources as the generated binding's classes, so a
 * consumer overrides or reads them without walking the tree.
 */
import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { Instance } from '../../lib/gen/alicloud/instance/index.js';
import { SecurityGroup as AlicloudSecurityGroup } from '../../lib/gen/alicloud/security-group/index.js';
import { SlbLoadBalancer } from '../../lib/gen/alicloud/slb-load-balancer/index.js';
import { Vpc } from '../../lib/gen/alicloud/vpc/index.js';
import { Vswitch } from '../../lib/gen/alicloud/vswitch/index.js';
import { ComputeInstanceV2 } from '../../lib/gen/openstack/compute-instance-v2/index.js';
import { LbLoadbalancerV2 } from '../../lib/gen/openstack/lb-loadbalancer-v2/index.js';
import { NetworkingNetworkV2 } from '../../lib/gen/openstack/networking-network-v2/index.js';
import { NetworkingSecgroupV2 } from '../../lib/gen/openstack/networking-secgroup-v2/index.js';
import { NetworkingSubnetV2 } from '../../lib/gen/openstack/networking-subnet-v2/index.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { minimalSpec, synthJson } from '../helpers.js';

const CLASSES = {
  alicloud: {
    instance: Instance,
    vpc: Vpc,
    subnet: Vswitch,
    loadBalancer: SlbLoadBalancer,
    securityGroup: AlicloudSecurityGroup,
  },
  openstack: {
    instance: ComputeInstanceV2,
    vpc: NetworkingNetworkV2,
    subnet: NetworkingSubnetV2,
    loadBalancer: LbLoadbalancerV2,
    securityGroup: NetworkingSecgroupV2,
  },
} as const;

describe.each(['alicloud', 'openstack'] as const)('typed handles on %s', (cloud) => {
  const build = () =>
    new RegionStack(Testing.app(), 'test-infra', {
      spec: minimalSpec(cloud, {
        hostGroups: [{ name: 'web', count: 4 }],
        loadBalancers: [{ name: 'www', backends: 'web', listeners: [{ port: 80 }] }],
      }),
    });
  const classes = CLASSES[cloud];

  test('reach the primary resources as the generated classes', () => {
    const stack = build();
    const web = stack.hostGroups.get('web')!;
    expect(web.instances).toHaveLength(4);
    for (const instance of web.instances) expect(instance).toBeInstanceOf(classes.instance);
    expect(web.instances.map((i) => i.node.path)).toEqual(
      [1, 2, 3, 4].map((n) => `test-infra/HostGroups/Web/Host${n}/Resource`),
    );
    expect(web.securityGroup.resource).toBeInstanceOf(classes.securityGroup);
    expect(stack.network.vpc).toBeInstanceOf(classes.vpc);
    expect(stack.network.subnets).toHaveLength(3);
    for (const subnet of stack.network.subnets) expect(subnet).toBeInstanceOf(classes.subnet);
    expect(stack.loadBalancers.get('www')!.resource).toBeInstanceOf(classes.loadBalancer);
  });

  test('an override on a handle reaches the synthesized JSON', () => {
    const stack = build();
    stack.hostGroups.get('web')!.instances[1]!.addOverride('lifecycle.prevent_destroy', true);
    stack.loadBalancers.get('www')!.resource.addOverride('description', 'managed elsewhere');
    const json = synthJson(stack);
    const instances = json.resource![classes.instance.tfResourceType]!;
    const preventDestroy = Object.values(instances).map(
      (i) => (i as { lifecycle?: { prevent_destroy?: boolean } }).lifecycle?.prevent_destroy,
    );
    expect(preventDestroy).toEqual([undefined, true, undefined, undefined]);
    const lbs = Object.values(json.resource![classes.loadBalancer.tfResourceType]!);
    expect(lbs.map((lb) => (lb as { description?: string }).description)).toEqual(['managed elsewhere']);
  });
});
