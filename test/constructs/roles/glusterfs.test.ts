import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { HostGroup } from '../../../constructs/compute/host-group.js';
import { Apt } from '../../../constructs/roles/apt.js';
import {
  GLUSTERD_VOL,
  GlusterfsClient,
  type GlusterfsClientProps,
  GlusterfsServer,
  type GlusterfsServerProps,
  MOUNT_SERVICE,
  mountUnitName,
  replicaCount,
  systemdEscapePath,
  VOLUME_SCRIPT,
} from '../../../constructs/roles/glusterfs.js';
import { checkCloudConfig, checkShell, checkUnits } from '../../checkers/checks.js';
import { runChecker, testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture, ruleLines } from '../../role-helpers.js';

/** A storage group with the server role and a worker group mounting its volume, in one cluster. */
function region(servers = 3, serverProps: GlusterfsServerProps = {}, clientProps: Partial<GlusterfsClientProps> = {}) {
  const f = roleFixture();
  const storage = new HostGroup(f.stack, 'Storage', {
    network: f.network,
    name: 'storage',
    count: servers,
    dataDisks: [{ sizeGiB: 100 }],
  });
  const workers = f.group('worker', 2);
  storage.joinCluster('c', [storage, workers]);
  workers.joinCluster('c', [storage, workers]);
  const apt = new Apt(f.stack, 'Apt');
  storage.addRole(apt);
  storage.addRole(new GlusterfsServer(f.stack, 'GlusterfsServer', serverProps));
  workers.addRole(apt);
  workers.addRole(new GlusterfsClient(f.stack, 'GlusterfsClient', { servers: () => storage.hosts, ...clientProps }));
  return { f, storage, workers };
}

const runcmd = (doc: string) => (parse(doc) as { runcmd: string[][] }).runcmd.map((argv) => argv.join(' '));
const createLine = (script: string) => /^ *gluster_cli volume create .*$/m.exec(script)?.[0].trim();
const assignment = (script: string, name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(script)?.[1];

describe('GlusterfsServer', () => {
  test('cloud-config of the first server (forms the pool) and of another server', () => {
    const docs = renderAll(region().storage);
    expect(docs[0]).toMatchSnapshot();
    expect(docs[1]).toMatchSnapshot();
  });

  test('only the first server creates the volume, after glusterd is up', () => {
    const docs = renderAll(region().storage);
    expect(runcmd(docs[0]!).slice(-2)).toEqual(['systemctl enable --now glusterd.service', VOLUME_SCRIPT]);
    for (const doc of docs.slice(1)) {
      expect(runcmd(doc).slice(-1)).toEqual(['systemctl enable --now glusterd.service']);
      expect(() => fileOf(doc, VOLUME_SCRIPT)).toThrow();
    }
  });

  test('bricks are made on the data disk, by glusterd, which cannot start without it (never on the root disk)', () => {
    const doc = renderAll(region().storage)[1]!;
    const dropIn = fileOf(doc, '/etc/systemd/system/glusterd.service.d/60-regionkit.conf').content;
    expect(dropIn).toContain('RequiresMountsFor=/srv/data1/glusterfs/brick\n');
    expect(dropIn).toContain('ExecStartPre=/bin/mkdir -p /srv/data1/glusterfs/brick\n');
    // no brick directory is made by a first-boot command, which would run whether the disk is there or not
    expect(runcmd(doc).filter((c) => c.includes('/srv/data1'))).toEqual([]);
    expect(fileOf(doc, '/etc/systemd/system/srv-data1.mount').content).toContain('Where=/srv/data1\n');
  });

  test('caps the brick ports at the range the security group opens', () => {
    const vol = fileOf(renderAll(region().storage)[1]!, GLUSTERD_VOL).content;
    expect(vol).toContain('    option base-port 49152\n    option max-port 49251\n');
    expect(vol).toContain('    option transport-type socket\n');
  });

  test.each([
    [2, 'replica 2', 2],
    [3, 'replica 3', 3],
    [6, 'replica 3', 6],
    [9, 'replica 3', 9],
  ])('%i servers: a %s volume over one brick per server, in host order', (n, replica, bricks) => {
    const { storage } = region(n);
    const script = fileOf(renderAll(storage)[0]!, VOLUME_SCRIPT).content;
    // without force gluster refuses a brick on the root filesystem
    expect(createLine(script)).toBe('gluster_cli volume create "$volume" replica "$replica" transport tcp $bricks');
    expect(`replica ${assignment(script, 'replica')}`).toBe(replica);
    const brickList = assignment(script, 'bricks')!.replaceAll("'", '').split(' ');
    expect(brickList).toHaveLength(bricks);
    expect(brickList).toEqual(storage.hosts.map((h) => `${h.privateIp}:/srv/data1/glusterfs/brick`));
    expect(assignment(script, 'peers')!.replaceAll("'", '').split(' ')).toEqual(
      storage.hosts.slice(1).map((h) => h.privateIp),
    );
  });

  test('replica sets of three span three zones when hosts are spread over three', () => {
    const { storage } = region(6);
    const sets = [storage.hosts.slice(0, 3), storage.hosts.slice(3, 6)];
    for (const set of sets) expect(new Set(set.map((h) => h.zoneIndex)).size).toBe(3);
    expect([1, 2, 3, 4, 5, 6, 12].map(replicaCount)).toEqual([undefined, 2, 3, undefined, undefined, 3, 3]);
  });

  test('brickPath and volumeName reach the brick directory and the script', () => {
    const { storage } = region(2, { brickPath: '/srv/data1/glusterfs/brick1', volumeName: 'registry-data' });
    const docs = renderAll(storage);
    expect(fileOf(docs[1]!, '/etc/systemd/system/glusterd.service.d/60-regionkit.conf').content).toContain(
      'RequiresMountsFor=/srv/data1/glusterfs/brick1\n\n[Service]\nExecStartPre=/bin/mkdir -p /srv/data1/glusterfs/brick1\n',
    );
    const script = fileOf(docs[0]!, VOLUME_SCRIPT).content;
    expect(assignment(script, 'volume')).toBe('registry-data');
    expect(assignment(script, 'bricks')).toBe(
      "'10.0.0.16:/srv/data1/glusterfs/brick1 10.0.16.16:/srv/data1/glusterfs/brick1'",
    );
  });

  test.each([1, 4, 5, 7])('fails if the group has %i hosts', (n) => {
    const { storage } = region(n);
    expect(() => renderAll(storage)).toThrow(
      `test/GlusterfsServer: group storage must have 2, 3 or a multiple of 3 hosts to serve a replicated volume, got ${n}`,
    );
  });

  test.each(['srv/brick', '/srv/brick/', '/srv/../brick', '/', '/srv/my brick', "/srv/'brick"])(
    'fails if brickPath is %j',
    (brickPath) => {
      const f = roleFixture();
      expect(() => new GlusterfsServer(f.stack, 'GlusterfsServer', { brickPath })).toThrow(
        `test/GlusterfsServer: brickPath must be an absolute path of letters, digits, '.', '_' and '-'`,
      );
    },
  );

  test('fails if brickPath is not on the data disk (it would fill the root disk)', () => {
    const f = roleFixture();
    expect(() => new GlusterfsServer(f.stack, 'GlusterfsServer', { brickPath: '/srv/glusterfs/brick' })).toThrow(
      'test/GlusterfsServer: brickPath must be below /srv/data1/glusterfs (the data disk), got "/srv/glusterfs/brick"',
    );
  });

  test.each(['-shared', 'my/vol', 'a'.repeat(65), 'shared!'])('fails if volumeName is %j', (volumeName) => {
    const f = roleFixture();
    expect(() => new GlusterfsServer(f.stack, 'GlusterfsServer', { volumeName })).toThrow(
      "test/GlusterfsServer: volumeName must be 1-64 letters, digits, '_' and '-', not starting with '-'",
    );
  });

  test.each(['all', 'volume', 'force'])('fails if volumeName is the gluster keyword %j', (volumeName) => {
    const f = roleFixture();
    expect(() => new GlusterfsServer(f.stack, 'GlusterfsServer', { volumeName })).toThrow(
      `test/GlusterfsServer: volumeName must not be a gluster keyword, got "${volumeName}"`,
    );
  });

  test('opens glusterd and the brick ports to every group of the cluster', () => {
    const { storage } = region();
    const rules = ruleLines(storage);
    expect(rules).toEqual([
      'tcp/24007 test-storage',
      'tcp/24007 test-worker',
      'tcp/49152-49251 test-storage',
      'tcp/49152-49251 test-worker',
    ]);
  });

  testWith('shellcheck', 'shellcheck accepts the volume script for 2, 3 and 6 servers', async () => {
    for (const n of [2, 3, 6]) {
      const script = fileOf(renderAll(region(n).storage)[0]!, VOLUME_SCRIPT).content;
      expect(await checkShell(VOLUME_SCRIPT, script)).toBe('');
    }
  });

  testWith('cloud-init', 'cloud-init accepts the cloud-config of both kinds of server', async () => {
    for (const doc of renderAll(region().storage).slice(0, 2)) expect(await checkCloudConfig(doc)).toBe('');
  });

  testWith(
    'sh',
    'the volume script probes every peer, creates and starts the volume once, and changes nothing when run again',
    async () => {
      const script = fileOf(renderAll(region(3).storage)[0]!, VOLUME_SCRIPT).content;
      const { run, calls } = await standInGluster(script);
      expect((await run()).exitCode).toBe(0);
      expect(await calls()).toEqual([
        'pool list',
        'peer probe 10.0.16.16',
        'peer probe 10.0.16.16',
        'peer probe 10.0.32.16',
        'peer status',
        'volume info shared',
        'volume create shared replica 3 transport tcp 10.0.0.16:/srv/data1/glusterfs/brick 10.0.16.16:/srv/data1/glusterfs/brick ' +
          '10.0.32.16:/srv/data1/glusterfs/brick',
        'volume info shared',
        'volume start shared',
      ]);
      expect((await run()).exitCode).toBe(0);
      const again = (await calls()).slice(9);
      expect(again.filter((c) => c.startsWith('volume create') || c.startsWith('volume start'))).toEqual([]);
      expect(again).toContain('peer probe 10.0.32.16');
    },
  );
});

describe('GlusterfsClient', () => {
  test('cloud-config of a client', () => {
    expect(renderAll(region().workers)[0]).toMatchSnapshot();
  });

  test('mounts the volume from the first server, the others as backup volume-file servers', () => {
    const unit = fileOf(renderAll(region().workers)[0]!, '/etc/systemd/system/mnt-shared.mount').content;
    expect(unit).toContain('What=10.0.0.16:/shared\nWhere=/mnt/shared\nType=glusterfs\n');
    expect(unit).toContain('Options=defaults,_netdev,backup-volfile-servers=10.0.16.16:10.0.32.16\n');
    expect(unit).toContain('After=network-online.target\nWants=network-online.target\n');
  });

  test('mounts on access (automount) and retries the mount without a limit until the volume is served', () => {
    const doc = renderAll(region().workers)[0]!;
    expect(runcmd(doc).slice(-3)).toEqual([
      'systemctl daemon-reload',
      'systemctl enable --now mnt-shared.automount',
      `systemctl enable --now --no-block ${MOUNT_SERVICE}`,
    ]);
    const automount = fileOf(doc, '/etc/systemd/system/mnt-shared.automount').content;
    expect(automount).toContain('[Automount]\nWhere=/mnt/shared\n');
    expect(automount).toContain('[Install]\nWantedBy=remote-fs.target\n');
    const service = fileOf(doc, `/etc/systemd/system/${MOUNT_SERVICE}`).content;
    // the volume can take longer to appear than any fixed wait: no attempt count, no start limit
    expect(service).toContain('StartLimitIntervalSec=0\n');
    expect(service).toContain('ExecStart=/bin/systemctl start mnt-shared.mount\nRestart=on-failure\n');
    expect(doc).not.toMatch(/gave up|did not start after/);
    expect((parse(doc) as { packages: string[] }).packages).toContain('glusterfs-client');
  });

  test('a single server has no backups', () => {
    const f = roleFixture();
    const storage = f.group('storage', 1);
    const client = f.group('client', 1);
    client.addRole(new Apt(f.stack, 'Apt'));
    client.addRole(new GlusterfsClient(f.stack, 'GlusterfsClient', { servers: () => storage.hosts }));
    const unit = fileOf(renderAll(client)[0]!, '/etc/systemd/system/mnt-shared.mount').content;
    expect(unit).toContain('Options=defaults,_netdev\n');
  });

  test('mountPoint and volumeName name the unit, the mount point and the volume', () => {
    const doc = renderAll(region(3, {}, { mountPoint: '/srv/registry-data', volumeName: 'registry' }).workers)[0]!;
    const name = 'srv-registry\\x2ddata.mount';
    const unit = fileOf(doc, `/etc/systemd/system/${name}`).content;
    expect(unit).toContain('What=10.0.0.16:/registry\nWhere=/srv/registry-data\n');
    expect(runcmd(doc)).toContain(`systemctl enable --now ${name.replace('.mount', '.automount')}`);
    // systemd unescapes \x2d in Exec lines: the backslash is doubled
    expect(fileOf(doc, `/etc/systemd/system/${MOUNT_SERVICE}`).content).toContain(
      'ExecStart=/bin/systemctl start srv-registry\\\\x2ddata.mount\n',
    );
  });

  test('unit names are the escaped mount points', () => {
    expect(['/mnt/shared', '/mnt/gluster-data', '/srv/.hidden/x', '/.dot', '/mnt/a_b.c'].map(mountUnitName)).toEqual([
      'mnt-shared.mount',
      'mnt-gluster\\x2ddata.mount',
      'srv-.hidden-x.mount',
      '\\x2edot.mount',
      'mnt-a_b.c.mount',
    ]);
  });

  test('fails if servers returns no host', () => {
    const f = roleFixture();
    const client = f.group('client', 1);
    client.addRole(new Apt(f.stack, 'Apt'));
    client.addRole(new GlusterfsClient(f.stack, 'GlusterfsClient', { servers: () => [] }));
    expect(() => renderAll(client)).toThrow('test/GlusterfsClient: servers must return at least one host, got none');
  });

  test.each(['mnt/shared', '/mnt/shared/', '/mnt/./shared', '/'])('fails if mountPoint is %j', (mountPoint) => {
    const f = roleFixture();
    expect(() => new GlusterfsClient(f.stack, 'GlusterfsClient', { servers: () => [], mountPoint })).toThrow(
      `test/GlusterfsClient: mountPoint must be an absolute path`,
    );
  });

  test('fails if volumeName is not a gluster volume name', () => {
    const f = roleFixture();
    expect(() => new GlusterfsClient(f.stack, 'GlusterfsClient', { servers: () => [], volumeName: 'a b' })).toThrow(
      'test/GlusterfsClient: volumeName must be 1-64 letters',
    );
  });

  test('declares no ports', () => {
    const { workers } = region();
    expect(workers.securityGroup.ingressRules).toEqual([]);
  });

  testWith('systemd-escape', 'unit names agree with systemd-escape --path', async () => {
    for (const p of [
      '/mnt/shared',
      '/mnt/gluster-data',
      '/srv/.hidden/x',
      '/.dot',
      '/mnt/a_b.c',
      '/data/x:y',
      '/mnt/ü',
    ]) {
      const { ok, output } = await runChecker('systemd-escape', ['--path', '--suffix=mount', p]);
      expect(ok).toBe(true);
      expect(mountUnitName(p)).toBe(output.trim());
    }
    expect(systemdEscapePath('/')).toBe((await runChecker('systemd-escape', ['--path', '/'])).output.trim());
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the mount units (plain and escaped names)', async () => {
    for (const mountPoint of ['/mnt/shared', '/srv/registry-data']) {
      const doc = renderAll(region(3, {}, { mountPoint }).workers)[0]!;
      const name = mountUnitName(mountPoint);
      const automount = name.replace('.mount', '.automount');
      const units = [name, automount, MOUNT_SERVICE].map((n) => ({
        name: n,
        content: fileOf(doc, `/etc/systemd/system/${n}`).content,
      }));
      expect(await checkUnits(units)).toBe('');
    }
  });

  testWith(
    'systemd-analyze',
    'systemd-analyze rejects a mount unit under a name that is not its escaped path',
    async () => {
      const doc = renderAll(region().workers)[0]!;
      const content = fileOf(doc, '/etc/systemd/system/mnt-shared.mount').content;
      expect(await checkUnits([{ name: 'mnt-other.mount', content }])).not.toBe('');
    },
  );

  testWith('cloud-init', 'cloud-init accepts the cloud-config of a client', async () => {
    expect(await checkCloudConfig(renderAll(region().workers)[0]!)).toBe('');
  });
});

/**
 * Runs `script` with a stand-in `gluster` (and a `sleep` that returns at once) first on PATH. The stand-in
 * records each call, keeps the pool and the volume in files, and refuses the first probe of the first peer, as
 * a real glusterd that is not up yet does. It checks the script's control flow, not GlusterFS.
 */
async function standInGluster(script: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-gluster-'));
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  const log = path.join(dir, 'calls');
  const stub = `#!/bin/sh
state=${dir}
[ "$1" = --mode=script ] || { echo "gluster called without --mode=script" >&2; exit 2; }
shift
echo "$*" >>"$state/calls"
case "$1 $2" in
"pool list") exit 0 ;;
"peer probe")
    if [ ! -e "$state/refused-once" ]; then touch "$state/refused-once"; echo "peer probe: failed: $3 is not connected" >&2; exit 1; fi
    grep -qx "$3" "$state/pool" 2>/dev/null || echo "$3" >>"$state/pool"
    exit 0 ;;
"peer status")
    while read -r peer; do printf 'Hostname: %s\\nState: Peer in Cluster (Connected)\\n' "$peer"; done <"$state/pool"
    exit 0 ;;
"volume info")
    [ -e "$state/volume" ] || exit 1
    printf 'Volume Name: %s\\nStatus: %s\\n' "$3" "$(cat "$state/volume")"
    exit 0 ;;
"volume create") echo Created >"$state/volume"; exit 0 ;;
"volume start") echo Started >"$state/volume"; exit 0 ;;
esac
exit 2
`;
  await writeFile(path.join(bin, 'gluster'), stub);
  await writeFile(path.join(bin, 'sleep'), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(bin, 'gluster'), 0o755);
  await chmod(path.join(bin, 'sleep'), 0o755);
  const file = path.join(dir, 'script');
  await writeFile(file, script, { mode: 0o755 });
  return {
    run: () => execa('/bin/sh', [file], { reject: false, env: { PATH: `${bin}:/usr/bin:/bin` } }),
    calls: async () => (await readFile(log, 'utf8')).trim().split('\n'),
  };
}
