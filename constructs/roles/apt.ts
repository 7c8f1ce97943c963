/**
 * `apt`: package sources and automatic security updates. Also holds back service starts while cloud-init
 * installs packages (policy-rc.d), so every daemon starts once, with its final configuration, from the role
 * that owns it.
 */
import type { Construct } from 'constructs';

import type { AptMirrors } from '../../lib/cloud/types.js';
import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import type { HostOs } from '../../lib/spec/region-spec.js';

import { HostRole, type HostContext } from './host-role.js';

export interface AptProps {
  /**
   * Archive mirror of the host's OS (`http://mirror.example/debian` on Debian, `…/ubuntu` on Ubuntu). On Debian
   * it replaces the release archive only: security updates keep coming from `cloudMirrors`, else from
   * Debian's security archive (`DEBIAN_SECURITY_ARCHIVE`), which is a separate archive (`debian-security`).
   * @default - `cloudMirrors`
   */
  readonly mirror?: string;
  /** The cloud's in-network mirrors per OS (Alibaba's). @default - the image's own sources */
  readonly cloudMirrors?: Readonly<Partial<Record<HostOs, AptMirrors>>>;
  /** `security`: install security updates daily, never reboot; `off`: no automatic upgrades. @default 'security' */
  readonly unattendedUpgrades?: 'security' | 'off';
}

/**
 * Debian's security archive, as Debian's cloud-init configures it when nothing else is given.
 * @see cloud-init 22.4.2-1+deb12u4 (bookworm) /etc/cloud/cloud.cfg, `package_mirrors` failsafe `security`
 */
export const DEBIAN_SECURITY_ARCHIVE = 'https://deb.debian.org/debian-security';

/** Answers 101 ("action forbidden") to maintainer scripts that want to start a service. */
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export class Apt extends HostRole {
  private readonly mirror?: string;
  private readonly cloudMirrors: Readonly<Partial<Record<HostOs, AptMirrors>>>;
  private readonly unattendedUpgrades: 'security' | 'off';

  constructor(scope: Construct, id: string, props: AptProps = {}) {
    super(scope, id, { roleName: 'apt' });
    this.mirror = props.mirror;
    this.cloudMirrors = props.cloudMirrors ?? {};
    this.unattendedUpgrades = props.unattendedUpgrades ?? 'security';
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const sources = this.sources(ctx.os);
    if (sources) {
      config.setModule('apt', {
        preserve_sources_list: false,
        primary: [{ arches: ['default'], uri: sources.primary }],
        ...(sources.security ? { security: [{ arches: ['default'], uri: sources.security }] } : {}),
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
        // the package's own 50unattended-upgrades also allows point releases (Debian) or ESM (Ubuntu): cleared
        '#clear Unattended-Upgrade::Allowed-Origins;',
        '#clear Unattended-Upgrade::Origins-Pattern;',
        'Unattended-Upgrade::Origins-Pattern {',
        ...SECURITY_ORIGINS[ctx.os].map((o) => `        "${o}";`),
        '};',
        'Unattended-Upgrade::Automatic-Reboot "false";',
        'Unattended-Upgrade::Remove-Unused-Dependencies "true";',
        '',
      ].join('\n'),
    });
  }

  /** Where packages come from on `os`: the region's mirror, else the cloud's, else undefined (the image's). */
  private sources(os: HostOs): { primary: string; security?: string } | undefined {
    const cloud = this.cloudMirrors[os];
    if (!this.mirror) return cloud;
    // Ubuntu serves -security from the same archive; Debian's security suite is a separate archive.
    if (os.startsWith('ubuntu-')) return { primary: this.mirror, security: this.mirror };
    // Without a security mirror cloud-init points the security suite at the primary mirror (22.4.2,
    // cc_apt_configure.update_mirror_info), where Debian's has no such suite: name Debian's own.
    return { primary: this.mirror, security: cloud?.security ?? DEBIAN_SECURITY_ARCHIVE };
  }
}

/**
 * Origins of security updates per OS, in unattended-upgrades' Origins-Pattern syntax.
 * @see unattended-upgrades 2.9.1+nmu3 (bookworm) /usr/share/unattended-upgrades/50unattended-upgrades
 */
const SECURITY_ORIGINS: Readonly<Record<HostOs, readonly string[]>> = {
  'debian-12': ['origin=Debian,codename=${distro_codename}-security,label=Debian-Security'],
  'debian-13': ['origin=Debian,codename=${distro_codename}-security,label=Debian-Security'],
  'ubuntu-24.04': [
    'origin=${distro_id},archive=${distro_codename}-security',
    'origin=${distro_id}ESMApps,archive=${distro_codename}-apps-security',
    'origin=${distro_id}ESM,archive=${distro_codename}-infra-security',
  ],
};
