import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import {
  quorumOf,
  ZOO_CFG,
  ZOO_MYID,
  ZooKeeper,
  zkUrl,
  zkUrlWithCredentials,
} from '../../../constructs/roles/zookeeper.js';
import { testWith } from '../../checkers/tools.js';
import { runEnsemble, ZOOKEEPER_JAR } from '../../checkers/zookeeper.js';
import { fileOf, renderAll, roleFixture, ruleLines } from '../../role-helpers.js';

function ensemble(count = 3) {
  const f = roleFixture();
  const control = f.group('control', count);
  const zk = new ZooKeeper(f.stack, 'ZooKeeper', { ensemble: control.hosts });
  control.addRole(new Apt(f.stack, 'Apt'));
  control.addRole(zk);
  return { f, control, zk };
}

describe('ZooKeeper', () => {
  test('renders zoo.cfg with the whole ensemble and a per-host myid', () => {
    const { control } = ensemble();
    const docs = renderAll(control);
    expect(fileOf(docs[0]!, ZOO_CFG).content).toMatchInlineSnapshot(`
      "# regionkit zookeeper role
      tickTime=2000
      initLimit=10
      syncLimit=5
      dataDir=/srv/data1/zookeeper
      clientPort=2181
      clientPortAddress=10.0.0.16
      maxClientCnxns=200
      autopurge.snapRetainCount=5
      autopurge.purgeInterval=24
      4lw.commands.whitelist=srvr,ruok,mntr
      admin.enableServer=false
      server.1=10.0.0.16:2888:3888
      server.2=10.0.16.16:2888:3888
      server.3=10.0.32.16:2888:3888
      "
    `);
    expect(docs.map((d) => fileOf(d, ZOO_MYID).content)).toEqual(['1\n', '2\n', '3\n']);
    expect(fileOf(docs[2]!, ZOO_CFG)).toMatchObject({ defer: true });
  });

  test('opens the client port to the cluster and the quorum ports to the ensemble only', () => {
    const { f, control } = ensemble();
    const workers = f.group('worker', 2);
    control.joinCluster('c', [control, workers]);
    workers.joinCluster('c', [control, workers]);
    const rules = ruleLines(control);
    expect(rules).toEqual([
      'tcp/2888 test-control',
      'tcp/3888 test-control',
      'tcp/2181 test-control',
      'tcp/2181 test-worker',
    ]);
  });

  test('client URLs and quorum sizes are computed from the ensemble', () => {
    const { control } = ensemble(5);
    expect(zkUrl(control.hosts, 'mesos')).toBe(
      'zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181,10.0.0.17:2181,10.0.16.17:2181/mesos',
    );
    expect([1, 3, 5, 7].map(quorumOf)).toEqual([1, 2, 3, 4]);
  });

  test.each([2, 4, 1])('fails if the ensemble has %i members', (n) => {
    const f = roleFixture();
    const g = f.group('control', n);
    expect(() => new ZooKeeper(f.stack, 'ZooKeeper', { ensemble: g.hosts })).toThrow(
      `test/ZooKeeper: ensemble must have an odd number of members between 3 and 9, got ${n}`,
    );
  });

  test('fails if configured on a host outside the ensemble', () => {
    const { f, zk } = ensemble();
    const other = f.group('other', 1);
    other.addRole(new Apt(f.stack, 'Apt2'));
    other.addRole(zk);
    expect(() => renderAll(other)).toThrow('test/ZooKeeper: test-other-1 is not a member of the ensemble');
  });
});

describe('zkUrlWithCredentials', () => {
  test('puts user:password@ before the hosts (Mesos 1.7.1 url.hpp, Marathon v1.8.244 ZkUrlPattern)', () => {
    expect(zkUrlWithCredentials('zk://10.0.0.16:2181,10.0.16.16:2181/mesos', 'mesos', 'p4ss')).toBe(
      'zk://mesos:p4ss@10.0.0.16:2181,10.0.16.16:2181/mesos',
    );
  });

  test('fails on a URL that is not zk://host:port/path', () => {
    expect(() => zkUrlWithCredentials('zk://10.0.0.16:2181', 'mesos', 'p')).toThrow(
      'zkUrlWithCredentials: url must be a zk://host:port[,host:port...]/path URL, got zk://10.0.0.16:2181',
    );
  });

  test.each([
    ['user', 'me:sos', 'p', 'user must be letters, digits or "_", got "me:sos"'],
    ['password', 'mesos', 'p@ss', 'password must be letters, digits or "_"'],
  ])('fails on a %s with a separator, without showing a password', (_, user, password, message) => {
    expect(() => zkUrlWithCredentials('zk://h:2181/mesos', user, password)).toThrow(message);
    expect(() => zkUrlWithCredentials('zk://h:2181/mesos', user, password)).not.toThrow('p@ss');
  });
});

describe('a real ZooKeeper ensemble from the rendered zoo.cfg and myid files', () => {
  testWith(
    ZOOKEEPER_JAR,
    'three members on loopback reach quorum: one leader, two followers',
    async () => {
      const docs = renderAll(ensemble().control);
      const modes = await runEnsemble(
        docs.map((d) => ({ zooCfg: fileOf(d, ZOO_CFG).content, myid: fileOf(d, ZOO_MYID).content })),
      );
      expect(modes.sort()).toEqual(['follower', 'follower', 'leader']);
    },
    120_000,
  );
});
