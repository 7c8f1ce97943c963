import { TerraformOutput, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { HostGroup } from '../../constructs/compute/host-group.js';
import { LoadBalancer } from '../../constructs/loadbalancer/load-balancer.js';
import { SlbBackendServer } from '../../lib/gen/alicloud/slb-backend-server/index.js';
import { SlbListener } from '../../lib/gen/alicloud/slb-listener/index.js';
import { SlbLoadBalancer } from '../../lib/gen/alicloud/slb-load-balancer/index.js';
import { LbListenerV2 } from '../../lib/gen/openstack/lb-listener-v2/index.js';
import { LbLoadbalancerV2 } from '../../lib/gen/openstack/lb-loadbalancer-v2/index.js';
import { LbMemberV2 } from '../../lib/gen/openstack/lb-member-v2/index.js';
import { LbMonitorV2 } from '../../lib/gen/openstack/lb-monitor-v2/index.js';
import {
  CLOUDS,
  conformanceProblems,
  resourcesOf,
  synthJson,
  testNetwork,
  testStack,
  type TestStack,
} from '../helpers.js';

function edge(t: TestStack, count = 2): HostGroup {
  return new HostGroup(t.stack, 'Edge', { network: testNetwork(t), name: 'edge', count });
}

describe.each(CLOUDS)('LoadBalancer on %s', (cloud) => {
  test('minimal definition', async () => {
    const t = testStack(cloud);
    const backends = edge(t);
    new LoadBalancer(t.stack, 'Public', {
      network: backends.network,
      name: 'public',
      public: true,
      backends,
      listeners: [{ port: 80 }, { port: 443 }],
    });
    expect(Testing.synth(t.stack)).toMatchSnapshot();
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });

  test('opens exactly the backend ports on the backends, nothing else', () => {
    const t = testStack(cloud);
    const backends = edge(t);
    new LoadBalancer(t.stack, 'Lb', {
      network: backends.network,
      name: 'lb',
      backends,
      listeners: [{ port: 80, backendPort: 8080 }],
    });
    const ports = backends.securityGroup.ingressRules.map((r) => r.port.toString());
    expect(new Set(ports)).toEqual(new Set(['tcp/8080']));
  });

  test('internal load balancers get fixed addresses from the infrastructure range', () => {
    const t = testStack(cloud);
    const backends = edge(t);
    const a = new LoadBalancer(t.stack, 'A', {
      network: backends.network,
      name: 'a',
      backends,
      listeners: [{ port: 80 }],
    });
    const b = new LoadBalancer(t.stack, 'B', {
      network: backends.network,
      name: 'b',
      backends,
      listeners: [{ port: 81 }],
    });
    expect(a.address).not.toBe(b.address);
    if (cloud === 'openstack') {
      expect(Testing.synth(t.stack)).toHaveResourceWithProperties(LbLoadbalancerV2, { vip_address: '10.0.0.3' });
    } else {
      expect(Testing.synth(t.stack)).toHaveResourceWithProperties(SlbLoadBalancer, {
        address_type: 'intranet',
        address: '10.0.0.2',
      });
    }
  });

  test('an internal load balancer with a public address and an allow-list keeps its private address', async () => {
    const t = testStack(cloud);
    const backends = edge(t);
    const lb = new LoadBalancer(t.stack, 'Api', {
      network: backends.network,
      name: 'api',
      backends,
      listeners: [{ port: 6443 }],
      publicAddress: true,
      allowedSources: ['10.0.0.0/16', '203.0.113.0/28'],
    });
    expect(lb.privateAddress).toMatch(/^10\.0\.\d+\.\d+$/);
    new TerraformOutput(t.stack, 'public_address', { value: lb.publicAddress });
    const outputs = synthJson(t.stack).output as unknown as Record<string, { value: string }>;
    expect(outputs.public_address!.value).toMatch(
      cloud === 'alicloud'
        ? /^\$\{alicloud_eip_address\.[\w-]+\.ip_address\}$/
        : /^\$\{openstack_networking_floatingip_v2\.[\w-]+\.address\}$/,
    );
    expect(lb.address).not.toEqual(lb.publicAddress);
    expect(await conformanceProblems(t.stack)).toEqual([]);
  });

  test('no public address and no allow-list unless asked', () => {
    const t = testStack(cloud);
    const backends = edge(t);
    const lb = new LoadBalancer(t.stack, 'Lb', {
      network: backends.network,
      name: 'lb',
      backends,
      listeners: [{ port: 80 }],
    });
    expect(lb.publicAddress).toBeUndefined();
    const types = Object.keys(synthJson(t.stack).resource!);
    for (const type of ['alicloud_slb_acl', 'alicloud_slb_acl_entry_attachment', 'openstack_networking_floatingip_v2'])
      expect(types).not.toContain(type);
    // the network's NAT gateway has an EIP of its own, no load balancer one
    expect(resourcesOf(t.stack, 'alicloud_eip_association').filter((a) => a.instance_type === 'SlbInstance')).toEqual(
      [],
    );
    for (const listener of [
      ...resourcesOf(t.stack, SlbListener.tfResourceType),
      ...resourcesOf(t.stack, LbListenerV2.tfResourceType),
    ]) {
      expect(listener).not.toHaveProperty('acl_status');
      expect(listener).not.toHaveProperty('allowed_cidrs');
    }
  });

  test('fails if a public load balancer asks for a public address', () => {
    const t = testStack(cloud);
    const backends = edge(t);
    expect(
      () =>
        new LoadBalancer(t.stack, 'Lb', {
          network: backends.network,
          name: 'lb',
          public: true,
          publicAddress: true,
          backends,
          listeners: [{ port: 80 }],
        }),
    ).toThrow(/Lb: publicAddress is for internal load balancers, got public: true/);
  });

  test('fails if allowedSources is empty or holds something other than an IPv4 CIDR', () => {
    const t = testStack(cloud);
    const backends = edge(t);
    const make = (id: string, allowedSources: string[]) =>
      new LoadBalancer(t.stack, id, {
        network: backends.network,
        name: id,
        backends,
        listeners: [{ port: 80 }],
        allowedSources,
      });
    expect(() => make('a', [])).toThrow(/a: allowedSources must list between 1 and 300 CIDRs, got 0/);
    expect(() => make('b', ['10.0.0.0/16', '203.0.113.1/28'])).toThrow(
      /b: allowedSources\[1\] must be an IPv4 CIDR such as 198.51.100.0\/24, got "203.0.113.1\/28"/,
    );
  });

  test('fails without listeners', () => {
    const t = testStack(cloud);
    const backends = edge(t);
    expect(
      () => new LoadBalancer(t.stack, 'Lb', { network: backends.network, name: 'lb', backends, listeners: [] }),
    ).toThrow('test/Lb: listeners must list at least one, got []');
  });

  test('fails if the health check timeout is not below the interval', () => {
    const t = testStack(cloud);
    const backends = edge(t);
    expect(
      () =>
        new LoadBalancer(t.stack, 'Lb', {
          network: backends.network,
          name: 'lb',
          backends,
          listeners: [{ port: 80 }],
          healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 },
        }),
    ).toThrow('test/Lb: healthCheck.timeoutSeconds must be an integer between 1 and 4, got 5');
  });
});

describe('LoadBalancer on alicloud', () => {
  test('deletion protection is on unless the deletion_protection variable says false', () => {
    const t = testStack('alicloud');
    const backends = edge(t);
    new LoadBalancer(t.stack, 'Public', {
      network: backends.network,
      name: 'public',
      public: true,
      backends,
      listeners: [{ port: 80 }],
    });
    expect(Testing.synth(t.stack)).toHaveResourceWithProperties(SlbLoadBalancer, {
      delete_protection: '${var.deletion_protection ? "on" : "off"}',
    });
    const json = JSON.parse(Testing.synth(t.stack)) as { variable: Record<string, object> };
    expect(json.variable.deletion_protection).toEqual(
      expect.objectContaining({ type: 'bool', default: true, nullable: false }),
    );
  });

  test('pay-by-LCU CLB, a listener per port with its health check, every backend host', () => {
    const t = testStack('alicloud');
    const backends = edge(t);
    new LoadBalancer(t.stack, 'Public', {
      network: backends.network,
      name: 'public',
      public: true,
      backends,
      listeners: [{ port: 80 }, { port: 443 }],
      healthCheck: { type: 'http', path: '/healthz', port: 8081 },
    });
    const s = Testing.synth(t.stack);
    expect(s).toHaveResourceWithProperties(SlbLoadBalancer, {
      address_type: 'internet',
      instance_charge_type: 'PayByCLCU',
      internet_charge_type: 'PayByTraffic',
    });
    expect(s).toHaveResourceWithProperties(SlbListener, {
      frontend_port: 443,
      backend_port: 443,
      protocol: 'tcp',
      health_check_type: 'http',
      health_check_uri: '/healthz',
      health_check_connect_port: 8081,
    });
    expect(resourcesOf(t.stack, SlbBackendServer.tfResourceType)[0]!.backend_servers).toHaveLength(2);
    // layer-4 keeps client addresses: the world reaches the backend port; probes come from 100.64.0.0/10
    expect(
      backends.securityGroup.ingressRules.map((r) => `${r.port.toString()} ${'cidr' in r.peer ? r.peer.cidr : ''}`),
    ).toEqual(['tcp/80 0.0.0.0/0', 'tcp/8081 100.64.0.0/10', 'tcp/443 0.0.0.0/0']);
  });
});

describe('LoadBalancer on alicloud, with a public address and an allow-list', () => {
  function build() {
    const t = testStack('alicloud');
    const backends = edge(t);
    new LoadBalancer(t.stack, 'Api', {
      network: backends.network,
      name: 'api',
      backends,
      listeners: [{ port: 6443 }, { port: 9345 }],
      publicAddress: true,
      allowedSources: ['10.0.0.0/16', '203.0.113.0/28'],
    });
    return { t, backends, json: synthJson(t.stack) };
  }

  test('an EIP associated with the intranet CLB', () => {
    const { json } = build();
    const [lbName] = Object.keys(json.resource!.alicloud_slb_load_balancer!);
    expect(Object.values(json.resource!.alicloud_slb_load_balancer!)[0]).toMatchObject({ address_type: 'intranet' });
    const eipName = Object.keys(json.resource!.alicloud_eip_address!).find((n) => n.startsWith('Api_'));
    expect(
      Object.values(json.resource!.alicloud_eip_association!).filter((a) => a.instance_type === 'SlbInstance'),
    ).toEqual([
      expect.objectContaining({
        allocation_id: `\${alicloud_eip_address.${eipName}.id}`,
        instance_id: `\${alicloud_slb_load_balancer.${lbName}.id}`,
        instance_type: 'SlbInstance',
      }),
    ]);
  });

  test('every listener takes one whitelist ACL, switched on only after its entries exist', () => {
    const { json } = build();
    const [aclName] = Object.keys(json.resource!.alicloud_slb_acl!);
    expect(Object.values(json.resource!.alicloud_slb_acl!)[0]).toMatchObject({
      name: 'test-api-clients',
      ip_version: 'ipv4',
    });
    const entries = json.resource!.alicloud_slb_acl_entry_attachment!;
    expect(Object.values(entries).map((e) => [e.acl_id, e.entry])).toEqual([
      [`\${alicloud_slb_acl.${aclName}.id}`, '10.0.0.0/16'],
      [`\${alicloud_slb_acl.${aclName}.id}`, '203.0.113.0/28'],
    ]);
    const listeners = Object.values(json.resource!.alicloud_slb_listener!);
    expect(listeners).toHaveLength(2);
    for (const listener of listeners) {
      expect(listener).toMatchObject({
        acl_status: 'on',
        acl_type: 'white',
        acl_ids: [`\${alicloud_slb_acl.${aclName}.id}`],
      });
      expect(listener.depends_on).toEqual(Object.keys(entries).map((k) => `alicloud_slb_acl_entry_attachment.${k}`));
    }
  });

  test('the backends admit exactly the allowed clients (layer 4 keeps their addresses) and the health checks', () => {
    const { backends } = build();
    expect(
      backends.securityGroup.ingressRules.map((r) => `${r.port.toString()} ${'cidr' in r.peer ? r.peer.cidr : ''}`),
    ).toEqual([
      'tcp/6443 10.0.0.0/16',
      'tcp/6443 203.0.113.0/28',
      'tcp/6443 100.64.0.0/10',
      'tcp/9345 10.0.0.0/16',
      'tcp/9345 203.0.113.0/28',
      'tcp/9345 100.64.0.0/10',
    ]);
  });
});

describe('LoadBalancer on openstack', () => {
  test('an internal load balancer with a public address: a floating IP on the VIP port, allowed_cidrs on listeners', () => {
    const t = testStack('openstack');
    const backends = edge(t);
    new LoadBalancer(t.stack, 'Api', {
      network: backends.network,
      name: 'api',
      backends,
      listeners: [{ port: 6443 }],
      publicAddress: true,
      allowedSources: ['10.0.0.0/16', '203.0.113.0/28'],
    });
    const lb = resourcesOf(t.stack, LbLoadbalancerV2.tfResourceType)[0]!;
    expect(lb.vip_address).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(resourcesOf(t.stack, 'openstack_networking_floatingip_associate_v2')).toEqual([
      expect.objectContaining({
        port_id: expect.stringMatching(/^\$\{openstack_lb_loadbalancer_v2\..*\.vip_port_id\}$/),
      }),
    ]);
    expect(resourcesOf(t.stack, LbListenerV2.tfResourceType)).toEqual([
      expect.objectContaining({ protocol_port: 6443, allowed_cidrs: ['10.0.0.0/16', '203.0.113.0/28'] }),
    ]);
    // the amphora proxies: members still see only its address in their subnets, whatever the client
    expect(
      backends.securityGroup.ingressRules.map((r) => `${r.port.toString()} ${'cidr' in r.peer ? r.peer.cidr : ''}`),
    ).toEqual(['tcp/6443 10.0.0.0/20', 'tcp/6443 10.0.16.0/20']);
  });

  test('Octavia listener, pool, monitor and members per port; floating IP on the VIP port', () => {
    const t = testStack('openstack');
    const backends = edge(t);
    new LoadBalancer(t.stack, 'Public', {
      network: backends.network,
      name: 'public',
      public: true,
      backends,
      listeners: [{ port: 53, protocol: 'udp' }, { port: 443 }],
    });
    const s = Testing.synth(t.stack);
    expect(s).toHaveResourceWithProperties(LbListenerV2, { protocol: 'UDP', protocol_port: 53 });
    expect(s).toHaveResourceWithProperties(LbMonitorV2, { type: 'UDP-CONNECT', delay: 5, timeout: 3, max_retries: 3 });
    expect(s).toHaveResourceWithProperties(LbMonitorV2, { type: 'TCP' });
    expect(resourcesOf(t.stack, LbMemberV2.tfResourceType)).toHaveLength(4);
    expect(resourcesOf(t.stack, 'openstack_networking_floatingip_associate_v2')[0]).toMatchObject({
      port_id: expect.stringMatching(/^\$\{openstack_lb_loadbalancer_v2\..*\.vip_port_id\}$/),
    });
    // the amphora reaches each member from its address in the member's subnet (zones 1 and 2 here)
    expect(
      backends.securityGroup.ingressRules.map((r) => `${r.port.toString()} ${'cidr' in r.peer ? r.peer.cidr : ''}`),
    ).toEqual(['udp/53 10.0.0.0/20', 'tcp/443 10.0.0.0/20', 'udp/53 10.0.16.0/20', 'tcp/443 10.0.16.0/20']);
  });
});
