import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { MARATHON_CONTAINER, Marathon, type MarathonProps } from '../../../constructs/roles/marathon.js';
import { zkUrl } from '../../../constructs/roles/zookeeper.js';
import { checkCloudConfig, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture, ruleLines, clusterFixture, execStartOf } from '../../role-helpers.js';

const IMAGE = 'docker.io/mesosphere/marathon:v1.11.24';
const UNIT = `/etc/systemd/system/${MARATHON_CONTAINER}.service`;

/** Three control hosts with apt, docker and Marathon made from `props`, in a cluster with workers, behind a bastion. */
function control(props: Partial<MarathonProps> = {}) {
  const f = clusterFixture({ bastion: true });
  const group = f.control;
  const marathon = new Marathon(f.stack, 'Marathon', {
    image: IMAGE,
    master: zkUrl(group.hosts, 'mesos'),
    zk: zkUrl(group.hosts, 'marathon'),
    ...props,
  });
  for (const role of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), marathon]) group.addRole(role);
  return { f, group };
}

const execStart = (doc: string) => execStartOf(doc, UNIT);

describe('Marathon', () => {
  test('minimal host: the whole cloud-config', () => {
    expect(renderAll(control().group)[0]).toMatchSnapshot();
  });

  test('the unit runs the pinned image with libprocess and HTTP on the private address', () => {
    expect(fileOf(renderAll(control().group)[0]!, UNIT).content).toMatchInlineSnapshot(`
      "# marathon: Marathon scheduler for Apache Mesos (regionkit host role)
      [Unit]
      Description=Marathon scheduler for Apache Mesos
      After=network-online.target docker.service
      Wants=network-online.target
      Requires=docker.service

      [Service]
      ExecStartPre=-/usr/bin/docker rm --force marathon
      ExecStartPre=-/usr/bin/docker pull docker.io/mesosphere/marathon:v1.11.24
      ExecStart=/usr/bin/docker run --rm --name marathon --network host --env LIBPROCESS_IP=10.0.0.16 --env LIBPROCESS_PORT=15101 --volume /etc/marathon/mesos-secret:/etc/marathon/mesos-secret:ro --env-file=/etc/marathon/http.env docker.io/mesosphere/marathon:v1.11.24 --master zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181/mesos --zk zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181/marathon --hostname 10.0.0.16 --http_address 10.0.0.16 --http_port 8080 --mesos_authentication --mesos_authentication_principal marathon --mesos_authentication_secret_file /etc/marathon/mesos-secret
      ExecStop=/usr/bin/docker stop --time 30 marathon
      Restart=always
      RestartSec=5
      TimeoutStartSec=600
      TimeoutStopSec=40

      [Install]
      WantedBy=multi-user.target
      "
    `);
  });

  test('every Marathon binds and advertises its own private address', () => {
    const { group } = control();
    const docs = renderAll(group);
    group.hosts.forEach((h, i) => {
      const line = execStart(docs[i]!);
      expect(line).toContain(`--env LIBPROCESS_IP=${h.privateIp} `);
      expect(line).toContain(`--hostname ${h.privateIp} --http_address ${h.privateIp} `);
    });
  });

  test('httpPort and libprocessPort change the flag, the variable and the rules', () => {
    const { group } = control({ httpPort: 8090, libprocessPort: 15110 });
    const line = execStart(renderAll(group)[0]!);
    expect(line).toMatch(/ --http_port 8090 /);
    expect(line).toContain('--env LIBPROCESS_PORT=15110 ');
    expect(ruleLines(group)).toEqual([
      'tcp/8090 test-control',
      'tcp/8090 test-worker',
      'tcp/8090 test-bastion',
      'tcp/15110 test-control',
      'tcp/15110 test-worker',
    ]);
  });

  test('opens the API to the cluster and the bastion, libprocess to the cluster only', () => {
    expect(ruleLines(control().group)).toEqual([
      'tcp/8080 test-control',
      'tcp/8080 test-worker',
      'tcp/8080 test-bastion',
      'tcp/15101 test-control',
      'tcp/15101 test-worker',
    ]);
  });

  test('fails if libprocessPort equals httpPort', () => {
    expect(() => control({ libprocessPort: 8080 })).toThrow(
      'test/Marathon: libprocessPort must differ from httpPort, got 8080',
    );
  });

  test('fails if zk is the masters URL', () => {
    const f = roleFixture();
    const g = f.group('control', 3);
    const url = zkUrl(g.hosts, 'mesos');
    expect(() => new Marathon(f.stack, 'Marathon', { image: IMAGE, master: url, zk: url })).toThrow(
      `test/Marathon: zk must differ from master, got ${url}`,
    );
  });

  test.each([
    [{ master: 'zk://10.0.0.16:2181' }, 'master must be a zk://'],
    [{ zk: '10.0.0.16:2181/marathon' }, 'zk must be a zk://'],
    [{ image: 'mesosphere/marathon:latest' }, 'image must be an image reference pinned'],
    [{ httpPort: 80 }, 'httpPort must be an integer between 1024 and 65535, got 80'],
  ])('fails if %o', (props, message) => {
    expect(() => control(props)).toThrow(`test/Marathon: ${message}`);
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(control().group)[0]!;
    expect(await checkUnits([{ name: `${MARATHON_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe('');
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(control().group)[0]!)).toBe('');
  });
});
