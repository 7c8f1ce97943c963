/**
 * A tenant's namespace and its baseline: Pod Security Admission `restricted`, a ResourceQuota from the spec, a
 * LimitRange with defaults, default-deny NetworkPolicies with DNS egress and ingress from the Gateway's namespace,
 * and the tenant's group bound to the built-in `admin` ClusterRole in it.
 *
 * Tenants cannot reach each other: every pod of a tenant namespace is selected by `default-deny` (ingress and
 * egress), and the only allowances are `allow-same-namespace` (ingress from and egress to pods of the same
 * namespace: a podSelector without a namespaceSelector means "this namespace"), `allow-dns` (egress to kube-dns
 * in kube-system on 53/UDP and 53/TCP) and `allow-from-gateway` (ingress from the Gateway proxies' namespace).
 * NetworkPolicies are additive allow-lists, so traffic from tenant A to tenant B would need both an egress rule
 * in A and an ingress rule in B; a tenant's admins may add egress rules to their own namespace, but never an
 * ingress rule to another's. (Enforced by the cluster's network plugin; one without NetworkPolicy support,
 * Flannel alone for one, ignores them silently.)
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/ (v1.36)
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/ (labels, v1.36)
 */
import { Construct } from 'constructs';

import { LimitRangeV1 } from '../../lib/gen/kubernetes/limit-range-v1/index.js';
import { NamespaceV1 } from '../../lib/gen/kubernetes/namespace-v1/index.js';
import { NetworkPolicyV1 } from '../../lib/gen/kubernetes/network-policy-v1/index.js';
import { ResourceQuotaV1 } from '../../lib/gen/kubernetes/resource-quota-v1/index.js';
import { RoleBindingV1 } from '../../lib/gen/kubernetes/role-binding-v1/index.js';
import type { TenantSpec } from '../../lib/spec/region-spec.js';

/**
 * The label every namespace carries with its own name (set by the API server since Kubernetes 1.22), so a
 * namespaceSelector can name one namespace.
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Pod Security Admission labels for one level on all three modes, pinned to the cluster's minor (`v1.36`) so a
 * cluster upgrade does not tighten or loosen the policy underneath running workloads.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
 */
export function podSecurityLabels(
  level: 'restricted' | 'baseline' | 'privileged',
  version: string,
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'audit', 'warn']) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = `v${version}`;
  }
  return labels;
}

/**
 * Requests and limits a container gets when it sets none (LimitRange `defaultRequest` and `default`). Needed:
 * with a `requests.cpu`/`requests.memory` quota the API server refuses pods without requests.
 */
export const TENANT_CONTAINER_DEFAULTS = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  // Memory only: a CPU limit throttles even on an idle node, a memory limit protects the node.
  default: { memory: '512Mi' },
} as const;

/** Props of {@link TenantNamespace}. */
export interface TenantNamespaceProps {
  /** The tenant from the region spec: name (also the namespace's), group, quota. */
  readonly tenant: TenantSpec;
  /** Namespace of the Gateway's proxies, the only other namespace allowed to connect in. */
  readonly gatewayNamespace: string;
  /** Kubernetes minor (`1.36`) the Pod Security Admission labels pin. */
  readonly kubernetesVersion: string;
}

/** One tenant's namespace and its baseline objects. */
export class TenantNamespace extends Construct {
  /** The namespace (named after the tenant). */
  public readonly namespace: NamespaceV1;
  /** The namespace's name, as a reference to the namespace resource (so objects in it are created after it). */
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    const { tenant } = props;
    const labels = { 'app.kubernetes.io/managed-by': 'regionkit', 'regionkit.io/tenant': tenant.name };
    this.namespace = new NamespaceV1(this, 'Resource', {
      metadata: {
        name: tenant.name,
        labels: { ...labels, ...podSecurityLabels('restricted', props.kubernetesVersion) },
      },
    });
    const namespace = (this.namespaceName = this.namespace.metadata.name);

    new ResourceQuotaV1(this, 'Quota', {
      metadata: { name: 'tenant-quota', namespace, labels },
      spec: {
        hard: {
          'requests.cpu': tenant.quota.cpu,
          'requests.memory': tenant.quota.memory,
          pods: `${tenant.quota.pods}`,
        },
      },
    });
    new LimitRangeV1(this, 'Limits', {
      metadata: { name: 'tenant-defaults', namespace, labels },
      spec: {
        limit: [
          {
            type: 'Container',
            defaultRequest: { ...TENANT_CONTAINER_DEFAULTS.defaultRequest },
            default: { ...TENANT_CONTAINER_DEFAULTS.default },
          },
        ],
      },
    });

    const policies = new Construct(this, 'NetworkPolicies');
    new NetworkPolicyV1(policies, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new NetworkPolicyV1(policies, 'SameNamespace', {
      metadata: { name: 'allow-same-namespace', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      },
    });
    new NetworkPolicyV1(policies, 'Dns', {
      metadata: { name: 'allow-dns', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } },
                // the label CoreDNS keeps from kube-dns in kubeadm, ACK and Magnum clusters alike
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
          },
        ],
      },
    });
    new NetworkPolicyV1(policies, 'FromGateway', {
      metadata: { name: 'allow-from-gateway', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: props.gatewayNamespace } } }] },
        ],
      },
    });

    new RoleBindingV1(this, 'Admins', {
      metadata: { name: 'tenant-admins', namespace, labels },
      // `admin`: the built-in user-facing role for namespace administrators (read/write most objects, RBAC
      // within the namespace; no ResourceQuota or namespace writes).
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subject: [{ kind: 'Group', name: tenant.group, apiGroup: 'rbac.authorization.k8s.io' }],
    });
  }
}
