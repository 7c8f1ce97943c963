/**
 * `<region>-infra`: a region's cloud resources (network, hosts, load balancers) from a `RegionSpec`.
 * The stack only turns the spec into constructs; resource logic lives in the constructs and adapters.
 */
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

import { KubernetesCluster } from '../constructs/cluster/kubernetes-cluster.js';
import { MesosCluster } from '../constructs/cluster/mesos-cluster.js';
import { Bastion } from '../constructs/compute/bastion.js';
import { HostGroup } from '../constructs/compute/host-group.js';
import { LoadBalancer } from '../constructs/loadbalancer/load-balancer.js';
import { Network } from '../constructs/network/network.js';
import { assertSameCopies } from '../constructs/one-copy.js';
import { BASE_ROLES, RoleCatalog } from '../constructs/roles/catalog.js';
import type { IHostRole } from '../constructs/roles/host-role.js';
import { RoleRegistry } from '../constructs/roles/registry.js';
import { createCloud } from '../lib/cloud/create-cloud.js';
import { SpecError } from '../lib/errors.js';
import { recordHostGroup, type HealthEndpoint } from '../lib/host-records.js';
import { NoPublicSsh } from '../lib/policy/no-public-ssh.js';
import { groupHostConfig } from '../lib/spec/host-config.js';
import { resolveRegionSpec } from '../lib/spec/load.js';
import {
  adminApiSources,
  BASTION_GROUP,
  groupOs,
  GROUP_ROLE_NAMES,
  type GroupRoleName,
  type HostGroupSpec,
  type LoadBalancerSpec,
  type RegionSpec,
  type RegionSpecInput,
} from '../lib/spec/region-spec.js';

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

/** A host group as a region file writes it (`hostGroups[]`), defaults not yet filled in. */
export type HostGroupInput = NonNullable<RegionSpecInput['hostGroups']>[number];
/** A load balancer as a region file writes it (`loadBalancers[]`), defaults not yet filled in. */
export type LoadBalancerInput = NonNullable<RegionSpecInput['loadBalancers']>[number];

/** Stack name of a region's cloud resources. */
export function infraStackName(region: string): string {
  return `${region}-infra`;
}

export class RegionStack extends TerraformStack {
  public readonly network: Network;
  /** Host groups by name: the region file's, then those added with `addHostGroup`. */
  public readonly hostGroups: ReadonlyMap<string, HostGroup>;
  public readonly bastion?: Bastion;
  /** Load balancers by name: the region file's, then those added with `addLoadBalancer`. */
  public readonly loadBalancers: ReadonlyMap<string, LoadBalancer>;
  /** The Mesos cluster the groups form, when the region file has one. */
  public readonly cluster?: MesosCluster;
  /**
   * The Kubernetes cluster, when the region file's cluster is `kind: kubernetes`; the `<region>-platform` stack
   * reads `kubernetes.access` through cross-stack references.
   */
  public readonly kubernetes?: KubernetesCluster;
  private currentSpec: RegionSpec;
  private readonly catalog: RoleCatalog;
  private readonly registry: RoleRegistry;
  private readonly customRoles = new Map<string, IHostRole>();
  private readonly groupsScope: Construct;
  private readonly lbScope: Construct;
  private outputsScope?: Construct;

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(assertSameCopies(scope), id);
    this.registry = RoleRegistry.of(scope);
    const spec = resolveRegionSpec(props.spec, `stack ${id}`, { customRoles: this.registry.names });
    this.currentSpec = spec;
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
    const catalog = (this.catalog = new RoleCatalog(this, 'Roles', {
      cloud: spec.cloud,
      hostDefaults: cloud.hostDefaults,
      rexray: cloud.rexray,
      adminUser: spec.admin.user,
      sshKeys: spec.admin.sshKeys,
      registryMirror: spec.registryMirror,
      groups: () => [...groups.values()],
      seedGroup: spec.cluster?.kind === 'mesos' ? spec.cluster.controlGroup : undefined,
    }));
    this.groupsScope = new Construct(this, 'HostGroups');
    for (const group of spec.hostGroups) {
      const construct = this.newHostGroup(group);
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
    for (const groupSpec of spec.hostGroups) this.addRolesByName(groups.get(groupSpec.name)!, groupSpec);
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

    if (spec.cluster?.kind === 'kubernetes') {
      this.kubernetes = new KubernetesCluster(this, 'Cluster', {
        network: this.network,
        spec: spec.cluster,
        ...(Array.isArray(spec.zones) ? { zoneNames: spec.zones } : {}),
        tags,
        hostGroups: groups,
        apiSources: adminApiSources(spec),
      });
    }

    const lbs = new Map<string, LoadBalancer>();
    this.lbScope = new Construct(this, 'LoadBalancers');
    for (const lb of spec.loadBalancers) lbs.set(lb.name, this.newLoadBalancer(lb));
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
    for (const group of groups.values()) this.recordHosts(group);
  }

  /** The region, validated and defaulted; with the groups and load balancers added in code. */
  public get spec(): RegionSpec {
    return this.currentSpec;
  }

  /**
   * Adds a host group in code as if it were the last entry of the region file's `hostGroups`: the region is
   * validated again with it (names, counts, the address plan, role requirements), its hosts get the base roles
   * and the roles it names (built-in or registered with `RoleRegistry`), SSH from the bastion, and the outputs
   * `host_group_<name>_{private_ips,instance_ids,security_group_id,virtual_ips}` (docs/outputs.md). Its role
   * problems (cycles, oversized user data) throw here.
   * @throws SpecError listing every problem, as for a region file
   */
  public addHostGroup(group: HostGroupInput): HostGroup {
    if (group.name === BASTION_GROUP) {
      throw new SpecError(`${this.node.path}: addHostGroup: the ${BASTION_GROUP} group comes from the region spec`);
    }
    const groupSpec = this.respec(
      { hostGroups: [...this.spec.hostGroups, group] },
      `addHostGroup ${group.name}`,
    ).hostGroups.at(-1)!;
    const created = this.newHostGroup(groupSpec);
    (this.hostGroups as Map<string, HostGroup>).set(groupSpec.name, created);
    if (this.bastion) {
      this.bastion.allowSshTo(created);
      created.setBastion(this.bastion.securityGroup);
    }
    this.addRolesByName(created, groupSpec);
    created.validateRoles();
    this.groupOutput(groupSpec.name, created);
    this.recordHosts(created);
    return created;
  }

  /**
   * Adds a load balancer in code as if it were the last entry of the region file's `loadBalancers`: validated
   * with the region (its `backends` may name a group added with `addHostGroup`), with the outputs
   * `load_balancer_<name>_address` and `load_balancer_<name>_id`.
   * @throws SpecError listing every problem, as for a region file
   */
  public addLoadBalancer(lb: LoadBalancerInput): LoadBalancer {
    const lbSpec = this.respec(
      { loadBalancers: [...this.spec.loadBalancers, lb] },
      `addLoadBalancer ${lb.name}`,
    ).loadBalancers.at(-1)!;
    const created = this.newLoadBalancer(lbSpec);
    (this.loadBalancers as Map<string, LoadBalancer>).set(lbSpec.name, created);
    this.lbOutput(lbSpec.name, created);
    return created;
  }

  private respec(change: Partial<RegionSpecInput>, what: string): RegionSpec {
    const spec = resolveRegionSpec({ ...this.spec, ...change }, `stack ${this.node.id} (${what})`, {
      customRoles: this.registry.names,
    });
    this.currentSpec = spec;
    return spec;
  }

  private newHostGroup(group: HostGroupSpec): HostGroup {
    const props = {
      network: this.network,
      name: group.name,
      count: group.count,
      instanceType: group.instanceType,
      os: groupOs(this.spec, group),
      image: group.image,
      systemDiskSizeGiB: group.systemDiskSizeGiB,
      systemDiskType: group.systemDiskType,
      dataDisks: group.dataDisks,
      zoneSpread: group.zoneSpread,
    };
    return group.name === BASTION_GROUP
      ? new Bastion(this.groupsScope, pascal(group.name), { ...props, sshSources: this.spec.admin.sshSources })
      : new HostGroup(this.groupsScope, pascal(group.name), props);
  }

  private newLoadBalancer(lb: LoadBalancerSpec): LoadBalancer {
    return new LoadBalancer(this.lbScope, pascal(lb.name), {
      network: this.network,
      name: lb.name,
      public: lb.public,
      backends: this.hostGroups.get(lb.backends)!,
      listeners: lb.listeners,
      healthCheck: lb.healthCheck,
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
    });
  }

  /** The base roles, then the group's own by name: built-in ones from the catalog, others from the registry. */
  private addRolesByName(group: HostGroup, groupSpec: HostGroupSpec): void {
    const config = groupHostConfig(this.spec, groupSpec);
    for (const name of [...BASE_ROLES, ...groupSpec.roles]) {
      group.addRole(
        (GROUP_ROLE_NAMES as readonly string[]).includes(name)
          ? this.catalog.role(name as GroupRoleName, config, group)
          : this.customRole(name),
      );
    }
  }

  /** A registered role, made once per region in `CustomRoles/<Name>` and shared by every group naming it. */
  private customRole(name: string): IHostRole {
    let role = this.customRoles.get(name);
    if (!role) {
      const scope =
        (this.node.tryFindChild('CustomRoles') as Construct | undefined) ?? new Construct(this, 'CustomRoles');
      role = this.registry.create(scope, pascal(name), name, { spec: this.spec, cloud: this.spec.cloud });
      this.customRoles.set(name, role);
    }
    return role;
  }

  /**
   * The configuration record of every host of `group` and what `regionkit roll` needs (lib/host-records.ts):
   * a quorum group is the Mesos control group or one running etcd or ZooKeeper; the health endpoint is the
   * check of the load balancer in front of the group, else ZooKeeper's client port on a quorum group, else
   * SSH (the host booted).
   */
  private recordHosts(group: HostGroup): void {
    const name = group.groupName;
    const groupSpec = () => this.spec.hostGroups.find((g) => g.name === name)!;
    const control = () => (this.spec.cluster?.kind === 'mesos' ? this.spec.cluster.controlGroup : undefined);
    const quorum = () => control() === name || group.hasRole('etcd') || group.hasRole('zookeeper');
    const health = (): HealthEndpoint => {
      const lb = this.spec.loadBalancers.find((l) => l.backends === name);
      if (lb) {
        const port = lb.healthCheck.port ?? lb.listeners[0]!.backendPort ?? lb.listeners[0]!.port;
        return lb.healthCheck.type === 'http'
          ? { protocol: 'http', port, path: lb.healthCheck.path ?? '/', source: `load balancer ${lb.name}` }
          : { protocol: 'tcp', port, source: `load balancer ${lb.name}` };
      }
      if (control() === name || group.hasRole('zookeeper')) return { protocol: 'tcp', port: 2181, source: 'ZooKeeper' };
      if (group.hasRole('etcd')) return { protocol: 'tcp', port: 2379, source: 'etcd' };
      return { protocol: 'tcp', port: 22, source: 'SSH' };
    };
    const instances = group.instances;
    recordHostGroup(group, name, {
      quorum,
      health,
      hosts: group.hosts.map((host, i) => ({
        scope: group.node.findChild(`Host${host.index + 1}`),
        name: host.name,
        zoneIndex: host.zoneIndex,
        privateIp: host.privateIp,
        instance: instances[i]!,
        instanceId: group.hostRefs[i]!.id,
        config: {
          userData: () => group.renderUserData(host),
          image: groupSpec().image ?? `default ${group.os}`,
          placement: `${this.spec.name}-${name}`,
        },
      })),
    });
  }

  /**
   * The stack's outputs, the interface later stacks and other repos build on (docs/outputs.md): names are
   * snake_case and depend only on the names of groups and load balancers, never on counts; lists are in zone or
   * host order. Renaming one is a breaking change.
   */
  private addOutputs(): void {
    const network = this.network;
    this.output('network_id', network.networkId, 'id of the VPC (alicloud) or Neutron network (openstack)');
    this.output('subnet_ids', [...network.subnetIds], 'vSwitch / subnet id per zone, in zone order');
    this.output('zone_names', [...network.zoneNames], 'zone name per zone, in zone order (the order of subnet_ids)');
    for (const [name, lb] of this.loadBalancers) this.lbOutput(name, lb);
    if (this.bastion) {
      this.output('bastion_addresses', this.bastion.publicAddresses, 'public SSH addresses of the bastion');
    }
    for (const [name, group] of this.hostGroups) this.groupOutput(name, group);
    if (this.kubernetes) this.kubernetesOutputs(this.kubernetes);
  }

  /**
   * The Kubernetes API server's endpoint and admin credentials (docs/outputs.md). The credentials and the
   * kubeconfig are sensitive; so is the CA, which OpenStack's provider reads from its sensitive `kubeconfig`.
   */
  private kubernetesOutputs(cluster: KubernetesCluster): void {
    const access = cluster.access;
    this.output('kubernetes_endpoint', access.endpoint, 'URL of the Kubernetes API server (https://<address>:<port>)');
    this.output(
      'kubernetes_cluster_ca_certificate',
      access.clusterCaCertificate,
      "PEM of the CA that signed the API server's certificate",
      true,
    );
    this.output(
      'kubernetes_client_certificate',
      access.clientCertificate,
      'PEM of the cluster-admin client certificate',
      true,
    );
    this.output('kubernetes_client_key', access.clientKey, "PEM of the cluster-admin client certificate's key", true);
    this.output(
      'kubernetes_kubeconfig',
      cluster.kubeconfig,
      'a complete kubeconfig with the cluster-admin credentials',
      true,
    );
  }

  private lbOutput(name: string, lb: LoadBalancer): void {
    this.output(
      `load_balancer_${snake(name)}_address`,
      lb.address,
      `address of load balancer ${name}: its internet address if public, else its fixed internal address`,
    );
    this.output(`load_balancer_${snake(name)}_id`, lb.id, `cloud id of load balancer ${name}`);
  }

  private groupOutput(name: string, group: HostGroup): void {
    this.output(
      `host_group_${snake(name)}_private_ips`,
      group.hosts.map((h) => h.privateIp),
      `private addresses of the ${name} hosts, in host order`,
    );
    this.output(
      `host_group_${snake(name)}_instance_ids`,
      group.hostRefs.map((h) => h.id),
      `instance ids of the ${name} hosts, in host order`,
    );
    this.output(
      `host_group_${snake(name)}_security_group_id`,
      group.securityGroup.securityGroupId,
      `id of the ${name} hosts' security group`,
    );
    this.output(
      `host_group_${snake(name)}_virtual_ips`,
      group.virtualIps,
      `virtual IPs the ${name} hosts move between them (keepalived); empty when the group has none`,
    );
  }

  private output(name: string, value: unknown, description: string, sensitive = false): void {
    this.outputsScope ??= new Construct(this, 'Outputs');
    new TerraformOutput(this.outputsScope, pascal(name), {
      value,
      description,
      ...(sensitive ? { sensitive } : {}),
    }).overrideLogicalId(name);
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
