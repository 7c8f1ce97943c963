/**
 * A Kubernetes cluster that kubeadm builds on the region's own host groups:
 * - the control-plane group (odd count of 3-7, spread so that losing one zone keeps etcd quorum): API server,
 *   stacked etcd, controller manager and scheduler, behind an internal load balancer on 6443;
 * - worker groups;
 * - every host: containerd (Debian), kubelet/kubeadm/kubectl from pkgs.k8s.io at one minor, and the kubeadm role that
 *   creates or joins the cluster at first boot.
 *
 * The cluster's CAs, service-account key, bootstrap token and the platform stack's admin certificate are made at
 * apply time (constructs/roles/kubeadm-pki.ts); {@link KubeadmCluster.access} hands the platform stack the
 * endpoint, the CA and that certificate. With `apiSources` the load balancer also gets a public address that admits
 * only those CIDRs and the region network (docs/load-balancer.md), and the endpoint is that address, verified as
 * `kubernetes`: nodes keep joining through the private address, and no host's user data changes. The pod network is Flannel (VXLAN), installed into the cluster by the
 * platform stack; the hosts open its port (UDP 8472) to each other.
 *
 * Where the cloud adapter has a cluster integration (`ICloud.clusterCloudIntegration`; OpenStack), it makes the
 * identity of the cloud controller manager and the block-storage CSI driver in this stack, and
 * {@link KubeadmCluster.cloudIntegration} hands the platform stack the configuration they read (tokens); every
 * kubelet then runs with `cloud-provider: external`, so that the CCM initializes its node.
 */
import { Construct } from 'constructs';

import type { ClusterCloudIntegrationRefs } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { NODE_POD_CIDR_PREFIX } from '../../lib/net/network-plan.js';
import { MAX_CONTROL_PLANE_HOSTS } from '../../lib/spec/semantic.js';
import { KUBERNETES_MINOR } from '../../lib/versions.js';
import type { HostGroup } from '../compute/host-group.js';
import { LoadBalancer } from '../loadbalancer/load-balancer.js';
import { Containerd } from '../roles/containerd.js';
import { KubeadmPki } from '../roles/kubeadm-pki.js';
import { KUBE_APISERVER_PORT, Kubeadm } from '../roles/kubeadm.js';
import { Kubelet } from '../roles/kubelet.js';

import type { KubernetesAccess } from './kubernetes-access.js';

/**
 * Properties of a {@link KubeadmCluster}.
 */
export interface KubeadmClusterProps {
  /** Cluster name (kubeadm `clusterName`), usually the region name; 1-63 characters. */
  readonly name: string;
  /** Hosts of the control plane: an odd count of 3-7, spread over zones so that one zone's loss keeps quorum. */
  readonly controlPlane: HostGroup;
  /** Groups whose hosts join as worker nodes. */
  readonly workers: readonly HostGroup[];
  /** Pod range; each node gets a /24 of it (planned by lib/net `planClusterRanges`). */
  readonly podCidr: string;
  /** Service (ClusterIP) range (planned by lib/net `planClusterRanges`). */
  readonly serviceCidr: string;
  /** Kubernetes minor version (`1.36`). @default KUBERNETES_MINOR */
  readonly version?: string;
  /** The pod sandbox image as hosts pull it (through the region's mirror). @default - containerd role's default */
  readonly sandboxImage?: string;
  /**
   * CIDRs outside the region network that reach the API server (the region's `admin.apiSources`): the load
   * balancer gets a public address, and its listener admits only these and the region network (the nodes join
   * through the private address); {@link KubeadmCluster.access} then names the public address.
   * @default - no public address: the endpoint is the private address, reachable only inside the network
   * @see docs/load-balancer.md
   */
  readonly apiSources?: readonly string[];
}

/**
 * The name {@link KubeadmCluster.access} has clients verify the API server's certificate against when they use its
 * public address: one of the DNS names kubeadm always puts in the serving certificate (`kubernetes`,
 * `kubernetes.default`, `kubernetes.default.svc`, ...; `GetAPIServerAltNames` in
 * cmd/kubeadm/app/util/pkiutil/pki_helpers.go at k8s.io/kubernetes v1.36.3). The public address is allocated at
 * apply time, so naming it in `apiServer.certSANs` would put an apply-time value into every control-plane host's
 * user data.
 */
export const API_SERVER_TLS_NAME = 'kubernetes';

/**
 * A kubeadm cluster on host groups: control plane behind an internal load balancer on 6443 (with `apiSources`, also
 * on a public address restricted to them), workers, containerd, kubelet and kubeadm roles, the PKI made at apply
 * time. Throws a `SpecError` when the control-plane count is not odd and between 3 and 7, when losing the zone with
 * the most control-plane hosts would lose etcd quorum, when a group is both control plane and worker or a worker
 * twice, or when `apiSources` is empty.
 * @see https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/ha-topology/#stacked-etcd-topology
 */
export class KubeadmCluster extends Construct {
  /** The internal load balancer in front of the API servers. */
  public readonly loadBalancer: LoadBalancer;
  /** `https://<address>:6443`, the address public with `apiSources`, else private: what `access` names. */
  public readonly endpoint: string;
  /** `https://<private address>:6443`, as nodes join. */
  public readonly internalEndpoint: string;
  /** What the platform stack needs to reach the cluster: endpoint, CA, admin client certificate and key. */
  public readonly access: KubernetesAccess;
  /** The cluster's CAs, keys and token. */
  public readonly pki: KubeadmPki;
  /**
   * What the platform stack's cloud controller manager and CSI driver read (the files of their Secret), tokens
   * of this stack. Undefined on a cloud whose adapter has no cluster integration (Alibaba Cloud, for now): the
   * nodes then run without an external cloud provider.
   */
  public readonly cloudIntegration?: ClusterCloudIntegrationRefs;

  constructor(scope: Construct, id: string, props: KubeadmClusterProps) {
    super(scope, id);
    const { controlPlane, workers } = props;
    const groups = [controlPlane, ...workers];
    if (new Set(groups).size !== groups.length) {
      throw new SpecError(
        `${this.node.path}: controlPlane and workers must be different groups, got ${groups.map((g) => g.groupName).join(', ')}`,
      );
    }
    checkControlPlane(this, controlPlane);
    const podPrefix = Number(props.podCidr.split('/')[1]);
    if (!(podPrefix <= NODE_POD_CIDR_PREFIX)) {
      throw new SpecError(
        `${this.node.path}: podCidr must be a /${NODE_POD_CIDR_PREFIX} or wider, got ${props.podCidr}`,
      );
    }
    for (const group of groups) group.joinCluster(props.name, groups);
    const apiSources = props.apiSources;
    if (apiSources?.length === 0) {
      throw new SpecError(`${this.node.path}: apiSources must list at least one CIDR when given, got []`, {
        hint: 'leave apiSources out to keep the API server inside the network',
      });
    }

    this.loadBalancer = new LoadBalancer(this, 'ApiLoadBalancer', {
      network: controlPlane.network,
      name: 'kube-apiserver',
      backends: controlPlane,
      listeners: [{ port: KUBE_APISERVER_PORT }],
      ...(apiSources ? { publicAddress: true, allowedSources: [controlPlane.network.cidr, ...apiSources] } : {}),
    });
    const endpointAddress = this.loadBalancer.privateAddress!;
    this.internalEndpoint = `https://${this.loadBalancer.address}:${KUBE_APISERVER_PORT}`;
    const publicAddress = this.loadBalancer.publicAddress;
    this.endpoint = publicAddress ? `https://${publicAddress}:${KUBE_APISERVER_PORT}` : this.internalEndpoint;
    this.pki = KubeadmPki.of(this);
    this.access = {
      endpoint: this.endpoint,
      clusterCaCertificate: this.pki.caCert.certPem,
      clientCertificate: this.pki.adminCert.certPem,
      clientKey: this.pki.adminKey.privateKeyPem,
      ...(publicAddress ? { tlsServerName: API_SERVER_TLS_NAME } : {}),
    };

    const cloud = controlPlane.network.cloud;
    this.cloudIntegration = cloud.clusterCloudIntegration?.(this, 'CloudIntegration', {
      name: controlPlane.network.regionName,
      clusterName: props.name,
      networkId: controlPlane.network.networkId,
      subnetIds: controlPlane.network.subnetIds,
      zoneNames: controlPlane.network.zoneNames,
      tags: controlPlane.network.tags,
    });
    if (this.cloudIntegration?.configDrive) for (const group of groups) group.attachConfigDrive();

    const minor = props.version ?? KUBERNETES_MINOR;
    const roles = new Construct(this, 'Roles');
    const containerd = new Containerd(roles, 'Containerd', { sandboxImage: props.sandboxImage });
    const kubelet = new Kubelet(roles, 'Kubelet', { minor });
    const common = {
      clusterName: props.name,
      endpointAddress,
      podSubnet: props.podCidr,
      serviceSubnet: props.serviceCidr,
      minor,
      externalCloudProvider: this.cloudIntegration !== undefined,
    };
    const controlRole = new Kubeadm(roles, 'KubeadmControlPlane', { ...common, nodeRole: 'control-plane' });
    const workerRole = new Kubeadm(roles, 'KubeadmWorker', { ...common, nodeRole: 'worker' });
    for (const group of groups) {
      group.addRole(containerd);
      group.addRole(kubelet);
      group.addRole(group === controlPlane ? controlRole : workerRole);
    }
  }
}

/** Odd count of 3-7, and the fullest zone's loss leaves a majority. */
function checkControlPlane(scope: Construct, group: HostGroup): void {
  const count = group.hosts.length;
  if (count < 3 || count > MAX_CONTROL_PLANE_HOSTS || count % 2 === 0) {
    throw new SpecError(
      `${scope.node.path}: controlPlane (group ${group.groupName}) must have an odd number of hosts between 3 and ` +
        `${MAX_CONTROL_PLANE_HOSTS} (etcd quorum), got ${count}`,
    );
  }
  const perZone = new Map<number, number>();
  for (const h of group.hosts) perZone.set(h.zoneIndex, (perZone.get(h.zoneIndex) ?? 0) + 1);
  const fullest = Math.max(...perZone.values());
  const quorum = Math.floor(count / 2) + 1;
  if (count - fullest < quorum) {
    throw new SpecError(
      `${scope.node.path}: controlPlane (group ${group.groupName}) must be spread so that losing one zone keeps etcd ` +
        `quorum: ${fullest} of its ${count} hosts are in one zone, leaving ${count - fullest} of the ${quorum} needed`,
      { hint: 'spread the group over at least 3 zones (zones and zoneSpread)' },
    );
  }
}
