/**
 * Every file the example regions' hosts boot from, read back from the synthesized Terraform JSON and put
 * through the program that will read it on the host. A file of a kind no checker covers fails the test,
 * so new roles cannot add unchecked files.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { loadRegionFile } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { hostArtifacts, type HostArtifacts } from '../checkers/artifacts.js';
import {
  checkAptConf,
  checkAptPreferences,
  checkChrony,
  checkCloudConfig,
  checkDaemonJson,
  checkDnsmasq,
  checkKeepalived,
  checkShell,
  checkSourcedShell,
  checkSysctl,
  checkXml,
  checkUnits,
} from '../checkers/checks.js';
import {
  checkCalicoManifest,
  checkCniConfig,
  checkDockerEnvFile,
  checkMesosDnsConfig,
  checkSystemdEnvFile,
  checkVolfile,
} from '../checkers/formats.js';
import { testWith } from '../checkers/tools.js';
import { EXAMPLE_FILES, K8S_EXAMPLE_FILES, synthJson } from '../helpers.js';

import { FILE_KINDS, kindOf, type FileKind } from './file-kinds.js';

const artifacts: HostArtifacts[] = [];
for (const file of [...EXAMPLE_FILES, ...K8S_EXAMPLE_FILES]) {
  const { spec } = await loadRegionFile(file);
  const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
  artifacts.push(...hostArtifacts(stack.node.id, synthJson(stack) as never));
}

/** Distinct files of one kind across all hosts (identical content is checked once). */
function filesOf(kind: FileKind): { path: string; content: string; hosts: string[] }[] {
  const seen = new Map<string, { path: string; content: string; hosts: string[] }>();
  for (const a of artifacts) {
    for (const f of a.files) {
      if (kindOf(f) !== kind) continue;
      const key = createHash('sha256').update(f.path).update(f.content).digest('hex');
      const entry = seen.get(key) ?? { path: f.path, content: f.content, hosts: [] };
      entry.hosts.push(a.host);
      seen.set(key, entry);
    }
  }
  return [...seen.values()];
}

/** Runs `check` on every file, at most two at a time; collects `path (hosts): complaint`. */
async function problemsOf(
  files: { path: string; content: string; hosts: string[] }[],
  check: (f: { path: string; content: string }) => Promise<string>,
): Promise<string[]> {
  const problems: string[] = [];
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const complaint = await check(f);
      if (complaint) problems.push(`${f.path} (${f.hosts.slice(0, 3).join(', ')}): ${complaint}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return problems;
}

describe('example hosts', () => {
  test('there are hosts on both clouds, each with files to check', () => {
    expect(new Set(artifacts.map((a) => a.stack))).toEqual(
      new Set([
        'example-alicloud-infra',
        'example-openstack-infra',
        'example-alicloud-k8s-infra',
        'example-openstack-k8s-infra',
      ]),
    );
    // 18 hosts in the Mesos examples, the ACK example's bastion, the kubeadm example's bastion, 3 control, 3 workers
    expect(artifacts.length).toBe(26);
    for (const a of artifacts) expect(a.files.length).toBeGreaterThan(3);
  });

  test('every rendered file is of a kind a checker covers', () => {
    const unknown = artifacts.flatMap((a) =>
      a.files.filter((f) => kindOf(f) === undefined).map((f) => `${a.host}: ${f.path}`),
    );
    expect(unknown).toEqual([]);
  });

  testWith(
    'cloud-init',
    'every cloud-config passes `cloud-init schema`',
    async () => {
      const docs = [...new Map(artifacts.map((a) => [a.cloudConfig, a.host])).entries()].map(([content, host]) => ({
        path: 'user-data',
        content,
        hosts: [host],
      }));
      expect(await problemsOf(docs, (d) => checkCloudConfig(d.content))).toEqual([]);
    },
    180_000,
  );

  testWith(
    'shellcheck',
    'every script passes shellcheck',
    async () => {
      expect(await problemsOf(filesOf('shell'), (f) => checkShell(path.basename(f.path), f.content))).toEqual([]);
    },
    120_000,
  );

  testWith('shellcheck', 'every file a shell sources passes shellcheck', async () => {
    expect(await problemsOf(filesOf('sourced-shell'), (f) => checkSourcedShell(f.content))).toEqual([]);
  });

  test('environment files follow the grammar of the program that reads them', async () => {
    expect(await problemsOf(filesOf('systemd-env'), async (f) => checkSystemdEnvFile(f.content))).toEqual([]);
    expect(await problemsOf(filesOf('docker-env'), async (f) => checkDockerEnvFile(f.content))).toEqual([]);
  });

  test('Mesos-DNS, GlusterFS, CNI and Calico files have the fields their programs read', async () => {
    expect(await problemsOf(filesOf('mesos-dns'), async (f) => checkMesosDnsConfig(f.content))).toEqual([]);
    expect(await problemsOf(filesOf('glusterfs-volfile'), async (f) => checkVolfile(f.content))).toEqual([]);
    expect(await problemsOf(filesOf('cni-config'), async (f) => checkCniConfig(f.content))).toEqual([]);
    expect(await problemsOf(filesOf('calico-manifest'), async (f) => checkCalicoManifest(f.content))).toEqual([]);
  });

  testWith(
    'systemd-analyze',
    'every systemd unit of every host passes `systemd-analyze verify`',
    async () => {
      const problems: string[] = [];
      const byHostUnits = new Map<string, { name: string; content: string }[]>();
      for (const a of artifacts) {
        const units = a.files
          .filter((f) => kindOf(f) === 'systemd-unit')
          .map((f) => ({ name: path.relative('/etc/systemd/system', f.path), content: f.content }));
        if (units.length > 0) byHostUnits.set(JSON.stringify(units), units);
      }
      for (const units of byHostUnits.values()) {
        const complaint = await checkUnits(units);
        if (complaint) problems.push(`${units.map((u) => u.name).join(', ')}: ${complaint}`);
      }
      expect(problems).toEqual([]);
    },
    180_000,
  );

  testWith('dnsmasq', 'every dnsmasq configuration passes `dnsmasq --test`', async () => {
    expect(await problemsOf(filesOf('dnsmasq'), (f) => checkDnsmasq(f.content))).toEqual([]);
  });

  testWith('chronyd', 'every chrony configuration passes `chronyd -p`', async () => {
    expect(await problemsOf(filesOf('chrony'), (f) => checkChrony(f.content))).toEqual([]);
  });

  testWith('keepalived', 'every keepalived configuration passes `keepalived -t`', async () => {
    const problems: string[] = [];
    for (const a of artifacts) {
      const config = a.files.find((f) => kindOf(f) === 'keepalived');
      if (!config) continue;
      const scripts = a.files.filter((f) => f.path.startsWith('/etc/keepalived/') && f.path.endsWith('.sh'));
      const complaint = await checkKeepalived(config.content, scripts);
      if (complaint) problems.push(`${a.host}: ${complaint}`);
    }
    expect(problems).toEqual([]);
    expect(artifacts.filter((a) => a.files.some((f) => kindOf(f) === 'keepalived')).length).toBeGreaterThan(0);
  });

  testWith('apt-config', 'every apt configuration file parses with apt-config', async () => {
    expect(await problemsOf(filesOf('apt'), (f) => checkAptConf(f.content))).toEqual([]);
  });

  testWith('apt-cache', 'every apt preferences file parses with apt-cache policy', async () => {
    expect(await problemsOf(filesOf('apt-preferences'), (f) => checkAptPreferences(f.content))).toEqual([]);
  });

  testWith('python3', 'every logback configuration is well-formed XML', async () => {
    expect(filesOf('logback').length).toBeGreaterThan(0);
    expect(await problemsOf(filesOf('logback'), (f) => checkXml(f.content))).toEqual([]);
  });

  testWith('sysctl', 'every sysctl setting names a kernel parameter', async () => {
    expect(await problemsOf(filesOf('sysctl'), (f) => checkSysctl(f.content))).toEqual([]);
  });

  test('every daemon.json has only keys dockerd accepts, with their types', async () => {
    expect(await problemsOf(filesOf('docker-daemon'), (f) => checkDaemonJson(f.content))).toEqual([]);
  });

  test('the kinds table documents a checker for every kind', () => {
    for (const kind of Object.keys(FILE_KINDS) as FileKind[]) expect(FILE_KINDS[kind].checkedBy).not.toBe('');
  });
});
