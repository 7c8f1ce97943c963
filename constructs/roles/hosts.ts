/**
 * `hosts`: /etc/hosts from the region's inventory, so every host resolves every other by name even when
 * DNS is down (the region keeps working when cut off from the centre).
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';

import { HostRole, type HostContext } from './host-role.js';

export class Hosts extends HostRole {
  constructor(scope: Construct, id: string) {
    super(scope, id, { roleName: 'hosts' });
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    // cloud-init must not rewrite the file from its own template on later boots
    config.setModule('manage_etc_hosts', false);
    const width = Math.max(...ctx.inventory.map((h) => h.privateIp.length));
    const lines = [
      '# regionkit hosts role: the region inventory',
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost ip6-loopback',
      'ff02::1 ip6-allnodes',
      'ff02::2 ip6-allrouters',
      '',
      `# region ${ctx.region.name}`,
      ...ctx.inventory.map((h) => `${h.privateIp.padEnd(width)} ${h.name}`),
    ];
    config.addFile({ path: '/etc/hosts', content: `${lines.join('\n')}\n` });
  }
}
