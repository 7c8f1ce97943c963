import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt } from '../../../constructs/roles/apt.js';
import {
  CALICO_CNI_CONF_NAME,
  CALICO_CNI_SOURCE_DIR,
  CALICO_CNI_UNIT,
  CALICO_ENV,
  CALICO_IPPOOL_MANIFEST,
  CALICO_IPPOOL_SCRIPT,
  CALICO_IPPOOL_UNIT,
  CALICO_NODE_CONTAINER,
  Calico,
  type CalicoProps,
} from '../../../constructs/roles/calico.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { cidrsOverlap } from '../../../lib/net/network-plan.js';
import { checkCloudConfig, checkShell, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture, ruleLines, clusterFixture } from '../../role-helpers.js';

const IMAGES = {
  image: 'quay.io/calico/node:v3.32.2',
  cniImage: 'quay.io/calico/cni:v3.32.2',
  ctlImage: 'quay.io/calico/ctl:v3.32.2',
};
const CNI_CONF = `${CALICO_CNI_SOURCE_DIR}/${CALICO_CNI_CONF_NAME}`;
const unitPath = (name: string) => `/etc/systemd/system/${name}`;
const NODE_UNIT = `${CALICO_NODE_CONTAINER}.service`;

/** Control (3, running etcd elsewhere) and worker (2) groups of one cluster, both with calico. */
function cluster(props: Partial<CalicoProps> = {}) {
  const f = clusterFixture();
  const { control, other: workers } = f;
  const calico = new Calico(f.stack, 'Calico', {
    ...IMAGES,
    etcdEndpoints: () => control.hosts.map((h) => `https://${h.privateIp}:2379`),
    ipPoolCidr: '172.20.0.0/16',
    ...props,
  });
  for (const g of [control, workers]) {
    for (const role of [new Apt(g, 'Apt'), new Docker(g, 'Docker'), calico]) g.addRole(role);
  }
  return { f, control, workers, calico };
}

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

const hasFile = (doc: string, p: string) =>
  (parse(doc) as { write_files: { path: string }[] }).write_files.some((f) => f.path === p);

describe('Calico', () => {
  test('first host of a group: the whole cloud-config', () => {
    expect(renderAll(cluster().control)[0]).toMatchSnapshot();
  });

  test('calico.env: the host as a VXLAN node of the etcd datastore, no default pool', () => {
    const content = fileOf(renderAll(cluster().workers)[1]!, CALICO_ENV).content;
    expect(content).toMatchInlineSnapshot(`
      "# regionkit calico role: settings of calico-node on test-worker-2 (docker --env-file)
      NODENAME=test-worker-2
      IP=10.0.16.48
      CALICO_NETWORKING_BACKEND=vxlan
      DATASTORE_TYPE=etcdv3
      ETCD_ENDPOINTS=https://10.0.0.16:2379,https://10.0.16.16:2379,https://10.0.32.16:2379
      ETCD_CA_CERT_FILE=/etc/calico/pki/etcd-ca.crt
      ETCD_CERT_FILE=/etc/calico/pki/etcd-client.crt
      ETCD_KEY_FILE=/etc/calico/pki/etcd-client.key
      NO_DEFAULT_POOLS=true
      FELIX_IPINIPENABLED=false
      FELIX_VXLANENABLED=true
      FELIX_DEFAULTENDPOINTTOHOSTACTION=ACCEPT
      "
    `);
    // docker --env-file takes values literally: no quotes, no spaces that a systemd reader would treat differently
    for (const value of Object.values(parseEnvFile(content))) expect(value).toMatch(/^[^\s"'\\]+$/);
  });

  test('etcd endpoints are read when hosts are configured, not when the role is made', () => {
    const endpoints: string[] = [];
    const { workers } = cluster({ etcdEndpoints: () => endpoints });
    endpoints.push('https://10.0.0.99:2379');
    expect(parseEnvFile(fileOf(renderAll(workers)[0]!, CALICO_ENV).content).ETCD_ENDPOINTS).toBe(
      'https://10.0.0.99:2379',
    );
  });

  test('the CNI network configuration: the calico plugin with Calico IPAM on etcd, no Kubernetes', () => {
    const conf = JSON.parse(fileOf(renderAll(cluster().workers)[0]!, CNI_CONF).content) as Record<string, unknown>;
    expect(conf).toEqual({
      cniVersion: '0.3.1',
      name: 'calico',
      type: 'calico',
      log_level: 'info',
      datastore_type: 'etcdv3',
      etcd_endpoints: 'https://10.0.0.16:2379,https://10.0.16.16:2379,https://10.0.32.16:2379',
      etcd_ca_cert_file: '/etc/calico/pki/etcd-ca.crt',
      etcd_cert_file: '/etc/calico/pki/etcd-client.crt',
      etcd_key_file: '/etc/calico/pki/etcd-client.key',
      nodename: 'test-worker-1',
      ipam: { type: 'calico-ipam' },
    });
  });

  test.each([0, 1, 2])('the CNI network configuration of host %i has the fields every CNI runtime requires', (i) => {
    const doc = renderAll(cluster().control)[i]!;
    const conf = JSON.parse(fileOf(doc, CNI_CONF).content) as {
      cniVersion?: unknown;
      name?: unknown;
      type?: unknown;
      ipam?: { type?: unknown };
    };
    expect(conf.cniVersion).toMatch(/^\d+\.\d+\.\d+$/);
    // network names: letters, digits, _ . - (CNI spec)
    expect(conf.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
    expect(typeof conf.type).toBe('string');
    expect(typeof conf.ipam?.type).toBe('string');
    // a single network, not a list: the form every runtime reads (Mesos' CNI isolator has no plugin lists)
    expect(conf).not.toHaveProperty('plugins');
    expect(conf).not.toHaveProperty('policy');
    expect(conf).not.toHaveProperty('kubernetes');
  });

  test('the CNI installer runs once per boot, copying plugins and the configuration to the host', () => {
    const unit = fileOf(renderAll(cluster().workers)[0]!, unitPath(CALICO_CNI_UNIT)).content;
    expect(unit).toContain('Type=oneshot\nRemainAfterExit=yes\n');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!;
    expect(execStart).toBe(
      '/usr/bin/docker run --rm --name calico-cni-install --network none --env=SLEEP=false --env=CNI_CONF_NAME=10-calico.conf ' +
        '--env=CNI_NETWORK_CONFIG_FILE=/calico-cni/10-calico.conf --volume=/etc/calico/cni:/calico-cni:ro ' +
        '--volume=/opt/cni/bin:/host/opt/cni/bin --volume=/etc/cni/net.d:/host/etc/cni/net.d quay.io/calico/cni:v3.32.2',
    );
  });

  test("calico-node runs the image's own entrypoint (startup, tunnel address, Felix), privileged, with the env file", () => {
    const unit = fileOf(renderAll(cluster().workers)[0]!, unitPath(NODE_UNIT)).content;
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!;
    expect(execStart).toBe(
      '/usr/bin/docker run --rm --name calico-node --network host --privileged --env-file=/etc/calico/calico.env ' +
        '--volume=/var/log/calico:/var/log/calico --volume=/var/lib/calico:/var/lib/calico ' +
        '--volume=/var/run/calico:/var/run/calico --volume=/lib/modules:/lib/modules:ro ' +
        // the etcd CA and client files, one by one: their tmpfs targets are not in the container otherwise
        '--volume=/etc/calico/pki/etcd-ca.crt:/etc/calico/pki/etcd-ca.crt:ro ' +
        '--volume=/etc/calico/pki/etcd-client.crt:/etc/calico/pki/etcd-client.crt:ro ' +
        '--volume=/etc/calico/pki/etcd-client.key:/etc/calico/pki/etcd-client.key:ro quay.io/calico/node:v3.32.2',
    );
  });

  test('the IP pool is created by the first host of each group only, without blocking its boot', () => {
    for (const g of [cluster().control, cluster().workers]) {
      const docs = renderAll(g);
      expect(docs.map((d) => hasFile(d, CALICO_IPPOOL_SCRIPT))).toEqual(docs.map((_, i) => i === 0));
      expect(docs.map((d) => hasFile(d, unitPath(CALICO_IPPOOL_UNIT)))).toEqual(docs.map((_, i) => i === 0));
    }
    const first = renderAll(cluster().control)[0]!;
    expect(first).toContain(
      `- - systemctl\n    - enable\n    - --now\n    - --no-block\n    - ${CALICO_IPPOOL_UNIT}\n`,
    );
    expect(first).not.toContain(`- - systemctl\n    - enable\n    - --now\n    - ${CALICO_IPPOOL_UNIT}\n`);
  });

  test('the IP pool: the given CIDR, VXLAN always, no IP-in-IP, NAT to the outside', () => {
    const manifest = parse(
      fileOf(renderAll(cluster({ ipPoolCidr: '192.168.128.0/17' }).control)[0]!, CALICO_IPPOOL_MANIFEST).content,
    ) as unknown;
    expect(manifest).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'IPPool',
      metadata: { name: 'regionkit-ipv4' },
      spec: {
        cidr: '192.168.128.0/17',
        blockSize: 26,
        vxlanMode: 'Always',
        ipipMode: 'Never',
        natOutgoing: true,
        nodeSelector: 'all()',
      },
    });
  });

  test('opens only the VXLAN port, to every group of the cluster', () => {
    const { control } = cluster();
    const rules = ruleLines(control);
    expect(rules).toEqual(['udp/4789 test-control', 'udp/4789 test-worker']);
  });

  test('CIDR overlap', () => {
    expect(cidrsOverlap('10.0.0.0/8', '10.0.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(cidrsOverlap('10.0.255.0/24', '10.0.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.1.0.0/16', '10.0.0.0/16')).toBe(false);
    expect(cidrsOverlap('172.20.0.0/16', '10.0.0.0/16')).toBe(false);
  });

  test.each(['', '172.20.0.0', '172.20.0.1/16', '172.20.0.0/27', '10.0.0.0/7', 'fd00::/64', '300.1.0.0/16'])(
    'fails if ipPoolCidr is %j',
    (ipPoolCidr) => {
      const f = roleFixture();
      expect(() => new Calico(f.stack, 'Calico', { ...IMAGES, etcdEndpoints: () => [], ipPoolCidr })).toThrow(
        `test/Calico: ipPoolCidr must be an IPv4 network CIDR from /8 to /26 such as 10.244.0.0/16, got ${JSON.stringify(ipPoolCidr)}`,
      );
    },
  );

  test.each(['10.0.0.0/8', '10.0.128.0/17'])('fails if ipPoolCidr %s overlaps the region network', (ipPoolCidr) => {
    const { workers } = cluster({ ipPoolCidr });
    expect(() => renderAll(workers)).toThrow(
      `test/Calico: ipPoolCidr must not overlap the region network 10.0.0.0/16, got ${ipPoolCidr}`,
    );
  });

  test('fails if a Calico image is of another version', () => {
    const f = roleFixture();
    expect(
      () =>
        new Calico(f.stack, 'Calico', {
          ...IMAGES,
          ctlImage: 'quay.io/calico/ctl:v3.31.7',
          etcdEndpoints: () => [],
          ipPoolCidr: '172.20.0.0/16',
        }),
    ).toThrow('test/Calico: ctlImage must be the same Calico version as image (v3.32.2), got v3.31.7');
  });

  test('fails if an image is not pinned', () => {
    const f = roleFixture();
    expect(
      () =>
        new Calico(f.stack, 'Calico', {
          ...IMAGES,
          cniImage: 'quay.io/calico/cni',
          etcdEndpoints: () => [],
          ipPoolCidr: '172.20.0.0/16',
        }),
    ).toThrow(
      'test/Calico: cniImage must be an image reference pinned to a tag other than latest or to a digest, got "quay.io/calico/cni"',
    );
  });

  test('fails if there is no etcd endpoint', () => {
    const { workers } = cluster({ etcdEndpoints: () => [] });
    expect(() => renderAll(workers)).toThrow(
      'test/Calico: etcdEndpoints must list at least one etcd client URL, got []',
    );
  });

  test.each(['http://10.0.0.16:2379', '10.0.0.16:2379', 'https://10.0.0.16'])(
    'fails if an etcd endpoint is %s',
    (e) => {
      const { workers } = cluster({ etcdEndpoints: () => ['https://10.0.0.17:2379', e] });
      expect(() => renderAll(workers)).toThrow(
        `test/Calico: etcdEndpoints[1] must be an https://host:port URL, got ${JSON.stringify(e)}`,
      );
    },
  );

  testWith('systemd-analyze', 'systemd-analyze verify accepts calico-node, calico-cni and calico-ippool', async () => {
    const doc = renderAll(cluster().control)[0]!;
    const units = [NODE_UNIT, CALICO_CNI_UNIT, CALICO_IPPOOL_UNIT].map((name) => ({
      name,
      content: fileOf(doc, unitPath(name)).content,
    }));
    expect(await checkUnits(units)).toBe('');
  });

  testWith('shellcheck', 'the IP pool script passes shellcheck', async () => {
    expect(
      await checkShell(
        'regionkit-calico-ippool',
        fileOf(renderAll(cluster().control)[0]!, CALICO_IPPOOL_SCRIPT).content,
      ),
    ).toBe('');
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(cluster().control)[0]!)).toBe('');
  });
});

describe('the IP pool script, with a stand-in docker', () => {
  /** Runs the rendered script with `docker` replaced by a recorder whose `get` exits `getExit`. */
  async function run(getExit: number, createExit = 0) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-calico-'));
    const log = path.join(dir, 'calls');
    await writeFile(
      path.join(dir, 'docker'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >>"${log}"\ncase " $* " in *" get ippool "*) exit ${getExit} ;; *" create "*) exit ${createExit} ;; esac\n`,
    );
    await chmod(path.join(dir, 'docker'), 0o755);
    const script = path.join(dir, 'script');
    await writeFile(script, fileOf(renderAll(cluster().control)[0]!, CALICO_IPPOOL_SCRIPT).content, { mode: 0o755 });
    const result = await execa(script, [], { env: { PATH: `${dir}:/usr/bin:/bin` }, reject: false });
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    return { exitCode: result.exitCode, calls };
  }

  const prefix =
    'run --rm --network host --env-file /etc/calico/calico.env --volume /etc/calico/ippool.yaml:/etc/calico/ippool.yaml:ro ' +
    '--volume=/etc/calico/pki/etcd-ca.crt:/etc/calico/pki/etcd-ca.crt:ro ' +
    '--volume=/etc/calico/pki/etcd-client.crt:/etc/calico/pki/etcd-client.crt:ro ' +
    '--volume=/etc/calico/pki/etcd-client.key:/etc/calico/pki/etcd-client.key:ro quay.io/calico/ctl:v3.32.2';

  test('creates the pool when calicoctl does not find it', async () => {
    expect(await run(1)).toEqual({
      exitCode: 0,
      calls: [`${prefix} get ippool regionkit-ipv4`, `${prefix} create -f /etc/calico/ippool.yaml`],
    });
  });

  test('leaves an existing pool alone', async () => {
    expect(await run(0)).toEqual({ exitCode: 0, calls: [`${prefix} get ippool regionkit-ipv4`] });
  });

  test('fails (for systemd to retry) when the pool can be neither found nor created, e.g. etcd is down', async () => {
    expect((await run(1, 1)).exitCode).not.toBe(0);
  });
});
