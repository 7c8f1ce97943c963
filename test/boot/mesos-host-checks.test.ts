/**
 * The first-boot test's judgement of a Mesos host, without a VM, for what the run of 1 December 05:11 reported:
 * - sockets a role opens for the host itself (HOST_LOCAL_LISTENERS: dnsmasq on the private address for Docker's
 *   containers, and its random query ports) are allowed only on a host with that role, for that process and
 *   address; anything else no role declares is a problem;
 * - a unit expected not to run here whose `Restart=always` brings it back between failures may be caught active,
 *   if systemd has restarted it (`NRestarts` above 0).
 */
import { expect, test } from 'vitest';

import { expectedNotActive, mountProblems, portProblems, unitProblems } from './checks.js';
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
