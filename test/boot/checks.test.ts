/**
 * The first-boot test's judgement of a kubeadm control-plane host, without a VM: where it must stop (the
 * Kubernetes packages unit, at its first download from pkgs.k8s.io), and containerd running with the rendered
 * config. Reports here are written as the guest's report script writes them (test/boot/guest/regionkit-boot-report).
 */
import { createHash } from 'node:crypto';

import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { containerdProblems, declaredUnits, expectedNotActive, failureProblems, unitProblems } from './checks.js';
import { exampleHosts } from './hosts.js';
import { prepareUserData } from './replace.js';
import { parseReport, type Report } from './report.js';

const HOST = (await exampleHosts()).find((h) => h.name === 'example-openstack-k8s-control-1')!;
const USER_DATA = prepareUserData(HOST.terraformUserData).userData;
const CONFIG = (parse(USER_DATA) as { write_files: { path: string; content: string }[] }).write_files.find(
  (f) => f.path === '/etc/containerd/config.toml',
)!.content;
const SHA = createHash('sha256').update(CONFIG).digest('hex');

const PACKAGES_JOURNAL = [
  '[  812.101] example-openstack-k8s-control-1 systemd[1]: Starting regionkit-kubernetes-packages.service - Install kubelet, kubeadm and kubectl 1.36 from pkgs.k8s.io (regionkit)...',
  '[  812.402] example-openstack-k8s-control-1 regionkit-kubernetes-packages[1201]: curl: (6) Could not resolve host: pkgs.k8s.io',
  '[  842.511] example-openstack-k8s-control-1 regionkit-kubernetes-packages[1201]: curl: (6) Could not resolve host: pkgs.k8s.io',
  '[  842.512] example-openstack-k8s-control-1 regionkit-kubernetes-packages[1201]: regionkit-kubernetes-packages: giving up: curl -fsSL --max-time 60 -o /etc/apt/keyrings/kubernetes-v1.36.asc.tmp https://pkgs.k8s.io/core:/stable:/v1.36/deb/Release.key',
  '[  842.530] example-openstack-k8s-control-1 systemd[1]: regionkit-kubernetes-packages.service: Main process exited, code=exited, status=1/FAILURE',
];
const KUBEADM_JOURNAL = [
  '[  842.531] example-openstack-k8s-control-1 systemd[1]: Dependency failed for regionkit-kubeadm.service - Make this host a control-plane node of Kubernetes cluster example-openstack-k8s (regionkit).',
];

/** A report as the guest writes it, with the packages unit and kubeadm ended as given. */
function report(o: { packages?: string; packagesJournal?: string[]; probe?: string } = {}): Report {
  const state = (id: string, s: string) => `Id=${id} LoadState=loaded ${s} UnitFileState=enabled`;
  const ok = 'ActiveState=active SubState=exited Result=success';
  return parseReport(
    [
      '### cloud-init-status',
      'status: done',
      '### failed',
      'regionkit-kubernetes-packages.service loaded failed failed Install kubelet',
      'regionkit-secrets.service loaded failed failed Fetch this host',
      '### units',
      state('regionkit-metadata-guard.service', ok),
      state('regionkit-secrets.service', 'ActiveState=failed SubState=failed Result=exit-code'),
      state('regionkit-metadata-close.service', ok),
      state('chrony.service', 'ActiveState=active SubState=running Result=success'),
      state('containerd.service', 'ActiveState=active SubState=running Result=success'),
      state(
        'regionkit-kubernetes-packages.service',
        o.packages ?? 'ActiveState=failed SubState=failed Result=exit-code',
      ),
      state('regionkit-kubeadm.service', 'ActiveState=inactive SubState=dead Result=success'),
      '### journal',
      '--- regionkit-secrets.service',
      '[  300.000] example-openstack-k8s-control-1 regionkit-secrets[900]: regionkit-secrets: giving up: timed out',
      '--- regionkit-kubernetes-packages.service',
      ...(o.packagesJournal ?? PACKAGES_JOURNAL),
      '--- regionkit-kubeadm.service',
      ...KUBEADM_JOURNAL,
      '### probes',
      o.probe ??
        `containerd-config sha256=${SHA} written=1000 started=1010 dump= sandbox_image = "registry.k8s.io/pause:3.10.2"| SystemdCgroup = true`,
      'kubernetes-packages no-kubelet no-kubeadm no-kubectl',
    ].join('\n'),
  );
}

describe('a kubeadm control-plane host stops where the Kubernetes packages are needed', () => {
  test('expected not active: the secret fetch, the packages unit and kubeadm, nothing else', () => {
    expect(Object.fromEntries(expectedNotActive(HOST))).toEqual({
      'regionkit-secrets.service': 'host: secrets',
      'regionkit-kubernetes-packages.service': 'kubelet: packages',
      'regionkit-kubeadm.service': 'kubeadm: packages, kubeadm: secrets',
    });
    expect(declaredUnits(USER_DATA)).toEqual([
      'regionkit-metadata-guard.service',
      'regionkit-secrets.service',
      'regionkit-metadata-close.service',
      'chrony.service',
      'containerd.service',
      'regionkit-kubernetes-packages.service',
      'regionkit-kubeadm.service',
    ]);
  });

  test('a report that stops at the signing key from pkgs.k8s.io, with containerd running its config, is clean', () => {
    const r = report();
    expect(unitProblems(HOST, r, declaredUnits(USER_DATA))).toEqual([]);
    expect(failureProblems(HOST, r)).toEqual([]);
    expect(containerdProblems(r, USER_DATA)).toEqual([]);
  });

  test('a packages unit that got past the key (or failed elsewhere) is a problem', () => {
    const pastKey = [
      PACKAGES_JOURNAL[0]!,
      '[  900.000] example-openstack-k8s-control-1 regionkit-kubernetes-packages[1201]: regionkit-kubernetes-packages: giving up: apt-get update -qq',
    ];
    expect(failureProblems(HOST, report({ packagesJournal: pastKey }))).toEqual([
      'kubelet: the journal of regionkit-kubernetes-packages.service has no line matching /curl: \\(\\d+\\) [^\\n]*\\bpkgs\\.k8s\\.io\\b/',
      expect.stringMatching(
        /^kubelet: the journal of regionkit-kubernetes-packages.service has no line matching \/regionkit-kubernetes-packages: giving up: curl /,
      ),
    ]);
    // still retrying when the report was written (the test image's two tries not applied)
    expect(failureProblems(HOST, report({ packages: 'ActiveState=activating SubState=start Result=success' }))).toEqual(
      [
        'kubelet: regionkit-kubernetes-packages.service is activating (result success), expected failed (result exit-code)',
      ],
    );
    expect(failureProblems(HOST, report({ packages: 'ActiveState=failed SubState=failed Result=timeout' }))).toEqual([
      'kubelet: regionkit-kubernetes-packages.service is failed (result timeout), expected failed (result exit-code)',
    ]);
  });

  test('containerd with another config, or started before the rendered one was written, is a problem', () => {
    const probe = (sha: string, written: number, started: number, dump: string) =>
      `containerd-config sha256=${sha} written=${written} started=${started} dump=${dump}`;
    const dump = ' sandbox_image = "registry.k8s.io/pause:3.10.2"| SystemdCgroup = true';
    expect(containerdProblems(report({ probe: probe('0'.repeat(64), 1000, 1010, dump) }), USER_DATA)).toEqual([
      expect.stringMatching(/^containerd: \/etc\/containerd\/config.toml is not the rendered file/),
    ]);
    expect(containerdProblems(report({ probe: probe(SHA, 1010, 1000, dump) }), USER_DATA)).toEqual([
      expect.stringMatching(/^containerd: started before its config was written/),
    ]);
    expect(containerdProblems(report({ probe: probe(SHA, 1000, 1010, ' SystemdCgroup = false') }), USER_DATA)).toEqual([
      'containerd: config dump does not show "SystemdCgroup = true" (' +
        probe(SHA, 1000, 1010, ' SystemdCgroup = false') +
        ')',
      expect.stringMatching(/^containerd: config dump does not show "sandbox_image = /),
    ]);
    expect(containerdProblems(report({ probe: 'kubernetes-packages none' }), USER_DATA)).toEqual([
      'containerd: not active, or no /etc/containerd/config.toml (no containerd-config probe)',
    ]);
  });
});
