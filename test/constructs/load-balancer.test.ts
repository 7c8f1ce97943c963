import { Testing } from 'cdktf';
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
import { CLOUDS, conformanceProblems, resourcesOf, testNetwork, testStack, type TestStack } from '../helpers.js';

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

describe('LoadBalancer on openstack', () => {
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
