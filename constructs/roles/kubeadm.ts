/**
 * `kubeadm`: makes the host a node of a kubeadm cluster at first boot, from a kubeadm configuration file
 * (`kubeadm.k8s.io/v1beta4`) rendered for this host:
 * - the first control-plane host creates the cluster (`kubeadm init`: InitConfiguration + ClusterConfiguration)
 *   unless the control-plane endpoint already serves one (it was replaced; it joins then);
 * - every other control-plane host waits for the cluster and joins as a control-plane node, every worker as a
 *   worker (`kubeadm join`: JoinConfiguration).
 *
 * Nodes find the cluster through file discovery: a kubeconfig naming the control-plane endpoint (the internal
 * load balancer on 6443) and the cluster CA, delivered as a secret, so the API server is verified without a CA
 * hash or `unsafeSkipCAVerification`, and they authenticate with the bootstrap token. The CA, the front-proxy
 * CA, the etcd CA and the service-account keys come from the stack (kubeadm-pki.ts) to every control-plane
 * host; kubeadm makes the rest (serving and client certificates, kubeconfigs) from them on the host.
 *
 * Every secret (token, keys) reaches the host only through secret delivery (lib/cloudinit/secret-delivery.ts):
 * the user data holds references, the values are fetched into tmpfs at boot, before the metadata service is
 * closed for good and before containerd starts (constructs/roles/docs/kubeadm.md).
 *
 * @see https://github.com/kubernetes/kubernetes/blob/v1.36.3/cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go
 * @see https://kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta4/
 * @see https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/high-availability/
 */
import type { Construct } from 'constructs';
import { stringify } from 'yaml';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkRange } from '../../lib/validate.js';
import { KUBERNETES_MINOR } from '../../lib/versions.js';

import { CONTAINERD_SOCKET } from './containerd.js';
import { HostRole, type HostContext, type RoleGroup, type RoleSecret } from './host-role.js';
import { KUBEADM_SECRETS, KubeadmPki } from './kubeadm-pki.js';
import { KUBERNETES_PACKAGES_UNIT } from './kubelet.js';

export const KUBEADM_API_VERSION = 'kubeadm.k8s.io/v1beta4';
/** The API server's port on every control-plane host and on the load balancer. */
export const KUBE_APISERVER_PORT = 6443;
/** etcd's client and peer ports (stacked etcd on the control-plane hosts). */
export const KUBEADM_ETCD_PORTS = { client: 2379, peer: 2380 } as const;
/**
 * The pod network: Flannel's VXLAN backend (UDP 8472, the Linux kernel's VXLAN port flannel uses), installed into the
 * cluster by the platform stack, not by a host role.
 */
export const FLANNEL_VXLAN_PORT = 8472;
/**
 * The Service node-port range: kube-apiserver's default `--service-node-port-range`, 30000-32767
 * (`DefaultServiceNodePortRange`, pkg/kubeapiserver/options/options.go at v1.36.3). A cloud load balancer the CCM
 * makes for a Service of type LoadBalancer sends its traffic to these ports on the nodes.
 */
export const NODE_PORT_RANGE = { from: 30000, to: 32767 } as const;

/** regionkit's files for kubeadm; not under /etc/kubernetes, whose files kubeadm's preflight checks. */
export const KUBEADM_DIR = '/etc/regionkit/kubernetes';
export const KUBEADM_INIT_CONFIG = `${KUBEADM_DIR}/kubeadm-init.yaml`;
export const KUBEADM_JOIN_CONFIG = `${KUBEADM_DIR}/kubeadm-join.yaml`;
export const KUBEADM_DISCOVERY_KUBECONFIG = `${KUBEADM_DIR}/discovery.conf`;
export const KUBEADM_DISCOVERY_CA = `${KUBEADM_DIR}/ca.crt`;
export const KUBEADM_SCRIPT = '/usr/local/sbin/regionkit-kubeadm';
export const KUBEADM_UNIT = 'regionkit-kubeadm.service';
/** kubeadm's certificate directory (`certificatesDir` default) and the shared files a control-plane host needs there. */
export const KUBERNETES_PKI_DIR = '/etc/kubernetes/pki';
export const KUBEADM_SHARED_PKI_FILES: readonly (readonly [string, string])[] = [
  ['ca.crt', KUBEADM_SECRETS.caCert],
  ['ca.key', KUBEADM_SECRETS.caKey],
  ['front-proxy-ca.crt', KUBEADM_SECRETS.frontProxyCaCert],
  ['front-proxy-ca.key', KUBEADM_SECRETS.frontProxyCaKey],
  ['etcd/ca.crt', KUBEADM_SECRETS.etcdCaCert],
  ['etcd/ca.key', KUBEADM_SECRETS.etcdCaKey],
  ['sa.key', KUBEADM_SECRETS.serviceAccountKey],
  ['sa.pub', KUBEADM_SECRETS.serviceAccountPub],
];

/**
 * Properties of a {@link Kubeadm} role.
 */
export interface KubeadmProps {
  /** What the group's hosts become. */
  readonly nodeRole: 'control-plane' | 'worker';
  /** The cluster's name (ClusterConfiguration `clusterName`), usually the region name. */
  readonly clusterName: string;
  /** The control-plane endpoint's address: the internal load balancer's private address, known at synth time. */
  readonly endpointAddress: string;
  /** Pod range (`networking.podSubnet`); each node gets a /24 of it. */
  readonly podSubnet: string;
  /** Service range (`networking.serviceSubnet`). */
  readonly serviceSubnet: string;
  /** Kubernetes minor; the exact version is the installed kubeadm's. @default KUBERNETES_MINOR */
  readonly minor?: string;
  /**
   * Run the kubelet with `cloud-provider: external`: it registers the node tainted
   * `node.cloudprovider.kubernetes.io/uninitialized` until the cloud controller manager (installed by the platform
   * stack) sets its addresses, provider id and zone. Only where a CCM will run, or no pod would ever schedule.
   * @default false
   * @see https://github.com/kubernetes/cloud-provider-openstack/blob/v1.36.0/docs/openstack-cloud-controller-manager/using-openstack-cloud-controller-manager.md
   * @see https://kubernetes.io/docs/tasks/administer-cluster/running-cloud-controller/ (kubelet --cloud-provider=external)
   */
  readonly externalCloudProvider?: boolean;
}

/**
 * Joins the host to a kubeadm cluster (or creates it, on the first control-plane host) at first boot. Throws a
 * `SpecError` for an endpoint that is not an IPv4 address.
 */
export class Kubeadm extends HostRole {
  private readonly props: Required<KubeadmProps>;

  constructor(scope: Construct, id: string, props: KubeadmProps) {
    const controlPlane = props.nodeRole === 'control-plane';
    super(scope, id, {
      roleName: 'kubeadm',
      requires: ['containerd', 'kubelet'],
      ports: [
        ...(controlPlane
          ? ([
              { protocol: 'tcp', port: KUBE_APISERVER_PORT, from: 'loadBalancer', description: 'kube-apiserver' },
              {
                protocol: 'tcp',
                port: KUBEADM_ETCD_PORTS.client,
                toPort: KUBEADM_ETCD_PORTS.peer,
                from: 'group',
                description: 'etcd clients and peers (stacked etcd)',
              },
            ] as const)
          : []),
        { protocol: 'udp', port: FLANNEL_VXLAN_PORT, from: 'cluster', description: 'pod network (flannel VXLAN)' },
        // the cloud's load balancers of Services of type LoadBalancer (an Octavia amphora has its address in the
        // region's subnets); only where a CCM makes them
        ...(props.externalCloudProvider
          ? ([
              {
                protocol: 'tcp',
                port: NODE_PORT_RANGE.from,
                toPort: NODE_PORT_RANGE.to,
                from: 'region',
                description: 'Service node ports (cloud load balancers of LoadBalancer Services)',
              },
            ] as const)
          : []),
      ],
    });
    this.props = {
      ...props,
      minor: props.minor ?? KUBERNETES_MINOR,
      externalCloudProvider: props.externalCloudProvider ?? false,
    };
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(props.endpointAddress)) {
      throw new SpecError(
        `${this.node.path}: endpointAddress must be the load balancer's private IPv4 address, got ${props.endpointAddress}`,
      );
    }
    checkRange(this, 'clusterName length', props.clusterName.length, 1, 63);
  }

  /** Control-plane hosts: the CAs, keys and token; workers: the cluster CA certificate and the token. */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    const pki = KubeadmPki.of(group.scope);
    return this.props.nodeRole === 'control-plane' ? pki.controlPlaneSecrets() : pki.caSecrets();
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const controlPlane = this.props.nodeRole === 'control-plane';
    const mayInit = controlPlane && ctx.host.index === 0;
    const secret = { permissions: '0600', owner: 'root:root' };
    config.addFile({ path: KUBEADM_DISCOVERY_CA, content: secretRef(KUBEADM_SECRETS.caCert), ...secret });
    config.addFile({
      path: KUBEADM_DISCOVERY_KUBECONFIG,
      content: discoveryKubeconfig(this.props),
      permissions: '0644',
    });
    config.addFile({ path: KUBEADM_JOIN_CONFIG, content: joinConfiguration(ctx, this.props), ...secret });
    if (mayInit) config.addFile({ path: KUBEADM_INIT_CONFIG, content: initConfiguration(ctx, this.props), ...secret });
    if (controlPlane) {
      for (const [file, name] of KUBEADM_SHARED_PKI_FILES) {
        config.addFile({ path: `${KUBERNETES_PKI_DIR}/${file}`, content: secretRef(name), ...secret });
      }
    }
    config.addScript(KUBEADM_SCRIPT, kubeadmScript(this.props, mayInit));
    // enabled and started below, without waiting (kubeadm waits for the packages and the secrets)
    config.addSystemdUnit({ name: KUBEADM_UNIT, content: kubeadmUnit(this.props), enable: false });
    config.addRunCommand(['systemctl', 'enable', KUBEADM_UNIT]);
    config.addRunCommand(['systemctl', 'start', '--no-block', KUBEADM_UNIT]);
  }
}

/** `<address>:6443`. */
function endpoint(props: KubeadmProps): string {
  return `${props.endpointAddress}:${KUBE_APISERVER_PORT}`;
}

const token = () => `${secretRef(KUBEADM_SECRETS.bootstrapTokenId)}.${secretRef(KUBEADM_SECRETS.bootstrapTokenSecret)}`;

function nodeRegistration(ctx: HostContext, props: KubeadmProps) {
  return {
    name: ctx.host.name,
    criSocket: CONTAINERD_SOCKET,
    kubeletExtraArgs: [
      // the address the node registers with and the API server reaches its kubelet at: the private one
      { name: 'node-ip', value: ctx.host.privateIp },
      // the cloud controller manager initializes the node (props.externalCloudProvider)
      ...(props.externalCloudProvider ? [{ name: 'cloud-provider', value: 'external' }] : []),
    ],
  };
}

function yamlDocs(docs: readonly Record<string, unknown>[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** InitConfiguration + ClusterConfiguration of the host that may create the cluster. */
export function initConfiguration(ctx: HostContext, props: Required<KubeadmProps>): string {
  const header = `# regionkit kubeadm role: creates cluster ${props.clusterName} (kubernetesVersion is set to the installed kubeadm's at boot)\n`;
  return (
    header +
    yamlDocs([
      {
        apiVersion: KUBEADM_API_VERSION,
        kind: 'InitConfiguration',
        bootstrapTokens: [
          {
            token: token(),
            description: `regionkit: nodes of ${props.clusterName} join with it`,
            // hosts join whenever they are created (scale-out, rolls): the token does not expire
            ttl: '0s',
            usages: ['signing', 'authentication'],
            groups: ['system:bootstrappers:kubeadm:default-node-token'],
          },
        ],
        nodeRegistration: nodeRegistration(ctx, props),
        localAPIEndpoint: { advertiseAddress: ctx.host.privateIp, bindPort: KUBE_APISERVER_PORT },
      },
      {
        apiVersion: KUBEADM_API_VERSION,
        kind: 'ClusterConfiguration',
        clusterName: props.clusterName,
        kubernetesVersion: `stable-${props.minor}`,
        controlPlaneEndpoint: endpoint(props),
        networking: { podSubnet: props.podSubnet, serviceSubnet: props.serviceSubnet },
        apiServer: { certSANs: [props.endpointAddress] },
      },
    ])
  );
}

/** JoinConfiguration of every host (a control-plane host that creates the cluster never uses it). */
export function joinConfiguration(ctx: HostContext, props: KubeadmProps): string {
  const controlPlane = props.nodeRole === 'control-plane';
  return (
    `# regionkit kubeadm role: ${ctx.host.name} joins cluster ${props.clusterName} as a ${props.nodeRole} node\n` +
    yamlDocs([
      {
        apiVersion: KUBEADM_API_VERSION,
        kind: 'JoinConfiguration',
        nodeRegistration: nodeRegistration(ctx, props),
        discovery: {
          file: { kubeConfigPath: KUBEADM_DISCOVERY_KUBECONFIG },
          tlsBootstrapToken: token(),
        },
        ...(controlPlane
          ? {
              controlPlane: {
                localAPIEndpoint: { advertiseAddress: ctx.host.privateIp, bindPort: KUBE_APISERVER_PORT },
              },
            }
          : {}),
      },
    ])
  );
}

/** The kubeconfig kubeadm's file discovery reads: the endpoint and the CA, no credentials. */
function discoveryKubeconfig(props: KubeadmProps): string {
  return (
    `# regionkit kubeadm role: where the cluster is and which CA signs its API server (kubeadm file discovery)\n` +
    stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: props.clusterName,
            cluster: { server: `https://${endpoint(props)}`, 'certificate-authority': KUBEADM_DISCOVERY_CA },
          },
        ],
        users: [{ name: 'discovery', user: {} }],
        contexts: [{ name: 'discovery', context: { cluster: props.clusterName, user: 'discovery' } }],
        'current-context': 'discovery',
      },
      { lineWidth: 0 },
    )
  );
}

function kubeadmScript(props: KubeadmProps, mayInit: boolean): string {
  const init = mayInit
    ? `
# The first control-plane host creates the cluster, unless the endpoint already serves one (the host was replaced).
if ! cluster_up; then
  umask 077
  install -d -m 0700 /run/regionkit/kubeadm
  # the exact version is the installed kubeadm's: no lookup on the internet, control plane and kubelet agree
  version=$(kubeadm version -o short)
  sed "s/^kubernetesVersion: .*/kubernetesVersion: $version/" ${KUBEADM_INIT_CONFIG} >/run/regionkit/kubeadm/init.yaml
  exec kubeadm init --config /run/regionkit/kubeadm/init.yaml
fi
`
    : '';
  return `#!/bin/sh
# regionkit kubeadm role: this host becomes a ${props.nodeRole} node of cluster ${props.clusterName}.
set -eu
endpoint=${endpoint(props)}

# The cluster exists once kubeadm init has published cluster-info, which anyone may read.
cluster_up() {
  curl -fsS --max-time 10 --cacert ${KUBEADM_DISCOVERY_CA} -o /dev/null \\
    "https://$endpoint/api/v1/namespaces/kube-public/configmaps/cluster-info" 2>/dev/null
}
${init}
# Wait for the cluster (the first control-plane host may still be creating it), for up to an hour.
tries=0
until cluster_up; do
  tries=$((tries + 1))
  if [ "$tries" -ge 360 ]; then
    echo "regionkit-kubeadm: no cluster at $endpoint after an hour" >&2
    exit 1
  fi
  sleep 10
done
exec kubeadm join --config ${KUBEADM_JOIN_CONFIG}
`;
}

function kubeadmUnit(props: KubeadmProps): string {
  return renderUnit('regionkit kubeadm role: kubeadm init or join, once, at first boot', {
    Unit: [
      ['Description', `Make this host a ${props.nodeRole} node of Kubernetes cluster ${props.clusterName} (regionkit)`],
      ['Wants', 'network-online.target'],
      ['After', `network-online.target containerd.service ${KUBERNETES_PACKAGES_UNIT}`],
      ['Requires', `containerd.service ${KUBERNETES_PACKAGES_UNIT}`],
      // kubeadm writes it once the node has joined (or created the cluster): nothing left to do on later boots
      ['ConditionPathExists', '!/etc/kubernetes/kubelet.conf'],
    ],
    Service: [
      ['Type', 'oneshot'],
      ['RemainAfterExit', true],
      ['TimeoutStartSec', '90min'],
      ['ExecStart', KUBEADM_SCRIPT],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}
