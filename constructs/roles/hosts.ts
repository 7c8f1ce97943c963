/**
 * `hosts`: /etc/hosts with the loopback names and the host's own name and private address, nothing else.
 * Other hosts of the region are found through the cloud's private DNS (a record per host, kept by the
 * stack), never through an inventory baked into every host: a host's configuration must not change when
 * another group grows. The own-name line keeps `hostname -f`, sudo and daemons that resolve their own name
 * working before (and without) DNS.
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
    const lines = [
      '# regionkit hosts role: this host only; the region resolves through its private DNS',
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost ip6-loopback',
      'ff02::1 ip6-allnodes',
      'ff02::2 ip6-allrouters',
      '',
      // the fully qualified name first: `hostname -f` reports it
      ctx.region.dnsDomain
        ? `${ctx.host.privateIp} ${ctx.host.name}.${ctx.region.dnsDomain} ${ctx.host.name}`
        : `${ctx.host.privateIp} ${ctx.host.name}`,
    ];
    config.addFile({ path: '/etc/hosts', content: `${lines.join('\n')}\n` });
  }
}
