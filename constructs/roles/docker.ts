/**
 * `docker`: the Docker engine from the distribution's `docker.io` package (20.10 in Debian 12, 26.1 in
 * Debian 13, 29 in Ubuntu 24.04), configured by daemon.json: registry mirrors, log rotation, storage driver,
 * live restore, and optionally without docker's own iptables rules (for high-traffic hosts whose conntrack
 * tables they would fill).
 *
 * On a host with the dnsmasq role, containers resolve through it: `dns` names the host's private address, where
 * dnsmasq listens. Without it, dockerd copies /etc/resolv.conf minus its loopback servers (127.0.0.1, the local
 * dnsmasq) and, left with none, gives bridge-mode containers Google's public resolvers, which know neither the
 * Mesos domain nor the region's internal names.
 *
 * @see https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';

export interface DockerProps {
  /** Registry mirrors for docker.io pulls. @default - none */
  readonly registryMirrors?: readonly string[];
  /** Registries reached over plain HTTP (`host:port`). @default - none */
  readonly insecureRegistries?: readonly string[];
  /** Rotate a container's log at this size. @default 100 */
  readonly logMaxSizeMiB?: number;
  /** Rotated log files kept per container. @default 5 */
  readonly logMaxFiles?: number;
  /** Graph driver; unset keeps dockerd's own choice (the containerd image store on Docker 29). @default - dockerd's */
  readonly storageDriver?: 'overlay2' | 'zfs' | 'btrfs';
  /** Keep containers running while dockerd restarts. @default true */
  readonly liveRestore?: boolean;
  /** Let dockerd manage iptables (NAT for bridge networks, published ports). @default true */
  readonly iptables?: boolean;
  /**
   * Oldest API version dockerd accepts from clients (`1.24`), set as DOCKER_MIN_API_VERSION in dockerd's
   * environment. Docker 29 (Ubuntu 24.04) refuses clients older than 1.44 by default;
   * containers with old Docker CLIs inside (Mesos agents) need less.
   * @default - dockerd's own floor
   */
  readonly minApiVersion?: string;
}

export const DAEMON_JSON = '/etc/docker/daemon.json';

export class Docker extends HostRole {
  private readonly daemonJson: Record<string, unknown>;
  private readonly minApiVersion?: string;

  constructor(scope: Construct, id: string, props: DockerProps = {}) {
    super(scope, id, { roleName: 'docker', requires: ['apt'] });
    const logMaxSizeMiB = props.logMaxSizeMiB ?? 100;
    const logMaxFiles = props.logMaxFiles ?? 5;
    checkRange(this, 'logMaxSizeMiB', logMaxSizeMiB, 1, 1024);
    checkRange(this, 'logMaxFiles', logMaxFiles, 1, 20);
    const iptables = props.iptables ?? true;
    this.daemonJson = {
      'log-driver': 'json-file',
      'log-opts': { 'max-size': `${logMaxSizeMiB}m`, 'max-file': String(logMaxFiles) },
      ...(props.storageDriver ? { 'storage-driver': props.storageDriver } : {}),
      'live-restore': props.liveRestore ?? true,
      iptables,
      // Without docker's NAT rules containers stay on the host network; no masquerade, no forwarding.
      ...(iptables ? {} : { 'ip-masq': false, 'ip-forward': false }),
      ...(props.registryMirrors?.length ? { 'registry-mirrors': [...props.registryMirrors] } : {}),
      ...(props.insecureRegistries?.length ? { 'insecure-registries': [...props.insecureRegistries] } : {}),
    };
    this.minApiVersion = props.minApiVersion;
    if (props.minApiVersion !== undefined && !/^1\.\d{2}$/.test(props.minApiVersion)) {
      throw new SpecError(
        `${this.node.path}: minApiVersion must be an API version such as 1.24, got ${JSON.stringify(props.minApiVersion)}`,
      );
    }
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const daemonJson = {
      ...this.daemonJson,
      ...(ctx.roles.includes('dnsmasq') ? { dns: [ctx.host.privateIp] } : {}),
    };
    config.addPackages('docker.io');
    config.addFile({ path: DAEMON_JSON, content: `${JSON.stringify(daemonJson, null, 2)}\n` });
    if (this.minApiVersion) {
      // Not a daemon.json key in Docker 29 (the field is json:"-"): only dockerd's environment sets it.
      config.addSystemdDropIn(
        'docker.service',
        '60-regionkit.conf',
        renderUnit('docker: accept older API clients (regionkit docker role)', {
          Service: [['Environment', `DOCKER_MIN_API_VERSION=${this.minApiVersion}`]],
        }),
      );
    }
    config.addRunCommand(['systemctl', 'enable', '--now', 'docker.service']);
  }
}
