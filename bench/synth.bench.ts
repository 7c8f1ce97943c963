/**
 * `npm run bench`: cold-process synth times (median of N runs) of each example region and of a 10-region
 * app, through the built CLI exactly as an operator runs it. Target: one example region under 1 s.
 * Prints figures; it asserts nothing (timed assertions flake on shared machines).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';

import { PACKAGE_ROOT } from '../lib/providers/paths.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CLI = path.join(PACKAGE_ROOT, 'dist', 'bin', 'regionkit.js');
const TARGET_MS = 1000;

async function timeRuns(args: string[], cwd: string): Promise<{ median: number; min: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'regionkit-bench-out-'));
    const start = performance.now();
    await execa('node', [CLI, '-q', 'synth', '--out', path.join(out, 'cdktf.out'), ...args], { cwd });
    times.push(performance.now() - start);
    await rm(out, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]!, max: times[times.length - 1]! };
}

/** A project with ten regions in regions/, five per cloud, derived from the examples (names and CIDRs changed). */
async function tenRegions(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-bench-regions-'));
  await mkdir(path.join(dir, 'regions'));
  for (const [cloud, octet] of [
    ['alicloud', 20],
    ['openstack', 30],
  ] as const) {
    const text = await readFile(path.join(PACKAGE_ROOT, 'regions', `example-${cloud}.yaml`), 'utf8');
    for (let i = 1; i <= 5; i++) {
      const variant = text
        .replace(`name: example-${cloud}`, `name: bench-${cloud}-${i}`)
        .replace(`10.${octet}.0.0/16`, `10.${octet + i}.0.0/16`);
      await writeFile(path.join(dir, 'regions', `bench-${cloud}-${i}.yaml`), variant);
    }
  }
  return dir;
}

const fmt = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;
const cases: [string, string[], string][] = [
  ['example-alicloud (1 region)', [path.join(PACKAGE_ROOT, 'regions/example-alicloud.yaml')], PACKAGE_ROOT],
  ['example-openstack (1 region)', [path.join(PACKAGE_ROOT, 'regions/example-openstack.yaml')], PACKAGE_ROOT],
];
const ten = await tenRegions();
cases.push(['10-region app (5 alicloud + 5 openstack)', [], ten]);

process.stdout.write(
  `cold-process synth, median of ${RUNS} runs on ${os.cpus().length} cores (node ${process.version})\n`,
);
for (const [name, args, cwd] of cases) {
  const r = await timeRuns(args, cwd);
  const verdict = name.includes('(1 region)')
    ? r.median < TARGET_MS
      ? '  target <1 s: met'
      : '  target <1 s: MISSED'
    : '';
  process.stdout.write(
    `${name.padEnd(42)} median ${fmt(r.median)}  (min ${fmt(r.min)}, max ${fmt(r.max)})${verdict}\n`,
  );
}
await rm(ten, { recursive: true, force: true });
