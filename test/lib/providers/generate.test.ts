import { readdirSync, readFileSync } from 'node:fs';
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

  test('have a provider-wide index for consumers (regionkit/<cloud>) re-exporting every resource module', () => {
    const index = readFileSync(path.join(GEN_DIR, cloud, 'index.ts'), 'utf8');
    const modules = readdirSync(path.join(GEN_DIR, cloud), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `export * from './${e.name}/index.js';`)
      .sort();
    expect(
      index
        .split('\n')
        .filter((l) => l.startsWith('export'))
        .sort(),
    ).toEqual(modules);
  });

  test("that regionkit's own code never imports (it loads every resource)", () => {
    const importers = execaSync('git', ['grep', '-lE', `gen/${cloud}(/index(\\.js)?)?'`, '--', '*.ts'], {
      cwd: PACKAGE_ROOT,
      reject: false,
    }).stdout;
    expect(String(importers).split('\n').filter(Boolean)).toEqual([]);
  });

  test('write required_providers Terraform and OpenTofu both resolve', () => {
    const t = testStack(cloud);
    expect(synthJson(t.stack).terraform!.required_providers).toEqual({
      [pin.name]: { source: pin.source, version: pin.version },
    });
    expect(Testing.synth(t.stack)).not.toContain('registry.terraform.io');
  });
});
