/**
 * The first-boot test's judgement of a Mesos host, without a VM, for what the run of 1 December 05:11 reported:
 * - sockets a role opens for the host itself (HOST_LOCAL_LISTENERS: dnsmasq on the private address for Docker's
 *   containers, and its random query ports) are allowed only on a host with that role, for that process and
 *   address; anything else no role declares is a problem;
 * - a unit expected not to run here whose `Restart=always` brings it back between failures may be caught active,
 *   if systemd has restarted it (`NRestarts` above 0).
 */
import { readFileSync } from 'node:fs';

import { expect, test } from 'vitest';

import { expectedNotActive, mountProblems, portProblems, unitProblems } from './checks.js';
import { IMAGE_UNIT_RESTART_DELAY, imageUnits } from './expectations.js';
import { exampleHosts } from './hosts.js';
import { parseReport } from './report.js';

const HOSTS = await exampleHosts();
const WORKER = HOSTS.find((h) => h.name === 'example-alicloud-worker-1')!;

/** Only the listener sections matter to portProblems; the rest is empty. */
function listening(host: typeof WORKER, udp: string[], tcp: string[] = []) {
  const row = (l: string) => `UNCONN 0 0 ${l}`;
  return portProblems(
    host,
    parseReport(
      ['### listen-tcp', ...tcp.map((l) => `LISTEN 0 32 ${l}`), '### listen-udp', ...udp.map(row)].join('\n'),
    ),
  ).filter((p) => p.includes('declared by no role'));
}

test('dnsmasq on the private address (port 53) and on random query ports is the host’s own', () => {
  expect(WORKER.roles.map((r) => r.name)).toContain('dnsmasq');
  const ip = WORKER.privateIp;
  expect(
    listening(
      WORKER,
      [
        `${ip}:53 0.0.0.0:* users:(("dnsmasq",pid=562,fd=4))`,
        `0.0.0.0:54429 0.0.0.0:* users:(("dnsmasq",pid=562,fd=12))`,
      ],
      [`${ip}:53 0.0.0.0:* users:(("dnsmasq",pid=562,fd=5))`],
    ),
  ).toEqual([]);
});

test('the same sockets of another process, on another address or on a host without dnsmasq are problems', () => {
  const ip = WORKER.privateIp;
  expect(
    listening(WORKER, [
      `${ip}:53 0.0.0.0:* users:(("named",pid=9,fd=4))`,
      `0.0.0.0:53 0.0.0.0:* users:(("dnsmasq",pid=562,fd=4))`,
      `0.0.0.0:999 0.0.0.0:* users:(("dnsmasq",pid=562,fd=13))`,
    ]),
  ).toHaveLength(3);
  const withoutDnsmasq = HOSTS.find((h) => !h.roles.some((r) => r.name === 'dnsmasq'));
  if (withoutDnsmasq) {
    expect(
      listening(withoutDnsmasq, [`${withoutDnsmasq.privateIp}:53 0.0.0.0:* users:(("dnsmasq",pid=1,fd=4))`]),
    ).toHaveLength(1);
  }
});

test('a unit expected not to run here that restarts (Restart=always) may be caught active; one that never restarted may not', () => {
  expect(expectedNotActive(WORKER).has('cadvisor.service')).toBe(true);
  const units = (restarts: number) =>
    parseReport(
      [
        '### units',
        `Id=cadvisor.service LoadState=loaded ActiveState=active SubState=running Result=success UnitFileState=enabled NRestarts=${restarts}`,
      ].join('\n'),
    );
  const about = (restarts: number) =>
    unitProblems(WORKER, units(restarts), []).filter((p) => p.startsWith('unit cadvisor.service is active'));
  expect(about(6)).toEqual([]);
  expect(about(0)).toHaveLength(1);
});

test("a unit whose image cannot be pulled here must restart at the test image's slower pace, as its drop-in sets", () => {
  expect(imageUnits()).toContain('cadvisor.service');
  expect(imageUnits()).not.toContain('etcd.service');
  // the drop-in's RestartSec is what systemd prints as IMAGE_UNIT_RESTART_DELAY
  const dropIn = readFileSync(new URL('guest/image-unit-boot-test-restart.conf', import.meta.url), 'utf8');
  expect(/^RestartSec=(\d+)$/m.exec(dropIn)?.[1]).toBe('120');
  expect(IMAGE_UNIT_RESTART_DELAY).toBe('2min');
  const about = (unit: string, delay: string) =>
    unitProblems(
      WORKER,
      parseReport(
        [
          '### units',
          `Id=${unit} LoadState=loaded ActiveState=activating SubState=auto-restart Result=exit-code UnitFileState=enabled NRestarts=2 RestartUSec=${delay}`,
        ].join('\n'),
      ),
      [],
    ).filter((p) => p.includes('restarts after'));
  expect(about('cadvisor.service', '2min')).toEqual([]);
  expect(about('cadvisor.service', '5s')).toEqual([
    "unit cadvisor.service restarts after 5s, not the test image's 2min (its drop-in is missing)",
  ]);
  expect(about('dnsmasq.service', '5s')).toEqual([]);
});

test('a control host needs its data disk mounted at /srv/data1, ext4, off the root disk; a worker has none to check', () => {
  const control = HOSTS.find((h) => h.name === 'example-openstack-control-1')!;
  expect(control.dataDisksGiB).toEqual([100]);
  expect(WORKER.dataDisksGiB).toEqual([]);
  const mounts = (...rows: string[]) =>
    mountProblems(control, parseReport(['### mounts', '/ /dev/vda1 ext4', ...rows].join('\n')));
  expect(mounts('/srv/data1 /dev/vdb ext4')).toEqual([]);
  expect(mounts()).toEqual(['data disk 1 (100 GiB) is not mounted at /srv/data1']);
  expect(mounts('/srv/data1 /dev/vda2 ext4')).toEqual(['/srv/data1 is on the root disk (/dev/vda2)']);
  expect(mounts('/srv/data1 /dev/vdb xfs')).toEqual(['/srv/data1 is xfs, not ext4 (/dev/vdb)']);
  expect(mountProblems(WORKER, parseReport('### mounts\n/ /dev/vda1 ext4'))).toEqual([]);
});

test('ZooKeeper: an IPv4-mapped listener is the private address; only the leader must listen on 2888', () => {
  const control = HOSTS.find((h) => h.name === 'example-openstack-control-1')!;
  const ip = control.privateIp;
  const problems = (mode: string, ports: number[]) =>
    portProblems(
      control,
      parseReport(
        [
          '### listen-tcp',
          ...ports.map((p) => `LISTEN 0 50 [::ffff:${ip}]:${p} *:* users:(("java",pid=597,fd=35))`),
          '### probes',
          `zookeeper ${ip} Zookeeper version: 3.8.0 Mode: ${mode}`,
        ].join('\n'),
      ),
    ).filter((p) => p.startsWith('zookeeper:'));
  expect(problems('follower', [2181, 3888])).toEqual([]);
  expect(problems('leader', [2181, 2888, 3888])).toEqual([]);
  expect(problems('leader', [2181, 3888])).toEqual([
    'zookeeper:tcp/2888 (follower connections to the leader) is not listening',
  ]);
  // a mapped address other than the private one is still a wider bind
  const wide = portProblems(
    control,
    parseReport('### listen-tcp\nLISTEN 0 50 [::ffff:10.9.9.9]:2181 *:* users:(("java",pid=597,fd=32))'),
  );
  expect(wide.some((p) => p.startsWith('zookeeper:tcp/2181') && p.includes('bound to ::ffff:10.9.9.9'))).toBe(true);
});

test('a container unit whose image is missing may be caught in its first start, not once its image is there', () => {
  const control = HOSTS.find((h) => h.name === 'example-openstack-control-1')!;
  const unit = 'mesos_dns.service';
  expect(expectedNotActive(control).get(unit)).toMatch(/: image\b/);
  const userData = 'ExecStart=/usr/bin/docker run registry.example-openstack.internal/mesosphere/mesos-dns:v0.6.0\n';
  const problems = (images: string | undefined) =>
    unitProblems(
      control,
      parseReport(
        [
          '### units',
          `Id=${unit} LoadState=loaded ActiveState=active SubState=running Result=success UnitFileState=enabled NRestarts=0`,
          '### probes',
          ...(images === undefined ? [] : [`docker-images ${images}`]),
        ].join('\n'),
      ),
      [unit],
      userData,
    ).filter((p) => p.startsWith(`unit ${unit} is active`));
  expect(problems('')).toEqual([]);
  expect(problems('registry.example-openstack.internal/mesosphere/mesos-dns:v0.6.0')).toHaveLength(1);
  expect(problems(undefined)).toHaveLength(1);
});
