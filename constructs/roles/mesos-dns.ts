/**
 * `mesos-dns`: Mesos-DNS as a pinned container on the host network. It reads the Mesos masters' state and
 * answers A/SRV queries for tasks under its domain (`<task>.<framework>.mesos`), forwarding every other name
 * to upstream resolvers. It listens on the host's private address on a high port: the host's own resolver
 * owns port 53 on loopback, and the region's hosts forward the Mesos domain here.
 *
 * The upstream resolvers are rendered at synth time when known (the `resolvers` prop, or the cloud's fixed
 * VPC resolvers on Alibaba Cloud). OpenStack has no fixed resolver address, so there a small script copies
 * the host's own upstream servers (the dnsmasq role's upstream list) into the configuration at first boot.
 *
 * @see https://mesosphere.github.io/mesos-dns/docs/configuration-parameters.html
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { containerService } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkPinnedImage, checkRange } from '../../lib/validate.js';

import { UPSTREAM_RESOLV_CONF } from './dnsmasq.js';
import { HostRole, type HostContext } from './host-role.js';
import { checkZkUrl } from './zookeeper.js';

export interface MesosDnsProps {
  /** Full reference of the Mesos-DNS image (`mesosphere/mesos-dns:<version>`), as the hosts pull it; pinned. */
  readonly image: string;
  /** ZooKeeper URL of the Mesos masters, `zk://h1:2181,h2:2181,h3:2181/mesos`. */
  readonly zk: string;
  /** The masters as `ip:port`, used when ZooKeeper cannot be reached. */
  readonly masters: readonly string[];
  /** Domain Mesos-DNS answers for. @default 'mesos' */
  readonly domain?: string;
  /** DNS port (UDP and TCP). Not 53: the host's local resolver owns port 53 on loopback. @default 8053 */
  readonly dnsPort?: number;
  /** HTTP API port. @default 8123 */
  readonly httpPort?: number;
  /**
   * Upstream resolvers for names outside `domain` (IPv4 addresses).
   * @default - the upstream servers the host itself uses, read at first boot from the list the dnsmasq role keeps
   */
  readonly resolvers?: readonly string[];
}

/** Container (and systemd unit) name. Not `mesos-…`: a Mesos agent on the same host removes such containers. */
export const MESOS_DNS_CONTAINER = 'mesos_dns';
export const MESOS_DNS_DIR = '/etc/mesos-dns';
export const MESOS_DNS_CONFIG = `${MESOS_DNS_DIR}/config.json`;
/** Everything but the resolvers, which the boot script fills in (OpenStack without `resolvers`). */
export const MESOS_DNS_TEMPLATE = `${MESOS_DNS_DIR}/config.template.json`;
export const MESOS_DNS_CONFIG_SCRIPT = '/usr/local/sbin/regionkit-mesos-dns-config';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const MASTER = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class MesosDns extends HostRole {
  public readonly dnsPort: number;
  public readonly httpPort: number;
  public readonly domain: string;
  private readonly image: string;
  private readonly zk: string;
  private readonly masters: readonly string[];
  private readonly resolvers?: readonly string[];

  constructor(scope: Construct, id: string, props: MesosDnsProps) {
    const dnsPort = props.dnsPort ?? 8053;
    const httpPort = props.httpPort ?? 8123;
    super(scope, id, {
      roleName: 'mesos-dns',
      requires: ['docker'],
      ports: [
        {
          protocol: 'udp',
          port: dnsPort,
          from: 'cluster',
          description: 'Mesos-DNS queries (forwarded by host resolvers)',
        },
        { protocol: 'tcp', port: dnsPort, from: 'cluster', description: 'Mesos-DNS queries over TCP (large answers)' },
        { protocol: 'tcp', port: httpPort, from: 'cluster', description: 'Mesos-DNS HTTP API' },
        { protocol: 'tcp', port: httpPort, from: 'bastion', description: 'Mesos-DNS HTTP API through an SSH tunnel' },
      ],
    });
    this.dnsPort = dnsPort;
    this.httpPort = httpPort;
    this.domain = props.domain ?? 'mesos';
    this.image = props.image;
    this.zk = props.zk;
    this.masters = [...props.masters];
    this.resolvers = props.resolvers ? [...props.resolvers] : undefined;
    checkPinnedImage(this, 'image', this.image);
    checkZkUrl(this, 'zk', this.zk);
    if (this.masters.length === 0)
      throw new SpecError(`${this.node.path}: masters must list at least one ip:port, got []`);
    this.masters.forEach((m, i) => checkPattern(this, `masters[${i}]`, m, MASTER, 'an ip:port'));
    checkPattern(this, 'domain', this.domain, DOMAIN, 'a lower-case DNS name such as mesos');
    checkRange(this, 'dnsPort', dnsPort, 1, 65535);
    checkRange(this, 'httpPort', httpPort, 1, 65535);
    if (dnsPort === httpPort)
      throw new SpecError(`${this.node.path}: httpPort must differ from dnsPort, got ${httpPort}`);
    if (this.resolvers?.length === 0) {
      throw new SpecError(`${this.node.path}: resolvers must list at least one address, got []`, {
        hint: 'leave resolvers out to use the default',
      });
    }
    this.resolvers?.forEach((r, i) => checkPattern(this, `resolvers[${i}]`, r, IPV4, 'an IPv4 address'));
  }

  /** The configuration file for one host; `resolvers` empty leaves them to the boot script. */
  public configJson(listener: string, resolvers: readonly string[]): Record<string, unknown> {
    return {
      zk: this.zk,
      masters: [...this.masters],
      refreshSeconds: 60,
      ttl: 60,
      domain: this.domain,
      port: this.dnsPort,
      resolvers: [...resolvers],
      timeout: 5,
      listener,
      // HTTP API on the private address too (default 0.0.0.0; records/config.go HTTPListener at v0.6.0)
      httplistener: listener,
      SOAMname: `ns1.${this.domain}`,
      SOARname: `root.ns1.${this.domain}`,
      SOARefresh: 60,
      SOARetry: 600,
      SOAExpire: 86400,
      SOAMinttl: 60,
      dnson: true,
      httpon: true,
      httpport: this.httpPort,
      externalon: true,
      recurseon: true,
      enforceRFC952: false,
      IPSources: ['netinfo', 'mesos', 'host'],
    };
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const resolvers = this.resolvers;
    // write_files creates the directory implicitly; make its mode explicit before anything reads it.
    config.addRunCommand(['install', '-d', '-m', '0755', '-o', 'root', '-g', 'root', MESOS_DNS_DIR]);
    const json = (r: readonly string[]) => `${JSON.stringify(this.configJson(ctx.host.privateIp, r), null, 2)}\n`;
    if (resolvers) {
      config.addFile({ path: MESOS_DNS_CONFIG, content: json(resolvers), permissions: '0644' });
    } else {
      config.addFile({ path: MESOS_DNS_TEMPLATE, content: json([]), permissions: '0644' });
      config.addScript(MESOS_DNS_CONFIG_SCRIPT, CONFIG_SCRIPT);
      config.addRunCommand([MESOS_DNS_CONFIG_SCRIPT]);
    }
    config.addSystemdUnit({
      name: `${MESOS_DNS_CONTAINER}.service`,
      content: containerService({
        name: MESOS_DNS_CONTAINER,
        description: 'Mesos-DNS',
        image: this.image,
        // The directory, not the file: a bind-mounted file would keep the inode the script's mv replaced.
        runOptions: ['--volume', `${MESOS_DNS_DIR}:${MESOS_DNS_DIR}:ro`],
        args: ['/usr/bin/mesos-dns', `-config=${MESOS_DNS_CONFIG}`],
      }),
    });
  }
}

/**
 * Writes config.json from the template with the host's upstream IPv4 resolvers. Arguments (for tests): the
 * resolv.conf to read, the template, the output.
 */
const CONFIG_SCRIPT = `#!/bin/sh
# regionkit mesos-dns role: config.json = the template plus the upstream resolvers this host uses
set -eu
upstream=\${1:-${UPSTREAM_RESOLV_CONF}}
template=\${2:-${MESOS_DNS_TEMPLATE}}
out=\${3:-${MESOS_DNS_CONFIG}}

# the host's real upstream servers (dnsmasq role); a loopback entry would be a forwarder on this host, not an
# upstream, so it is skipped.
servers=$(awk '$1 == "nameserver" && $2 ~ /^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$/ && $2 !~ /^127[.]/ {
  printf "%s\\"%s\\"", sep, $2; sep = ", " }' "$upstream")
if [ -z "$servers" ]; then
  echo "regionkit-mesos-dns-config: no IPv4 upstream nameserver in $upstream" >&2
  exit 1
fi
if ! grep -q '"resolvers": \\[\\]' "$template"; then
  echo "regionkit-mesos-dns-config: $template has no empty resolvers list to fill in" >&2
  exit 1
fi
tmp=$(mktemp "$out.XXXXXX")
sed "s/\\"resolvers\\": \\[\\]/\\"resolvers\\": [$servers]/" "$template" >"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
`;
