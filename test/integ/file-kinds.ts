/**
 * The kinds of file host roles render, how each is recognised by its path, and what checks it. A file that
 * matches no kind fails test/integ/host-artifacts.test.ts.
 */
export interface RenderedFile {
  readonly path: string;
  readonly permissions: string;
}

interface KindSpec {
  readonly match: (f: RenderedFile) => boolean;
  /** The program (or test) that checks files of this kind. */
  readonly checkedBy: string;
}

/** Files read by systemd's EnvironmentFile= (Debian units read /etc/default/<name>). */
const SYSTEMD_ENV_FILES = ['/etc/default/etcd', '/etc/default/keepalived', '/etc/default/prometheus-node-exporter'];
/** Files read by `docker run --env-file`, or line by line by a regionkit script. */
const DOCKER_ENV_FILES = [
  '/etc/calico/calico.env',
  '/etc/weave/weave.env',
  '/etc/rexray/plugin.env',
  '/etc/marathon/http.env',
  '/etc/marathon/zk.env',
  '/etc/chronos/http.env',
];
/**
 * Files a shell sources (Debian's /etc/init.d/dnsmasq reads /etc/default/dnsmasq, grub-mkconfig the
 * /etc/default/grub.d drop-ins, dhclient-script its enter hooks).
 */
const SOURCED_SHELL_FILES = [
  '/etc/default/dnsmasq',
  '/etc/default/grub.d/60-regionkit-cgroup-v1.cfg',
  '/etc/dhcp/dhclient-enter-hooks.d/60-regionkit-dnsmasq',
];

export const FILE_KINDS = {
  'image-list': {
    match: (f) => f.path === '/etc/regionkit/docker-clean.keep',
    checkedBy: 'every line a pinned image reference (test/integ/host-os-faults.test.ts)',
  },
  'systemd-unit': {
    match: (f) =>
      /^\/etc\/systemd\/system\/[^/]+\.(service|timer|mount|automount|socket|path)$/.test(f.path) ||
      /^\/etc\/systemd\/system\/[^/]+\.d\/[^/]+\.conf$/.test(f.path),
    checkedBy: 'systemd-analyze verify',
  },
  shell: {
    match: (f) => (f.permissions === '0755' || f.path.endsWith('.sh')) && !f.path.startsWith('/etc/systemd/'),
    checkedBy: 'shellcheck',
  },
  'sourced-shell': {
    match: (f) => SOURCED_SHELL_FILES.includes(f.path),
    checkedBy: 'shellcheck --shell=sh (sourced, not run)',
  },
  'systemd-env': {
    match: (f) => SYSTEMD_ENV_FILES.includes(f.path),
    checkedBy: "systemd.exec(5) EnvironmentFile grammar (test/checkers/formats.ts); etcd's also by a real etcd cluster",
  },
  'docker-env': {
    match: (f) => DOCKER_ENV_FILES.includes(f.path),
    checkedBy: "docker's --env-file grammar (opts.ParseEnvFile, test/checkers/formats.ts)",
  },
  'secret-delivery': {
    match: (f) =>
      [
        '/usr/local/lib/regionkit/regionkit-secrets',
        '/etc/regionkit/secrets.json',
        '/etc/regionkit/secrets-credential',
      ].includes(f.path),
    checkedBy:
      'python3 -m py_compile and Alibaba SDK known-answer signing (fetch script); settings and credential file shapes (test/lib/cloudinit/secret-delivery.test.ts)',
  },
  'tls-pem': {
    match: (f) =>
      /^\/etc\/(etcd|calico)\/pki\/[\w-]+\.(crt|key)$/.test(f.path) ||
      /^\/etc\/kubernetes\/pki\/(etcd\/)?[\w-]+\.(crt|key|pub)$/.test(f.path) ||
      f.path === '/etc/regionkit/kubernetes/ca.crt',
    checkedBy:
      'one secret reference, rendered at boot; the PEMs themselves by a real etcd cluster serving TLS with the real tls provider output (test/constructs/roles/etcd.test.ts)',
  },
  'mesos-credentials': {
    match: (f) => ['/etc/mesos/credentials', '/etc/mesos/agent-credential'].includes(f.path),
    checkedBy:
      'the JSON shapes of --credentials and --credential at Mesos 1.7.1 (test/constructs/roles/mesos-auth.test.ts)',
  },
  'zk-url': {
    match: (f) => f.path === '/etc/mesos/zk',
    checkedBy:
      'one zk://mesos:<reference>@host:port,…/mesos URL, the form apache/mesos 1.7.1 include/mesos/zookeeper/url.hpp parses (test/constructs/roles/mesos-auth.test.ts)',
  },
  logback: {
    match: (f) => f.path === '/etc/marathon/logback.xml',
    checkedBy:
      'well-formed XML (python3 xml.etree); its loggers by test/constructs/roles/marathon.test.ts (logback itself does not run here)',
  },
  'secret-file': {
    match: (f) =>
      ['/etc/marathon/mesos-secret', '/etc/chronos/mesos-secret', '/etc/marathon-lb/marathon-credentials'].includes(
        f.path,
      ),
    checkedBy:
      'exactly one secret reference (Marathon, Chronos read the file whole) or user:reference (marathon-lb reads the first line) (test/constructs/roles/mesos-auth.test.ts)',
  },
  dnsmasq: { match: (f) => /^\/etc\/dnsmasq\.d\//.test(f.path), checkedBy: 'dnsmasq --test' },
  chrony: { match: (f) => f.path === '/etc/chrony/chrony.conf', checkedBy: 'chronyd -p' },
  keepalived: {
    match: (f) => f.path === '/etc/keepalived/keepalived.conf.in',
    checkedBy: 'keepalived -t, with the interface filled in as the boot script does',
  },
  apt: { match: (f) => f.path.startsWith('/etc/apt/apt.conf.d/'), checkedBy: 'apt-config dump' },
  'apt-preferences': { match: (f) => f.path.startsWith('/etc/apt/preferences.d/'), checkedBy: 'apt-cache policy' },
  sysctl: { match: (f) => f.path.startsWith('/etc/sysctl.d/'), checkedBy: 'sysctl -n <key>' },
  'docker-daemon': {
    match: (f) => f.path === '/etc/docker/daemon.json',
    checkedBy:
      "dockerd 29's daemon.json keys and types (test/fixtures/dockerd-daemon-json-keys.json, from moby source)",
  },
  zookeeper: {
    match: (f) => f.path.startsWith('/etc/zookeeper/conf/'),
    checkedBy:
      'a real three-member ZooKeeper ensemble from the example control hosts (test/integ/zookeeper-ensemble.test.ts)',
  },
  'mesos-dns': {
    match: (f) => f.path.startsWith('/etc/mesos-dns/') && f.path.endsWith('.json'),
    checkedBy: "Mesos-DNS's documented config.json keys (test/checkers/formats.ts)",
  },
  'glusterfs-volfile': {
    match: (f) => f.path === '/etc/glusterfs/glusterd.vol',
    checkedBy: "glusterfs's volfile grammar (test/checkers/formats.ts)",
  },
  'cni-config': {
    match: (f) => f.path.startsWith('/etc/calico/cni/'),
    checkedBy: 'CNI network configuration fields (SPEC.md)',
  },
  'calico-manifest': {
    match: (f) => f.path === '/etc/calico/ippool.yaml',
    checkedBy: 'projectcalico.org/v3 IPPool fields (test/checkers/formats.ts)',
  },
  'hosts-file': {
    match: (f) => f.path === '/etc/hosts',
    checkedBy: 'hosts(5) line format (test/integ/system-files.test.ts)',
  },
  'pam-limits': {
    match: (f) => f.path.startsWith('/etc/security/limits.d/'),
    checkedBy: 'limits.conf(5) line format (test/integ/system-files.test.ts)',
  },
  'systemd-config': {
    match: (f) => /^\/etc\/systemd\/(system|resolved)\.conf\.d\/[^/]+\.conf$/.test(f.path),
    checkedBy: "keys known to systemd's own parser tables (test/integ/system-files.test.ts)",
  },
  // kubeadm hosts (constructs/cluster/kubeadm-cluster.ts)
  'containerd-config': {
    match: (f) => f.path === '/etc/containerd/config.toml',
    checkedBy:
      "Debian 13's containerd: `config dump` loads it and gives back every value, every key is one `config default` knows (test/constructs/roles/kubeadm.test.ts)",
  },
  'kubeadm-config': {
    match: (f) => /^\/etc\/regionkit\/kubernetes\/(kubeadm-(init|join)\.yaml|discovery\.conf)$/.test(f.path),
    checkedBy:
      'kubeadm.k8s.io/v1beta4 field names at v1.36.3 (test/fixtures/kubeadm-v1beta4-fields.json), `kubeadm config validate` when built (test/constructs/roles/kubeadm.test.ts)',
  },
  'modules-load': {
    match: (f) => f.path.startsWith('/etc/modules-load.d/'),
    checkedBy: 'modules-load.d(5): comments and one module name per line (test/constructs/roles/kubeadm.test.ts)',
  },
} satisfies Record<string, KindSpec>;

export type FileKind = keyof typeof FILE_KINDS;

/** The kind of a rendered file, or undefined when no checker covers it. */
export function kindOf(f: RenderedFile): FileKind | undefined {
  return (Object.keys(FILE_KINDS) as FileKind[]).find((kind) => FILE_KINDS[kind].match(f));
}
