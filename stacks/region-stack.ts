/**
 * `<region>-infra`: a region's cloud resources (network, hosts, load balancers) from a `RegionSpec`.
 * The stack only turns the spec into constructs; resource logic lives in the constructs and adapters.
 */
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

import { Bastion } from '../constructs/compute/bastion.js';
import { HostGroup } from '../constructs/compute/host-group.js';
import { LoadBalancer } from '../constructs/loadbalancer/load-balancer.js';
import { Network } from '../constructs/network/network.js';
import { createCloud } from '../lib/cloud/create-cloud.js';
import { NoPublicSsh } from '../lib/policy/no-public-ssh.js';
import { resolveRegionSpec } from '../lib/spec/load.js';
import { BASTION_GROUP, type RegionSpec, type RegionSpecInput } from '../lib/spec/region-spec.js';

import { configureBackend } from './backend.js';

export interface RegionStackProps {
  /** The region; validated and defaulted here if it is not already. */
  readonly spec: RegionSpecInput | RegionSpec;
  /**
   * Path of the local state file relative to the stack's synthesized directory (local backend only).
   * @default - `terraform.<stack>.tfstate` in the project directory, seen from `cdktf.out/stacks/<stack>/`
   */
  readonly localStatePath?: string;
}

/** Stack name of a region's cloud resources. */
export function infraStackName(region: string): string {
  return `${region}-infra`;
}

export class RegionStack extends TerraformStack {
  public readonly spec: RegionSpec;
  public readonly network: Network;
  public readonly hostGroups: ReadonlyMap<string, HostGroup>;
  public readonly bastion?: Bastion;
  public readonly loadBalancers: ReadonlyMap<string, LoadBalancer>;

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(scope, id);
    const spec = resolveRegionSpec(props.spec, `stack ${id}`);
    this.spec = spec;
    configureBackend(this, spec.backend, {
      localStatePath: props.localStatePath ?? `../../../terraform.${id}.tfstate`,
      alicloudRegion: spec.alicloud?.region,
    });
    Aspects.of(this).add(new NoPublicSsh());

    const tags = { ...spec.tags, 'managed-by': 'regionkit', 'regionkit-region': spec.name };
    const cloud = createCloud(this, spec);
    this.network = new Network(this, 'Network', {
      cloud,
      regionName: spec.name,
      cidr: spec.network.cidr,
      zones: spec.zones,
      tags,
    });

    const admin = { user: spec.admin.user, sshKeys: spec.admin.sshKeys };
    const groups = new Map<string, HostGroup>();
    const groupsScope = new Construct(this, 'HostGroups');
    for (const group of spec.hostGroups) {
      const props = {
        network: this.network,
        name: group.name,
        count: group.count,
        instanceType: group.instanceType,
        image: group.image,
        systemDiskSizeGiB: group.systemDiskSizeGiB,
        systemDiskType: group.systemDiskType,
        dataDisks: group.dataDisks,
        zoneSpread: group.zoneSpread,
        admin,
      };
      const construct =
        group.name === BASTION_GROUP
          ? new Bastion(groupsScope, pascal(group.name), { ...props, sshSources: spec.admin.sshSources })
          : new HostGroup(groupsScope, pascal(group.name), props);
      groups.set(group.name, construct);
      if (construct instanceof Bastion) this.bastion = construct;
    }
    this.hostGroups = groups;
    for (const group of groups.values()) {
      if (this.bastion && group !== this.bastion) this.bastion.allowSshTo(group);
    }

    const lbs = new Map<string, LoadBalancer>();
    const lbScope = new Construct(this, 'LoadBalancers');
    for (const lb of spec.loadBalancers) {
      lbs.set(
        lb.name,
        new LoadBalancer(lbScope, pascal(lb.name), {
          network: this.network,
          name: lb.name,
          public: lb.public,
          backends: groups.get(lb.backends)!,
          listeners: lb.listeners,
          healthCheck: lb.healthCheck,
        }),
      );
    }
    this.loadBalancers = lbs;
    this.addOutputs();
  }

  private addOutputs(): void {
    const outputs = new Construct(this, 'Outputs');
    const output = (name: string, value: unknown, description: string) =>
      new TerraformOutput(outputs, pascal(name), { value, description }).overrideLogicalId(name);
    for (const [name, lb] of this.loadBalancers) {
      output(`load_balancer_${snake(name)}_address`, lb.address, `address of load balancer ${name}`);
    }
    if (this.bastion) {
      output('bastion_addresses', this.bastion.publicAddresses, 'public SSH addresses of the bastion');
    }
    for (const [name, group] of this.hostGroups) {
      output(
        `host_group_${snake(name)}_private_ips`,
        group.hosts.map((h) => h.privateIp),
        `private addresses of the ${name} hosts, in host order`,
      );
    }
  }
}

/** `edge-lb` -> `EdgeLb`: construct ids are PascalCase. */
function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** `edge-lb` -> `edge_lb`: Terraform output names. */
function snake(name: string): string {
  return name.replaceAll('-', '_');
}
