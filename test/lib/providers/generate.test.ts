import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { GEN_DIR } from '../../../lib/providers/paths.js';
import { GENERATED_PROVIDERS } from '../../../lib/versions.js';
import { CLOUDS, synthJson, testStack } from '../../helpers.js';

describe.each(CLOUDS)('generated %s bindings', (cloud) => {
  const pin = GENERATED_PROVIDERS[cloud];

  test('carry the unqualified source and the exact pinned version', () => {
    const provider = readFileSync(path.join(GEN_DIR, cloud, 'provider', 'index.ts'), 'utf8');
    expect(provider).toContain(`terraformProviderSource: '${pin.source}'`);
    expect(provider).toContain(`providerVersion: '${pin.version}'`);
    expect(provider).not.toContain("terraformProviderSource: 'registry.terraform.io/");
  });

  test('have no provider-wide index to import by mistake', () => {
    expect(() => readFileSync(path.join(GEN_DIR, cloud, 'index.ts'))).toThrow(/ENOENT/);
  });

  test('write required_providers Terraform and OpenTofu both resolve', () => {
    const t = testStack(cloud);
    expect(synthJson(t.stack).terraform!.required_providers).toEqual({
      [pin.name]: { source: pin.source, version: pin.version },
    });
    expect(Testing.synth(t.stack)).not.toContain('registry.terraform.io');
  });
});
