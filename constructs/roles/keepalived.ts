/**
 * `keepalived`: a virtual IP held by one of two hosts for TCP services, moved to the other when the holder
 * or one of its tracked services fails. VRRP runs unicast between the two (clouds do not carry multicast);
 * the cloud routes the address to whichever host announced it (Alibaba HaVip, Neutron allowed address pairs),
 * which the host group sets up when the role asks for the address.
 *
 * The configuration is rendered at every start (`ExecStartPre`) into /run. The packaged unit (keepalived
 * 1:2.2.7-1+b2 in bookworm, 1:2.3.3-1 in trixie) has `ConditionFileNotEmpty=/etc/keepalived/keepalived.conf`,
 * which systemd checks before any ExecStartPre runs: with the file absent the unit is skipped, and
 * `systemctl enable --now` still exits 0. The drop-in resets that condition (an empty assignment clears the
 * list) and checks the template the role writes instead.
 *
 * @see https://keepalived.readthedocs.io/en/latest/configuration_synopsis.html
 * @see https://www.freedesktop.org/software/systemd/man/252/systemd.unit.html#Conditions%20and%20Asserts
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';

export interface KeepalivedProps {
  /** The virtual IP (from the host group's `addVirtualIp`). */
  readonly virtualIp: string;
  /** Prefix length of the subnet the address lives in. */
  readonly prefixLength: number;
  /** VRRP router id, unique in the subnet, 1-255. */
  readonly virtualRouterId: number;
  /** TCP ports on the host whose service must answer for it to keep the address. @default - none */
  readonly checkPorts?: readonly number[];
}

/** The configuration template; the host's interface name is filled in at service start. */
export const KEEPALIVED_TEMPLATE = '/etc/keepalived/keepalived.conf.in';
export const KEEPALIVED_CONF = '/run/keepalived/keepalived.conf';
export const INTERFACE_PLACEHOLDER = '@INTERFACE@';
const RENDER_SCRIPT = '/usr/local/sbin/regionkit-keepalived-config';
const CHECK_SCRIPT = '/etc/keepalived/check-tcp.sh';

export class Keepalived extends HostRole {
  private readonly props: KeepalivedProps;
  private readonly checkPorts: readonly number[];

  constructor(scope: Construct, id: string, props: KeepalivedProps) {
    super(scope, id, {
      roleName: 'keepalived',
      requires: ['apt'],
      ports: [{ protocol: 'vrrp', port: 0, from: 'group', description: 'VRRP adverts between the two holders' }],
    });
    this.props = props;
    this.checkPorts = props.checkPorts ?? [];
    checkRange(this, 'virtualRouterId', props.virtualRouterId, 1, 255);
    checkRange(this, 'prefixLength', props.prefixLength, 8, 30);
    this.checkPorts.forEach((p, i) => checkRange(this, `checkPorts[${i}]`, p, 1, 65535));
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    if (ctx.groupHosts.length !== 2) {
      throw new SpecError(
        `${this.node.path}: keepalived holds its address with exactly 2 hosts, got ${ctx.groupHosts.length}`,
        {
          hint: 'give the group count: 2',
        },
      );
    }
    const peer = ctx.groupHosts.find((h) => h.privateIp !== ctx.host.privateIp)!;
    const check = (port: number) => `check_tcp_${port}`;
    const lines = [
      '# regionkit keepalived role',
      'global_defs {',
      `  router_id ${ctx.host.name}`,
      '  enable_script_security',
      '  script_user root',
      '}',
      ...this.checkPorts.flatMap((port) => [
        `vrrp_script ${check(port)} {`,
        `  script "${CHECK_SCRIPT} ${port}"`,
        '  interval 2',
        '  timeout 2',
        '  fall 2',
        '  rise 2',
        '}',
      ]),
      `vrrp_instance VI_${this.props.virtualRouterId} {`,
      // Both start as backups; the first host has the higher priority, and nopreempt keeps a recovered host
      // from taking the address back (one failover, not two).
      '  state BACKUP',
      `  interface ${INTERFACE_PLACEHOLDER}`,
      `  virtual_router_id ${this.props.virtualRouterId}`,
      `  priority ${ctx.host.index === 0 ? 150 : 100}`,
      '  advert_int 1',
      '  nopreempt',
      `  unicast_src_ip ${ctx.host.privateIp}`,
      '  unicast_peer {',
      `    ${peer.privateIp}`,
      '  }',
      '  virtual_ipaddress {',
      `    ${this.props.virtualIp}/${this.props.prefixLength} dev ${INTERFACE_PLACEHOLDER}`,
      '  }',
      ...(this.checkPorts.length > 0
        ? ['  track_script {', ...this.checkPorts.map((p) => `    ${check(p)}`), '  }']
        : []),
      '}',
    ];
    config.addPackages('keepalived');
    config.addFile({ path: KEEPALIVED_TEMPLATE, content: `${lines.join('\n')}\n` });
    config.addScript(CHECK_SCRIPT, tcpCheckScript(ctx.host.privateIp));
    config.addScript(RENDER_SCRIPT, renderScript(ctx.host.privateIp));
    config.addFile({
      path: '/etc/default/keepalived',
      content: `# regionkit keepalived role: the configuration rendered at service start\nDAEMON_ARGS="--use-file=${KEEPALIVED_CONF}"\n`,
    });
    config.addSystemdDropIn(
      'keepalived.service',
      '60-regionkit.conf',
      renderUnit("keepalived: render the configuration with this host's interface (regionkit)", {
        Unit: [
          ['ConditionFileNotEmpty', ''],
          ['ConditionFileNotEmpty', KEEPALIVED_TEMPLATE],
        ],
        Service: [
          ['ExecStartPre', RENDER_SCRIPT],
          // the render script fails while no interface carries the address yet
          ['Restart', 'on-failure'],
          ['RestartSec', 5],
        ],
      }),
    );
    config.addRunCommand(['systemctl', 'enable', '--now', 'keepalived.service']);
  }
}

/**
 * Succeeds when the TCP port answers on the host's private address: where the tracked daemons bind (issue 7,
 * "every daemon binds the host's private address") and where clients reach them. A probe of 127.0.0.1 would
 * fail for a daemon bound to the private address only, and the address would never be held; a daemon bound to
 * every address (marathon-lb's stats port, from its image's `HAPROXY_HEAD`) answers on the private one too.
 */
function tcpCheckScript(privateIp: string): string {
  return [
    '#!/bin/bash',
    "# regionkit keepalived role: is the tracked service answering on this host's private address?",
    'set -euo pipefail',
    'port="$1"',
    `exec timeout 2 bash -c "exec 3<>/dev/tcp/${privateIp}/\${port}"`,
    '',
  ].join('\n');
}

/** Writes the runtime configuration with the name of the interface that carries the host's address. */
function renderScript(privateIp: string): string {
  return [
    '#!/bin/sh',
    '# regionkit keepalived role: interface names differ between images and clouds; the address does not.',
    'set -eu',
    `iface=$(ip -o -4 addr show to "${privateIp}" | awk '{print $2; exit}')`,
    'if [ -z "$iface" ]; then',
    `  echo "no interface carries ${privateIp}" >&2`,
    '  exit 1',
    'fi',
    'mkdir -p /run/keepalived',
    `sed "s/${INTERFACE_PLACEHOLDER}/$iface/g" ${KEEPALIVED_TEMPLATE} > ${KEEPALIVED_CONF}.tmp`,
    `mv ${KEEPALIVED_CONF}.tmp ${KEEPALIVED_CONF}`,
    '',
  ].join('\n');
}
