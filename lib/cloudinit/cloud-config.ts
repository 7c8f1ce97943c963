/**
 * A `#cloud-config` document built up by constructs and rendered deterministically to YAML.
 *
 * Mutators append; setting the same key twice to different values throws (two roles disagreeing about a
 * file is a bug to surface, not to resolve silently). Getters return copies.
 *
 * @see https://cloudinit.readthedocs.io/en/latest/reference/modules.html
 */
import { stringify } from 'yaml';

/** A file written by cloud-init's `write_files` module. */
export interface CloudConfigFile {
  readonly path: string;
  readonly content: string;
  /** Octal mode as a string. @default '0644' */
  readonly permissions?: string;
  /** @default 'root:root' */
  readonly owner?: string;
  /** Write after users and packages exist (needed for files owned by a package's user). @default false */
  readonly defer?: boolean;
}

/** A user created by cloud-init's `users` module. */
export interface CloudConfigUser {
  readonly name: string;
  readonly sshAuthorizedKeys?: readonly string[];
  /** Passwordless sudo. @default false */
  readonly sudo?: boolean;
  readonly groups?: readonly string[];
  /** @default '/bin/bash' */
  readonly shell?: string;
  /** System account without a home directory or login. @default false */
  readonly system?: boolean;
}

/** A systemd unit installed under /etc/systemd/system. */
export interface SystemdUnit {
  /** File name with suffix: `zookeeper.service`, `docker-clean.timer`. */
  readonly name: string;
  readonly content: string;
  /** `systemctl enable` it (and start it now). @default true */
  readonly enable?: boolean;
}

/** Where the sysctl settings of all roles are written. */
export const SYSCTL_FILE = '/etc/sysctl.d/60-regionkit.conf';

/** One cloud-config document. */
export class CloudConfig {
  private hostname?: string;
  private fqdn?: string;
  private readonly packages = new Set<string>();
  private readonly files = new Map<string, CloudConfigFile>();
  private readonly users = new Map<string, CloudConfigUser>();
  private readonly bootCommands: string[][] = [];
  private readonly runCommands: string[][] = [];
  private readonly extra = new Map<string, unknown>();
  private readonly sysctls = new Map<string, string>();
  private unitsSeen = false;

  /** Sets the host name (and FQDN); both cloud-init modules `set_hostname` and `update_etc_hosts` use it. */
  public setHostname(hostname: string, fqdn?: string): void {
    this.setOnce('hostname', this.hostname, hostname);
    this.hostname = hostname;
    if (fqdn !== undefined) {
      this.setOnce('fqdn', this.fqdn, fqdn);
      this.fqdn = fqdn;
    }
  }

  /** Adds distro packages to install at first boot. */
  public addPackages(...names: string[]): void {
    for (const name of names) this.packages.add(name);
  }

  /** Adds a file; the same path twice with different content or mode throws. */
  public addFile(file: CloudConfigFile): void {
    const existing = this.files.get(file.path);
    if (existing && JSON.stringify(existing) !== JSON.stringify(file)) {
      throw new Error(`cloud-config: file ${file.path} is written twice with different content`);
    }
    this.files.set(file.path, file);
  }

  /** Adds a user; the same name twice with different settings throws. */
  public addUser(user: CloudConfigUser): void {
    const existing = this.users.get(user.name);
    if (existing && JSON.stringify(existing) !== JSON.stringify(user)) {
      throw new Error(`cloud-config: user ${user.name} is defined twice differently`);
    }
    this.users.set(user.name, user);
  }

  /** Adds a command run on every boot, early (`bootcmd`); argv form, no shell. */
  public addBootCommand(argv: readonly string[]): void {
    this.bootCommands.push([...argv]);
  }

  /** Adds a command run once at the end of first boot (`runcmd`), in order; argv form, no shell. */
  public addRunCommand(argv: readonly string[]): void {
    this.runCommands.push([...argv]);
  }

  /**
   * Writes a systemd unit and, unless `enable` is false, enables and starts it at this point of the first
   * boot (after the commands added before it). `systemctl daemon-reload` runs once before the first unit.
   */
  public addSystemdUnit(unit: SystemdUnit): void {
    // systemd-escape'd names may hold \xNN sequences (mnt-gluster\x2ddata.mount)
    if (!/^([A-Za-z0-9@_.:-]|\\x[0-9a-f]{2})+\.(service|timer|socket|mount|path|target)$/.test(unit.name)) {
      throw new Error(`cloud-config: ${unit.name} is not a systemd unit file name`);
    }
    this.addFile({ path: `/etc/systemd/system/${unit.name}`, content: unit.content });
    if (!this.unitsSeen) this.addRunCommand(['systemctl', 'daemon-reload']);
    this.unitsSeen = true;
    if (unit.enable ?? true) this.addRunCommand(['systemctl', 'enable', '--now', unit.name]);
  }

  /**
   * Makes every first-boot start of `unit` in `runcmd` (`systemctl enable --now`, `start`, `restart`) queue
   * its start job instead of waiting for it (`--no-block`, inserted before the unit names). For units whose
   * start waits on something outside the host (a secret store, another host): `runcmd` then never blocks on
   * it or fails cloud-init because of it, and the unit's own state (`systemctl --failed`) tells whether it
   * started. Commands added after this call are not changed.
   *
   * @see https://www.freedesktop.org/software/systemd/man/252/systemctl.html (--no-block)
   */
  public startWithoutWaiting(unit: string): void {
    for (const cmd of this.runCommands) {
      if (cmd[0] !== 'systemctl' || cmd.includes('--no-block') || !cmd.slice(2).includes(unit)) continue;
      const verb = cmd[1];
      if (!(verb === 'start' || verb === 'restart' || (verb === 'enable' && cmd.includes('--now')))) continue;
      const firstUnit = cmd.findIndex((arg, i) => i >= 2 && !arg.startsWith('-'));
      cmd.splice(firstUnit, 0, '--no-block');
    }
  }

  /** Writes a drop-in for a unit (`/etc/systemd/system/<unit>.d/<name>`); systemd reloads before the next start. */
  public addSystemdDropIn(unit: string, name: string, content: string): void {
    if (!/^[A-Za-z0-9@_.-]+\.(service|timer|socket|mount|path)$/.test(unit) || !/^[A-Za-z0-9_.-]+\.conf$/.test(name)) {
      throw new Error(`cloud-config: ${unit}.d/${name} is not a systemd drop-in`);
    }
    this.addFile({ path: `/etc/systemd/system/${unit}.d/${name}`, content });
    if (!this.unitsSeen) this.addRunCommand(['systemctl', 'daemon-reload']);
    this.unitsSeen = true;
  }

  /** Writes an executable script (checked by shellcheck in tests). */
  public addScript(path: string, content: string): void {
    if (!content.startsWith('#!/bin/sh\n') && !content.startsWith('#!/bin/bash\n')) {
      throw new Error(`cloud-config: script ${path} must start with #!/bin/sh or #!/bin/bash`);
    }
    this.addFile({ path, content, permissions: '0755' });
  }

  /** Sets a kernel parameter in the regionkit sysctl file; applied at first boot, kept across reboots. */
  public addSysctl(key: string, value: string | number): void {
    if (!/^[a-z0-9_]+(\.[a-z0-9_-]+)+$/.test(key)) throw new Error(`cloud-config: ${key} is not a sysctl key`);
    const text = String(value);
    this.setOnce(`sysctl ${key}`, this.sysctls.get(key), text);
    if (this.sysctls.size === 0) this.addRunCommand(['sysctl', '--system']);
    this.sysctls.set(key, text);
  }

  /** Sets a top-level cloud-config key not modelled above (e.g. `ntp`, `apt`); twice differently throws. */
  public setModule(key: string, value: unknown): void {
    if (['hostname', 'fqdn', 'packages', 'package_update', 'write_files', 'users', 'bootcmd', 'runcmd'].includes(key)) {
      throw new Error(`cloud-config: ${key} has its own method`);
    }
    this.setOnce(key, this.extra.get(key), value);
    this.extra.set(key, value);
  }

  /** Files added so far (copies). */
  public get fileList(): CloudConfigFile[] {
    return [...this.files.values()].map((f) => ({ ...f }));
  }

  /** Renders the document: `#cloud-config` header, keys in a fixed order, byte-identical for equal inputs. */
  public render(): string {
    const doc: Record<string, unknown> = {};
    if (this.hostname !== undefined) {
      doc.hostname = this.hostname;
      if (this.fqdn !== undefined) doc.fqdn = this.fqdn;
      doc.prefer_fqdn_over_hostname = false;
    }
    // Hosts are reached only with keys, only through the bastion.
    doc.ssh_pwauth = false;
    doc.disable_root = true;
    if (this.users.size > 0) doc.users = [...this.users.values()].map(renderUser);
    for (const [key, value] of [...this.extra.entries()].sort(([a], [b]) => a.localeCompare(b))) doc[key] = value;
    if (this.packages.size > 0) {
      doc.package_update = true;
      doc.packages = [...this.packages].sort();
    }
    const files = [...this.files.values()];
    if (this.sysctls.size > 0) {
      const lines = [...this.sysctls.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} = ${v}`);
      files.push({ path: SYSCTL_FILE, content: `# regionkit host roles\n${lines.join('\n')}\n` });
    }
    if (files.length > 0) doc.write_files = files.map(renderFile);
    if (this.bootCommands.length > 0) doc.bootcmd = this.bootCommands;
    if (this.runCommands.length > 0) doc.runcmd = this.runCommands;
    return `#cloud-config\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  }

  private setOnce(key: string, current: unknown, next: unknown): void {
    if (current !== undefined && JSON.stringify(current) !== JSON.stringify(next)) {
      throw new Error(`cloud-config: ${key} is set twice to different values`);
    }
  }
}

function renderUser(user: CloudConfigUser): Record<string, unknown> {
  const out: Record<string, unknown> = { name: user.name };
  if (user.system) out.system = true;
  else {
    out.shell = user.shell ?? '/bin/bash';
    out.lock_passwd = true;
  }
  if (user.groups?.length) out.groups = [...user.groups].join(', ');
  if (user.sudo) out.sudo = 'ALL=(ALL) NOPASSWD:ALL';
  if (user.sshAuthorizedKeys?.length) out.ssh_authorized_keys = [...user.sshAuthorizedKeys];
  return out;
}

function renderFile(file: CloudConfigFile): Record<string, unknown> {
  return {
    path: file.path,
    content: file.content,
    owner: file.owner ?? 'root:root',
    permissions: file.permissions ?? '0644',
    ...(file.defer ? { defer: true } : {}),
  };
}
