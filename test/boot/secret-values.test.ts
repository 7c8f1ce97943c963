/**
 * The secret values of the hosts that boot with their secrets: which store entries the test can make, and a
 * real apply of the example's random and tls resources with the engine cache's OpenTofu and plugins.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, test } from 'vitest';

import { ALL_PROVIDERS } from '../../lib/versions.js';
import { testWithEngine } from '../engine/engine-harness.js';

import { exampleHosts } from './hosts.js';
import { applySecretValues, secretValuesConfig, type StackJson } from './secret-values.js';

const HOSTS = await exampleHosts();
const alicloud = HOSTS.find((h) => h.name === 'example-alicloud-control-1')!;
const openstack = HOSTS.find((h) => h.name === 'example-openstack-control-1')!;

test('every store entry of both examples has an output; operator passwords are variables with their declarations', () => {
  const a = secretValuesConfig(alicloud.stack);
  expect(a.names).toContain('etcd_control_2_key');
  expect(a.variables).toEqual(['rexray_s3fs_secret_key']);
  const o = secretValuesConfig(openstack.stack);
  expect(o.variables).toEqual(['rexray_cinder_password', 'weave_password']);
  expect((o.config.variable as Record<string, { sensitive: boolean }>).weave_password.sensitive).toBe(true);
  // only the providers the copied resources need: no cloud provider
  expect(Object.keys((o.config.terraform as { required_providers: object }).required_providers)).toEqual(['random']);
});

test('a store entry made from anything but random_*, tls_* or a declared variable is refused, all at once', () => {
  const stack = structuredClone(openstack.stack) as StackJson;
  const entries = stack.resource!.openstack_keymanager_secret_v1!;
  const [first, second] = Object.keys(entries);
  entries[first!]!.payload = '${openstack_compute_instance_v2.Host_1234ABCD.access_ip_v4}';
  entries[second!]!.payload = '${var.undeclared}';
  entries.Other_x_0000ABCD = { payload: '${random_password.P_1.result}' };
  const error = (() => {
    try {
      secretValuesConfig(stack);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  })();
  expect(error.split('\n').slice(1).sort()).toEqual(
    [
      `openstack_keymanager_secret_v1.${first}.payload: "\${openstack_compute_instance_v2.Host_1234ABCD.access_ip_v4}" is not made by random_*, tls_* or a variable`,
      `openstack_keymanager_secret_v1.${second}.payload: "\${var.undeclared}" is not made by random_*, tls_* or a variable`,
      'openstack_keymanager_secret_v1.Other_x_0000ABCD: its logical id names no secret (SecretStore_<name>_<hash>)',
    ].sort(),
  );
});

testWithEngine(
  'a real apply makes the etcd PKI of example-alicloud: member certificates the CA verifies, for the member’s address',
  [ALL_PROVIDERS.tls, ALL_PROVIDERS.random],
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'regionkit-secret-values-'));
    try {
      const values = await applySecretValues(alicloud.stack, path.join(dir, 'apply'));
      expect(Object.keys(values).sort()).toEqual(secretValuesConfig(alicloud.stack).names);
      expect(values.mesos_agent_secret).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(values.rexray_s3fs_secret_key).toBe('boot-test-rexray-s3fs-secret-key');
      for (const [name, pem] of Object.entries(values)) writeFileSync(path.join(dir, name), pem);
      const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      expect(openssl('verify', '-CAfile', 'etcd_ca_cert', 'etcd_control_2_cert')).toMatch(/: OK/);
      expect(openssl('x509', '-in', 'etcd_control_2_cert', '-noout', '-ext', 'subjectAltName')).toMatch(
        new RegExp(
          `IP Address:${HOSTS.find((h) => h.name === 'example-alicloud-control-2')!.privateIp.replaceAll('.', '\\.')}\\b`,
        ),
      );
      // the key is the certificate's own
      const pub = (args: string[]) => openssl(...args, '-pubout');
      expect(pub(['pkey', '-in', 'etcd_control_2_key'])).toBe(
        openssl('x509', '-in', 'etcd_control_2_cert', '-noout', '-pubkey'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
