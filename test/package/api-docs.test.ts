/**
 * The API reference (`npm run docs:api`, TypeDoc from the declarations of `index.ts`) builds with no undocumented
 * export: TypeDoc's `notDocumented` validation, with warnings as errors (typedoc.json), passes on the package entry
 * and fails on a fixture with one undocumented export (so the check can fail).
 */
import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

import { PACKAGE_ROOT } from '../../lib/providers/paths.js';

const TYPEDOC = path.join(PACKAGE_ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

async function typedoc(args: readonly string[]) {
  const result = await execa('node', [TYPEDOC, '--emit', 'none', ...args], {
    cwd: PACKAGE_ROOT,
    all: true,
    reject: false,
    env: { NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { exitCode: result.exitCode, all: String(result.all) };
}

describe('API reference', () => {
  test('every export of index.ts is documented (TypeDoc validation, warnings are errors)', async () => {
    const { exitCode, all } = await typedoc([]);
    expect(all).not.toMatch(/does not have any documentation/);
    expect(exitCode, all).toBe(0);
  }, 600_000);

  test('the check fails on an undocumented export', async () => {
    // the package's own typedoc.json (same validation), on a one-file entry
    const { exitCode, all } = await typedoc(['--options', 'test/fixtures/typedoc/typedoc.json']);
    expect(all).toMatch(/undocumentedExport \((Function|CallSignature)\).*does not have any documentation/);
    expect(all).not.toMatch(/documented \(Variable\)/);
    expect(exitCode).not.toBe(0);
  }, 600_000);
});
