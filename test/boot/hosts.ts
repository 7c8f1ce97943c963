/**
 * The hosts the first-boot test boots, read from the bundled example regions synthesized through the
 * library: each host's user data exactly as its Terraform resource holds it, its group's roles (with their
 * declared ports), its planned private address and its data disks.
 */
import { Testing } from 'cdktf';

import { HostGroup } from '../../constructs/compute/host-group.js';
import type { RolePort } from '../../constructs/roles/host-role.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import type { RegionSpec } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES, K8S_EXAMPLE_FILES, synthJson } from '../helpers.js';

import type { StackJson } from './secret-values.js';

/** A Debian release the test can build and boot. */
export type DebianSuite = 'bookworm' | 'trixie';

/**
 * The Debian release a host group runs. THE one place that decides it: until the region spec names an OS
 * per group (`hostGroups[].os`), groups of the Mesos cluster (control, worker, edge) run Debian 12, whose
 * systemd can still mount the cgroup v1 hierarchy Mesos 1.x needs, and every other group Debian 13. The
 * image name in the spec decides nothing here (the examples still name Ubuntu images).
 */
export function debianSuiteFor(spec: RegionSpec, group: string): DebianSuite {
  const c = spec.cluster;
  const mesosGroups = c?.kind === 'mesos' ? [c.controlGroup, c.workerGroup, c.edgeGroup] : [];
  return mesosGroups.includes(group) ? 'bookworm' : 'trixie';
}

/** The control-plane group of a kubeadm cluster, if the region has one. */
function kubeadmControlPlaneGroup(spec: RegionSpec): string | undefined {
  const c = spec.cluster;
  return c?.kind === 'kubernetes' && c.mode === 'kubeadm' ? c.kubeadm?.controlPlaneGroup : undefined;
}

/** A role on a host as the boot test sees it. */
export interface BootRole {
  readonly name: string;
  readonly ports: readonly RolePort[];
}

/** One host of an example region. */
export interface BootHost {
  /** Host name, e.g. `example-alicloud-control-1`. */
  readonly name: string;
  /** Region name, e.g. `example-alicloud`. */
  readonly region: string;
  readonly cloud: RegionSpec['cloud'];
  readonly group: string;
  /** 0-based index in its group. */
  readonly index: number;
  readonly privateIp: string;
  /** The region network's CIDR (the VMs' private network uses its prefix length). */
  readonly cidr: string;
  readonly suite: DebianSuite;
  /** The host is in the control-plane group of a kubeadm cluster (it gets the cluster's shared PKI). */
  readonly kubeadmControlPlane: boolean;
  /** Roles of the host's group, in configure order. */
  readonly roles: readonly BootRole[];
  /** Data disk sizes in GiB, in attach order. */
  readonly dataDisksGiB: readonly number[];
  readonly systemDiskGiB: number;
  /** The user_data string of the host's Terraform resource (Terraform escapes and `${var.x}` still in it). */
  readonly terraformUserData: string;
  /** The region's synthesized infra stack (one object shared by its hosts); the secrets' resources are in it. */
  readonly stack: StackJson;
}

const INSTANCE_TYPES: Record<string, string> = {
  alicloud_instance: 'host_name',
  openstack_compute_instance_v2: 'name',
};

/**
 * The example regions whose hosts the test boots: both Mesos examples and the kubeadm one
 * (`example-openstack-k8s`). The managed Kubernetes example (ACK) has no nodes of its own to boot: its node
 * pools come from the cloud's images and user data the cloud writes.
 */
export const BOOT_EXAMPLE_FILES: readonly string[] = [
  ...EXAMPLE_FILES,
  ...K8S_EXAMPLE_FILES.filter((f) => f.endsWith('example-openstack-k8s.yaml')),
];

/** Every host of the booted example regions, in region then host-name order. */
export async function exampleHosts(): Promise<BootHost[]> {
  const out: BootHost[] = [];
  for (const file of BOOT_EXAMPLE_FILES) {
    const { spec } = await loadRegionFile(file);
    const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
    const json = synthJson(stack);
    const userData = new Map<string, string>();
    for (const [type, nameKey] of Object.entries(INSTANCE_TYPES)) {
      for (const body of Object.values(json.resource?.[type] ?? {})) {
        userData.set(String(body[nameKey]), String(body.user_data));
      }
    }
    const groups = stack.node.findAll().filter((c): c is HostGroup => c instanceof HostGroup);
    for (const group of groups) {
      const groupSpec = spec.hostGroups.find((g) => g.name === group.groupName);
      const roles = group.roles.map((r) => ({ name: r.roleName, ports: r.ports }));
      for (const host of group.hosts) {
        const terraformUserData = userData.get(host.name);
        if (terraformUserData === undefined) throw new Error(`no instance resource for ${host.name}`);
        out.push({
          name: host.name,
          region: spec.name,
          cloud: spec.cloud,
          group: group.groupName,
          index: host.index,
          privateIp: host.privateIp,
          cidr: spec.network.cidr,
          suite: debianSuiteFor(spec, group.groupName),
          kubeadmControlPlane: kubeadmControlPlaneGroup(spec) === group.groupName,
          roles,
          dataDisksGiB: (groupSpec?.dataDisks ?? []).map((d) => d.sizeGiB),
          systemDiskGiB: groupSpec?.systemDiskSizeGiB ?? 40,
          terraformUserData,
          stack: json,
        });
      }
    }
  }
  return out.sort((a, b) => a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
}
