import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { project, run } from './project.js';

/** Rewrites `regions/<name>.yaml` in `dir` with `edit`. */
async function edit(dir: string, name: string, change: (text: string) => string): Promise<void> {
  const file = path.join(dir, 'regions', `${name}.yaml`);
  const text = await readFile(file, 'utf8');
  const next = change(text);
  expect(next).not.toBe(text); // the fixture edit must apply
  await writeFile(file, next);
}

/** The example regions with a construct-time rule broken in each file. */
async function brokenProject(): Promise<string> {
  const dir = await project();
  await edit(dir, 'example-alicloud', (t) => t.replace(/(- name: control\n {4}count:) 3/, '$1 5'));
  await edit(dir, 'example-openstack', (t) =>
    t.replace('weaveIpallocRange: 10.64.0.0/12', 'weaveIpallocRange: 10.16.0.0/12'),
  );
  return dir;
}

const EXPECTED = [
  'error: regions/example-alicloud.yaml: 1 problem',
  '  hostGroups[1].count: must be 2, 3 or a multiple of 3 for the glusterfs-server role (one brick per host, replica sets of 2 or 3), got 5',
  'regions/example-openstack.yaml: 2 problems',
  '  hostConfig.weaveIpallocRange: must not overlap the region network 10.30.0.0/16 (weave role of group control), got "10.16.0.0/12"; pick a private range outside network.cidr',
  '  hostConfig.weaveIpallocRange: must not overlap the region network 10.30.0.0/16 (weave role of group worker), got "10.16.0.0/12"; pick a private range outside network.cidr',
].join('\n');

describe('validate and synth run the same checks', () => {
  test.each(['validate', 'synth'])(
    '%s reports every construct-time rule of every file with its file and field path, exit 2',
    async (command) => {
      const dir = await brokenProject();
      const r = await run(dir, '-q', command);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(EXPECTED);
      expect(r.stdout).toBe('');
      expect(existsSync(path.join(dir, 'cdktf.out'))).toBe(false);
    },
  );

  test.each(['validate', 'synth'])(
    '%s reports a problem only the constructs find (user data size) together with another file’s spec errors',
    async (command) => {
      const dir = await project();
      const sysctls = Object.fromEntries(
        Array.from({ length: 400 }, (_, i) => [
          `net.core.knob_${i}`,
          createHash('sha512').update(String(i)).digest('hex'),
        ]),
      );
      await edit(dir, 'example-alicloud', (t) =>
        t.replace('hostConfig:\n', `hostConfig:\n  sysctls: ${JSON.stringify(sysctls)}\n`),
      );
      await edit(dir, 'example-openstack', (t) =>
        t.replace('weaveIpallocRange: 10.64.0.0/12', 'weaveIpallocRange: 10.30.0.0/20'),
      );
      const r = await run(dir, '-q', command);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error: regions/example-openstack.yaml: 2 problems\n');
      expect(r.stderr).toContain(
        '\nregions/example-alicloud.yaml: 9 problems\n  hostGroups[0]: user data of example-alicloud-bastion-1 is',
      );
      expect(r.stderr).toContain('hint: move roles to another host group');
    },
  );

  test('validate still passes valid files', async () => {
    const r = await run(await project(), 'validate');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('2 region files valid');
  });
});
