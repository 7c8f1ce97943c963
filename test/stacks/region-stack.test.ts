import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { SpecValidationError } from '../../lib/errors.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { CLOUDS, minimalSpec, synthJson } from '../helpers.js';

const fullShape = (cloud: (typeof CLOUDS)[number]) =>
  minimalSpec(cloud, {
    admin: { sshKeys: [minimalSpec(cloud).admin.sshKeys[0]!], sshSources: ['198.51.100.0/24'] },
    hostGroups: [{ name: 'bastion' }, { name: 'worker', count: 2 }, { name: 'edge', count: 2 }],
    loadBalancers: [
      { name: 'public', public: true, backends: 'edge', listeners: [{ port: 443 }] },
      { name: 'api', backends: 'worker', listeners: [{ port: 6443 }] },
    ],
  });

describe.each(CLOUDS)('RegionStack on %s', (cloud) => {
  test('construct tree (ids are a contract: changing them replaces resources)', () => {
    const stack = new RegionStack(Testing.app(), 'test-infra', { spec: fullShape(cloud) });
    expect(Testing.renderConstructTree(stack)).toMatchSnapshot();
  });

  test('outputs: network, load balancers, bastion addresses, per group hosts, security group, virtual IPs', () => {
    const stack = new RegionStack(Testing.app(), 'test-infra', { spec: fullShape(cloud) });
    const outputs = synthJson(stack).output as Record<string, { value: unknown }>;
    const group = (g: string) =>
      ['instance_ids', 'private_ips', 'security_group_id', 'virtual_ips'].map((o) => `host_group_${g}_${o}`);
    expect(Object.keys(outputs).sort()).toEqual([
      'bastion_addresses',
      ...group('bastion'),
      ...group('edge'),
      ...group('worker'),
      'load_balancer_api_address',
      'load_balancer_api_id',
      'load_balancer_public_address',
      'load_balancer_public_id',
      'network_id',
      'subnet_ids',
      'zone_names',
    ]);
    expect(outputs.host_group_worker_private_ips!.value).toEqual(['10.0.0.48', '10.0.16.48']);
  });

  test('every group but the bastion takes SSH only from the bastion', () => {
    const stack = new RegionStack(Testing.app(), 'test-infra', { spec: fullShape(cloud) });
    for (const [name, group] of stack.hostGroups) {
      const ssh = group.securityGroup.ingressRules.filter((r) => r.port.covers('tcp', 22));
      const sources = ssh.map((r) => ('cidr' in r.peer ? r.peer.cidr : r.peer.securityGroup.groupName));
      expect(sources).toEqual(name === 'bastion' ? ['198.51.100.0/24'] : ['test-bastion']);
    }
  });

  test('a local backend with a state path relative to the stack directory', () => {
    const stack = new RegionStack(Testing.app(), 'test-infra', { spec: fullShape(cloud) });
    expect(synthJson(stack).terraform!.backend).toEqual({
      local: { path: '../test-infra/terraform.test-infra.tfstate' },
    });
  });

  test('fails with every spec problem before building anything', () => {
    expect(() => new RegionStack(Testing.app(), 'x', { spec: { ...fullShape(cloud), name: 'X', zones: 0 } })).toThrow(
      SpecValidationError,
    );
  });
});

describe('RegionStack state backends', () => {
  test('oss with Tablestore locking, region from the alicloud settings', () => {
    const spec = minimalSpec('alicloud', {
      backend: {
        type: 'oss',
        bucket: 'infra-state',
        tablestoreEndpoint: 'https://state.cn-hangzhou.ots.aliyuncs.com',
        tablestoreTable: 'locks',
      },
    });
    const stack = new RegionStack(Testing.app(), 'test-infra', { spec });
    expect(synthJson(stack).terraform!.backend).toEqual({
      oss: {
        bucket: 'infra-state',
        prefix: 'regionkit',
        key: 'test-infra.tfstate',
        region: 'cn-hangzhou',
        encrypt: true,
        tablestore_endpoint: 'https://state.cn-hangzhou.ots.aliyuncs.com',
        tablestore_table: 'locks',
      },
    });
  });

  test('s3-compatible with an endpoint and path-style addressing', () => {
    const spec = minimalSpec('openstack', {
      backend: { type: 's3', bucket: 'infra-state', endpoint: 'https://rgw.example.net' },
    });
    const stack = new RegionStack(Testing.app(), 'test-infra', { spec });
    expect(synthJson(stack).terraform!.backend).toEqual({
      s3: {
        bucket: 'infra-state',
        key: 'regionkit/test-infra.tfstate',
        region: 'us-east-1',
        encrypt: true,
        endpoint: 'https://rgw.example.net',
        force_path_style: true,
        skip_credentials_validation: true,
        skip_region_validation: true,
        skip_metadata_api_check: true,
      },
    });
  });
});
