/**
 * One function per kind of rendered file, each running the program that will read the file on the host
 * (or, where no such program can run here, the closest real authority, said so in its comment).
 * Each resolves to the program's complaint, or '' when the file was accepted.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';

import { runChecker, which } from './tools.js';

async function tempFile(name: string, content: string, mode = 0o644): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-check-'));
  const file = path.join(dir, name);
  await writeFile(file, content, { mode });
  return file;
}

const fail = (ok: boolean, output: string) => (ok ? '' : output.trim() || 'rejected (no output)');

/** `cloud-init schema`, plus: every top-level key must be one cloud-init's own schema knows. */
export async function checkCloudConfig(text: string): Promise<string> {
  const file = await tempFile('user-data.yaml', text);
  const { ok, output } = await runChecker('cloud-init', ['schema', '--config-file', file]);
  if (!ok) return output.trim();
  const known = await cloudInitTopLevelKeys();
  const { parse } = await import('yaml');
  const unknown = Object.keys(parse(text) as object).filter((k) => !known.has(k));
  return unknown.length > 0 ? `top-level keys unknown to cloud-init's schema: ${unknown.join(', ')}` : '';
}

let topLevelKeys: Set<string> | undefined;
async function cloudInitTopLevelKeys(): Promise<Set<string>> {
  if (topLevelKeys) return topLevelKeys;
  // cloud-init's own interpreter (its launcher's #! line), not whatever python3 comes first on PATH
  const interpreter = (await readFile(which('cloud-init')!, 'utf8'))
    .split('\n')[0]!
    .replace(/^#!\s*/, '')
    .split(/\s+/)[0]!;
  const { stdout } = await execa(interpreter, [
    '-c',
    'import json, cloudinit.config.schema as s; d = s.get_schema(); ' +
      'keys = set(d.get("properties", {}))\n' +
      'for part in d.get("allOf", []):\n' +
      '    ref = part.get("$ref", "")\n' +
      '    sub = d["$defs"][ref.split("/")[-1]] if ref else part\n' +
      '    keys |= set(sub.get("properties", {}))\n' +
      'print(json.dumps(sorted(keys)))',
  ]);
  topLevelKeys = new Set(JSON.parse(stdout) as string[]);
  return topLevelKeys;
}

/** shellcheck, with the dialect the shebang names. */
export async function checkShell(name: string, content: string): Promise<string> {
  const file = await tempFile(path.basename(name), content, 0o755);
  const { ok, output } = await runChecker('shellcheck', ['--severity=style', file]);
  return fail(ok, output);
}

/** shellcheck on a file a shell sources: variables it sets are used by the sourcing script. */
export async function checkSourcedShell(content: string): Promise<string> {
  const file = await tempFile('sourced.sh', content);
  const { ok, output } = await runChecker('shellcheck', ['--severity=style', '--shell=sh', '--exclude=SC2034', file]);
  return fail(ok, output);
}

/**
 * `systemd-analyze verify` in a throw-away root holding the runner's own system units, the units under test,
 * and empty executables at every absolute path their Exec lines name (the programs they start are
 * installed on the hosts, not here: verify checks the unit, not the program). Any warning fails.
 */
export async function checkUnits(units: readonly { name: string; content: string }[]): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'regionkit-systemd-'));
  await mkdir(path.join(root, 'etc/systemd/system'), { recursive: true });
  await mkdir(path.join(root, 'usr/lib/systemd'), { recursive: true });
  await execa('cp', ['-r', '/usr/lib/systemd/system', path.join(root, 'usr/lib/systemd/')]);
  const verify = new Set<string>();
  for (const unit of units) {
    // `name` is a unit file name, or `<unit>.d/<drop-in>.conf`; drop-ins are verified with their unit
    const target = path.join(root, 'etc/systemd/system', unit.name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, unit.content);
    verify.add(unit.name.includes('.d/') ? unit.name.split('.d/')[0]! : unit.name);
  }
  // a drop-in for a unit from a package this machine lacks is verified on a minimal stand-in of that unit
  for (const name of verify) {
    const own = path.join(root, 'etc/systemd/system', name);
    // device units have no unit files, only drop-ins (JobRunningTimeoutSec=)
    if (name.endsWith('.device')) continue;
    if (!existsSync(own) && !existsSync(path.join(root, 'usr/lib/systemd/system', name))) {
      await writeFile(own, `[Unit]\nDescription=stand-in for the packaged ${name}\n[Service]\nExecStart=/bin/true\n`);
    }
  }
  // the programs the units (and the package units they extend) start
  for (const name of verify) {
    const texts = [path.join(root, 'etc/systemd/system', name), path.join(root, 'usr/lib/systemd/system', name)]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8'));
    texts.push(...units.filter((u) => u.name.startsWith(`${name}.d/`)).map((u) => u.content));
    for (const m of texts.join('\n').matchAll(/^Exec[A-Za-z]*=[-@:+!]*(\/\S+)/gm)) {
      const exe = path.join(root, m[1]!);
      if (existsSync(exe)) continue;
      await mkdir(path.dirname(exe), { recursive: true });
      await writeFile(exe, '#!/bin/sh\n');
      await chmod(exe, 0o755);
    }
  }
  const { ok, output } = await runChecker('systemd-analyze', [
    'verify',
    '--man=no',
    '--recursive-errors=no',
    `--root=${root}`,
    ...verify,
  ]);
  if (!(ok && output.trim() === '')) return output.trim() || 'rejected';
  return orderingCycles(root, units);
}

/**
 * Ordering cycles the units under test close once enabled. `systemd-analyze verify` does not read `[Install]`, but
 * a unit `WantedBy=multi-user.target` is ordered before that target (targets order themselves after what they
 * want), and a unit ordered after one that runs after multi-user.target (cloud-init's `cloud-final.service`)
 * then closes a cycle systemd breaks at boot by dropping a job. Reads `After=`/`Before=` of every unit file in
 * `root` and the units' drop-ins, and `WantedBy=`/`RequiredBy=` of the units under test (runcmd enables them).
 */
function orderingCycles(root: string, units: readonly { name: string; content: string }[]): string {
  const after = new Map<string, Set<string>>();
  const edge = (later: string, earlier: string) => {
    if (!after.has(later)) after.set(later, new Set());
    after.get(later)!.add(earlier);
  };
  const read = (name: string, text: string, install: boolean) => {
    for (const m of text.matchAll(/^(After|Before|WantedBy|RequiredBy)=(.*)$/gm)) {
      for (const other of m[2]!.trim().split(/\s+/).filter(Boolean)) {
        if (m[1] === 'After') edge(name, other);
        else if (m[1] === 'Before') edge(other, name);
        else if (install && other.endsWith('.target')) edge(other, name);
      }
    }
  };
  const own = new Set(units.filter((u) => !u.name.includes('.d/')).map((u) => u.name));
  for (const dir of ['usr/lib/systemd/system', 'etc/systemd/system']) {
    const full = path.join(root, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) {
      const file = path.join(full, name);
      if (!statSync(file).isFile()) continue;
      read(name, readFileSync(file, 'utf8'), own.has(name));
    }
  }
  for (const u of units.filter((u) => u.name.includes('.d/'))) read(u.name.split('.d/')[0]!, u.content, false);
  const cycles: string[] = [];
  for (const start of own) {
    const path_: string[] = [];
    const seen = new Set<string>();
    const visit = (node: string): boolean => {
      path_.push(node);
      for (const next of after.get(node) ?? []) {
        if (next === start) {
          cycles.push([...path_, start].join(' after '));
          return true;
        }
        if (!seen.has(next)) {
          seen.add(next);
          if (visit(next)) return true;
        }
      }
      path_.pop();
      return false;
    };
    visit(start);
  }
  return cycles.length > 0 ? `ordering cycle once enabled: ${cycles.join('; ')}` : '';
}

/** `systemd-analyze calendar`: an OnCalendar expression systemd can schedule. */
export async function checkCalendar(expression: string): Promise<string> {
  const { ok, output } = await runChecker('systemd-analyze', ['calendar', expression]);
  return fail(ok, output);
}

/** `dnsmasq --test` on the file as its only configuration. */
export async function checkDnsmasq(content: string): Promise<string> {
  const file = await tempFile('dnsmasq.conf', content);
  const { ok, output } = await runChecker('dnsmasq', ['--test', `--conf-file=${file}`]);
  return fail(ok, output);
}

/** `chronyd -p`: parses the configuration, prints it, exits without touching the clock. */
export async function checkChrony(content: string): Promise<string> {
  const file = await tempFile('chrony.conf', content);
  const { ok, output } = await runChecker('chronyd', ['-p', '-f', file]);
  return fail(ok, output);
}

/**
 * `keepalived -t`: configuration test mode, on the template with the interface filled in as the host's
 * boot script does (with this machine's first non-loopback interface: VRRP refuses `lo`) and the tracking
 * scripts it names written beside it.
 */
export async function checkKeepalived(
  content: string,
  scripts: readonly { path: string; content: string }[] = [],
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-keepalived-'));
  const iface = (await readdir('/sys/class/net')).sort().find((n) => n !== 'lo');
  if (!iface) return 'this machine has no network interface besides lo to test VRRP with';
  let config = content.replaceAll('@INTERFACE@', iface);
  for (const script of scripts) {
    const local = path.join(dir, path.basename(script.path));
    await writeFile(local, script.content, { mode: 0o755 });
    config = config.replaceAll(script.path, local);
  }
  const file = path.join(dir, 'keepalived.conf');
  await writeFile(file, config);
  const { ok, output } = await runChecker('keepalived', ['-t', '-l', '-f', file]);
  return ok && !/WARNING|Disabling/.test(output) ? '' : output.trim() || 'rejected';
}

/** `haproxy -c`: configuration check mode. */
export async function checkHaproxy(content: string): Promise<string> {
  const file = await tempFile('haproxy.cfg', content);
  const { ok, output } = await runChecker('haproxy', ['-c', '-f', file]);
  return fail(ok, output);
}

/** `apt-config dump` with the file as apt's configuration: apt's own parser. */
export async function checkAptConf(content: string): Promise<string> {
  const file = await tempFile('apt.conf', content);
  const { ok, output } = await runChecker('apt-config', ['-c', file, 'dump']);
  return fail(ok, output);
}

/**
 * apt's own parser on an apt_preferences(5) file: `apt-cache policy` with the file as the only preferences part
 * exits non-zero on a record without `Package:` or without a priority.
 */
export async function checkAptPreferences(content: string): Promise<string> {
  const file = await tempFile('regionkit.pref', content);
  const { ok, output } = await runChecker('apt-cache', [
    '-o',
    `Dir::Etc::PreferencesParts=${path.dirname(file)}`,
    '-o',
    'Dir::Etc::Preferences=/dev/null',
    'policy',
  ]);
  return fail(ok && !/^E: /m.test(output), output);
}

/** Every key of a sysctl.d file must be a kernel parameter `sysctl` can read on this (Linux) runner. */
export async function checkSysctl(content: string): Promise<string> {
  const problems: string[] = [];
  for (const line of content.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = /^([a-z0-9_.-]+)\s*=\s*(\S.*)$/.exec(line);
    if (!m) {
      problems.push(`not a sysctl line: ${line}`);
      continue;
    }
    const { ok, output } = await runChecker(which('sysctl') ?? '/usr/sbin/sysctl', ['-n', m[1]!]);
    if (!ok) problems.push(`${m[1]}: ${output.trim()}`);
  }
  return problems.join('\n');
}

/** The keys and value types dockerd accepts in daemon.json (test/fixtures/dockerd-daemon-json-keys.json). */
export async function checkDaemonJson(content: string): Promise<string> {
  const allowed = JSON.parse(
    await readFile(new URL('../fixtures/dockerd-daemon-json-keys.json', import.meta.url), 'utf8'),
  ) as { keys: Record<string, { type: string }> };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(content) as Record<string, unknown>;
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const spec = allowed.keys[key];
    if (!spec) {
      problems.push(`${key}: not a daemon.json key dockerd accepts`);
      continue;
    }
    const actual = Array.isArray(value)
      ? `${typeof value[0] === 'object' ? 'object' : typeof value[0] === 'undefined' ? 'string' : typeof value[0]}[]`
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value;
    const expected = spec.type === 'integer' && actual === 'number' ? 'number' : spec.type;
    if (actual !== expected && !(expected === 'number' && actual === 'integer')) {
      problems.push(`${key}: dockerd wants ${spec.type}, got ${actual}`);
    }
  }
  return problems.join('\n');
}

/**
 * Well-formed XML, parsed by Python's xml.etree (logback's Joran parser does not run here; what the file
 * configures is checked by its role's test).
 */
export async function checkXml(content: string): Promise<string> {
  const file = await tempFile('file.xml', content);
  const { ok, output } = await runChecker('python3', [
    '-c',
    'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])',
    file,
  ]);
  return fail(ok, output);
}
