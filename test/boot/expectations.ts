/**
 * What the first-boot test expects of a host beyond "every declared unit is active": the ONE place that
 * lists units that cannot run here, the bind address of each role port, the mounts of data disks, the
 * replacements per host and the base image's own listeners. Extend these tables; the checks read only them
 * and the role model.
 */
import type { BootHost } from './hosts.js';

/** Why a unit is expected not to be active in the test environment. */
export type NotActiveReason =
  /** its container image or plugin comes from the region's registry mirror or Docker Hub, unreachable here */
  | 'image'
  /** it needs hosts of another group that are not booted with this host */
  | 'peers'
  /**
   * it needs the host's secrets, and there is no cloud secret store here (no Alibaba Cloud KMS with an instance
   * RAM role, no Keystone and Barbican; none is faked): `regionkit-secrets.service` gives up and every unit that
   * requires it fails with it (docs/boot-test.md, "What the test cannot prove"). No reason on a host that
   * boots with its secrets (bootsWithSecrets).
   */
  | 'secrets'
  /**
   * it needs the Kubernetes packages (kubelet, kubeadm, kubectl), which come only from pkgs.k8s.io, and that
   * cannot be reached from the machine running the test (nothing stands in for it): the packages unit fails at
   * its first download (EXPECTED_FAILURES) and every unit that requires it does not start
   */
  | 'packages';

/**
 * Units of a role that are expected NOT to be active on a booted test host, with why. The test asserts the
 * set of declared units that are not active, plus `systemctl --failed`, equals exactly the union of these
 * entries over the host's roles: a unit listed here that runs fails the test too (remove it from here).
 */
export const EXPECTED_NOT_ACTIVE: Readonly<Record<string, readonly { unit: string; reason: NotActiveReason }[]>> = {
  'mesos-master': [
    { unit: 'mesos_master.service', reason: 'image' },
    { unit: 'mesos_master.service', reason: 'secrets' },
    // reads the masters' ZooKeeper URL (/etc/mesos/zk)
    { unit: 'regionkit-mesos-zk-acl.service', reason: 'secrets' },
  ],
  marathon: [
    { unit: 'marathon.service', reason: 'image' },
    { unit: 'marathon.service', reason: 'secrets' },
  ],
  chronos: [
    { unit: 'chronos.service', reason: 'image' },
    { unit: 'chronos.service', reason: 'secrets' },
  ],
  'mesos-dns': [{ unit: 'mesos_dns.service', reason: 'image' }],
  'marathon-lb': [
    { unit: 'marathon-lb.service', reason: 'image' },
    { unit: 'marathon-lb.service', reason: 'secrets' },
  ],
  'mesos-agent': [
    { unit: 'mesos_agent.service', reason: 'image' },
    { unit: 'mesos_agent.service', reason: 'secrets' },
  ],
  cadvisor: [{ unit: 'cadvisor.service', reason: 'image' }],
  weave: [
    { unit: 'weave.service', reason: 'image' },
    { unit: 'weave.service', reason: 'secrets' },
  ],
  etcd: [{ unit: 'etcd.service', reason: 'secrets' }],
  calico: [
    { unit: 'calico-node.service', reason: 'image' },
    { unit: 'calico-cni.service', reason: 'image' },
    { unit: 'calico-ippool.service', reason: 'image' },
  ],
  rexray: [
    { unit: 'rexray-plugin.service', reason: 'image' },
    { unit: 'rexray-plugin.service', reason: 'secrets' },
  ],
  // The worker boots without the control group: no GlusterFS servers to mount from.
  'glusterfs-client': [{ unit: 'mnt-shared.mount', reason: 'peers' }],
  kubelet: [{ unit: 'regionkit-kubernetes-packages.service', reason: 'packages' }],
  kubeadm: [
    { unit: 'regionkit-kubeadm.service', reason: 'packages' },
    { unit: 'regionkit-kubeadm.service', reason: 'secrets' },
  ],
};

/** The restart delay of imageUnits() in the test image, as `systemctl show -p RestartUSec` prints `RestartSec=120`. */
export const IMAGE_UNIT_RESTART_DELAY = '2min';

/**
 * The units expected down for want of their container image (reason `image`, any role), sorted: the test image
 * slows their restart loop (test/boot/guest/image-unit-boot-test-restart.conf), and nothing else's.
 */
export function imageUnits(): string[] {
  const units = Object.values(EXPECTED_NOT_ACTIVE).flatMap((es) =>
    es.filter((e) => e.reason === 'image').map((e) => e.unit),
  );
  return [...new Set(units)].sort();
}

/**
 * How a unit expected not to be active must have ended, per role: its state and the lines its journal must hold
 * (each pattern matched somewhere in the report's journal of that unit). This is where a kubeadm host stops: the
 * Kubernetes packages unit fails at its FIRST step that needs pkgs.k8s.io (the repository's signing key, before
 * any apt source exists), because the name does not resolve or the host does not answer here; kubeadm, which
 * requires it, never runs.
 */
export const EXPECTED_FAILURES: Readonly<
  Record<string, readonly { unit: string; active: string; result?: string; journal: readonly RegExp[] }[]>
> = {
  kubelet: [
    {
      unit: 'regionkit-kubernetes-packages.service',
      active: 'failed',
      result: 'exit-code',
      journal: [
        // curl's own error names the host it could not reach (resolve, connect or time out)
        /curl: \(\d+\) [^\n]*\bpkgs\.k8s\.io\b/,
        /regionkit-kubernetes-packages: giving up: curl -fsSL --max-time 60 -o \/etc\/apt\/keyrings\/kubernetes-v1\.\d+\.asc\.tmp https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.\d+\/deb\/Release\.key$/m,
      ],
    },
  ],
  kubeadm: [
    // its start job fails on the dependency; kubeadm itself never runs
    { unit: 'regionkit-kubeadm.service', active: 'inactive', journal: [/Dependency failed for /] },
  ],
};

/** Where a role port is expected to be bound. */
export type BindExpectation =
  /** only the host's private address (loopback listeners are always allowed besides) */
  | 'private'
  /** any address (0.0.0.0 / ::), e.g. a port a load balancer reaches on every interface */
  | 'any';

/**
 * Bind address per `role:protocol/port`; a port not listed here is expected on the private address only
 * ("every daemon binds the host's private address", issue 7).
 */
export const BIND_ADDRESS: Readonly<Record<string, BindExpectation>> = {
  // glusterd and the brick processes listen on every address, a documented limit of the role
  // (constructs/roles/docs/glusterfs-server.md: bind-address would take glusterd off loopback, where the
  // self-heal daemon fetches its volume file, and bricks ignore it); the security group admits the cluster only
  'glusterfs-server:tcp/24007': 'any',
  'glusterfs-server:tcp/49152-49251': 'any',
};

/**
 * Ports only one host of a group listens on at a time, with the probe line that says this host is the one: ZooKeeper's
 * quorum port, which only the leader opens (the constructor of `Leader` makes the server sockets on the quorum
 * addresses; `Follower` and `Learner` make none: apache/zookeeper release-3.8.0-0,
 * zookeeper-server/src/main/java/org/apache/zookeeper/server/quorum/Leader.java line 301). Seen on 1 December:
 * two of three control hosts had no listener on 2888, and those were the followers.
 */
export const LEADER_ONLY_PORTS: Readonly<Record<string, RegExp>> = {
  'zookeeper:tcp/2888': /^zookeeper \S+ .*Mode: leader/,
};

/**
 * Sockets a role opens for the host itself, which no security-group rule opens to other hosts, so the role declares
 * no port for them: allowed when the host has the role and the socket belongs to the named process.
 * - dnsmasq answers on the host's private address, port 53, because containers on Docker's bridge cannot reach
 *   the host's loopback and dockerd hands them that address (constructs/roles/dnsmasq.ts, `listen-address`);
 * - dnsmasq sends each forwarded query from a random UDP port, bound on every address, and waits there for the
 *   answer ("Dnsmasq picks random ports as source for outbound queries", 1024 and up by default: dnsmasq(8),
 *   `--query-port` and `--min-port`, dnsmasq 2.90 of Debian 12).
 */
export const HOST_LOCAL_LISTENERS: readonly {
  readonly role: string;
  readonly process: string;
  readonly protocol: 'tcp' | 'udp';
  /** A port, or every port from 1024 (`random`). */
  readonly port: number | 'random';
  /** `private`: the host's private address; `any`: a wildcard address (0.0.0.0, ::, *). */
  readonly address: 'private' | 'any';
}[] = [
  { role: 'dnsmasq', process: 'dnsmasq', protocol: 'tcp', port: 53, address: 'private' },
  { role: 'dnsmasq', process: 'dnsmasq', protocol: 'udp', port: 53, address: 'private' },
  { role: 'dnsmasq', process: 'dnsmasq', protocol: 'udp', port: 'random', address: 'any' },
];

/** Listeners of the test image itself, not of a role: allowed on any address. */
export const BASE_LISTENERS: readonly { protocol: 'tcp' | 'udp'; port: number; why: string }[] = [
  { protocol: 'tcp', port: 22, why: 'sshd of the image (cloud images run it; the bastion is the only way in)' },
  { protocol: 'udp', port: 68, why: 'DHCP client of the outside NIC (dhclient on Debian 12, dhcpcd on 13)' },
  { protocol: 'udp', port: 546, why: 'DHCPv6 client of the outside NIC (dhcpcd on Debian 13)' },
  { protocol: 'tcp', port: 5355, why: 'systemd-resolved LLMNR (Debian 13 image default)' },
  { protocol: 'udp', port: 5355, why: 'systemd-resolved LLMNR (Debian 13 image default)' },
];

/**
 * The hosts that boot with their secrets: the Mesos control groups (`control`, not a kubeadm control plane),
 * whose quorums need them (etcd's members authenticate each other with their certificates; the masters' znode
 * gets its ACL with their ZooKeeper password). The values come from a real apply of the stack's `random_*`
 * and `tls_*` resources and reach the host on its seed instead of from the store (secret-values.ts). Every
 * other host boots with no secret store at all, which shows the fetch failing without holding up the boot.
 */
export function bootsWithSecrets(host: BootHost): boolean {
  return host.group === 'control' && !host.kubeadmControlPlane;
}

/**
 * Units of the host itself (not of a role) expected not to be active: the secret fetch, on every host whose
 * roles reference a secret (SECRETS_BY_ROLE), for want of a secret store, unless it boots with its secrets.
 */
export function hostExpectedNotActive(host: BootHost): { unit: string; reason: NotActiveReason }[] {
  const hasSecrets = host.roles.some((r) => (SECRETS_BY_ROLE[r.name] ?? []).length > 0);
  return hasSecrets && !bootsWithSecrets(host) ? [{ unit: 'regionkit-secrets.service', reason: 'secrets' }] : [];
}

/** Secrets each role's files reference on a host (etcd members reference only their own key and certificate). */
export const SECRETS_BY_ROLE: Readonly<Record<string, readonly string[]>> = {
  weave: ['weave_password'],
  rexray: ['rexray'],
  etcd: ['etcd_ca_cert', 'etcd member cert', 'etcd member key'],
  calico: ['etcd_ca_cert', 'etcd_client_<group>_cert', 'etcd_client_<group>_key'],
  'mesos-master': [
    'mesos_agent_secret',
    'mesos_chronos_secret',
    'mesos_marathon_secret',
    'mesos_operator_secret',
    'zk_mesos_password',
  ],
  marathon: ['mesos_marathon_secret', 'marathon_http_password', 'zk_marathon_password'],
  chronos: ['mesos_chronos_secret', 'chronos_http_password'],
  'mesos-agent': ['mesos_agent_secret'],
  'marathon-lb': ['marathon_http_password'],
  // every kubeadm host: what discovery and the join need (constructs/roles/kubeadm-pki.ts, KUBEADM_SECRETS)
  kubeadm: ['kubernetes_ca_cert', 'kubernetes_bootstrap_token_id', 'kubernetes_bootstrap_token_secret'],
};

/** Secrets a kubeadm control-plane host references besides SECRETS_BY_ROLE.kubeadm: the cluster's shared PKI. */
export const KUBEADM_CONTROL_PLANE_SECRETS: readonly string[] = [
  'kubernetes_ca_key',
  'kubernetes_front_proxy_ca_cert',
  'kubernetes_front_proxy_ca_key',
  'kubernetes_etcd_ca_cert',
  'kubernetes_etcd_ca_key',
  'kubernetes_sa_key',
  'kubernetes_sa_pub',
];

/**
 * How often each endpoint replacement is expected to apply to a host's user data (see replace.ts); a rule
 * not listed is expected 0 times. `var.<name>` counts test values given to Terraform sensitive variables.
 */
export function expectedReplacements(host: BootHost): Record<string, number> {
  const roles = new Set(host.roles.map((r) => r.name));
  // the secrets the host's files reference (each fetched once); since issue 7 fault 13 none reaches user data
  // as a value or a variable
  const secrets = new Set([
    ...[...roles].flatMap((r) => (SECRETS_BY_ROLE[r] ?? []).map((n) => n.replace('<group>', host.group))),
    ...(host.kubeadmControlPlane ? KUBEADM_CONTROL_PLANE_SECRETS : []),
  ]).size;
  // the metadata guard on every host, the secret fetch script where the host has secrets (docs/security.md)
  const out: Record<string, number> = { 'apt:primary': 1, 'apt:security': 1, metadata: secrets > 0 ? 2 : 1 };
  if (host.cloud === 'alicloud') {
    out['ntp:alicloud'] = 3;
    // dnsmasq's and mesos-dns's upstream servers: Alibaba's resolvers, known at synth time
    const dns = (roles.has('dnsmasq') ? 2 : 0) + (roles.has('mesos-dns') ? 2 : 0);
    if (dns > 0) out['dns:alicloud'] = dns;
  } else if (secrets > 0) {
    // the bootstrap application credential (id, secret), Keystone's URL, and one Barbican secret id per secret
    out['openstack-reference'] = 3 + secrets;
  }
  return out;
}

/** Roles whose daemons need the cgroup v1 hierarchy (Mesos 1.x containerizers, issue 7 fault 1). */
export const CGROUP_V1_ROLES: readonly string[] = ['mesos-agent'];
