/**
 * The roles every host gets (apt, ntp, common, hosts) and docker: rendered files, props, validation, and the
 * real programs that read each file.
 */
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt, POLICY_RC_D } from '../../../constructs/roles/apt.js';
import { Common, DEFAULT_SYSCTLS } from '../../../constructs/roles/common.js';
import { DAEMON_JSON, Docker } from '../../../constructs/roles/docker.js';
import { Hosts } from '../../../constructs/roles/hosts.js';
import { CHRONY_CONF, Ntp } from '../../../constructs/roles/ntp.js';
import { SYSCTL_FILE } from '../../../lib/cloudinit/cloud-config.js';
import {
  checkAptConf,
  checkChrony,
  checkDaemonJson,
  checkShell,
  checkSysctl,
  checkUnits,
} from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { EXAMPLE_KEY } from '../../helpers.js';
import { fileOf, renderAll, renderRoles, roleFixture } from '../../role-helpers.js';

describe('apt', () => {
  const cloudMirrors = {
    'debian-13': {
      primary: 'http://mirrors.cloud.aliyuncs.com/debian',
      security: 'http://mirrors.cloud.aliyuncs.com/debian-security',
    },
  };
  // a Debian 13 host (HostGroup's default) with a region mirror and the cloud's mirrors
  const [doc] = renderRoles((f) => [
    new Apt(f.stack, 'Apt', { mirror: 'http://debian.example.net/debian', cloudMirrors }),
  ]);

  test('points the archive at the mirror, holds service starts until runcmd, updates security only', () => {
    const parsed = parse(doc!) as { apt: unknown; runcmd: string[][]; packages: string[] };
    // Debian's security suite is a separate archive: the region mirror replaces only the release archive
    expect(parsed.apt).toEqual({
      preserve_sources_list: false,
      primary: [{ arches: ['default'], uri: 'http://debian.example.net/debian' }],
      security: [{ arches: ['default'], uri: 'http://mirrors.cloud.aliyuncs.com/debian-security' }],
    });
    // first after the secret-delivery units every host starts (lib/cloudinit/secret-delivery.ts)
    const roleCommands = parsed.runcmd.filter((c) => !/daemon-reload|regionkit-(metadata|secrets)/.test(c.join(' ')));
    expect(roleCommands[0]).toEqual(['rm', '-f', POLICY_RC_D]);
    expect(parsed.packages).toContain('unattended-upgrades');
    expect(fileOf(doc!, '/etc/apt/apt.conf.d/20auto-upgrades').content).toContain('Unattended-Upgrade "1"');
  });

  test('on Ubuntu one mirror serves the archive and its security pocket; on Debian without mirrors the image decides', () => {
    const f = roleFixture();
    const ubuntu = f.group('ubuntu', 1, 'ubuntu-24.04');
    ubuntu.addRole(new Apt(f.stack, 'Apt', { mirror: 'http://ubuntu.example.net/ubuntu' }));
    expect((parse(renderAll(ubuntu)[0]!) as { apt: unknown }).apt).toEqual({
      preserve_sources_list: false,
      primary: [{ arches: ['default'], uri: 'http://ubuntu.example.net/ubuntu' }],
      security: [{ arches: ['default'], uri: 'http://ubuntu.example.net/ubuntu' }],
    });
    const [plain] = renderRoles((g) => [new Apt(g.stack, 'Apt')]);
    expect((parse(plain!) as { apt?: unknown }).apt).toBeUndefined();
  });

  test('on Debian with a region mirror and no cloud mirror, security updates come from Debian security archive', () => {
    // cloud-init (22.4.2, cc_apt_configure.update_mirror_info) would otherwise use the primary mirror for the
    // security suite, and a Debian mirror has no <codename>-security suite (apt-get update fails with 404;
    // seen booting the OpenStack example's edge, docs/boot-test.md)
    const f = roleFixture();
    const debian = f.group('debian', 1, 'debian-12');
    debian.addRole(new Apt(f.stack, 'Apt', { mirror: 'http://debian.example.net/debian' }));
    expect((parse(renderAll(debian)[0]!) as { apt: unknown }).apt).toEqual({
      preserve_sources_list: false,
      primary: [{ arches: ['default'], uri: 'http://debian.example.net/debian' }],
      security: [{ arches: ['default'], uri: 'https://deb.debian.org/debian-security' }],
    });
  });

  test('unattendedUpgrades off turns the periodic jobs off', () => {
    const [off] = renderRoles((f) => [new Apt(f.stack, 'Apt', { unattendedUpgrades: 'off' })]);
    expect(fileOf(off!, '/etc/apt/apt.conf.d/20auto-upgrades').content).toBe(
      'APT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";\n',
    );
  });

  testWith('apt-config', 'apt parses both apt.conf.d files', async () => {
    for (const path of ['/etc/apt/apt.conf.d/20auto-upgrades', '/etc/apt/apt.conf.d/52regionkit-unattended-upgrades']) {
      expect(await checkAptConf(fileOf(doc!, path).content)).toBe('');
    }
  });

  testWith('apt-config', 'apt rejects a broken file (the checker can fail)', async () => {
    expect(await checkAptConf('APT::Periodic::Unattended-Upgrade "1"\n')).not.toBe('');
  });

  testWith('shellcheck', 'the policy-rc.d script passes shellcheck', async () => {
    expect(await checkShell('policy-rc.d', fileOf(doc!, POLICY_RC_D).content)).toBe('');
  });
});

describe('ntp', () => {
  test("uses the OS's own pool when given no servers", () => {
    const [doc] = renderRoles((f) => [new Apt(f.stack, 'Apt'), new Ntp(f.stack, 'Ntp')]);
    expect(fileOf(doc!, CHRONY_CONF).content).toContain('pool 2.debian.pool.ntp.org iburst maxsources 4\n');
    const f = roleFixture();
    const ubuntu = f.group('ubuntu', 1, 'ubuntu-24.04');
    for (const role of [new Apt(f.stack, 'Apt'), new Ntp(f.stack, 'Ntp')]) ubuntu.addRole(role);
    expect(fileOf(renderAll(ubuntu)[0]!, CHRONY_CONF).content).toContain('pool ntp.ubuntu.com iburst maxsources 4\n');
  });

  test('servers replace the defaults', () => {
    const [doc] = renderRoles((f) => [
      new Apt(f.stack, 'Apt'),
      new Ntp(f.stack, 'Ntp', { servers: ['time.example.internal'] }),
    ]);
    expect(fileOf(doc!, CHRONY_CONF).content).toMatch(/^server time\.example\.internal iburst$/m);
    expect(fileOf(doc!, CHRONY_CONF).content).not.toContain('pool ');
  });

  test('fails without apt on the host', () => {
    const f = roleFixture();
    const g = f.group('g');
    g.addRole(new Ntp(f.stack, 'Ntp'));
    expect(() => g.validateRoles()).toThrow('test/G: role ntp requires apt, which is not on these hosts');
  });

  testWith('chronyd', 'chronyd -p accepts the configuration on both clouds', async () => {
    for (const props of [{}, { servers: ['ntp.cloud.aliyuncs.com', 'ntp1.cloud.aliyuncs.com'] }]) {
      const [doc] = renderRoles((f) => [new Apt(f.stack, 'Apt'), new Ntp(f.stack, 'Ntp', props)]);
      expect(await checkChrony(fileOf(doc!, CHRONY_CONF).content)).toBe('');
    }
  });

  testWith('chronyd', 'chronyd -p rejects a broken configuration (the checker can fail)', async () => {
    expect(await checkChrony('servr ntp.example iburst\n')).not.toBe('');
  });
});

describe('common', () => {
  const common = (sysctls = {}) =>
    renderRoles((f) => [
      new Common(f.stack, 'Common', { adminUser: 'ops', sshKeys: [EXAMPLE_KEY], sysctls, nofileLimit: 65536 }),
    ])[0]!;

  test('creates the admin login with its keys, passwordless sudo and a locked password', () => {
    expect((parse(common()) as { users: unknown }).users).toEqual([
      {
        name: 'ops',
        shell: '/bin/bash',
        lock_passwd: true,
        groups: 'adm, sudo',
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        ssh_authorized_keys: [EXAMPLE_KEY],
      },
    ]);
  });

  test('writes the default kernel settings, and extra ones win', () => {
    const content = fileOf(common({ 'vm.swappiness': 10, 'net.ipv4.tcp_fin_timeout': 30 }), SYSCTL_FILE).content;
    expect(content).toContain('vm.swappiness = 10\n');
    expect(content).toContain('net.ipv4.tcp_fin_timeout = 30\n');
    expect(content.split('\n').filter((l) => l.includes(' = '))).toHaveLength(Object.keys(DEFAULT_SYSCTLS).length + 1);
  });

  test('sets the open-files limit for logins and services', () => {
    expect(fileOf(common(), '/etc/security/limits.d/60-regionkit.conf').content).toContain('*    hard nofile 65536\n');
    expect(fileOf(common(), '/etc/systemd/system.conf.d/60-regionkit.conf').content).toContain(
      'DefaultLimitNOFILE=65536\n',
    );
  });

  testWith('sysctl', 'every kernel parameter exists (sysctl reads it)', async () => {
    expect(await checkSysctl(fileOf(common(), SYSCTL_FILE).content)).toBe('');
  });

  testWith('sysctl', 'an unknown parameter is reported (the checker can fail)', async () => {
    expect(await checkSysctl('vm.no_such_knob = 1\n')).toMatch(/vm\.no_such_knob/);
  });
});

describe('hosts', () => {
  test('names only the host itself: other hosts resolve through the private DNS', () => {
    const f = roleFixture();
    const a = f.group('a', 2);
    f.group('b', 1);
    a.addRole(new Hosts(f.stack, 'Hosts'));
    expect(fileOf(renderAll(a)[1]!, '/etc/hosts').content).toMatchInlineSnapshot(`
      "# regionkit hosts role: this host only; the region resolves through its private DNS
      127.0.0.1 localhost
      ::1 localhost ip6-localhost ip6-loopback
      ff02::1 ip6-allnodes
      ff02::2 ip6-allrouters

      10.0.16.16 test-a-2.test.internal test-a-2
      "
    `);
    expect((parse(renderAll(a)[0]!) as { manage_etc_hosts: boolean }).manage_etc_hosts).toBe(false);
  });

  test('another group growing does not change the file', () => {
    const render = (bCount: number) => {
      const f = roleFixture();
      const a = f.group('a', 2);
      f.group('b', bCount);
      a.addRole(new Hosts(f.stack, 'Hosts'));
      return renderAll(a)[0]!;
    };
    expect(render(1)).toBe(render(5));
  });
});

describe('docker', () => {
  const render = (props: ConstructorParameters<typeof Docker>[2] = {}) =>
    renderRoles((f) => [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker', props)])[0]!;

  test('daemon.json: json-file logs with rotation, live restore, mirrors', () => {
    const json = JSON.parse(
      fileOf(render({ registryMirrors: ['https://mirror.example.internal'] }), DAEMON_JSON).content,
    );
    expect(json).toEqual({
      'log-driver': 'json-file',
      'log-opts': { 'max-size': '100m', 'max-file': '5' },
      'live-restore': true,
      iptables: true,
      'registry-mirrors': ['https://mirror.example.internal'],
    });
  });

  test('iptables off also turns off masquerading and forwarding', () => {
    const json = JSON.parse(fileOf(render({ iptables: false }), DAEMON_JSON).content);
    expect(json).toMatchObject({ iptables: false, 'ip-masq': false, 'ip-forward': false });
  });

  test("minApiVersion goes into dockerd's environment, not daemon.json", () => {
    const doc = render({ minApiVersion: '1.24' });
    expect(fileOf(doc, DAEMON_JSON).content).not.toContain('min-api');
    expect(fileOf(doc, '/etc/systemd/system/docker.service.d/60-regionkit.conf').content).toContain(
      'Environment=DOCKER_MIN_API_VERSION=1.24',
    );
  });

  test('fails on out-of-range log rotation and malformed API versions', () => {
    const f = roleFixture();
    expect(() => new Docker(f.stack, 'D1', { logMaxFiles: 0 })).toThrow(
      'test/D1: logMaxFiles must be an integer between 1 and 20, got 0',
    );
    expect(() => new Docker(f.stack, 'D2', { minApiVersion: '24' })).toThrow(
      'test/D2: minApiVersion must be an API version such as 1.24, got "24"',
    );
  });

  test('every daemon.json it can write has only keys dockerd 29 accepts', async () => {
    for (const props of [
      {},
      { iptables: false, insecureRegistries: ['r:5000'], registryMirrors: ['https://m'] },
      { storageDriver: 'overlay2' as const },
    ]) {
      expect(await checkDaemonJson(fileOf(render(props), DAEMON_JSON).content)).toBe('');
    }
  });

  test('a key dockerd refuses is caught (the checker can fail)', async () => {
    expect(await checkDaemonJson('{"min-api-version": "1.24"}')).toMatch(/min-api-version: not a daemon.json key/);
  });

  testWith('systemd-analyze', 'the docker.service drop-in verifies', async () => {
    const dropIn = fileOf(render({ minApiVersion: '1.24' }), '/etc/systemd/system/docker.service.d/60-regionkit.conf');
    expect(
      await checkUnits([
        {
          name: 'docker.service',
          content:
            '[Unit]\nDescription=stand-in for the docker.io package unit\n[Service]\nExecStart=/usr/bin/dockerd\n',
        },
        { name: 'docker.service.d/60-regionkit.conf', content: dropIn.content },
      ]),
    ).toBe('');
  });
});
