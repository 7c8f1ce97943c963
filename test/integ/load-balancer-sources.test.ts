/**
 * Each fact of BACKEND_SOURCE_FACTS (docs/load-balancer.md) produces exactly the expected security-group rules on
 * each example region: as shipped, and with an internal load balancer added in front of the three-zone worker
 * group (an http listener and a tcp one, http health check). Expected rules are written out by hand from the
 * examples' address plans (10.20.0.0/16 and 10.30.0.0/16, zone subnets /20 in zone order), not computed.
 * Also: one idle timeout, rendered the same on both clouds.
 */
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import type { LoadBalancer } from '../../constructs/loadbalancer/load-balancer.js';
import { BACKEND_SOURCE_FACTS, type BackendSourceFactId } from '../../lib/cloud/load-balancing.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import { IDLE_TIMEOUT_SECONDS } from '../../lib/spec/region-spec.js';
import { RegionStack, type LoadBalancerInput } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES, resourcesOf } from '../helpers.js';

const FACTS = Object.keys(BACKEND_SOURCE_FACTS) as BackendSourceFactId[];

/** An internal load balancer in front of the worker group, whose hosts sit in all three zones. */
const API: LoadBalancerInput = {
  name: 'api',
  backends: 'worker',
  listeners: [
    { port: 80, protocol: 'http', backendPort: 8080 },
    { port: 9000, protocol: 'tcp' },
  ],
  healthCheck: { type: 'http', path: '/healthz' },
};

type Expected = Record<string, Partial<Record<BackendSourceFactId, string[]>>>;

/** Per example, per load balancer, per fact: the rules (`<protocol>/<port> <cidr>`); a fact not listed has none. */
const EXPECTED: Record<string, { shipped: Expected; withApi: Expected }> = {
  'example-alicloud': {
    shipped: {
      public: {
        'clb-layer4-clients': ['tcp/80 0.0.0.0/0', 'tcp/443 0.0.0.0/0'],
        'clb-health-checks': ['tcp/80 100.64.0.0/10', 'tcp/443 100.64.0.0/10'],
      },
    },
    withApi: {
      api: {
        // internal: layer-4 clients are the network's hosts
        'clb-layer4-clients': ['tcp/9000 10.20.0.0/16'],
        'clb-layer7-proxy': ['tcp/8080 100.64.0.0/10'],
        'clb-health-checks': ['tcp/8080 100.64.0.0/10', 'tcp/9000 100.64.0.0/10'],
      },
    },
  },
  'example-openstack': {
    shipped: {
      // the edge pair shares zone 1 (zoneSpread 1)
      public: { 'octavia-member-subnets': ['tcp/80 10.30.0.0/20', 'tcp/443 10.30.0.0/20'] },
    },
    withApi: {
      api: {
        'octavia-member-subnets': [
          'tcp/8080 10.30.0.0/20',
          'tcp/9000 10.30.0.0/20',
          'tcp/8080 10.30.16.0/20',
          'tcp/9000 10.30.16.0/20',
          'tcp/8080 10.30.32.0/20',
          'tcp/9000 10.30.32.0/20',
        ],
      },
    },
  },
};

async function exampleStack(file: string, ...added: LoadBalancerInput[]): Promise<RegionStack> {
  const { spec } = await loadRegionFile(file);
  const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
  for (const lb of added) stack.addLoadBalancer(lb);
  return stack;
}

function rulesOf(lb: LoadBalancer, fact: BackendSourceFactId): string[] {
  return lb.backendSources.filter((s) => s.facts.includes(fact)).map((s) => `${s.protocol}/${s.port} ${s.cidr}`);
}

/** The rules on the backends' security group that name this load balancer. */
function groupRulesOf(stack: RegionStack, name: string): string[] {
  const lb = stack.spec.loadBalancers.find((l) => l.name === name)!;
  const group = stack.hostGroups.get(lb.backends)!;
  return group.securityGroup.ingressRules
    .filter((r) => r.description.endsWith(`(load balancer ${stack.spec.name}-${name})`))
    .map((r) => `${r.port.toString()} ${'cidr' in r.peer ? r.peer.cidr : r.peer.securityGroup.groupName}`);
}

describe.each(EXAMPLE_FILES.map((f) => [path.basename(f, '.yaml'), f]))('%s', (name, file) => {
  const expected = EXPECTED[name]!;

  describe.each([
    ['as shipped', [] as LoadBalancerInput[], expected.shipped],
    ['with an internal http + tcp load balancer on the workers', [API], { ...expected.shipped, ...expected.withApi }],
  ])('%s', (_case, added, want) => {
    test.each(FACTS)('fact %s gives exactly the expected rules', async (fact) => {
      const stack = await exampleStack(file, ...added);
      for (const [lbName, lb] of stack.loadBalancers) {
        expect(rulesOf(lb, fact), `${lbName}`).toEqual(want[lbName]?.[fact] ?? []);
      }
    });

    test('the backends admit exactly what the facts give, each source once', async () => {
      const stack = await exampleStack(file, ...added);
      for (const [lbName, lb] of stack.loadBalancers) {
        const fromFacts = [...new Set(FACTS.flatMap((f) => want[lbName]?.[f] ?? []))];
        const sources = lb.backendSources.map((s) => `${s.protocol}/${s.port} ${s.cidr}`);
        expect(new Set(sources).size, `${lbName}: a source twice`).toBe(sources.length);
        expect(new Set(sources)).toEqual(new Set(fromFacts));
        expect(new Set(groupRulesOf(stack, lbName))).toEqual(new Set(fromFacts));
      }
    });
  });
});

describe('idle timeout', () => {
  /** Idle timeouts in seconds of every listener that has one, as `<protocol> <seconds>`. */
  function renderedIdleTimeouts(stack: RegionStack): string[] {
    if (stack.spec.cloud === 'alicloud') {
      return resourcesOf(stack, 'alicloud_slb_listener')
        .filter((l) => l.protocol !== 'udp')
        .map((l) =>
          l.protocol === 'http' ? `http ${String(l.idle_timeout)}` : `tcp ${String(l.established_timeout)}`,
        );
    }
    const listeners = resourcesOf(stack, 'openstack_lb_listener_v2').filter((l) => l.protocol !== 'UDP');
    return listeners.flatMap((l) => {
      const client = Number(l.timeout_client_data) / 1000;
      const member = Number(l.timeout_member_data) / 1000;
      return [`${String(l.protocol).toLowerCase()} ${client}`, `${String(l.protocol).toLowerCase()} ${member}`];
    });
  }

  test('both examples render the same value, the default, on every tcp listener', async () => {
    const rendered = await Promise.all(EXAMPLE_FILES.map(async (f) => renderedIdleTimeouts(await exampleStack(f))));
    expect(new Set(rendered.flat())).toEqual(new Set([`tcp ${IDLE_TIMEOUT_SECONDS.default}`]));
    expect(rendered[0]).toHaveLength(2); // alicloud: two tcp listeners
    expect(rendered[1]).toHaveLength(4); // openstack: two listeners, client and member side
  });

  test('a set value reaches tcp and http listeners on both clouds; udp listeners get none', async () => {
    const lb: LoadBalancerInput = {
      name: 'mixed',
      backends: 'worker',
      listeners: [
        { port: 80, protocol: 'http' },
        { port: 9000, protocol: 'tcp' },
        { port: 53, protocol: 'udp' },
      ],
      idleTimeoutSeconds: 45,
    };
    const rendered = await Promise.all(
      EXAMPLE_FILES.map(async (f) => {
        const stack = await exampleStack(f, lb);
        return renderedIdleTimeouts(stack).filter((r) => !r.endsWith(` ${IDLE_TIMEOUT_SECONDS.default}`));
      }),
    );
    expect(rendered[0]!.sort()).toEqual(['http 45', 'tcp 45']);
    expect(rendered[1]!.sort()).toEqual(['http 45', 'http 45', 'tcp 45', 'tcp 45']);
    const udp = resourcesOf(await exampleStack(EXAMPLE_FILES[1]!, lb), 'openstack_lb_listener_v2').filter(
      (l) => l.protocol === 'UDP',
    );
    expect(udp).toHaveLength(1);
    expect(udp[0]).not.toHaveProperty('timeout_client_data');
    expect(udp[0]).not.toHaveProperty('timeout_member_data');
    const clbUdp = resourcesOf(await exampleStack(EXAMPLE_FILES[0]!, lb), 'alicloud_slb_listener').filter(
      (l) => l.protocol === 'udp',
    );
    expect(clbUdp).toHaveLength(1);
    expect(clbUdp[0]).not.toHaveProperty('established_timeout');
    expect(clbUdp[0]).not.toHaveProperty('idle_timeout');
  });
});
