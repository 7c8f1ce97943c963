/**
 * `apt`: package sources and automatic security updates. Also holds back service starts while cloud-init
 * installs packages (policy-rc.d), so every daemon starts once, with its final configuration, from the role
 * that owns it.
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';

import { HostRole, type HostContext } from './host-role.js';

export interface AptProps {
  /** Ubuntu archive mirror, e.g. `http://mirrors.cloud.aliyuncs.com/ubuntu`. @default - the image's own sources */
  readonly mirror?: string;
  /** `security`: install security updates daily, never reboot; `off`: no automatic upgrades. @default 'security' */
  readonly unattendedUpgrades?: 'security' | 'off';
}

/** Answers 101 ("action forbidden") to maintainer scripts that want to start a service. */
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export class Apt extends HostRole {
  private readonly mirror?: string;
  private readonly unattendedUpgrades: 'security' | 'off';

  constructor(scope: Construct, id: string, props: AptProps = {}) {
    super(scope, id, { roleName: 'apt' });
    this.mirror = props.mirror;
    this.unattendedUpgrades = props.unattendedUpgrades ?? 'security';
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    if (this.mirror) {
      config.setModule('apt', {
        preserve_sources_list: false,
        primary: [{ arches: ['default'], uri: this.mirror }],
        security: [{ arches: ['default'], uri: this.mirror }],
      });
    }
    config.addFile({
      path: POLICY_RC_D,
      content: '#!/bin/sh\n# regionkit: no service starts during first-boot installs\nexit 101\n',
      permissions: '0755',
    });
    config.addRunCommand(['rm', '-f', POLICY_RC_D]);
    config.addPackages('unattended-upgrades', 'ca-certificates');
    const enabled = this.unattendedUpgrades === 'security' ? '1' : '0';
    config.addFile({
      path: '/etc/apt/apt.conf.d/20auto-upgrades',
      content: `APT::Periodic::Update-Package-Lists "${enabled}";\nAPT::Periodic::Unattended-Upgrade "${enabled}";\n`,
    });
    config.addFile({
      path: '/etc/apt/apt.conf.d/52regionkit-unattended-upgrades',
      content: [
        '// regionkit apt role: security updates only; hosts are replaced, never rebooted behind our back',
        'Unattended-Upgrade::Allowed-Origins {',
        '        "${distro_id}:${distro_codename}-security";',
        '        "${distro_id}ESMApps:${distro_codename}-apps-security";',
        '        "${distro_id}ESM:${distro_codename}-infra-security";',
        '};',
        'Unattended-Upgrade::Automatic-Reboot "false";',
        'Unattended-Upgrade::Remove-Unused-Dependencies "true";',
        '',
      ].join('\n'),
    });
  }
}
