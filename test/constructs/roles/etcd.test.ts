import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { ETCD_DEFAULTS, Etcd, etcdEndpoints } from '../../../constructs/roles/etcd.js';
import { checkCloudConfig } from '../../checkers/checks.js';
import { testWith, which } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture, ruleLines } from '../../role-helpers.js';

function cluster(count = 3) {
  const f = roleFixture();
  const control = f.group('control', count);
  control.addRole(new Apt(f.stack, 'Apt'));
  control.addRole(new Etcd(f.stack, 'Etcd'));
  return { f, control };
}

/** KEY=VALUE lines of an environment file, as systemd's EnvironmentFile= reads these (no quoting used). */
function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

describe('Etcd', () => {
  test('cloud-config of a member', () => {
    const docs = renderAll(cluster().control);
    expect(docs[0]).toMatchSnapshot();
  });

  test('renders /etc/default/etcd: own name and URLs, the whole cluster, a token from region and group', () => {
    const docs = renderAll(cluster().control);
    expect(fileOf(docs[1]!, ETCD_DEFAULTS).content).toMatchInlineSnapshot(`
      "# regionkit etcd role: member test-control-2 of a 3-member cluster (read by etcd.service)
      ETCD_NAME=test-control-2
      ETCD_DATA_DIR=/srv/data1/etcd
      ETCD_LISTEN_PEER_URLS=http://10.0.16.16:2380
      ETCD_LISTEN_CLIENT_URLS=http://10.0.16.16:2379,http://127.0.0.1:2379
      ETCD_INITIAL_ADVERTISE_PEER_URLS=http://10.0.16.16:2380
      ETCD_ADVERTISE_CLIENT_URLS=http://10.0.16.16:2379
      ETCD_INITIAL_CLUSTER=test-control-1=http://10.0.0.16:2380,test-control-2=http://10.0.16.16:2380,test-control-3=http://10.0.32.16:2380
      ETCD_INITIAL_CLUSTER_STATE=new
      ETCD_INITIAL_CLUSTER_TOKEN=test-control-etcd
      ETCD_LOGGER=zap
      "
    `);
  });

  test('every member gets the same cluster and token but its own name and addresses', () => {
    const envs = renderAll(cluster(5).control).map((d) => parseEnv(fileOf(d, ETCD_DEFAULTS).content));
    expect(new Set(envs.map((e) => e.ETCD_INITIAL_CLUSTER)).size).toBe(1);
    expect(new Set(envs.map((e) => e.ETCD_INITIAL_CLUSTER_TOKEN)).size).toBe(1);
    expect(envs.map((e) => e.ETCD_NAME)).toEqual([1, 2, 3, 4, 5].map((i) => `test-control-${i}`));
    expect(envs.map((e) => e.ETCD_ADVERTISE_CLIENT_URLS)).toEqual(etcdEndpoints(cluster(5).control.hosts).split(','));
  });

  test('installs etcd-server and starts etcd.service without waiting for the quorum', () => {
    const doc = renderAll(cluster().control)[0]!;
    expect(doc).toContain('- etcd-server\n');
    expect(doc).toContain('- - systemctl\n    - enable\n    - --now\n    - --no-block\n    - etcd.service\n');
  });

  test('a single member is a cluster of one', () => {
    const env = parseEnv(fileOf(renderAll(cluster(1).control)[0]!, ETCD_DEFAULTS).content);
    expect(env.ETCD_INITIAL_CLUSTER).toBe('test-control-1=http://10.0.0.16:2380');
  });

  test('client endpoints list every member', () => {
    expect(etcdEndpoints(cluster().control.hosts)).toBe(
      'http://10.0.0.16:2379,http://10.0.16.16:2379,http://10.0.32.16:2379',
    );
  });

  test.each([2, 4, 9])('fails if the group has %i hosts', (n) => {
    const { control } = cluster(n);
    expect(() => renderAll(control)).toThrow(
      `test/Etcd: group control must have an odd number of hosts between 1 and 7 to be etcd members, got ${n}`,
    );
  });

  test('opens the client port to the cluster and the peer port to the members only', () => {
    const { f, control } = cluster();
    const workers = f.group('worker', 2);
    control.joinCluster('c', [control, workers]);
    workers.joinCluster('c', [control, workers]);
    const rules = ruleLines(control);
    expect(rules).toEqual(['tcp/2380 test-control', 'tcp/2379 test-control', 'tcp/2379 test-worker']);
  });

  testWith('cloud-init', 'cloud-init accepts the cloud-config of a member', async () => {
    expect(await checkCloudConfig(renderAll(cluster().control)[0]!)).toBe('');
  });
});

describe('a real etcd cluster from the rendered /etc/default/etcd files', () => {
  const processes: ChildProcess[] = [];
  afterAll(() => processes.forEach((p) => p.kill('SIGKILL')));

  testWith(
    'etcd',
    'three members on loopback form one cluster that replicates writes',
    async () => {
      const { control } = cluster();
      const docs = renderAll(control);
      const base = 20000 + Math.floor(Math.random() * 20000);
      const member = new Map(control.hosts.map((h, i) => [h.privateIp, i]));
      // Remap only what cannot be the same on one machine: addresses, ports, data directories.
      const remap = (value: string, self: number) =>
        value.replace(/http:\/\/([\d.]+):(\d+)/g, (_, ip: string, port: string) => {
          if (ip === '127.0.0.1') return `http://127.0.0.1:${base + 50 + self}`;
          const j = member.get(ip)!;
          return `http://127.0.0.1:${port === '2379' ? base + j : base + 100 + j}`;
        });
      const root = await mkdtemp(path.join(os.tmpdir(), 'regionkit-etcd-'));
      const logs: string[] = ['', '', ''];
      const keys: string[] = [];
      for (const [i, doc] of docs.entries()) {
        const env = parseEnv(fileOf(doc, ETCD_DEFAULTS).content);
        if (i === 0) keys.push(...Object.keys(env));
        for (const key of Object.keys(env)) env[key] = remap(env[key]!, i);
        env.ETCD_DATA_DIR = path.join(root, `member${i + 1}`);
        const child = spawn(which('etcd')!, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (d: Buffer) => (logs[i] += d.toString()));
        child.stderr.on('data', (d: Buffer) => (logs[i] += d.toString()));
        processes.push(child);
      }
      const client = (i: number) => `http://127.0.0.1:${base + i}`;
      await waitFor(async () => {
        const health = await Promise.all([0, 1, 2].map((i) => getJson(`${client(i)}/health`)));
        return health.every((h) => h?.health === 'true') ? true : undefined;
      }, 60_000);

      const list = (await postJson(`${client(0)}/v3/cluster/member/list`, {})) as {
        members: { name: string; clientURLs: string[] }[];
      };
      expect(list.members.map((m) => m.name).sort()).toEqual(control.hosts.map((h) => h.name));
      // only the (remapped) private addresses are advertised to clients
      expect(list.members.flatMap((m) => m.clientURLs).sort()).toEqual([0, 1, 2].map(client));

      const b64 = (s: string) => Buffer.from(s).toString('base64');
      await postJson(`${client(0)}/v3/kv/put`, { key: b64('regionkit'), value: b64('replicated') });
      const read = (await postJson(`${client(2)}/v3/kv/range`, { key: b64('regionkit') })) as {
        kvs: { value: string }[];
      };
      expect(Buffer.from(read.kvs[0]!.value, 'base64').toString()).toBe('replicated');

      // etcd read every variable of the file; none is unknown to it
      for (const log of logs) {
        expect(log).not.toContain('unrecognized environment variable');
        for (const key of keys) expect(log).toContain(`recognized and used environment variable ${key}=`);
      }
    },
    90_000,
  );
});

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  expect(res.ok).toBe(true);
  return res.json();
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the cluster');
    await new Promise((r) => setTimeout(r, 1000));
  }
}
