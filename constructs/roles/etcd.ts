/**
 * `etcd`: one member of an etcd cluster, from Debian's `etcd-server` package (etcd 3.4.23 in bookworm, 3.5.16
 * in trixie), configured through the environment file the package's `etcd.service` reads
 * (`EnvironmentFile=-/etc/default/%p`). The members are the hosts of the group; each knows every other at
 * synth time from the deterministic addresses (static bootstrap, no discovery service). The data directory
 * is on the group's first data disk (`data-disk.ts`).
 *
 * The packaged unit is `After=network.target` with `Restart=on-abnormal` (etcd-server 3.4.23-4+b4 and
 * 3.5.16-4): on a reboot etcd can start before the private address it binds is up, exit with an error, and
 * stay down. A drop-in orders it after network-online.target and restarts it on failure.
 *
 * @see https://etcd.io/docs/v3.4/op-guide/clustering/#static
 * @see https://etcd.io/docs/v3.4/op-guide/configuration/
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { SECRETS_UNIT } from '../../lib/cloudinit/secret-delivery.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';

import { dataDirPath } from './data-disk.js';
import { ETCD_CA_CERT_SECRET, EtcdPki, etcdMemberSecrets } from './etcd-pki.js';
import { HostRole, type HostContext, type InventoryHost, type RoleGroup, type RoleSecret } from './host-role.js';

export const ETCD_DEFAULTS = '/etc/default/etcd';
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
/** On the group's first data disk. */
export const ETCD_DATA_DIR = dataDirPath('etcd');
/** The drop-in for the packaged etcd.service. */
export const ETCD_DROP_IN = '/etc/systemd/system/etcd.service.d/60-regionkit.conf';
/** More members only slow every write down (each is replicated to a majority); etcd's FAQ advises at most 7. */
export const MAX_ETCD_MEMBERS = 7;

/** Where a member's TLS files are (tmpfs symlinks made by the secret fetch; see etcd-pki.ts). */
export const ETCD_PKI_DIR = '/etc/etcd/pki';
export const ETCD_CA_FILE = `${ETCD_PKI_DIR}/ca.crt`;
export const ETCD_CERT_FILE = `${ETCD_PKI_DIR}/member.crt`;
export const ETCD_KEY_FILE = `${ETCD_PKI_DIR}/member.key`;

/** The client URLs of a cluster, comma-separated, as etcd clients (calico, etcdctl) take them: TLS only. */
export function etcdEndpoints(members: readonly InventoryHost[]): string {
  return members.map((h) => `https://${h.privateIp}:${ETCD_CLIENT_PORT}`).join(',');
}

export class Etcd extends HostRole {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      roleName: 'etcd',
      requires: ['apt'],
      ports: [
        { protocol: 'tcp', port: ETCD_CLIENT_PORT, from: 'cluster', description: 'client requests' },
        { protocol: 'tcp', port: ETCD_PEER_PORT, from: 'group', description: 'peer traffic between members' },
      ],
      // etcd's own advice for the backend quota is at most 8 GiB
      dataDirs: [{ name: 'etcd', description: 'etcd data directory', minSizeGiB: 8 }],
    });
  }

  /** The CA certificate and every member's key and certificate, made at apply time (etcd-pki.ts). */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    const pki = EtcdPki.of(group.scope);
    return [pki.caSecret(), ...group.hosts.flatMap((h) => pki.memberSecrets(h))];
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const members = ctx.groupHosts;
    const n = members.length;
    if (n % 2 === 0 || n > MAX_ETCD_MEMBERS) {
      throw new SpecError(
        `${this.node.path}: group ${ctx.host.group} must have an odd number of hosts between 1 and ${MAX_ETCD_MEMBERS} ` +
          `to be etcd members, got ${n}`,
        {
          hint:
            'an even cluster tolerates no more failures than the odd one below it; 1 member tolerates none, ' +
            '3 survive the loss of one host (or zone), 5 of two',
        },
      );
    }
    const ip = ctx.host.privateIp;
    const env: [string, string][] = [
      ['ETCD_NAME', ctx.host.name],
      ['ETCD_DATA_DIR', ETCD_DATA_DIR],
      ['ETCD_LISTEN_PEER_URLS', `https://${ip}:${ETCD_PEER_PORT}`],
      ['ETCD_LISTEN_CLIENT_URLS', `https://${ip}:${ETCD_CLIENT_PORT},https://127.0.0.1:${ETCD_CLIENT_PORT}`],
      ['ETCD_INITIAL_ADVERTISE_PEER_URLS', `https://${ip}:${ETCD_PEER_PORT}`],
      // Advertised URLs are what clients discover (etcdctl --cluster, endpoint sync): loopback would send a
      // remote client to itself, so only the private address is advertised.
      ['ETCD_ADVERTISE_CLIENT_URLS', `https://${ip}:${ETCD_CLIENT_PORT}`],
      ['ETCD_INITIAL_CLUSTER', members.map((h) => `${h.name}=https://${h.privateIp}:${ETCD_PEER_PORT}`).join(',')],
      ['ETCD_INITIAL_CLUSTER_STATE', 'new'],
      // Unique per region and group, so two clusters built from similar specs never mistake each other's members.
      ['ETCD_INITIAL_CLUSTER_TOKEN', `${ctx.region.name}-${ctx.host.group}-etcd`],
      // capnslog, 3.4's default, is deprecated and gone in 3.5
      ['ETCD_LOGGER', 'zap'],
      // Clients and peers: TLS with certificates of the region's etcd CA, and only such certificates admitted.
      ['ETCD_CERT_FILE', ETCD_CERT_FILE],
      ['ETCD_KEY_FILE', ETCD_KEY_FILE],
      ['ETCD_TRUSTED_CA_FILE', ETCD_CA_FILE],
      ['ETCD_CLIENT_CERT_AUTH', 'true'],
      ['ETCD_PEER_CERT_FILE', ETCD_CERT_FILE],
      ['ETCD_PEER_KEY_FILE', ETCD_KEY_FILE],
      ['ETCD_PEER_TRUSTED_CA_FILE', ETCD_CA_FILE],
      ['ETCD_PEER_CLIENT_CERT_AUTH', 'true'],
    ];
    const lines = [
      `# regionkit etcd role: member ${ctx.host.name} of a ${n}-member cluster (read by etcd.service)`,
      ...env.map(([k, v]) => `${k}=${v}`),
    ];
    config.addPackages('etcd-server');
    config.addFile({ path: ETCD_DEFAULTS, content: `${lines.join('\n')}\n` });
    // Secret templates, rendered into tmpfs by the fetch; readable by etcd's group only, so written once the
    // package has made it (deferred).
    const own = etcdMemberSecrets(ctx.host);
    for (const [path, name] of [
      [ETCD_CA_FILE, ETCD_CA_CERT_SECRET],
      [ETCD_CERT_FILE, own.cert],
      [ETCD_KEY_FILE, own.key],
    ] as const) {
      config.addFile({ path, content: secretRef(name), permissions: '0640', owner: 'root:etcd', defer: true });
    }
    config.addSystemdDropIn('etcd.service', '60-regionkit.conf', ETCD_DROP_IN_CONTENT);
    // etcd tells systemd it is ready only once a quorum has formed, i.e. once the other members booted as well;
    // --no-block keeps that wait (and its restarts) out of this host's first-boot commands.
    config.addRunCommand(['systemctl', 'enable', '--now', '--no-block', 'etcd.service']);
  }
}

const ETCD_DROP_IN_CONTENT = renderUnit(
  'etcd.service: start order, restarts, the data disk and TLS files (regionkit etcd role)',
  {
    Unit: [
      // it binds the private address, which is up only at network-online.target
      ['After', 'network-online.target'],
      ['Wants', 'network-online.target'],
      ['RequiresMountsFor', ETCD_DATA_DIR],
      // its key and certificates are in tmpfs, put there by the secret fetch at every boot
      ['After', SECRETS_UNIT],
      ['Requires', SECRETS_UNIT],
    ],
    Service: [
      // made on the data disk as root for etcd (User=etcd), 0700 as the package's postinst makes /var/lib/etcd
      ['ExecStartPre', `+/usr/bin/install -d -o etcd -g etcd -m 0700 ${ETCD_DATA_DIR}`],
      // TimeoutStartSec stays systemd's 90 s: multi-user.target (and cloud-final after it) waits for this
      // start job on every reboot, so a member waiting for its peers fails and restarts instead (etcd page)
      ['Restart', 'on-failure'],
      ['RestartSec', 10],
    ],
  },
);
