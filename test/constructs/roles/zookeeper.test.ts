import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { MARATHON_ZK_ENV_FILE, Marathon } from '../../../constructs/roles/marathon.js';
import { MESOS_MASTER_ZK_FILE, MESOS_ZK_ACL_SCRIPT, MesosMaster } from '../../../constructs/roles/mesos-master.js';
import {
  quorumOf,
  ZOO_CFG,
  ZOO_MYID,
  ZooKeeper,
  zkUrl,
  zkUrlWithCredentials,
} from '../../../constructs/roles/zookeeper.js';
import { testWith } from '../../checkers/tools.js';
import { runEnsemble, startMuteServer, startStandalone, ZK_CLI, ZOOKEEPER_JAR } from '../../checkers/zookeeper.js';
import { clusterFixture, fileOf, renderAll, roleFixture, ruleLines } from '../../role-helpers.js';

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

/** The digest user in a rendered `zk://user:<secret reference>@…` URL, and the secret's name. */
function credentialOf(text: string): { user: string; secret: string } {
  const m = /zk:\/\/([A-Za-z0-9_]+):__REGIONKIT_SECRET_([a-z0-9_]+)__@/.exec(text);
  if (!m) throw new Error(`no zk://user:<secret>@ URL in ${text}`);
  return { user: m[1]!, secret: m[2]! };
}

/** The users the masters' and Marathon's rendered files authenticate as. */
function renderedUsers() {
  const f = clusterFixture({ bastion: true });
  const g = f.control;
  const roles = [
    new Apt(f.stack, 'Apt'),
    new Docker(f.stack, 'Docker'),
    new MesosMaster(f.stack, 'MesosMaster', {
      image: 'docker.io/mesosphere/mesos-master:1.7.1',
      zk: zkUrl(g.hosts, 'mesos'),
      quorum: 2,
      clusterName: 'test',
    }),
    new Marathon(f.stack, 'Marathon', {
      image: 'docker.io/mesosphere/marathon:v1.8.244',
      master: zkUrl(g.hosts, 'mesos'),
      zk: zkUrl(g.hosts, 'marathon'),
    }),
  ];
  for (const r of roles) g.addRole(r);
  const doc = renderAll(g)[0]!;
  return {
    aclScript: fileOf(doc, MESOS_ZK_ACL_SCRIPT).content,
    mesos: credentialOf(fileOf(doc, MESOS_MASTER_ZK_FILE).content),
    marathon: credentialOf(fileOf(doc, MARATHON_ZK_ENV_FILE).content),
  };
}

/**
 * The masters' rendered ACL script, runnable here: it reads a file holding what the secret fetch renders from
 * the template (the password `pw1`, one server on loopback at `port`) instead of MESOS_MASTER_ZK_FILE.
 */
function localAclScript(aclScript: string, port: number): string {
  expect(aclScript).toContain(MESOS_MASTER_ZK_FILE);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regionkit-zk-acl-'));
  const urlFile = path.join(dir, 'zk');
  writeFileSync(urlFile, `zk://mesos:pw1@127.0.0.1:${port}/mesos`);
  const script = path.join(dir, 'script');
  writeFileSync(script, aclScript.replaceAll(MESOS_MASTER_ZK_FILE, urlFile), { mode: 0o755 });
  return script;
}

/**
 * The ACLs the daemons set, on the ZooKeeper the control hosts run (Debian's package; here the checkers'
 * copy): `EVERYONE_READ_CREATOR_ALL` is `{READ, world:anyone}` + `{ALL, auth ids}` (apache/mesos 1.7.1
 * src/zookeeper/authentication.cpp), Marathon's `CREATOR_ALL_ACL` is `{ALL, auth ids}` (ZooDefs.Ids).
 */
describe('digest ACLs on a real ZooKeeper server', () => {
  testWith(
    ZK_CLI,
    "readers without credentials still read /mesos and get NODEEXISTS for Mesos's create; nothing else",
    async () => {
      const { aclScript: _, ...users } = renderedUsers();
      expect(users).toEqual({
        mesos: { user: 'mesos', secret: 'zk_mesos_password' },
        marathon: { user: 'marathon', secret: 'zk_marathon_password' },
      });
      const zk = await startStandalone();
      try {
        expect(
          await zk.cli([
            `addauth digest ${users.mesos.user}:pw1`,
            'create /mesos "" world:anyone:r,auth::cdrwa',
            'create /mesos/log_replicas "" world:anyone:r,auth::cdrwa',
          ]),
        ).toBe('Created /mesos\nCreated /mesos/log_replicas');
        expect(await zk.cli([`addauth digest ${users.marathon.user}:pw2`, 'create /marathon "" auth::cdrwa'])).toBe(
          'Created /marathon',
        );
        // an agent's detector (group.cpp creates the path first), Mesos-DNS (reads only), anyone else
        expect(
          await zk.cli([
            'ls /mesos',
            'create /mesos',
            'set /mesos x',
            'create /mesos/x',
            'delete /mesos/log_replicas',
            'ls /marathon',
          ]),
        ).toBe(
          [
            '[log_replicas]',
            'Node already exists: /mesos',
            'Insufficient permission : /mesos',
            'Insufficient permission : /mesos/x',
            'Insufficient permission : /mesos/log_replicas',
            'Insufficient permission : /marathon',
          ].join('\n'),
        );
      } finally {
        zk.stop();
      }
    },
    120_000,
  );

  testWith(
    ZK_CLI,
    "the zookeeper page's setAcl sessions close a tree made before the ACLs",
    async () => {
      const page = readFileSync(new URL('../../../constructs/roles/docs/zookeeper.md', import.meta.url), 'utf8');
      const block = /### A region that already has znodes[\s\S]*?```\n([\s\S]*?)```/.exec(page)?.[1];
      expect(block).toBeDefined();
      const sessions = block!
        .trim()
        .split(/\n\s*\n/)
        .map((s) => s.split('\n').filter((l) => !l.includes('zkCli.sh') && l.trim() !== 'quit'));
      expect(sessions).toHaveLength(2);
      const zk = await startStandalone();
      try {
        await zk.cli([
          'create /mesos',
          'create /mesos/log_replicas',
          'create /mesos/log_replicas/x',
          'create /marathon',
          'create /marathon/state',
          'create /marathon/leader-curator',
        ]);
        for (const lines of sessions) {
          const out = await zk.cli(
            lines.map((l) => l.replace('<zk_mesos_password>', 'pw1').replace('<zk_marathon_password>', 'pw2')),
          );
          expect(out).not.toMatch(/Insufficient|does not have the form|Exception/);
        }
        expect(
          await zk.cli([
            'set /mesos/log_replicas/x y',
            'ls /mesos/log_replicas',
            'ls /marathon/state',
            'ls /marathon/leader-curator',
          ]),
        ).toBe(
          [
            'Insufficient permission : /mesos/log_replicas/x',
            '[x]',
            'Insufficient permission : /marathon/state',
            '[]',
          ].join('\n'),
        );
        expect(await zk.cli(['addauth digest mesos:pw1', 'create /mesos/log_replicas/y', 'ls /marathon/state'])).toBe(
          'Created /mesos/log_replicas/y\nInsufficient permission : /marathon/state',
        );
        expect(await zk.cli(['addauth digest marathon:pw2', 'create /marathon/state/z'])).toBe(
          'Created /marathon/state/z',
        );
      } finally {
        zk.stop();
      }
    },
    120_000,
  );

  testWith(
    ZK_CLI,
    "the masters' ACL script closes a /mesos an agent created first, and runs again without harm",
    async () => {
      const { aclScript } = renderedUsers();
      const zk = await startStandalone();
      try {
        const script = localAclScript(aclScript, zk.port);
        // an agent's detector reached ZooKeeper first (no credentials: OPEN_ACL_UNSAFE, group.cpp)
        expect(await zk.cli(['create /mesos'])).toBe('Created /mesos');
        for (let run = 0; run < 2; run++) {
          const r = await execa('sh', [script], { reject: false, all: true });
          expect(r.exitCode).toBe(0);
          expect(r.all).toBe('regionkit-mesos-zk-acl: /mesos: anyone reads, mesos may change it');
        }
        expect(await zk.cli(['ls /mesos', 'create /mesos/x', 'setAcl /mesos world:anyone:cdrwa'])).toBe(
          ['[]', 'Insufficient permission : /mesos/x', 'Insufficient permission : /mesos'].join('\n'),
        );
        expect(await zk.cli(['addauth digest mesos:pw1', 'create /mesos/x'])).toBe('Created /mesos/x');
        // ZooKeeper gone: the script fails (its unit retries)
        zk.stop();
        const gone = await execa('sh', [script], { reject: false });
        expect(gone.exitCode).toBe(1);
        // zkCli's last lines reach the journal, the password never does
        expect(gone.stderr).toMatch(/ACL not set yet$/);
        expect(gone.stderr.split('\n').length).toBeGreaterThan(1);
        expect(gone.stderr).not.toContain('pw1');
      } finally {
        zk.stop();
      }
    },
    180_000,
  );

  testWith(
    ZK_CLI,
    "the masters' ACL script gives up on a session that is up but never answered, through its request timeout",
    async () => {
      const { aclScript } = renderedUsers();
      // the script's 30 s, shortened here; the 240 s around the whole session stays
      const flag = '-Dzookeeper.request.timeout=30000';
      expect(aclScript).toContain(`CLIENT_JVMFLAGS=${flag}`);
      const mute = await startMuteServer();
      try {
        const script = localAclScript(aclScript.replace(flag, '-Dzookeeper.request.timeout=3000'), mute.port);
        // without the flag zkCli waits for the create's reply until `timeout` ends the session at 240 s (tried:
        // the test then runs into its own limit)
        const r = await execa('sh', [script], { reject: false, timeout: 90_000 });
        expect(r.timedOut).toBe(false);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).not.toContain('did not finish');
        // after a timeout the client drops its connection (ClientCnxn.java, release-3.8.0-1: submitRequest,
        // cleanAndNotifyState) and reports the request as ConnectionLoss; of zkCli's output the journal gets the
        // last lines, where the watcher's events may come last, so only the disconnect is asserted
        expect(r.stderr).toMatch(/^WatchedEvent state:Disconnected type:None path:null$/m);
        expect(r.stderr).toMatch(/ACL not set yet$/);
        expect(r.stderr).not.toContain('pw1');
      } finally {
        mute.close();
      }
    },
    120_000,
  );
});

describe('ZooKeeper logging', () => {
  /** The `-cp` of the rendered unit's ExecStart, with the package's CLASSPATH filled in as its environment file has it. */
  function renderedClassPath(): string {
    const { control } = ensemble();
    const unit = fileOf(renderAll(control)[0]!, '/etc/systemd/system/zookeeper.service').content;
    const cp = /^ExecStart=\S+ -cp (\S+) /m.exec(unit)?.[1];
    if (!cp) throw new Error('no -cp in ExecStart');
    return cp.replace('${CLASSPATH}', '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar');
  }

  /** Runs ZooKeeper standalone for a few seconds with `classPath`; resolves with its log file's lines and its output. */
  async function run(classPath: string): Promise<{ logLines: number; output: string }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'regionkit-zk-log-'));
    writeFileSync(
      path.join(dir, 'zoo.cfg'),
      `tickTime=2000\ndataDir=${dir}/data\nclientPort=${21000 + Math.floor(Math.random() * 1000)}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`,
    );
    const r = await execa(
      'java',
      [
        '-cp',
        classPath,
        `-Dzookeeper.log.dir=${dir}`,
        '-Dzookeeper.root.logger=INFO,ROLLINGFILE',
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        path.join(dir, 'zoo.cfg'),
      ],
      { reject: false, all: true, timeout: 10_000 },
    );
    let logLines = 0;
    try {
      logLines = readFileSync(path.join(dir, 'zookeeper.log'), 'utf8').split('\n').filter(Boolean).length;
    } catch {
      // no log file: nothing was logged
    }
    return { logLines, output: r.all ?? '' };
  }

  testWith(
    ZOOKEEPER_JAR,
    'the rendered class path makes ZooKeeper log to its file (the package CLASSPATH alone logs nothing)',
    async () => {
      const rendered = await run(renderedClassPath());
      expect(rendered.output).not.toMatch(/NOP/);
      expect(rendered.logLines).toBeGreaterThan(10);
      const packaged = await run('/etc/zookeeper/conf:/usr/share/java/zookeeper.jar');
      expect(packaged.output).toMatch(/no-operation \(NOP\) logger/);
      expect(packaged.logLines).toBe(0);
    },
    60_000,
  );
});
