/**
 * The first-boot test's judgement of one report: each function returns the problems it found, as lines a
 * reader can act on (empty when the host is as declared).
 */
import { createHash } from 'node:crypto';

import { parse } from 'yaml';

import { dataDiskMountPoint } from '../../constructs/roles/data-disk.js';

import {
  BASE_LISTENERS,
  HOST_LOCAL_LISTENERS,
  LEADER_ONLY_PORTS,
  BIND_ADDRESS,
  CGROUP_V1_ROLES,
  EXPECTED_FAILURES,
  EXPECTED_NOT_ACTIVE,
  IMAGE_UNIT_RESTART_DELAY,
  bootsWithSecrets,
  hostExpectedNotActive,
  type BindExpectation,
} from './expectations.js';
import type { BootHost } from './hosts.js';
import type { Listener, Report } from './report.js';

/**
 * Units the user data enables: every unit named by a `systemctl enable [--now] [--no-block] …` command of
 * `runcmd`, in order.
 */
export function declaredUnits(userData: string): string[] {
  const doc = parse(userData) as { runcmd?: (string | string[])[] };
  const units: string[] = [];
  for (const cmd of doc.runcmd ?? []) {
    const argv = typeof cmd === 'string' ? cmd.split(/\s+/) : cmd;
    if (argv[0] !== 'systemctl' || argv[1] !== 'enable') continue;
    for (const arg of argv.slice(2)) if (!arg.startsWith('-') && !units.includes(arg)) units.push(arg);
  }
  return units;
}

/**
 * The units of a user data that cannot start without its secret fetch: `regionkit-secrets.service` (when the
 * user data writes it) and every unit whose file or drop-in requires it (`Requires=`, `BindsTo=`,
 * `Requisite=`), transitively. Read from the rendered files, not from the library's own list.
 */
export function secretGatedUnits(userData: string): string[] {
  const doc = parse(userData) as { write_files?: { path: string; content: string }[] };
  const prefix = '/etc/systemd/system/';
  const units = (doc.write_files ?? []).filter((f) => f.path.startsWith(prefix));
  if (!units.some((f) => f.path === `${prefix}regionkit-secrets.service`)) return [];
  const requires = units.map((f) => ({
    unit: f.path.slice(prefix.length).split('/')[0]!.replace(/\.d$/, ''),
    required: [...f.content.matchAll(/^(?:Requires|BindsTo|Requisite)=(.*)$/gm)].flatMap((m) =>
      m[1]!.trim().split(/\s+/),
    ),
  }));
  const gated = new Set(['regionkit-secrets.service']);
  for (let size = 0; size !== gated.size;) {
    size = gated.size;
    for (const r of requires) if (r.required.some((u) => gated.has(u))) gated.add(r.unit);
  }
  return [...gated].sort();
}

/**
 * Units expected not to be active here, by unit, with every reason (`role: reason`): the host's roles'
 * EXPECTED_NOT_ACTIVE entries and the host's own (hostExpectedNotActive). On a host that boots with its
 * secrets (bootsWithSecrets), `secrets` is no reason.
 */
export function expectedNotActive(host: BootHost): Map<string, string> {
  const out = new Map<string, string>();
  const add = (unit: string, why: string) => out.set(unit, out.has(unit) ? `${out.get(unit)}, ${why}` : why);
  for (const e of hostExpectedNotActive(host)) add(e.unit, `host: ${e.reason}`);
  const withSecrets = bootsWithSecrets(host);
  for (const role of host.roles) {
    for (const e of EXPECTED_NOT_ACTIVE[role.name] ?? []) {
      if (!(withSecrets && e.reason === 'secrets')) add(e.unit, `${role.name}: ${e.reason}`);
    }
  }
  return out;
}

/** cloud-init finished, without errors. */
export function cloudInitProblems(r: Report): string[] {
  const problems: string[] = [];
  if (r.cloudInitStatus !== 'done') problems.push(`cloud-init status is "${r.cloudInitStatus}", not done`);
  const errors = /^errors:\s*\n((?:\s+-.*\n?)+)/m.exec(r.cloudInitDetail)?.[1];
  if (errors) problems.push(`cloud-init errors:\n${errors.trimEnd()}`);
  return problems;
}

/** Container images the report found on the host (`docker-images` probe), or undefined without Docker running. */
export function dockerImages(r: Report): string[] | undefined {
  const line = r.probes.find((p) => p === 'docker-images' || p.startsWith('docker-images '));
  return line === undefined ? undefined : line.split(/\s+/).slice(1).filter(Boolean);
}

/**
 * `systemctl --failed` and the declared units against EXPECTED_NOT_ACTIVE, exactly. `userData` (the booted
 * user data) lets a unit expected down for want of its image be caught in its first start: `docker run` is
 * still trying the pull, and no image the user data names is on the host, so its daemon cannot be running.
 */
export function unitProblems(host: BootHost, r: Report, declared: readonly string[], userData = ''): string[] {
  const expected = expectedNotActive(host);
  const notActive = new Set(r.failed);
  for (const u of r.units) if (u.active !== 'active') notActive.add(u.id);
  for (const u of declared) if (!r.units.some((s) => s.id === u)) notActive.add(u);
  const problems: string[] = [];
  for (const u of [...notActive].sort()) {
    if (expected.has(u)) continue;
    const state = r.units.find((s) => s.id === u);
    const how = state
      ? `${state.active}/${state.sub} (result ${state.result})`
      : r.failed.includes(u)
        ? 'failed'
        : 'not reported';
    problems.push(`unit ${u} is ${how}${declared.includes(u) ? '' : ' (not declared by a role)'}`);
  }
  const images = dockerImages(r);
  for (const [u, why] of expected) {
    // A unit that cannot work here but restarts (Restart=always) is active between its failures: a report taken
    // then finds it running, with systemd's restart count above 0.
    const state = r.units.find((s) => s.id === u);
    const restarting = (state?.restarts ?? 0) > 0;
    const image = /: image\b/.test(why);
    const pulling = image && images !== undefined && !images.some((i) => userData.includes(i));
    if (!notActive.has(u) && !restarting && !pulling) {
      problems.push(`unit ${u} is active, but listed as expected not to be (${why})`);
    }
    // the test image's slower restart loop (guest/image-unit-boot-test-restart.conf) must have reached it
    const delay = state?.restartDelay ?? '';
    if (image && delay !== '' && delay !== IMAGE_UNIT_RESTART_DELAY) {
      problems.push(
        `unit ${u} restarts after ${delay}, not the test image's ${IMAGE_UNIT_RESTART_DELAY} (its drop-in is missing)`,
      );
    }
  }
  return problems;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('127.0.0.') || address.includes('%lo');
}

/** Listening sockets against the roles' declared ports and BIND_ADDRESS. */
export function portProblems(host: BootHost, r: Report): string[] {
  const problems: string[] = [];
  const expected = expectedNotActive(host);
  const outside = r.listeners.filter((l) => !isLoopback(l.address));
  const claimed = new Set<Listener>();
  for (const role of host.roles) {
    // A role with a unit that cannot run here is not expected to listen; its ports still may not be bound wider.
    const mustListen = !(EXPECTED_NOT_ACTIVE[role.name] ?? []).some((e) => expected.has(e.unit));
    for (const port of role.ports) {
      if (port.protocol === 'vrrp') continue;
      const last = port.toPort ?? port.port;
      const key = `${role.name}:${port.protocol}/${port.port}${port.toPort ? `-${port.toPort}` : ''}`;
      const bind: BindExpectation = BIND_ADDRESS[key] ?? 'private';
      const matching = outside.filter((l) => l.protocol === port.protocol && l.port >= port.port && l.port <= last);
      matching.forEach((l) => claimed.add(l));
      for (const l of matching) {
        // Java's dual-stack sockets show an IPv4 address as IPv4-mapped IPv6 (ZooKeeper: ::ffff:10.30.0.48).
        const ok = bind === 'any' ? true : l.address.replace(/^::ffff:/i, '') === host.privateIp;
        if (!ok) {
          problems.push(
            `${key} (${port.description}) is bound to ${l.address} by ${l.processes.join(',') || '?'}; expected ${host.privateIp} only`,
          );
        }
      }
      // Ranges (brick and task ports) are taken on demand; single ports must be listening.
      const leaderOnly = LEADER_ONLY_PORTS[key];
      const isLeader = leaderOnly !== undefined && r.probes.some((p) => leaderOnly.test(p));
      if (mustListen && port.toPort === undefined && matching.length === 0 && (leaderOnly === undefined || isLeader)) {
        problems.push(`${key} (${port.description}) is not listening`);
      }
    }
  }
  const wildcard = (address: string) => ['0.0.0.0', '::', '*'].includes(address);
  const hostLocal = (l: Listener) =>
    HOST_LOCAL_LISTENERS.some(
      (h) =>
        host.roles.some((role) => role.name === h.role) &&
        l.processes.length > 0 &&
        l.processes.every((p) => p === h.process) &&
        l.protocol === h.protocol &&
        (h.port === 'random' ? l.port >= 1024 : l.port === h.port) &&
        (h.address === 'private' ? l.address === host.privateIp : wildcard(l.address)),
    );
  for (const l of outside) {
    if (claimed.has(l)) continue;
    if (BASE_LISTENERS.some((b) => b.protocol === l.protocol && b.port === l.port)) continue;
    if (hostLocal(l)) continue;
    problems.push(`${l.protocol}/${l.port} on ${l.address} (${l.processes.join(',') || '?'}) is declared by no role`);
  }
  return problems;
}

/**
 * Every data disk of the host's group mounted where the data-disk units put it (`/srv/data<i>`,
 * `dataDiskMountPoint`), as ext4, from a disk other than the root's. The roles' state directories are on the
 * first one (`dataDirPath`), so a missing mount means a daemon with no place for its state.
 */
export function mountProblems(host: BootHost, r: Report): string[] {
  const root = r.mounts.find((m) => m.target === '/')?.source;
  const disk = (device: string) => device.replace(/p?\d+$/, '');
  const problems: string[] = [];
  host.dataDisksGiB.forEach((sizeGiB, i) => {
    const target = dataDiskMountPoint(i);
    const m = r.mounts.find((x) => x.target === target);
    if (!m) problems.push(`data disk ${i + 1} (${sizeGiB} GiB) is not mounted at ${target}`);
    else if (root && disk(m.source) === disk(root)) problems.push(`${target} is on the root disk (${m.source})`);
    else if (m.fstype !== 'ext4') problems.push(`${target} is ${m.fstype}, not ext4 (${m.source})`);
  });
  return problems;
}

/** Roles that need the cgroup v1 hierarchy mounted (CGROUP_V1_ROLES). */
export function cgroupProblems(host: BootHost, r: Report): string[] {
  const needs = host.roles.filter((role) => CGROUP_V1_ROLES.includes(role.name)).map((role) => role.name);
  if (needs.length === 0 || r.cgroupFs !== 'cgroup2fs') return [];
  return [`${needs.join(', ')} need(s) cgroup v1, but /sys/fs/cgroup is cgroup2 only (cmdline: ${r.cmdline})`];
}

/** The report's journal lines of one unit (the `--- <unit>` block of the journal section). */
export function unitJournal(r: Report, unit: string): string | undefined {
  const text = r.sections.journal ?? '';
  const start = text.indexOf(`--- ${unit}\n`);
  if (start < 0) return undefined;
  const body = text.slice(start + unit.length + 5);
  const end = body.search(/^--- /m);
  return end < 0 ? body : body.slice(0, end);
}

/** Units of the host's roles that must have ended as EXPECTED_FAILURES says: state, result, journal lines. */
export function failureProblems(host: BootHost, r: Report): string[] {
  const problems: string[] = [];
  for (const role of host.roles) {
    for (const f of EXPECTED_FAILURES[role.name] ?? []) {
      const state = r.units.find((u) => u.id === f.unit);
      if (state?.active !== f.active || (f.result !== undefined && state.result !== f.result)) {
        problems.push(
          `${role.name}: ${f.unit} is ${state ? `${state.active} (result ${state.result})` : 'not reported'}, ` +
            `expected ${f.active}${f.result ? ` (result ${f.result})` : ''}`,
        );
      }
      const journal = unitJournal(r, f.unit) ?? '';
      for (const pattern of f.journal) {
        if (!pattern.test(journal))
          problems.push(`${role.name}: the journal of ${f.unit} has no line matching ${pattern}`);
      }
    }
  }
  return problems;
}

/**
 * containerd, where the user data writes its config: running, started after the rendered file was written (so it
 * runs with it), the file on disk byte for byte the rendered one, and containerd reading its cgroup driver and
 * pause image from it (the report's `containerd-config` probe).
 */
export function containerdProblems(r: Report, userData: string): string[] {
  const doc = parse(userData) as { write_files?: { path: string; content: string }[] };
  const rendered = (doc.write_files ?? []).find((f) => f.path === '/etc/containerd/config.toml');
  if (!rendered) return [];
  const probe = r.probes.find((p) => p.startsWith('containerd-config '));
  if (!probe) return ['containerd: not active, or no /etc/containerd/config.toml (no containerd-config probe)'];
  const field = (k: string) => new RegExp(`\\b${k}=(\\S*(?: \\S+)*?)(?= \\w+=|$)`).exec(probe)?.[1] ?? '';
  const problems: string[] = [];
  const sha = createHash('sha256').update(rendered.content).digest('hex');
  if (field('sha256') !== sha)
    problems.push(`containerd: /etc/containerd/config.toml is not the rendered file (${probe})`);
  if (!(Number(field('started')) >= Number(field('written')))) {
    problems.push(`containerd: started before its config was written, so it does not run with it (${probe})`);
  }
  const dump = field('dump')
    .split('|')
    .map((l) => l.trim());
  for (const key of ['SystemdCgroup', 'sandbox_image']) {
    const line = rendered.content
      .split('\n')
      .find((l) => l.trim().startsWith(`${key} = `))
      ?.trim();
    if (line && !dump.includes(line)) problems.push(`containerd: config dump does not show "${line}" (${probe})`);
  }
  return problems;
}

/** Every problem of one boot's report; `userData` is the prepared user data the host booted. */
export function reportProblems(host: BootHost, r: Report, declared: readonly string[], userData: string): string[] {
  return [
    ...cloudInitProblems(r),
    ...unitProblems(host, r, declared, userData),
    ...failureProblems(host, r),
    ...containerdProblems(r, userData),
    ...portProblems(host, r),
    ...mountProblems(host, r),
    ...cgroupProblems(host, r),
  ];
}
