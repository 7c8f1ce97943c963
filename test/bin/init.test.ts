import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { main } from '../../bin/main.js';
import { PACKAGE_ROOT } from '../../lib/providers/paths.js';
import { loadRegionFile } from '../../lib/spec/load.js';

import { fakeIo } from './fake-io.js';

const own = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const SCAFFOLD = [
  '.gitignore',
  'cdktf.json',
  'main.ts',
  'package.json',
  'regions',
  'regions.test.ts',
  'regions.ts',
  'tsconfig.json',
];

describe('regionkit init', () => {
  test('scaffolds a new directory: peers at regionkit ranges, regionkit at the running version, a valid region', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'regionkit-init-'));
    const io = fakeIo(parent);
    expect(await main(['node', 'regionkit', 'init', 'infra'], io)).toBe(0);
    const dir = path.join(parent, 'infra');
    expect((await readdir(dir)).sort()).toEqual(SCAFFOLD);
    // nothing left of the staging directory
    expect(await readdir(parent)).toEqual(['infra']);
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
      name: string;
      type: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.name).toBe('infra');
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies).toEqual({
      regionkit: own.version,
      cdktf: own.peerDependencies.cdktf,
      constructs: own.peerDependencies.constructs,
    });
    expect(pkg.dependencies.cdktf).toBe('~0.21.0');
    expect(pkg.dependencies.constructs).toBe('^10.4.2');
    expect(pkg.devDependencies.typescript).toBe(own.devDependencies.typescript);
    const region = await readFile(path.join(dir, 'regions', 'example.yaml'), 'utf8');
    expect(region.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../node_modules/regionkit/regions/region.schema.json',
    );
    // the region file the scaffold ships is valid as it is
    const { spec } = await loadRegionFile(path.join(dir, 'regions', 'example.yaml'));
    expect(spec.name).toBe('example');
    expect(io.stdout.trim().split('\n')).toHaveLength(SCAFFOLD.length);
  });

  test('refuses a non-empty directory with exit 2 and a hint, leaving it as it was', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-init-'));
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    const io = fakeIo(dir);
    expect(await main(['node', 'regionkit', 'init'], io)).toBe(2);
    expect(io.stderr).toMatch(/error: init: .* is not empty \(1 entry\)/);
    expect(io.stderr).toMatch(/hint: .*--force/);
    expect(await readdir(dir)).toEqual(['notes.txt']);
    expect(existsSync(path.join(dir, '..', `.${path.basename(dir)}.init-`))).toBe(false);
  });

  test('--force writes the scaffold into a non-empty directory and keeps the rest', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-init-'));
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    await mkdir(path.join(dir, 'regions'));
    await writeFile(path.join(dir, 'regions', 'other.yaml'), 'name: other\n');
    const io = fakeIo(dir);
    expect(await main(['node', 'regionkit', 'init', '--force'], io)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual([...SCAFFOLD, 'notes.txt'].sort());
    expect((await readdir(path.join(dir, 'regions'))).sort()).toEqual(['example.yaml', 'other.yaml']);
    expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect((await readdir(path.dirname(dir))).filter((n) => n.startsWith(`.${path.basename(dir)}.init-`))).toEqual([]);
  });
});
