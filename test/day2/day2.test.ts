/**
 * Day-2 safety (issue 8): each bundled example region is synthesized before and after each change an
 * operator makes to a running region, and the two documents are compared per resource address the way the
 * engine plans them (plan-diff.ts: ForceNew attributes and restarts from the pinned provider source,
 * `lifecycle.ignore_changes` from the JSON).
 *
 * Three assertions per change and example:
 * 1. no existing host's user data changes, except the hosts of a group the change is about (a role or a disk
 *    added to it): compared on the raw JSON, whatever the instances' ignore_changes say;
 * 2. no existing instance is replaced or restarted;
 * 3. exactly the expected resources are created, destroyed and updated, and nothing is replaced.
 */
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import type { RegionSpec } from '../../lib/spec/region-spec.js';
import { EXAMPLE_FILES } from '../helpers.js';

import { DAY2_CASES, exampleSpec, synthRegion, type Day2Case } from './cases.js';
import { planDiff, type ResourceChange, type TerraformJson } from './plan-diff.js';

const INSTANCE_TYPES = ['alicloud_instance', 'openstack_compute_instance_v2'];

/** What one change may do, beyond which the test fails. */
interface Expected {
  /** Every created address matches one of these, and each matches at least one. */
  readonly creates: readonly RegExp[];
  /** Likewise for destroyed addresses. */
  readonly destroys: readonly RegExp[];
  /** Every updated address matches one entry, its changed paths all match `paths`; each entry matches one. */
  readonly updates: readonly { readonly address: RegExp; readonly paths: RegExp }[];
  /** Replaced non-instance resources of the group the change is about; each matches at least one. @default none */
  readonly replaces?: readonly RegExp[];
}

const G = (group: string) => `HostGroups_${group}`;
/** The resources of host n of a group: its own construct, and per-host entries of the group's secret access. */
const host = (group: string, n: number) => new RegExp(`\\.${G(group)}_(Secrets_)?Host${n}_`);
const TAGS = /^(tags|volume_tags|metadata)(\.|\[|$)/;

/** The expected outcome per case name; `cloud` is the example's cloud. */
function expected(c: Day2Case, cloud: string): Expected {
  switch (c.name) {
    case 'the worker group grows by one':
      return { creates: [host('Worker', 4)], destroys: [], updates: [] };
    case 'the worker group shrinks by one':
      return { creates: [], destroys: [host('Worker', 3)], updates: [] };
    case 'an internal load balancer is added in front of the workers':
      return {
        creates: [/\.LoadBalancers_Internal_/, /\.HostGroups_Worker_SecurityGroup_Ingress_tcp-8080-/],
        destroys: [],
        updates: [],
      };
    case 'a listener is added to the public load balancer':
      return {
        creates: [
          /\.LoadBalancers_Public_(Listener|Pool|Monitor|Member)-tcp-8443/,
          /\.HostGroups_Edge_SecurityGroup_Ingress_tcp-8443-/,
        ],
        destroys: [],
        updates: [],
      };
    case 'the tags change':
      return { creates: [], destroys: [], updates: [{ address: /./, paths: TAGS }] };
    case 'a role is added to the edge group':
      // glusterfs-client opens no port of its own and reads servers already admitting the cluster
      return { creates: [], destroys: [], updates: [] };
    case 'the workers get a data disk and a role that keeps state on it':
      // etcd on the workers brings each worker its TLS key and certificate (and the CA where no group ran etcd
      // before, as on example-openstack), stored as secrets the worker group's identity may read: on Alibaba
      // Cloud its RAM policy grows in place; on OpenStack its application credential's access rules are
      // ForceNew, so the credential is replaced (the workers' own user data names it: they need the roll the
      // change is about anyway).
      return {
        creates: [
          /\.HostGroups_Worker_Host\d_.*Disk/i,
          /\.HostGroups_Worker_SecurityGroup_Ingress_tcp-23(79|80)-/,
          /^tls_[a-z_]+\.EtcdPki_Members_example-[a-z]+-worker-\d_/,
          /^(alicloud_kms_secret|openstack_keymanager_secret_v1)\.SecretStore_etcd_worker_\d_(cert|key)_/,
          ...(cloud === 'openstack'
            ? [
                /^tls_(private_key|self_signed_cert)\.EtcdPki_Ca/,
                /^openstack_keymanager_secret_v1\.SecretStore_etcd_ca_cert_/,
              ]
            : []),
        ],
        destroys: [],
        updates:
          cloud === 'alicloud'
            ? [{ address: /^alicloud_ram_policy\.HostGroups_Worker_Secrets_Policy_/, paths: /^policy_document$/ }]
            : [],
        replaces:
          cloud === 'openstack'
            ? [/^openstack_identity_application_credential_v3\.HostGroups_Worker_Secrets_Credential_/]
            : [],
      };
    case 'a new host group is added':
      return { creates: [new RegExp(`\\.${G('Batch')}_`)], destroys: [], updates: [] };
    default:
      throw new Error(`no expectation for ${c.name} on ${cloud}`);
  }
}

/**
 * Changes whose outcome depends on the instance lifecycle of issue 8 item 2 (branch day2-hosts): instances
 * ignoring later changes of user data, and Alibaba Cloud data disks as resources of their own. Until then the
 * hosts of the group the change is about are replaced (OpenStack: user_data is ForceNew; Alibaba Cloud:
 * inline data_disks are ForceNew) or restarted (Alibaba Cloud: a user_data update stops and starts them).
 * These run as expected failures, so the day they pass the entry has to go.
 */
const PENDING_LIFECYCLE: Readonly<Record<string, readonly string[]>> = {};

function instancesOf(json: TerraformJson): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const type of INSTANCE_TYPES) {
    for (const [name, body] of Object.entries(json.resource?.[type] ?? {})) out.set(`${type}.${name}`, body);
  }
  return out;
}

function describeChange(c: ResourceChange): string {
  const why = c.action === 'replace' ? c.forcedBy : c.action === 'update' ? c.paths : [];
  return `${c.action} ${c.address}${why.length ? ` (${why.join(', ')})` : ''}${c.restartedBy.length ? ' [restart]' : ''}`;
}

/** The bundled examples, and example-openstack with its names in a Designate zone instead of Neutron's DNS. */
const REGIONS: readonly (readonly [string, string, (spec: RegionSpec) => RegionSpec])[] = [
  ...EXAMPLE_FILES.map((f) => [path.basename(f, '.yaml'), f, (s: RegionSpec) => s] as const),
  [
    'example-openstack (privateDns: designate)',
    EXAMPLE_FILES.find((f) => f.includes('openstack'))!,
    (s: RegionSpec) => ({ ...s, openstack: { ...s.openstack!, privateDns: 'designate' as const } }),
  ],
];

describe.each(REGIONS)('day 2 on %s', (name, file, variant) => {
  const pending = PENDING_LIFECYCLE[name.split(' ')[0]!] ?? [];
  const load = (async () => {
    const spec = variant(await exampleSpec(file));
    return { spec, before: synthRegion(spec) };
  })();
  const afterCache = new Map<string, Promise<TerraformJson>>();
  const after = (c: Day2Case) => {
    let p = afterCache.get(c.name);
    if (!p) {
      p = load.then(({ spec }) => synthRegion(c.change(spec)));
      afterCache.set(c.name, p);
    }
    return p;
  };

  describe.each(DAY2_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    test('no other host’s user data changes', async () => {
      const { spec, before } = await load;
      const about = (c.about?.(spec) ?? []).map((g) => `_${G(pascal(g))}_`);
      const old = instancesOf(before);
      const changed = [...instancesOf(await after(c))]
        .filter(([address]) => old.has(address) && !about.some((a) => address.includes(a.slice(1, -1))))
        .filter(([address, body]) => old.get(address)!.user_data !== body.user_data)
        .map(([address]) => address);
      expect(changed).toEqual([]);
    });

    const lifecycleTest = pending.includes(c.name) ? test.fails : test;
    lifecycleTest('no existing instance is replaced or restarted', async () => {
      const { before } = await load;
      const hurt = planDiff(before, await after(c))
        .filter((ch) => INSTANCE_TYPES.includes(ch.type))
        .filter((ch) => ch.action === 'replace' || ch.restartedBy.length > 0 || ch.action === 'destroy')
        .filter((ch) => !(c.name.includes('shrinks') && host('Worker', 3).test(ch.address) && ch.action === 'destroy'))
        .map(describeChange);
      expect(hurt).toEqual([]);
    });

    lifecycleTest('exactly the expected resources change', async () => {
      const { spec, before } = await load;
      const want = expected(c, spec.cloud);
      const changes = planDiff(before, await after(c));
      const of = (action: string) => changes.filter((ch) => ch.action === action);
      const unexpected = [
        ...of('create').filter((ch) => !want.creates.some((r) => r.test(ch.address))),
        ...of('destroy').filter((ch) => !want.destroys.some((r) => r.test(ch.address))),
        ...of('replace').filter((ch) => !(want.replaces ?? []).some((r) => r.test(ch.address))),
        ...of('update').filter(
          (ch) => !want.updates.some((u) => u.address.test(ch.address) && ch.paths.every((p) => u.paths.test(p))),
        ),
      ].map(describeChange);
      expect(unexpected).toEqual([]);
      const unmet = [
        ...want.creates.filter((r) => !of('create').some((ch) => r.test(ch.address))).map((r) => `create ${r}`),
        ...want.destroys.filter((r) => !of('destroy').some((ch) => r.test(ch.address))).map((r) => `destroy ${r}`),
        ...want.updates
          .filter((u) => !of('update').some((ch) => u.address.test(ch.address)))
          .map((u) => `update ${u.address}`),
        ...(want.replaces ?? [])
          .filter((r) => !of('replace').some((ch) => r.test(ch.address)))
          .map((r) => `replace ${r}`),
      ];
      expect(unmet).toEqual([]);
    });
  });
});

/** `edge-lb` -> `EdgeLb`, as construct ids are. */
function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_, __, ch: string) => ch.toUpperCase());
}
