/**
 * The kubeadm PKI as the pinned hashicorp/tls and hashicorp/random really make it (`tofu apply` of local resources
 * only), read with node's X.509 parser: CAs kubeadm can use, an admin certificate of kubeadm:cluster-admins signed
 * by the cluster CA, a matching service-account key pair, a token of kubeadm's format. With a kubeadm build, kubeadm
 * itself makes the control plane's certificates from these CAs.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { expect } from 'vitest';

import { runEngine, type Engine } from '../../../bin/engine/engine.js';
import { engineDir, kubernetesPaths } from '../../../bin/engine/layout.js';
import { KUBEADM_ADMIN_GROUP, KubeadmPki } from '../../../constructs/roles/kubeadm-pki.js';
import { KUBEADM_SHARED_PKI_FILES } from '../../../constructs/roles/kubeadm.js';
import { ALL_PROVIDERS, KUBERNETES_BUILD } from '../../../lib/versions.js';
import { runChecker, which } from '../../checkers/tools.js';
import { tempDir, testWithEngine } from '../../engine/engine-harness.js';

/** Every secret of the PKI plus the admin key and certificate, as `tofu apply` makes them. */
async function applyPki(engine: Engine): Promise<Record<string, string>> {
  const dir = await tempDir('kubeadm-pki');
  const app = new App({ outdir: dir });
  const stack = new TerraformStack(app, 'pki');
  new LocalBackend(stack, { path: path.join(dir, 'terraform.pki.tfstate') });
  const pki = KubeadmPki.of(stack);
  for (const secret of pki.controlPlaneSecrets()) {
    new TerraformOutput(stack, secret.name, { value: secret.value, sensitive: true });
  }
  new TerraformOutput(stack, 'admin_cert', { value: pki.adminCert.certPem });
  new TerraformOutput(stack, 'admin_key', { value: pki.adminKey.privateKeyPem, sensitive: true });
  app.synth();
  const stackDir = path.join(dir, 'stacks', 'pki');
  for (const args of [
    ['init', '-no-color'],
    ['apply', '-auto-approve', '-no-color'],
  ]) {
    const run = await runEngine(engine, args, stackDir, { ...process.env });
    expect(run.stderr).toBe('');
  }
  const out = await runEngine(engine, ['output', '-json'], stackDir, { ...process.env });
  const values = JSON.parse(out.stdout) as Record<string, { value: string }>;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.value]));
}

testWithEngine(
  'the real tls and random providers make CAs, an admin certificate, a service-account key pair and a token kubeadm takes',
  [ALL_PROVIDERS.tls, ALL_PROVIDERS.random],
  async (engine) => {
    const v = await applyPki(engine);
    const ca = new X509Certificate(v.kubernetes_ca_cert!);
    const cas = {
      kubernetes: ca,
      'front-proxy-ca': new X509Certificate(v.kubernetes_front_proxy_ca_cert!),
      'etcd-ca': new X509Certificate(v.kubernetes_etcd_ca_cert!),
    };
    const keys = {
      kubernetes: v.kubernetes_ca_key!,
      'front-proxy-ca': v.kubernetes_front_proxy_ca_key!,
      'etcd-ca': v.kubernetes_etcd_ca_key!,
    };
    for (const [cn, cert] of Object.entries(cas)) {
      expect(cert.ca, cn).toBe(true);
      expect(cert.subject).toBe(`CN=${cn}`);
      expect(cert.checkPrivateKey(createPrivateKey(keys[cn as keyof typeof keys])), cn).toBe(true);
      expect(cert.verify(cert.publicKey), cn).toBe(true);
    }
    // three different CAs
    expect(new Set(Object.values(cas).map((c) => c.fingerprint256)).size).toBe(3);

    const admin = new X509Certificate(v.admin_cert!);
    expect(admin.ca).toBe(false);
    expect(admin.subject.split('\n').sort()).toEqual(['CN=regionkit-platform', `O=${KUBEADM_ADMIN_GROUP}`]);
    expect(admin.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // client auth only
    expect(admin.checkIssued(ca)).toBe(true);
    expect(admin.verify(ca.publicKey)).toBe(true);
    expect(admin.checkPrivateKey(createPrivateKey(v.admin_key!))).toBe(true);

    const sa = createPrivateKey(v.kubernetes_sa_key!);
    expect(sa.asymmetricKeyType).toBe('rsa');
    expect(createPublicKey(sa).export({ type: 'spki', format: 'pem' })).toBe(
      createPublicKey(v.kubernetes_sa_pub!).export({ type: 'spki', format: 'pem' }),
    );

    // k8s.io/cluster-bootstrap v0.36.3 token/api/types.go BootstrapTokenPattern
    expect(`${v.kubernetes_bootstrap_token_id}.${v.kubernetes_bootstrap_token_secret}`).toMatch(
      /^([a-z0-9]{6})\.([a-z0-9]{16})$/,
    );

    // kubeadm itself, when built: it must use these CAs and keys rather than make its own
    const kubeadm = process.env.REGIONKIT_KUBEADM ?? newestKubeadm();
    if (!kubeadm || !which(kubeadm)) {
      process.stderr.write('\n!!! no kubeadm build: `kubeadm init phase certs` on the applied PKI is SKIPPED\n');
      return;
    }
    const dir = await tempDir('kubeadm-certs');
    for (const [file, name] of KUBEADM_SHARED_PKI_FILES) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), v[name]!, { mode: 0o600 });
    }
    const config = path.join(dir, 'kubeadm.yaml');
    await writeFile(
      config,
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.36.0\n' +
        `certificatesDir: ${dir}\ncontrolPlaneEndpoint: 10.0.0.5:6443\n`,
    );
    const { ok, output } = await runChecker(kubeadm, ['init', 'phase', 'certs', 'all', '--config', config]);
    expect(ok, output).toBe(true);
    for (const what of ['ca', 'front-proxy-ca', 'etcd/ca']) {
      expect(output).toMatch(new RegExp(`Using existing ${what.replace('/', '\\/')} certificate authority`));
    }
    expect(output).toMatch(/Using the existing "sa" key/);
    const apiserver = new X509Certificate(readFileSync(path.join(dir, 'apiserver.crt')));
    expect(apiserver.checkIssued(ca)).toBe(true);
  },
);

/** kubeadm as `.ci/engine.sh` builds it into the engine cache (lib/versions.ts KUBERNETES_BUILD). */
function newestKubeadm(): string {
  return kubernetesPaths(engineDir(), KUBERNETES_BUILD.version).kubeadm;
}
