import path from 'node:path';

import * as prettier from 'prettier';
import { describe, expect, test } from 'vitest';

import { PACKAGE_ROOT } from '../lib/providers/paths.js';

const ignored = async (file: string) =>
  (
    await prettier.getFileInfo(path.join(PACKAGE_ROOT, file), {
      ignorePath: path.join(PACKAGE_ROOT, '.prettierignore'),
    })
  ).ignored;

describe('.prettierignore', () => {
  test.each([
    'out2/stacks/x-infra/cdk.tf.json',
    'out2/manifest.json',
    'build/out/stacks/x-infra/cdk.tf.json',
    'cdktf.out.staging-AbC123/stacks/x-infra/cdk.tf.json',
    'out2.staging-AbC123/manifest.json.next',
    'out2.old-AbC123/x-infra/cdk.tf.json',
  ])('ignores synthesized output wherever -o puts it: %s', async (file) => {
    expect(await ignored(file)).toBe(true);
  });

  test('ignores Helm templates (Go templates, which prettier would rewrite), not the charts’ values', async () => {
    expect(await ignored('charts/regionkit-gateways/templates/gateways.yaml')).toBe(true);
    expect(await ignored('charts/regionkit-gateways/values.yaml')).toBe(false);
  });

  test.each(['stacks/region-stack.ts', 'regions/example-alicloud.yaml', 'README.md', 'package.json'])(
    'still checks source: %s',
    async (file) => {
      expect(await ignored(file)).toBe(false);
    },
  );
});
