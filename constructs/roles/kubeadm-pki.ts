/**
 * A kubeadm cluster's shared secrets, made at apply time: the cluster CA, the front-proxy CA, the etcd CA and the
 * service-account key pair by the `hashicorp/tls` provider, an admin client certificate for the platform stack,
 * and the bootstrap token by `hashicorp/random`.
 *
 * kubeadm uses a CA, the front-proxy CA, the etcd CA and the service-account key it finds in its certificate
 * directory instead of making its own (kubeadm `init phase certs`: "Using existing ... certificate authority"),
 * and a control-plane host that joins without a certificate key must have exactly these files (kubeadm's
 * "shared certificates" check). So every control-plane host gets them through secret delivery, and the CA the
 * platform stack trusts and the admin certificate it presents are known to Terraform at apply time, without
 * reading anything back from a host.
 *
 * No kubeadm certificate key is made: kubeadm deletes the uploaded certificates (the `kubeadm-certs` Secret) with
 * the token that owns it after two hours (`DefaultCertTokenDuration`, k8s.io/kubernetes v1.36.3,
 * cmd/kubeadm/app/constants/constants.go), so a control-plane host created later (a roll, a replaced host) could
 * not join with one; the delivered files serve every join, whenever it happens.
 *
 * Keys are RSA 2048, kubeadm's default `encryptionAlgorithm` (RSA-2048, v1beta4 defaults.go) for what it makes
 * itself. Every key also lives in Terraform state, as every `tls_private_key` does (docs/security.md).
 *
 * @see https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/#custom-certificates
 * @see https://kubernetes.io/docs/setup/best-practices/certificates/
 * @see https://github.com/hashicorp/terraform-provider-tls/blob/v4.1.0/internal/provider/common_cert.go (allowed_uses)
 */
import { TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';

import { Password } from '../../lib/gen/random/password/index.js';
import { RandomProvider } from '../../lib/gen/random/provider/index.js';
import { CertRequest } from '../../lib/gen/tls/cert-request/index.js';
import { LocallySignedCert } from '../../lib/gen/tls/locally-signed-cert/index.js';
import { PrivateKey } from '../../lib/gen/tls/private-key/index.js';
import { TlsProvider } from '../../lib/gen/tls/provider/index.js';
import { SelfSignedCert } from '../../lib/gen/tls/self-signed-cert/index.js';

import type { RoleSecret } from './host-role.js';

/** CAs sign for ten years (kubeadm's own CA validity), the admin certificate is valid for one. */
export const KUBEADM_CA_VALIDITY_HOURS = 10 * 365 * 24;
export const KUBEADM_ADMIN_VALIDITY_HOURS = 365 * 24;
/**
 * The group of the admin certificate: kubeadm (1.29+) binds it to `cluster-admin` at `kubeadm init`
 * (`ClusterAdminsGroupAndClusterRoleBinding`, constants.go at v1.36.3). Unlike `system:masters` the binding can be
 * removed, so the certificate can be revoked without replacing the CA.
 */
export const KUBEADM_ADMIN_GROUP = 'kubeadm:cluster-admins';
export const KUBEADM_ADMIN_NAME = 'regionkit-platform';

/** Secret names (lower_snake_case), one set per stack (a region has one Kubernetes cluster). */
export const KUBEADM_SECRETS = {
  caCert: 'kubernetes_ca_cert',
  caKey: 'kubernetes_ca_key',
  frontProxyCaCert: 'kubernetes_front_proxy_ca_cert',
  frontProxyCaKey: 'kubernetes_front_proxy_ca_key',
  etcdCaCert: 'kubernetes_etcd_ca_cert',
  etcdCaKey: 'kubernetes_etcd_ca_key',
  serviceAccountKey: 'kubernetes_sa_key',
  serviceAccountPub: 'kubernetes_sa_pub',
  bootstrapTokenId: 'kubernetes_bootstrap_token_id',
  bootstrapTokenSecret: 'kubernetes_bootstrap_token_secret',
} as const;

/** The CA of the stack's kubeadm cluster and everything it shares; created on first use. */
export class KubeadmPki extends Construct {
  /** The stack's kubeadm PKI, created with the `tls` and `random` provider blocks on first use. */
  public static of(scope: IConstruct): KubeadmPki {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild('KubeadmPki');
    if (existing) return existing as KubeadmPki;
    return new KubeadmPki(stack, 'KubeadmPki');
  }

  public readonly caKey: PrivateKey;
  public readonly caCert: SelfSignedCert;
  public readonly frontProxyCaKey: PrivateKey;
  public readonly frontProxyCaCert: SelfSignedCert;
  public readonly etcdCaKey: PrivateKey;
  public readonly etcdCaCert: SelfSignedCert;
  /** The service-account token signing key (`sa.key`, `sa.pub`). */
  public readonly serviceAccountKey: PrivateKey;
  /** The platform stack's client key and certificate (group `kubeadm:cluster-admins`). */
  public readonly adminKey: PrivateKey;
  public readonly adminCert: LocallySignedCert;
  /** The bootstrap token's two parts (`[a-z0-9]{6}` and `[a-z0-9]{16}`). */
  public readonly bootstrapTokenId: Password;
  public readonly bootstrapTokenSecret: Password;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    if (!stack.node.tryFindChild('tls')) new TlsProvider(stack, 'tls');
    if (!stack.node.tryFindChild('random')) new RandomProvider(stack, 'random');

    // the common names kubeadm gives the CAs it makes itself (pkiutil, certs phase at v1.36.3)
    [this.caKey, this.caCert] = this.ca('Ca', 'kubernetes');
    [this.frontProxyCaKey, this.frontProxyCaCert] = this.ca('FrontProxyCa', 'front-proxy-ca');
    [this.etcdCaKey, this.etcdCaCert] = this.ca('EtcdCa', 'etcd-ca');
    this.serviceAccountKey = rsaKey(this, 'ServiceAccountKey');

    const admin = new Construct(this, 'Admin');
    this.adminKey = rsaKey(admin, 'Key');
    const request = new CertRequest(admin, 'Request', {
      privateKeyPem: this.adminKey.privateKeyPem,
      subject: [{ commonName: KUBEADM_ADMIN_NAME, organization: KUBEADM_ADMIN_GROUP }],
    });
    this.adminCert = new LocallySignedCert(admin, 'Cert', {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: this.caKey.privateKeyPem,
      caCertPem: this.caCert.certPem,
      validityPeriodHours: KUBEADM_ADMIN_VALIDITY_HOURS,
      allowedUses: ['digital_signature', 'key_encipherment', 'client_auth'],
    });

    // bootstrap tokens are [a-z0-9]{6}.[a-z0-9]{16} (k8s.io/cluster-bootstrap v0.36.3, token/api/types.go)
    const token = (id: string, length: number) =>
      new Password(this, id, { length, lower: true, numeric: true, upper: false, special: false });
    this.bootstrapTokenId = token('BootstrapTokenId', 6);
    this.bootstrapTokenSecret = token('BootstrapTokenSecret', 16);
  }

  /** What every control-plane host needs: the CAs with their keys, the service-account key pair, the token. */
  public controlPlaneSecrets(): RoleSecret[] {
    return [
      ...this.caSecrets(),
      secret(KUBEADM_SECRETS.caKey, 'Kubernetes cluster CA: private key', this.caKey.privateKeyPem),
      secret(KUBEADM_SECRETS.frontProxyCaCert, 'Kubernetes front-proxy CA certificate', this.frontProxyCaCert.certPem),
      secret(
        KUBEADM_SECRETS.frontProxyCaKey,
        'Kubernetes front-proxy CA: private key',
        this.frontProxyCaKey.privateKeyPem,
      ),
      secret(KUBEADM_SECRETS.etcdCaCert, 'Kubernetes etcd CA certificate', this.etcdCaCert.certPem),
      secret(KUBEADM_SECRETS.etcdCaKey, 'Kubernetes etcd CA: private key', this.etcdCaKey.privateKeyPem),
      secret(
        KUBEADM_SECRETS.serviceAccountKey,
        'Kubernetes service-account signing key',
        this.serviceAccountKey.privateKeyPem,
      ),
      secret(
        KUBEADM_SECRETS.serviceAccountPub,
        'Kubernetes service-account public key',
        this.serviceAccountKey.publicKeyPem,
      ),
    ];
  }

  /** What a worker needs to join: the cluster CA certificate (to trust the API server) and the bootstrap token. */
  public caSecrets(): RoleSecret[] {
    return [
      secret(KUBEADM_SECRETS.caCert, 'Kubernetes cluster CA certificate', this.caCert.certPem),
      secret(KUBEADM_SECRETS.bootstrapTokenId, 'Kubernetes bootstrap token: id', this.bootstrapTokenId.result),
      secret(
        KUBEADM_SECRETS.bootstrapTokenSecret,
        'Kubernetes bootstrap token: secret',
        this.bootstrapTokenSecret.result,
      ),
    ];
  }

  private ca(id: string, commonName: string): [PrivateKey, SelfSignedCert] {
    const scope = new Construct(this, id);
    const key = rsaKey(scope, 'Key');
    const cert = new SelfSignedCert(scope, 'Cert', {
      privateKeyPem: key.privateKeyPem,
      isCaCertificate: true,
      subject: [{ commonName }],
      validityPeriodHours: KUBEADM_CA_VALIDITY_HOURS,
      // kubeadm's own CAs: KeyUsageKeyEncipherment | KeyUsageDigitalSignature | KeyUsageCertSign (pkiutil)
      allowedUses: ['cert_signing', 'key_encipherment', 'digital_signature'],
    });
    return [key, cert];
  }
}

function rsaKey(scope: Construct, id: string): PrivateKey {
  return new PrivateKey(scope, id, { algorithm: 'RSA', rsaBits: 2048 });
}

function secret(name: string, description: string, value: string): RoleSecret {
  return { name, description, value };
}
