/**
 * kube-network-policies, SIG Network's NetworkPolicy agent, for clusters whose CNI does not enforce NetworkPolicy
 * (lib/cloud/kubernetes-network.ts: ACK's Flannel). Every tenant namespace relies on its default-deny policy
 * (tenant-namespace.ts); without an enforcer the policies are accepted and silently ignored.
 *
 * The objects are those of the project's install manifest at the pinned release, as typed resources (so the
 * real API server of test/engine/platform-apply.test.ts validates them):
 * - a ServiceAccount in kube-system, a ClusterRole that lists and watches pods, namespaces and NetworkPolicies,
 *   and its binding;
 * - a DaemonSet on every Linux node, host network, tolerating every `NoSchedule` taint, one privileged container
 *   with `NET_ADMIN` running `/bin/netpol --hostname-override=$(MY_NODE_NAME) --v=2 --nfqueue-id=98` (flags:
 *   pkg/cmd/cmd.go; entry point: Dockerfile), with the host's `/var/run/nri` and `/var/run/netns` (the latter
 *   `HostToContainer`), requests 100m CPU and 50Mi memory.
 *
 * No PodDisruptionBudget: a DaemonSet, one pod per node, which a drain leaves in place.
 *
 * @see https://github.com/kubernetes-sigs/kube-network-policies/blob/v1.1.1/install.yaml
 * @see https://github.com/kubernetes-sigs/kube-network-policies/blob/v1.1.1/pkg/cmd/cmd.go
 */
import { Construct } from 'constructs';

import { type ClusterRoleBindingV1 } from '../../lib/gen/kubernetes/cluster-role-binding-v1/index.js';
import { type ClusterRoleV1 } from '../../lib/gen/kubernetes/cluster-role-v1/index.js';
import { DaemonSetV1 } from '../../lib/gen/kubernetes/daemon-set-v1/index.js';
import { type ServiceAccountV1 } from '../../lib/gen/kubernetes/service-account-v1/index.js';
import { PLATFORM_IMAGES } from '../../lib/versions.js';

import { clusterIdentity } from './cluster-identity.js';

/** Name of the agent's ServiceAccount, ClusterRole, binding and DaemonSet (the install manifest's). */
export const NETWORK_POLICY_AGENT = 'kube-network-policies';
const NAMESPACE = 'kube-system';

/** Props of {@link NetworkPolicyAgent}. */
export interface NetworkPolicyAgentProps {
  /** The agent's image. @default PLATFORM_IMAGES.kubeNetworkPolicies */
  readonly image?: string;
}

/** kube-network-policies on every Linux node: enforces the cluster's NetworkPolicy objects. */
export class NetworkPolicyAgent extends Construct {
  public readonly serviceAccount: ServiceAccountV1;
  public readonly clusterRole: ClusterRoleV1;
  public readonly clusterRoleBinding: ClusterRoleBindingV1;
  public readonly daemonSet: DaemonSetV1;

  constructor(scope: Construct, id: string, props: NetworkPolicyAgentProps = {}) {
    super(scope, id);
    const labels = { app: NETWORK_POLICY_AGENT, 'app.kubernetes.io/managed-by': 'regionkit' };
    const metadata = { name: NETWORK_POLICY_AGENT, labels };
    const identity = clusterIdentity(this, {
      name: NETWORK_POLICY_AGENT,
      namespace: NAMESPACE,
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] },
      ],
      labels,
    });
    this.serviceAccount = identity.account;
    this.clusterRole = identity.role;
    this.clusterRoleBinding = identity.binding;
    const podLabels = { app: NETWORK_POLICY_AGENT };
    this.daemonSet = new DaemonSetV1(this, 'DaemonSet', {
      metadata: { ...metadata, namespace: NAMESPACE },
      spec: {
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels } },
          spec: {
            hostNetwork: true,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            toleration: [{ operator: 'Exists', effect: 'NoSchedule' }],
            serviceAccountName: this.serviceAccount.metadata.name,
            container: [
              {
                name: NETWORK_POLICY_AGENT,
                image: props.image ?? PLATFORM_IMAGES.kubeNetworkPolicies,
                args: ['/bin/netpol', '--hostname-override=$(MY_NODE_NAME)', '--v=2', '--nfqueue-id=98'],
                env: [{ name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                volumeMount: [
                  { name: 'nri-plugin', mountPath: '/var/run/nri' },
                  { name: 'netns', mountPath: '/var/run/netns', mountPropagation: 'HostToContainer' },
                ],
                resources: { requests: { cpu: '100m', memory: '50Mi' } },
                securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } },
              },
            ],
            volume: [
              { name: 'nri-plugin', hostPath: { path: '/var/run/nri' } },
              { name: 'netns', hostPath: { path: '/var/run/netns' } },
            ],
          },
        },
      },
    });
  }
}
