/**
 * The pod network of a kubeadm cluster: Flannel with its VXLAN backend, installed by Helm (chart pinned in
 * lib/versions.ts `HELM_CHARTS.flannel`). Managed clusters (ACK, Magnum) bring their cloud's own CNI and never get
 * this.
 *
 * - `podCidr` is the cluster's planned pod range (lib/net `planClusterRanges`, the same kubeadm's
 *   `networking.podSubnet` gets), so Flannel's `Network` and the node ranges kube-controller-manager allocates
 *   from it agree (`--kube-subnet-mgr`, the chart's default argument, reads each node's `spec.podCIDR`);
 * - VXLAN on the kernel's default port: the chart writes no `Port` unless `flannel.backendPort` is set
 *   (templates/config.yaml), and Flannel then leaves the port to Linux, "currently 8472"
 *   (Documentation/backends.md); the hosts already admit UDP 8472 from each other (constructs/roles/kubeadm.ts
 *   `FLANNEL_VXLAN_PORT`);
 * - NetworkPolicy: Flannel alone does not enforce it, and every tenant namespace relies on a default-deny policy;
 *   the chart's `netpol.enabled` adds kube-network-policies (sig-network's NetworkPolicy agent) to the same
 *   DaemonSet (templates/daemonset.yaml), which enforces them;
 * - the namespace must allow privileged pods (host network, NET_ADMIN, hostPath: Documentation/kubernetes.md),
 *   as the project's README says to label it.
 *
 * No PodDisruptionBudget: Flannel is a DaemonSet, one pod per node, which a drain leaves in place
 * (`kubectl drain --ignore-daemonsets`) and no eviction of other pods can move; its requests are set.
 *
 * @see https://github.com/flannel-io/flannel/tree/v0.28.9/chart/kube-flannel
 * @see https://github.com/flannel-io/flannel/blob/v0.28.9/Documentation/backends.md
 * @see https://github.com/flannel-io/flannel/blob/v0.28.9/README.md (Deploying Flannel with Helm)
 */
import { Construct } from 'constructs';

import { type Release } from '../../lib/gen/helm/release/index.js';
import { NamespaceV1 } from '../../lib/gen/kubernetes/namespace-v1/index.js';
import { HELM_CHARTS } from '../../lib/versions.js';

import { pinnedRelease } from './pinned-release.js';
import { podSecurityLabels } from './tenant-namespace.js';

/** Namespace Flannel runs in (the one its README and manifest use). */
export const FLANNEL_NAMESPACE = 'kube-flannel';

/**
 * Values for Flannel's chart; every key exists in the pinned chart's values (test/platform/chart-values.test.ts).
 * The requests are the chart's defaults, stated so they are ours.
 */
export function flannelValues(podCidr: string): Record<string, unknown> {
  return {
    podCidr,
    flannel: {
      backend: 'vxlan',
      resources: { requests: { cpu: '100m', memory: '50Mi' } },
    },
    netpol: { enabled: true },
  };
}

/** Props of {@link PodNetwork}. */
export interface PodNetworkProps {
  /** The cluster's pod range (kubeadm `networking.podSubnet`). */
  readonly podCidr: string;
  /** Kubernetes minor (`1.36`) the namespace's Pod Security Admission labels pin. */
  readonly kubernetesVersion: string;
}

/** Flannel (VXLAN) with NetworkPolicy enforcement, in its own privileged namespace. */
export class PodNetwork extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: PodNetworkProps) {
    super(scope, id);
    const chart = HELM_CHARTS.flannel;
    this.namespace = new NamespaceV1(this, 'Namespace', {
      metadata: {
        name: FLANNEL_NAMESPACE,
        labels: {
          'app.kubernetes.io/managed-by': 'regionkit',
          ...podSecurityLabels('privileged', props.kubernetesVersion),
        },
      },
    });
    this.release = pinnedRelease(this, 'Flannel', chart, {
      name: 'flannel',
      namespace: this.namespace.metadata.name,
      values: flannelValues(props.podCidr),
      wait: true,
    });
  }
}
