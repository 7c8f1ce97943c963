/**
 * The faults of issue 7 that live in the Mesos roles, the host OS and the shared container unit, each asserted
 * as the right value in what both example regions render (and, where a script decides, by running it).
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Testing } from 'cdktf';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { CGROUP_V1_GRUB, CGROUP_V1_KERNEL_ARG, CGROUP_V1_SCRIPT } from '../../constructs/roles/mesos-agent.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import { groupOs, regionSpecSchema, type RegionSpec } from '../../lib/spec/region-spec.js';
import { semanticIssues } from '../../lib/spec/semantic.js';
import { IMAGES } from '../../lib/versions.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { hostArtifacts, type HostArtifacts } from '../checkers/artifacts.js';
import { EXAMPLE_FILES, synthJson } from '../helpers.js';

const specs: RegionSpec[] = [];
const artifacts: HostArtifacts[] = [];
const synthesized: Record<string, unknown>[] = [];
for (const file of EXAMPLE_FILES) {
  const { spec } = await loadRegionFile(file);
  specs.push(spec);
  const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
  const json = synthJson(stack);
  synthesized.push(json as Record<string, unknown>);
  artifacts.push(...hostArtifacts(stack.node.id, json as never));
}
const groupOf = (host: string) => host.split('-').at(-2)!;
const hostsOf = (group: string) => artifacts.filter((a) => groupOf(a.host) === group);
const file = (a: HostArtifacts, p: string) => a.files.find((f) => f.path === p);
const unitLines = (a: HostArtifacts, key: string) =>
  a.files
    .filter((f) => f.path.startsWith('/etc/systemd/system/'))
    .flatMap((f) =>
      f.content
        .split('\n')
        .filter((l) => l.startsWith(`${key}=`))
        .map((l) => ({ unit: f.path, l })),
    );
const privateIpOf = (a: HostArtifacts) =>
  /^listen-address=127\.0\.0\.1,(.+)$/m.exec(file(a, '/etc/dnsmasq.d/60-regionkit.conf')!.content)![1]!;

describe('host OS per group', () => {
  test('Mesos groups default to debian-12, every other group to debian-13', () => {
    for (const spec of specs) {
      for (const g of spec.hostGroups) {
        expect(groupOs(spec, g), `${spec.name} ${g.name}`).toBe(g.name === 'bastion' ? 'debian-13' : 'debian-12');
      }
    }
  });

  test("Alibaba's default image follows the group's OS", () => {
    const json = synthesized[EXAMPLE_FILES.findIndex((f) => f.endsWith('example-alicloud.yaml'))] as {
      data: { alicloud_images: Record<string, { name_regex: string }> };
    };
    const regexes = Object.values(json.data.alicloud_images).map((d) => d.name_regex);
    expect(regexes.sort()).toEqual(['^debian_12_([0-9]+_)?x64_20G_alibase_', '^debian_13_([0-9]+_)?x64_20G_alibase_']);
    expect(new RegExp(regexes[0]!).test('debian_12_6_x64_20G_alibase_20240819.vhd')).toBe(true);
  });

  test("Alibaba's hosts use its Debian mirror, with the separate security archive", () => {
    for (const a of artifacts.filter((x) => x.stack.startsWith('example-alicloud'))) {
      const apt = (parse(a.cloudConfig) as { apt: { primary: { uri: string }[]; security: { uri: string }[] } }).apt;
      expect(apt.primary[0]!.uri).toBe('http://mirrors.cloud.aliyuncs.com/debian');
      expect(apt.security[0]!.uri).toBe('http://mirrors.cloud.aliyuncs.com/debian-security');
    }
  });

  test('unattended-upgrades takes Debian security updates only', () => {
    for (const a of artifacts) {
      const conf = file(a, '/etc/apt/apt.conf.d/52regionkit-unattended-upgrades')!.content;
      expect(conf).toContain('"origin=Debian,codename=${distro_codename}-security,label=Debian-Security";');
      expect(conf).toContain('#clear Unattended-Upgrade::Origins-Pattern;');
    }
  });
});

describe('fault 1: the Mesos agent gets cgroup v1 and never runs on cgroup2', () => {
  const workers = hostsOf('worker');

  test('the kernel argument goes into a GRUB drop-in, update-grub runs, and the host reboots once', () => {
    expect(workers.length).toBe(6);
    for (const a of workers) {
      expect(file(a, CGROUP_V1_GRUB)!.content).toContain(
        `GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX ${CGROUP_V1_KERNEL_ARG}"`,
      );
      const doc = parse(a.cloudConfig) as { power_state: { mode: string; condition: string[] } };
      expect(doc.power_state.mode).toBe('reboot');
      expect(doc.power_state.condition).toEqual([CGROUP_V1_SCRIPT, 'needs-reboot']);
      const cmds = a.runcmd.map((c) => c.join(' '));
      expect(cmds).toContain(`${CGROUP_V1_SCRIPT} setup`);
      // enabled for the next boot, never started by `enable --now` on cgroup2
      expect(cmds).toContain('systemctl enable mesos_agent.service');
      expect(cmds).not.toContain('systemctl enable --now mesos_agent.service');
      expect(unitLines(a, 'ExecStartPre').map((x) => x.l)).toContain(`ExecStartPre=${CGROUP_V1_SCRIPT} check`);
    }
  });

  test('the check script refuses cgroup2 and asks for the reboot; on cgroup v1 it passes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-cgroup-'));
    const script = path.join(dir, 'regionkit-cgroup-v1');
    await writeFile(script, file(workers[0]!, CGROUP_V1_SCRIPT)!.content);
    await chmod(script, 0o755);
    const cgroup2 = path.join(dir, 'cgroup2');
    await writeFile(cgroup2, 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n');
    const v1 = path.join(dir, 'v1');
    await writeFile(
      v1,
      [
        'tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0',
        'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0',
        'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0',
        'cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0',
        'cgroup /sys/fs/cgroup/freezer cgroup rw,nosuid,nodev,noexec,relatime,freezer 0 0',
        '',
      ].join('\n'),
    );
    const run = (mounts: string, arg: string) =>
      execa('sh', [script, arg], { env: { REGIONKIT_PROC_MOUNTS: mounts }, reject: false });
    expect((await run(cgroup2, 'check')).exitCode).toBe(1);
    expect((await run(cgroup2, 'needs-reboot')).exitCode).toBe(0);
    expect((await run(v1, 'check')).exitCode).toBe(0);
    expect((await run(v1, 'needs-reboot')).exitCode).toBe(1);
  });

  test('a Mesos worker group on an OS without cgroup v1 is an error naming the field, the value and what is allowed', () => {
    for (const bad of ['debian-13', 'ubuntu-24.04']) {
      const spec = structuredClone(specs[0]!);
      const i = spec.hostGroups.findIndex((g) => g.name === 'worker');
      spec.hostGroups[i] = { ...spec.hostGroups[i]!, os: bad as never };
      expect(semanticIssues(regionSpecSchema.parse(spec))).toContainEqual({
        path: `hostGroups[${i}].os`,
        message: `must be debian-12 for the Mesos worker group (Mesos agents need the cgroup v1 hierarchy, which ${bad} cannot mount), got "${bad}"`,
      });
    }
  });
});

describe('fault 2: Mesos and Marathon versions fit together', () => {
  test('a Marathon that sends UPDATE_FRAMEWORK (1.9 and later) runs only with Mesos 1.9 and later', () => {
    const minor = (tag: string) => Number(/^v?1\.(\d+)\./.exec(tag)![1]);
    const mesos = minor(IMAGES.mesosMaster.tag);
    expect(minor(IMAGES.mesosAgent.tag)).toBe(mesos);
    if (mesos < 9) expect(minor(IMAGES.marathon.tag)).toBeLessThan(9);
    // Marathon 1.8 needs Mesos 1.5 or later (its changelog)
    expect(mesos).toBeGreaterThanOrEqual(5);
  });
});

describe('fault 6: no Calico on Mesos workers', () => {
  test('calico on the worker group is an error that says why', () => {
    const spec = structuredClone(specs[0]!);
    const i = spec.hostGroups.findIndex((g) => g.name === 'worker');
    spec.hostGroups[i] = { ...spec.hostGroups[i]!, roles: ['calico'] };
    spec.hostConfig = { ...spec.hostConfig, calicoIpPoolCidr: '172.24.0.0/14' };
    const issue = semanticIssues(regionSpecSchema.parse(spec)).find((x) => x.path === `hostGroups[${i}].roles`);
    expect(issue?.message).toMatch(/^must not include calico on the Mesos worker group: .*got \["calico"\]$/);
  });
});

describe('fault 7: containers resolve through the host, not public DNS', () => {
  test('dockerd hands containers the private address, where dnsmasq listens, on every host with dnsmasq', () => {
    for (const a of artifacts.filter((x) => file(x, '/etc/dnsmasq.d/60-regionkit.conf'))) {
      const ip = privateIpOf(a);
      expect(ip).toMatch(/^10\.\d+\.\d+\.\d+$/);
      const daemon = JSON.parse(file(a, '/etc/docker/daemon.json')!.content) as { dns?: string[] };
      expect(daemon.dns).toEqual([ip]);
      expect(file(a, '/etc/dnsmasq.d/60-regionkit.conf')!.content).toMatch(/^bind-dynamic$/m);
    }
  });

  test("dnsmasq's upstreams exist on every OS: the cloud's resolvers, else the list the switch script makes", () => {
    for (const a of artifacts.filter((x) => file(x, '/etc/dnsmasq.d/60-regionkit.conf'))) {
      const conf = file(a, '/etc/dnsmasq.d/60-regionkit.conf')!.content;
      expect(conf).not.toContain('/run/systemd/resolve/resolv.conf');
      if (a.stack.startsWith('example-alicloud')) {
        expect(conf).toMatch(/^no-resolv\nserver=100\.100\.2\.136\nserver=100\.100\.2\.138$/m);
      } else {
        // example-openstack names dnsNameservers: they are the upstreams
        expect(conf).toMatch(/^no-resolv\nserver=192\.0\.2\.53$/m);
      }
    }
  });
});

describe('fault 8: cached images start while the registry is down', () => {
  test('every docker pull before a start is allowed to fail', () => {
    const pulls = artifacts.flatMap((a) => unitLines(a, 'ExecStartPre').filter((x) => x.l.includes(' pull ')));
    expect(pulls.length).toBeGreaterThan(20);
    for (const { unit, l } of pulls) expect(l, unit).toMatch(/^ExecStartPre=-\/usr\/bin\/docker pull /);
  });
});

describe('fault 9: docker-clean keeps networks and pinned images', () => {
  const cleaned = artifacts.filter((x) => file(x, '/etc/regionkit/docker-clean.keep'));

  test('no system or network prune, and the keep list holds every pinned image', () => {
    expect(cleaned.length).toBeGreaterThan(10);
    for (const a of cleaned) {
      const script = file(a, '/usr/local/sbin/regionkit-docker-clean')!.content;
      expect(script).not.toMatch(/system prune|network prune|--all/);
      const keep = file(a, '/etc/regionkit/docker-clean.keep')!
        .content.split('\n')
        .filter((l) => l && !l.startsWith('#'));
      expect(keep).toHaveLength(Object.keys(IMAGES).length);
      for (const ref of keep) expect(ref).toMatch(/^registry\.example-[a-z]+\.internal\/[a-z]+-proxy\/.+:[\w.-]+$/);
    }
  });

  test('run against a fake docker, it removes an old unused image but neither a pinned image nor a network', async () => {
    const a = cleaned[0]!;
    const keep = file(a, '/etc/regionkit/docker-clean.keep')!.content;
    const pinned = keep.split('\n').find((l) => l.includes('marathon'))!;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-clean-'));
    const log = path.join(dir, 'calls');
    await writeFile(path.join(dir, 'keep'), keep);
    await writeFile(
      path.join(dir, 'docker'),
      `#!/bin/sh\necho "$*" >>${log}\ncase "$1 $2" in\n` +
        `"image ls") printf '%s\\n' '${pinned}' 'example/app:1' ;;\n` +
        `"image inspect") echo 2019-01-01T00:00:00Z ;;\nesac\n`,
    );
    await chmod(path.join(dir, 'docker'), 0o755);
    await writeFile(path.join(dir, 'clean'), file(a, '/usr/local/sbin/regionkit-docker-clean')!.content);
    await execa('sh', [path.join(dir, 'clean'), '168', path.join(dir, 'keep')], {
      env: { PATH: `${dir}:${process.env.PATH}` },
    });
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(calls).toContain('image rm example/app:1');
    expect(calls).not.toContain(`image rm ${pinned}`);
    expect(calls.filter((c) => c.startsWith('network'))).toEqual([]);
    expect(calls).toContain('container prune --force --filter until=168h');
  });
});

describe('fault 10 and 12: start order and private bind addresses', () => {
  test('dnsmasq starts after the network and restarts on failure', () => {
    for (const a of artifacts.filter((x) => file(x, '/etc/dnsmasq.d/60-regionkit.conf'))) {
      const dropIn = file(a, '/etc/systemd/system/dnsmasq.service.d/60-regionkit.conf')!.content;
      expect(dropIn).toMatch(/^After=network-online\.target$/m);
      expect(dropIn).toMatch(/^Wants=network-online\.target$/m);
      expect(dropIn).toMatch(/^Restart=on-failure$/m);
    }
  });

  test('Chronos and Mesos-DNS bind the private address; Marathon and the masters too', () => {
    for (const a of hostsOf('control')) {
      const ip = privateIpOf(a);
      const exec = (unit: string) => unitLines(a, 'ExecStart').find((x) => x.unit.endsWith(`/${unit}.service`))!.l;
      expect(exec('chronos')).toContain(`--http_address ${ip}`);
      expect(exec('marathon')).toContain(`--http_address ${ip}`);
      expect(exec('mesos_master')).toContain(`--ip=${ip}`);
      const dns = file(a, '/etc/mesos-dns/config.json') ?? file(a, '/etc/mesos-dns/config.template.json');
      const config = JSON.parse(dns!.content) as { listener: string; httplistener: string };
      expect([config.listener, config.httplistener]).toEqual([ip, ip]);
    }
    for (const a of hostsOf('worker')) {
      const agent = unitLines(a, 'ExecStart').find((x) => x.unit.endsWith('/mesos_agent.service'))!.l;
      expect(agent).toContain(`--ip=${privateIpOf(a)}`);
    }
  });
});

describe('fault 11: weave uses the sleeve transport only', () => {
  test('--no-fastdp on every weave router', () => {
    const weave = artifacts.flatMap((a) => unitLines(a, 'ExecStart').filter((x) => x.unit.endsWith('/weave.service')));
    expect(weave.length).toBeGreaterThan(0);
    for (const { l } of weave) expect(l.split(' ')).toContain('--no-fastdp');
  });

  test("the router speaks a Docker API version the host's engine accepts (Debian 12's 20.10 tops out at 1.41)", () => {
    const weave = artifacts.flatMap((a) => unitLines(a, 'ExecStart').filter((x) => x.unit.endsWith('/weave.service')));
    for (const { l } of weave) expect(l.split(' ')).toContain('--env=DOCKER_API_VERSION=1.24');
  });
});
