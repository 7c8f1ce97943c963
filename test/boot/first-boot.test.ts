/**
 * First boot on real VMs (issue 7, "What to build" 3): hosts of the example regions boot their rendered
 * user data in QEMU from a Debian image built here, report through a serial port, reboot and report again.
 * See docs/boot-test.md.
 *
 * Boots under CI=true (`npm test` on CI runs this file after every other one, so the VMs get the cores to
 * themselves) and with REGIONKIT_BOOT=1; then a missing tool, or neither root nor sudo, fails it. Otherwise
 * it skips with a loud line. The endpoint-replacement and expectation checks need no VM and always run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { APT_PREFERENCES_DIR } from '../../lib/cloudinit/apt-preferences.js';
import { which } from '../checkers/tools.js';

import { Barrier } from './barrier.js';
import { declaredUnits, expectedNotActive, reportProblems, secretGatedUnits } from './checks.js';
import { bootsWithSecrets, expectedReplacements, imageUnits } from './expectations.js';
import { exampleHosts, type BootHost, type DebianSuite } from './hosts.js';
import { prepareUserData, type Prepared } from './replace.js';
import { applySecretValues, hostSecretValues, secretValuesConfig } from './secret-values.js';
import {
  BOOT_TOOLS,
  PrivateSwitch,
  accelerator,
  bootDir,
  bootTwice,
  canBuildAsRoot,
  ensureImage,
  type VmResult,
} from './vm.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const ALL_HOSTS = await exampleHosts();
const PREPARED = new Map<string, Prepared>(ALL_HOSTS.map((h) => [h.name, prepareUserData(h.terraformUserData)]));

describe('user data as booted: only cloud-only endpoints replaced', () => {
  test.each(ALL_HOSTS.map((h) => [h.name, h] as const))('%s', (_, host) => {
    const p = PREPARED.get(host.name)!;
    const applied = Object.fromEntries(Object.entries(p.counts).filter(([, n]) => n > 0));
    expect(applied).toEqual(expectedReplacements(host));
    // The document differs from the rendered one exactly where a replacement applied.
    expect(p.differingPaths).toEqual(p.changedPaths);
    expect(p.userData).not.toMatch(/\$\{var\./);
  });
});

/** Units expected not active for want of the secret store, by the host's expectations. */
function notActiveForSecrets(host: BootHost): string[] {
  return [...expectedNotActive(host)]
    .filter(([, why]) => /: secrets\b/.test(why))
    .map(([unit]) => unit)
    .sort();
}

describe('expected not active for want of a secret store: exactly the fetch and the units it gates', () => {
  test.each(ALL_HOSTS.filter((h) => !bootsWithSecrets(h)).map((h) => [h.name, h] as const))('%s', (_, host) => {
    expect(notActiveForSecrets(host)).toEqual(secretGatedUnits(PREPARED.get(host.name)!.userData));
  });
});

describe('hosts that boot with their secrets: the stack’s random and tls resources make every secret they fetch', () => {
  const withSecrets = ALL_HOSTS.filter(bootsWithSecrets);
  test('they are the six Mesos control hosts', () => {
    expect(withSecrets.map((h) => h.name)).toEqual(
      ['alicloud', 'openstack'].flatMap((c) => [1, 2, 3].map((i) => `example-${c}-control-${i}`)),
    );
  });
  test.each(withSecrets.map((h) => [h.name, h] as const))('%s', (_, host) => {
    const userData = PREPARED.get(host.name)!.userData;
    expect(secretGatedUnits(userData).length).toBeGreaterThan(1);
    const values = Object.fromEntries(secretValuesConfig(host.stack).names.map((n) => [n, 'x']));
    expect(Object.keys(hostSecretValues(userData, values)).length).toBeGreaterThan(0);
  });
});

/**
 * What the image of a Debian release needs from the hosts that run it, read from their user data: the packages
 * they install, and the apt_preferences(5) files they write, by file name (one content per name, or the image
 * could not stand for every host).
 */
function imageInputs(hosts: readonly BootHost[]): { packages: string[]; aptPreferences: Map<string, string> } {
  const packages = new Set<string>();
  const aptPreferences = new Map<string, string>();
  for (const h of hosts) {
    const doc = parse(PREPARED.get(h.name)!.userData) as {
      packages?: string[];
      write_files?: { path: string; content?: string }[];
    };
    for (const p of doc.packages ?? []) packages.add(p);
    for (const f of doc.write_files ?? []) {
      if (!f.path.startsWith(APT_PREFERENCES_DIR)) continue;
      const name = f.path.slice(APT_PREFERENCES_DIR.length);
      const seen = aptPreferences.get(name);
      if (seen !== undefined && seen !== f.content) throw new Error(`${h.name}: ${f.path} differs between hosts`);
      aptPreferences.set(name, f.content ?? '');
    }
  }
  return { packages: [...packages], aptPreferences };
}

const ENABLED = process.env.REGIONKIT_BOOT === '1' || process.env.CI === 'true';
if (!ENABLED) {
  process.stderr.write(
    '\n!!! test/boot: the first-boot VM test is SKIPPED (set REGIONKIT_BOOT=1 to boot the example hosts in QEMU, ' +
      'as CI=true does; docs/boot-test.md)\n',
  );
}

/**
 * The hosts booted on every run (CI included), sized for the suite's CI budget of about 25 min on two cores
 * with no image cache: ONE image (Debian 12, which every group of the Mesos cluster runs) and two VMs at
 * once, one per core. An Alibaba Cloud worker (Mesos agent with the cgroup v1 kernel argument and its reboot
 * during first boot, Docker with the rendered daemon.json, REX-Ray, the GlusterFS client, the Alibaba Cloud
 * endpoint replacements) and an OpenStack edge (keepalived, marathon-lb, dnsmasq): both clouds, the two
 * groups a workload runs on, the start-order and unit-condition faults of issue 7. The control trios (three
 * VMs each, quorums, GlusterFS) and the Debian 13 bastions are behind REGIONKIT_BOOT_ALL=1; why, with the
 * measured times, in docs/boot-test.md. REGIONKIT_BOOT_HOSTS=<comma-separated names> boots just those.
 */
const EVERY_RUN = ['example-alicloud-worker-1', 'example-openstack-edge-1'];

function selectedHosts(): BootHost[] {
  const only = process.env.REGIONKIT_BOOT_HOSTS?.split(',').filter(Boolean);
  if (only?.length) return ALL_HOSTS.filter((h) => only.includes(h.name));
  if (process.env.REGIONKIT_BOOT_ALL === '1') return ALL_HOSTS.filter(inBootAll);

  return ALL_HOSTS.filter((h) => EVERY_RUN.includes(h.name));
}

/**
 * REGIONKIT_BOOT_ALL: the Mesos control trios (quorums) and the first host of every other group. A kubeadm
 * control plane boots only its first host: it stops before it would form a cluster (the Kubernetes packages
 * cannot be fetched here, docs/boot-test.md), so its peers would show nothing more.
 */
function inBootAll(h: BootHost): boolean {
  return h.index === 0 || (h.group === 'control' && !h.kubeadmControlPlane);
}

/** Hosts that boot together: a group's hosts with a quorum (control), every other host alone. */
function batches(hosts: BootHost[]): BootHost[][] {
  const out: BootHost[][] = [];
  const controls = new Map<string, BootHost[]>();
  for (const h of hosts) {
    if (h.group === 'control') controls.set(h.region, [...(controls.get(h.region) ?? []), h]);
    else out.push([h]);
  }
  return [...controls.values(), ...out];
}

const HOSTS = selectedHosts();

test('the every-run subset names example hosts of both clouds, needs one image and fits two cores', () => {
  const hosts = EVERY_RUN.map((name) => ALL_HOSTS.find((h) => h.name === name));
  expect(hosts.every(Boolean)).toBe(true);
  expect(new Set(hosts.map((h) => h!.region)).size).toBe(2);
  expect(new Set(hosts.map((h) => h!.suite))).toEqual(new Set(['bookworm']));
  // No control host: a control host boots only with its two peers (three VMs at once).
  expect(hosts.map((h) => h!.group)).not.toContain('control');
  expect(hosts.length).toBeLessThanOrEqual(2);
});
test('REGIONKIT_BOOT_ALL boots the first kubeadm control-plane host of the kubeadm example, alone', () => {
  const k8s = ALL_HOSTS.filter((h) => h.region === 'example-openstack-k8s' && inBootAll(h)).map((h) => h.name);
  expect(k8s).toEqual([
    'example-openstack-k8s-bastion-1',
    'example-openstack-k8s-control-1',
    'example-openstack-k8s-worker-1',
  ]);
  expect(ALL_HOSTS.find((h) => h.name === 'example-openstack-k8s-control-1')).toMatchObject({
    suite: 'trixie',
    kubeadmControlPlane: true,
  });
  // the Mesos control trios still boot together
  expect(
    ALL_HOSTS.filter((h) => h.region === 'example-openstack' && inBootAll(h) && h.group === 'control'),
  ).toHaveLength(3);
});

test('.ci/checkers.txt installs every program the boot test runs, so a fresh CI machine has them', () => {
  const listed = readFileSync(path.join(REPO, '.ci', 'checkers.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/)[1]);
  expect(BOOT_TOOLS.filter((t) => !listed.includes(t))).toEqual([]);
});

test('every file build-image.sh bakes into the image is part of the image cache key', () => {
  // A baked file (a guest unit, the glusterd drop-in) that is not in the key would leave a stale image cached.
  const script = readFileSync(path.join(REPO, 'test', 'boot', 'build-image.sh'), 'utf8');
  const key = /^baked=\(([^)]*)\)/m.exec(script)?.[1] ?? '';
  const installed = [...script.matchAll(/^\s*install\b.*"\$here\/guest\/([^"]+)"/gm)].map((m) => m[1]);
  expect(installed.length).toBeGreaterThan(0);
  expect(installed.filter((f) => !key.includes(`"$here/guest/${f}"`))).toEqual([]);
});

const results = new Map<string, VmResult>();
const failures = new Map<string, string>();
const timings: string[] = [];

describe.skipIf(!ENABLED)('first boot on VMs', () => {
  let sw: PrivateSwitch | undefined;
  const runDir = path.join(bootDir(), 'runs', new Date().toISOString().replace(/[:.]/g, '-'));

  beforeAll(async () => {
    const missing = BOOT_TOOLS.filter((t) => !which(t));
    if (missing.length > 0) {
      throw new Error(`boot test: ${missing.join(', ')} missing; .ci/install-checkers.sh installs them`);
    }
    if (!(await canBuildAsRoot())) {
      throw new Error('boot test: building the image needs root or passwordless sudo (loop devices, chroot)');
    }
    mkdirSync(runDir, { recursive: true });
    const log = (line: string) => process.stderr.write(`boot: ${line}\n`);
    const suiteStarted = Date.now();
    log(`accelerator ${accelerator()}; run directory ${runDir}`);

    const images = new Map<DebianSuite, string>();
    for (const suite of ['bookworm', 'trixie'] as const) {
      if (!HOSTS.some((h) => h.suite === suite)) continue;
      // One image per suite for every selection: the packages of all example hosts that run it.
      const { packages, aptPreferences } = imageInputs(ALL_HOSTS.filter((h) => h.suite === suite));
      const image = await ensureImage(suite, packages, aptPreferences, imageUnits());
      images.set(suite, image.path);
      timings.push(`image ${suite}: ${image.seconds.toFixed(0)} s (${image.how}; load ${loadAverage()})`);
      log(timings.at(-1)!);
    }

    // Secret values for the hosts that boot with them: one real apply per region (secret-values.ts).
    const secretValues = new Map<string, Record<string, string>>();
    for (const host of HOSTS.filter(bootsWithSecrets)) {
      if (secretValues.has(host.region)) continue;
      const started = Date.now();
      secretValues.set(host.region, await applySecretValues(host.stack, path.join(runDir, `secrets-${host.region}`)));
      timings.push(
        `secret values ${host.region}: tofu apply of its random and tls resources ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
      log(timings.at(-1)!);
    }

    sw = await PrivateSwitch.start(runDir);
    const capacity = Number(process.env.REGIONKIT_BOOT_JOBS ?? 3);
    let slot = 0;
    const queue = batches(HOSTS);
    const running = new Set<Promise<void>>();
    let free = capacity;
    const bootBatch = async (batch: BootHost[]) => {
      // Each host's own inputs first: a host that cannot even start must not leave its peers waiting for it.
      const inputs = batch.map((host) => {
        const userData = PREPARED.get(host.name)!.userData;
        return {
          userData,
          units: declaredUnits(userData),
          expectedDown: new Set(expectedNotActive(host).keys()),
          secretValues: bootsWithSecrets(host) ? hostSecretValues(userData, secretValues.get(host.region)!) : undefined,
        };
      });
      // A quorum is seen only while its members are all up: they power down together (test/boot/barrier.ts).
      const barrier = batch.length > 1 ? new Barrier(batch.length) : undefined;
      await Promise.all(
        batch.map(async (host, i) => {
          try {
            const result = await bootTwice(host, {
              image: images.get(host.suite)!,
              switchSocket: sw!.socket,
              slot: ++slot,
              ...inputs[i]!,
              runDir,
              log,
              barrier,
            });
            results.set(host.name, result);
            const t = result.timings;
            timings.push(
              `${host.name}: first boot to report ${t.firstBoot.toFixed(0)} s, reboot to report ${t.reboot.toFixed(0)} s, ` +
                `QEMU peak RSS ${t.peakRssMiB.toFixed(0)} MiB (load ${loadAverage()})`,
            );
          } catch (err) {
            failures.set(host.name, err instanceof Error ? err.message : String(err));
            log(`${host.name}: ${failures.get(host.name)}`);
          }
        }),
      );
    };
    while (queue.length > 0 || running.size > 0) {
      const next = queue[0];
      if (next && (next.length <= free || running.size === 0)) {
        queue.shift();
        free -= next.length;
        const p: Promise<void> = bootBatch(next).finally(() => {
          free += next.length;
          running.delete(p);
        });
        running.add(p);
        continue;
      }
      await Promise.race(running);
    }
    timings.push(`suite: ${((Date.now() - suiteStarted) / 1000).toFixed(0)} s (load ${loadAverage()})`);
    writeSummary(runDir);
    log(`summary: ${path.join(runDir, 'summary.md')}`);
  }, 180 * 60_000);

  afterAll(async () => {
    sw?.stop();
    // Overlays and data disks are large, and seeds may hold secret values; keep only the logs and reports.
    await execa('find', [runDir, '(', '-name', '*.qcow2', '-o', '-name', 'seed.iso', ')', '-delete'], {
      reject: false,
    });
  });

  for (const host of HOSTS) {
    for (const boot of ['first boot', 'after reboot'] as const) {
      test(`${host.name}: ${boot}`, () => {
        const failure = failures.get(host.name);
        if (failure) expect.fail(failure);
        const result = results.get(host.name);
        expect(result, 'booted').toBeDefined();
        const report = boot === 'first boot' ? result!.first : result!.second;
        const userData = PREPARED.get(host.name)!.userData;
        const problems = reportProblems(host, report, declaredUnits(userData), userData);
        expect(problems, `${host.name} ${boot}; logs in ${result!.dir}`).toEqual([]);
      });
    }
  }

  const clusters = [...new Set(HOSTS.filter((h) => h.group === 'control').map((h) => h.region))];
  for (const region of clusters) {
    const controls = HOSTS.filter((h) => h.region === region && h.group === 'control');
    const roles = new Set(controls[0]!.roles.map((r) => r.name));
    test.runIf(roles.has('zookeeper'))(`${region}: ZooKeeper quorum of ${controls.length} control hosts`, () => {
      for (const h of controls) {
        const result = results.get(h.name);
        expect(result, `${h.name} booted`).toBeDefined();
        for (const report of [result!.first, result!.second]) {
          expect(
            report.probes.find((p) => p.startsWith(`zookeeper ${h.privateIp} `)),
            h.name,
          ).toMatch(/Mode: (leader|follower)/);
        }
      }
    });
    test.runIf(roles.has('etcd'))(`${region}: etcd cluster of ${controls.length} members is healthy`, () => {
      for (const h of controls) {
        const result = results.get(h.name);
        expect(result, `${h.name} booted`).toBeDefined();
        for (const report of [result!.first, result!.second]) {
          expect(
            report.probes.find((p) => p.startsWith(`etcd ${h.privateIp} `)),
            h.name,
          ).toMatch(new RegExp(`^etcd \\S+ members=${controls.length} linearizable-read=ok `));
        }
      }
    });
  }
});

/** The machine's 1, 5 and 15 minute load averages, for every figure the run reports (docs/boot-test.md). */
function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

/** summary.md of a run: per host and boot, the problems and the report sections a reader needs. */
function writeSummary(runDir: string): void {
  const out: string[] = ['# first-boot test run', '', ...timings.map((t) => `- ${t}`), ''];
  for (const host of HOSTS) {
    out.push(`## ${host.name} (${host.suite})`, '');
    const failure = failures.get(host.name);
    if (failure) {
      out.push(`did not complete: ${failure}`, '');
      continue;
    }
    const result = results.get(host.name)!;
    for (const [boot, report] of [
      ['first boot', result.first],
      ['after reboot', result.second],
    ] as const) {
      const userData = PREPARED.get(host.name)!.userData;
      const problems = reportProblems(host, report, declaredUnits(userData), userData);
      out.push(`### ${boot}: ${problems.length} problem(s)`, '', ...problems.map((p) => `- ${p}`), '');
      for (const section of [
        'cloud-init-status',
        'cloud-init-log',
        'failed',
        'journal',
        'listen-tcp',
        'listen-udp',
        'cgroup',
        'cmdline',
        'probes',
      ]) {
        out.push(`#### ${section}`, '', '```', (report.sections[section] ?? '').trimEnd(), '```', '');
      }
    }
  }
  writeFileSync(path.join(runDir, 'summary.md'), out.join('\n'));
}
