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
  /**
   * A pool name (`pool … iburst maxsources 4`), used when there are no servers.
   * @default - the OS's own pool: `2.debian.pool.ntp.org` (chrony 4.3 in bookworm, /usr/share/chrony/chrony.conf)
   * on Debian, `ntp.ubuntu.com` on Ubuntu
   */
  readonly pool?: string;
}

export const CHRONY_CONF = '/etc/chrony/chrony.conf';
const DEBIAN_POOL = '2.debian.pool.ntp.org';
const UBUNTU_POOL = 'ntp.ubuntu.com';

export class Ntp extends HostRole {
  private readonly servers: readonly string[];
  private readonly pool?: string;

  constructor(scope: Construct, id: string, props: NtpProps = {}) {
    super(scope, id, { roleName: 'ntp', requires: ['apt'] });
    this.servers = props.servers ?? [];
    this.pool = props.pool;
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const pool =
      this.servers.length > 0 ? undefined : (this.pool ?? (ctx.os.startsWith('debian-') ? DEBIAN_POOL : UBUNTU_POOL));
    const lines = [
      '# regionkit ntp role',
      ...this.servers.map((s) => `server ${s} iburst`),
      ...(pool ? [`pool ${pool} iburst maxsources 4`] : []),
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
