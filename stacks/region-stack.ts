/**
 * `<region>-infra`: a region's cloud resources (network, hosts, load balancers) from a `RegionSpec`.
 * The stack only turns the spec into constructs; resource logic lives in the constructs and adapters.
 */
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

import { MesosCluster } from '../constructs/cluster/mesos-cluster.js';
import { Bastion } from '../constructs/compute/bastion.js';
import { HostGroup } from '../constructs/compute/host-group.js';
import { LoadBalancer } from '../constructs/loadbalancer/load-balancer.js';
import { Network } from '../constructs/network/network.js';
import { BASE_ROLES, RoleCatalog } from '../constructs/roles/catalog.js';
import { createCloud } from '../lib/cloud/create-cloud.js';
import { SpecError } from '../lib/errors.js';
import { NoPublicSsh } from '../lib/policy/no-public-ssh.js';
import { groupHostConfig } from '../lib/spec/host-config.js';
import { resolveRegionSpec } from '../lib/spec/load.js';
import { BASTION_GROUP, groupOs, type RegionSpec, type RegionSpecInput } from '../lib/spec/region-spec.js';

import { configureBackend } from './backend.js';

export interface RegionStackProps {
  /** The region; validated and defaulted here if it is not already. */
  readonly spec: RegionSpecInput | RegionSpec;
  /**
   * Path of the local state file relative to the stack's synthesized directory (local backend only).
   * @default - `terraform.<stack>.tfstate` in the stack's directory (`cdktf.out/stacks/<stack>/`), written as
   * `../<stack>/terraform.<stack>.tfstate` so that stacks reading its outputs find it too; the synthesized JSON
   * does not depend on where the output directory is
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
  /** The cluster the groups form, when the region file has one. */
  public readonly cluster?: MesosCluster;

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(scope, id);
    const spec = resolveRegionSpec(props.spec, `stack ${id}`);
    this.spec = spec;
    configureBackend(this, spec.backend, {
      // Written through the parent: a stack that reads this one's outputs resolves the same path from its own
      // directory (cdktf's cross-stack remote state copies it verbatim).
      localStatePath: props.localStatePath ?? `../${id}/terraform.${id}.tfstate`,
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

    const groups = new Map<string, HostGroup>();
    const catalog = new RoleCatalog(this, 'Roles', {
      cloud: spec.cloud,
      hostDefaults: cloud.hostDefaults,
      rexray: cloud.rexray,
      adminUser: spec.admin.user,
      sshKeys: spec.admin.sshKeys,
      registryMirror: spec.registryMirror,
      groups: () => [...groups.values()],
    });
    const groupsScope = new Construct(this, 'HostGroups');
    for (const group of spec.hostGroups) {
      const props = {
        network: this.network,
        name: group.name,
        count: group.count,
        instanceType: group.instanceType,
        os: groupOs(spec, group),
        image: group.image,
        systemDiskSizeGiB: group.systemDiskSizeGiB,
        systemDiskType: group.systemDiskType,
        dataDisks: group.dataDisks,
        zoneSpread: group.zoneSpread,
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
      if (this.bastion && group !== this.bastion) {
        this.bastion.allowSshTo(group);
        group.setBastion(this.bastion.securityGroup);
      }
    }

    // host roles: the base roles everywhere, then each group's own, by name
    for (const groupSpec of spec.hostGroups) {
      const group = groups.get(groupSpec.name)!;
      const config = groupHostConfig(spec, groupSpec);
      for (const name of [...BASE_ROLES, ...groupSpec.roles]) group.addRole(catalog.role(name, config, group));
    }
    const hostConfigOf = (group: HostGroup) =>
      groupHostConfig(
        spec,
        spec.hostGroups.find((g) => g.name === group.groupName)!,
      );
    if (spec.cluster?.kind === 'mesos') {
      const c = spec.cluster;
      this.cluster = new MesosCluster(this, 'Cluster', {
        name: spec.name,
        control: groups.get(c.controlGroup)!,
        workers: groups.get(c.workerGroup)!,
        edge: c.edgeGroup === undefined ? undefined : groups.get(c.edgeGroup)!,
        catalog,
        hostConfig: hostConfigOf,
        domain: c.domain,
        chronos: c.chronos,
        rexray: c.rexray,
        dnsResolvers: cloud.hostDefaults.dnsResolvers,
      });
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
    // Role problems (dependency cycles, oversized user data) are the region file's, reported before synth.
    // Every group is checked, so one run reports the problems of all of them.
    const problems: SpecError[] = [];
    for (const group of groups.values()) {
      try {
        group.validateRoles();
      } catch (err) {
        if (!(err instanceof SpecError)) throw err;
        problems.push(err);
      }
    }
    if (problems.length > 0) {
      throw new SpecError(problems.map((p) => p.message).join('\n'), { hint: problems.find((p) => p.hint)?.hint });
    }
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

/**
 * The region-file field a construct path of a region stack stands for: `<stack>/HostGroups/Worker/...` is
 * `hostGroups[i]` (i the group's index in `spec.hostGroups`), `<stack>/LoadBalancers/Web` is
 * `loadBalancers[i]`, `<stack>/Network` is `network`, `<stack>/Cluster` is `cluster`; anything else is the
 * region as a whole (`''`).
 */
export function specFieldOf(spec: RegionSpec, constructPath: string): string {
  const [, scope, id] = constructPath.split('/');
  const indexIn = (items: readonly { name: string }[], field: string) => {
    const i = items.findIndex((item) => pascal(item.name) === id);
    return i < 0 ? field : `${field}[${i}]`;
  };
  switch (scope) {
    case 'HostGroups':
      return indexIn(spec.hostGroups, 'hostGroups');
    case 'LoadBalancers':
      return indexIn(spec.loadBalancers, 'loadBalancers');
    case 'Network':
      return 'network';
    case 'Cluster':
      return 'cluster';
    default:
      return '';
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
