/**
 * `common`: what every host gets first: the admin login with its SSH keys, kernel settings and file-handle
 * limits sized for container hosts, UTC time.
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';

import { HostRole, type HostContext } from './host-role.js';

export interface CommonProps {
  /** Admin login created on every host (passwordless sudo, keys only). */
  readonly adminUser: string;
  /** OpenSSH public keys of the admin login. */
  readonly sshKeys: readonly string[];
  /** Extra kernel parameters; they win over the defaults below. @default - none */
  readonly sysctls?: Readonly<Record<string, string | number>>;
  /** Open-files limit for every login and service. @default 1048576 */
  readonly nofileLimit?: number;
}

/** Kernel settings for hosts running many containers and connections. */
export const DEFAULT_SYSCTLS: Readonly<Record<string, string | number>> = {
  'fs.file-max': 2097152,
  'fs.inotify.max_user_instances': 8192,
  'fs.inotify.max_user_watches': 524288,
  'net.core.somaxconn': 32768,
  'net.ipv4.tcp_keepalive_time': 600,
  'net.ipv4.tcp_max_syn_backlog': 8192,
  'vm.max_map_count': 262144,
  'vm.swappiness': 1,
};

export class Common extends HostRole {
  private readonly props: CommonProps;
  private readonly nofileLimit: number;

  constructor(scope: Construct, id: string, props: CommonProps) {
    super(scope, id, { roleName: 'common' });
    this.props = props;
    this.nofileLimit = props.nofileLimit ?? 1048576;
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    config.addUser({
      name: this.props.adminUser,
      sudo: true,
      groups: ['adm', 'sudo'],
      sshAuthorizedKeys: this.props.sshKeys,
    });
    config.setModule('timezone', 'Etc/UTC');
    const sysctls = { ...DEFAULT_SYSCTLS, ...(this.props.sysctls ?? {}) };
    for (const [key, value] of Object.entries(sysctls)) config.addSysctl(key, value);
    const n = this.nofileLimit;
    config.addFile({
      path: '/etc/security/limits.d/60-regionkit.conf',
      content: `# regionkit common role\n*    soft nofile ${n}\n*    hard nofile ${n}\nroot soft nofile ${n}\nroot hard nofile ${n}\n`,
    });
    config.addFile({
      path: '/etc/systemd/system.conf.d/60-regionkit.conf',
      content: `# regionkit common role: services get the same open-files limit as logins\n[Manager]\nDefaultLimitNOFILE=${n}\n`,
    });
  }
}
