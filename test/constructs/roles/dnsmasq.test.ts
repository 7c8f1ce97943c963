import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { Apt } from '../../../constructs/roles/apt.js';
import {
  DNSMASQ_CONF,
  DNSMASQ_DEFAULTS,
  Dnsmasq,
  type DnsForward,
  RESOLVED_DROP_IN,
  UPSTREAM_RESOLV_CONF,
  USE_DNSMASQ_SCRIPT,
} from '../../../constructs/roles/dnsmasq.js';
import { checkCloudConfig, checkDnsmasq, checkShell } from '../../checkers/checks.js';
import { testWith, which } from '../../checkers/tools.js';
import { fileOf, renderAll, renderRoles, roleFixture } from '../../role-helpers.js';

const MESOS: DnsForward = { domain: 'mesos', servers: ['10.0.0.16', '10.0.16.16', '10.0.32.16'], port: 8053 };
const REDIRECTS = { 'registry-1.docker.io': '10.0.0.5', 'gcr.io': '10.0.0.5' };

/** The cloud-config of one host with apt and a dnsmasq role made from `props`. */
function render(props: ConstructorParameters<typeof Dnsmasq>[2]): string {
  return renderRoles((f) => [new Apt(f.stack, 'Apt'), new Dnsmasq(f.stack, 'Dnsmasq', props)])[0]!;
}

describe('Dnsmasq', () => {
  test('minimal host: dnsmasq on 127.0.0.1, then the switch script', () => {
    expect(render({ forwards: () => [] })).toMatchInlineSnapshot(`
      "#cloud-config
      hostname: test-test-group-1
      prefer_fqdn_over_hostname: false
      ssh_pwauth: false
      disable_root: true
      package_update: true
      packages:
        - ca-certificates
        - dnsmasq
        - iptables
        - unattended-upgrades
      write_files:
        - path: /usr/local/sbin/regionkit-metadata-guard
          content: |
            #!/bin/sh
            # regionkit secret delivery: closes the openstack metadata service to workloads (docs/security.md).
            #   early  only root's own processes reach it; nothing forwarded (containers, other namespaces) does
            #   close  nothing on the host reaches it until the next boot (run once the secrets are fetched)
            set -eu
            phase=\${1:-}
            case $phase in
              early | close) ;;
              *)
                echo "usage: $0 early|close" >&2
                exit 2
                ;;
            esac
            chain=REGIONKIT-METADATA

            # $1: iptables or ip6tables, $2: the metadata address
            guard() {
              ipt=$1
              addr=$2
              "$ipt" -w -N "$chain" 2>/dev/null || "$ipt" -w -F "$chain"
              if [ "$phase" = early ]; then
                "$ipt" -w -A "$chain" -m owner --uid-owner 0 -j RETURN
              fi
              "$ipt" -w -A "$chain" -j REJECT
              "$ipt" -w -C OUTPUT -d "$addr" -j "$chain" 2>/dev/null || "$ipt" -w -I OUTPUT 1 -d "$addr" -j "$chain"
              # Packets from containers and other namespaces arrive through PREROUTING, whatever the bridge or CNI;
              # the raw table sees them before Docker's own FORWARD and DOCKER-USER rules.
              "$ipt" -w -t raw -C PREROUTING -d "$addr" -j DROP 2>/dev/null ||
                "$ipt" -w -t raw -I PREROUTING 1 -d "$addr" -j DROP
            }

            guard iptables 169.254.169.254
            guard ip6tables fe80::a9fe:a9fe
          owner: root:root
          permissions: "0755"
        - path: /etc/systemd/system/regionkit-metadata-guard.service
          content: |
            # regionkit secret delivery: metadata service closed to non-root processes and containers
            [Unit]
            Description=Close the cloud metadata service to non-root processes and containers (regionkit)
            DefaultDependencies=no
            After=local-fs.target
            Before=network-pre.target docker.service containerd.service
            Wants=network-pre.target

            [Service]
            Type=oneshot
            RemainAfterExit=yes
            ExecStart=/usr/local/sbin/regionkit-metadata-guard early

            [Install]
            WantedBy=sysinit.target
          owner: root:root
          permissions: "0644"
        - path: /etc/systemd/system/regionkit-metadata-close.service
          content: |
            # regionkit secret delivery: metadata service closed to every process until the next boot
            [Unit]
            Description=Close the cloud metadata service to every process until the next boot (regionkit)
            After=cloud-init.service regionkit-metadata-guard.service
            Requires=regionkit-metadata-guard.service
            Before=docker.service containerd.service

            [Service]
            Type=oneshot
            RemainAfterExit=yes
            ExecStart=/usr/local/sbin/regionkit-metadata-guard close

            [Install]
            WantedBy=multi-user.target
          owner: root:root
          permissions: "0644"
        - path: /usr/sbin/policy-rc.d
          content: |
            #!/bin/sh
            # regionkit: no service starts during first-boot installs
            exit 101
          owner: root:root
          permissions: "0755"
        - path: /etc/apt/apt.conf.d/20auto-upgrades
          content: |
            APT::Periodic::Update-Package-Lists "1";
            APT::Periodic::Unattended-Upgrade "1";
          owner: root:root
          permissions: "0644"
        - path: /etc/apt/apt.conf.d/52regionkit-unattended-upgrades
          content: |
            // regionkit apt role: security updates only; hosts are replaced, never rebooted behind our back
            #clear Unattended-Upgrade::Allowed-Origins;
            #clear Unattended-Upgrade::Origins-Pattern;
            Unattended-Upgrade::Origins-Pattern {
                    "origin=Debian,codename=\${distro_codename}-security,label=Debian-Security";
            };
            Unattended-Upgrade::Automatic-Reboot "false";
            Unattended-Upgrade::Remove-Unused-Dependencies "true";
          owner: root:root
          permissions: "0644"
        - path: /etc/dnsmasq.d/60-regionkit.conf
          content: |
            # regionkit dnsmasq role: the host-local resolver
            listen-address=127.0.0.1,10.0.0.16
            bind-dynamic
            port=53
            resolv-file=/etc/regionkit/resolv.upstream.conf
            domain-needed
            cache-size=10000
          owner: root:root
          permissions: "0644"
        - path: /etc/default/dnsmasq
          content: |
            # shellcheck shell=sh disable=SC2034
            # regionkit dnsmasq role: read by the dnsmasq package when it starts the daemon
            # the package default: read /etc/dnsmasq.d, skipping files dpkg leaves behind
            CONFIG_DIR=/etc/dnsmasq.d,.dpkg-dist,.dpkg-old,.dpkg-new
            # upstreams come from resolv-file= in /etc/dnsmasq.d/60-regionkit.conf; a resolvconf program must not replace them
            IGNORE_RESOLVCONF=yes
          owner: root:root
          permissions: "0644"
        - path: /etc/systemd/resolved.conf.d/60-regionkit.conf
          content: |
            # regionkit dnsmasq role: dnsmasq answers on 127.0.0.1
            [Resolve]
            DNSStubListener=no
          owner: root:root
          permissions: "0644"
        - path: /etc/dhcp/dhclient-enter-hooks.d/60-regionkit-dnsmasq
          content: |
            # shellcheck shell=sh
            # regionkit dnsmasq role: sourced by dhclient-script; /etc/resolv.conf names the local dnsmasq, whose
            # upstreams are in /etc/regionkit/resolv.upstream.conf
            make_resolv_conf() { :; }
          owner: root:root
          permissions: "0644"
        - path: /etc/systemd/system/dnsmasq.service.d/60-regionkit.conf
          content: |
            # dnsmasq: start after the network, restart on failure (regionkit host role)
            [Unit]
            Wants=network-online.target
            After=network-online.target

            [Service]
            Restart=on-failure
            RestartSec=5
          owner: root:root
          permissions: "0644"
        - path: /usr/local/sbin/regionkit-use-dnsmasq
          content: |
            #!/bin/sh
            # regionkit dnsmasq role: make the local dnsmasq the host's resolver. Run once from runcmd.
            set -eu
            upstream=/etc/regionkit/resolv.upstream.conf

            # 1. the host's upstream servers, from what this OS has
            install -d -m 0755 -o root -g root "$(dirname "$upstream")"
            if [ -e /run/systemd/resolve/resolv.conf ]; then
              # systemd-resolved runs: its list follows DHCP; dnsmasq polls it through the link
              ln -sfn /run/systemd/resolve/resolv.conf "$upstream"
            elif ! grep -q '^# regionkit dnsmasq role' /etc/resolv.conf; then
              # no systemd-resolved (Debian): the DHCP client wrote the servers into /etc/resolv.conf
              tmp=$(mktemp "$upstream.XXXXXX")
              grep -E '^(nameserver|search)[[:space:]]' /etc/resolv.conf | grep -v -E '^nameserver[[:space:]]+127[.]' >"$tmp" || true
              chmod 0644 "$tmp"
              mv -f "$tmp" "$upstream"
            fi
            if ! grep -q '^nameserver ' "$upstream" && ! grep -q '^server=' /etc/dnsmasq.d/60-regionkit.conf; then
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
              echo '# regionkit dnsmasq role: the local dnsmasq (/etc/dnsmasq.d/60-regionkit.conf)'
              echo 'nameserver 127.0.0.1'
              # keep the search domains DHCP handed out
              grep '^search ' "$upstream" || true
              echo 'options edns0'
            } >"$new"
            chmod 0644 "$new"
            # /etc/resolv.conf may be a symlink to systemd-resolved's stub file: rename() replaces the link itself,
            # atomically, and before the stub goes away, so lookups never find no resolver.
            mv -f "$new" /etc/resolv.conf

            # reads /etc/systemd/resolved.conf.d/60-regionkit.conf: no more stub listener on 127.0.0.53
            if systemctl is-active --quiet systemd-resolved.service; then
              systemctl restart systemd-resolved.service
            fi
          owner: root:root
          permissions: "0755"
      runcmd:
        - - systemctl
          - daemon-reload
        - - systemctl
          - enable
          - --now
          - regionkit-metadata-guard.service
        - - systemctl
          - enable
          - --now
          - regionkit-metadata-close.service
        - - rm
          - -f
          - /usr/sbin/policy-rc.d
        - - /usr/local/sbin/regionkit-use-dnsmasq
      "
    `);
  });

  test('forwards each domain to every server and port, read when the host is configured', () => {
    const forwards: DnsForward[] = [];
    const f = roleFixture();
    const group = f.group('worker');
    group.addRole(new Apt(f.stack, 'Apt'));
    group.addRole(new Dnsmasq(f.stack, 'Dnsmasq', { forwards: () => forwards }));
    // added after the role was made, as a cluster does once its control hosts exist
    forwards.push(MESOS, { domain: 'consul.internal', servers: ['10.0.0.20'] });
    const conf = fileOf(renderAll(group)[0]!, DNSMASQ_CONF).content;
    expect(conf.split('\n').filter((l) => l.startsWith('server='))).toEqual([
      'server=/mesos/10.0.0.16#8053',
      'server=/mesos/10.0.16.16#8053',
      'server=/mesos/10.0.32.16#8053',
      'server=/consul.internal/10.0.0.20#53',
    ]);
  });

  test('answers redirected domains itself, sorted, with nothing else forwarded for them', () => {
    const conf = fileOf(render({ forwards: () => [], redirects: REDIRECTS }), DNSMASQ_CONF).content;
    expect(conf.split('\n').filter((l) => /^(address|local)=/.test(l))).toEqual([
      'address=/gcr.io/10.0.0.5',
      'local=/gcr.io/',
      'address=/registry-1.docker.io/10.0.0.5',
      'local=/registry-1.docker.io/',
    ]);
  });

  test('listens on loopback and the private address (for bridge containers), and reads the upstream list', () => {
    const conf = fileOf(render({ forwards: () => [] }), DNSMASQ_CONF).content;
    const settings = conf.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(settings.filter((l) => /^(listen-address|interface|bind-interfaces|bind-dynamic|port)\b/.test(l))).toEqual([
      'listen-address=127.0.0.1,10.0.0.16',
      'bind-dynamic',
      'port=53',
    ]);
    // never systemd-resolved's file itself: Debian 12 has none (dnsmasq failed on it)
    expect(settings).toContain(`resolv-file=${UPSTREAM_RESOLV_CONF}`);
    expect(conf).not.toContain('/run/systemd/resolve/');
  });

  test("with the cloud's resolvers known, they are the upstreams and no resolv-file is read", () => {
    const conf = fileOf(
      render({ forwards: () => [], upstreams: ['100.100.2.136', '100.100.2.138'] }),
      DNSMASQ_CONF,
    ).content;
    expect(conf).toContain('\nno-resolv\nserver=100.100.2.136\nserver=100.100.2.138\n');
    expect(conf).not.toContain('resolv-file=');
  });

  test('one script sets up the upstreams, starts dnsmasq and switches the host, after every file is written', () => {
    const doc = parse(render({ forwards: () => [MESOS] })) as { runcmd: string[][]; packages: string[] };
    const cmds = doc.runcmd.map((c) => c.join(' '));
    expect(cmds).not.toContain('systemctl enable --now dnsmasq.service');
    expect(cmds).toContain(USE_DNSMASQ_SCRIPT);
    expect(doc.packages).toContain('dnsmasq');
    expect(doc.packages).not.toContain('dnsmasq-base');
  });

  test('the switch script takes the upstreams from systemd-resolved where it runs, else from /etc/resolv.conf', () => {
    const script = fileOf(render({ forwards: () => [] }), USE_DNSMASQ_SCRIPT).content;
    expect(script).toContain('if [ -e /run/systemd/resolve/resolv.conf ]; then');
    expect(script).toContain(`ln -sfn /run/systemd/resolve/resolv.conf "$upstream"`);
    expect(script).toMatch(/grep -E '\^\(nameserver\|search\)\[\[:space:\]\]' \/etc\/resolv\.conf/);
  });

  test('declares no ports: security groups are what they are without it', () => {
    const f = roleFixture();
    const plain = f.group('plain');
    const withDns = f.group('dns');
    const role = new Dnsmasq(f.stack, 'Dnsmasq', { forwards: () => [MESOS] });
    withDns.addRole(new Apt(f.stack, 'Apt'));
    withDns.addRole(role);
    expect(role.ports).toEqual([]);
    const rules = (g: typeof plain) => g.securityGroup.ingressRules.map((r) => r.port.toString());
    expect(rules(withDns)).toEqual(rules(plain));
  });

  test.each([
    [
      { 'Registry.example': '10.0.0.5' },
      'redirects domain must be a DNS name such as registry.example.internal, got "Registry.example"',
    ],
    [{ 'a..b': '10.0.0.5' }, 'redirects domain must be a DNS name such as registry.example.internal, got "a..b"'],
    [{ 'gcr.io': '10.0.0.256' }, 'redirects[gcr.io] must be an IPv4 address such as 10.0.0.5, got "10.0.0.256"'],
    [
      { 'gcr.io': 'mirror.internal' },
      'redirects[gcr.io] must be an IPv4 address such as 10.0.0.5, got "mirror.internal"',
    ],
  ])('fails if a redirect is invalid: %o', (redirects, message) => {
    const f = roleFixture();
    expect(() => new Dnsmasq(f.stack, 'Dnsmasq', { forwards: () => [], redirects })).toThrow(
      `test/Dnsmasq: ${message}`,
    );
  });

  test.each<[DnsForward, string]>([
    [
      { domain: 'mesos/', servers: ['10.0.0.16'] },
      'forwards[0].domain must be a DNS name such as registry.example.internal, got "mesos/"',
    ],
    [{ domain: 'mesos', servers: [] }, 'forwards[0].servers must name at least one server, got none'],
    [
      { domain: 'mesos', servers: ['10.0.0.16', 'fd00::1'] },
      'forwards[0].servers[1] must be an IPv4 address such as 10.0.0.5, got "fd00::1"',
    ],
    [
      { domain: 'mesos', servers: ['10.0.0.16'], port: 0 },
      'forwards[0].port must be an integer between 1 and 65535, got 0',
    ],
    [{ domain: 'gcr.io', servers: ['10.0.0.16'] }, 'forwards[0].domain must not also be redirected, got "gcr.io"'],
  ])('fails when configured if a forward is invalid: %o', (forward, message) => {
    expect(() => render({ forwards: () => [forward], redirects: REDIRECTS })).toThrow(`test/Dnsmasq: ${message}`);
  });

  testWith('dnsmasq', 'the configuration passes `dnsmasq --test`', async () => {
    const conf = fileOf(render({ forwards: () => [MESOS], redirects: REDIRECTS }), DNSMASQ_CONF).content;
    expect(await checkDnsmasq(conf)).toBe('');
    // the checker rejects what dnsmasq rejects
    expect(await checkDnsmasq(`${conf}server=/mesos/10.0.0.300\n`)).not.toBe('');
  });

  testWith('shellcheck', 'the switch script and the package defaults pass shellcheck', async () => {
    const doc = render({ forwards: () => [MESOS] });
    expect(await checkShell('regionkit-use-dnsmasq', fileOf(doc, USE_DNSMASQ_SCRIPT).content)).toBe('');
    expect(await checkShell('dnsmasq', fileOf(doc, DNSMASQ_DEFAULTS).content)).toBe('');
  });

  testWith('cloud-init', 'the cloud-config passes `cloud-init schema`', async () => {
    expect(await checkCloudConfig(render({ forwards: () => [MESOS], redirects: REDIRECTS }))).toBe('');
  });
});

describe('a real dnsmasq from the rendered configuration', () => {
  const processes: ChildProcess[] = [];
  const sockets: Socket[] = [];
  afterAll(() => {
    processes.forEach((p) => p.kill('SIGKILL'));
    sockets.forEach((s) => s.close());
  });

  /** Starts dnsmasq with `args`; resolves with its log once it reports `ready`. */
  function start(args: string[], ready: RegExp): Promise<() => string> {
    const child = spawn(which('dnsmasq')!, ['--keep-in-foreground', '--pid-file=', '--log-facility=-', ...args]);
    processes.push(child);
    let log = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dnsmasq did not start:\n${log}`)), 10_000);
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (ready.test(log)) {
          clearTimeout(timer);
          resolve(() => log);
        }
      });
      child.on('exit', (code) => reject(new Error(`dnsmasq exited with ${code}:\n${log}`)));
    });
  }

  testWith(
    'dnsmasq',
    'starts beside a resolver on another loopback address, forwards the Mesos domain, answers redirects alone, reads the upstream file',
    async () => {
      const base = 20000 + Math.floor(Math.random() * 20000);
      const [port, mesosDnsPort] = [base, base + 1];
      // mesos-dns stand-in: another dnsmasq that knows the Mesos domain
      await start(
        [
          '--conf-file=/dev/null',
          '--no-resolv',
          '--no-hosts',
          '--listen-address=127.0.0.1',
          '--bind-interfaces',
          `--port=${mesosDnsPort}`,
          '--address=/mesos/10.9.9.9',
        ],
        /started/,
      );
      const forwards = () => [{ domain: 'mesos', servers: ['127.0.0.1'], port: mesosDnsPort }];
      const rendered = fileOf(render({ forwards, redirects: REDIRECTS }), DNSMASQ_CONF).content;
      // Remap only what cannot be the same here: the port and the upstream file.
      const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-dnsmasq-'));
      // started as root, dnsmasq reads the upstream file as its own user
      await chmod(dir, 0o755);
      await writeFile(path.join(dir, 'upstream.conf'), 'nameserver 127.0.0.2\n');
      const conf = rendered
        .replace(/^port=53$/m, `port=${port}`)
        .replace(`resolv-file=${UPSTREAM_RESOLV_CONF}`, `resolv-file=${path.join(dir, 'upstream.conf')}`);
      expect(conf).not.toBe(rendered);
      await writeFile(path.join(dir, 'dnsmasq.conf'), conf);
      // --no-hosts: the answers must not depend on this machine's /etc/hosts
      // systemd-resolved's stub stand-in: the same port on another loopback address, taken first. dnsmasq must
      // bind 127.0.0.1 alone, not the wildcard address, to start beside it.
      const stub = createSocket('udp4');
      sockets.push(stub);
      await new Promise<void>((resolve, reject) => {
        stub.once('error', reject);
        stub.bind(port, '127.0.0.2', resolve);
      });
      const log = await start([`--conf-file=${path.join(dir, 'dnsmasq.conf')}`, '--no-hosts'], /cleared cache/);

      const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
      resolver.setServers([`127.0.0.1:${port}`]);
      expect(await resolver.resolve4('leader.mesos')).toEqual(['10.9.9.9']);
      expect(await resolver.resolve4('registry-1.docker.io')).toEqual(['10.0.0.5']);
      expect(await resolver.resolve4('storage.gcr.io')).toEqual(['10.0.0.5']);
      // no AAAA from the real registry: the redirect is the whole answer
      await expect(resolver.resolve6('registry-1.docker.io')).rejects.toMatchObject({ code: 'ENODATA' });
      expect(log()).toContain('cachesize 10000');
      // dnsmasq polls the upstream file (at most once a second) when it has a query to forward
      const probe = new dns.Resolver({ timeout: 300, tries: 1 });
      probe.setServers([`127.0.0.1:${port}`]);
      for (let i = 0; i < 20 && !log().includes('using nameserver 127.0.0.2#53'); i++) {
        await probe.resolve4('upstream.example').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(log()).toContain('using nameserver 127.0.0.2#53');
    },
    30_000,
  );
});

test('RESOLVED_DROP_IN turns the stub listener off and nothing else', () => {
  const content = fileOf(render({ forwards: () => [] }), RESOLVED_DROP_IN).content;
  expect(content.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([
    '[Resolve]',
    'DNSStubListener=no',
  ]);
});
