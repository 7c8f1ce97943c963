import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import {
  CGROUP_V1_SCRIPT,
  MESOS_AGENT_CONTAINER,
  MesosAgent,
  type MesosAgentProps,
} from '../../../constructs/roles/mesos-agent.js';
import { zkUrl } from '../../../constructs/roles/zookeeper.js';
import { checkCloudConfig, checkShell, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, ruleLines, clusterFixture, execStartOf } from '../../role-helpers.js';

const IMAGE = 'docker.io/mesosphere/mesos-slave:1.7.1';
const UNIT = `/etc/systemd/system/${MESOS_AGENT_CONTAINER}.service`;

/** Three workers (one per zone) with apt, docker and an agent made from `props`, in a cluster with 3 control hosts. */
function workers(props: Partial<MesosAgentProps> = {}) {
  const f = clusterFixture({ other: 'worker', otherCount: 3 });
  const { control, other: group } = f;
  const agent = new MesosAgent(f.stack, 'MesosAgent', {
    image: IMAGE,
    master: zkUrl(control.hosts, 'mesos'),
    ...props,
  });
  for (const role of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), agent]) group.addRole(role);
  return { f, group, control };
}

const runcmd = (doc: string) => (parse(doc) as { runcmd: string[][] }).runcmd.map((argv) => argv.join(' '));
const execStart = (doc: string) => execStartOf(doc, UNIT);
const args = (doc: string) => execStart(doc).split(' ');

describe('MesosAgent', () => {
  test('minimal host: the whole cloud-config', () => {
    expect(renderAll(workers().group)[0]).toMatchSnapshot();
  });

  test('the unit runs the pinned image privileged, in the host PID namespace', () => {
    expect(fileOf(renderAll(workers().group)[0]!, UNIT).content).toMatchInlineSnapshot(`
      "# mesos_agent: Apache Mesos agent (regionkit host role)
      [Unit]
      Description=Apache Mesos agent
      After=network-online.target docker.service
      Wants=network-online.target
      Requires=docker.service

      [Service]
      ExecStartPre=-/usr/bin/docker rm --force mesos_agent
      ExecStartPre=-/usr/bin/docker pull docker.io/mesosphere/mesos-slave:1.7.1
      ExecStart=/usr/bin/docker run --rm --name mesos_agent --network host --privileged --pid host --volume /var/run/docker.sock:/var/run/docker.sock --volume /sys:/sys --volume /var/lib/mesos/agent:/var/lib/mesos/agent --volume /var/log/mesos:/var/log/mesos --volume /etc/mesos/agent-credential:/etc/mesos/agent-credential:ro docker.io/mesosphere/mesos-slave:1.7.1 --master=zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181/mesos --credential=/etc/mesos/agent-credential --work_dir=/var/lib/mesos/agent --log_dir=/var/log/mesos --hostname=10.0.0.48 --ip=10.0.0.48 --port=5051 --containerizers=docker,mesos --launcher=posix --isolation=posix/cpu,posix/mem --no-systemd_enable_support --docker_mesos_image=docker.io/mesosphere/mesos-slave:1.7.1 --executor_registration_timeout=5mins --resources=ports:[31000-32000] --attributes=zone:1
      ExecStop=/usr/bin/docker stop --time 30 mesos_agent
      Restart=always
      RestartSec=5
      TimeoutStartSec=600
      TimeoutStopSec=40

      [Install]
      WantedBy=multi-user.target
      "
    `);
  });

  test('every agent advertises its private address and its 1-based zone', () => {
    const { group } = workers();
    const docs = renderAll(group);
    group.hosts.forEach((h, i) => {
      expect(args(docs[i]!)).toEqual(
        expect.arrayContaining([
          `--hostname=${h.privateIp}`,
          `--ip=${h.privateIp}`,
          `--attributes=zone:${h.zoneIndex + 1}`,
        ]),
      );
    });
    expect(group.hosts.map((h) => h.zoneIndex)).toEqual([0, 1, 2]);
  });

  test('attributes follow the zone', () => {
    const doc = renderAll(workers({ attributes: { rack: 'r1', disk: 'ssd' } }).group)[1]!;
    expect(args(doc)).toContain('--attributes=zone:2;rack:r1;disk:ssd');
  });

  test('the agent starts its executors from its own image and keeps cgroup v1 features off', () => {
    const a = args(renderAll(workers().group)[0]!);
    expect(a).toEqual(
      expect.arrayContaining([
        `--docker_mesos_image=${IMAGE}`,
        '--containerizers=docker,mesos',
        '--launcher=posix',
        '--no-systemd_enable_support',
      ]),
    );
    expect(a.filter((x) => x.includes('cgroups'))).toEqual([]);
  });

  test('taskPortRange becomes the ports resource and the task-port rule', () => {
    const { group } = workers({ taskPortRange: [20000, 20999] });
    expect(args(renderAll(group)[0]!)).toContain('--resources=ports:[20000-20999]');
    expect(group.securityGroup.ingressRules.map((r) => r.port.toString())).toContain('tcp/20000-20999');
  });

  test('creates the work directory traversable (0755) and the log directory before starting the unit', () => {
    const cmds = runcmd(renderAll(workers().group)[0]!);
    // started by the cgroup v1 script (now, or after the first-boot reboot), never by `enable --now`
    const start = cmds.indexOf(`${CGROUP_V1_SCRIPT} start ${MESOS_AGENT_CONTAINER}.service`);
    expect(cmds).not.toContain(`systemctl enable --now ${MESOS_AGENT_CONTAINER}.service`);
    const work = cmds.indexOf('install -d -m 0755 -o root -g root /var/lib/mesos/agent');
    const logs = cmds.indexOf('install -d -m 0750 -o root -g adm /var/log/mesos');
    expect(work).toBeGreaterThanOrEqual(0);
    expect(logs).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThan(Math.max(work, logs));
  });

  test('opens the agent port and the task ports to every group of the cluster, nothing else', () => {
    const rules = ruleLines(workers().group);
    expect(rules).toEqual([
      'tcp/5051 test-control',
      'tcp/5051 test-worker',
      'tcp/31000-32000 test-control',
      'tcp/31000-32000 test-worker',
    ]);
  });

  test('fails on a host OS whose systemd cannot mount cgroup v1', () => {
    const f = clusterFixture({ other: 'worker', otherCount: 1 });
    const trixie = f.group('trixie', 1, 'debian-13');
    trixie.joinCluster('c', [f.control, trixie]);
    const agent = new MesosAgent(f.stack, 'MesosAgent', { image: IMAGE, master: zkUrl(f.control.hosts, 'mesos') });
    for (const role of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), agent]) trixie.addRole(role);
    expect(() => renderAll(trixie)).toThrow(
      /the host OS must be debian-12 for a Mesos agent \(cgroup v1\), got debian-13/,
    );
  });

  testWith('shellcheck', 'the cgroup v1 script passes shellcheck', async () => {
    expect(
      await checkShell('regionkit-cgroup-v1', fileOf(renderAll(workers().group)[0]!, CGROUP_V1_SCRIPT).content),
    ).toBe('');
  });

  test('fails if attributes set zone', () => {
    expect(() => workers({ attributes: { zone: 'a' } })).toThrow(
      'test/MesosAgent: attributes must not set zone, got zone: "a"',
    );
  });

  test.each<Record<string, string>>([{ 'ra ck': 'r1' }, { rack: 'r1;disk:ssd' }, { rack: 'r:1' }])(
    'fails if attributes are %o',
    (attributes) => {
      expect(() => workers({ attributes })).toThrow(/^test\/MesosAgent: attributes.* must be letters, digits/);
    },
  );

  test('fails if taskPortRange is reversed', () => {
    expect(() => workers({ taskPortRange: [32000, 31000] })).toThrow(
      'test/MesosAgent: taskPortRange must be a range of ports within 1024-65535, first <= last, got 32000-31000',
    );
  });

  test('fails if taskPortRange contains the agent port', () => {
    expect(() => workers({ taskPortRange: [5000, 6000] })).toThrow(
      'test/MesosAgent: taskPortRange must not contain port 5051, got 5000-6000',
    );
  });

  test('fails if master is not a zk:// URL', () => {
    expect(() => workers({ master: 'http://10.0.0.16:5050' })).toThrow('test/MesosAgent: master must be a zk://');
  });

  test('fails if the image is not pinned', () => {
    expect(() => workers({ image: 'mesosphere/mesos-slave' })).toThrow(
      'test/MesosAgent: image must be an image reference pinned',
    );
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit, attributes included', async () => {
    const doc = renderAll(workers({ attributes: { rack: 'r1', disk: 'ssd' } }).group)[0]!;
    expect(await checkUnits([{ name: `${MESOS_AGENT_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe(
      '',
    );
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(workers().group)[0]!)).toBe('');
  });
});
