/**
 * Boots hosts of the example regions in QEMU and reads back what they report.
 *
 * Each VM gets a qcow2 overlay of the cached Debian image (grown to the group's root disk size), one
 * blank qcow2 per data disk of its group, a NoCloud seed ISO (label `cidata`) with the prepared user data,
 * a network-config giving the private NIC the host's planned address, `regionkit-units` (the units the
 * report describes) and the report script. NIC 1 is QEMU user networking (the guest reaches Debian's mirror through it; nothing
 * on the host changes); NIC 2 is on a `vde_switch` run as a child process, a private L2 network between
 * the VMs that exists only as a UNIX socket directory. The report unit baked into the image prints on the
 * second serial port, which QEMU writes to a file per boot. A reboot is an ACPI power-down through QMP
 * followed by a new QEMU process on the same disks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { execa } from 'execa';

import type { Barrier } from './barrier.js';
import type { BootHost, DebianSuite } from './hosts.js';
import { parseReport, REPORT_SCRIPT, type Report } from './report.js';

/** Where images and per-run VM directories live. */
export function bootDir(): string {
  return process.env.REGIONKIT_BOOT_DIR ?? path.join(os.homedir(), '.cache', 'regionkit', 'boot');
}

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** The programs the boot test runs, each from a Debian package .ci/install-checkers.sh installs. */
export const BOOT_TOOLS = [
  'qemu-system-x86_64',
  'qemu-img',
  'debootstrap',
  'vde_switch',
  'genisoimage',
  'sfdisk',
  'losetup',
  'mkfs.ext4',
  'blkid',
] as const;

/**
 * `kvm` when /dev/kvm can run a stock Debian kernel, else `tcg`. A PVM host (kvm_pvm module) exposes
 * /dev/kvm but cannot boot an unmodified guest kernel, so it counts as no KVM. REGIONKIT_BOOT_ACCEL=kvm|tcg
 * overrides.
 */
export function accelerator(): 'kvm' | 'tcg' {
  const forced = process.env.REGIONKIT_BOOT_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced;
  if (existsSync('/sys/module/kvm_pvm')) return 'tcg';
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return 'kvm';
  } catch {
    return 'tcg';
  }
}

/** True when the image can be built here: root, or passwordless sudo (loop devices, chroot). */
export async function canBuildAsRoot(): Promise<boolean> {
  if (process.getuid?.() === 0) return true;
  const sudo = await execa('sudo', ['-n', 'true'], { reject: false });
  return sudo.exitCode === 0;
}

/**
 * Builds or finds the cached image of `suite` holding `packages`; resolves with its path, build time and how
 * it was made: `cached` (image found), `from-base` (cached debootstrap and base set), `cold` (debootstrap).
 * `aptPreferences` (file name in /etc/apt/preferences.d → content, as the hosts' user data writes them) are in
 * place before the packages install, as on a real first boot, where write_files runs before cloud-init's
 * package step: a pin that keeps a package off a host keeps it out of the image too. `imageUnits` (unit names)
 * get the emulation-only restart delay of guest/image-unit-boot-test-restart.conf.
 */
export async function ensureImage(
  suite: DebianSuite,
  packages: readonly string[],
  aptPreferences: ReadonlyMap<string, string> = new Map(),
  imageUnits: readonly string[] = [],
): Promise<{ path: string; seconds: number; cached: boolean; how: 'cached' | 'from-base' | 'cold' }> {
  const started = Date.now();
  const prefDir = path.join(bootDir(), 'apt-preferences', `${process.pid}-${suite}`);
  mkdirSync(prefDir, { recursive: true });
  for (const [name, content] of aptPreferences) writeFileSync(path.join(prefDir, name), content);
  const units = imageUnits.length > 0 ? ['--image-units', imageUnits.join(',')] : [];
  const script = [path.join(HERE, 'build-image.sh'), '--apt-preferences', prefDir, ...units, suite, ...packages];
  // Root as .ci/install-checkers.sh gets it: directly, or through passwordless sudo (env passes the cache
  // directory, which sudo would otherwise reset with HOME).
  try {
    const result =
      process.getuid?.() === 0
        ? await execa('bash', script, { env: { REGIONKIT_BOOT_DIR: bootDir() }, stderr: 'pipe' })
        : await execa('sudo', ['-n', 'env', `REGIONKIT_BOOT_DIR=${bootDir()}`, 'bash', ...script], { stderr: 'pipe' });
    const seconds = (Date.now() - started) / 1000;
    // build-image.sh logs nothing for a cached image, "debootstrap" for a cold build, "base from" otherwise.
    const how = result.stderr.includes('debootstrap')
      ? 'cold'
      : result.stderr.includes('base from')
        ? 'from-base'
        : 'cached';
    return { path: result.stdout.trim(), seconds, cached: how === 'cached', how };
  } finally {
    rmSync(prefDir, { recursive: true, force: true });
  }
}

/** A private L2 switch between VMs: a `vde_switch` child process and its socket directory. */
export class PrivateSwitch {
  public static async start(dir: string): Promise<PrivateSwitch> {
    const socket = path.join(dir, 'switch');
    const proc = spawn('vde_switch', ['--sock', socket, '--mode', '700', '--numports', '64'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    for (let i = 0; i < 50 && !existsSync(path.join(socket, 'ctl')); i++) await sleep(100);
    if (!existsSync(path.join(socket, 'ctl'))) {
      proc.kill();
      throw new Error('vde_switch did not create its socket');
    }
    return new PrivateSwitch(socket, proc);
  }

  private constructor(
    public readonly socket: string,
    private readonly proc: ChildProcess,
  ) {}

  public stop(): void {
    this.proc.kill('SIGTERM');
  }
}

/** Timings and resource use of one VM. */
export interface VmTimings {
  /** QEMU start to the first boot's report, seconds. */
  firstBoot: number;
  /** Power-down start to the second boot's report, seconds. */
  reboot: number;
  /** Largest resident size of the QEMU process, MiB. */
  peakRssMiB: number;
}

/** What a VM reported on its first boot and after a reboot. */
export interface VmResult {
  readonly host: BootHost;
  readonly first: Report;
  readonly second: Report;
  readonly timings: VmTimings;
  readonly dir: string;
}

export interface VmOptions {
  readonly image: string;
  readonly switchSocket: string;
  /** Distinguishes this VM's MAC addresses on the switch (1..250). */
  readonly slot: number;
  readonly userData: string;
  /** Units the report describes (one per line in the seed). */
  readonly units: readonly string[];
  /**
   * Of `units`, those expected not to be active on this host: the report does not wait for their start jobs,
   * and waits (up to 10 min) for the other units' even while they restart.
   */
  readonly expectedDown: ReadonlySet<string>;
  readonly runDir: string;
  /** @default 1536 */
  readonly memoryMiB?: number;
  /**
   * Per boot, until its report. Bounds a stuck boot so it cannot hold CI for long, with room for the slowest
   * measured: the worker's first boot with its cgroup v1 reboot took 1081-1216 s on CI's kind of machine and
   * once ran past 25 min (docs/boot-test.md, "On CI").
   * @default 40 min, or REGIONKIT_BOOT_TIMEOUT_MIN
   */
  readonly timeoutMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /**
   * Shared by the VMs of a batch: this VM powers down (for its reboot, and at the end) only when every member
   * still booting has reported. Without one it powers down as soon as its own report is in.
   */
  readonly barrier?: Barrier;
  /**
   * Secret name → value, put on the seed as `regionkit-secret-values.json` for the fetch to read instead of the
   * store (guest/regionkit-boot-test-secret-values). Without it the host boots with no secret store.
   */
  readonly secretValues?: Readonly<Record<string, string>>;
}

/** The seed's secret values file, read by guest/regionkit-boot-test-secret-values. */
const SECRET_VALUES_FILE = 'regionkit-secret-values.json';

/**
 * Boots `host`, waits for its report (and its batch's, `opts.barrier`), powers it down, boots it again and
 * waits for the second report. A failure leaves the barrier, so the rest of the batch does not wait for it.
 */
export async function bootTwice(host: BootHost, opts: VmOptions): Promise<VmResult> {
  const barrier = opts.barrier;
  try {
    return await bootTwiceAt(host, opts, () => barrier?.arrive());
  } catch (err) {
    barrier?.leave();
    throw err;
  }
}

async function bootTwiceAt(
  host: BootHost,
  opts: VmOptions,
  reported: () => Promise<void> | undefined,
): Promise<VmResult> {
  const dir = path.join(opts.runDir, host.name);
  mkdirSync(dir, { recursive: true });
  const log = opts.log ?? (() => undefined);
  const timeoutMs = opts.timeoutMs ?? Number(process.env.REGIONKIT_BOOT_TIMEOUT_MIN ?? 40) * 60_000;
  const disk = path.join(dir, 'root.qcow2');
  await execa('qemu-img', [
    'create',
    '-q',
    '-f',
    'qcow2',
    '-b',
    opts.image,
    '-F',
    'qcow2',
    disk,
    `${host.systemDiskGiB}G`,
  ]);
  const dataDisks = host.dataDisksGiB.map((size, i) => path.join(dir, `data-${i + 1}.qcow2`));
  for (const [i, file] of dataDisks.entries()) {
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', file, `${host.dataDisksGiB[i]}G`]);
  }
  const seed = await writeSeed(host, opts, dir);
  const mac = (nic: number) =>
    `52:54:00:${nic.toString(16).padStart(2, '0')}:00:${opts.slot.toString(16).padStart(2, '0')}`;
  const args = (boot: number) => [
    '-machine',
    'pc',
    ...(accelerator() === 'tcg' ? ['-accel', 'tcg,thread=multi', '-cpu', 'max'] : ['-accel', 'kvm', '-cpu', 'host']),
    '-smp',
    '1',
    '-m',
    String(opts.memoryMiB ?? 1536),
    '-display',
    'none',
    '-vga',
    'none',
    '-monitor',
    'none',
    '-serial',
    `file:${path.join(dir, `console-${boot}.log`)}`,
    '-serial',
    `file:${path.join(dir, `report-${boot}.log`)}`,
    '-qmp',
    `unix:${path.join(dir, 'qmp.sock')},server=on,wait=off`,
    '-drive',
    `file=${disk},if=virtio,format=qcow2,cache=unsafe`,
    ...dataDisks.flatMap((f) => ['-drive', `file=${f},if=virtio,format=qcow2,cache=unsafe`]),
    '-drive',
    `file=${seed},media=cdrom,readonly=on`,
    '-netdev',
    'user,id=outside',
    '-device',
    `virtio-net-pci,netdev=outside,mac=${mac(1)},addr=0x3`,
    '-netdev',
    `vde,id=private,sock=${opts.switchSocket}`,
    '-device',
    `virtio-net-pci,netdev=private,mac=${mac(2)},addr=0x4`,
  ];

  const timings: VmTimings = { firstBoot: 0, reboot: 0, peakRssMiB: 0 };
  let started = Date.now();
  log(`${host.name}: boot 1`);
  let qemu = startQemu(args(1), dir, 1);
  const first = await waitForReport(path.join(dir, 'report-1.log'), qemu, timeoutMs, host.name);
  timings.firstBoot = (Date.now() - started) / 1000;
  log(`${host.name}: report 1 after ${timings.firstBoot.toFixed(0)} s`);
  timings.peakRssMiB = peakRss(qemu);
  await reported();
  started = Date.now();
  await powerDown(path.join(dir, 'qmp.sock'), qemu);
  log(`${host.name}: boot 2`);
  qemu = startQemu(args(2), dir, 2);
  try {
    const second = await waitForReport(path.join(dir, 'report-2.log'), qemu, timeoutMs, host.name);
    timings.reboot = (Date.now() - started) / 1000;
    log(`${host.name}: report 2 after ${timings.reboot.toFixed(0)} s`);
    timings.peakRssMiB = Math.max(timings.peakRssMiB, peakRss(qemu));
    await reported();
    await powerDown(path.join(dir, 'qmp.sock'), qemu);
    return { host, first, second, timings, dir };
  } finally {
    if (qemu.exitCode === null) qemu.kill('SIGKILL');
  }
}

function startQemu(args: string[], dir: string, boot: number): ChildProcess {
  const proc = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.on('exit', () => writeFileSync(path.join(dir, `qemu-${boot}.stderr`), stderr));
  return proc;
}

async function writeSeed(host: BootHost, opts: VmOptions, dir: string): Promise<string> {
  const seedDir = path.join(dir, 'seed');
  mkdirSync(seedDir, { recursive: true });
  const prefix = host.cidr.split('/')[1];
  writeFileSync(path.join(seedDir, 'user-data'), opts.userData);
  writeFileSync(
    path.join(seedDir, 'meta-data'),
    `instance-id: ${host.name}-${path.basename(opts.runDir)}\nlocal-hostname: ${host.name}\n`,
  );
  const mac = (nic: number) =>
    `52:54:00:${nic.toString(16).padStart(2, '0')}:00:${opts.slot.toString(16).padStart(2, '0')}`;
  // PCI slots 3 and 4 give the predictable names ens3 and ens4; set-name keeps them.
  writeFileSync(
    path.join(seedDir, 'network-config'),
    [
      'version: 2',
      'ethernets:',
      '  ens3:',
      `    match: { macaddress: "${mac(1)}" }`,
      '    set-name: ens3',
      '    dhcp4: true',
      '  ens4:',
      `    match: { macaddress: "${mac(2)}" }`,
      '    set-name: ens4',
      `    addresses: ["${host.privateIp}/${prefix}"]`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(seedDir, 'regionkit-units'),
    opts.units.map((u) => (opts.expectedDown.has(u) ? `${u}\texpected-down\n` : `${u}\n`)).join(''),
  );
  // The report script runs from the seed (guest/regionkit-boot-report-launch), so it is not part of the image.
  copyFileSync(REPORT_SCRIPT, path.join(seedDir, 'regionkit-boot-report'));
  const files = ['user-data', 'meta-data', 'network-config', 'regionkit-units', 'regionkit-boot-report'];
  if (opts.secretValues) {
    writeFileSync(path.join(seedDir, SECRET_VALUES_FILE), JSON.stringify(opts.secretValues), { mode: 0o600 });
    files.push(SECRET_VALUES_FILE);
  }
  const iso = path.join(dir, 'seed.iso');
  try {
    await execa('genisoimage', [
      '-quiet',
      '-output',
      iso,
      '-volid',
      'cidata',
      '-joliet',
      '-rock',
      ...files.map((f) => path.join(seedDir, f)),
    ]);
  } finally {
    // the values stay only in the seed image, which the run removes with the disks
    rmSync(path.join(seedDir, SECRET_VALUES_FILE), { force: true });
  }
  return iso;
}

async function waitForReport(file: string, qemu: ChildProcess, timeoutMs: number, name: string): Promise<Report> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (qemu.exitCode !== null) throw new Error(`${name}: QEMU exited (${qemu.exitCode}) before the report`);
    if (existsSync(file)) {
      const text = readFileSync(file, 'latin1');
      const reports = [
        ...text.matchAll(/=====REGIONKIT-REPORT-BEGIN=====\r?\n([\s\S]*?)=====REGIONKIT-REPORT-END=====/g),
      ];
      const last = reports.at(-1);
      if (last) return parseReport(last[1]!);
    }
    await sleep(5000);
  }
  qemu.kill('SIGKILL');
  throw new Error(`${name}: no report within ${timeoutMs / 60_000} min (see ${path.dirname(file)})`);
}

function peakRss(qemu: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${qemu.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** ACPI power button through QMP; waits for QEMU to exit (the guest shuts down), kills it after 5 min. */
async function powerDown(socket: string, qemu: ChildProcess): Promise<void> {
  const running = () => qemu.exitCode === null && qemu.signalCode === null;
  if (!running()) return;
  const conn = net.createConnection(socket);
  conn.on('error', () => undefined);
  conn.on('connect', () => {
    conn.write('{"execute":"qmp_capabilities"}\n');
    conn.write('{"execute":"system_powerdown"}\n');
  });
  // Polled rather than awaited on events: the exit status is what counts, whatever the socket does.
  const deadline = Date.now() + 5 * 60_000;
  while (running() && Date.now() < deadline) await sleep(1000);
  conn.destroy();
  if (running()) {
    qemu.kill('SIGKILL');
    while (running()) await sleep(200);
  }
}
