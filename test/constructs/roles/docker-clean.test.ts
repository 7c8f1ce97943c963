import path from 'node:path';

import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt } from '../../../constructs/roles/apt.js';
import {
  DOCKER_CLEAN_SERVICE,
  DOCKER_CLEAN_TIMER,
  DockerClean,
  type DockerCleanProps,
} from '../../../constructs/roles/docker-clean.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { checkCalendar, checkCloudConfig, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderRoles, roleFixture } from '../../role-helpers.js';

const SERVICE = `/etc/systemd/system/${DOCKER_CLEAN_SERVICE}`;
const TIMER = `/etc/systemd/system/${DOCKER_CLEAN_TIMER}`;

/** The cloud-config of one host with apt, docker and a docker-clean role made from `props`. */
function render(props?: DockerCleanProps): string {
  return renderRoles((f) => [
    new Apt(f.stack, 'Apt'),
    new Docker(f.stack, 'Docker'),
    new DockerClean(f.stack, 'DockerClean', props),
  ])[0]!;
}

/** The unit's `Key=value` lines (no comments, no section headers). */
function settings(unit: string): string[] {
  return unit.split('\n').filter((l) => l.includes('=') && !l.startsWith('#'));
}

describe('DockerClean', () => {
  test('minimal host: a daily timer starting a oneshot prune', () => {
    expect(render()).toMatchInlineSnapshot(`
      "#cloud-config
      hostname: test-test-group-1
      prefer_fqdn_over_hostname: false
      ssh_pwauth: false
      disable_root: true
      package_update: true
      packages:
        - ca-certificates
        - docker.io
        - iptables
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
        - path: /etc/docker/daemon.json
          content: |
            {
              "log-driver": "json-file",
              "log-opts": {
                "max-size": "100m",
                "max-file": "5"
              },
              "live-restore": true,
              "iptables": true
            }
          owner: root:root
          permissions: "0644"
        - path: /etc/regionkit/docker-clean.keep
          content: |
            # regionkit docker-clean role: images never removed
          owner: root:root
          permissions: "0644"
        - path: /usr/local/sbin/regionkit-docker-clean
          content: |
            #!/bin/sh
            # regionkit docker-clean role: remove stopped containers and unused images older than $1 hours, except the
            # images listed in $2; never networks or volumes
            set -eu
            hours=$1
            keep=$2

            docker container prune --force --filter "until=\${hours}h"
            docker image prune --force --filter "until=\${hours}h"

            # Tagged images built before the cut-off, one by one so that the kept ones stay; docker refuses to remove an
            # image a container (running or stopped) still uses.
            docker image ls --format '{{.Repository}}:{{.Tag}}' --filter dangling=false | while read -r ref; do
              if grep -qxF "$ref" "$keep"; then
                continue
              fi
              created=$(docker image inspect --format '{{.Created}}' "$ref" 2>/dev/null) || continue
              if [ "$(date -d "$created" +%s)" -lt "$(( $(date +%s) - hours * 3600 ))" ]; then
                if docker image rm "$ref" >/dev/null 2>&1; then
                  echo "docker-clean: removed $ref"
                fi
              fi
            done
          owner: root:root
          permissions: "0755"
        - path: /etc/systemd/system/docker-clean.service
          content: |
            # docker-clean: prunes unused Docker data (regionkit host role)
            [Unit]
            Description=Prune unused Docker data older than 168h
            Documentation=https://docs.docker.com/reference/cli/docker/system/prune/
            Requires=docker.service
            After=docker.service

            [Service]
            Type=oneshot
            ExecStart=/usr/local/sbin/regionkit-docker-clean 168 /etc/regionkit/docker-clean.keep
            TimeoutStartSec=1h
          owner: root:root
          permissions: "0644"
        - path: /etc/systemd/system/docker-clean.timer
          content: |
            # docker-clean: when to prune (regionkit host role)
            [Unit]
            Description=Prune unused Docker data older than 168h, daily

            [Timer]
            OnCalendar=daily
            Persistent=yes
            RandomizedDelaySec=1h
            FixedRandomDelay=yes

            [Install]
            WantedBy=timers.target
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
          - enable
          - --now
          - docker.service
        - - systemctl
          - enable
          - --now
          - docker-clean.timer
      "
    `);
  });

  test('keepHours is the cut-off the script gets', () => {
    expect(settings(fileOf(render({ keepHours: 24 }), SERVICE).content)).toContain(
      'ExecStart=/usr/local/sbin/regionkit-docker-clean 24 /etc/regionkit/docker-clean.keep',
    );
  });

  test('never prunes volumes', () => {
    expect(fileOf(render(), SERVICE).content).not.toMatch(/--volumes/);
  });

  test('schedule becomes OnCalendar, runs missed at boot and spreads hosts', () => {
    const timer = settings(fileOf(render({ schedule: 'Sun *-*-* 03:00:00' }), TIMER).content);
    expect(timer).toEqual(
      expect.arrayContaining([
        'OnCalendar=Sun *-*-* 03:00:00',
        'Persistent=yes',
        'RandomizedDelaySec=1h',
        'FixedRandomDelay=yes',
      ]),
    );
  });

  test('enables the timer, not the service', () => {
    const { runcmd } = parse(render()) as { runcmd: string[][] };
    const cmds = runcmd.map((c) => c.join(' '));
    expect(cmds).toContain(`systemctl enable --now ${DOCKER_CLEAN_TIMER}`);
    expect(cmds).not.toContain(`systemctl enable --now ${DOCKER_CLEAN_SERVICE}`);
    expect(cmds.indexOf('systemctl enable --now docker.service')).toBeLessThan(
      cmds.indexOf(`systemctl enable --now ${DOCKER_CLEAN_TIMER}`),
    );
  });

  test('requires docker on the host', () => {
    const f = roleFixture();
    const group = f.group('worker');
    group.addRole(new Apt(f.stack, 'Apt'));
    group.addRole(new DockerClean(f.stack, 'DockerClean'));
    expect(() => group.validateRoles()).toThrow('role docker-clean requires docker, which is not on these hosts');
  });

  test('declares no ports', () => {
    const f = roleFixture();
    const plain = f.group('plain');
    const cleaned = f.group('cleaned');
    const role = new DockerClean(f.stack, 'DockerClean');
    cleaned.addRole(new Apt(f.stack, 'Apt'));
    cleaned.addRole(new Docker(f.stack, 'Docker'));
    cleaned.addRole(role);
    expect(role.ports).toEqual([]);
    const rules = (g: typeof plain) => g.securityGroup.ingressRules.map((r) => r.port.toString());
    expect(rules(cleaned)).toEqual(rules(plain));
  });

  test.each([0, 8761, 1.5])('fails if keepHours is %s', (keepHours) => {
    const f = roleFixture();
    expect(() => new DockerClean(f.stack, 'DockerClean', { keepHours })).toThrow(
      `test/DockerClean: keepHours must be an integer between 1 and 8760, got ${keepHours}`,
    );
  });

  test.each(['daily\nExecStartPre=/bin/rm', '', 'hourly; reboot'])('fails if schedule is %j', (schedule) => {
    const f = roleFixture();
    expect(() => new DockerClean(f.stack, 'DockerClean', { schedule })).toThrow(
      `test/DockerClean: schedule must be a systemd OnCalendar expression such as daily, got ${JSON.stringify(schedule)}`,
    );
  });

  testWith('systemd-analyze', 'the service and timer pass `systemd-analyze verify`', async () => {
    const doc = render({ schedule: 'Mon..Fri 02:30', keepHours: 72 });
    const units = [SERVICE, TIMER].map((p) => ({ name: path.basename(p), content: fileOf(doc, p).content }));
    expect(await checkUnits(units)).toBe('');
  });

  testWith(
    'systemd-analyze',
    'the default and example schedules are calendar expressions systemd accepts',
    async () => {
      for (const schedule of ['daily', 'Sun *-*-* 03:00:00', 'Mon..Fri 02:30']) {
        const onCalendar = settings(fileOf(render({ schedule }), TIMER).content).find((l) =>
          l.startsWith('OnCalendar='),
        );
        expect(await checkCalendar(onCalendar!.slice('OnCalendar='.length))).toBe('');
      }
      // the pattern lets through what only systemd can judge; systemd does judge it
      expect(await checkCalendar('Sun 25:00')).not.toBe('');
    },
  );

  testWith('cloud-init', 'the cloud-config passes `cloud-init schema`', async () => {
    expect(await checkCloudConfig(render())).toBe('');
  });
});
