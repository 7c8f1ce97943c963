import { Aspects, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { Bastion } from '../../constructs/compute/bastion.js';
import { HostGroup } from '../../constructs/compute/host-group.js';
import { Peers, Port } from '../../constructs/network/security-group.js';
import { EipAddress } from '../../lib/gen/alicloud/eip-address/index.js';
import { NetworkingFloatingipAssociateV2 } from '../../lib/gen/openstack/networking-floatingip-associate-v2/index.js';
import { NoPublicSsh } from '../../lib/policy/no-public-ssh.js';
import { CLOUDS, conformanceProblems, testNetwork, testStack } from '../helpers.js';

describe.each(CLOUDS)('Bastion on %s', (cloud) => {
  test('minimal definition', async () => {
    const t = testStack(cloud);
    new Bastion(t.stack, 'Bastion', { network: testNetwork(t), sshSources: ['198.51.100.0/24'] });
    expect(Testing.synth(t.stack)).toMatchSnapshot();
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });

  test('takes SSH from the admin sources only and gives it to other groups', () => {
    const t = testStack(cloud);
    const network = testNetwork(t);
    const bastion = new Bastion(t.stack, 'Bastion', { network, sshSources: ['198.51.100.0/24', '203.0.113.7/32'] });
    const workers = new HostGroup(t.stack, 'Workers', { network, name: 'worker' });
    bastion.allowSshTo(workers);
    expect(bastion.securityGroup.ingressRules.map((r) => r.description)).toEqual([
      'ssh from admin source 198.51.100.0/24',
      'ssh from admin source 203.0.113.7/32',
    ]);
    expect(workers.securityGroup.ingressRules).toEqual([
      { port: Port.tcp(22), peer: Peers.securityGroup(bastion.securityGroup), description: 'ssh from bastion' },
    ]);
  });

  test('has a public address', () => {
    const t = testStack(cloud);
    const bastion = new Bastion(t.stack, 'Bastion', { network: testNetwork(t), sshSources: ['198.51.100.0/24'] });
    expect(bastion.publicAddresses).toHaveLength(1);
    const s = Testing.synth(t.stack);
    if (cloud === 'alicloud') expect(s).toHaveResource(EipAddress);
    else expect(s).toHaveResource(NetworkingFloatingipAssociateV2);
  });

  test('fails if SSH would be open to the internet', () => {
    const t = testStack(cloud);
    expect(() => new Bastion(t.stack, 'Bastion', { network: testNetwork(t), sshSources: ['0.0.0.0/0'] })).toThrow(
      'test/Bastion: sshSources must not contain 0.0.0.0/0: SSH is never open to the internet',
    );
  });

  test('fails without SSH sources', () => {
    const t = testStack(cloud);
    expect(() => new Bastion(t.stack, 'Bastion', { network: testNetwork(t), sshSources: [] })).toThrow(
      'test/Bastion: sshSources must list at least one CIDR, got []',
    );
  });

  test('the NoPublicSsh policy stops a synth that opens SSH to 0.0.0.0/0 by other means', () => {
    const t = testStack(cloud);
    const workers = new HostGroup(t.stack, 'Workers', { network: testNetwork(t), name: 'worker' });
    workers.securityGroup.allowFrom(Peers.ipv4('0.0.0.0/0'), Port.tcpRange(20, 30));
    Aspects.of(t.stack).add(new NoPublicSsh());
    expect(() => Testing.synth(t.stack)).toThrow(
      'test/Workers/SecurityGroup: opens tcp/20-30 (SSH) to 0.0.0.0/0; SSH is only allowed from admin.sshSources to the bastion',
    );
  });
});
