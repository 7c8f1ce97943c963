/**
 * plan, deploy, destroy and doctor through the CLI, with the real engine from the engine cache. No cloud
 * account exists here, so the cloud-facing path ends where the provider asks for credentials: that failure must
 * be a clear exit-2 message naming the variables to set.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, onTestFinished, test } from 'vitest';

import { main } from '../../bin/main.js';
import { GENERATED_PROVIDERS } from '../../lib/versions.js';
import { testWithEngine } from '../engine/engine-harness.js';

import { fakeIo } from './fake-io.js';
import { project } from './project.js';

/** The machine's PATH and HOME (to find the engine), and none of its cloud credentials. */
function bareEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keep = ['PATH', 'HOME', 'REGIONKIT_ENGINE_DIR', 'XDG_CACHE_HOME', 'TMPDIR'];
  return { ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]!])), ...extra };
}

async function cli(dir: string, env: Record<string, string>, args: string[], answer?: string) {
  const io = fakeIo(dir, env);
  const withAsk = answer === undefined ? io : Object.assign(io, { ask: async () => answer });
  const code = await main(['node', 'regionkit', ...args], withAsk);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

async function tempProject(): Promise<string> {
  const dir = await project();
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const openstack = GENERATED_PROVIDERS.openstack;

const secrets = { TF_VAR_weave_password: 'x', TF_VAR_rexray_cinder_password: 'y' };

describe('regionkit plan', () => {
  testWithEngine('names every variable without a value, before running the engine', [], async () => {
    const dir = await tempProject();
    const { code, stderr } = await cli(dir, bareEnv(), ['plan', 'example-openstack']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'error: example-openstack-infra: variables without a value: rexray_cinder_password, weave_password',
    );
    expect(stderr).toContain('hint: set TF_VAR_rexray_cinder_password, TF_VAR_weave_password in the environment');
    expect(stderr).not.toContain('init example-openstack-infra');
  });

  testWithEngine(
    'reaches the provider and reports missing credentials as exit 2 naming what to set',
    [openstack],
    async () => {
      const dir = await tempProject();
      const { code, stderr } = await cli(dir, bareEnv(secrets), ['plan', 'example-openstack']);
      expect(code).toBe(2);
      // init ran, and the plan failed in the provider's own configuration (the example names a clouds.yaml entry)
      expect(stderr).toMatch(/init example-openstack-infra \(tofu 1\.11\.\d+\)/);
      expect(stderr).toContain(
        'error: example-openstack-infra: openstack credentials: the region uses clouds.yaml entry "example" and no clouds.yaml was found (tofu: unable to load clouds.yaml',
      );
      expect(stderr).toContain(`hint: put it in ${dir}/clouds.yaml, `);
      expect(stderr).not.toMatch(/^\s+at /m);
    },
  );

  testWithEngine('names the OS_* variables when the region names no clouds.yaml entry', [openstack], async () => {
    const dir = await tempProject();
    const file = path.join(dir, 'regions', 'example-openstack.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^ {2}cloud: example.*$/m, ''));
    const { code, stderr } = await cli(dir, bareEnv(secrets), ['plan', 'example-openstack']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /error: example-openstack-infra: openstack credentials: none in the environment \(tofu: .+\)/,
    );
    expect(stderr).toMatch(
      /hint: set OS_CLOUD \(clouds\.yaml entry\), or OS_AUTH_URL and OS_USERNAME and OS_PASSWORD and OS_PROJECT_NAME \(password\)/,
    );
  });
});

describe('regionkit deploy', () => {
  testWithEngine('refuses without a saved plan', [], async () => {
    const dir = await tempProject();
    expect((await cli(dir, bareEnv(), ['synth'])).code).toBe(0);
    const { code, stderr } = await cli(dir, bareEnv(), ['deploy', 'example-openstack']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: no saved plan for example-openstack-infra');
    expect(stderr).toContain('hint: run regionkit plan first');
  });

  testWithEngine('refuses when nothing was synthesized', [], async () => {
    const dir = await tempProject();
    const { code, stderr } = await cli(dir, bareEnv(), ['deploy']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error: no synthesized stacks in .*cdktf\.out/);
  });
});

describe('regionkit destroy', () => {
  testWithEngine('asks for the region name and stops when it is not typed', [], async () => {
    const dir = await tempProject();
    await cli(dir, bareEnv(), ['synth']);
    const noTerminal = await cli(dir, bareEnv(), ['destroy', 'example-openstack']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('or pass --yes');
    const wrong = await cli(dir, bareEnv(), ['destroy', 'example-openstack'], 'example-alicloud');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('destroy of example-openstack cancelled');
    const unset = await cli(dir, bareEnv(), ['destroy', 'regions/example-openstack.yaml', '--yes']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain(
      'error: example-openstack-infra: variables without a value: rexray_cinder_password, weave_password',
    );
  });
});

describe('regionkit doctor', () => {
  testWithEngine('fails without credentials, names them, never prints a value', [openstack], async () => {
    const dir = await tempProject();
    const missing = await cli(dir, bareEnv({ OS_PASSWORD: 'hunter2-not-printed' }), ['doctor', 'example-openstack']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^ok {4}engine: tofu 1\.11\.\d+ at /m);
    expect(missing.stdout).toMatch(
      /^FAIL {2}example-openstack-infra: credentials: openstack credentials: the region uses clouds.yaml entry "example"/m,
    );
    expect(missing.stdout).toMatch(
      /^ok {4}plugin terraform-provider-openstack\/openstack 3\.4\.0: in the local mirror/m,
    );
    expect(missing.stdout).toMatch(
      /^FAIL {2}example-openstack-infra: variables: without a value: rexray_cinder_password, weave_password/m,
    );
    expect(missing.stdout + missing.stderr).not.toContain('hunter2');

    // a clouds.yaml in the project counts for doctor, and plan hands it to the engine (OS_CLIENT_CONFIG_FILE)
    await writeFile(path.join(dir, 'clouds.yaml'), 'clouds:\n  example:\n    auth: {}\n');
    const ready = await cli(dir, bareEnv({ OS_PASSWORD: 'hunter2-not-printed', ...secrets }), [
      'doctor',
      'example-openstack',
      '--json',
    ]);
    expect(ready.code).toBe(0);
    expect(ready.stdout).not.toContain('hunter2');
    const checks = JSON.parse(ready.stdout) as { status: string; subject: string }[];
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(checks.map((c) => c.subject)).toEqual(
      expect.arrayContaining([
        'engine',
        'example-openstack-infra: credentials',
        'example-openstack-infra: variables',
        'example-openstack-infra: backend',
      ]),
    );
  });
});

test('--engine takes only tofu or terraform', async () => {
  const dir = await tempProject();
  const { code, stderr } = await cli(dir, bareEnv(), ['plan', '--engine', 'pulumi']);
  expect(code).toBe(2);
  expect(stderr).toContain("option '--engine <engine>' argument 'pulumi' is invalid. must be tofu or terraform");
});
