/**
 * What each host was built from, so that a change only a new host would pick up stays visible, and what
 * `regionkit roll` needs to replace a group on purpose.
 *
 * Instances ignore later changes to their image and user data (hosts are configured once, at first boot). So
 * every host gets a `terraform_data` resource (built into OpenTofu and Terraform, no provider) whose `input`
 * is the hash of the configuration the host was created from: it ignores later changes of its input and is
 * replaced with its instance (`triggers_replace` holds the instance id), so it keeps the hash of the running
 * host's configuration until the host is replaced. The stack's JSON lists every group under the comment key
 * `//.regionkit.hosts` (engines ignore `//` keys) with each host's instance address, its record's address
 * and the hash of its configuration now. `regionkit plan` compares the two (the record's `input` in the saved
 * plan's prior state against the hash now) and reports "N hosts run an older configuration" per group.
 *
 * @see https://opentofu.org/docs/language/resources/tf-data/
 */
import { createHash } from 'node:crypto';

import { DataResource, Lazy, TerraformStack, type TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

import { STATEFUL_COMMENT_KEY } from './stateful.js';

/** How `regionkit roll` decides that a replaced host is serving again: a TCP connect or an HTTP GET. */
export interface HealthEndpoint {
  readonly protocol: 'tcp' | 'http';
  readonly port: number;
  /** HTTP path (`protocol: 'http'`); 2xx and 3xx count as healthy. */
  readonly path?: string;
  /** Where the endpoint comes from, for progress lines (`load balancer public`, `ZooKeeper`). */
  readonly source: string;
}

/** One host as the records list it. */
export interface HostRecord {
  readonly name: string;
  /** Zone number, 1-based (`zone-1`…), as in subnet names. */
  readonly zone: number;
  readonly privateIp: string;
  /** Address of the instance (`alicloud_instance.…`, `openstack_compute_instance_v2.…`). */
  readonly instance: string;
  /** Address of the host's `terraform_data` record. */
  readonly record: string;
  /** sha256 (hex) of the configuration a host created now would get. */
  readonly config: string;
}

/** One host group as the records list it. */
export interface GroupRecord {
  /**
   * A quorum group (ZooKeeper, etcd): at most `floor((hosts - 1) / 2)` of its hosts may be down at once.
   */
  readonly quorum: boolean;
  readonly health: HealthEndpoint;
  readonly hosts: readonly HostRecord[];
}

/** What a host's configuration hash covers: everything a running host ignores later. */
export interface HostConfigInput {
  readonly userData: () => string;
  /** OS and image selector (the image name, or the adapter's default for the OS). */
  readonly image: string;
  /** The placement group (server group, deployment set) a new host joins. */
  readonly placement?: string;
}

const groups = new WeakMap<TerraformStack, Map<string, () => GroupRecord>>();

/** sha256 (hex) of a host's configuration. */
export function hostConfigHash(input: { userData: string; image: string; placement?: string }): string {
  return createHash('sha256')
    .update(JSON.stringify({ userData: input.userData, image: input.image, placement: input.placement ?? null }))
    .digest('hex');
}

/** The Terraform address of a resource in its stack. */
export function resourceAddress(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/**
 * Adds the configuration record of every host of a group (a `terraform_data` named `Config` beside each
 * instance, under `hostScopes[i]`) and lists the group in the stack's `//.regionkit.hosts`.
 * @param hosts - per host: its scope, name, zone (0-based), address, instance and configuration
 */
export function recordHostGroup(
  scope: Construct,
  group: string,
  props: {
    /** Resolved at synth, so groups and load balancers added later count. */
    readonly quorum: () => boolean;
    readonly health: () => HealthEndpoint;
    readonly hosts: readonly {
      readonly scope: Construct;
      readonly name: string;
      readonly zoneIndex: number;
      readonly privateIp: string;
      readonly instance: TerraformResource;
      readonly instanceId: string;
      readonly config: HostConfigInput;
    }[];
  },
): void {
  const stack = TerraformStack.of(scope);
  let list = groups.get(stack);
  if (!list) {
    const created = new Map<string, () => GroupRecord>();
    groups.set(stack, created);
    list = created;
    stack.addOverride(
      `//.${STATEFUL_COMMENT_KEY}.hosts`,
      Lazy.anyValue({
        produce: () =>
          Object.fromEntries([...created].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v()])),
      }),
    );
  }
  const hosts = props.hosts.map((h) => {
    const hash = () =>
      hostConfigHash({ userData: h.config.userData(), image: h.config.image, placement: h.config.placement });
    const record = new DataResource(h.scope, 'Config', {
      input: { config: Lazy.stringValue({ produce: hash }) },
      // replaced with its instance, and never updated in between: it keeps what the running host was made from
      triggersReplace: { instance: h.instanceId },
      lifecycle: { ignoreChanges: ['input'] },
    });
    return { h, record, hash };
  });
  list.set(group, () => ({
    quorum: props.quorum(),
    health: props.health(),
    hosts: hosts.map(({ h, record, hash }) => ({
      name: h.name,
      zone: h.zoneIndex + 1,
      privateIp: h.privateIp,
      instance: resourceAddress(h.instance),
      record: resourceAddress(record),
      config: hash(),
    })),
  }));
}

/** The groups listed in a synthesized stack's JSON, by name. */
export function hostGroupRecords(stackJson: unknown): Map<string, GroupRecord> {
  const comment = (stackJson as { '//'?: Record<string, { hosts?: Record<string, GroupRecord> }> })['//'];
  return new Map(Object.entries(comment?.[STATEFUL_COMMENT_KEY]?.hosts ?? {}));
}
