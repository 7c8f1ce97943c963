import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt } from '../../../constructs/roles/apt.js';
import {
  NODE_EXPORTER_APT_PREFERENCES,
  NODE_EXPORTER_DEFAULTS,
  NODE_EXPORTER_DROP_IN,
  NODE_EXPORTER_FLAGS,
  NodeExporter,
} from '../../../constructs/roles/node-exporter.js';
import { checkAptPreferences, checkCloudConfig, checkShell, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderRoles, roleFixture } from '../../role-helpers.js';

/** The cloud-config of `count` hosts with apt and a node-exporter role. */
function render(port?: number, count = 1): string[] {
  return renderRoles((f) => [new Apt(f.stack, 'Apt'), new NodeExporter(f.stack, 'NodeExporter', { port })], count);
}

/** The daemon's arguments as the package's unit passes them: `$ARGS` split at whitespace. */
function argsOf(doc: string): string[] {
  const m = /^ARGS='([^']*)'$/m.exec(fileOf(doc, NODE_EXPORTER_DEFAULTS).content);
  if (!m) throw new Error('no ARGS line');
  return m[1]!.split(/\s+/);
}

describe('NodeExporter', () => {
  test('minimal host: the package, its ARGS, a network-online drop-in, then the start', () => {
    expect(render()[0]).toMatchInlineSnapshot(`
      "#cloud-config
      hostname: test-test-group-1
      prefer_fqdn_over_hostname: false
      ssh_pwauth: false
      disable_root: true
      package_update: true
      packages:
        - ca-certificates
        - iptables
        - prometheus-node-exporter
        - unattended-upgrades
      write_files:
        - path: /usr/local/sbin/regionkit-metadata-guard
          content: |
            #!/bin/sh
            # regionkit secret delivery: closes the openstack metadata service to workloads (docs/security.md).
            #   early  only root's own processes reach it; nothing forwarded (containers, other namespaces) does
            #   close  nothing on the host reaches it until the next boot (run once the secrets are fetched)
            set -eu
            phase=\${1:-}
            case $phase in
              early | close) ;;
              *)
                echo "usage: $0 early|close" >&2
                exit 2
                ;;
            esac
            chain=REGIONKIT-METADATA

            # $1: iptables or ip6tables, $2: the metadata address
            guard() {
              ipt=$1
              addr=$2
              "$ipt" -w -N "$chain" 2>/dev/null || "$ipt" -w -F "$chain"
              if [ "$phase" = early ]; then
                "$ipt" -w -A "$chain" -m owner --uid-owner 0 -j RETURN
              fi
              "$ipt" -w -A "$chain" -j REJECT
              "$ipt" -w -C OUTPUT -d "$addr" -j "$chain" 2>/dev/null || "$ipt" -w -I OUTPUT 1 -d "$addr" -j "$chain"
              # Packets from containers and other namespaces arrive through PREROUTING, whatever the bridge or CNI;
              # the raw table sees them before Docker's own FORWARD and DOCKER-USER rules.
              "$ipt" -w -t raw -C PREROUTING -d "$addr" -j DROP 2>/dev/null ||
                "$ipt" -w -t raw -I PREROUTING 1 -d "$addr" -j DROP
            }

            guard iptables 169.254.169.254
            guard ip6tables fe80::a9fe:a9fe
          owner: root:root
          permissions: "0755"
        - path: /etc/systemd/system/regionkit-metadata-guard.service
          content: |
            # regionkit secret delivery: metadata service closed to non-root processes and containers
            [Unit]
            Description=Close the cloud metadata service to non-root processes and containers (regionkit)
            DefaultDependencies=no
            After=local-fs.target
            Before=network-pre.target docker.service containerd.service
            Wants=network-pre.target

            [Service]
            Type=oneshot
            RemainAfterExit=yes
            ExecStart=/usr/local/sbin/regionkit-metadata-guard early

            [Install]
            WantedBy=sysinit.target
          owner: root:root
          permissions: "0644"
        - path: /etc/systemd/system/regionkit-metadata-close.service
          content: |
            # regionkit secret delivery: metadata service closed to every process until the next boot
            [Unit]
            Description=Close the cloud metadata service to every process until the next boot (regionkit)
            After=cloud-init.service regionkit-metadata-guard.service
            Requires=regionkit-metadata-guard.service
            Before=docker.service containerd.service

            [Service]
            Type=oneshot
            RemainAfterExit=yes
            ExecStart=/usr/local/sbin/regionkit-metadata-guard close

            [Install]
            WantedBy=multi-user.target
          owner: root:root
          permissions: "0644"
        - path: /usr/sbin/policy-rc.d
          content: |
            #!/bin/sh
            # regionkit: no service starts during first-boot installs
            exit 101
          owner: root:root
          permissions: "0755"
        - path: /etc/apt/apt.conf.d/20auto-upgrades
          content: |
            APT::Periodic::Update-Package-Lists "1";
            APT::Periodic::Unattended-Upgrade "1";
          owner: root:root
          permissions: "0644"
        - path: /etc/apt/apt.conf.d/52regionkit-unattended-upgrades
          content: |
            // regionkit apt role: security updates only; hosts are replaced, never rebooted behind our back
            #clear Unattended-Upgrade::Allowed-Origins;
            #clear Unattended-Upgrade::Origins-Pattern;
            Unattended-Upgrade::Origins-Pattern {
                    "origin=Debian,codename=\${distro_codename}-security,label=Debian-Security";
            };
            Unattended-Upgrade::Automatic-Reboot "false";
            Unattended-Upgrade::Remove-Unused-Dependencies "true";
          owner: root:root
          permissions: "0644"
        - path: /etc/apt/preferences.d/regionkit-node-exporter.pref
          content: |
            Explanation: regionkit node-exporter role: openipmi comes in through Recommends
            Explanation: (collectors -> ipmitool) and its service fails on a VM without an IPMI device
            Package: openipmi
            Pin: version *
            Pin-Priority: -1
          owner: root:root
          permissions: "0644"
        - path: /etc/default/prometheus-node-exporter
          content: |
            # shellcheck shell=sh disable=SC2034
            # regionkit node-exporter role
            ARGS='--web.listen-address=10.0.0.16:9100 --collector.systemd --collector.processes --collector.netdev.device-exclude=^(lo|veth.*)$'
          owner: root:root
          permissions: "0644"
        - path: /etc/systemd/system/prometheus-node-exporter.service.d/60-regionkit.conf
          content: |
            # prometheus-node-exporter: listens on the private address (regionkit host role)
            [Unit]
            Wants=network-online.target
            After=network-online.target

            [Service]
            RestartSec=5
          owner: root:root
          permissions: "0644"
      runcmd:
        - - systemctl
          - daemon-reload
        - - systemctl
          - enable
          - --now
          - regionkit-metadata-guard.service
        - - systemctl
          - enable
          - --now
          - regionkit-metadata-close.service
        - - rm
          - -f
          - /usr/sbin/policy-rc.d
        - - systemctl
          - daemon-reload
        - - systemctl
          - enable
          - --now
          - prometheus-node-exporter.service
      "
    `);
  });

  test('each host listens on its own private address, never on every address', () => {
    const docs = render(undefined, 3);
    const listen = docs.map((d) => argsOf(d).filter((a) => a.startsWith('--web.listen-address=')));
    expect(listen).toEqual([
      ['--web.listen-address=10.0.0.16:9100'],
      ['--web.listen-address=10.0.16.16:9100'],
      ['--web.listen-address=10.0.32.16:9100'],
    ]);
  });

  test('port sets the listen port', () => {
    expect(argsOf(render(9200)[0]!)).toContain('--web.listen-address=10.0.0.16:9200');
  });

  test('every argument is one word systemd passes through unchanged', () => {
    for (const arg of argsOf(render()[0]!)) expect(arg).toMatch(/^--[a-z0-9.-]+(=[^\s'"\\]+)?$/);
    expect(argsOf(render()[0]!)).toEqual(expect.arrayContaining([...NODE_EXPORTER_FLAGS]));
  });

  test('starts the packaged unit after writing its configuration', () => {
    const { runcmd, packages } = parse(render()[0]!) as { runcmd: string[][]; packages: string[] };
    const cmds = runcmd.map((c) => c.join(' '));
    expect(packages).toContain('prometheus-node-exporter');
    expect(cmds.indexOf('systemctl daemon-reload')).toBeLessThan(
      cmds.indexOf('systemctl enable --now prometheus-node-exporter.service'),
    );
    expect(cmds.indexOf('rm -f /usr/sbin/policy-rc.d')).toBeLessThan(
      cmds.indexOf('systemctl enable --now prometheus-node-exporter.service'),
    );
  });

  test.each([
    [undefined, 'tcp/9100'],
    [9200, 'tcp/9200'],
  ])('opens port %s to the whole region, and nothing else', (port, rule) => {
    const f = roleFixture();
    const plain = f.group('plain');
    const group = f.group('worker');
    group.addRole(new Apt(f.stack, 'Apt'));
    group.addRole(new NodeExporter(f.stack, 'NodeExporter', { port }));
    const rules = (g: typeof plain) =>
      g.securityGroup.ingressRules.map(
        (r) => `${r.port.toString()} ${'cidr' in r.peer ? r.peer.cidr : r.peer.securityGroup.groupName}`,
      );
    const added = rules(group).filter((r) => !rules(plain).includes(r));
    expect(added).toEqual([`${rule} 10.0.0.0/16`]);
  });

  test.each([80, 1023])('fails if port is privileged: %s', (port) => {
    const f = roleFixture();
    expect(() => new NodeExporter(f.stack, 'NodeExporter', { port })).toThrow(
      `test/NodeExporter: port must be an integer between 1024 and 65535, got ${port}`,
    );
  });

  test.each([0, 65536, 9100.5])('fails if port is no port at all: %s', (port) => {
    const f = roleFixture();
    // the role base class checks every declared port first
    expect(() => new NodeExporter(f.stack, 'NodeExporter', { port })).toThrow(
      `test/NodeExporter: port Prometheus scrapes must be an integer between 1 and 65535, got ${port}`,
    );
  });

  test('pins openipmi away: Recommends would install it, and its service fails on every VM boot', () => {
    const records = fileOf(render()[0]!, NODE_EXPORTER_APT_PREFERENCES)
      .content.split(/\n\s*\n/)
      .map((r) => r.trim())
      .filter((r) => r !== '');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatch(/^Package: openipmi$/m);
    expect(records[0]).toMatch(/^Pin: version \*$/m);
    expect(records[0]).toMatch(/^Pin-Priority: -1$/m);
    // apt reads only .pref files (or none with a dot) from preferences.d
    expect(NODE_EXPORTER_APT_PREFERENCES).toMatch(/^\/etc\/apt\/preferences\.d\/[a-z0-9-]+\.pref$/);
  });

  testWith('apt-cache', 'apt parses the preferences file', async () => {
    expect(await checkAptPreferences(fileOf(render()[0]!, NODE_EXPORTER_APT_PREFERENCES).content)).toBe('');
  });

  testWith('apt-cache', 'apt rejects a record without a priority (the checker can fail)', async () => {
    expect(await checkAptPreferences('Package: openipmi\nPin: version *\n')).not.toBe('');
  });

  testWith('shellcheck', 'the package defaults file passes shellcheck', async () => {
    expect(await checkShell('prometheus-node-exporter', fileOf(render()[0]!, NODE_EXPORTER_DEFAULTS).content)).toBe('');
  });

  testWith('systemd-analyze', 'the drop-in holds only keys a service unit accepts', async () => {
    const dropIn = fileOf(render()[0]!, NODE_EXPORTER_DROP_IN).content;
    // verify reads whole units: the drop-in on top of the smallest service, in place of the package's unit
    const unit = `${dropIn}\n[Service]\nExecStart=/usr/bin/prometheus-node-exporter\n`;
    expect(await checkUnits([{ name: 'prometheus-node-exporter.service', content: unit }])).toBe('');
    expect(
      await checkUnits([{ name: 'prometheus-node-exporter.service', content: `${unit}RestartSecs=5\n` }]),
    ).not.toBe('');
  });

  testWith('cloud-init', 'the cloud-config passes `cloud-init schema`', async () => {
    expect(await checkCloudConfig(render()[0]!)).toBe('');
  });
});
