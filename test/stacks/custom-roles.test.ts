/**
 * Extension points: roles registered by name and named in a region file; host groups and load balancers added
 * in code, with the same validation, roles, outputs and policy checks as those from the file.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { App, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';

import { Peers, Port } from '../../constructs/network/security-group.js';
import { HostRole, type HostContext } from '../../constructs/roles/host-role.js';
import { RoleRegistry } from '../../constructs/roles/registry.js';
import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { SpecError } from '../../lib/errors.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { EXAMPLE_KEY, minimalSpec, synthJson } from '../helpers.js';
import { fileOf, renderAll, ruleLines } from '../role-helpers.js';

/** A consumer's own role: one file naming the host, one port open to the region. */
class MyAgent extends HostRole {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      roleName: 'my-agent',
      requires: ['common'],
      ports: [{ protocol: 'tcp', port: 7070, from: 'region', description: 'my-agent API' }],
    });
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    config.addFile({ path: '/etc/my-agent.conf', content: `host=${ctx.host.name}\n` });
  }
}

async function regionFile(spec: object): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custom-roles-'));
  const file = path.join(dir, 'eu1.yaml');
  await writeFile(file, stringify(spec));
  return file;
}

const REGION = {
  name: 'eu1',
  cloud: 'openstack',
  openstack: {},
  zones: ['az1', 'az2'],
  admin: { sshKeys: [EXAMPLE_KEY], sshSources: ['198.51.100.0/24'] },
  hostGroups: [{ name: 'bastion' }, { name: 'api', count: 2, roles: ['docker', 'my-agent'] }, { name: 'db' }],
};

describe('roles registered by name', () => {
  test('a region file names a registered role; it is rendered on its group only', async () => {
    const app = Testing.app();
    RoleRegistry.of(app).register('my-agent', (scope, id) => new MyAgent(scope, id));
    const { spec } = await loadRegionFile(await regionFile(REGION), undefined, {
      customRoles: RoleRegistry.of(app).names,
    });
    const stack = new RegionStack(app, 'eu1-infra', { spec });
    const api = stack.hostGroups.get('api')!;
    expect(api.roles.map((r) => r.roleName)).toContain('my-agent');
    expect(renderAll(api).map((c) => fileOf(c, '/etc/my-agent.conf').content)).toEqual([
      'host=eu1-api-1\n',
      'host=eu1-api-2\n',
    ]);
    expect(ruleLines(api)).toContain('tcp/7070 10.0.0.0/16');
    expect(stack.hostGroups.get('db')!.hasRole('my-agent')).toBe(false);
    expect(() => fileOf(renderAll(stack.hostGroups.get('db')!)[0]!, '/etc/my-agent.conf')).toThrow(/no file/);
    // one object per region, in CustomRoles/<Name>
    expect(api.roles.find((r) => r.roleName === 'my-agent')!).toBe(
      stack.node.findChild('CustomRoles').node.findChild('MyAgent'),
    );
  });

  test('an unregistered name fails with the file, the field, the value and the names allowed', async () => {
    const file = await regionFile(REGION);
    const error = await loadRegionFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as Error).message).toBe(
      `${file}: 1 problem\n  hostGroups[1].roles[1]: must be a built-in role (apt, ntp, common, hosts, dnsmasq, ` +
        'docker, docker-clean, node-exporter, cadvisor, glusterfs-server, glusterfs-client, etcd, calico, weave, ' +
        'keepalived, rexray) or a registered one (none registered), got "my-agent"',
    );
  });

  test('a misspelt name lists the registered ones and suggests the nearest', () => {
    const app = new App({ outdir: '/nonexistent' });
    RoleRegistry.of(app).register('my-agent', (scope, id) => new MyAgent(scope, id));
    const spec = { ...REGION, hostGroups: [{ name: 'api', roles: ['my-agnet'] }] };
    expect(() => new RegionStack(app, 'eu1-infra', { spec: spec as never })).toThrow(
      /hostGroups\[0\]\.roles\[0\]: .* or a registered one \(my-agent\), got "my-agnet" \(did you mean "my-agent"\?\)/,
    );
  });

  test('each app has its own registry', () => {
    const a = new App({ outdir: '/nonexistent' });
    RoleRegistry.of(a).register('my-agent', (scope, id) => new MyAgent(scope, id));
    expect(RoleRegistry.of(a.node.root).names).toEqual(['my-agent']);
    expect(RoleRegistry.of(new App({ outdir: '/nonexistent' })).names).toEqual([]);
  });

  test.each([
    ['docker', /docker is a built-in role/],
    ['My Agent', /name must be lower-case letters, digits and -, starting with a letter, got "My Agent"/],
  ])('fails to register %s', (name, message) => {
    const registry = RoleRegistry.of(new App({ outdir: '/nonexistent' }));
    expect(() => registry.register(name, (scope, id) => new MyAgent(scope, id))).toThrow(message);
  });

  test('fails to register a name twice, or a role under another name', () => {
    const app = new App({ outdir: '/nonexistent' });
    const registry = RoleRegistry.of(app).register('my-agent', (scope, id) => new MyAgent(scope, id));
    expect(() => registry.register('my-agent', (scope, id) => new MyAgent(scope, id))).toThrow(/registered already/);
    registry.register('other-agent', (scope, id) => new MyAgent(scope, id));
    const spec = minimalSpec('openstack', { hostGroups: [{ name: 'api', roles: ['other-agent'] }] });
    expect(() => new RegionStack(app, 'test-infra', { spec })).toThrow(
      /the role registered as other-agent names itself "my-agent"; register it under its roleName/,
    );
  });
});

describe('host groups and load balancers added in code', () => {
  const build = () => {
    const app = Testing.app();
    RoleRegistry.of(app).register('my-agent', (scope, id) => new MyAgent(scope, id));
    return new RegionStack(app, 'eu1-infra', {
      spec: { ...(REGION as object), hostGroups: [{ name: 'bastion' }, { name: 'db' }] } as never,
    });
  };

  test('get the base roles, registered roles, SSH from the bastion and the same outputs', () => {
    const stack = build();
    const api = stack.addHostGroup({ name: 'api', count: 2, roles: ['my-agent'] });
    const lb = stack.addLoadBalancer({ name: 'www', backends: 'api', listeners: [{ port: 7070 }] });
    expect(stack.hostGroups.get('api')).toBe(api);
    expect(stack.loadBalancers.get('www')).toBe(lb);
    expect(api.roles.map((r) => r.roleName)).toEqual(['apt', 'ntp', 'common', 'hosts', 'my-agent']);
    expect(ruleLines(api)).toContain('tcp/22 eu1-bastion');
    expect(stack.spec.hostGroups.map((g) => g.name)).toEqual(['bastion', 'db', 'api']);
    const output = synthJson(stack).output!;
    const group = (g: string) =>
      ['instance_ids', 'private_ips', 'security_group_id', 'virtual_ips'].map((o) => `host_group_${g}_${o}`);
    expect(Object.keys(output).sort()).toEqual([
      'bastion_addresses',
      ...group('api'),
      ...group('bastion'),
      ...group('db'),
      'load_balancer_www_address',
      'load_balancer_www_id',
      'network_id',
      'subnet_ids',
      'zone_names',
    ]);
    // the address plan continues after the file's groups
    expect(api.hosts.map((h) => h.privateIp)).toEqual(['10.0.0.80', '10.0.16.80']);
  });

  test('are validated with the region, every problem with its field', () => {
    const stack = build();
    expect(() => stack.addHostGroup({ name: 'api', count: 0 })).toThrow(
      /stack eu1-infra \(addHostGroup api\): 1 problem\n {2}hostGroups\[2\]\.count: must be an integer between 1 and 100, got 0/,
    );
    expect(() => stack.addHostGroup({ name: 'db' })).toThrow(/hostGroups\[2\]\.name: must be unique/);
    expect(stack.spec.hostGroups.map((g) => g.name)).toEqual(['bastion', 'db']);
    expect(() => stack.addLoadBalancer({ name: 'www', backends: 'web', listeners: [{ port: 80 }] })).toThrow(
      /loadBalancers\[0\]\.backends: must name a host group/,
    );
    expect(() => stack.addHostGroup({ name: 'bastion' })).toThrow(/the bastion group comes from the region spec/);
  });

  test('are under the same policy checks: SSH from anywhere fails synth', () => {
    const stack = build();
    const api = stack.addHostGroup({ name: 'api' });
    api.securityGroup.allowFrom(Peers.ipv4('0.0.0.0/0'), Port.tcp(22));
    expect(() => Testing.synth(stack)).toThrow(/opens tcp\/22 \(SSH\) to 0\.0\.0\.0\/0/);
  });
});
