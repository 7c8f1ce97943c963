/**
 * `regionkit roll` by the exact sequence of engine calls it makes for each group of both examples: which
 * instance addresses each step replaces, the deletion-protection plans around them on Alibaba Cloud, and that
 * it stops at a failed step. The engine is a recording runner: it answers `show -json` with the replacements
 * the plan asked for and exit 0 elsewhere; nothing here claims that a cloud ran an apply.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import type { Engine, EngineRun } from '../../../bin/engine/engine.js';
import { PLAN_FILE, type LifecycleOptions } from '../../../bin/engine/lifecycle.js';
import { olderConfiguration } from '../../../bin/engine/plan-summary.js';
import { batchSize, otherChanges, rollGroup, rollSteps, RollStopped } from '../../../bin/engine/roll.js';
import { SpecError } from '../../../lib/errors.js';
import { hostGroupRecords, type GroupRecord } from '../../../lib/host-records.js';
import { project, run } from '../project.js';

const engine: Engine = { kind: 'tofu', path: '/nonexistent/tofu', version: '1.11.7', env: {} };

interface Recorder {
  readonly calls: string[];
  readonly runEngine: NonNullable<LifecycleOptions['runEngine']>;
}

/**
 * Records every call as one line. `show` answers with the replacements the last plan asked for, and with a
 * deletion-protection toggle when a plan without `-replace` turned the variable off; `failOn` makes the n-th
 * call of a kind (`apply#3`) exit 1; `pending` adds another change to the first plan.
 */
function recorder(failOn?: string, pending?: string): Recorder {
  const calls: string[] = [];
  const seen = new Map<string, number>();
  let replace: string[] = [];
  let unprotecting = false;
  let plans = 0;
  const runEngine = async (_e: Engine, args: readonly string[]): Promise<EngineRun> => {
    calls.push(args.filter((a) => !['-input=false', '-no-color'].includes(a)).join(' '));
    const kind = args[0]!;
    seen.set(kind, (seen.get(kind) ?? 0) + 1);
    if (failOn === `${kind}#${seen.get(kind)}`) {
      return { exitCode: 1, stdout: '', stderr: `Error: ${kind} failed on purpose\n` };
    }
    if (kind === 'plan') {
      plans++;
      replace = args.filter((a) => a.startsWith('-replace=')).map((a) => a.slice('-replace='.length));
      unprotecting = args.includes('-var=deletion_protection=false') && replace.length === 0;
    }
    if (kind === 'show') {
      const changes = [
        ...replace.map((address) => ({ address, mode: 'managed', change: { actions: ['delete', 'create'] } })),
        ...(unprotecting
          ? [
              {
                address: 'alicloud_instance.X',
                mode: 'managed',
                change: {
                  actions: ['update'],
                  before: { deletion_protection: true },
                  after: { deletion_protection: false },
                },
              },
            ]
          : []),
        ...(pending && plans === 1 ? [{ address: pending, mode: 'managed', change: { actions: ['create'] } }] : []),
      ];
      return { exitCode: 0, stdout: JSON.stringify({ resource_changes: changes }), stderr: '' };
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  return { calls, runEngine };
}

let dir: string;
const records = new Map<string, Map<string, GroupRecord>>();

beforeAll(async () => {
  dir = await project();
  const synth = await run(dir, 'synth');
  expect(synth.code).toBe(0);
  for (const region of ['example-alicloud', 'example-openstack']) {
    const json = JSON.parse(
      await readFile(path.join(dir, 'cdktf.out', 'stacks', `${region}-infra`, 'cdk.tf.json'), 'utf8'),
    );
    records.set(region, hostGroupRecords(json));
  }
}, 120_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

function options(rec: Recorder, extra: Partial<Parameters<typeof rollGroup>[2]> = {}) {
  const lines: string[] = [];
  let clock = 0;
  return {
    lines,
    opts: {
      engine,
      outdir: path.join(dir, 'cdktf.out'),
      env: {},
      cwd: dir,
      progress: (l: string) => lines.push(l),
      runEngine: rec.runEngine,
      probe: async () => true,
      sleep: async (s: number) => {
        clock += s;
      },
      now: () => clock,
      ...extra,
    },
  };
}

const instance = (region: string, group: string, n: number) =>
  region === 'example-alicloud'
    ? `alicloud_instance.HostGroups_${group}_Host${n}_`
    : `openstack_compute_instance_v2.HostGroups_${group}_Host${n}_`;

/** The recorded calls with each instance address cut to its construct path (the hash suffix is tested elsewhere). */
function shape(calls: readonly string[]): string[] {
  return calls.map((c) => c.replace(/(-replace=\S+_Host\d+_)[0-9A-F]{8}/g, '$1'));
}

describe('roll steps', () => {
  test('a quorum group loses at most what its quorum can: 1 of 3, 2 of 5; other groups keep one host serving', () => {
    const hosts = (n: number, zones: number) =>
      Array.from({ length: n }, (_, i) => ({
        name: `h${i + 1}`,
        zone: (i % zones) + 1,
        privateIp: `10.0.0.${i + 1}`,
        instance: `x.h${i + 1}`,
        record: `terraform_data.h${i + 1}`,
        config: 'c',
      }));
    const health = { protocol: 'tcp' as const, port: 22, source: 'SSH' };
    expect(batchSize({ quorum: true, hosts: hosts(3, 3) })).toBe(1);
    expect(batchSize({ quorum: true, hosts: hosts(5, 3) })).toBe(2);
    expect(batchSize({ quorum: true, hosts: hosts(1, 1) })).toBe(1);
    expect(batchSize({ quorum: false, hosts: hosts(2, 1) })).toBe(1);
    const five = rollSteps({ quorum: true, health, hosts: hosts(5, 1) });
    expect(five.map((s) => s.hosts.map((h) => h.name))).toEqual([['h1', 'h2'], ['h3', 'h4'], ['h5']]);
    const six = rollSteps({ quorum: false, health, hosts: hosts(6, 3) });
    expect(six.map((s) => [s.zone, s.hosts.map((h) => h.name)])).toEqual([
      [1, ['h1', 'h4']],
      [2, ['h2', 'h5']],
      [3, ['h3', 'h6']],
    ]);
    expect(rollSteps({ quorum: false, health, hosts: hosts(6, 3) }, 2).map((s) => s.zone)).toEqual([2]);
  });

  test('the examples record each group as a quorum group or not, with its health endpoint', () => {
    const summary = (region: string) =>
      Object.fromEntries(
        [...records.get(region)!].map(([g, r]) => [
          g,
          [r.quorum, `${r.health.protocol} ${r.health.port} ${r.health.source}`, r.hosts.map((h) => h.zone)],
        ]),
      );
    expect(summary('example-alicloud')).toEqual({
      bastion: [false, 'tcp 22 SSH', [1]],
      control: [true, 'tcp 2181 ZooKeeper', [1, 2, 3]],
      edge: [false, 'tcp 80 load balancer public', [1, 2]],
      worker: [false, 'tcp 22 SSH', [1, 2, 3]],
    });
    expect(summary('example-openstack')).toEqual({
      bastion: [false, 'tcp 22 SSH', [1]],
      control: [true, 'tcp 2181 ZooKeeper', [1, 2, 3]],
      edge: [false, 'tcp 80 load balancer public', [1, 1]],
      worker: [false, 'tcp 22 SSH', [1, 2, 3]],
    });
  });
});

describe.each(['example-alicloud', 'example-openstack'])('roll %s', (region) => {
  const alicloud = region === 'example-alicloud';
  const off = alicloud ? ' -var=deletion_protection=false' : '';
  /** The calls of a whole roll replacing `steps` (lists of host numbers) of `group`. */
  const expected = (group: string, steps: number[][]) => [
    'init',
    `plan -out=${PLAN_FILE}${off}`,
    'show -json tfplan',
    ...(alicloud ? ['apply tfplan'] : []),
    ...steps.flatMap((hosts) => [
      `plan -out=${PLAN_FILE}${off} ${hosts.map((n) => `-replace=${instance(region, group, n)}`).join(' ')}`,
      'show -json tfplan',
      'apply tfplan',
    ]),
    ...(alicloud ? [`plan -out=${PLAN_FILE}`, 'apply tfplan'] : []),
  ];
  const groups: [string, string, number[][]][] = [
    ['bastion', 'Bastion', [[1]]],
    ['control', 'Control', [[1], [2], [3]]],
    ['worker', 'Worker', [[1], [2], [3]]],
    ['edge', 'Edge', [[1], [2]]],
  ];

  test.each(groups)('group %s: the exact engine calls, one step at a time', async (group, id, steps) => {
    const rec = recorder();
    const { opts } = options(rec);
    const result = await rollGroup(`${region}-infra`, group, opts);
    expect(shape(rec.calls)).toEqual(expected(id, steps));
    expect(result.steps.map((s) => s.hosts)).toEqual(steps.map((hosts) => hosts.map((n) => `${region}-${group}-${n}`)));
    expect(existsSync(path.join(dir, 'cdktf.out', 'stacks', `${region}-infra`, PLAN_FILE))).toBe(false);
  });

  test('--zone 2 replaces only that zone', async () => {
    const rec = recorder();
    const { opts } = options(rec, { zone: 2 });
    await rollGroup(`${region}-infra`, 'control', opts);
    expect(shape(rec.calls)).toEqual(expected('Control', [[2]]));
  });

  test('stops at the first failed apply: later steps never run, and the error names the step', async () => {
    // the second control step's apply (the third apply on Alibaba Cloud, after deletion protection went off)
    const rec = recorder(alicloud ? 'apply#3' : 'apply#2');
    const { opts } = options(rec);
    const err = await rollGroup(`${region}-infra`, 'control', opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RollStopped);
    expect((err as RollStopped).message).toBe(
      `${region}-infra: roll of control stopped: step 2/3 (zone 2: ${region}-control-2): apply failed: apply failed on purpose`,
    );
    expect((err as RollStopped).replaced).toEqual([`${region}-control-1`]);
    expect(shape(rec.calls)).toEqual(expected('Control', [[1], [2]]).slice(0, alicloud ? 10 : 9));
    expect(existsSync(path.join(dir, 'cdktf.out', 'stacks', `${region}-infra`, PLAN_FILE))).toBe(false);
  });

  test('stops when a replaced host does not answer its health endpoint in time', async () => {
    const rec = recorder();
    const probed: string[] = [];
    const { opts } = options(rec, {
      healthTimeoutSeconds: 60,
      probe: async (host, endpoint) => {
        probed.push(`${host.privateIp}:${endpoint.port}`);
        return false;
      },
    });
    const err = await rollGroup(`${region}-infra`, 'control', opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RollStopped);
    expect((err as RollStopped).message).toMatch(
      new RegExp(
        `stopped at step 1/3 \\(zone 1: ${region}-control-1\\): ${region}-control-1 \\(10\\.\\d+\\.0\\.48\\) did not answer tcp 2181 \\(ZooKeeper\\) within 60 s$`,
      ),
    );
    // probed every 10 s for 60 s, and nothing after step 1
    expect(probed.length).toBe(7);
    expect(shape(rec.calls).filter((c) => c.includes('-replace'))).toHaveLength(1);
  });

  test('refuses to start while the region has other changes not deployed', async () => {
    const rec = recorder(undefined, 'openstack_networking_secgroup_rule_v2.New');
    const { opts } = options(rec);
    const err = await rollGroup(`${region}-infra`, 'worker', opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toContain(
      'the region has changes that are not deployed: openstack_networking_secgroup_rule_v2.New (create)',
    );
    expect(rec.calls.some((c) => c.includes('-replace'))).toBe(false);
    expect(rec.calls.filter((c) => c.startsWith('apply'))).toEqual([]);
  });

  test('an unknown group or zone is invalid input', async () => {
    const { opts } = options(recorder());
    await expect(rollGroup(`${region}-infra`, 'nope', opts)).rejects.toThrow(/no host group nope/);
    await expect(rollGroup(`${region}-infra`, 'edge', { ...opts, zone: 3 })).rejects.toThrow(
      /group edge has no host in zone 3/,
    );
  });
});

describe('older configuration', () => {
  test('hosts whose record holds another hash than now, and that the plan does not replace', () => {
    const control = records.get('example-openstack')!.get('control')!;
    const [h1, h2, h3] = control.hosts;
    const state = (config: string, address: string) => ({ address, values: { input: { config } } });
    const plan = {
      prior_state: {
        values: {
          root_module: {
            resources: [state('old', h1!.record), state(h2!.config, h2!.record), state('old', h3!.record)],
          },
        },
      },
      resource_changes: [
        { address: h3!.instance, mode: 'managed' as const, change: { actions: ['delete', 'create'] } },
      ],
    };
    expect(olderConfiguration(plan, new Map([['control', control]]))).toEqual([
      { group: 'control', hosts: ['example-openstack-control-1'] },
    ]);
    // a host created by this plan has no record yet: not older
    expect(olderConfiguration({}, new Map([['control', control]]))).toEqual([]);
  });

  test('a deletion-protection toggle is not a pending change; anything else is', () => {
    const update = (before: object, after: object) => ({
      resource_changes: [{ address: 'a.b', mode: 'managed' as const, change: { actions: ['update'], before, after } }],
    });
    expect(otherChanges(update({ deletion_protection: true, x: 1 }, { deletion_protection: false, x: 1 }))).toEqual({
      others: [],
      protection: 1,
    });
    expect(otherChanges(update({ deletion_protection: true, x: 1 }, { deletion_protection: false, x: 2 }))).toEqual({
      others: ['a.b (update)'],
      protection: 0,
    });
  });
});
