/**
 * `node-exporter`: host metrics for Prometheus from the distribution's `prometheus-node-exporter` package, listening on
 * the host's private address only, with the systemd (unit states) and processes collectors on.
 *
 * @see https://github.com/prometheus/node_exporter#collectors
 */
import type { Construct } from 'constructs';

import { aptPreferencesPath, neverInstall } from '../../lib/cloudinit/apt-preferences.js';
import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';

export interface NodeExporterProps {
  /** Port Prometheus scrapes, on the host's private address. @default 9100 */
  readonly port?: number;
}

/** The package's unit reads `ARGS` from here (`EnvironmentFile=`, `ExecStart=... $ARGS`). */
export const NODE_EXPORTER_DEFAULTS = '/etc/default/prometheus-node-exporter';
/** Orders the package's unit after the network is configured. */
export const NODE_EXPORTER_DROP_IN = '/etc/systemd/system/prometheus-node-exporter.service.d/60-regionkit.conf';

/**
 * Keeps `openipmi` off the host. The package's Recommends chain pulls it in (Debian 12:
 * prometheus-node-exporter → prometheus-node-exporter-collectors → ipmitool → openipmi), and its service fails
 * on every boot of a VM, which has no IPMI device. Pin-Priority -1 leaves the Recommends unsatisfied, which apt
 * accepts; ipmitool itself stays (the collectors' ipmitool script finds no sensors and writes nothing).
 * @see apt_preferences(5); `apt-cache show` of those packages in bookworm (docs: constructs/roles/docs/node-exporter.md)
 */
export const NODE_EXPORTER_APT_PREFERENCES = aptPreferencesPath('node-exporter');

/** Collector flags, each a single word without quotes, backslashes or spaces (systemd splits `$ARGS`). */
export const NODE_EXPORTER_FLAGS: readonly string[] = [
  // state of every unit: a failed dnsmasq, docker or zookeeper is an alert, not a mystery
  '--collector.systemd',
  // process and thread counts against their limits: container hosts run out of PIDs
  '--collector.processes',
  // one veth per container would add a series set per container start; loopback says nothing
  '--collector.netdev.device-exclude=^(lo|veth.*)$',
];

export class NodeExporter extends HostRole {
  private readonly port: number;

  constructor(scope: Construct, id: string, props: NodeExporterProps = {}) {
    const port = props.port ?? 9100;
    super(scope, id, {
      roleName: 'node-exporter',
      requires: ['apt'],
      // Prometheus may run in any group of the region
      ports: [{ protocol: 'tcp', port, from: 'region', description: 'Prometheus scrapes' }],
    });
    this.port = port;
    // the daemon runs as the unprivileged prometheus user: no ports below 1024
    checkRange(this, 'port', port, 1024, 65535);
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const args = [`--web.listen-address=${ctx.host.privateIp}:${this.port}`, ...NODE_EXPORTER_FLAGS];
    neverInstall(
      config,
      'node-exporter',
      ['openipmi'],
      'regionkit node-exporter role: openipmi comes in through Recommends\n' +
        '(collectors -> ipmitool) and its service fails on a VM without an IPMI device',
    );
    config.addPackages('prometheus-node-exporter');
    config.addFile({
      path: NODE_EXPORTER_DEFAULTS,
      // Single quotes: taken verbatim both by systemd's EnvironmentFile= parser and by a shell.
      content: `# shellcheck shell=sh disable=SC2034\n# regionkit node-exporter role\nARGS='${args.join(' ')}'\n`,
    });
    // Binding the private address fails until DHCP configured it; without this, a reboot could use up the
    // unit's start attempts (Restart=on-failure) before the address exists.
    config.addFile({
      path: NODE_EXPORTER_DROP_IN,
      content: renderUnit('prometheus-node-exporter: listens on the private address (regionkit host role)', {
        Unit: [
          ['Wants', 'network-online.target'],
          ['After', 'network-online.target'],
        ],
        Service: [['RestartSec', 5]],
      }),
    });
    config.addRunCommand(['systemctl', 'daemon-reload']);
    config.addRunCommand(['systemctl', 'enable', '--now', 'prometheus-node-exporter.service']);
  }
}
