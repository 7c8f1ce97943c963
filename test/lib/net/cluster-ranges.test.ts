/**
 * Pod and service ranges of Kubernetes clusters (lib/net `planClusterRanges`): defaults that avoid the region
 * network and each other, and every overlap of a given range reported with both ranges.
 */
import { describe, expect, test } from 'vitest';

import {
  cidrsOverlap,
  planClusterRanges,
  podCidrNodeCapacity,
  POD_CIDR_CANDIDATES,
  SERVICE_CIDR_CANDIDATES,
} from '../../../lib/net/network-plan.js';

describe('planClusterRanges', () => {
  test('picks the first candidates when they are free: 10.244.0.0/16 for pods, 10.96.0.0/16 for services', () => {
    expect(planClusterRanges({ networkCidr: '10.20.0.0/16', zones: 3 })).toEqual({
      ranges: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16' },
      problems: [],
    });
  });

  test.each([
    ['10.240.0.0/12', { podCidr: '172.20.0.0/16', serviceCidr: '10.96.0.0/16' }],
    ['10.96.0.0/12', { podCidr: '10.244.0.0/16', serviceCidr: '172.21.0.0/16' }],
    ['10.0.0.0/12', { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16' }],
    ['172.16.0.0/12', { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16' }],
    ['192.168.0.0/16', { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16' }],
  ])('moves a default out of the way of network %s', (networkCidr, ranges) => {
    const planned = planClusterRanges({ networkCidr, zones: 3 });
    expect(planned).toEqual({ ranges, problems: [] });
    expect(cidrsOverlap(ranges.podCidr, networkCidr)).toBe(false);
    expect(cidrsOverlap(ranges.serviceCidr, networkCidr)).toBe(false);
  });

  test('plans the missing range around the given one', () => {
    expect(planClusterRanges({ networkCidr: '172.16.0.0/12', zones: 3, podCidr: '10.0.0.0/8' }).ranges).toEqual({
      podCidr: '10.0.0.0/8',
      serviceCidr: '192.168.128.0/17',
    });
    expect(planClusterRanges({ networkCidr: '10.20.0.0/16', zones: 3, serviceCidr: '10.244.0.0/20' }).ranges).toEqual({
      podCidr: '172.20.0.0/16',
      serviceCidr: '10.244.0.0/20',
    });
  });

  test('the defaults never overlap each other, in any private block', () => {
    for (const pod of POD_CIDR_CANDIDATES) {
      for (const service of SERVICE_CIDR_CANDIDATES) expect(cidrsOverlap(pod, service)).toBe(false);
    }
  });

  test('a given pod range overlapping the network names both ranges and the zone subnet it lands in', () => {
    expect(planClusterRanges({ networkCidr: '10.20.0.0/16', zones: 3, podCidr: '10.0.0.0/8' })).toEqual({
      problems: [
        {
          kind: 'overlap',
          field: 'podCidr',
          cidr: '10.0.0.0/8',
          other: 'networkCidr',
          otherCidr: '10.20.0.0/16',
          zoneSubnet: { zone: 0, cidr: '10.20.0.0/20' },
        },
      ],
    });
  });

  test('a given range inside one zone subnet (vSwitch) names that subnet', () => {
    const { problems } = planClusterRanges({ networkCidr: '10.20.0.0/16', zones: 3, serviceCidr: '10.20.32.0/24' });
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'serviceCidr',
        otherCidr: '10.20.0.0/16',
        zoneSubnet: { zone: 2, cidr: '10.20.32.0/20' },
      }),
    ]);
  });

  test('a range in the network but past the zones in use overlaps the network, without a zone subnet', () => {
    const { problems } = planClusterRanges({ networkCidr: '10.20.0.0/16', zones: 3, podCidr: '10.20.128.0/20' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toHaveProperty('zoneSubnet');
  });

  test('given pod and service ranges that overlap each other are reported on the service range', () => {
    expect(
      planClusterRanges({
        networkCidr: '10.20.0.0/16',
        zones: 3,
        podCidr: '172.20.0.0/16',
        serviceCidr: '172.20.128.0/20',
      }).problems,
    ).toEqual([
      {
        kind: 'overlap',
        field: 'serviceCidr',
        cidr: '172.20.128.0/20',
        other: 'podCidr',
        otherCidr: '172.20.0.0/16',
      },
    ]);
  });

  test('reports every problem at once', () => {
    const { ranges, problems } = planClusterRanges({
      networkCidr: '10.20.0.0/16',
      zones: 3,
      podCidr: '10.20.0.0/16',
      serviceCidr: '10.20.0.0/20',
    });
    expect(ranges).toBeUndefined();
    expect(problems.map((p) => `${p.field}/${p.kind === 'overlap' ? p.other : p.kind}`)).toEqual([
      'podCidr/networkCidr',
      'serviceCidr/networkCidr',
      'serviceCidr/podCidr',
    ]);
  });

  test('says so when no default is free', () => {
    const { problems } = planClusterRanges({ networkCidr: '10.96.0.0/12', zones: 3, podCidr: '128.0.0.0/1' });
    expect(problems).toEqual([{ kind: 'exhausted', field: 'serviceCidr', taken: ['10.96.0.0/12', '128.0.0.0/1'] }]);
  });

  test('is deterministic', () => {
    const request = { networkCidr: '10.96.0.0/12', zones: 2 };
    expect(planClusterRanges(request)).toEqual(planClusterRanges(request));
  });
});

describe('podCidrNodeCapacity', () => {
  test('gives each node a /24', () => {
    expect(podCidrNodeCapacity('10.244.0.0/16')).toBe(256);
    expect(podCidrNodeCapacity('10.244.0.0/22')).toBe(4);
    expect(podCidrNodeCapacity('10.244.0.0/24')).toBe(1);
    expect(podCidrNodeCapacity('10.244.0.0/25')).toBe(0);
  });
});
