import { describe, expect, test } from 'vitest';

import { baseAddress, refusedLosses, summarizePlan, type PlanJson } from '../../../bin/engine/plan-summary.js';
import { stackOrder } from '../../../bin/engine/stack-order.js';

const plan: PlanJson = {
  resource_changes: [
    { address: 'openstack_networking_network_v2.Net', mode: 'managed', change: { actions: ['create'] } },
    { address: 'openstack_compute_instance_v2.Host', mode: 'managed', change: { actions: ['update'] } },
    { address: 'openstack_blockstorage_volume_v3.Disk[0]', mode: 'managed', change: { actions: ['delete', 'create'] } },
    { address: 'openstack_networking_port_v2.Port', mode: 'managed', change: { actions: ['create', 'delete'] } },
    { address: 'openstack_lb_member_v2.Old', mode: 'managed', change: { actions: ['delete'] } },
    { address: 'openstack_networking_secgroup_v2.Same', mode: 'managed', change: { actions: ['no-op'] } },
    { address: 'data.openstack_images_image_v2.Image', mode: 'data', change: { actions: ['read'] } },
  ],
};
const stateful = new Map([['openstack_blockstorage_volume_v3.Disk', 'data disk 1 of control-1']]);

describe('summarizePlan', () => {
  test('counts actions as the engine does: a replacement adds one and destroys one', () => {
    const summary = summarizePlan(plan, stateful);
    expect([summary.add, summary.change, summary.destroy]).toEqual([3, 1, 3]);
  });

  test('lists replacements and destructions, flagging the stateful ones', () => {
    expect(summarizePlan(plan, stateful).losing).toEqual([
      { address: 'openstack_blockstorage_volume_v3.Disk[0]', action: 'replace', stateful: 'data disk 1 of control-1' },
      { address: 'openstack_networking_port_v2.Port', action: 'replace' },
      { address: 'openstack_lb_member_v2.Old', action: 'destroy' },
    ]);
  });

  test('refuses stateful losses unless named, with or without the instance key', () => {
    const summary = summarizePlan(plan, stateful);
    expect(refusedLosses(summary, []).map((l) => l.address)).toEqual(['openstack_blockstorage_volume_v3.Disk[0]']);
    expect(refusedLosses(summary, ['openstack_blockstorage_volume_v3.Disk[0]'])).toEqual([]);
    expect(refusedLosses(summary, ['openstack_blockstorage_volume_v3.Disk'])).toEqual([]);
    expect(refusedLosses(summary, ['openstack_networking_port_v2.Port']).length).toBe(1);
  });

  test('baseAddress drops only the last instance key, whatever the key holds', () => {
    expect(baseAddress('module.a["x"].res.b[2]')).toBe('module.a["x"].res.b');
    expect(baseAddress('res.b["k"]')).toBe('res.b');
    expect(baseAddress('res.b["a[0]"]')).toBe('res.b');
    expect(baseAddress('res.b["q\\"]"]')).toBe('res.b');
    expect(baseAddress('res.b')).toBe('res.b');
  });

  test('an output change alone counts, so readers of the output wait', () => {
    expect(summarizePlan({ output_changes: { a: { actions: ['no-op'] } } }, new Map()).outputsChange).toBe(false);
    expect(summarizePlan({ output_changes: { a: { actions: ['create'] } } }, new Map()).outputsChange).toBe(true);
  });
});

describe('stackOrder', () => {
  const manifest = (deps: Record<string, string[]>) => ({
    stacks: Object.fromEntries(
      Object.entries(deps).map(([name, dependencies]) => [
        name,
        { name, dependencies, workingDirectory: `stacks/${name}` },
      ]),
    ),
  });

  test('puts every stack after the stacks it reads outputs from', () => {
    const m = manifest({ 'a-platform': ['a-infra'], 'a-infra': [], 'b-infra': [], 'b-platform': ['b-infra'] });
    expect(stackOrder(m, ['a-platform', 'b-infra'])).toEqual(['a-infra', 'a-platform', 'b-infra']);
  });

  test('fails on a cycle and on a stack that is not synthesized', () => {
    expect(() => stackOrder(manifest({ x: ['y'], y: ['x'] }), ['x'])).toThrow(/cycle: x -> y -> x/);
    expect(() => stackOrder(manifest({ x: [] }), ['z'])).toThrow(/stack z is not in the synthesized output/);
  });
});
