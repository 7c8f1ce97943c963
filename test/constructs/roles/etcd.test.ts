import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { App, LocalBackend, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';

import { runEngine, type Engine } from '../../../bin/engine/engine.js';
import { Apt } from '../../../constructs/roles/apt.js';
import { EtcdPki } from '../../../constructs/roles/etcd-pki.js';
import {
  ETCD_CA_FILE,
  ETCD_CERT_FILE,
  ETCD_DEFAULTS,
  ETCD_DROP_IN,
  ETCD_KEY_FILE,
  Etcd,
  etcdEndpoints,
} from '../../../constructs/roles/etcd.js';
import type { InventoryHost } from '../../../constructs/roles/host-role.js';
import { CertRequest } from '../../../lib/gen/tls/cert-request/index.js';
import { LocallySignedCert } from '../../../lib/gen/tls/locally-signed-cert/index.js';
import { PrivateKey } from '../../../lib/gen/tls/private-key/index.js';
import { SelfSignedCert } from '../../../lib/gen/tls/self-signed-cert/index.js';
import { ALL_PROVIDERS } from '../../../lib/versions.js';
import { etcdProbeProgram } from '../../boot/report.js';
import { checkCloudConfig } from '../../checkers/checks.js';
import { testWith, which } from '../../checkers/tools.js';
import { tempDir, testWithEngine } from '../../engine/engine-harness.js';
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
      ETCD_LISTEN_PEER_URLS=https://10.0.16.16:2380
      ETCD_LISTEN_CLIENT_URLS=https://10.0.16.16:2379,https://127.0.0.1:2379
      ETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.16.16:2380
      ETCD_ADVERTISE_CLIENT_URLS=https://10.0.16.16:2379
      ETCD_INITIAL_CLUSTER=test-control-1=https://10.0.0.16:2380,test-control-2=https://10.0.16.16:2380,test-control-3=https://10.0.32.16:2380
      ETCD_INITIAL_CLUSTER_STATE=new
      ETCD_INITIAL_CLUSTER_TOKEN=test-control-etcd
      ETCD_LOGGER=zap
      ETCD_CERT_FILE=/etc/etcd/pki/member.crt
      ETCD_KEY_FILE=/etc/etcd/pki/member.key
      ETCD_TRUSTED_CA_FILE=/etc/etcd/pki/ca.crt
      ETCD_CLIENT_CERT_AUTH=true
      ETCD_PEER_CERT_FILE=/etc/etcd/pki/member.crt
      ETCD_PEER_KEY_FILE=/etc/etcd/pki/member.key
      ETCD_PEER_TRUSTED_CA_FILE=/etc/etcd/pki/ca.crt
      ETCD_PEER_CLIENT_CERT_AUTH=true
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
    expect(env.ETCD_INITIAL_CLUSTER).toBe('test-control-1=https://10.0.0.16:2380');
  });

  test('client endpoints list every member', () => {
    expect(etcdEndpoints(cluster().control.hosts)).toBe(
      'https://10.0.0.16:2379,https://10.0.16.16:2379,https://10.0.32.16:2379',
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

  test('clients and peers speak TLS with the member certificate and must present one of the CA', () => {
    const env = parseEnv(fileOf(renderAll(cluster().control)[0]!, ETCD_DEFAULTS).content);
    expect(env).toMatchObject({
      ETCD_CERT_FILE: '/etc/etcd/pki/member.crt',
      ETCD_KEY_FILE: '/etc/etcd/pki/member.key',
      ETCD_TRUSTED_CA_FILE: '/etc/etcd/pki/ca.crt',
      ETCD_CLIENT_CERT_AUTH: 'true',
      ETCD_PEER_CERT_FILE: '/etc/etcd/pki/member.crt',
      ETCD_PEER_KEY_FILE: '/etc/etcd/pki/member.key',
      ETCD_PEER_TRUSTED_CA_FILE: '/etc/etcd/pki/ca.crt',
      ETCD_PEER_CLIENT_CERT_AUTH: 'true',
    });
    for (const key of Object.keys(env).filter((k) => k.endsWith('_URLS') || k === 'ETCD_INITIAL_CLUSTER')) {
      expect(env[key]).not.toContain('http://');
    }
  });

  test("the TLS files are secret references to the member's own key and certificate, readable by etcd's group", () => {
    const docs = renderAll(cluster().control);
    for (const [i, doc] of docs.entries()) {
      const files = [ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE].map((f) => fileOf(doc, f));
      expect(files.map((f) => f.content)).toEqual([
        '__REGIONKIT_SECRET_etcd_ca_cert__',
        `__REGIONKIT_SECRET_etcd_control_${i + 1}_cert__`,
        `__REGIONKIT_SECRET_etcd_control_${i + 1}_key__`,
      ]);
      for (const f of files) expect(f).toMatchObject({ permissions: '0640', defer: true });
      expect(doc).toContain(
        `- path: ${ETCD_KEY_FILE}\n    content: __REGIONKIT_SECRET_etcd_control_${i + 1}_key__\n    owner: root:etcd\n`,
      );
      // the host fetches its own key only, not the other members'
      const fetched = Object.keys(
        (JSON.parse(fileOf(doc, '/etc/regionkit/secrets.json').content) as { secrets: Record<string, string> }).secrets,
      );
      expect(fetched).toEqual(['etcd_ca_cert', `etcd_control_${i + 1}_cert`, `etcd_control_${i + 1}_key`]);
    }
  });

  test('etcd.service starts only after the secret fetch', () => {
    const dropIn = fileOf(renderAll(cluster().control)[0]!, ETCD_DROP_IN).content;
    expect(dropIn).toContain('After=regionkit-secrets.service\nRequires=regionkit-secrets.service\n');
  });

  test.each(['alicloud', 'openstack'] as const)(
    '%s: one CA and a key and certificate per member, with its address and name as SANs, made at apply time',
    (cloud) => {
      const f = roleFixture(cloud);
      const control = f.group('control', 3);
      control.addRole(new Apt(f.stack, 'Apt'));
      control.addRole(new Etcd(f.stack, 'Etcd'));
      const synth = Testing.synth(f.stack);
      const resources = JSON.parse(synth) as { resource: Record<string, Record<string, Record<string, unknown>>> };
      expect(Object.keys(resources.resource.tls_private_key!)).toHaveLength(4);
      expect(Object.keys(resources.resource.tls_self_signed_cert!)).toHaveLength(1);
      expect(Object.keys(resources.resource.tls_locally_signed_cert!)).toHaveLength(3);
      expect(synth).toHaveResourceWithProperties(PrivateKey, { algorithm: 'ECDSA', ecdsa_curve: 'P256' });
      expect(synth).toHaveResourceWithProperties(SelfSignedCert, {
        is_ca_certificate: true,
        allowed_uses: ['cert_signing', 'crl_signing', 'digital_signature'],
        validity_period_hours: 87600,
      });
      for (const h of control.hosts) {
        expect(synth).toHaveResourceWithProperties(CertRequest, {
          dns_names: [h.name, 'localhost'],
          ip_addresses: [h.privateIp, '127.0.0.1'],
          subject: [{ common_name: h.name, organization: 'regionkit' }],
        });
      }
      expect(synth).toHaveResourceWithProperties(LocallySignedCert, {
        allowed_uses: ['digital_signature', 'key_encipherment', 'server_auth', 'client_auth'],
        validity_period_hours: 43800,
      });
      // keys reach the secret store only, never user data
      expect(synth).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
      const store = cloud === 'alicloud' ? 'alicloud_kms_secret' : 'openstack_keymanager_secret_v1';
      const field = cloud === 'alicloud' ? 'secret_data' : 'payload';
      const entries = Object.values(resources.resource[store]!).map((r) => r[field]);
      expect(
        entries.filter((e) => /^\$\{tls_self_signed_cert\.EtcdPki_CaCert_\w+\.cert_pem\}$/.test(String(e))),
      ).toHaveLength(1);
      for (const h of control.hosts) {
        const key = new RegExp(`^\\$\\{tls_private_key\\.EtcdPki_Members_${h.name}_Key_\\w+\\.private_key_pem\\}$`);
        expect(entries.filter((e) => key.test(String(e)))).toHaveLength(1);
      }
    },
  );

  testWith('cloud-init', 'cloud-init accepts the cloud-config of a member', async () => {
    expect(await checkCloudConfig(renderAll(cluster().control)[0]!)).toBe('');
  });
});

describe('a real etcd cluster from the rendered /etc/default/etcd files, with certificates from the real tls provider', () => {
  const processes: ChildProcess[] = [];
  afterAll(() => processes.forEach((p) => p.kill('SIGKILL')));

  /**
   * The members' keys and certificates and the CA as `tofu apply` of the pinned hashicorp/tls makes them from
   * EtcdPki (local resources only), with the member addresses remapped to 127.0.0.1 as everything else here.
   */
  async function applyPki(engine: Engine, hosts: readonly InventoryHost[]): Promise<Record<string, string>> {
    const dir = await tempDir('etcd-pki');
    const app = new App({ outdir: dir });
    const stack = new TerraformStack(app, 'pki');
    // the default local backend would put the state (private keys) in the working directory
    new LocalBackend(stack, { path: path.join(dir, 'terraform.pki.tfstate') });
    const pki = EtcdPki.of(stack);
    const secrets = [
      pki.caSecret(),
      ...hosts.flatMap((h) => pki.memberSecrets({ ...h, privateIp: '127.0.0.1' })),
      ...pki.clientSecrets('worker'),
    ];
    for (const secret of secrets) new TerraformOutput(stack, secret.name, { value: secret.value, sensitive: true });
    app.synth();
    const stackDir = path.join(dir, 'stacks', 'pki');
    const init = await runEngine(engine, ['init', '-no-color'], stackDir, { ...process.env });
    expect(init.stderr).toBe('');
    const apply = await runEngine(engine, ['apply', '-auto-approve', '-no-color'], stackDir, { ...process.env });
    expect(apply.stderr).toBe('');
    const out = await runEngine(engine, ['output', '-json'], stackDir, { ...process.env });
    const values = JSON.parse(out.stdout) as Record<string, { value: string }>;
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.value]));
  }

  testWithEngine(
    'three members on loopback form one TLS cluster that replicates writes and admits only the CA clients',
    [ALL_PROVIDERS.tls],
    async (engine) => {
      if (!which('etcd')) expect.fail('etcd (etcd-server from Debian) is not installed: run .ci/install-checkers.sh');
      const { control } = cluster();
      const docs = renderAll(control);
      const values = await applyPki(engine, control.hosts);
      const base = 20000 + Math.floor(Math.random() * 20000);
      const member = new Map(control.hosts.map((h, i) => [h.privateIp, i]));
      // Remap only what cannot be the same on one machine: addresses, ports, data directories, file paths.
      const remap = (value: string, self: number) =>
        value.replace(/https:\/\/([\d.]+):(\d+)/g, (_, ip: string, port: string) => {
          if (ip === '127.0.0.1') return `https://127.0.0.1:${base + 50 + self}`;
          const j = member.get(ip)!;
          return `https://127.0.0.1:${port === '2379' ? base + j : base + 100 + j}`;
        });
      const root = await mkdtemp(path.join(os.tmpdir(), 'regionkit-etcd-'));
      const logs: string[] = ['', '', ''];
      const keys: string[] = [];
      for (const [i, doc] of docs.entries()) {
        const env = parseEnv(fileOf(doc, ETCD_DEFAULTS).content);
        if (i === 0) keys.push(...Object.keys(env));
        for (const key of Object.keys(env)) env[key] = remap(env[key]!, i);
        env.ETCD_DATA_DIR = path.join(root, `member${i + 1}`);
        // each TLS file as the fetch renders it from the member's own template (its secret references)
        const files = path.join(root, `pki${i + 1}`);
        await mkdir(files, { recursive: true });
        for (const file of [ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE]) {
          const local = path.join(files, path.basename(file));
          const name = /__REGIONKIT_SECRET_([a-z0-9_]+)__/.exec(fileOf(doc, file).content)![1]!;
          await writeFile(local, values[name]!, { mode: 0o600 });
          for (const key of Object.keys(env)) if (env[key] === file) env[key] = local;
        }
        const child = spawn(which('etcd')!, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (d: Buffer) => (logs[i] += d.toString()));
        child.stderr.on('data', (d: Buffer) => (logs[i] += d.toString()));
        processes.push(child);
      }
      const client = (i: number) => `https://127.0.0.1:${base + i}`;
      const tls = {
        ca: values.etcd_ca_cert!,
        cert: values.etcd_client_worker_cert!,
        key: values.etcd_client_worker_key!,
      };
      await waitFor(async () => {
        const health = await Promise.all([0, 1, 2].map((i) => call(`${client(i)}/health`, tls).catch(() => undefined)));
        return health.every((h) => h?.status === 200 && (h.body as { health?: string }).health === 'true')
          ? true
          : undefined;
      }, 60_000);

      const list = (await call(`${client(0)}/v3/cluster/member/list`, tls, {})).body as {
        members: { name: string; clientURLs: string[]; peerURLs: string[] }[];
      };
      expect(list.members.map((m) => m.name).sort()).toEqual(control.hosts.map((h) => h.name));
      // only the (remapped) private addresses are advertised to clients, and only https
      expect(list.members.flatMap((m) => m.clientURLs).sort()).toEqual([0, 1, 2].map(client));
      expect(list.members.flatMap((m) => m.peerURLs).every((u) => u.startsWith('https://'))).toBe(true);

      const b64 = (text: string) => Buffer.from(text).toString('base64');
      await call(`${client(0)}/v3/kv/put`, tls, { key: b64('regionkit'), value: b64('replicated') });
      const read = (await call(`${client(2)}/v3/kv/range`, tls, { key: b64('regionkit') })).body as {
        kvs: { value: string }[];
      };
      expect(Buffer.from(read.kvs[0]!.value, 'base64').toString()).toBe('replicated');

      // a client without a certificate of the CA gets nothing: the handshake fails or the request is refused
      const anonymous = await call(`${client(0)}/v3/kv/range`, { ca: tls.ca }, { key: b64('regionkit') }).catch(
        (err: Error) => err,
      );
      expect(anonymous instanceof Error || anonymous.status !== 200).toBe(true);
      // and plain HTTP is not served at all
      const plain = await fetch(`http://127.0.0.1:${base}/health`, { signal: AbortSignal.timeout(2000) }).catch(
        (err: Error) => err,
      );
      expect(plain instanceof Error || plain.status !== 200).toBe(true);

      // the boot test's probe (the report on each VM) calls this cluster whole, with a member's own certificate
      const probe = await execa('python3', ['-', '127.0.0.1', String(base + 1)], {
        input: etcdProbeProgram(),
        env: { REGIONKIT_ETCD_PKI: path.join(root, 'pki2') },
        reject: false,
      });
      expect(probe.stderr).toBe('');
      expect(probe.stdout).toMatch(/^members=3 linearizable-read=ok raft_term=\d+ attempts=1 seconds=\d+$/);
      // and where nothing answers, it tries again until its deadline and names the step that failed
      const none = await execa('python3', ['-', '127.0.0.1', String(base + 99)], {
        input: etcdProbeProgram(),
        env: { REGIONKIT_ETCD_PKI: path.join(root, 'pki2'), REGIONKIT_ETCD_PROBE_SECONDS: '7' },
        reject: false,
      });
      expect(none.stdout).toMatch(
        /^no linearizable read within 7 s, 2 attempts, the last at the member list: .*Connection refused/,
      );

      // etcd read every variable of the file; none is unknown to it
      for (const log of logs) {
        expect(log).not.toContain('unrecognized environment variable');
        for (const key of keys) expect(log).toContain(`recognized and used environment variable ${key}=`);
      }
    },
    120_000,
  );
});

/** One HTTPS request with node's TLS client (fetch cannot present a client certificate). */
function call(
  url: string,
  tls: { ca: string; cert?: string; key?: string },
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: body === undefined ? 'GET' : 'POST', ...tls, timeout: 5000 }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => {
        let parsed: unknown = data;
        try {
          parsed = JSON.parse(data);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
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
