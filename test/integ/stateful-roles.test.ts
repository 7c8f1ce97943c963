/**
 * Issue 7's faults of the stateful and HA roles, as the example regions' hosts would boot them: data disks
 * (5), keepalived's condition (3), REX-Ray's s3fs mount endpoint (4), start order on reboot (10), ZooKeeper's
 * client address (12), and a GlusterFS client that never gives up (11).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { SpecError } from '../../lib/errors.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import type { RegionSpecInput } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { hostArtifacts, type HostArtifacts } from '../checkers/artifacts.js';
import { runChecker, testWith } from '../checkers/tools.js';
import { EXAMPLE_FILES, synthJson } from '../helpers.js';

const specs: RegionSpecInput[] = [];
const hosts: HostArtifacts[] = [];
for (const file of EXAMPLE_FILES) {
  const { spec } = await loadRegionFile(file);
  specs.push(spec);
  const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
  hosts.push(...hostArtifacts(stack.node.id, synthJson(stack) as never));
}

const file = (h: HostArtifacts, p: string) => h.files.find((f) => f.path === p)?.content;
const controls = hosts.filter((h) => h.host.includes('-control-'));
const unitFiles = (h: HostArtifacts) => h.files.filter((f) => f.path.startsWith('/etc/systemd/system/'));

describe('data disks (fault 5)', () => {
  test('every control host formats, mounts and uses its data disk for etcd, ZooKeeper and the bricks', () => {
    expect(controls.length).toBe(6);
    for (const h of controls) {
      expect(file(h, '/etc/systemd/system/regionkit-data-disk1.service')).toContain(
        'ExecStart=/usr/local/sbin/regionkit-data-disk regionkit-data1 100 1200\n',
      );
      expect(file(h, '/etc/systemd/system/srv-data1.mount')).toContain(
        'What=/dev/disk/by-label/regionkit-data1\nWhere=/srv/data1\nType=ext4\nOptions=defaults,noatime,nofail\n',
      );
      expect(file(h, '/etc/systemd/system/zookeeper.service')).toContain('RequiresMountsFor=/srv/data1/zookeeper\n');
      expect(file(h, '/etc/zookeeper/conf/zoo.cfg')).toContain('dataDir=/srv/data1/zookeeper\n');
      expect(file(h, '/etc/systemd/system/glusterd.service.d/60-regionkit.conf')).toContain(
        'RequiresMountsFor=/srv/data1/glusterfs/brick\n',
      );
      expect(file(h, '/usr/local/sbin/regionkit-glusterfs-volume') ?? '').not.toMatch(/\$bricks force/);
    }
    const alicloudControl = controls.find((h) => h.stack.startsWith('example-alicloud'))!;
    expect(file(alicloudControl, '/etc/systemd/system/etcd.service.d/60-regionkit.conf')).toContain(
      'RequiresMountsFor=/srv/data1/etcd\n',
    );
    expect(file(alicloudControl, '/etc/default/etcd')).toContain('ETCD_DATA_DIR=/srv/data1/etcd\n');
  });

  test('a group whose roles keep state but that has no data disk is a synth-time error naming every problem', () => {
    const spec = structuredClone(specs[0]!) as { hostGroups: { name: string; dataDisks?: unknown[] }[] };
    spec.hostGroups.find((g) => g.name === 'control')!.dataDisks = [];
    spec.hostGroups.find((g) => g.name === 'worker')!.dataDisks = [{ sizeGiB: 50 }];
    let error: unknown;
    try {
      new RegionStack(Testing.app(), 'x-infra', { spec: spec as RegionSpecInput });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SpecError);
    const lines = (error as SpecError).message.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^x-infra\/HostGroups\/Control: dataDisks must hold etcd data directory of role etcd \(8 GiB\), .*got \[\]; allowed: one or more disks, the first at least 36 GiB/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^x-infra\/HostGroups\/Worker: dataDisks\[0\] is used by no role/),
    );
  });

  test('a first data disk smaller than the roles need is a synth-time error', () => {
    const spec = structuredClone(specs[0]!) as { hostGroups: { name: string; dataDisks?: unknown[] }[] };
    spec.hostGroups.find((g) => g.name === 'control')!.dataDisks = [{ sizeGiB: 20 }];
    expect(() => new RegionStack(Testing.app(), 'x-infra', { spec: spec as RegionSpecInput })).toThrow(
      /HostGroups\/Control: dataDisks\[0\]\.sizeGiB must be at least 36 to hold .*, got 20/,
    );
  });
});

describe('start order on reboot (fault 10) and bind addresses (fault 12)', () => {
  test('etcd waits for the network and the disk and restarts on failure', () => {
    const dropIn = file(
      controls.find((h) => h.stack.startsWith('example-alicloud'))!,
      '/etc/systemd/system/etcd.service.d/60-regionkit.conf',
    )!;
    expect(dropIn).toContain('After=network-online.target\nWants=network-online.target\n');
    expect(dropIn).toContain('Restart=on-failure\n');
  });

  test('ZooKeeper runs from a native unit that waits for the network, restarts, and serves clients on the private address', () => {
    for (const h of controls) {
      const unit = file(h, '/etc/systemd/system/zookeeper.service')!;
      expect(unit).toContain('After=network-online.target\nWants=network-online.target\n');
      expect(unit).toContain('Restart=on-failure\n');
      // zookeeperd's sysv script would start it at install time with the example configuration
      expect(h.packages).not.toContain('zookeeperd');
      const cfg = file(h, '/etc/zookeeper/conf/zoo.cfg')!;
      const myid = file(h, '/etc/zookeeper/conf/myid')!.trim();
      // the host's own address, as the ensemble names it
      const ip = new RegExp(`^server\\.${myid}=([\\d.]+):`, 'm').exec(cfg)![1]!;
      expect(cfg).toContain(`clientPortAddress=${ip}\n`);
      expect(ip).toMatch(/^10\.(20|30)\./);
    }
  });
});

describe('REX-Ray s3fs on OSS (fault 4)', () => {
  test("the FUSE mount goes to OSS's S3-compatible internal endpoint, through S3FS_OPTIONS", () => {
    const worker = hosts.find((h) => h.stack.startsWith('example-alicloud') && h.host.includes('-worker-'))!;
    const env = file(worker, '/etc/rexray/plugin.env')!;
    expect(env).toContain('S3FS_OPTIONS=url=https://s3.oss-cn-hangzhou-internal.aliyuncs.com endpoint=cn-hangzhou\n');
    expect(env).toContain('S3FS_ENDPOINT=s3.oss-cn-hangzhou-internal.aliyuncs.com\n');
  });
});

describe('GlusterFS client (fault 11)', () => {
  test('no fixed give-up: an automount and a mount retried without a limit', () => {
    for (const h of hosts.filter((x) => x.host.includes('-worker-'))) {
      const service = file(h, '/etc/systemd/system/regionkit-glusterfs-mount.service')!;
      expect(service).toContain('StartLimitIntervalSec=0\n');
      expect(service).toContain('Restart=on-failure\n');
      expect(file(h, '/etc/systemd/system/mnt-shared.automount')).toContain('WantedBy=remote-fs.target\n');
    }
  });
});

/**
 * Every path a unit's Condition*=/Assert*= names, as systemd itself reads the unit with its drop-ins
 * (`systemd-analyze condition`): each must be there when the unit first starts, i.e. written by cloud-init
 * (non-empty for *FileNotEmpty) or shipped by the package (present here, where .ci installs the checkers'
 * packages). A condition on a file rendered later (keepalived's on /etc/keepalived/keepalived.conf, fault 3)
 * skips the unit silently.
 */
testWith(
  'systemd-analyze',
  'no enabled unit has a condition on a file that is not there when it starts (fault 3)',
  async () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const h of hosts) {
      const enabled = h.runcmd
        .filter((argv) => argv[0] === 'systemctl' && argv[1] === 'enable')
        .map((argv) => argv[argv.length - 1]!)
        .filter((u) => u.endsWith('.service'));
      for (const unit of enabled) {
        const own = unitFiles(h).filter(
          (f) => f.path === `/etc/systemd/system/${unit}` || f.path.startsWith(`/etc/systemd/system/${unit}.d/`),
        );
        const packaged = ['/usr/lib/systemd/system', '/lib/systemd/system']
          .map((d) => path.join(d, unit))
          .find(existsSync);
        if (own.length === 0 && !packaged) continue;
        const key = JSON.stringify([unit, own, packaged]);
        if (seen.has(key)) continue;
        seen.add(key);
        const root = await mkdtemp(path.join(os.tmpdir(), 'regionkit-cond-'));
        await mkdir(path.join(root, 'usr/lib/systemd/system'), { recursive: true });
        if (packaged) await writeFile(path.join(root, 'usr/lib/systemd/system', unit), readFileSync(packaged));
        for (const f of own) {
          const target = path.join(root, f.path);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, f.content);
        }
        const { output } = await runChecker('systemd-analyze', ['condition', `--root=${root}`, `--unit=${unit}`]);
        for (const m of output.matchAll(/^\S+: (Condition|Assert)(\w+)=(!?)(\S+) (succeeded|failed)\.$/gm)) {
          const [, , kind, negated, p] = m;
          if (negated || !p!.startsWith('/') || !/Path|File|Directory/.test(kind!)) continue;
          const written = h.files.find((f) => f.path === p);
          const ok = written ? !/NotEmpty/.test(kind!) || written.content !== '' : existsSync(p!);
          if (!ok) problems.push(`${h.host} ${unit}: ${m[1]}${kind}=${p} is not satisfied when the unit starts`);
        }
      }
    }
    expect(problems).toEqual([]);
  },
);
