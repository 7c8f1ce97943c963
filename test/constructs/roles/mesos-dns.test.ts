import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import {
  MESOS_DNS_CONFIG,
  MESOS_DNS_CONFIG_SCRIPT,
  MESOS_DNS_CONTAINER,
  MESOS_DNS_TEMPLATE,
  MesosDns,
  type MesosDnsProps,
} from '../../../constructs/roles/mesos-dns.js';
import { zkUrl } from '../../../constructs/roles/zookeeper.js';
import type { CloudKind } from '../../../lib/cloud/types.js';
import { checkCloudConfig, checkShell, checkUnits } from '../../checkers/checks.js';
import { MESOS_DNS_IP_SOURCES, MESOS_DNS_KEYS } from '../../checkers/formats.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, ruleLines, clusterFixture } from '../../role-helpers.js';

const IMAGE = 'docker.io/mesosphere/mesos-dns:v0.6.0';
const UNIT = `/etc/systemd/system/${MESOS_DNS_CONTAINER}.service`;

/** Three control hosts on `cloud` with apt, docker and Mesos-DNS from `props`, in a cluster, behind a bastion. */
function control(props: Partial<MesosDnsProps> = {}, cloud: CloudKind = 'openstack') {
  const f = clusterFixture({ cloud, bastion: true });
  const group = f.control;
  const dns = new MesosDns(f.stack, 'MesosDns', {
    image: IMAGE,
    zk: zkUrl(group.hosts, 'mesos'),
    masters: group.hosts.map((h) => `${h.privateIp}:5050`),
    ...props,
  });
  for (const role of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), dns]) group.addRole(role);
  return { f, group };
}

const runcmd = (doc: string) => (parse(doc) as { runcmd: string[][] }).runcmd.map((argv) => argv.join(' '));
const configOf = (doc: string, file = MESOS_DNS_CONFIG) =>
  JSON.parse(fileOf(doc, file).content) as Record<string, unknown>;
const hasFile = (doc: string, file: string) =>
  ((parse(doc) as { write_files: { path: string }[] }).write_files ?? []).some((f) => f.path === file);

describe('MesosDns', () => {
  test('minimal host on OpenStack: the whole cloud-config', () => {
    expect(renderAll(control().group)[0]).toMatchSnapshot();
  });

  test('the unit runs mesos-dns with the configuration directory mounted read-only', () => {
    expect(fileOf(renderAll(control().group)[0]!, UNIT).content).toMatchInlineSnapshot(`
      "# mesos_dns: Mesos-DNS (regionkit host role)
      [Unit]
      Description=Mesos-DNS
      After=network-online.target docker.service
      Wants=network-online.target
      Requires=docker.service

      [Service]
      ExecStartPre=-/usr/bin/docker rm --force mesos_dns
      ExecStartPre=-/usr/bin/docker pull docker.io/mesosphere/mesos-dns:v0.6.0
      ExecStart=/usr/bin/docker run --rm --name mesos_dns --network host --volume /etc/mesos-dns:/etc/mesos-dns:ro docker.io/mesosphere/mesos-dns:v0.6.0 /usr/bin/mesos-dns -config=/etc/mesos-dns/config.json
      ExecStop=/usr/bin/docker stop --time 30 mesos_dns
      Restart=always
      RestartSec=5
      TimeoutStartSec=600
      TimeoutStopSec=40

      [Install]
      WantedBy=multi-user.target
      "
    `);
  });

  test('with resolvers (the cloud has fixed ones, like Alibaba VPC DNS) the whole config.json is rendered at synth', () => {
    const { group } = control({ resolvers: ['100.100.2.136', '100.100.2.138'] }, 'alicloud');
    const doc = renderAll(group)[0]!;
    expect(configOf(doc)).toMatchInlineSnapshot(`
      {
        "IPSources": [
          "netinfo",
          "mesos",
          "host",
        ],
        "SOAExpire": 86400,
        "SOAMinttl": 60,
        "SOAMname": "ns1.mesos",
        "SOARefresh": 60,
        "SOARetry": 600,
        "SOARname": "root.ns1.mesos",
        "dnson": true,
        "domain": "mesos",
        "enforceRFC952": false,
        "externalon": true,
        "httplistener": "10.0.0.16",
        "httpon": true,
        "httpport": 8123,
        "listener": "10.0.0.16",
        "masters": [
          "10.0.0.16:5050",
          "10.0.16.16:5050",
          "10.0.32.16:5050",
        ],
        "port": 8053,
        "recurseon": true,
        "refreshSeconds": 60,
        "resolvers": [
          "100.100.2.136",
          "100.100.2.138",
        ],
        "timeout": 5,
        "ttl": 60,
        "zk": "zk://10.0.0.16:2181,10.0.16.16:2181,10.0.32.16:2181/mesos",
      }
    `);
    expect(hasFile(doc, MESOS_DNS_TEMPLATE) || hasFile(doc, MESOS_DNS_CONFIG_SCRIPT)).toBe(false);
  });

  test('on OpenStack the template has no resolvers and the script fills them in before the unit starts', () => {
    const doc = renderAll(control().group)[0]!;
    expect(configOf(doc, MESOS_DNS_TEMPLATE).resolvers).toEqual([]);
    expect(hasFile(doc, MESOS_DNS_CONFIG)).toBe(false);
    const cmds = runcmd(doc);
    expect(cmds.indexOf(MESOS_DNS_CONFIG_SCRIPT)).toBeGreaterThanOrEqual(0);
    expect(cmds.indexOf(`systemctl enable --now ${MESOS_DNS_CONTAINER}.service`)).toBeGreaterThan(
      cmds.indexOf(MESOS_DNS_CONFIG_SCRIPT),
    );
  });

  test('resolvers given: rendered at synth time on OpenStack too, no script', () => {
    const doc = renderAll(control({ resolvers: ['192.0.2.53'] }).group)[0]!;
    expect(configOf(doc).resolvers).toEqual(['192.0.2.53']);
    expect(hasFile(doc, MESOS_DNS_CONFIG_SCRIPT)).toBe(false);
  });

  test('every host listens on its own private address; domain and ports reach the file', () => {
    const { group } = control({ domain: 'mesos.internal', dnsPort: 8600, httpPort: 8124, resolvers: ['192.0.2.53'] });
    const docs = renderAll(group);
    group.hosts.forEach((h, i) => {
      expect(configOf(docs[i]!)).toMatchObject({
        listener: h.privateIp,
        domain: 'mesos.internal',
        port: 8600,
        httpport: 8124,
        SOAMname: 'ns1.mesos.internal',
        SOARname: 'root.ns1.mesos.internal',
      });
    });
  });

  test('config.json uses only keys and IPSources values Mesos-DNS documents', () => {
    for (const resolvers of [['100.100.2.136'], undefined]) {
      const doc = renderAll(control({ resolvers }).group)[0]!;
      const config = configOf(doc, resolvers ? MESOS_DNS_CONFIG : MESOS_DNS_TEMPLATE);
      expect(Object.keys(config).filter((k) => !MESOS_DNS_KEYS.includes(k))).toEqual([]);
      expect((config.IPSources as string[]).filter((s) => !MESOS_DNS_IP_SOURCES.includes(s))).toEqual([]);
    }
  });

  test('opens DNS (UDP and TCP) to the cluster, the HTTP API to the cluster and the bastion', () => {
    const rules = ruleLines(control().group);
    expect(rules).toEqual([
      'udp/8053 test-control',
      'udp/8053 test-worker',
      'tcp/8053 test-control',
      'tcp/8053 test-worker',
      'tcp/8123 test-control',
      'tcp/8123 test-worker',
      'tcp/8123 test-bastion',
    ]);
  });

  test.each([
    [{ masters: [] }, 'masters must list at least one ip:port, got []'],
    [{ masters: ['10.0.0.16'] }, 'masters[0] must be an ip:port, got "10.0.0.16"'],
    [{ domain: 'Mesos' }, 'domain must be a lower-case DNS name such as mesos, got "Mesos"'],
    [{ dnsPort: 8123 }, 'httpPort must differ from dnsPort, got 8123'],
    [{ resolvers: [] }, 'resolvers must list at least one address, got []'],
    [{ resolvers: ['dns.example'] }, 'resolvers[0] must be an IPv4 address, got "dns.example"'],
    [{ zk: 'zk://10.0.0.16:2181' }, 'zk must be a zk://'],
  ])('fails if %o', (props, message) => {
    expect(() => control(props)).toThrow(`test/MesosDns: ${message}`);
  });

  describe('the boot script', () => {
    async function run(resolvConf: string, template?: string) {
      const doc = renderAll(control().group)[0]!;
      const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-mesos-dns-'));
      const files = { script: 'script.sh', resolv: 'resolv.conf', template: 'template.json', out: 'config.json' };
      const p = (f: string) => path.join(dir, f);
      await writeFile(p(files.script), fileOf(doc, MESOS_DNS_CONFIG_SCRIPT).content, { mode: 0o755 });
      await writeFile(p(files.resolv), resolvConf);
      await writeFile(p(files.template), template ?? fileOf(doc, MESOS_DNS_TEMPLATE).content);
      const result = await execa('sh', [p(files.script), p(files.resolv), p(files.template), p(files.out)], {
        reject: false,
      });
      const out =
        result.exitCode === 0
          ? (JSON.parse(await readFile(p(files.out), 'utf8')) as Record<string, unknown>)
          : undefined;
      return { result, out, template: configOf(doc, MESOS_DNS_TEMPLATE) };
    }

    test('copies the IPv4 upstreams, skipping loopback and IPv6, into an otherwise identical file', async () => {
      const { result, out, template } = await run(
        '# systemd-resolved\nnameserver 10.0.0.2\nnameserver 127.0.0.1\nnameserver fd00::2\nnameserver 10.0.0.3\nsearch openstacklocal\n',
      );
      expect(result.exitCode).toBe(0);
      expect(out).toEqual({ ...template, resolvers: ['10.0.0.2', '10.0.0.3'] });
    });

    test('fails loudly when the host has no usable upstream', async () => {
      const { result } = await run('nameserver 127.0.0.53\n');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('no IPv4 upstream nameserver');
    });

    test('fails loudly when the template has no empty resolvers list', async () => {
      const { result } = await run('nameserver 10.0.0.2\n', '{"resolvers": ["10.0.0.9"]}\n');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('has no empty resolvers list to fill in');
    });

    testWith('shellcheck', 'passes shellcheck', async () => {
      const doc = renderAll(control().group)[0]!;
      expect(await checkShell(MESOS_DNS_CONFIG_SCRIPT, fileOf(doc, MESOS_DNS_CONFIG_SCRIPT).content)).toBe('');
    });
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(control().group)[0]!;
    expect(await checkUnits([{ name: `${MESOS_DNS_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe('');
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config on both clouds', async () => {
    for (const cloud of ['alicloud', 'openstack'] as const) {
      expect(await checkCloudConfig(renderAll(control({}, cloud).group)[0]!)).toBe('');
    }
  });
});
