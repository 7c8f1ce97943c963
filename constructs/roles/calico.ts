/**
 * `calico`: Calico container networking for hosts outside Kubernetes, with etcd as the datastore. Three pieces:
 *
 * - `calico-node` (pinned calico/node container, host network) runs the image's own entrypoint: it registers
 *   the host as a Calico node with its private address, allocates the host's VXLAN tunnel address and runs
 *   Felix, which programs routes, the `vxlan.calico` device and iptables;
 * - `calico-cni` (one-shot run of the calico/cni image) copies the `calico` and `calico-ipam` CNI plugins to
 *   /opt/cni/bin and installs a single-plugin network configuration named `calico` in /etc/cni/net.d, for the
 *   Mesos agent's `--network_cni_plugins_dir` / `--network_cni_config_dir`;
 * - on the first host of the group, `calico-ippool` (a script running calico/ctl) creates the cluster's IP
 *   pool once (`NO_DEFAULT_POOLS`: calico-node never invents one).
 *
 * Routing is VXLAN (`CALICO_NETWORKING_BACKEND=vxlan`, pool `vxlanMode: Always`), not BGP: the hosts of a
 * region sit in one subnet per zone, and neither Alibaba Cloud's VPC router nor an OpenStack router learns
 * routes by BGP, so BGP-announced pod routes would reach only hosts of the same subnet; OpenStack port
 * security also drops packets whose source is a pool address. IP-in-IP (protocol 4) is not an option either:
 * security groups here admit TCP, UDP, ICMP and VRRP only. VXLAN needs one UDP port between the hosts and
 * crosses every subnet the VPC routes.
 *
 * @see https://docs.tigera.io/calico/latest/getting-started/bare-metal/installation/container
 * @see https://docs.tigera.io/calico/latest/networking/configuring/vxlan-ipip
 * @see https://docs.tigera.io/calico/latest/reference/configure-cni-plugins
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { containerService, execLine, renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { cidrsOverlap } from '../../lib/net/network-plan.js';
import { checkIpv4Cidr, checkPinnedImage } from '../../lib/validate.js';

import { ETCD_CA_CERT_SECRET, EtcdPki, etcdClientSecrets } from './etcd-pki.js';
import { HostRole, type HostContext, type RoleGroup, type RoleSecret } from './host-role.js';

export interface CalicoProps {
  /** Full reference of the calico/node image as the hosts pull it, pinned (`quay.io/calico/node:v3.32.2`). */
  readonly image: string;
  /** Full reference of the calico/cni image (CNI plugins and their installer); same Calico version as `image`. */
  readonly cniImage: string;
  /** Full reference of the calico/ctl image (calicoctl), used to create the IP pool; same version as `image`. */
  readonly ctlImage: string;
  /**
   * Client URLs of the etcd cluster (`https://10.0.0.16:2379`), read when each host is configured (the etcd
   * hosts usually belong to another group). TLS only: the group gets a client certificate of the region's etcd
   * CA (etcd-pki.ts), delivered as a secret.
   */
  readonly etcdEndpoints: () => readonly string[];
  /**
   * The cluster's container address range (one IP pool, handed out to hosts in /26 blocks). No default: any
   * private range may be the region's own network, and the pool must overlap neither it nor anything the
   * containers must reach.
   */
  readonly ipPoolCidr: string;
}

export const CALICO_ENV = '/etc/calico/calico.env';
export const CALICO_NODE_CONTAINER = 'calico-node';
export const CALICO_CNI_UNIT = 'calico-cni.service';
export const CALICO_IPPOOL_UNIT = 'calico-ippool.service';
/** The network configuration handed to the CNI installer, which writes it to /etc/cni/net.d. */
export const CALICO_CNI_SOURCE_DIR = '/etc/calico/cni';
export const CALICO_CNI_CONF_NAME = '10-calico.conf';
export const CALICO_IPPOOL_MANIFEST = '/etc/calico/ippool.yaml';
export const CALICO_IPPOOL_SCRIPT = '/usr/local/sbin/regionkit-calico-ippool';
export const CALICO_IPPOOL_NAME = 'regionkit-ipv4';
/** The CNI network name, which Mesos tasks name to join it. */
export const CALICO_NETWORK_NAME = 'calico';
export const CNI_BIN_DIR = '/opt/cni/bin';
export const CNI_CONF_DIR = '/etc/cni/net.d';
/** Calico's VXLAN port (the IANA one). */
export const CALICO_VXLAN_PORT = 4789;
/** The etcd CA certificate and this group's etcd client key and certificate (tmpfs symlinks, root only). */
export const CALICO_PKI_DIR = '/etc/calico/pki';
export const CALICO_ETCD_CA_FILE = `${CALICO_PKI_DIR}/etcd-ca.crt`;
export const CALICO_ETCD_CERT_FILE = `${CALICO_PKI_DIR}/etcd-client.crt`;
export const CALICO_ETCD_KEY_FILE = `${CALICO_PKI_DIR}/etcd-client.key`;
/** The three files, each bind-mounted read-only at the same path (Docker resolves the symlink). */
const ETCD_TLS_MOUNTS = [CALICO_ETCD_CA_FILE, CALICO_ETCD_CERT_FILE, CALICO_ETCD_KEY_FILE].map(
  (f) => `--volume=${f}:${f}:ro`,
);
/** CNI spec version of the network configuration: the one Calico's own network templates use. */
export const CALICO_CNI_VERSION = '0.3.1';

const ETCD_ENDPOINT = /^https:\/\/[A-Za-z0-9.-]+:\d{1,5}$/;

/** The tag of a pinned image reference (`v3.32.2`), or undefined for a digest-only reference. */
function imageTag(image: string): string | undefined {
  return /:([\w][\w.-]*)(?:@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
}

export class Calico extends HostRole {
  public readonly ipPoolCidr: string;
  private readonly image: string;
  private readonly cniImage: string;
  private readonly ctlImage: string;
  private readonly etcdEndpoints: () => readonly string[];

  constructor(scope: Construct, id: string, props: CalicoProps) {
    super(scope, id, {
      roleName: 'calico',
      requires: ['docker'],
      ports: [
        // Hosts of every group of the cluster may run containers on the Calico network.
        { protocol: 'udp', port: CALICO_VXLAN_PORT, from: 'cluster', description: 'VXLAN between container networks' },
      ],
    });
    this.image = props.image;
    this.cniImage = props.cniImage;
    this.ctlImage = props.ctlImage;
    this.etcdEndpoints = props.etcdEndpoints;
    this.ipPoolCidr = props.ipPoolCidr;
    checkPinnedImage(this, 'image', this.image);
    checkPinnedImage(this, 'cniImage', this.cniImage);
    checkPinnedImage(this, 'ctlImage', this.ctlImage);
    const version = imageTag(this.image);
    for (const [prop, ref] of [
      ['cniImage', this.cniImage],
      ['ctlImage', this.ctlImage],
    ] as const) {
      const tag = imageTag(ref);
      if (version !== undefined && tag !== undefined && tag !== version) {
        throw new SpecError(
          `${this.node.path}: ${prop} must be the same Calico version as image (${version}), got ${tag}`,
        );
      }
    }
    // /26 is Calico's block size: a smaller pool could not hold one block.
    checkIpv4Cidr(this, 'ipPoolCidr', this.ipPoolCidr, 8, 26);
  }

  /** The etcd CA certificate and the group's etcd client key and certificate, made at apply time (etcd-pki.ts). */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    const pki = EtcdPki.of(group.scope);
    return [pki.caSecret(), ...pki.clientSecrets(group.groupName)];
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const endpoints = this.checkedEndpoints();
    if (cidrsOverlap(this.ipPoolCidr, ctx.region.cidr)) {
      throw new SpecError(
        `${this.node.path}: ipPoolCidr must not overlap the region network ${ctx.region.cidr}, got ${this.ipPoolCidr}`,
        {
          hint: 'container addresses that are also VPC addresses would be unreachable; pick a private range outside it',
        },
      );
    }
    const host = ctx.host;
    const env: [string, string][] = [
      ['NODENAME', host.name],
      ['IP', host.privateIp],
      ['CALICO_NETWORKING_BACKEND', 'vxlan'],
      ['DATASTORE_TYPE', 'etcdv3'],
      ['ETCD_ENDPOINTS', endpoints.join(',')],
      // libcalico-go's etcd client settings (calico-node and calicoctl read the same variables)
      ['ETCD_CA_CERT_FILE', CALICO_ETCD_CA_FILE],
      ['ETCD_CERT_FILE', CALICO_ETCD_CERT_FILE],
      ['ETCD_KEY_FILE', CALICO_ETCD_KEY_FILE],
      ['NO_DEFAULT_POOLS', 'true'],
      ['FELIX_IPINIPENABLED', 'false'],
      ['FELIX_VXLANENABLED', 'true'],
      // Containers reach daemons on their own host (Mesos-DNS, marathon-lb, the agent), as in Calico's manifests.
      ['FELIX_DEFAULTENDPOINTTOHOSTACTION', 'ACCEPT'],
    ];
    // Unquoted KEY=value lines: read by docker --env-file, which takes values literally (quotes would stay).
    config.addFile({
      path: CALICO_ENV,
      content: `# regionkit calico role: settings of calico-node on ${host.name} (docker --env-file)\n${env
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    });
    const client = etcdClientSecrets(ctx.host.group);
    for (const [path, name] of [
      [CALICO_ETCD_CA_FILE, ETCD_CA_CERT_SECRET],
      [CALICO_ETCD_CERT_FILE, client.cert],
      [CALICO_ETCD_KEY_FILE, client.key],
    ] as const) {
      config.addFile({ path, content: secretRef(name), permissions: '0600' });
    }
    config.addFile({
      path: `${CALICO_CNI_SOURCE_DIR}/${CALICO_CNI_CONF_NAME}`,
      content: `${JSON.stringify(this.cniNetworkConfig(host.name, endpoints), null, 2)}\n`,
    });
    config.addSystemdUnit({
      name: `${CALICO_NODE_CONTAINER}.service`,
      content: containerService({
        name: CALICO_NODE_CONTAINER,
        description: 'Calico node (Felix, VXLAN routes)',
        image: this.image,
        // No command: the image's own entrypoint runs node startup, tunnel-address allocation and Felix.
        // The documented `calico-node -felix` alone registers no node and allocates no VXLAN tunnel address.
        runOptions: [
          '--privileged',
          `--env-file=${CALICO_ENV}`,
          '--volume=/var/log/calico:/var/log/calico',
          '--volume=/var/lib/calico:/var/lib/calico',
          '--volume=/var/run/calico:/var/run/calico',
          '--volume=/lib/modules:/lib/modules:ro',
          ...ETCD_TLS_MOUNTS,
        ],
      }),
    });
    config.addSystemdUnit({ name: CALICO_CNI_UNIT, content: this.cniUnit() });
    // One host per group is enough: creating the pool is idempotent, and several groups may race harmlessly.
    if (host.index === 0) {
      config.addFile({ path: CALICO_IPPOOL_MANIFEST, content: this.ipPoolManifest() });
      config.addScript(CALICO_IPPOOL_SCRIPT, this.ipPoolScript());
      // Waits for etcd and calico-node, which may boot after this host: --no-block keeps it out of first boot.
      config.addSystemdUnit({ name: CALICO_IPPOOL_UNIT, content: IPPOOL_UNIT, enable: false });
      config.addRunCommand(['systemctl', 'enable', '--now', '--no-block', CALICO_IPPOOL_UNIT]);
    }
  }

  /** The CNI network configuration of one host: the `calico` plugin with Calico IPAM, etcd datastore. */
  public cniNetworkConfig(nodeName: string, endpoints: readonly string[]): Record<string, unknown> {
    return {
      cniVersion: CALICO_CNI_VERSION,
      name: CALICO_NETWORK_NAME,
      type: 'calico',
      log_level: 'info',
      datastore_type: 'etcdv3',
      etcd_endpoints: endpoints.join(','),
      // host paths: the plugin runs on the host, started by the Mesos agent as root
      etcd_ca_cert_file: CALICO_ETCD_CA_FILE,
      etcd_cert_file: CALICO_ETCD_CERT_FILE,
      etcd_key_file: CALICO_ETCD_KEY_FILE,
      // The name calico-node registered; the plugin would otherwise fall back to the kernel's host name.
      nodename: nodeName,
      ipam: { type: 'calico-ipam' },
    };
  }

  private checkedEndpoints(): string[] {
    const endpoints = [...this.etcdEndpoints()];
    if (endpoints.length === 0) {
      throw new SpecError(`${this.node.path}: etcdEndpoints must list at least one etcd client URL, got []`, {
        hint: 'add the etcd role to a group of the cluster',
      });
    }
    for (const [i, e] of endpoints.entries()) {
      if (!ETCD_ENDPOINT.test(e)) {
        throw new SpecError(
          `${this.node.path}: etcdEndpoints[${i}] must be an https://host:port URL, got ${JSON.stringify(e)}`,
        );
      }
    }
    return endpoints;
  }

  private cniUnit(): string {
    const docker = '/usr/bin/docker';
    const name = 'calico-cni-install';
    return renderUnit('calico-cni: Calico CNI plugins and network configuration (regionkit calico role)', {
      Unit: [
        ['Description', 'Calico CNI plugins and network configuration'],
        ['After', 'network-online.target docker.service'],
        ['Wants', 'network-online.target'],
        ['Requires', 'docker.service'],
      ],
      Service: [
        ['Type', 'oneshot'],
        ['RemainAfterExit', true],
        ['ExecStartPre', `-${execLine([docker, 'rm', '--force', name])}`],
        // A failed pull is not fatal on later boots: the image pulled at first boot is still there.
        ['ExecStartPre', `-${execLine([docker, 'pull', this.cniImage])}`],
        [
          'ExecStart',
          execLine([
            docker,
            'run',
            '--rm',
            '--name',
            name,
            '--network',
            'none',
            // The installer's one-shot mode: copy, write the configuration, exit (it would sleep otherwise).
            '--env=SLEEP=false',
            `--env=CNI_CONF_NAME=${CALICO_CNI_CONF_NAME}`,
            `--env=CNI_NETWORK_CONFIG_FILE=/calico-cni/${CALICO_CNI_CONF_NAME}`,
            `--volume=${CALICO_CNI_SOURCE_DIR}:/calico-cni:ro`,
            `--volume=${CNI_BIN_DIR}:/host${CNI_BIN_DIR}`,
            `--volume=${CNI_CONF_DIR}:/host${CNI_CONF_DIR}`,
            this.cniImage,
          ]),
        ],
        ['Restart', 'on-failure'],
        ['RestartSec', 15],
        ['TimeoutStartSec', 600],
      ],
      Install: [['WantedBy', 'multi-user.target']],
    });
  }

  private ipPoolManifest(): string {
    return [
      '# regionkit calico role: the cluster IP pool, created once by regionkit-calico-ippool',
      'apiVersion: projectcalico.org/v3',
      'kind: IPPool',
      'metadata:',
      `  name: ${CALICO_IPPOOL_NAME}`,
      'spec:',
      `  cidr: ${this.ipPoolCidr}`,
      '  blockSize: 26',
      '  vxlanMode: Always',
      '  ipipMode: Never',
      // Container traffic to the VPC and beyond leaves with the host's address: nothing there routes the pool.
      '  natOutgoing: true',
      '  nodeSelector: all()',
      '',
    ].join('\n');
  }

  private ipPoolScript(): string {
    return `#!/bin/sh
# regionkit calico role: creates the cluster's Calico IP pool unless it exists; an existing pool is left as
# it is (operators may have changed it with calicoctl). Fails while etcd cannot be reached; systemd retries.
set -eu
image=${this.ctlImage}
manifest=${CALICO_IPPOOL_MANIFEST}
pool=${CALICO_IPPOOL_NAME}

calicoctl() {
  docker run --rm --network host --env-file ${CALICO_ENV} --volume "$manifest:$manifest:ro" \\
    ${ETCD_TLS_MOUNTS.join(' ')} "$image" "$@"
}

if calicoctl get ippool "$pool" >/dev/null 2>&1; then
  echo "regionkit-calico-ippool: IP pool $pool exists, left as it is"
  exit 0
fi
calicoctl create -f "$manifest"
echo "regionkit-calico-ippool: created IP pool $pool"
`;
  }
}

const IPPOOL_UNIT = renderUnit('calico-ippool: the cluster IP pool (regionkit calico role)', {
  Unit: [
    ['Description', 'Calico IP pool of the cluster'],
    ['After', `network-online.target docker.service ${CALICO_NODE_CONTAINER}.service`],
    ['Wants', 'network-online.target'],
    ['Requires', 'docker.service'],
  ],
  Service: [
    ['Type', 'oneshot'],
    ['RemainAfterExit', true],
    ['ExecStart', CALICO_IPPOOL_SCRIPT],
    ['Restart', 'on-failure'],
    ['RestartSec', 15],
    ['TimeoutStartSec', 600],
  ],
  Install: [['WantedBy', 'multi-user.target']],
});
