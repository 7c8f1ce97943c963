import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { checkStack, formatProblem, loadProviderSchemas } from '../../../lib/providers/conformance.js';
import { loadRegionFile } from '../../../lib/spec/load.js';
import { RegionStack } from '../../../stacks/region-stack.js';
import { ALICLOUD_KUBEADM_FIXTURE, EXAMPLE_FILES, synthJson } from '../../helpers.js';

const schemas = loadProviderSchemas();
const check = (stack: object) => checkStack(stack as never, schemas).map(formatProblem);

describe('conformance of the synthesized examples to the provider schema files', () => {
  // and the kubeadm region on alicloud (its RAM user, policy attachment and AccessKey: the alicloud plugin cannot be
  // built here, so the transcribed schema is what its infra stack is checked against)
  test.each([...EXAMPLE_FILES, ALICLOUD_KUBEADM_FIXTURE].map((f) => [path.basename(f), f]))(
    '%s: every attribute known, required ones present, literal types right',
    async (_name, file) => {
      const { spec } = await loadRegionFile(file);
      const json = synthJson(new RegionStack(Testing.app(), `${spec.name}-infra`, { spec }));
      expect(Object.keys(json.resource!).length).toBeGreaterThan(5);
      expect(check(json)).toEqual([]);
    },
  );
});

describe('the conformance checker catches', () => {
  const pinned = { terraform: { required_providers: { alicloud: { source: 'aliyun/alicloud', version: '1.289.0' } } } };
  const withResource = (type: string, body: object) => ({ ...pinned, resource: { [type]: { r: body } } });

  test('an unknown attribute', () => {
    expect(check(withResource('alicloud_vpc', { cidr_block: '10.0.0.0/16', cidr: 'x' }))).toEqual([
      'alicloud_vpc.r.cidr: is not an attribute or block of this type',
    ]);
  });

  test('a missing required attribute', () => {
    expect(check(withResource('alicloud_security_group_rule', { type: 'ingress', ip_protocol: 'tcp' }))).toEqual([
      'alicloud_security_group_rule.r.security_group_id: is required',
    ]);
  });

  test('a literal of the wrong type, also inside nested blocks', () => {
    expect(
      check(
        withResource('alicloud_instance', {
          system_disk_size: '40',
          security_groups: 'sg-1',
          data_disks: [{ size: 'big' }],
          tags: { a: 1 },
        }),
      ),
    ).toEqual([
      'alicloud_instance.r.system_disk_size: must be a number, got "40"',
      'alicloud_instance.r.security_groups: must be a set, got "sg-1"',
      'alicloud_instance.r.data_disks[0].size: must be a number, got "big"',
      'alicloud_instance.r.tags["a"]: must be a string, got 1',
    ]);
  });

  test('a read-only attribute that is set, and too many nested blocks', () => {
    const problems = check(
      withResource('alicloud_slb_listener', {
        load_balancer_id: 'x',
        frontend_port: 80,
        protocol: 'tcp',
        x_forwarded_for: [{}, {}],
      }),
    );
    expect(problems).toEqual(['alicloud_slb_listener.r.x_forwarded_for: must have at most 1 block, got 2']);
    expect(check(withResource('alicloud_vpc', { router_id: 'r' }))).toEqual([
      'alicloud_vpc.r.router_id: is read-only (computed by the provider) and must not be set',
    ]);
  });

  test('expressions pass for any type; lifecycle names are checked', () => {
    expect(check(withResource('alicloud_instance', { system_disk_size: '${var.size}' }))).toEqual([]);
    expect(check(withResource('alicloud_instance', { lifecycle: { ignore_changes: ['image'] } }))).toEqual([
      'alicloud_instance.r.lifecycle.ignore_changes: names "image", which is not an attribute or block of this type',
    ]);
  });

  test('an unknown type of a provider with a schema file', () => {
    expect(check(withResource('alicloud_kvstore_instance', {}))).toEqual([
      'alicloud_kvstore_instance.r: type alicloud_kvstore_instance is not in the alicloud schema file',
    ]);
  });

  test('a provider source with a registry host or an unpinned version', () => {
    expect(
      check({
        terraform: {
          required_providers: {
            alicloud: { source: 'registry.terraform.io/aliyun/alicloud', version: '1.289.0' },
            openstack: { source: 'terraform-provider-openstack/openstack', version: '~> 3.4' },
          },
        },
      }),
    ).toEqual([
      'terraform.required_providers.alicloud: source must be unqualified <namespace>/<type> (no registry host), got "registry.terraform.io/aliyun/alicloud"',
      'terraform.required_providers.alicloud: must be aliyun/alicloud 1.289.0 (lib/versions.ts), got registry.terraform.io/aliyun/alicloud 1.289.0',
      'terraform.required_providers.openstack: version must be an exact x.y.z version, got "~> 3.4"',
      'terraform.required_providers.openstack: must be terraform-provider-openstack/openstack 3.4.0 (lib/versions.ts), got terraform-provider-openstack/openstack ~> 3.4',
    ]);
  });

  test('the objects inside nested attributes (helm 3.x, plugin framework), in resources and provider blocks', () => {
    const release = { name: 'gw', chart: 'gateway-helm' };
    expect(
      check(
        withResource('helm_release', {
          ...release,
          set: [{ name: 'a', value: 'b' }, { value: 'c' }, { name: 'd', valu: 'e' }, 'x'],
          metadata: { name: 'read-only inside' },
          postrender: { binary_path: 1 },
        }),
      ),
    ).toEqual([
      'helm_release.r.set[1].name: is required',
      'helm_release.r.set[2].valu: is not an attribute of this object',
      'helm_release.r.set[3]: must be an object',
      'helm_release.r.metadata: is read-only (computed by the provider) and must not be set',
      'helm_release.r.metadata.name: is read-only (computed by the provider) and must not be set',
      'helm_release.r.postrender.binary_path: must be a string, got 1',
    ]);
    expect(check(withResource('helm_release', { ...release, set: { name: 'a' } }))).toEqual([
      'helm_release.r.set: must be a list of objects',
    ]);
    expect(check(withResource('helm_release', { ...release, set: '${local.sets}', set_list: ['${x}'] }))).toEqual([]);
    expect(
      check({ ...pinned, provider: { helm: [{ kubernetes: { host: '${x}', configPath: '~/.kube/config' } }] } }),
    ).toEqual([
      'provider.helm[0].kubernetes.configPath: is not an attribute of this object; did you mean config_path?',
    ]);
  });

  test('provider blocks are checked too', () => {
    expect(check({ ...pinned, provider: { alicloud: [{ region: 'cn-hangzhou', zone: 'x' }] } })).toEqual([
      'provider.alicloud[0].zone: is not an attribute or block of this type',
    ]);
  });
});
