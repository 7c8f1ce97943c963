/**
 * `dnsmasq`: the host's local DNS resolver, from Ubuntu's `dnsmasq` package, on 127.0.0.1:53 only. It asks
 * the DHCP-provided upstreams systemd-resolved keeps in /run/systemd/resolve/resolv.conf, sends chosen
 * domains to other servers (the Mesos domain to mesos-dns) and answers redirected domains itself (registry
 * domains pointed at the region mirror). Once it runs, a script makes the host use it: /etc/resolv.conf
 * names 127.0.0.1 and systemd-resolved's stub listener on 127.0.0.53 is turned off.
 *
 * @see https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html
 * @see https://www.freedesktop.org/software/systemd/man/latest/resolved.conf.html
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
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
}

/** dnsmasq's own configuration, read through the package's conf-dir. */
export const DNSMASQ_CONF = '/etc/dnsmasq.d/60-regionkit.conf';
/** Settings of the package's start helper (/usr/share/dnsmasq/systemd-helper). */
export const DNSMASQ_DEFAULTS = '/etc/default/dnsmasq';
/** Turns off systemd-resolved's stub listener once dnsmasq answers on 127.0.0.1. */
export const RESOLVED_DROP_IN = '/etc/systemd/resolved.conf.d/60-regionkit.conf';
/** Points /etc/resolv.conf at dnsmasq and restarts systemd-resolved. */
export const USE_DNSMASQ_SCRIPT = '/usr/local/sbin/regionkit-use-dnsmasq';
/** The DHCP-provided upstream servers as systemd-resolved writes them (with or without its stub listener). */
export const UPSTREAM_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

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

  constructor(scope: Construct, id: string, props: DnsmasqProps) {
    super(scope, id, { roleName: 'dnsmasq', requires: ['apt'] });
    this.forwards = props.forwards;
    // Sorted by code point (not locale), so the file depends neither on the region file's order nor on the machine.
    this.redirects = Object.entries(props.redirects ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [domain, ip] of this.redirects) {
      checkPattern(this, 'redirects domain', domain, DOMAIN, DOMAIN_ALLOWED);
      checkPattern(this, `redirects[${domain}]`, ip, IPV4, IPV4_ALLOWED);
    }
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    const forwards = this.forwards();
    this.checkForwards(forwards);
    const lines = [
      '# regionkit dnsmasq role: the host-local resolver',
      // Only loopback, and only that address: bind-interfaces binds 127.0.0.1 itself instead of the wildcard,
      // so systemd-resolved keeps 127.0.0.53:53 until the switch script turns its stub listener off.
      'listen-address=127.0.0.1',
      'bind-interfaces',
      'port=53',
      // Polled: a DHCP change of the upstreams reaches dnsmasq without a restart.
      `resolv-file=${UPSTREAM_RESOLV_CONF}`,
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
    config.addScript(USE_DNSMASQ_SCRIPT, useDnsmasqScript());
    config.addRunCommand(['systemctl', 'enable', '--now', 'dnsmasq.service']);
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

/** Makes dnsmasq the host's resolver; until it runs, systemd-resolved's stub answers on 127.0.0.53. */
function useDnsmasqScript(): string {
  return `#!/bin/sh
# regionkit dnsmasq role: make the local dnsmasq the host's resolver. Run once from runcmd, after dnsmasq started.
set -eu

if ! systemctl is-active --quiet dnsmasq.service; then
  echo "regionkit: dnsmasq is not running; the host keeps systemd-resolved's stub resolver" >&2
  exit 1
fi

new=/etc/resolv.conf.regionkit
{
  echo '# regionkit dnsmasq role: the local dnsmasq (${DNSMASQ_CONF})'
  echo 'nameserver 127.0.0.1'
  # keep the search domains DHCP handed to systemd-resolved
  grep '^search ' ${UPSTREAM_RESOLV_CONF} || true
  echo 'options edns0'
} >"$new"
chmod 0644 "$new"
# /etc/resolv.conf is a symlink to systemd-resolved's stub file: rename() replaces the link itself, atomically,
# and before the stub goes away, so lookups never find no resolver.
mv -f "$new" /etc/resolv.conf

# reads ${RESOLVED_DROP_IN}: no more stub listener on 127.0.0.53
systemctl restart systemd-resolved.service
`;
}
