import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, onTestFinished, test } from 'vitest';

import { missingCredentials, type StackJson } from '../../../bin/engine/stack-needs.js';

const openstackStack: StackJson = {
  terraform: {
    required_providers: { openstack: { source: 'terraform-provider-openstack/openstack', version: '3.4.0' } },
  },
  provider: { openstack: [{}] },
};

test('OS_CLOUD counts only with a clouds.yaml to read it from', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-needs-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const env = { OS_CLOUD: 'prod', HOME: dir };
  expect(missingCredentials(openstackStack, env, dir).map((u) => u.what)).toEqual([
    'openstack credentials: OS_CLOUD names a clouds.yaml entry and no clouds.yaml was found',
  ]);
  await writeFile(path.join(dir, 'clouds.yaml'), 'clouds: {}\n');
  expect(missingCredentials(openstackStack, env, dir)).toEqual([]);
});

test('password variables are enough without any file', () => {
  const env = {
    OS_AUTH_URL: 'http://127.0.0.1:9/v3',
    OS_USERNAME: 'u',
    OS_PASSWORD: 'p',
    OS_PROJECT_ID: 'x',
    HOME: '/nonexistent',
  };
  expect(missingCredentials(openstackStack, env, '/nonexistent')).toEqual([]);
  const { OS_PASSWORD: _unused, ...withoutPassword } = env;
  expect(missingCredentials(openstackStack, withoutPassword, '/nonexistent')).toHaveLength(1);
});
