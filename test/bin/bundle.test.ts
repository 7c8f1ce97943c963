import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { bundle } from '../../bin/bundle.js';
import { PACKAGE_ROOT } from '../../lib/providers/paths.js';

const REGIONS = ['regions/example-alicloud.yaml', 'regions/example-openstack.yaml'];

/** Every file below `dir`, relative to it, sorted. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('bundled CLI', () => {
  let work: string;
  let bundled: string;
  /** Output files holding any of cdktf's modules. */
  let cdktfFiles: string[];

  beforeAll(async () => {
    // inside the package, so the bundle finds package.json above it exactly as it does in dist/
    await mkdir(path.join(PACKAGE_ROOT, 'node_modules', '.cache'), { recursive: true });
    work = await mkdtemp(path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'regionkit-bundle-test-'));
    const metafile = await bundle({ regionkit: 'bin/regionkit.ts' }, work);
    bundled = path.join(work, 'regionkit.mjs');
    cdktfFiles = Object.entries(metafile.outputs)
      .filter(([, output]) => Object.keys(output.inputs).some((input) => input.startsWith('node_modules/cdktf/')))
      .map(([file]) => path.basename(file));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('synthesizes both examples byte-identically to the unbundled CLI', async () => {
    const env = { CHECKPOINT_DISABLE: '1' };
    // same depth below `work`, so the relative local-state paths agree too
    const fromBundle = path.join(work, 'bundle', 'cdktf.out');
    const fromSource = path.join(work, 'source', 'cdktf.out');
    await execa('node', [bundled, '-q', 'synth', '-o', fromBundle, ...REGIONS], { cwd: PACKAGE_ROOT, env });
    await execa('node', ['--import', 'tsx', 'bin/regionkit.ts', '-q', 'synth', '-o', fromSource, ...REGIONS], {
      cwd: PACKAGE_ROOT,
      env,
    });

    const files = await filesIn(fromBundle);
    expect(files).toEqual(await filesIn(fromSource));
    expect(files).toContain(path.join('stacks', 'example-alicloud-infra', 'cdk.tf.json'));
    expect(files).toContain(path.join('stacks', 'example-openstack-infra', 'cdk.tf.json'));
    for (const file of files) {
      const [a, b] = await Promise.all([readFile(path.join(fromBundle, file)), readFile(path.join(fromSource, file))]);
      expect(a.equals(b), file).toBe(true);
    }
  });

  test('answers --version and --help without loading cdktf', async () => {
    const version = await execa('node', [bundled, '--version'], { cwd: PACKAGE_ROOT });
    const pkg = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout).toBe(pkg.version);
    // NODE_DEBUG=esm names every module file Node loads
    const help = await execa('node', [bundled, '--help'], { cwd: PACKAGE_ROOT, env: { NODE_DEBUG: 'esm' } });
    expect(help.stdout).toMatch(/synth/);
    expect(help.stderr).toMatch(/regionkit\.mjs/);
    expect(cdktfFiles.length).toBeGreaterThan(0);
    for (const file of cdktfFiles) expect(help.stderr).not.toContain(file);
    // the check can see cdktf load: `list` builds stacks
    const list = await execa('node', [bundled, 'list'], { cwd: PACKAGE_ROOT, env: { NODE_DEBUG: 'esm' } });
    expect(cdktfFiles.some((file) => list.stderr.includes(file))).toBe(true);
  });
});
