/**
 * `ntp`: chrony, synchronised to the given servers (the catalog passes the cloud's own, reachable without
 * internet access) or to a pool.
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';

import { HostRole, type HostContext } from './host-role.js';

export interface NtpProps {
  /** NTP servers (`server … iburst`). @default - none; the pool is used */
  readonly servers?: readonly string[];
  /** A pool name (`pool … iburst maxsources 4`), used when there are no servers. @default 'ntp.ubuntu.com' */
  readonly pool?: string;
}

export const CHRONY_CONF = '/etc/chrony/chrony.conf';

export class Ntp extends HostRole {
  private readonly servers: readonly string[];
  private readonly pool?: string;

  constructor(scope: Construct, id: string, props: NtpProps = {}) {
    super(scope, id, { roleName: 'ntp', requires: ['apt'] });
    this.servers = props.servers ?? [];
    this.pool = this.servers.length > 0 ? undefined : (props.pool ?? 'ntp.ubuntu.com');
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    const lines = [
      '# regionkit ntp role',
      ...this.servers.map((s) => `server ${s} iburst`),
      ...(this.pool ? [`pool ${this.pool} iburst maxsources 4`] : []),
      'driftfile /var/lib/chrony/chrony.drift',
      'ntsdumpdir /var/lib/chrony',
      'logdir /var/log/chrony',
      // step the clock at boot if it is far off, slew afterwards
      'makestep 1.0 3',
      'rtcsync',
      'leapsectz right/UTC',
      'maxupdateskew 100.0',
    ];
    config.addPackages('chrony');
    config.addFile({ path: CHRONY_CONF, content: `${lines.join('\n')}\n` });
    config.addRunCommand(['systemctl', 'enable', '--now', 'chrony.service']);
  }
}
