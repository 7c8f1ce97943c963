/**
 * `dnsmasq`: the host's local DNS resolver, from the distribution's `dnsmasq` package (2.90 in Debian 12,
 * 2.91 in Debian 13), on 127.0.0.1:53 and on the host's private address, port 53: containers on Docker's
 * bridge cannot reach the host's loopback, so dockerd hands them the private address (docker role, `dns`).
 * It sends chosen domains to other servers (the Mesos domain to mesos-dns) and answers redirected domains
 * itself (registry domains pointed at the region mirror).
 *
 * Upstream servers: the cloud's fixed resolvers when known at synth time (Alibaba's VPC resolvers, OpenStack's
 * `dnsNameservers`); otherwise what the host's OS gives, picked at first boot by the switch script:
 * systemd-resolved's list of DHCP-provided servers (/run/systemd/resolve/resolv.conf, followed as it changes)
 * where systemd-resolved runs (Ubuntu), else the servers the DHCP client wrote into /etc/resolv.conf (Debian's
 * cloud images run no systemd-resolved), kept in {@link UPSTREAM_RESOLV_CONF}. Then /etc/resolv.conf names
 * 127.0.0.1, and systemd-resolved's stub listener, where it runs, is turned off.
 *
 * @see https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html
 * @see https://www.freedesktop.org/software/systemd/man/latest/resolved.conf.html
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';

/** Queries for `domain` (and its subdomains) go to `servers` instead of the upstreams. */
export interface DnsForward {
  /** Domain, e.g. `mesos`. */
  readonly domain: string;
  /** IPv4 addresses of the servers that answer for it. */
  readonly servers: readonly string[];
  /** Port the servers listen on. @default 53 */
  readonly port?: number;
}

export interface DnsmasqProps {
  /**
   * Domains sent to other servers. Called when a host is configured, so the servers may be hosts that do not
   * exist yet when the role is made (mesos-dns on the control group, port 8053).
   */
  readonly forwards: () => readonly DnsForward[];
  /**
   * Domains answered here with one IPv4 address, subdomains included (`registry-1.docker.io` -> the region
   * mirror). @default - none
   */
  readonly redirects?: Readonly<Record<string, string>>;
  /**
   * Upstream servers (IPv4) for every other name, when the cloud's are known at synth time.
   * @default - the host's own, found at first boot (see the class docs)
   */
  readonly upstreams?: readonly string[];
}

/** dnsmasq's own configuration, read through the package's conf-dir. */
export const DNSMASQ_CONF = '/etc/dnsmasq.d/60-regionkit.conf';
/** Settings of the package's start helper (/usr/share/dnsmasq/systemd-helper). */
export const DNSMASQ_DEFAULTS = '/etc/default/dnsmasq';
/** Turns off systemd-resolved's stub listener once dnsmasq answers on 127.0.0.1. */
export const RESOLVED_DROP_IN = '/etc/systemd/resolved.conf.d/60-regionkit.conf';
/** Points /etc/resolv.conf at dnsmasq and restarts systemd-resolved. */
export const USE_DNSMASQ_SCRIPT = '/usr/local/sbin/regionkit-use-dnsmasq';
/**
 * The host's upstream servers in resolv.conf form, made at first boot: a link to systemd-resolved's list where it
 * runs, else a copy of the servers the DHCP client wrote into /etc/resolv.conf.
 */
export const UPSTREAM_RESOLV_CONF = '/etc/regionkit/resolv.upstream.conf';
/** systemd-resolved's list of the DHCP-provided servers (exists only where systemd-resolved runs). */
export const RESOLVED_UPSTREAMS = '/run/systemd/resolve/resolv.conf';
/** Keeps Debian's dhclient from writing /etc/resolv.conf back over the switch (dhclient-script(8)). */
export const DHCLIENT_HOOK = '/etc/dhcp/dhclient-enter-hooks.d/60-regionkit-dnsmasq';
/** Orders the packaged unit after the network and restarts it when it fails. */
export const DNSMASQ_DROP_IN = '60-regionkit.conf';

// A container host resolves many distinct names (tasks, registries, cloud APIs): dnsmasq's default of 150
// entries evicts constantly. 10000 is the limit its manual gives, and costs little memory.
const CACHE_SIZE = 10000;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN_ALLOWED = 'a DNS name such as registry.example.internal';
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV4_ALLOWED = 'an IPv4 address such as 10.0.0.5';

export class Dnsmasq extends HostRole {
  private readonly forwards: () => readonly DnsForward[];
  private readonly redirects: readonly (readonly [string, string])[];
  private readonly upstreams: readonly string[];

  constructor(scope: Construct, id: string, props: DnsmasqProps) {
    super(scope, id, { roleName: 'dnsmasq', requires: ['apt'] });
    this.forwards = props.forwards;
    // Sorted by code point (not locale), so the file depends neither on the region file's order nor on the machine.
    this.redirects = Object.entries(props.redirects ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.upstreams = [...(props.upstreams ?? [])];
    this.upstreams.forEach((ip, i) => checkPattern(this, `upstreams[${i}]`, ip, IPV4, IPV4_ALLOWED));
    for (const [domain, ip] of this.redirects) {
      checkPattern(this, 'redirects domain', domain, DOMAIN, DOMAIN_ALLOWED);
      checkPattern(this, `redirects[${domain}]`, ip, IPV4, IPV4_ALLOWED);
    }
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const forwards = this.forwards();
    this.checkForwards(forwards);
    const lines = [
      '# regionkit dnsmasq role: the host-local resolver',
      // Loopback for the host, the private address for containers on Docker's bridge; nothing else.
      `listen-address=127.0.0.1,${ctx.host.privateIp}`,
      // Binds exactly those addresses (never the wildcard, so systemd-resolved keeps 127.0.0.53:53 until the
      // switch script turns its stub off), and binds the private address when it appears: dnsmasq may start
      // before DHCP configured it (bind-interfaces would fail then).
      'bind-dynamic',
      'port=53',
      ...(this.upstreams.length > 0
        ? ['no-resolv', ...this.upstreams.map((ip) => `server=${ip}`)]
        : // Polled: a DHCP change of the upstreams reaches dnsmasq without a restart (where systemd-resolved runs).
          [`resolv-file=${UPSTREAM_RESOLV_CONF}`]),
      // Single-label names never leave the host; /etc/hosts (the hosts role) answers for the region's hosts.
      'domain-needed',
      `cache-size=${CACHE_SIZE}`,
      ...forwards.flatMap((f) => f.servers.map((ip) => `server=/${f.domain}/${ip}#${f.port ?? 53}`)),
      // `local=` makes the redirect the whole answer: since dnsmasq 2.86 other record types (AAAA) of an
      // `address=` domain are forwarded upstream, which would hand out the real registry's IPv6 address.
      ...this.redirects.flatMap(([domain, ip]) => [`address=/${domain}/${ip}`, `local=/${domain}/`]),
    ];
    config.addPackages('dnsmasq');
    config.addFile({ path: DNSMASQ_CONF, content: `${lines.join('\n')}\n` });
    config.addFile({
      path: DNSMASQ_DEFAULTS,
      content: [
        '# shellcheck shell=sh disable=SC2034',
        '# regionkit dnsmasq role: read by the dnsmasq package when it starts the daemon',
        '# the package default: read /etc/dnsmasq.d, skipping files dpkg leaves behind',
        'CONFIG_DIR=/etc/dnsmasq.d,.dpkg-dist,.dpkg-old,.dpkg-new',
        `# upstreams come from resolv-file= in ${DNSMASQ_CONF}; a resolvconf program must not replace them`,
        'IGNORE_RESOLVCONF=yes',
        '',
      ].join('\n'),
    });
    // Read only when the switch script restarts systemd-resolved, after dnsmasq answers.
    config.addFile({
      path: RESOLVED_DROP_IN,
      content: '# regionkit dnsmasq role: dnsmasq answers on 127.0.0.1\n[Resolve]\nDNSStubListener=no\n',
    });
    config.addFile({
      path: DHCLIENT_HOOK,
      content: [
        '# shellcheck shell=sh',
        '# regionkit dnsmasq role: sourced by dhclient-script; /etc/resolv.conf names the local dnsmasq, whose',
        `# upstreams are in ${UPSTREAM_RESOLV_CONF}`,
        'make_resolv_conf() { :; }',
        '',
      ].join('\n'),
    });
    // The private address may come up after dnsmasq; bind-dynamic copes, and a crash is not the end of DNS.
    config.addSystemdDropIn(
      'dnsmasq.service',
      DNSMASQ_DROP_IN,
      renderUnit('dnsmasq: start after the network, restart on failure (regionkit host role)', {
        Unit: [
          ['Wants', 'network-online.target'],
          ['After', 'network-online.target'],
        ],
        Service: [
          ['Restart', 'on-failure'],
          ['RestartSec', 5],
        ],
      }),
    );
    config.addScript(USE_DNSMASQ_SCRIPT, useDnsmasqScript());
    config.addRunCommand([USE_DNSMASQ_SCRIPT]);
  }

  private checkForwards(forwards: readonly DnsForward[]): void {
    const redirected = new Set(this.redirects.map(([domain]) => domain));
    for (const [i, f] of forwards.entries()) {
      checkPattern(this, `forwards[${i}].domain`, f.domain, DOMAIN, DOMAIN_ALLOWED);
      if (f.servers.length === 0) {
        throw new SpecError(`${this.node.path}: forwards[${i}].servers must name at least one server, got none`);
      }
      for (const [j, ip] of f.servers.entries())
        checkPattern(this, `forwards[${i}].servers[${j}]`, ip, IPV4, IPV4_ALLOWED);
      checkRange(this, `forwards[${i}].port`, f.port ?? 53, 1, 65535);
      if (redirected.has(f.domain)) {
        throw new SpecError(`${this.node.path}: forwards[${i}].domain must not also be redirected, got "${f.domain}"`, {
          hint: 'a domain is answered either by other servers (forwards) or here (redirects)',
        });
      }
    }
  }
}

/** Makes dnsmasq the host's resolver; until it runs, the image's resolver setup stays as it is. */
function useDnsmasqScript(): string {
  return `#!/bin/sh
# regionkit dnsmasq role: make the local dnsmasq the host's resolver. Run once from runcmd.
set -eu
upstream=${UPSTREAM_RESOLV_CONF}

# 1. the host's upstream servers, from what this OS has
install -d -m 0755 -o root -g root "$(dirname "$upstream")"
if [ -e ${RESOLVED_UPSTREAMS} ]; then
  # systemd-resolved runs: its list follows DHCP; dnsmasq polls it through the link
  ln -sfn ${RESOLVED_UPSTREAMS} "$upstream"
elif ! grep -q '^# regionkit dnsmasq role' /etc/resolv.conf; then
  # no systemd-resolved (Debian): the DHCP client wrote the servers into /etc/resolv.conf
  tmp=$(mktemp "$upstream.XXXXXX")
  grep -E '^(nameserver|search)[[:space:]]' /etc/resolv.conf | grep -v -E '^nameserver[[:space:]]+127[.]' >"$tmp" || true
  chmod 0644 "$tmp"
  mv -f "$tmp" "$upstream"
fi
if ! grep -q '^nameserver ' "$upstream" && ! grep -q '^server=' ${DNSMASQ_CONF}; then
  echo "regionkit: no upstream nameserver in $upstream; the host keeps its resolver" >&2
  exit 1
fi

# 2. dnsmasq, with its final configuration
systemctl enable dnsmasq.service
systemctl restart dnsmasq.service
if ! systemctl is-active --quiet dnsmasq.service; then
  echo "regionkit: dnsmasq is not running; the host keeps its resolver" >&2
  exit 1
fi

# 3. the host asks dnsmasq
new=/etc/resolv.conf.regionkit
{
  echo '# regionkit dnsmasq role: the local dnsmasq (${DNSMASQ_CONF})'
  echo 'nameserver 127.0.0.1'
  # keep the search domains DHCP handed out
  grep '^search ' "$upstream" || true
  echo 'options edns0'
} >"$new"
chmod 0644 "$new"
# /etc/resolv.conf may be a symlink to systemd-resolved's stub file: rename() replaces the link itself,
# atomically, and before the stub goes away, so lookups never find no resolver.
mv -f "$new" /etc/resolv.conf

# reads ${RESOLVED_DROP_IN}: no more stub listener on 127.0.0.53
if systemctl is-active --quiet systemd-resolved.service; then
  systemctl restart systemd-resolved.service
fi
`;
}
