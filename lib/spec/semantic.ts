/**
 * Checks that span fields of a region (references between groups and load balancers, capacity of the
 * address plan, cloud-specific settings). They run after the field-level schema passed, on the spec with
 * defaults filled in, and return every problem found.
 */
import type { SpecIssue } from '../errors.js';
import {
  cidrsOverlap,
  HOST_BLOCK_SIZE,
  INFRA_ADDRESSES,
  NetworkPlan,
  planClusterRanges,
  podCidrNodeCapacity,
  type ClusterRangeProblem,
} from '../net/network-plan.js';

import { groupHostConfig } from './host-config.js';
import { describeValue } from './issues.js';
import {
  adminApiSources,
  BASTION_GROUP,
  CGROUP_V1_OS,
  groupOs,
  IDLE_TIMEOUT_SECONDS,
  type KubernetesClusterSpec,
  type RegionSpec,
} from './region-spec.js';

/** Roles whose ports are open to their cluster's groups, so they need a cluster. */
const CLUSTER_PORT_ROLES: readonly string[] = ['glusterfs-server', 'calico', 'weave', 'etcd'];

/** Most internal load balancers per region: infrastructure addresses 2..15 of zone 0 (1 is the gateway). */
export const MAX_INTERNAL_LOAD_BALANCERS = INFRA_ADDRESSES - 1;

/** The weave role's container range when `hostConfig.weaveIpallocRange` is not set (weave's own default). */
export const DEFAULT_WEAVE_IPALLOC_RANGE = '10.32.0.0/12';

/** Number of zones a spec spreads over. */
export function zoneCount(spec: Pick<RegionSpec, 'zones'>): number {
  return typeof spec.zones === 'number' ? spec.zones : spec.zones.length;
}

export function semanticIssues(spec: RegionSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  // cloud settings: exactly the block for the chosen cloud
  for (const cloud of ['alicloud', 'openstack'] as const) {
    if (spec.cloud === cloud && !spec[cloud]) add(cloud, `is required when cloud is ${cloud}`);
    if (spec.cloud !== cloud && spec[cloud]) add(cloud, `must be absent when cloud is ${spec.cloud}`);
  }

  const zones = zoneCount(spec);
  if (Array.isArray(spec.zones)) {
    const names = spec.zones;
    duplicates(names).forEach((i) => add(`zones[${i}]`, `must be unique, got ${describeValue(names[i])} twice`));
  }

  // host groups
  const plan = new NetworkPlan(spec.network.cidr);
  if (spec.hostGroups.length > plan.maxHostGroups) {
    add(
      'hostGroups',
      `must have at most ${plan.maxHostGroups} groups for network ${spec.network.cidr}, got ${spec.hostGroups.length}; ` +
        'use a wider network.cidr',
    );
  }
  const groupNames = spec.hostGroups.map((g) => g.name);
  duplicates(groupNames).forEach((i) =>
    add(`hostGroups[${i}].name`, `must be unique, got ${describeValue(groupNames[i])} twice`),
  );
  spec.hostGroups.forEach((group, i) => {
    const spread = group.zoneSpread ?? zones;
    if (spread > zones) {
      add(`hostGroups[${i}].zoneSpread`, `must be at most the region's ${zones} zones, got ${spread}`);
    }
    const capacity = HOST_BLOCK_SIZE * Math.min(spread, zones);
    if (group.count > capacity) {
      add(
        `hostGroups[${i}].count`,
        `must be at most ${capacity} (${HOST_BLOCK_SIZE} per zone x ${Math.min(spread, zones)} zones), got ${group.count}`,
      );
    }
    if (group.name === BASTION_GROUP && group.count > 2) {
      add(`hostGroups[${i}].count`, `must be 1 or 2 for the bastion group, got ${group.count}`);
    }
  });
  const hasBastion = groupNames.includes(BASTION_GROUP);
  if (hasBastion && spec.admin.sshSources.length === 0) {
    add('admin.sshSources', `must list at least one CIDR when a "${BASTION_GROUP}" host group exists, got []`);
  }

  // load balancers
  const lbNames = spec.loadBalancers.map((lb) => lb.name);
  duplicates(lbNames).forEach((i) =>
    add(`loadBalancers[${i}].name`, `must be unique, got ${describeValue(lbNames[i])} twice`),
  );
  const internal = spec.loadBalancers.filter((lb) => !lb.public).length;
  if (internal > MAX_INTERNAL_LOAD_BALANCERS) {
    add('loadBalancers', `must have at most ${MAX_INTERNAL_LOAD_BALANCERS} internal load balancers, got ${internal}`);
  }
  spec.loadBalancers.forEach((lb, i) => {
    const at = `loadBalancers[${i}]`;
    if (!groupNames.includes(lb.backends)) {
      add(`${at}.backends`, `must name a host group (${groupNames.join(', ')}), got ${describeValue(lb.backends)}`);
    } else if (lb.backends === BASTION_GROUP) {
      add(`${at}.backends`, 'must not be the bastion group: the bastion only takes SSH');
    }
    const keys = lb.listeners.map((l) => `${l.protocol === 'udp' ? 'udp' : 'tcp'}/${l.port}`);
    duplicates(keys).forEach((j) =>
      add(`${at}.listeners[${j}].port`, `must be unique per transport on one load balancer, got ${keys[j]} twice`),
    );
    const http = lb.listeners.findIndex((l) => l.protocol === 'http');
    if (http >= 0 && lb.idleTimeoutSeconds > IDLE_TIMEOUT_SECONDS.maxHttp) {
      add(
        `${at}.idleTimeoutSeconds`,
        `must be at most ${IDLE_TIMEOUT_SECONDS.maxHttp} with an http listener (listeners[${http}]; Alibaba Cloud's ` +
          `http idle timeout), got ${lb.idleTimeoutSeconds}`,
      );
    }
    const hc = lb.healthCheck;
    if (hc.timeoutSeconds >= hc.intervalSeconds) {
      add(
        `${at}.healthCheck.timeoutSeconds`,
        `must be less than intervalSeconds (${hc.intervalSeconds}), got ${hc.timeoutSeconds}`,
      );
    }
    if (hc.type === 'http') {
      lb.listeners.forEach((l, j) => {
        if (l.protocol === 'udp') {
          add(`${at}.listeners[${j}].protocol`, 'must not be udp when healthCheck.type is http; use type tcp');
        }
      });
    } else if (hc.path !== undefined) {
      add(`${at}.healthCheck.path`, `must be absent when healthCheck.type is tcp, got ${describeValue(hc.path)}`);
    }
  });

  // roles that need a certain group shape or another role elsewhere in the region
  const withRole = (role: string) => spec.hostGroups.filter((g) => g.roles.includes(role as never)).map((g) => g.name);
  spec.hostGroups.forEach((group, i) => {
    if (!group.roles.includes('keepalived')) return;
    if (group.count !== 2)
      add(`hostGroups[${i}].count`, `must be 2 for the keepalived role (one holder, one standby), got ${group.count}`);
    if ((group.zoneSpread ?? zones) !== 1) {
      add(
        `hostGroups[${i}].zoneSpread`,
        `must be 1 for the keepalived role (a virtual IP lives in one zone's subnet), got ${group.zoneSpread ?? zones}`,
      );
    }
  });
  spec.hostGroups.forEach((group, i) => {
    const clusterRoles = group.roles.filter((r) => CLUSTER_PORT_ROLES.includes(r));
    if (clusterRoles.length > 0 && !spec.cluster) {
      add(
        `hostGroups[${i}].roles`,
        `${clusterRoles.join(', ')} open ports to the hosts of a cluster; the region has no cluster`,
      );
    }
    const config = groupHostConfig(spec, group);
    if (group.roles.includes('calico') && !config.calicoIpPoolCidr) {
      add(
        `hostGroups[${i}].hostConfig.calicoIpPoolCidr`,
        'is required with the calico role (the container address range)',
      );
    }
    // container ranges that are also VPC addresses would be unreachable (the roles check it too, later)
    const ranges = [
      ['calico', 'calicoIpPoolCidr', config.calicoIpPoolCidr],
      ['weave', 'weaveIpallocRange', config.weaveIpallocRange ?? DEFAULT_WEAVE_IPALLOC_RANGE],
    ] as const;
    for (const [role, field, cidr] of ranges) {
      if (!group.roles.includes(role) || cidr === undefined || !cidrsOverlap(cidr, spec.network.cidr)) continue;
      const at =
        group.hostConfig?.[field] !== undefined ? `hostGroups[${i}].hostConfig.${field}` : `hostConfig.${field}`;
      add(
        at,
        `must not overlap the region network ${spec.network.cidr} (${role} role of group ${group.name}), got ` +
          `${describeValue(cidr)}; pick a private range outside network.cidr`,
      );
    }
    if (group.roles.includes('glusterfs-server') && !(group.count === 2 || group.count % 3 === 0)) {
      add(
        `hostGroups[${i}].count`,
        `must be 2, 3 or a multiple of 3 for the glusterfs-server role (one brick per host, replica sets of 2 or 3), got ${group.count}`,
      );
    }
    if (group.roles.includes('etcd') && (group.count % 2 === 0 || group.count > 7)) {
      add(`hostGroups[${i}].count`, `must be odd and at most 7 for the etcd role, got ${group.count}`);
    }
  });
  if (withRole('calico').length > 0 && withRole('etcd').length === 0) {
    add('hostGroups', 'must have a group with the etcd role when any group has calico (its datastore)');
  }
  const rexrayWanted = withRole('rexray').length > 0 || (spec.cluster?.kind === 'mesos' && spec.cluster.rexray);
  if (rexrayWanted && !spec[spec.cloud]?.rexray) {
    add(
      `${spec.cloud}.rexray`,
      'is required when the rexray role runs (cluster.rexray, or a group role); or set cluster.rexray: false',
    );
  }
  const glusterServers = withRole('glusterfs-server');
  if (glusterServers.length > 1) {
    add('hostGroups', `must have at most one group with glusterfs-server, got ${glusterServers.join(', ')}`);
  }
  if (withRole('glusterfs-client').length > 0 && glusterServers.length === 0) {
    add('hostGroups', 'must have a group with glusterfs-server when any group has glusterfs-client');
  }

  // cluster
  const cluster = spec.cluster;
  if (cluster?.kind === 'mesos') {
    const parts = [
      ['controlGroup', cluster.controlGroup],
      ['workerGroup', cluster.workerGroup],
      ...(cluster.edgeGroup ? [['edgeGroup', cluster.edgeGroup]] : []),
    ] as const;
    for (const [field, name] of parts) {
      if (!groupNames.includes(name)) {
        add(`cluster.${field}`, `must name a host group (${groupNames.join(', ')}), got ${describeValue(name)}`);
      } else if (name === BASTION_GROUP) {
        add(`cluster.${field}`, 'must not be the bastion group');
      }
    }
    const names = parts.map(([, n]) => n);
    duplicates(names).forEach((i) =>
      add(`cluster.${parts[i]![0]}`, `must differ from the other cluster groups, got ${describeValue(names[i])} twice`),
    );
    const control = spec.hostGroups.findIndex((g) => g.name === cluster.controlGroup);
    const count = spec.hostGroups[control]?.count;
    if (count !== undefined && (count < 3 || count > 9 || count % 2 === 0)) {
      add(
        `hostGroups[${control}].count`,
        `must be odd and between 3 and 9 for the Mesos control group (ZooKeeper and master quorum), got ${count}`,
      );
    }
    const worker = spec.hostGroups.findIndex((g) => g.name === cluster.workerGroup);
    const workerGroup = spec.hostGroups[worker];
    if (workerGroup) {
      // Mesos 1.x agents need the cgroup v1 hierarchy (constructs/roles/docs/mesos-agent.md)
      const os = groupOs(spec, workerGroup);
      if (!CGROUP_V1_OS.includes(os)) {
        add(
          `hostGroups[${worker}].os`,
          `must be ${CGROUP_V1_OS.join(' or ')} for the Mesos worker group (Mesos agents need the cgroup v1 ` +
            `hierarchy, which ${os} cannot mount), got ${describeValue(os)}`,
        );
      }
      if (workerGroup.roles.includes('calico')) {
        add(
          `hostGroups[${worker}].roles`,
          'must not include calico on the Mesos worker group: the agent runs tasks in Docker, whose networks do not ' +
            'use CNI, and the Mesos containerizer would need the network/cni isolator of an agent on the host; use ' +
            `weave (a Docker network) instead, got ${describeValue(workerGroup.roles)}`,
        );
      }
    }
  }

  if (cluster?.kind === 'kubernetes') issues.push(...kubernetesIssues(spec, cluster));
  issues.push(...tenantIssues(spec));

  // state backend
  const b = spec.backend;
  if (b.type === 'oss') {
    if ((b.tablestoreEndpoint === undefined) !== (b.tablestoreTable === undefined)) {
      add('backend', 'must set both tablestoreEndpoint and tablestoreTable (state locking) or neither');
    }
    if (b.region === undefined && spec.cloud !== 'alicloud') {
      add('backend.region', 'is required for an oss backend when cloud is not alicloud');
    }
  }
  return issues;
}

/** Indexes of the second and later occurrences of each repeated value. */
function duplicates(values: readonly string[]): number[] {
  return values.flatMap((v, i) => (values.indexOf(v) < i ? [i] : []));
}

/** Most control-plane hosts of a kubeadm cluster: etcd's recommended largest cluster. */
export const MAX_CONTROL_PLANE_HOSTS = 7;

/**
 * Checks of a `cluster: { kind: kubernetes }`: the block of its mode, the groups or node pools it names, a
 * control plane that survives the loss of a zone, and pod and service ranges that overlap neither the region
 * network nor each other (lib/net `planClusterRanges`).
 */
function kubernetesIssues(spec: RegionSpec, cluster: KubernetesClusterSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const zones = zoneCount(spec);
  const groupNames = spec.hostGroups.map((g) => g.name);

  for (const mode of ['managed', 'kubeadm'] as const) {
    if (cluster.mode === mode && !cluster[mode]) add(`cluster.${mode}`, `is required when mode is ${mode}`);
    if (cluster.mode !== mode && cluster[mode]) add(`cluster.${mode}`, `must be absent when mode is ${cluster.mode}`);
  }

  let nodes = 0;
  const kubeadm = cluster.mode === 'kubeadm' ? cluster.kubeadm : undefined;
  if (kubeadm) {
    if (adminApiSources(spec).length === 0) {
      add(
        'admin.apiSources',
        'must list at least one CIDR for a kubeadm cluster (the platform stack is applied through the API ' +
          "server's public address; the default is admin.sshSources), got []",
      );
    }
    const parts = [
      ['controlPlaneGroup', kubeadm.controlPlaneGroup],
      ...kubeadm.workerGroups.map((g, i) => [`workerGroups[${i}]`, g] as const),
    ] as const;
    for (const [field, name] of parts) {
      if (!groupNames.includes(name)) {
        add(
          `cluster.kubeadm.${field}`,
          `must name a host group (${groupNames.join(', ')}), got ${describeValue(name)}`,
        );
      } else if (name === BASTION_GROUP) {
        add(`cluster.kubeadm.${field}`, 'must not be the bastion group');
      }
    }
    const names = parts.map(([, n]) => n);
    duplicates(names).forEach((i) =>
      add(
        `cluster.kubeadm.${parts[i]![0]}`,
        `must differ from the other cluster groups, got ${describeValue(names[i])} twice`,
      ),
    );
    for (const name of new Set(names)) nodes += spec.hostGroups.find((g) => g.name === name)?.count ?? 0;
    const index = spec.hostGroups.findIndex((g) => g.name === kubeadm.controlPlaneGroup);
    const control = spec.hostGroups[index];
    if (control && control.name !== BASTION_GROUP) {
      const count = control.count;
      if (count < 3 || count > MAX_CONTROL_PLANE_HOSTS || count % 2 === 0) {
        add(
          `hostGroups[${index}].count`,
          `must be odd and between 3 and ${MAX_CONTROL_PLANE_HOSTS} for the Kubernetes control-plane group ` +
            `(etcd quorum), got ${count}`,
        );
      } else {
        // hosts go round-robin over the group's zones, so the fullest zone holds ceil(count / spread)
        const spread = Math.min(control.zoneSpread ?? zones, zones);
        const fullest = Math.ceil(count / spread);
        const quorum = Math.floor(count / 2) + 1;
        if (count - fullest < quorum) {
          add(
            `hostGroups[${index}].zoneSpread`,
            `must spread the Kubernetes control-plane group so that losing one zone keeps etcd quorum: ${count} ` +
              `hosts over ${spread} zone${spread === 1 ? '' : 's'} put ${fullest} in one zone, leaving ${count - fullest} ` +
              `of the ${quorum} needed, got ${describeValue(control.zoneSpread ?? spread)}; spread it over at least 3 ` +
              `zones (zones and zoneSpread)`,
          );
        }
      }
    }
  }

  const managed = cluster.mode === 'managed' ? cluster.managed : undefined;
  if (managed) {
    const pools = managed.nodePools;
    const poolNames = pools.map((p) => p.name);
    duplicates(poolNames).forEach((i) =>
      add(`cluster.managed.nodePools[${i}].name`, `must be unique, got ${describeValue(poolNames[i])} twice`),
    );
    pools.forEach((pool, i) => {
      const at = `cluster.managed.nodePools[${i}]`;
      if ((pool.count === undefined) === (pool.autoscaling === undefined)) {
        add(
          at,
          pool.count === undefined
            ? 'must set count (a fixed size) or autoscaling (min and max), got neither'
            : 'must set count or autoscaling, not both',
        );
      }
      if (pool.autoscaling && pool.autoscaling.max < pool.autoscaling.min) {
        add(
          `${at}.autoscaling.max`,
          `must be at least autoscaling.min (${pool.autoscaling.min}), got ${pool.autoscaling.max}`,
        );
      }
      nodes += pool.autoscaling?.max ?? pool.count ?? 0;
      if (typeof pool.zones === 'number' && pool.zones > zones) {
        add(`${at}.zones`, `must be at most the region's ${zones} zones, got ${pool.zones}`);
      } else if (Array.isArray(pool.zones)) {
        const names = pool.zones;
        duplicates(names).forEach((j) =>
          add(`${at}.zones[${j}]`, `must be unique, got ${describeValue(names[j])} twice`),
        );
        if (!Array.isArray(spec.zones)) {
          add(
            `${at}.zones`,
            `must be a zone count when the region's zones is a count (${zones}), got ${describeValue(names)}; ` +
              'or list the zone names in zones',
          );
        } else {
          const regionZones = spec.zones;
          names.forEach((name, j) => {
            if (!regionZones.includes(name)) {
              add(
                `${at}.zones[${j}]`,
                `must be one of the region's zones (${regionZones.join(', ')}), got ${describeValue(name)}`,
              );
            }
          });
        }
      }
    });
  }

  // pod and service ranges
  const { ranges, problems } = planClusterRanges({
    networkCidr: spec.network.cidr,
    zones,
    podCidr: cluster.podCidr,
    serviceCidr: cluster.serviceCidr,
  });
  for (const problem of problems) add(`cluster.${problem.field}`, rangeProblem(spec, problem));
  const podCidr = ranges?.podCidr ?? cluster.podCidr;
  if (podCidr !== undefined && nodes > podCidrNodeCapacity(podCidr)) {
    add(
      cluster.podCidr === undefined ? 'cluster' : 'cluster.podCidr',
      `must give each of the cluster's up to ${nodes} nodes a /24: pod range ${podCidr} holds ` +
        `${podCidrNodeCapacity(podCidr)}; use a wider podCidr`,
    );
  }
  return issues;
}

/** The message of one pod/service range problem, naming both ranges and both fields. */
function rangeProblem(spec: RegionSpec, problem: ClusterRangeProblem): string {
  if (problem.kind === 'exhausted') {
    return (
      `has no free default range (every candidate overlaps one of ${problem.taken.join(', ')}); ` +
      `set cluster.${problem.field} to a range outside them`
    );
  }
  if (problem.other === 'podCidr') {
    return (
      `must not overlap cluster.podCidr ${problem.otherCidr}, got ${describeValue(problem.cidr)}; ` +
      'pick ranges that do not overlap'
    );
  }
  const subnet = problem.zoneSubnet
    ? ` (zone ${problem.zoneSubnet.zone}'s ${spec.cloud === 'alicloud' ? 'vSwitch' : 'subnet'} ${problem.zoneSubnet.cidr})`
    : '';
  return (
    `must not overlap network.cidr ${problem.otherCidr}${subnet}, got ${describeValue(problem.cidr)}; ` +
    'pick a private range outside network.cidr'
  );
}

/** Tenants: only on Kubernetes, unique names and hostnames, no namespace Kubernetes reserves. */
function tenantIssues(spec: RegionSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (spec.tenants.length === 0) return issues;
  if (spec.cluster?.kind !== 'kubernetes') {
    add(
      'tenants',
      `must be empty unless cluster.kind is kubernetes (tenants are namespaces), got ${spec.tenants.length} ` +
        `tenant${spec.tenants.length === 1 ? '' : 's'}`,
    );
  }
  const names = spec.tenants.map((t) => t.name);
  duplicates(names).forEach((i) => add(`tenants[${i}].name`, `must be unique, got ${describeValue(names[i])} twice`));
  spec.tenants.forEach((t, i) => {
    // kubernetes.io/docs/concepts/overview/working-with-objects/namespaces: "kube-" is reserved for system namespaces
    if (t.name === 'default' || t.name.startsWith('kube-')) {
      add(
        `tenants[${i}].name`,
        `must not be default or start with kube- (namespaces Kubernetes reserves), got ${describeValue(t.name)}`,
      );
    }
  });
  const owner = new Map<string, number>();
  spec.tenants.forEach((t, i) =>
    t.hostnames.forEach((host, j) => {
      const first = owner.get(host);
      if (first === undefined) owner.set(host, i);
      else {
        add(
          `tenants[${i}].hostnames[${j}]`,
          `must not be served by two tenants: tenants[${first}] (${spec.tenants[first]!.name}) has it too, got ${describeValue(host)}`,
        );
      }
    }),
  );
  return issues;
}
