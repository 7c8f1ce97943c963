import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import {
  MARATHON_ARGS_LOGGER,
  MARATHON_CONTAINER,
  MARATHON_LOGBACK_FILE,
  MARATHON_ZK_ENV_FILE,
  Marathon,
  type MarathonProps,
} from '../../../constructs/roles/marathon.js';
import { zkUrl } from '../../../constructs/roles/zookeeper.js';
import { SECRETS_CONFIG } from '../../../lib/cloudinit/secret-delivery.js';
import { secretNames } from '../../../lib/cloudinit/secret.js';
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
      ExecStart=/usr/bin/docker run --rm --name marathon --network host --env LIBPROCESS_IP=10.0.0.16 --env LIBPROCESS_PORT=15101 --volume /etc/marathon/mesos-secret:/etc/marathon/mesos-secret:ro --env-file=/etc/marathon/http.env --env-file=/etc/marathon/zk.env --volume /etc/marathon/logback.xml:/etc/marathon/logback.xml:ro docker.io/mesosphere/marathon:v1.11.24 -Dlogback.configurationFile=/etc/marathon/logback.xml --master zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181/mesos --hostname 10.0.0.16 --http_address 10.0.0.16 --http_port 8080 --mesos_authentication --mesos_authentication_principal marathon --mesos_authentication_secret_file /etc/marathon/mesos-secret
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

  test('--zk with user marathon and its password comes as MARATHON_ZK from a secret env file, not the command line', () => {
    const { group } = control();
    const doc = renderAll(group)[0]!;
    const line = execStart(doc);
    expect(line).toContain(` --env-file=${MARATHON_ZK_ENV_FILE} `);
    // Marathon turns MARATHON_ZK into --zk (v1.8.244 Main.scala envToArgs): given twice would be an error
    expect(line).not.toMatch(/ --zk[ =]/);
    expect(line).not.toMatch(/zk:\/\/\S*\/marathon/);
    expect(secretNames(line)).toEqual([]);
    // the masters' URL stays without credentials: /mesos is world-readable (EVERYONE_READ_CREATOR_ALL)
    expect(line).toContain(` --master ${zkUrl(group.hosts, 'mesos')} `);
    const env = fileOf(doc, MARATHON_ZK_ENV_FILE);
    expect(env.content).toBe(
      `MARATHON_ZK=zk://marathon:__REGIONKIT_SECRET_zk_marathon_password__@${zkUrl(group.hosts, 'marathon').slice('zk://'.length)}\n`,
    );
    expect(env.permissions).toBe('0600');
    const fetched = Object.keys((JSON.parse(fileOf(doc, SECRETS_CONFIG).content) as { secrets: object }).secrets);
    expect(fetched).toContain('zk_marathon_password');
  });

  test('MarathonApp, which logs every argument (MARATHON_ZK too) at INFO, logs only from WARN', () => {
    const doc = renderAll(control().group)[0]!;
    const line = execStart(doc);
    // after the image: an argument of the start script, which hands -D… to Java
    expect(line).toMatch(
      new RegExp(`marathon:v[\\d.]+ -Dlogback\\.configurationFile=${MARATHON_LOGBACK_FILE} --master `),
    );
    expect(line).toContain(` --volume ${MARATHON_LOGBACK_FILE}:${MARATHON_LOGBACK_FILE}:ro `);
    const xml = fileOf(doc, MARATHON_LOGBACK_FILE).content;
    expect(xml).toContain(`<logger name="${MARATHON_ARGS_LOGGER}" level="WARN"/>`);
    expect(xml).toContain('<root level="INFO">');
    expect(MARATHON_ARGS_LOGGER).toBe('mesosphere.marathon.MarathonApp');
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
