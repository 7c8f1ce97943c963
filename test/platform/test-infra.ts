/**
 * A test-only stand-in for a Kubernetes region's infra stack: real resources of the generated tls provider (a CA
 * and a client certificate it signs) and an endpoint variable, so every field of the KubernetesAccess it returns
 * is a token of this stack, as RegionStack's will be; and, for a kubeadm cluster, a cloud integration whose
 * files (`cloud.conf`; Alibaba Cloud: `cloud-config.conf`, `id`, `secret`) are sensitive variables of this stack (the real one is a local of the OpenStack adapter's
 * application credential: test/lib/cloud/cluster-cloud-integration.test.ts). Not a cluster: nothing here is
 * applied.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';

import type { KubernetesAccess } from '../../constructs/cluster/kubernetes-access.js';
import type { ClusterCloudIntegrationRefs } from '../../lib/cloud/types.js';
import { CertRequest } from '../../lib/gen/tls/cert-request/index.js';
import { LocallySignedCert } from '../../lib/gen/tls/locally-signed-cert/index.js';
import { PrivateKey } from '../../lib/gen/tls/private-key/index.js';
import { TlsProvider } from '../../lib/gen/tls/provider/index.js';
import { SelfSignedCert } from '../../lib/gen/tls/self-signed-cert/index.js';
import type { RegionSpec } from '../../lib/spec/region-spec.js';
import { configureBackend } from '../../stacks/backend.js';
import type { PlatformStackProps } from '../../stacks/platform-stack.js';

export interface TestInfra {
  readonly stack: TerraformStack;
  readonly access: KubernetesAccess;
  /** What a kubeadm cluster's adapter hands the platform stack (OpenStack's shape). */
  readonly cloudIntegration: ClusterCloudIntegrationRefs;
  /** The same in Alibaba Cloud's shape: the CCM's cloud config and the AccessKey, each a sensitive variable. */
  readonly alicloudIntegration: ClusterCloudIntegrationRefs;
}

/** PlatformStack props for `spec` on `infra`: access, and the cloud integration where a kubeadm cluster needs one. */
export function platformProps(spec: RegionSpec, infra: TestInfra): PlatformStackProps {
  const kubeadm = spec.cluster?.kind === 'kubernetes' && spec.cluster.mode === 'kubeadm';
  return {
    spec,
    access: infra.access,
    ...(kubeadm
      ? { cloudIntegration: spec.cloud === 'openstack' ? infra.cloudIntegration : infra.alicloudIntegration }
      : {}),
  };
}

/** `<region>-infra` with a CA, an admin client certificate and an API endpoint variable. */
export function testInfraStack(scope: Construct, id: string): TestInfra {
  const stack = new TerraformStack(scope, id);
  configureBackend(stack, { type: 'local' }, { localStatePath: `../${id}/terraform.${id}.tfstate` });
  new TlsProvider(stack, 'tls');
  const caKey = new PrivateKey(stack, 'CaKey', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
  const ca = new SelfSignedCert(stack, 'Ca', {
    privateKeyPem: caKey.privateKeyPem,
    isCaCertificate: true,
    subject: [{ commonName: 'kubernetes' }],
    validityPeriodHours: 87600,
    allowedUses: ['cert_signing', 'digital_signature'],
  });
  const clientKey = new PrivateKey(stack, 'AdminKey', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
  const request = new CertRequest(stack, 'AdminRequest', {
    privateKeyPem: clientKey.privateKeyPem,
    subject: [{ commonName: 'regionkit-platform', organization: 'system:masters' }],
  });
  const clientCert = new LocallySignedCert(stack, 'Admin', {
    certRequestPem: request.certRequestPem,
    caPrivateKeyPem: caKey.privateKeyPem,
    caCertPem: ca.certPem,
    validityPeriodHours: 8760,
    allowedUses: ['digital_signature', 'client_auth'],
  });
  const endpoint = new TerraformVariable(stack, 'api_endpoint', { type: 'string' });
  const cloudConf = new TerraformVariable(stack, 'cloud_conf', { type: 'string', sensitive: true });
  const sensitive = (name: string) =>
    new TerraformVariable(stack, name, { type: 'string', sensitive: true }).stringValue;
  return {
    stack,
    cloudIntegration: { kind: 'openstack', secretFiles: { 'cloud.conf': cloudConf.stringValue }, configDrive: true },
    alicloudIntegration: {
      kind: 'alicloud',
      secretFiles: {
        'cloud-config.conf': sensitive('alicloud_cloud_config'),
        id: sensitive('alicloud_access_key_id'),
        secret: sensitive('alicloud_access_key_secret'),
      },
      configDrive: false,
    },
    access: {
      endpoint: endpoint.stringValue,
      clusterCaCertificate: ca.certPem,
      clientCertificate: clientCert.certPem,
      clientKey: clientKey.privateKeyPem,
    },
  };
}
