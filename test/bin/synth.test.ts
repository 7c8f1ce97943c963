import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { project, run, snapshotTree } from './project.js';

const ALICLOUD = 'cdktf.out/stacks/example-alicloud-infra';
const OPENSTACK = 'cdktf.out/stacks/example-openstack-infra';

const manifestStacks = async (outdir: string) =>
  (JSON.parse(await readFile(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, object> }).stacks;

describe('synth keeps what the operator put in a stack directory', () => {
  test('tfvars, plan files, state, .terraform/ and the lock file survive re-synthesis; cdk.tf.json is replaced', async () => {
    const dir = await project();
    expect((await run(dir, 'synth')).code).toBe(0);
    const stackDir = path.join(dir, ALICLOUD);
    const mine = {
      'terraform.tfvars': 'weave_password = "x"\n',
      tfplan: 'binary plan',
      'terraform.example-alicloud-infra.tfstate': '{"version":4}\n',
      '.terraform.lock.hcl': '# lock\n',
      '.terraform/providers/marker': 'provider',
      'notes/todo.md': 'check quotas\n',
    };
    for (const [file, text] of Object.entries(mine)) {
      await mkdir(path.dirname(path.join(stackDir, file)), { recursive: true });
      await writeFile(path.join(stackDir, file), text);
    }
    await writeFile(path.join(stackDir, 'cdk.tf.json'), '{"edited": true}\n');

    expect((await run(dir, 'synth', 'regions/example-alicloud.yaml')).code).toBe(0);
    for (const [file, text] of Object.entries(mine))
      expect(await readFile(path.join(stackDir, file), 'utf8')).toBe(text);
    expect(await readFile(path.join(stackDir, 'cdk.tf.json'), 'utf8')).toContain('"alicloud_vpc"');
    expect((await readdir(dir)).filter((n) => n.startsWith('cdktf.out.'))).toEqual([]);
  });

  test('a synth-owned file the run no longer writes is removed, operator files stay', async () => {
    const dir = await project();
    await run(dir, 'synth');
    const stackDir = path.join(dir, ALICLOUD);
    await writeFile(path.join(stackDir, 'metadata.json'), '{}\n'); // as an earlier HCL synth would leave it
    await writeFile(path.join(stackDir, 'terraform.tfvars'), 'a = 1\n');
    await run(dir, 'synth');
    expect((await readdir(stackDir)).sort()).toEqual(['cdk.tf.json', 'terraform.tfvars']);
  });

  test('a failed synth leaves the output, operator files included, exactly as it was', async () => {
    const dir = await project();
    await run(dir, 'synth');
    await writeFile(path.join(dir, ALICLOUD, 'terraform.tfvars'), 'a = 1\n');
    const before = await snapshotTree(path.join(dir, 'cdktf.out'));
    const file = path.join(dir, 'regions/example-alicloud.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('count: 3,', 'count: 0,'));
    expect((await run(dir, 'synth')).code).toBe(2);
    expect(await snapshotTree(path.join(dir, 'cdktf.out'))).toEqual(before);
  });
});

describe('synth output does not depend on where it is written', () => {
  test('-o relative and -o absolute give identical bytes; state is kept inside the stack directory', async () => {
    const dir = await project();
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'regionkit-abs-'));
    expect((await run(dir, '-q', 'synth', '-o', 'out/rel')).code).toBe(0);
    expect((await run(dir, '-q', 'synth', '-o', path.join(elsewhere, 'abs'))).code).toBe(0);
    expect((await run(dir, '-q', 'synth')).code).toBe(0);
    for (const stack of ['example-alicloud-infra', 'example-openstack-infra']) {
      const file = `stacks/${stack}/cdk.tf.json`;
      const rel = await readFile(path.join(dir, 'out/rel', file), 'utf8');
      expect(await readFile(path.join(elsewhere, 'abs', file), 'utf8')).toBe(rel);
      expect(await readFile(path.join(dir, 'cdktf.out', file), 'utf8')).toBe(rel);
      expect(JSON.parse(rel).terraform.backend).toEqual({ local: { path: `../${stack}/terraform.${stack}.tfstate` } });
    }
  });

  test('stdout names files relative to the working directory under it, absolute elsewhere', async () => {
    const dir = await project();
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'regionkit-abs-'));
    const inside = await run(dir, '-q', 'synth', '-o', path.join(dir, 'out'), 'regions/example-alicloud.yaml');
    expect(inside.stdout).toBe('out/stacks/example-alicloud-infra/cdk.tf.json\n');
    const outside = await run(dir, 'synth', '-o', path.join(elsewhere, 'x'), 'regions/example-alicloud.yaml');
    expect(outside.stdout).toBe(`${path.join(elsewhere, 'x/stacks/example-alicloud-infra/cdk.tf.json')}\n`);
    expect(outside.stderr).toContain(`synthesized 1 stack into ${path.join(elsewhere, 'x')}`);
  });
});

describe('stale stacks', () => {
  test('a stack whose region file is gone is reported, kept, and removed with --prune with its manifest entry', async () => {
    const dir = await project();
    await run(dir, 'synth');
    await rename(path.join(dir, 'regions/example-openstack.yaml'), path.join(dir, 'example-openstack.yaml.bak'));

    const report = await run(dir, 'synth');
    expect(report.code).toBe(0);
    expect(report.stderr).toContain(
      'stale stack: example-openstack-infra (region file no longer present); remove with --prune',
    );
    expect(report.stdout).toBe(`${ALICLOUD}/cdk.tf.json\n`);
    expect(existsSync(path.join(dir, OPENSTACK))).toBe(true);
    expect(Object.keys(await manifestStacks(path.join(dir, 'cdktf.out')))).toContain('example-openstack-infra');

    const pruned = await run(dir, 'synth', '--prune');
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain('pruned stale stack: example-openstack-infra');
    expect(existsSync(path.join(dir, OPENSTACK))).toBe(false);
    expect(Object.keys(await manifestStacks(path.join(dir, 'cdktf.out')))).toEqual(['example-alicloud-infra']);
    expect(await readdir(path.join(dir, 'cdktf.out/stacks'))).toEqual(['example-alicloud-infra']);
  });

  test('a renamed region leaves its old stack stale', async () => {
    const dir = await project();
    await run(dir, 'synth');
    const file = path.join(dir, 'regions/example-openstack.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^name: example-openstack$/m, 'name: renamed'));
    const r = await run(dir, 'synth', 'regions/example-openstack.yaml');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'stale stack: example-openstack-infra (region file no longer defines it); remove with --prune',
    );
    expect(r.stderr).not.toContain('stale stack: example-alicloud-infra');
  });

  test('never a directory regionkit did not record, nor one holding Terraform state', async () => {
    const dir = await project();
    await run(dir, 'synth');
    await mkdir(path.join(dir, 'cdktf.out/stacks/hand-made'));
    await writeFile(path.join(dir, OPENSTACK, 'terraform.example-openstack-infra.tfstate'), '{"version":4}\n');
    await rename(path.join(dir, 'regions/example-openstack.yaml'), path.join(dir, 'gone.yaml'));
    const r = await run(dir, 'synth', '--prune');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('hand-made');
    expect(r.stderr).toContain('stale stack: example-openstack-infra kept: its directory holds Terraform state');
    expect(await readdir(path.join(dir, 'cdktf.out/stacks'))).toEqual([
      'example-alicloud-infra',
      'example-openstack-infra',
      'hand-made',
    ]);
  });
});
