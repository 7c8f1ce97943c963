/**
 * `npm run bench`: cold-process `regionkit synth` of 1, 10 and 100 regions through the bundled CLI, each
 * beside plain cdktf emitting the same JSON in the same run (bench/plain-cdktf.ts, bundled the same way).
 * Per case: median wall time of BENCH_RUNS runs (default 5; 100 regions uses half as many), peak memory
 * (max RSS) and CPU time, and regionkit/plain. BENCH_CLI=dist/bin/regionkit.js measures the unbundled CLI.
 * Prints figures; it asserts nothing (timed assertions flake on shared machines), except that the baseline
 * really emits what regionkit emits.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { execa } from 'execa';

import { BUNDLE_FILE, bundle } from '../bin/bundle.js';
import { PACKAGE_ROOT } from '../lib/providers/paths.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const CLI = path.resolve(PACKAGE_ROOT, process.env.BENCH_CLI ?? BUNDLE_FILE);
const LINEAR_SLACK = 1.2;

/**
 * Peak memory and CPU time come from the child itself: a module preloaded with `--import` writes
 * `process.resourceUsage()` to a file on exit. That works wherever Node does (no `/usr/bin/time` needed) and
 * leaves the CLI untouched; both sides get the same preload.
 */
const USAGE_HOOK = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRssKiB: u.maxRSS, cpuMicros: u.userCPUTime + u.systemCPUTime }));
});
`;

interface Sample {
  readonly wallMs: number;
  readonly peakMiB: number;
  readonly cpuMs: number;
}

interface Case {
  readonly name: string;
  readonly regions: number;
  readonly runs: number;
  readonly project: string;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** One cold process: `node --import <hook> <script> ...args`, timed from spawn to exit. */
async function measure(work: string, script: string, args: string[], cwd: string): Promise<Sample> {
  const usageFile = path.join(work, 'usage.json');
  const start = performance.now();
  await execa('node', ['--import', path.join(work, 'usage-hook.mjs'), script, ...args], {
    cwd,
    env: { BENCH_USAGE_FILE: usageFile, CHECKPOINT_DISABLE: '1' },
  });
  const wallMs = performance.now() - start;
  const usage = JSON.parse(await readFile(usageFile, 'utf8')) as { maxRssKiB: number; cpuMicros: number };
  return { wallMs, peakMiB: usage.maxRssKiB / 1024, cpuMs: usage.cpuMicros / 1000 };
}

/** A project with `count` regions in regions/ (half per cloud), derived from the examples. */
async function project(work: string, count: number): Promise<string> {
  const dir = path.join(work, `project-${count}`);
  await mkdir(path.join(dir, 'regions'), { recursive: true });
  const clouds = [
    ['alicloud', 20, 100],
    ['openstack', 30, 150],
  ] as const;
  for (const [k, [cloud, octet, base]] of clouds.entries()) {
    const text = await readFile(path.join(PACKAGE_ROOT, 'regions', `example-${cloud}.yaml`), 'utf8');
    if (count === 1) {
      if (k === 0) await writeFile(path.join(dir, 'regions', `example-${cloud}.yaml`), text);
      continue;
    }
    for (let i = 0; i < count / 2; i++) {
      const name = `bench-${cloud}-${i + 1}`;
      const variant = text
        .replace(`name: example-${cloud}`, `name: ${name}`)
        .replace(`10.${octet}.0.0/16`, `10.${base + i}.0.0/16`);
      await writeFile(path.join(dir, 'regions', `${name}.yaml`), variant);
    }
  }
  return dir;
}

/** The cdk.tf.json files of an output directory, by stack name. */
async function stackFiles(outdir: string): Promise<Map<string, string>> {
  const names = (await readdir(path.join(outdir, 'stacks'))).sort();
  return new Map(names.map((n) => [n, path.join(outdir, 'stacks', n, 'cdk.tf.json')]));
}

/**
 * Synthesizes the case once with regionkit (untimed) and checks that the baseline, fed those files, emits
 * the same JSON; returns the baseline's arguments. Throws if it does not: the comparison would be dishonest.
 */
async function prepare(work: string, c: Case, plain: string): Promise<{ args: string[]; identical: boolean }> {
  const reference = path.join(work, `reference-${c.regions}`);
  await execa('node', [CLI, '-q', 'synth', '--out', reference], { cwd: c.project, env: { CHECKPOINT_DISABLE: '1' } });
  const files = await stackFiles(reference);
  const check = path.join(work, `check-${c.regions}`);
  await execa('node', [plain, check, ...files.values()], { env: { CHECKPOINT_DISABLE: '1' } });
  let identical = true;
  for (const [name, file] of files) {
    const [a, b] = await Promise.all([
      readFile(file, 'utf8'),
      readFile(path.join(check, 'stacks', name, 'cdk.tf.json'), 'utf8'),
    ]);
    if (a === b) continue;
    identical = false;
    if (!isDeepStrictEqual(JSON.parse(a), JSON.parse(b)))
      throw new Error(`plain cdktf differs from regionkit in ${name}`);
  }
  await rm(check, { recursive: true, force: true });
  return { args: [path.join(work, 'plain-out'), ...files.values()], identical };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'regionkit-bench-'));
try {
  await writeFile(path.join(work, 'usage-hook.mjs'), USAGE_HOOK);
  await bundle({ 'plain-cdktf': 'bench/plain-cdktf.ts' }, work);
  const plain = path.join(work, 'plain-cdktf.mjs');
  const cases: Case[] = [
    { name: '1 region (example-alicloud)', regions: 1, runs: RUNS, project: await project(work, 1) },
    { name: '10 regions (5 + 5)', regions: 10, runs: RUNS, project: await project(work, 10) },
    { name: '100 regions (50 + 50)', regions: 100, runs: Math.ceil(RUNS / 2), project: await project(work, 100) },
  ];

  process.stdout.write(
    `cold-process synth on ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}\n` +
      `regionkit: ${path.relative(PACKAGE_ROOT, CLI)}; plain: bench/plain-cdktf.ts bundled alike\n` +
      `time = median wall ms of N runs, regionkit and plain interleaved; peak = max RSS; cpu = user + sys\n\n`,
  );
  const header = ['case', 'N', 'regionkit ms', 'plain ms', 'ratio', 'regionkit peak MiB', 'plain peak MiB'];
  const widths = [28, 3, 12, 9, 6, 18, 14, 13, 9];
  const row = (cells: string[]) =>
    `${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')}\n`;
  process.stdout.write(row([...header, 'regionkit cpu', 'plain cpu']));
  process.stdout.write(row(widths.map((w) => '-'.repeat(w))));

  const results = new Map<number, Record<'rk' | 'plain', { wall: number; cpu: number }>>();
  const notes: string[] = [];
  for (const c of cases) {
    const { args, identical } = await prepare(work, c, plain);
    notes.push(`${c.name}: plain output ${identical ? 'byte-identical' : 'deep-equal (not byte-identical)'}`);
    const rk: Sample[] = [];
    const pl: Sample[] = [];
    for (let i = 0; i < c.runs; i++) {
      const out = path.join(work, 'rk-out');
      rk.push(await measure(work, CLI, ['-q', 'synth', '--out', out], c.project));
      await rm(out, { recursive: true, force: true });
      pl.push(await measure(work, plain, args, c.project));
      await rm(args[0]!, { recursive: true, force: true });
    }
    const m = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
    results.set(c.regions, {
      rk: { wall: m(rk, 'wallMs'), cpu: m(rk, 'cpuMs') },
      plain: { wall: m(pl, 'wallMs'), cpu: m(pl, 'cpuMs') },
    });
    process.stdout.write(
      row([
        c.name,
        String(c.runs),
        m(rk, 'wallMs').toFixed(0),
        m(pl, 'wallMs').toFixed(0),
        `${(m(rk, 'wallMs') / m(pl, 'wallMs')).toFixed(2)}x`,
        m(rk, 'peakMiB').toFixed(0),
        m(pl, 'peakMiB').toFixed(0),
        m(rk, 'cpuMs').toFixed(0),
        m(pl, 'cpuMs').toFixed(0),
      ]),
    );
  }

  process.stdout.write(
    `\n${notes.join('\n')}\n\nscaling in ms per region ("added": beyond the 1-region case, so without start-up);\n` +
      `CPU time is the steadier figure when other processes share the cores\n`,
  );
  const [one, ten, hundred] = [results.get(1)!, results.get(10)!, results.get(100)!];
  for (const side of ['rk', 'plain'] as const) {
    for (const measure of ['wall', 'cpu'] as const) {
      const at = (r: typeof one) => r[side][measure];
      const added10 = (at(ten) - at(one)) / 9;
      const added100 = (at(hundred) - at(ten)) / 90;
      const verdict = added100 <= added10 * LINEAR_SLACK ? 'linear' : 'WORSE than linear';
      process.stdout.write(
        `${(side === 'rk' ? 'regionkit' : 'plain').padEnd(9)} ${measure.padEnd(4)}  per region at 10: ` +
          `${(at(ten) / 10).toFixed(0)}, at 100: ${(at(hundred) / 100).toFixed(0)}; per added region ` +
          `1->10: ${added10.toFixed(0)}, 10->100: ${added100.toFixed(0)} => ${verdict}\n`,
      );
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
