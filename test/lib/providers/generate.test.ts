import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Testing } from 'cdktf';
import { execaSync } from 'execa';
import { describe, expect, test } from 'vitest';

import { GEN_DIR, PACKAGE_ROOT } from '../../../lib/providers/paths.js';
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

  test("have a flat provider-wide index (the package's regionkit/<provider> entry) that regionkit itself never imports", () => {
    const index = readFileSync(path.join(GEN_DIR, cloud, 'index.ts'), 'utf8');
    expect(index).toContain("export * from './provider/index.js';");
    // loading the whole provider costs a tenth of a second or more: regionkit's own modules deep-import
    const own = execaSync(
      'git',
      ['grep', '-l', '-E', `gen/${cloud}(/index)?(\\.js)?['"]`, '--', 'lib', 'constructs', 'stacks', 'bin'],
      {
        cwd: PACKAGE_ROOT,
        reject: false,
      },
    ).stdout;
    expect(own).toBe('');
  });

  test('write required_providers Terraform and OpenTofu both resolve', () => {
    const t = testStack(cloud);
    expect(synthJson(t.stack).terraform!.required_providers).toEqual({
      [pin.name]: { source: pin.source, version: pin.version },
    });
    expect(Testing.synth(t.stack)).not.toContain('registry.terraform.io');
  });
});
