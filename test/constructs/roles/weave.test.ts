import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import type { InventoryHost } from '../../../constructs/roles/host-role.js';
import { WEAVE_CONTAINER, WEAVE_ENV, Weave, weavePeerName, type WeaveProps } from '../../../constructs/roles/weave.js';
import { secretNames, secretRef } from '../../../lib/cloudinit/secret.js';
import { checkCloudConfig, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture, ruleLines, clusterFixture } from '../../role-helpers.js';

const IMAGE = 'docker.io/avhost/weave:2.10.1';
const UNIT = `/etc/systemd/system/${WEAVE_CONTAINER}.service`;

/** Control (3) and worker (2) groups of one cluster, all running weave, seeded by the control hosts. */
function cluster(props: Partial<WeaveProps> = {}) {
  const f = clusterFixture();
  const { control, other: workers } = f;
  const weave = new Weave(f.stack, 'Weave', {
    image: IMAGE,
    seeds: () => control.hosts,
    ...props,
  });
  for (const g of [control, workers]) {
    for (const role of [new Apt(g, 'Apt'), new Docker(g, 'Docker'), weave]) g.addRole(role);
  }
  return { f, control, workers, weave };
}

/** The router's own arguments: everything after the image on the ExecStart line. */
const routerArgs = (doc: string) => {
  const line = /^ExecStart=(.*)$/m.exec(fileOf(doc, UNIT).content)![1]!;
  return line.slice(line.indexOf(IMAGE) + IMAGE.length + 1).split(' ');
};

describe('Weave', () => {
  test('minimal host: the whole cloud-config', () => {
    expect(renderAll(cluster().workers)[0]).toMatchSnapshot();
  });

  test('the router container gets what `weave launch` gives it, and the seeds', () => {
    const line = /^ExecStart=(.*)$/m.exec(fileOf(renderAll(cluster().workers)[1]!, UNIT).content)![1]!;
    expect(line).toMatchInlineSnapshot(
      `"/usr/bin/docker run --rm --name weave --network host --privileged --pid=host --env-file=/etc/weave/weave.env --env=DOCKER_API_VERSION=1.24 --volume=weavedb:/weavedb --volume=/var/run/docker.sock:/var/run/docker.sock --volume=/var/run/weave:/var/run/weave --volume=/run/docker/plugins:/run/docker/plugins --volume=/etc:/host/etc --volume=/var/lib/dbus:/host/var/lib/dbus docker.io/avhost/weave:2.10.1 --port 6783 --name 02:00:0a:00:10:30 --nickname test-worker-2 --host-root=/host --db-prefix /weavedb/weave --ipalloc-range 10.32.0.0/12 --ipalloc-init seed=02:00:0a:00:00:10,02:00:0a:00:10:10,02:00:0a:00:20:10 --http-addr 127.0.0.1:6784 --status-addr 127.0.0.1:6782 --no-dns --no-fastdp --plugin 10.0.0.16 10.0.16.16 10.0.32.16"`,
    );
  });

  test('every router connects to the seeds (but itself) and names them as the IPAM seed', () => {
    const { control, workers } = cluster();
    const seeds = control.hosts.map((h) => h.privateIp);
    const seedNames = ['02:00:0a:00:00:10', '02:00:0a:00:10:10', '02:00:0a:00:20:10'];
    expect(seeds.map(weavePeerName)).toEqual(seedNames);
    for (const g of [control, workers]) {
      renderAll(g).forEach((doc, i) => {
        const self = g.hosts[i]!.privateIp;
        const args = routerArgs(doc);
        expect(args.slice(args.indexOf('--plugin') + 1)).toEqual(seeds.filter((ip) => ip !== self));
        expect(args[args.indexOf('--ipalloc-init') + 1]).toBe(`seed=${seedNames.join(',')}`);
        expect(args[args.indexOf('--name') + 1]).toBe(weavePeerName(self));
      });
    }
  });

  test('a worker’s configuration does not depend on how many workers there are', () => {
    const three = cluster();
    const doc = renderAll(three.workers)[0]!;
    const seeds = three.control.hosts;
    const f = clusterFixture({ otherCount: 5 });
    const weave = new Weave(f.stack, 'Weave', { image: IMAGE, seeds: () => seeds });
    for (const g of [f.control, f.other])
      for (const r of [new Apt(g, 'Apt'), new Docker(g, 'Docker'), weave]) g.addRole(r);
    expect(renderAll(f.other)[0]).toBe(doc);
  });

  test('seeds are read when hosts are configured, not when the role is made', () => {
    const seeds: InventoryHost[] = [];
    const { workers } = cluster({ seeds: () => seeds });
    seeds.push(...workers.hosts);
    const args = routerArgs(renderAll(workers)[0]!);
    expect(args).toContain(`seed=${workers.hosts.map((h) => weavePeerName(h.privateIp)).join(',')}`);
    expect(args.slice(args.indexOf('--plugin') + 1)).toEqual([workers.hosts[1]!.privateIp]);
  });

  test('the password is a secret, in a root-only file', () => {
    const { workers } = cluster();
    const doc = renderAll(workers)[0]!;
    const env = fileOf(doc, WEAVE_ENV);
    expect(env.permissions).toBe('0600');
    expect(env.content).toBe(
      `# regionkit weave role (docker --env-file)\nWEAVE_PASSWORD=${secretRef('weave_password')}\n`,
    );
    expect(secretNames(doc)).toEqual(['weave_password']);
    expect(fileOf(doc, UNIT).content).not.toContain('WEAVE_PASSWORD');
  });

  test('ipallocRange is passed to the router', () => {
    expect(routerArgs(renderAll(cluster({ ipallocRange: '172.30.0.0/16' }).workers)[0]!)).toContain('172.30.0.0/16');
  });

  test('opens the control port and the sleeve transport to every group of the cluster', () => {
    const { control } = cluster();
    const rules = ruleLines(control);
    expect(rules).toEqual([
      'tcp/6783 test-control',
      'tcp/6783 test-worker',
      'udp/6783 test-control',
      'udp/6783 test-worker',
    ]);
  });

  test('declares the password secret', () => {
    expect(cluster().weave.secrets.map((s) => s.name)).toEqual(['weave_password']);
  });

  test.each(['10.32.0.0', '10.32.0.1/12', '10.32.0.0/25', 'weave'])('fails if ipallocRange is %j', (ipallocRange) => {
    const f = roleFixture();
    expect(() => new Weave(f.stack, 'Weave', { image: IMAGE, seeds: () => [], ipallocRange })).toThrow(
      `test/Weave: ipallocRange must be an IPv4 network CIDR from /8 to /24 such as 10.244.0.0/16, got ${JSON.stringify(ipallocRange)}`,
    );
  });

  test('fails if ipallocRange overlaps the region network', () => {
    const { workers } = cluster({ ipallocRange: '10.0.0.0/12' });
    expect(() => renderAll(workers)).toThrow(
      'test/Weave: ipallocRange must not overlap the region network 10.0.0.0/16, got 10.0.0.0/12',
    );
  });

  test('fails if there are no seeds', () => {
    const { workers } = cluster({ seeds: () => [] });
    expect(() => renderAll(workers)).toThrow('test/Weave: seeds must return at least one host, got none');
  });

  test('fails if the image is not pinned', () => {
    const f = roleFixture();
    expect(() => new Weave(f.stack, 'Weave', { image: 'weaveworks/weave:latest', seeds: () => [] })).toThrow(
      'test/Weave: image must be an image reference pinned to a tag other than latest or to a digest, got "weaveworks/weave:latest"',
    );
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(cluster().workers)[0]!;
    expect(await checkUnits([{ name: `${WEAVE_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe('');
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(cluster().workers)[0]!)).toBe('');
  });
});
