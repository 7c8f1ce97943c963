/**
 * The region's etcd PKI, made at apply time by the `hashicorp/tls` provider: one CA, one certificate per etcd
 * member (serving clients and peers), and one client certificate per host group that talks to etcd (Calico).
 *
 * Private keys and certificates reach the hosts as secrets of their group through the secret store
 * (lib/cloudinit/secret-delivery.ts): never in user data. Every key also lives in Terraform state, as every
 * `tls_private_key` does (docs/security.md).
 *
 * Keys are ECDSA P-256: etcd and Calico are Go programs, whose TLS stack takes EC keys in the SEC1 `EC PRIVATE
 * KEY` form the provider writes to `private_key_pem`.
 *
 * @see https://github.com/hashicorp/terraform-provider-tls/blob/v4.1.0/internal/provider/common_cert.go (allowed_uses)
 * @see https://github.com/etcd-io/etcd/blob/v3.4.23/Documentation/op-guide/security.md (peer IP SAN check, clientAuth)
 */
import { TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';

import { CertRequest } from '../../lib/gen/tls/cert-request/index.js';
import { LocallySignedCert } from '../../lib/gen/tls/locally-signed-cert/index.js';
import { PrivateKey } from '../../lib/gen/tls/private-key/index.js';
import { TlsProvider } from '../../lib/gen/tls/provider/index.js';
import { SelfSignedCert } from '../../lib/gen/tls/self-signed-cert/index.js';

import type { InventoryHost, RoleSecret } from './host-role.js';

/** The CA signs for ten years; members and clients are valid for five (hosts are replaced long before). */
export const ETCD_CA_VALIDITY_HOURS = 10 * 365 * 24;
export const ETCD_CERT_VALIDITY_HOURS = 5 * 365 * 24;
/** The secret holding the CA certificate (not secret itself, but delivered on the same path as the keys). */
export const ETCD_CA_CERT_SECRET = 'etcd_ca_cert';

/** Secret names of one member's key and certificate. */
export function etcdMemberSecrets(host: InventoryHost): { key: string; cert: string } {
  const base = `etcd_${snake(host.group)}_${host.index + 1}`;
  return { key: `${base}_key`, cert: `${base}_cert` };
}

/** Secret names of a client group's key and certificate. */
export function etcdClientSecrets(groupName: string): { key: string; cert: string } {
  const base = `etcd_client_${snake(groupName)}`;
  return { key: `${base}_key`, cert: `${base}_cert` };
}

/** One CA per stack (region): the CA, member and client certificates, created on first use. */
export class EtcdPki extends Construct {
  /** The stack's PKI, created with the `tls` provider block on first use. */
  public static of(scope: IConstruct): EtcdPki {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild('EtcdPki');
    if (existing) return existing as EtcdPki;
    return new EtcdPki(stack, 'EtcdPki');
  }

  public readonly caKey: PrivateKey;
  public readonly caCert: SelfSignedCert;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    if (!stack.node.tryFindChild('tls')) new TlsProvider(stack, 'tls');
    this.caKey = ecKey(this, 'CaKey');
    this.caCert = new SelfSignedCert(this, 'CaCert', {
      privateKeyPem: this.caKey.privateKeyPem,
      isCaCertificate: true,
      subject: [{ commonName: 'regionkit etcd CA', organization: 'regionkit' }],
      validityPeriodHours: ETCD_CA_VALIDITY_HOURS,
      allowedUses: ['cert_signing', 'crl_signing', 'digital_signature'],
    });
  }

  /** The CA certificate as a secret of the group that asks (members and clients both need it). */
  public caSecret(): RoleSecret {
    return { name: ETCD_CA_CERT_SECRET, description: 'etcd CA certificate', value: this.caCert.certPem };
  }

  /**
   * Key and certificate of one member, for both its client and its peer listener: subject alternative names
   * are its private address and name (what peers and remote clients connect to and etcd checks a peer's
   * remote address against), plus 127.0.0.1 and `localhost` for `etcdctl` on the host. Usages: server and
   * client auth (a member is a client of its peers).
   */
  public memberSecrets(host: InventoryHost): RoleSecret[] {
    const names = etcdMemberSecrets(host);
    const { key, cert } = this.signed('Members', host.name, host.name, {
      dnsNames: [host.name, 'localhost'],
      ipAddresses: [host.privateIp, '127.0.0.1'],
      allowedUses: ['digital_signature', 'key_encipherment', 'server_auth', 'client_auth'],
    });
    return [
      { name: names.key, description: `etcd member ${host.name}: private key`, value: key },
      { name: names.cert, description: `etcd member ${host.name}: certificate`, value: cert },
    ];
  }

  /** Key and client certificate (client auth only, common name `<group>`) of a group that talks to etcd. */
  public clientSecrets(groupName: string): RoleSecret[] {
    const names = etcdClientSecrets(groupName);
    const { key, cert } = this.signed('Clients', groupName, `${groupName} (etcd client)`, {
      allowedUses: ['digital_signature', 'key_encipherment', 'client_auth'],
    });
    return [
      { name: names.key, description: `etcd client ${groupName}: private key`, value: key },
      { name: names.cert, description: `etcd client ${groupName}: certificate`, value: cert },
    ];
  }

  /** Key, request and certificate under `<namespace>/<id>`, made once. */
  private signed(
    namespace: string,
    id: string,
    commonName: string,
    props: { dnsNames?: string[]; ipAddresses?: string[]; allowedUses: string[] },
  ): { key: string; cert: string } {
    const ns = (this.node.tryFindChild(namespace) as Construct | undefined) ?? new Construct(this, namespace);
    const found = ns.node.tryFindChild(id) as Construct | undefined;
    const scope = found ?? new Construct(ns, id);
    if (!found) {
      const key = ecKey(scope, 'Key');
      const request = new CertRequest(scope, 'Request', {
        privateKeyPem: key.privateKeyPem,
        subject: [{ commonName, organization: 'regionkit' }],
        ...(props.dnsNames ? { dnsNames: props.dnsNames } : {}),
        ...(props.ipAddresses ? { ipAddresses: props.ipAddresses } : {}),
      });
      new LocallySignedCert(scope, 'Cert', {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: this.caKey.privateKeyPem,
        caCertPem: this.caCert.certPem,
        validityPeriodHours: ETCD_CERT_VALIDITY_HOURS,
        allowedUses: props.allowedUses,
      });
    }
    return {
      key: (scope.node.findChild('Key') as PrivateKey).privateKeyPem,
      cert: (scope.node.findChild('Cert') as LocallySignedCert).certPem,
    };
  }
}

function ecKey(scope: Construct, id: string): PrivateKey {
  return new PrivateKey(scope, id, { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
}

function snake(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}
