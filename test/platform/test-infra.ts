/**
 * A test-only stand-in for a Kubernetes region's infra stack: real resources of the generated tls provider (a CA
 * and a client certificate it signs) and an endpoint variable, so every field of the KubernetesAccess it returns
 * is a token of this stack, as RegionStack's will be. Not a cluster: nothing here is applied.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';

import type { KubernetesAccess } from '../../constructs/cluster/kubernetes-access.js';
import { CertRequest } from '../../lib/gen/tls/cert-request/index.js';
import { LocallySignedCert } from '../../lib/gen/tls/locally-signed-cert/index.js';
import { PrivateKey } from '../../lib/gen/tls/private-key/index.js';
import { TlsProvider } from '../../lib/gen/tls/provider/index.js';
import { SelfSignedCert } from '../../lib/gen/tls/self-signed-cert/index.js';
import { configureBackend } from '../../stacks/backend.js';

export interface TestInfra {
  readonly stack: TerraformStack;
  readonly access: KubernetesAccess;
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
  return {
    stack,
    access: {
      endpoint: endpoint.stringValue,
      clusterCaCertificate: ca.certPem,
      clientCertificate: clientCert.certPem,
      clientKey: clientKey.privateKeyPem,
    },
  };
}
