import { describe, expect, test } from 'vitest';

import {
  HOST_BLOCK_SIZE,
  isAnyIpv4,
  isIpv4Cidr,
  NetworkPlan,
  regionCidrProblem,
} from '../../../lib/net/network-plan.js';

describe('NetworkPlan', () => {
  const plan = new NetworkPlan('10.20.0.0/16');

  test('cuts the region into 16 zone subnets of prefix + 4', () => {
    expect(plan.zoneSubnet(0)).toBe('10.20.0.0/20');
    expect(plan.zoneSubnet(1)).toBe('10.20.16.0/20');
    expect(plan.zoneSubnet(15)).toBe('10.20.240.0/20');
    expect(() => plan.zoneSubnet(16)).toThrow(/zone index 16 out of range/);
  });

  test('gives each host group a block of 32 addresses per zone from offset 16', () => {
    expect(plan.hostAddress(0, 0, 0)).toBe('10.20.0.16');
    expect(plan.hostAddress(0, 0, HOST_BLOCK_SIZE - 1)).toBe('10.20.0.47');
    expect(plan.hostAddress(1, 0, 0)).toBe('10.20.0.48');
    expect(plan.hostAddress(2, 1, 3)).toBe('10.20.16.83');
    expect(() => plan.hostAddress(0, 0, HOST_BLOCK_SIZE)).toThrow(/host slot 32 out of range/);
  });

  test('keeps host blocks below the dynamic pool (last quarter of each zone subnet)', () => {
    expect(plan.dynamicPool(0)).toEqual({ start: '10.20.12.0', end: '10.20.15.254' });
    const lastBlock = plan.maxHostGroups - 1;
    const lastHost = plan.hostAddress(lastBlock, 0, HOST_BLOCK_SIZE - 1);
    expect(lastHost).toBe('10.20.11.239');
    expect(() => plan.hostAddress(plan.maxHostGroups, 0, 0)).toThrow(/host block/);
  });

  test('room for host groups scales with the prefix', () => {
    expect(new NetworkPlan('10.0.0.0/16').maxHostGroups).toBe(95);
    expect(new NetworkPlan('192.168.0.0/20').maxHostGroups).toBe(5);
    expect(new NetworkPlan('172.16.0.0/12').maxHostGroups).toBe(1535);
  });

  test('infrastructure addresses 1..15 of each zone', () => {
    expect(plan.infraAddress(0, 1)).toBe('10.20.0.1');
    expect(plan.infraAddress(2, 15)).toBe('10.20.32.15');
    expect(() => plan.infraAddress(0, 16)).toThrow(/out of range 1..15/);
  });

  test('is deterministic: same inputs, same addresses', () => {
    const again = new NetworkPlan('10.20.0.0/16');
    expect(again.hostAddress(3, 2, 7)).toBe(plan.hostAddress(3, 2, 7));
  });
});

describe('regionCidrProblem', () => {
  test.each([
    ['10.20.0.0/16', undefined],
    ['172.16.0.0/12', undefined],
    ['192.168.16.0/20', undefined],
    ['10.20.0.5/16', 'has host bits set; the network address is 10.20.0.0/16'],
    ['10.0.0.0/8', 'prefix must be between /12 and /20'],
    ['10.0.0.0/24', 'prefix must be between /12 and /20'],
    ['8.8.0.0/16', 'must lie inside a private range'],
    ['172.32.0.0/16', 'must lie inside a private range'],
    ['10.0.0.0', 'must be an IPv4 CIDR'],
    ['10.0.0.256/16', 'must be an IPv4 CIDR'],
  ])('%s', (cidr, problem) => {
    if (problem === undefined) expect(regionCidrProblem(cidr)).toBeUndefined();
    else expect(regionCidrProblem(cidr)).toContain(problem);
  });

  test('the constructor refuses what regionCidrProblem reports', () => {
    expect(() => new NetworkPlan('8.8.0.0/16')).toThrow(/private range/);
  });
});

describe('CIDR helpers', () => {
  test('isIpv4Cidr wants network-aligned CIDRs', () => {
    expect(isIpv4Cidr('198.51.100.0/24')).toBe(true);
    expect(isIpv4Cidr('198.51.100.7/24')).toBe(false);
    expect(isIpv4Cidr('198.51.100.7/32')).toBe(true);
    expect(isIpv4Cidr('fe80::/10')).toBe(false);
  });
  test('isAnyIpv4 recognises /0', () => {
    expect(isAnyIpv4('0.0.0.0/0')).toBe(true);
    expect(isAnyIpv4('0.0.0.0/1')).toBe(false);
  });
});
