/**
 * The identity a cluster-wide agent runs as: a ServiceAccount, a ClusterRole of its rules and the binding between
 * them, created in the caller's scope as `ServiceAccount`, `ClusterRole` and `ClusterRoleBinding`. Shared by the
 * platform stack's agents that are typed resources rather than charts (the NetworkPolicy agent, Alibaba Cloud's
 * CCM).
 */
import type { Construct } from 'constructs';

import { ClusterRoleBindingV1 } from '../../lib/gen/kubernetes/cluster-role-binding-v1/index.js';
import { ClusterRoleV1 } from '../../lib/gen/kubernetes/cluster-role-v1/index.js';
import { ServiceAccountV1 } from '../../lib/gen/kubernetes/service-account-v1/index.js';

/** One ClusterRole rule. */
export interface ClusterRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** What {@link clusterIdentity} makes. */
export interface ClusterIdentityProps {
  /** The ServiceAccount's name. */
  readonly name: string;
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** The ClusterRole's and its binding's name. @default - `name` */
  readonly roleName?: string;
  readonly rules: readonly ClusterRule[];
  readonly labels: Readonly<Record<string, string>>;
}

/** A ServiceAccount bound to a ClusterRole of `rules`. */
export function clusterIdentity(
  scope: Construct,
  props: ClusterIdentityProps,
): { account: ServiceAccountV1; role: ClusterRoleV1; binding: ClusterRoleBindingV1 } {
  const { name, namespace } = props;
  const labels = { ...props.labels };
  const roleName = props.roleName ?? name;
  const account = new ServiceAccountV1(scope, 'ServiceAccount', { metadata: { name, namespace, labels } });
  const role = new ClusterRoleV1(scope, 'ClusterRole', {
    metadata: { name: roleName, labels },
    rule: props.rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
  });
  const binding = new ClusterRoleBindingV1(scope, 'ClusterRoleBinding', {
    metadata: { name: roleName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
    subject: [{ kind: 'ServiceAccount', name: account.metadata.name, namespace }],
  });
  return { account, role, binding };
}
