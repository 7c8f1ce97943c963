/** The batch barrier of the first-boot test, without a VM: who waits for whom, and a failed member. */
import { setTimeout as sleep } from 'node:timers/promises';

import { expect, test } from 'vitest';

import { Barrier } from './barrier.js';

/** Names in the order their `arrive` resolved. */
async function released(barrier: Barrier, arrivals: [string, number][]): Promise<string[]> {
  const order: string[] = [];
  await Promise.all(
    arrivals.map(async ([name, delayMs]) => {
      await sleep(delayMs);
      await barrier.arrive();
      order.push(name);
    }),
  );
  return order;
}

test('no member passes until the last one has arrived, phase after phase', async () => {
  const barrier = new Barrier(3);
  const passed: string[] = [];
  const early = barrier.arrive().then(() => passed.push('early'));
  await sleep(20);
  expect(passed).toEqual([]);
  const late = barrier.arrive().then(() => passed.push('late'));
  await sleep(20);
  expect(passed).toEqual([]);
  await Promise.all([early, late, barrier.arrive()]);
  expect(passed.sort()).toEqual(['early', 'late']);
  // the second phase waits for all three again
  expect(
    await released(barrier, [
      ['a', 0],
      ['b', 10],
      ['c', 30],
    ]),
  ).toHaveLength(3);
});

test('a member that leaves (its boot failed) is no longer waited for, before or after the others arrive', async () => {
  const barrier = new Barrier(3);
  const waiting = released(barrier, [
    ['a', 0],
    ['b', 0],
  ]);
  await sleep(20);
  barrier.leave();
  expect(await waiting).toEqual(['a', 'b']);
  barrier.leave();
  expect(await released(barrier, [['a', 0]])).toEqual(['a']);
});

test('parties must be a positive whole number', () => {
  expect(() => new Barrier(0)).toThrow(/parties must be ≥ 1, not 0/);
});
