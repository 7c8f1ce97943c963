import { Fn } from 'cdktf';

/**
 * What a `<region>-platform` stack needs to reach its cluster. Every field but `tlsServerName` (a fixed name) is a
 * token of the `<region>-infra` stack: the platform stack's kubernetes and helm providers are configured from
 * them, and cdktf turns each into an infra output read through cross-stack remote state, so nobody copies a
 * kubeconfig and no endpoint or credential is a literal in the platform stack.
 */
export interface KubernetesAccess {
  /** The API server's URL (`https://<address>:<port>`). */
  readonly endpoint: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  readonly clusterCaCertificate: string;
  /** PEM of a client certificate with cluster-admin rights (the platform stack's identity). */
  readonly clientCertificate: string;
  /** PEM of that certificate's private key; sensitive. */
  readonly clientKey: string;
  /**
   * The name to verify the API server's certificate against instead of the endpoint's host (the providers'
   * `tls_server_name`), when the endpoint's address is not among the certificate's names: a kubeadm cluster's
   * public address is not, while `kubernetes` always is. Not a secret; may be a literal.
   * @default - the endpoint's host
   */
  readonly tlsServerName?: string;
}

/**
 * A kubeconfig (YAML) with one cluster, one admin user and one context, all named `name`, from `access`: the
 * certificates embedded Base64-encoded as `*-data`, as kubectl writes them, and `tls-server-name` when the
 * endpoint's address is not in the serving certificate. A token of the stack `access` comes
 * from; sensitive.
 * @see https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/
 */
export function adminKubeconfig(name: string, access: KubernetesAccess): string {
  const user = `${name}-admin`;
  return Fn.yamlencode({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: access.endpoint,
          'certificate-authority-data': Fn.base64encode(access.clusterCaCertificate),
          ...(access.tlsServerName === undefined ? {} : { 'tls-server-name': access.tlsServerName }),
        },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': Fn.base64encode(access.clientCertificate),
          'client-key-data': Fn.base64encode(access.clientKey),
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
  });
}
