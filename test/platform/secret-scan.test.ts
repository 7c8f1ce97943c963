/**
 * No secret literal in any synthesized stack of any example: every string of every stack's cdk.tf.json (and the
 * text of base64 user data) through scanForSecrets. The scanner itself is tested on planted literals, so a scan
 * that finds nothing means something.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { App } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { loadRegionFiles } from '../../lib/spec/load.js';
import { addRegionStacks } from '../../stacks/region-app.js';
import { tempDir } from '../engine/engine-harness.js';
import { ALICLOUD_KUBEADM_FIXTURE } from '../helpers.js';

import { exampleStacks } from './examples.js';
import { scanForSecrets } from './secret-scan.js';

// Built at run time so that this file holds no PEM block itself.
const PEM = ['-----BEGIN', 'EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END', 'EC PRIVATE KEY-----'].join(' ');

describe('secret scan', () => {
  test('finds planted literals of every kind, in nested strings and in base64 (gzip) user data', async () => {
    const { gzipSync } = await import('node:zlib');
    const planted = {
      resource: {
        kubernetes_secret_v1: { a: { data: { 'tls.key': PEM } } },
        alicloud_instance: {
          b: { user_data: gzipSync(`#cloud-config\nwrite_files:\n- content: |\n    ${PEM}\n`).toString('base64') },
          c: { password: 'hunter2-hunter2' },
        },
        openstack_compute_instance_v2: {
          d: { user_data: Buffer.from('token: abcdef.0123456789abcdef').toString('base64') },
        },
      },
      provider: {
        kubernetes: [{ host: 'https://203.0.113.10:6443', client_key: 'not-a-reference' }],
        alicloud: [{ access_key: 'LTAI5tAbCdEfGhIjKlMn' }],
      },
      output: { e: { value: 'Bearer abcdefghijklmnopqrstuvwxyz' } },
    };
    const kinds = scanForSecrets(planted).map((f) => `${f.path}: ${f.kind}`);
    expect(kinds).toEqual([
      'resource.kubernetes_secret_v1.a.data.tls.key: PEM block',
      'resource.kubernetes_secret_v1.a.data.tls.key: private key',
      'resource.alicloud_instance.b.user_data: PEM block (base64)',
      'resource.alicloud_instance.b.user_data: private key (base64)',
      'resource.alicloud_instance.c.password: literal password',
      'resource.openstack_compute_instance_v2.d.user_data: bootstrap token (base64)',
      'provider.kubernetes[0].client_key: literal client_key',
      'provider.alicloud[0].access_key: literal access_key',
      'output.e.value: bearer token',
    ]);
  });

  test('accepts references and empty values where secrets go', () => {
    expect(
      scanForSecrets({
        provider: { kubernetes: [{ client_key: '${data.terraform_remote_state.x.outputs.key}', token: '' }] },
        resource: { random_password: { p: { length: 24 } } },
      }),
    ).toEqual([]);
  });

  test('finds none in any synthesized stack of any example', async () => {
    const dir = await tempDir('secret-scan');
    const { app, stacks } = await exampleStacks(dir);
    app.synth();
    expect(stacks.length).toBeGreaterThanOrEqual(6);
    for (const stack of stacks) {
      const file = path.join(dir, 'stacks', stack.node.id, 'cdk.tf.json');
      const findings = scanForSecrets(JSON.parse(await readFile(file, 'utf8')));
      expect(findings, stack.node.id).toEqual([]);
    }
  });

  test('finds none in the stacks of a kubeadm region on alicloud (AccessKey, cloud config), and would find a literal AccessKey secret', async () => {
    const dir = await tempDir('secret-scan-alicloud');
    const app = new App({ outdir: dir, skipValidation: true });
    const stacks = addRegionStacks(
      app,
      (await loadRegionFiles([ALICLOUD_KUBEADM_FIXTURE])).map((l) => l.spec),
    );
    app.synth();
    expect(stacks.map((s) => s.node.id)).toEqual(['test-alicloud-kubeadm-infra', 'test-alicloud-kubeadm-platform']);
    for (const stack of stacks) {
      const json = JSON.parse(await readFile(path.join(dir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8')) as {
        resource: Record<string, Record<string, Record<string, unknown>>>;
      };
      expect(scanForSecrets(json), stack.node.id).toEqual([]);
      const secrets = Object.values(json.resource.kubernetes_secret_v1 ?? {});
      for (const secret of secrets) {
        const planted = {
          resource: {
            kubernetes_secret_v1: {
              s: { ...secret, data: { ...(secret.data as object), secret: 'abcdEFGHijklMNOPqrstUVWXyz0123' } },
            },
          },
        };
        expect(scanForSecrets(planted).map((f) => f.kind)).toEqual(['literal secret']);
      }
    }
  });
});
