import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { Peers, Port, SecurityGroup } from '../../constructs/network/security-group.js';
import { SecurityGroupRule } from '../../lib/gen/alicloud/security-group-rule/index.js';
import { NetworkingSecgroupRuleV2 } from '../../lib/gen/openstack/networking-secgroup-rule-v2/index.js';
import { CLOUDS, conformanceProblems, resourcesOf, testNetwork, testStack } from '../helpers.js';

describe.each(CLOUDS)('SecurityGroup on %s', (cloud) => {
  const ruleType = cloud === 'alicloud' ? SecurityGroupRule.tfResourceType : NetworkingSecgroupRuleV2.tfResourceType;

  test('minimal definition', async () => {
    const t = testStack(cloud);
    const network = testNetwork(t);
    const web = new SecurityGroup(t.stack, 'Web', { network, name: 'web' });
    const lb = new SecurityGroup(t.stack, 'Lb', { network, name: 'lb' });
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.tcp(80));
    web.allowFrom(Peers.securityGroup(lb), Port.udpRange(8000, 8100));
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.icmp());
    expect(Testing.synth(t.stack)).toMatchSnapshot();
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });

  test('adding the same rule twice creates it once', () => {
    const t = testStack(cloud);
    const web = new SecurityGroup(t.stack, 'Web', { network: testNetwork(t), name: 'web' });
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.tcp(80));
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.tcp(80), 'again');
    expect(resourcesOf(t.stack, ruleType)).toHaveLength(1);
    expect(web.ingressRules.map((r) => r.description)).toEqual(['tcp/80 from 10.0.0.0/16']);
  });

  test('rule ids come from the rule, not from the order of calls', () => {
    const ids = (order: number[]) => {
      const t = testStack(cloud);
      const web = new SecurityGroup(t.stack, 'Web', { network: testNetwork(t), name: 'web' });
      for (const port of order) web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.tcp(port));
      return Object.keys(JSON.parse(Testing.synth(t.stack)).resource[ruleType] as object).sort();
    };
    expect(ids([80, 443])).toEqual(ids([443, 80]));
  });

  test('fails on a port range that is not one', () => {
    expect(() => Port.tcpRange(90, 80)).toThrow('port range must be within 1-65535 with from <= to, got 90-80');
    expect(() => Port.tcp(0)).toThrow(/got 0-0/);
  });

  test('fails on a peer that is not a CIDR', () => {
    expect(() => Peers.ipv4('10.0.0.1/16')).toThrow('peer must be a network-aligned IPv4 CIDR, got "10.0.0.1/16"');
  });
});

describe('SecurityGroup rules in cloud terms', () => {
  test('alicloud: intranet ingress with port_range a/b and -1/-1 for icmp', () => {
    const t = testStack('alicloud');
    const web = new SecurityGroup(t.stack, 'Web', { network: testNetwork(t), name: 'web' });
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.tcpRange(30000, 32767));
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.icmp());
    const s = Testing.synth(t.stack);
    expect(s).toHaveResourceWithProperties(SecurityGroupRule, {
      type: 'ingress',
      ip_protocol: 'tcp',
      port_range: '30000/32767',
      nic_type: 'intranet',
      policy: 'accept',
      cidr_ip: '10.0.0.0/16',
    });
    expect(s).toHaveResourceWithProperties(SecurityGroupRule, { ip_protocol: 'icmp', port_range: '-1/-1' });
  });

  test('openstack: IPv4 ingress with min/max ports, none for icmp', () => {
    const t = testStack('openstack');
    const web = new SecurityGroup(t.stack, 'Web', { network: testNetwork(t), name: 'web' });
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.tcpRange(30000, 32767));
    web.allowFrom(Peers.ipv4('10.0.0.0/16'), Port.icmp());
    const rules = resourcesOf(t.stack, NetworkingSecgroupRuleV2.tfResourceType);
    expect(rules).toContainEqual(
      expect.objectContaining({
        direction: 'ingress',
        ethertype: 'IPv4',
        port_range_min: 30000,
        port_range_max: 32767,
      }),
    );
    const icmp = rules.find((r) => r.protocol === 'icmp')!;
    expect(icmp.port_range_min).toBeUndefined();
  });
});
