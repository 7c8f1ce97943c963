import { readFileSync } from 'node:fs';

import { describe, expect, test } from 'vitest';

import { schemaPath } from '../../../lib/providers/paths.js';
import { trimSchema } from '../../../lib/providers/refresh.js';
import type { ProviderSchemaFile } from '../../../lib/providers/schema-format.js';

const current = JSON.parse(readFileSync(schemaPath('openstack'), 'utf8')) as ProviderSchemaFile;
const address = 'registry.terraform.io/terraform-provider-openstack/openstack';

/** A "full" schema as Terraform prints it: every type we use, one we do not, descriptions. */
function fullSchema(): ProviderSchemaFile {
  const mine = current.provider_schemas[address]!;
  const described = {
    version: 0,
    block: { attributes: { name: { type: 'string', description: 'prose', optional: true } } },
  };
  return {
    format_version: '1.0',
    provider_schemas: {
      [address]: {
        provider: mine.provider,
        resource_schemas: {
          ...mine.resource_schemas,
          openstack_dns_zone_v2: described,
          openstack_networking_network_v2: described,
        },
        data_source_schemas: mine.data_source_schemas,
      },
      'registry.terraform.io/hashicorp/random': { provider: { version: 0, block: {} } },
    },
  } as ProviderSchemaFile;
}

describe('providers:refresh', () => {
  test('keeps exactly the types already used, drops descriptions and other providers', () => {
    const trimmed = trimSchema(fullSchema(), current, 'openstack');
    const schemas = trimmed.provider_schemas[address]!;
    expect(Object.keys(trimmed.provider_schemas)).toEqual([address]);
    expect(Object.keys(schemas.resource_schemas!)).toEqual(
      Object.keys(current.provider_schemas[address]!.resource_schemas!).sort(),
    );
    expect(schemas.resource_schemas!.openstack_networking_network_v2!.block.attributes!.name).toEqual({
      type: 'string',
      optional: true,
    });
  });

  test('keeps an attribute named description while dropping description texts', () => {
    const full = fullSchema();
    const schemas = full.provider_schemas[address]!.resource_schemas!;
    (schemas as Record<string, unknown>).openstack_networking_network_v2 = {
      version: 0,
      block: {
        description: 'block prose',
        attributes: {
          description: { type: 'string', description: 'attribute prose', optional: true },
        },
        block_types: {
          description: { nesting_mode: 'single', block: { description: 'nested prose', attributes: {} } },
        },
      },
    };
    const block = trimSchema(full, current, 'openstack').provider_schemas[address]!.resource_schemas!
      .openstack_networking_network_v2!.block;
    expect(block).toEqual({
      attributes: { description: { type: 'string', optional: true } },
      block_types: { description: { nesting_mode: 'single', block: { attributes: {} } } },
    });
  });

  test('--add brings in a new type', () => {
    const trimmed = trimSchema(fullSchema(), current, 'openstack', ['openstack_dns_zone_v2']);
    expect(trimmed.provider_schemas[address]!.resource_schemas!.openstack_dns_zone_v2).toBeDefined();
  });

  test('fails when the full schema lacks a used type', () => {
    const full = fullSchema();
    delete (full.provider_schemas[address]!.resource_schemas as Record<string, unknown>).openstack_lb_pool_v2;
    expect(() => trimSchema(full, current, 'openstack')).toThrow(/has no resource_schemas entry openstack_lb_pool_v2/);
  });
});
