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
