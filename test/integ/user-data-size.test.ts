/**
 * Every host's user data fits its cloud's limit, measured as the provider sends it: the real engine evaluates
 * each synthesized `user_data` string (`base64gzip()` on both clouds) and the Base64 text's length is compared
 * with the limit (both providers pass Base64 through unchanged; Nova's and ECS's limits count that text).
 * Measured: every host of every example region, and per cloud the worst-case groups: each part of the Mesos
 * cluster carrying every role that can share its hosts.
 *
 * References Terraform fills at apply time (application credential, Barbican secret references, Keystone's URL)
 * get incompressible stand-ins of `MAX_HOST_REF_BYTES` each, the bound the synth-time check also assumes.
 * `REGIONKIT_USER_DATA_SIZES=1` prints the sizes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { MAX_USER_DATA_BYTES as ALICLOUD_MAX } from '../../lib/cloud/alicloud/alicloud-cloud.js';
import { MAX_USER_DATA_BYTES as OPENSTACK_MAX } from '../../lib/cloud/openstack/openstack-cloud.js';
import {
  base64gzipExpression,
  estimatedUserDataBytes,
  MAX_HOST_REF_BYTES,
  parseUserDataValue,
} from '../../lib/cloud/user-data.js';
import { parseYaml, resolveRegionSpec } from '../../lib/spec/load.js';
import { GROUP_ROLE_NAMES, type CloudKind, type RegionSpecInput } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { testWith } from '../checkers/tools.js';
import { EXAMPLE_FILES, synthJson } from '../helpers.js';

const LIMIT: Record<CloudKind, number> = { alicloud: ALICLOUD_MAX, openstack: OPENSTACK_MAX };
const INSTANCE_NAME: Record<string, string> = { alicloud_instance: 'host_name', openstack_compute_instance_v2: 'name' };
/** The references user data may hold; a new kind needs its bound checked before it is added here. */
const REFERENCES = [
  /^openstack_identity_application_credential_v3\.\w+\.(id|secret)$/,
  /^openstack_keymanager_secret_v1\.\w+\.secret_ref$/,
  /^\[for e in flatten\(\[for s in data\.openstack_identity_auth_scope_v3\.\w+\.service_catalog : /,
];

/**
 * The parts of the Mesos cluster. A group outside the cluster carries no more than a part does: the roles that
 * open ports to their cluster (glusterfs-server, etcd, calico, weave) need one, and the rest fit on any part.
 */
type Part = 'control' | 'worker' | 'edge';
interface Variant {
  readonly part: Part;
  readonly count: 2 | 3;
}
/** Mesos control groups are 3 to 9 hosts (odd); keepalived needs exactly 2 and etcd an odd count. */
const VARIANTS: readonly Variant[] = [
  { part: 'control', count: 3 },
  { part: 'worker', count: 3 },
  { part: 'worker', count: 2 },
  { part: 'edge', count: 3 },
  { part: 'edge', count: 2 },
];

/** Group roles every host of the Mesos cluster gets from constructs/cluster/mesos-cluster.ts. */
const CLUSTER_ROLES: readonly string[] = ['dnsmasq', 'docker', 'docker-clean', 'node-exporter'];

/** The group roles a worst-case group leaves out, each for a rule of the spec (checked below). */
function excluded(v: Variant): string[] {
  return [v.count === 2 ? 'etcd' : 'keepalived', ...(v.part === 'worker' ? ['calico'] : [])];
}

function exampleInput(file: string): RegionSpecInput {
  return parseYaml(readFileSync(file, 'utf8'), file) as RegionSpecInput;
}

/** An example region whose group `v.part` carries every group role but `leaveOut`. */
function worstCase(file: string, v: Variant, leaveOut: readonly string[] = excluded(v)): RegionSpecInput {
  const input = structuredClone(exampleInput(file));
  const cluster = input.cluster as { controlGroup: string; workerGroup: string; edgeGroup?: string };
  const groups = input.hostGroups!.map((g) => ({
    ...g,
    roles: (g.roles ?? []).filter((r) => r !== 'glusterfs-server'), // one server group per region: the target
  }));
  const name = cluster[`${v.part}Group`]!;
  const target = groups.find((g) => g.name === name)!;
  target.count = v.count;
  target.zoneSpread = v.count === 2 ? 1 : undefined;
  target.dataDisks = [{ sizeGiB: 100 }];
  // it gets these from the cluster (the worker's docker with its own settings), so it never lists them
  target.roles = GROUP_ROLE_NAMES.filter((r) => !leaveOut.includes(r) && !CLUSTER_ROLES.includes(r));
  // calico's datastore: the control group's etcd when the target cannot hold one
  const control = groups.find((g) => g.name === cluster.controlGroup)!;
  if (!target.roles.includes('etcd') && !control.roles.includes('etcd')) control.roles.push('etcd');
  return {
    ...input,
    hostConfig: { ...input.hostConfig, calicoIpPoolCidr: '172.20.0.0/16' },
    hostGroups: groups,
  };
}

/** Deterministic incompressible text of `n` characters, one per reference (as Terraform fills one value). */
function standIn(expression: string, n = MAX_HOST_REF_BYTES): string {
  let out = '';
  for (let i = 0; out.length < n; i++) {
    out += createHash('sha256').update(`${expression}#${i}`).digest('base64url');
  }
  return out.slice(0, n);
}

/** A `user_data` string with each reference replaced by its stand-in; throws on a reference not in REFERENCES. */
function withStandIns(value: string): { gz: string; plain: string } {
  const { encoding, parts } = parseUserDataValue(value);
  expect(encoding).toBe('base64gzip');
  const template = parts
    .map((p) => {
      if ('literal' in p) return p.literal;
      if (!REFERENCES.some((r) => r.test(p.expression))) throw new Error(`unknown reference ${p.expression}`);
      return standIn(p.expression);
    })
    .join('');
  return { gz: base64gzipExpression(template), plain: template };
}

interface Measured {
  readonly label: string;
  readonly cloud: CloudKind;
  /** The synthesized user_data with stand-ins, and the synth-time estimate of its size. */
  readonly gz: string;
  readonly plain: string;
  readonly estimate: number;
}

/** Every host of `groups` (all when omitted) in the region `input`. */
function hostsOf(label: string, input: RegionSpecInput, groups?: readonly string[]): Measured[] {
  const spec = resolveRegionSpec(input);
  const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
  const json = synthJson(stack);
  const byName = new Map<string, string>();
  for (const [type, key] of Object.entries(INSTANCE_NAME)) {
    for (const body of Object.values(json.resource?.[type] ?? {})) {
      byName.set(String(body[key]), String(body.user_data));
    }
  }
  const out: Measured[] = [];
  for (const [name, group] of stack.hostGroups) {
    if (groups && !groups.includes(name)) continue;
    for (const host of group.hosts) {
      const value = byName.get(host.name);
      if (value === undefined) throw new Error(`no instance named ${host.name}`);
      out.push({
        label: `${label} ${host.name}`,
        cloud: spec.cloud,
        ...withStandIns(value),
        estimate: estimatedUserDataBytes(group.renderUserData(host), 'base64gzip'),
      });
    }
  }
  return out;
}

/** Evaluates every value with OpenTofu: the Base64 text sent (gz) and the plain text's Base64 size. */
function evaluate(tofu: string, measured: readonly Measured[]): { sent: number; plain: number }[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regionkit-udsize-'));
  const output: Record<string, { value: string }> = {};
  measured.forEach((m, i) => {
    output[`gz${i}`] = { value: m.gz };
    output[`plain${i}`] = { value: m.plain };
  });
  writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ output }));
  const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1' };
  execFileSync(tofu, ['init', '-no-color'], { cwd: dir, env, stdio: 'ignore' });
  execFileSync(tofu, ['apply', '-auto-approve', '-no-color'], { cwd: dir, env, stdio: 'ignore' });
  const values = JSON.parse(
    execFileSync(tofu, ['output', '-json'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 }),
  ) as Record<string, { value: string }>;
  return measured.map((_, i) => ({
    sent: values[`gz${i}`]!.value.length,
    plain: 4 * Math.ceil(Buffer.byteLength(values[`plain${i}`]!.value) / 3),
  }));
}

describe('worst-case groups', () => {
  test.each(
    EXAMPLE_FILES.flatMap((f) => VARIANTS.map((v) => [path.basename(f), `${v.part} x${v.count}`, f, v] as const)),
  )('%s: %s carries every role that can share its hosts', (_name, _variant, file, v) => {
    expect(() => resolveRegionSpec(worstCase(file, v))).not.toThrow();
    // each role left out is one the spec refuses on that group
    for (const role of excluded(v)) {
      const leaveOut = excluded(v).filter((r) => r !== role);
      expect(() => resolveRegionSpec(worstCase(file, v, leaveOut)), role).toThrow();
    }
  });
});

describe('user data size', () => {
  const tofu = path.join(os.homedir(), '.cache/regionkit/engine/bin/tofu');
  testWith(
    tofu,
    'every host of the examples and of the worst-case groups fits its cloud’s limit as sent',
    () => {
      const measured = EXAMPLE_FILES.flatMap((file) => [
        ...hostsOf(path.basename(file, '.yaml'), exampleInput(file)),
        ...VARIANTS.flatMap((v) =>
          hostsOf(`${path.basename(file, '.yaml')} worst-case ${v.part}x${v.count}`, worstCase(file, v), [
            groupOf(file, v.part),
          ]),
        ),
      ]);
      const sizes = evaluate(tofu, measured);
      const rows = measured.map((m, i) => ({ ...m, ...sizes[i]! }));
      if (process.env.REGIONKIT_USER_DATA_SIZES) {
        for (const r of rows) {
          process.stdout.write(
            `${r.label}\tplain ${r.plain}\tsent ${r.sent}\testimate ${r.estimate}\tlimit ${LIMIT[r.cloud]}\n`,
          );
        }
      }
      const over = rows.filter((r) => r.sent > LIMIT[r.cloud]).map((r) => `${r.label}: ${r.sent}`);
      expect(over).toEqual([]);
      // the synth-time check (constructs/compute/host-group.ts) never lets through what the cloud refuses
      const under = rows.filter((r) => r.estimate < r.sent).map((r) => `${r.label}: ${r.estimate} < ${r.sent}`);
      expect(under).toEqual([]);
      expect(rows.length).toBeGreaterThan(18);
    },
    600_000,
  );
});

/** The group name of a cluster part in an example file. */
function groupOf(file: string, part: Part): string {
  const cluster = exampleInput(file).cluster as unknown as Record<string, string>;
  return cluster[`${part}Group`]!;
}
