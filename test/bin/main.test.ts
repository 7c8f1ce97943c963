import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

import { main } from '../../bin/main.js';
import { reportError } from '../../bin/options.js';
import { SpecError } from '../../lib/errors.js';
import { PACKAGE_ROOT } from '../../lib/providers/paths.js';

import { fakeIo } from './fake-io.js';
import { project, run, snapshotTree } from './project.js';

describe('regionkit synth', () => {
  test('synthesizes every region file in regions/ by default', async () => {
    const dir = await project();
    const r = await run(dir, 'synth');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'cdktf.out/stacks/example-alicloud-infra/cdk.tf.json\ncdktf.out/stacks/example-openstack-infra/cdk.tf.json\n',
    );
    expect(r.stderr).toContain('synth example-alicloud-infra (1/2)');
    const manifest = JSON.parse(await readFile(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8')) as {
      stacks: object;
    };
    expect(Object.keys(manifest.stacks)).toEqual(['example-alicloud-infra', 'example-openstack-infra']);
    expect((await readdir(dir)).filter((n) => n.startsWith('cdktf.out.'))).toEqual([]);
  });

  test('writes the Alibaba Cloud example with its VPC, vSwitches, NAT, security groups, instances and SLB', async () => {
    const dir = await project();
    const r = await run(dir, 'synth', 'regions/example-alicloud.yaml');
    expect(r.code).toBe(0);
    const json = JSON.parse(
      await readFile(path.join(dir, 'cdktf.out/stacks/example-alicloud-infra/cdk.tf.json'), 'utf8'),
    ) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const count = (type: string) => Object.keys(json.resource[type] ?? {}).length;
    expect([count('alicloud_vpc'), count('alicloud_vswitch'), count('alicloud_instance')]).toEqual([1, 3, 9]);
    expect([count('alicloud_nat_gateway'), count('alicloud_snat_entry')]).toEqual([1, 3]);
    expect(count('alicloud_security_group_rule')).toBeGreaterThan(0);
    const ports = Object.values(json.resource.alicloud_slb_listener!).map((l) => l.frontend_port);
    expect(ports.sort()).toEqual([443, 80]);
    expect(count('alicloud_slb_backend_server')).toBe(1);
  });

  test('an invalid region file exits 2, names the field and leaves cdktf.out untouched', async () => {
    const dir = await project();
    expect((await run(dir, 'synth')).code).toBe(0);
    await mkdir(path.join(dir, 'cdktf.out/stacks/example-alicloud-infra/.terraform'));
    await writeFile(path.join(dir, 'cdktf.out/stacks/example-alicloud-infra/.terraform/marker'), 'x');
    const before = await snapshotTree(path.join(dir, 'cdktf.out'));
    const text = await readFile(path.join(dir, 'regions/example-alicloud.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'regions/example-alicloud.yaml'),
      text.replace('  - { name: worker, count: 3,', '  - { name: worker, count: -3,'),
    );

    const r = await run(dir, 'synth');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: regions/example-alicloud.yaml: 1 problem');
    expect(r.stderr).toContain('hostGroups[2].count: must be an integer between 1 and 100, got -3');
    expect(r.stdout).toBe('');
    expect(await snapshotTree(path.join(dir, 'cdktf.out'))).toEqual(before);
    expect((await readdir(dir)).filter((n) => n.startsWith('cdktf.out.'))).toEqual([]);
  });

  test('re-synthesizing one region replaces its stack, keeps the others and Terraform working files', async () => {
    const dir = await project();
    await run(dir, 'synth');
    const stackDir = path.join(dir, 'cdktf.out/stacks/example-alicloud-infra');
    await mkdir(path.join(stackDir, '.terraform'));
    await writeFile(path.join(stackDir, '.terraform.lock.hcl'), '# lock\n');
    const r = await run(dir, 'synth', 'regions/example-alicloud.yaml');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(stackDir, '.terraform'))).toBe(true);
    expect(await readFile(path.join(stackDir, '.terraform.lock.hcl'), 'utf8')).toBe('# lock\n');
    expect(existsSync(path.join(dir, 'cdktf.out/stacks/example-openstack-infra/cdk.tf.json'))).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(dir, 'cdktf.out/manifest.json'), 'utf8')) as {
      stacks: object;
    };
    expect(Object.keys(manifest.stacks)).toEqual(['example-alicloud-infra', 'example-openstack-infra']);
  });

  test('output is byte-identical on another machine (directory) and carries no absolute path', async () => {
    const [a, b] = [await project(), await project()];
    await run(a, 'synth');
    await run(b, 'synth');
    for (const stack of ['example-alicloud-infra', 'example-openstack-infra']) {
      const file = `cdktf.out/stacks/${stack}/cdk.tf.json`;
      const [textA, textB] = [await readFile(path.join(a, file), 'utf8'), await readFile(path.join(b, file), 'utf8')];
      expect(textA).toBe(textB);
      expect(textA).not.toContain(a);
      expect(textA).not.toContain(os.tmpdir());
      expect(textA).not.toContain(PACKAGE_ROOT);
      expect(JSON.parse(textA).terraform.backend).toEqual({
        local: { path: `../${stack}/terraform.${stack}.tfstate` },
      });
    }
  });

  test('an output path that is an existing file is a usage error and leaves no staging directory', async () => {
    const dir = await project();
    await writeFile(path.join(dir, 'out'), 'not a directory\n');
    const r = await run(dir, 'synth', '-o', 'out');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --out: must be a directory, got "out" (an existing file)');
    expect(r.stderr).toContain('hint: name a directory');
    expect(await readdir(dir)).toEqual(['out', 'regions']);
    expect(await readFile(path.join(dir, 'out'), 'utf8')).toBe('not a directory\n');
  });

  test('an output path under a file is a usage error too', async () => {
    const dir = await project();
    await writeFile(path.join(dir, 'out'), '');
    const r = await run(dir, 'synth', '-o', 'out/sub');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error: --out: must be a directory, got "out/sub" (${JSON.stringify(path.join(dir, 'out'))} is a file)`,
    );
    expect(await readdir(dir)).toEqual(['out', 'regions']);
  });

  test('a missing file exits 2', async () => {
    const r = await run(await project(), 'synth', 'regions/nope.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope.yaml: cannot read region file \(ENOENT\)/);
  });

  test('no region files at all exits 2 with a hint', async () => {
    const r = await run(await mkdtemp(path.join(os.tmpdir(), 'regionkit-empty-')), 'synth');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hint: .*pass region files/);
  });
});

describe('regionkit validate', () => {
  test('checks specs and the synthesized JSON against the schema files, writing nothing', async () => {
    const dir = await project();
    const r = await run(dir, 'validate');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('example-alicloud-infra: ok\nexample-openstack-infra: ok\n');
    expect(existsSync(path.join(dir, 'cdktf.out'))).toBe(false);
  });

  test('exits 2 on spec errors', async () => {
    const dir = await project();
    await writeFile(path.join(dir, 'regions/bad.yaml'), 'name: bad\ncloud: alicloud\n');
    const r = await run(dir, 'validate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('regions/bad.yaml: 2 problems');
    expect(r.stderr).toContain('hostGroups: is required (a list)');
    expect(r.stderr).toContain('admin: is required (a mapping)');
  });
});

describe('regionkit list', () => {
  test('lists regions and their stacks', async () => {
    const r = await run(await project(), 'list', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({
        region: 'example-alicloud',
        cloud: 'alicloud',
        hosts: 9,
        stacks: ['example-alicloud-infra'],
      }),
      expect.objectContaining({ region: 'example-openstack', cloud: 'openstack', zones: 3, loadBalancers: 1 }),
    ]);
  });

  test('prints a table', async () => {
    const r = await run(await project(), 'list');
    expect(r.stdout.split('\n')[0]).toMatch(/^REGION\s+CLOUD\s+LOCATION\s+ZONES\s+HOSTS\s+LBS\s+STACKS\s+FILE$/);
  });
});

describe('exit codes', () => {
  test('help and version are successes', async () => {
    const dir = await project();
    const help = await run(dir, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('synth [options] [files...]');
    expect((await run(dir, '--version')).code).toBe(0);
  });

  test('no command at all prints help on stderr and is a usage error', async () => {
    const r = await run(await project());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: regionkit [options] [command]');
    expect(r.stdout).toBe('');
  });

  test('a usage error is invalid input', async () => {
    const r = await run(await project(), 'deploy-everything');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'deploy-everything'");
  });

  test('a SpecError is 2 with its hint, anything else is 1 (a bug), stack only with --verbose', () => {
    const io = fakeIo('/');
    expect(reportError(new SpecError('bad input', { hint: 'fix it' }), io, false)).toBe(2);
    expect(io.stderr).toBe('error: bad input\nhint: fix it\n');
    const bug = fakeIo('/');
    expect(reportError(new TypeError('x is undefined'), bug, false)).toBe(1);
    expect(bug.stderr).toBe(
      'internal error: x is undefined\nrun with --verbose for the stack trace; this is a regionkit bug\n',
    );
    const verbose = fakeIo('/');
    reportError(new TypeError('x is undefined'), verbose, true);
    expect(verbose.stderr).toContain('at ');
  });
});

describe('cdktf.json app', () => {
  test('`cdktf synth` produces the same stacks, byte for byte', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-cdktf-'));
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', FORCE_COLOR: '0' };
    await execa('npx', ['cdktf', 'synth', '--output', path.join(dir, 'a')], { cwd: PACKAGE_ROOT, env });
    const io = fakeIo(PACKAGE_ROOT);
    expect(await main(['node', 'regionkit', '-q', 'synth', '--out', path.join(dir, 'b')], io)).toBe(0);
    for (const stack of ['example-alicloud-infra', 'example-openstack-infra']) {
      const file = `stacks/${stack}/cdk.tf.json`;
      expect(await readFile(path.join(dir, 'a', file), 'utf8')).toBe(await readFile(path.join(dir, 'b', file), 'utf8'));
    }
  }, 120_000);
});

describe('role problems fail synth as invalid input', () => {
  test('oversized user data exits 2, names the host and the limit, writes nothing', async () => {
    const dir = await project();
    const text = await readFile(path.join(dir, 'regions/example-alicloud.yaml'), 'utf8');
    // 400 long sysctl values (hex, so gzip cannot shrink them much) blow the 32 KB user-data limit of ECS
    const sysctls = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [
        `net.core.knob_${i}`,
        createHash('sha512').update(String(i)).digest('hex'),
      ]),
    );
    await writeFile(
      path.join(dir, 'regions/example-alicloud.yaml'),
      text.replace('hostConfig:\n', `hostConfig:\n  sysctls: ${JSON.stringify(sysctls)}\n`),
    );
    const r = await run(dir, 'synth', 'regions/example-alicloud.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: regions/example-alicloud.yaml: 9 problems\n');
    expect(r.stderr).toMatch(
      /\n {2}hostGroups\[0\]: user data of example-alicloud-bastion-1 is \d+ bytes \(\d+ Base64-encoded\); alicloud accepts at most 32768 encoded bytes/,
    );
    expect(r.stderr).toMatch(/\n {2}hostGroups\[3\]: user data of example-alicloud-edge-2 is/);
    expect(r.stderr).toContain('hint: move roles to another host group, or bake large files into the image');
    expect(existsSync(path.join(dir, 'cdktf.out'))).toBe(false);
  });
});
