import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { CHRONOS_CONTAINER, Chronos, type ChronosProps } from '../../../constructs/roles/chronos.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { zkUrl } from '../../../constructs/roles/zookeeper.js';
import { secretNames } from '../../../lib/cloudinit/secret.js';
import { checkCloudConfig, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, ruleLines, clusterFixture, execStartOf } from '../../role-helpers.js';

const IMAGE = 'docker.io/mesosphere/chronos:v3.0.2';
const UNIT = `/etc/systemd/system/${CHRONOS_CONTAINER}.service`;

/** Three control hosts with apt, docker and Chronos made from `props`, in a cluster with workers, behind a bastion. */
function control(props: Partial<ChronosProps> = {}) {
  const f = clusterFixture({ bastion: true });
  const group = f.control;
  const chronos = new Chronos(f.stack, 'Chronos', {
    image: IMAGE,
    master: zkUrl(group.hosts, 'mesos'),
    zkHosts: group.hosts.map((h) => `${h.privateIp}:2181`).join(','),
    ...props,
  });
  for (const role of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), chronos]) group.addRole(role);
  return { f, group };
}

const execStart = (doc: string) => execStartOf(doc, UNIT);

describe('Chronos', () => {
  test('minimal host: the whole cloud-config', () => {
    expect(renderAll(control().group)[0]).toMatchSnapshot();
  });

  test('the unit passes the ports as PORT0/PORT1 and the flags after the image', () => {
    expect(fileOf(renderAll(control().group)[0]!, UNIT).content).toMatchInlineSnapshot(`
      "# chronos: Chronos job scheduler for Apache Mesos (regionkit host role)
      [Unit]
      Description=Chronos job scheduler for Apache Mesos
      After=network-online.target docker.service
      Wants=network-online.target
      Requires=docker.service

      [Service]
      ExecStartPre=-/usr/bin/docker rm --force chronos
      ExecStartPre=-/usr/bin/docker pull docker.io/mesosphere/chronos:v3.0.2
      ExecStart=/usr/bin/docker run --rm --name chronos --network host --env PORT0=4400 --env PORT1=15201 --env LIBPROCESS_IP=10.0.0.16 --volume /etc/chronos/mesos-secret:/etc/chronos/mesos-secret:ro --env-file=/etc/chronos/http.env docker.io/mesosphere/chronos:v3.0.2 --master zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181/mesos --zk_hosts 10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181 --hostname 10.0.0.16 --http_address 10.0.0.16 --mesos_authentication_principal chronos --mesos_authentication_secret_file /etc/chronos/mesos-secret
      ExecStop=/usr/bin/docker stop --time 30 chronos
      Restart=always
      RestartSec=5
      TimeoutStartSec=600
      TimeoutStopSec=40

      [Install]
      WantedBy=multi-user.target
      "
    `);
  });

  test('never passes --http_port: the image start script appends it from PORT0', () => {
    const line = execStart(renderAll(control({ httpPort: 4500 }).group)[0]!);
    expect(line).not.toContain('--http_port');
    expect(line).toContain('--env PORT0=4500 ');
  });

  test('every instance advertises its own private address', () => {
    const { group } = control();
    const docs = renderAll(group);
    group.hosts.forEach((h, i) => {
      const line = execStart(docs[i]!);
      expect(line).toContain(`--env LIBPROCESS_IP=${h.privateIp} `);
      const ip = h.privateIp.replaceAll('.', '\\.');
      // --http_address: the API binds the private address only (Chaos 0.8.7 HttpConf)
      expect(line).toMatch(new RegExp(` --hostname ${ip} --http_address ${ip} `));
    });
  });

  test('zkHosts go to --zk_hosts as given, without zk://', () => {
    const line = execStart(renderAll(control().group)[0]!);
    expect(line).toContain(' --zk_hosts 10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181 ');
  });

  test('opens the API to the cluster and the bastion, libprocess to the cluster only', () => {
    expect(ruleLines(control({ libprocessPort: 15210 }).group)).toEqual([
      'tcp/4400 test-control',
      'tcp/4400 test-worker',
      'tcp/4400 test-bastion',
      'tcp/15210 test-control',
      'tcp/15210 test-worker',
    ]);
  });

  test.each([
    [{ zkHosts: 'zk://10.0.0.16:2181/chronos' }, 'zkHosts must be a host:port[,host:port...] list without zk://'],
    [{ zkHosts: '10.0.0.16' }, 'zkHosts must be a host:port[,host:port...] list without zk://'],
    [{ master: '10.0.0.16:2181' }, 'master must be a zk://'],
    [{ libprocessPort: 4400 }, 'libprocessPort must differ from httpPort, got 4400'],
    [{ image: 'mesosphere/chronos' }, 'image must be an image reference pinned'],
  ])('fails if %o', (props, message) => {
    expect(() => control(props)).toThrow(`test/Chronos: ${message}`);
  });

  test('no ZooKeeper credential: v3.0.2 takes one only as --zk_auth on the command line (zookeeper role page)', () => {
    const doc = renderAll(control().group)[0]!;
    expect(execStart(doc)).not.toContain('--zk_auth');
    expect(secretNames(doc).filter((n) => n.startsWith('zk_'))).toEqual([]);
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(control().group)[0]!;
    expect(await checkUnits([{ name: `${CHRONOS_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe('');
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(control().group)[0]!)).toBe('');
  });
});
