import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import {
  MESOS_MASTER_CONTAINER,
  MESOS_MASTER_ZK_FILE,
  MESOS_ZK_ACL_SCRIPT,
  MESOS_ZK_ACL_UNIT,
  MesosMaster,
  type MesosMasterProps,
} from '../../../constructs/roles/mesos-master.js';
import { quorumOf, zkUrl } from '../../../constructs/roles/zookeeper.js';
import { SECRETS_CONFIG } from '../../../lib/cloudinit/secret-delivery.js';
import { secretNames } from '../../../lib/cloudinit/secret.js';
import { checkCloudConfig, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, ruleLines, clusterFixture, execStartOf } from '../../role-helpers.js';

const IMAGE = 'docker.io/mesosphere/mesos-master:1.7.1';
const UNIT = `/etc/systemd/system/${MESOS_MASTER_CONTAINER}.service`;

/** Three control hosts with apt, docker and a master made from `props`, in a cluster with workers, behind a bastion. */
function control(props: Partial<MesosMasterProps> = {}, count = 3) {
  const f = clusterFixture({ controlCount: count, bastion: true });
  const group = f.control;
  const master = new MesosMaster(f.stack, 'MesosMaster', {
    image: IMAGE,
    zk: zkUrl(group.hosts, 'mesos'),
    quorum: quorumOf(count),
    clusterName: 'test',
    ...props,
  });
  for (const role of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), master]) group.addRole(role);
  return { f, group, master };
}

/** runcmd entries as space-joined argv. */
const runcmd = (doc: string) => (parse(doc) as { runcmd: string[][] }).runcmd.map((argv) => argv.join(' '));
const execStart = (doc: string) => execStartOf(doc, UNIT);

describe('MesosMaster', () => {
  test('minimal host: the whole cloud-config', () => {
    expect(renderAll(control().group)[0]).toMatchSnapshot();
  });

  test('the unit runs the pinned image on the host network with flags for this host', () => {
    expect(fileOf(renderAll(control().group)[0]!, UNIT).content).toMatchInlineSnapshot(`
      "# mesos_master: Apache Mesos master (regionkit host role)
      [Unit]
      Description=Apache Mesos master
      After=network-online.target docker.service
      Wants=network-online.target
      Requires=docker.service

      [Service]
      ExecStartPre=-/usr/bin/docker rm --force mesos_master
      ExecStartPre=-/usr/bin/docker pull docker.io/mesosphere/mesos-master:1.7.1
      ExecStart=/usr/bin/docker run --rm --name mesos_master --network host --volume /var/lib/mesos/master:/var/lib/mesos/master --volume /var/log/mesos:/var/log/mesos --volume /etc/mesos/credentials:/etc/mesos/credentials:ro --volume /etc/mesos/zk:/etc/mesos/zk:ro docker.io/mesosphere/mesos-master:1.7.1 --zk=file:///etc/mesos/zk --quorum=2 --cluster=test --registry=replicated_log --work_dir=/var/lib/mesos/master --log_dir=/var/log/mesos --hostname=10.0.0.16 --ip=10.0.0.16 --port=5050 --authenticate_frameworks=true --authenticate_agents=true --authenticate_http_frameworks=true --http_framework_authenticators=basic --authenticate_http_readwrite=true --credentials=/etc/mesos/credentials
      ExecStop=/usr/bin/docker stop --time 30 mesos_master
      Restart=always
      RestartSec=5
      TimeoutStartSec=600
      TimeoutStopSec=40

      [Install]
      WantedBy=multi-user.target
      "
    `);
  });

  test('the ZooKeeper URL with user mesos and its password comes from a secret file, never the command line', () => {
    const { group } = control();
    const doc = renderAll(group)[0]!;
    const line = execStart(doc);
    // stout reads a `file://` value of --zk and shows only the path (1.7.1 stout/flags/parse.hpp, flag.hpp)
    expect(line).toContain(` --zk=file://${MESOS_MASTER_ZK_FILE} `);
    expect(line).toContain(` --volume ${MESOS_MASTER_ZK_FILE}:${MESOS_MASTER_ZK_FILE}:ro `);
    expect(line).not.toContain('zk://');
    expect(secretNames(line)).toEqual([]);
    const file = fileOf(doc, MESOS_MASTER_ZK_FILE);
    expect(file.content).toBe(
      `zk://mesos:__REGIONKIT_SECRET_zk_mesos_password__@${zkUrl(group.hosts, 'mesos').slice('zk://'.length)}`,
    );
    expect(file.permissions).toBe('0600');
    const fetched = Object.keys((JSON.parse(fileOf(doc, SECRETS_CONFIG).content) as { secrets: object }).secrets);
    expect(fetched).toContain('zk_mesos_password');
  });

  test("a oneshot gives /mesos the masters' ACL after the secret fetch where zkCli is installed (real run: zookeeper test)", () => {
    const doc = renderAll(control().group)[0]!;
    const unit = fileOf(doc, `/etc/systemd/system/${MESOS_ZK_ACL_UNIT}`).content;
    expect(unit).toContain(`ExecStart=${MESOS_ZK_ACL_SCRIPT}\n`);
    expect(unit).toContain('ConditionPathExists=/usr/share/zookeeper/bin/zkCli.sh\n');
    expect(fileOf(doc, `/etc/systemd/system/${MESOS_ZK_ACL_UNIT}.d/10-regionkit-secrets.conf`).content).toContain(
      'Requires=regionkit-secrets.service',
    );
    const script = fileOf(doc, MESOS_ZK_ACL_SCRIPT);
    expect(script.permissions).toBe('0755');
    expect(script.content).toContain(`url=$(cat ${MESOS_MASTER_ZK_FILE})`);
    expect(secretNames(script.content)).toEqual([]);
  });

  test('creates the work and log directories with explicit modes before starting the unit', () => {
    const cmds = runcmd(renderAll(control().group)[0]!);
    // started without waiting: it requires the secret fetch (lib/cloudinit/secret-delivery.ts)
    const start = cmds.indexOf(`systemctl enable --now --no-block ${MESOS_MASTER_CONTAINER}.service`);
    const dirs = [
      'install -d -m 0755 -o root -g root /var/lib/mesos',
      'install -d -m 0750 -o root -g root /var/lib/mesos/master',
      'install -d -m 0750 -o root -g adm /var/log/mesos',
    ].map((c) => cmds.indexOf(c));
    expect(dirs.every((i) => i >= 0 && i < start)).toBe(true);
  });

  test('every master binds and advertises its own private address', () => {
    const { group } = control();
    const docs = renderAll(group);
    group.hosts.forEach((h, i) => {
      expect(execStart(docs[i]!)).toContain(`--hostname=${h.privateIp} --ip=${h.privateIp}`);
    });
  });

  test('port changes the flag and the rules', () => {
    const { group } = control({ port: 5060 });
    expect(execStart(renderAll(group)[0]!)).toMatch(/ --port=5060 /);
    expect(group.securityGroup.ingressRules.map((r) => r.port.toString())).toContain('tcp/5060');
    expect(group.securityGroup.ingressRules.map((r) => r.port.toString())).not.toContain('tcp/5050');
  });

  test('a larger quorum than the majority is accepted (all 3 of 3)', () => {
    expect(execStart(renderAll(control({ quorum: 3 }).group)[0]!)).toContain('--quorum=3');
  });

  test('opens 5050 to every group of the cluster and to the bastion', () => {
    const rules = ruleLines(control().group);
    expect(rules).toEqual(['tcp/5050 test-control', 'tcp/5050 test-worker', 'tcp/5050 test-bastion']);
  });

  test('fails if quorum is not a majority of the masters', () => {
    const { group } = control({ quorum: 1 });
    expect(() => renderAll(group)).toThrow(
      'test/MesosMaster: quorum must be a majority of the 3 masters of group control, got 1',
    );
  });

  test('fails if quorum exceeds the masters', () => {
    const { group } = control({ quorum: 4 });
    expect(() => renderAll(group)).toThrow('quorum must be a majority of the 3 masters of group control, got 4');
  });

  test.each([0, 6])('fails if quorum is %i', (quorum) => {
    expect(() => control({ quorum })).toThrow(
      `test/MesosMaster: quorum must be an integer between 1 and 5, got ${quorum}`,
    );
  });

  test.each(['mesosphere/mesos-master', 'mesosphere/mesos-master:latest', 'mesos master:1.7.1'])(
    'fails if image is %s (not pinned)',
    (image) => {
      expect(() => control({ image })).toThrow('test/MesosMaster: image must be an image reference pinned to a tag');
    },
  );

  test.each(['10.0.0.16:2181/mesos', 'zk://10.0.0.16:2181', 'zk://10.0.0.16/mesos'])('fails if zk is %s', (zk) => {
    expect(() => control({ zk })).toThrow('test/MesosMaster: zk must be a zk://host:port[,host:port...]/path URL');
  });

  test('fails if clusterName has spaces', () => {
    expect(() => control({ clusterName: 'my cluster' })).toThrow('test/MesosMaster: clusterName must be letters');
  });

  test('fails if port is privileged', () => {
    expect(() => control({ port: 80 })).toThrow(
      'test/MesosMaster: port must be an integer between 1024 and 65535, got 80',
    );
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(control().group)[0]!;
    expect(await checkUnits([{ name: `${MESOS_MASTER_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe(
      '',
    );
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(control().group)[0]!)).toBe('');
  });
});
