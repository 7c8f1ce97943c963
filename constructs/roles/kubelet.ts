/**
 * `kubelet`: the Kubernetes node packages (`kubelet`, `kubeadm`, `kubectl`) at one minor version from the official
 * package repository (pkgs.k8s.io, one repository per minor: `core:/stable:/v<minor>/deb/`), held at that minor,
 * and the kernel settings a node needs (IPv4 forwarding, which kubeadm's preflight checks; bridged traffic through
 * iptables, which kube-proxy and the bridge CNI plugin need).
 *
 * The repository's signing key cannot be part of the user data (it is fetched from the repository, over HTTPS,
 * the way the Kubernetes install guide does it), so the repository is set up by
 * `regionkit-kubernetes-packages.service` at first boot rather than by cloud-init's `apt` module: a sources
 * entry whose key is missing would fail cloud-init's own `apt-get update` and with it every other package.
 *
 * @see https://kubernetes.io/blog/2023/08/15/pkgs-k8s-io-introduction/ (one repository per minor, Release.key)
 * @see https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/install-kubeadm/
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { KUBERNETES_MINOR } from '../../lib/versions.js';

import { HostRole, type HostContext } from './host-role.js';

/** Installs and holds the packages, loads the modules, applies the sysctls (idempotent). */
export const KUBERNETES_PACKAGES_SCRIPT = '/usr/local/sbin/regionkit-kubernetes-packages';
export const KUBERNETES_PACKAGES_UNIT = 'regionkit-kubernetes-packages.service';
export const KUBERNETES_MODULES_FILE = '/etc/modules-load.d/regionkit-kubernetes.conf';
/** The kubelet's port (the API server reaches it for logs, exec and metrics). */
export const KUBELET_PORT = 10250;
/**
 * How often the packages script tries each download (30 s apart) before it gives up and the unit fails: 30, about
 * 15 min. The environment variable overrides it; the unit sets none (the first-boot test's image does, as there
 * is no pkgs.k8s.io there: docs/boot-test.md).
 */
export const KUBERNETES_PACKAGES_TRIES = 30;
export const KUBERNETES_PACKAGES_TRIES_ENV = 'REGIONKIT_KUBERNETES_PACKAGES_TRIES';
/** Packages from the repository, held at the minor. */
export const KUBERNETES_PACKAGES = ['kubelet', 'kubeadm', 'kubectl'] as const;

/** The repository of one minor version. */
export function kubernetesRepository(minor: string): string {
  return `https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`;
}

/**
 * Properties of a {@link Kubelet} role.
 */
export interface KubeletProps {
  /** Kubernetes minor version (`1.36`): the package repository channel. @default KUBERNETES_MINOR */
  readonly minor?: string;
}

/**
 * The Kubernetes node packages from pkgs.k8s.io at one minor, and the node's kernel settings. Throws a `SpecError`
 * for a minor that is not `1.<two digits>`.
 */
export class Kubelet extends HostRole {
  public readonly minor: string;

  constructor(scope: Construct, id: string, props: KubeletProps = {}) {
    super(scope, id, {
      roleName: 'kubelet',
      requires: ['apt', 'containerd'],
      ports: [{ protocol: 'tcp', port: KUBELET_PORT, from: 'cluster', description: 'kubelet API' }],
    });
    this.minor = props.minor ?? KUBERNETES_MINOR;
    if (!/^1\.[0-9]{2}$/.test(this.minor)) {
      throw new SpecError(
        `${this.node.path}: minor must be a Kubernetes minor version such as 1.36, got ${this.minor}`,
      );
    }
  }

  public configure(_ctx: HostContext, config: CloudConfig): void {
    config.addPackages('ca-certificates', 'curl');
    config.addFile({
      path: KUBERNETES_MODULES_FILE,
      content:
        '# regionkit kubelet role: overlayfs for containerd, bridge netfilter for kube-proxy and CNI\noverlay\nbr_netfilter\n',
    });
    config.addSysctl('net.ipv4.ip_forward', 1);
    config.addSysctl('net.bridge.bridge-nf-call-iptables', 1);
    config.addSysctl('net.bridge.bridge-nf-call-ip6tables', 1);
    config.addScript(KUBERNETES_PACKAGES_SCRIPT, packagesScript(this.minor));
    // enabled and started below, without waiting: not `enable --now`, which would hold up runcmd for the download
    config.addSystemdUnit({ name: KUBERNETES_PACKAGES_UNIT, content: packagesUnit(this.minor), enable: false });
    config.addRunCommand(['systemctl', 'enable', KUBERNETES_PACKAGES_UNIT]);
    // --no-block: the download may take minutes and must not hold up cloud-init's other commands
    config.addRunCommand(['systemctl', 'start', '--no-block', KUBERNETES_PACKAGES_UNIT]);
  }
}

function packagesScript(minor: string): string {
  const repo = kubernetesRepository(minor);
  return `#!/bin/sh
# regionkit kubelet role: ${KUBERNETES_PACKAGES.join(', ')} ${minor} from the Kubernetes package repository, held there.
set -eu
repo=${repo}
keyring=/etc/apt/keyrings/kubernetes-v${minor}.asc
sources=/etc/apt/sources.list.d/kubernetes.sources

# the sysctl file sets bridge keys, which exist only once br_netfilter is loaded
modprobe overlay
modprobe br_netfilter
sysctl --system >/dev/null

# $@: a command, tried up to $${KUBERNETES_PACKAGES_TRIES_ENV} times (default ${KUBERNETES_PACKAGES_TRIES}) 30 s apart, so
# for about 15 minutes by default (the network or the repository may not answer yet)
retry() {
  tries=0
  until "$@"; do
    tries=$((tries + 1))
    if [ "$tries" -ge "\${${KUBERNETES_PACKAGES_TRIES_ENV}:-${KUBERNETES_PACKAGES_TRIES}}" ]; then
      echo "regionkit-kubernetes-packages: giving up: $*" >&2
      return 1
    fi
    sleep 30
  done
}

install -d -m 0755 /etc/apt/keyrings
retry curl -fsSL --max-time 60 -o "$keyring.tmp" "\${repo}Release.key"
mv "$keyring.tmp" "$keyring"
chmod 0644 "$keyring"
cat >"$sources" <<EOF
Types: deb
URIs: $repo
Suites: /
Signed-By: $keyring
EOF
retry apt-get update -qq
retry env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${KUBERNETES_PACKAGES.join(' ')}
apt-mark hold ${KUBERNETES_PACKAGES.join(' ')} >/dev/null
`;
}

function packagesUnit(minor: string): string {
  return renderUnit('regionkit kubelet role: the Kubernetes packages, installed once at first boot', {
    Unit: [
      ['Description', `Install kubelet, kubeadm and kubectl ${minor} from pkgs.k8s.io (regionkit)`],
      ['Wants', 'network-online.target'],
      // not after cloud-final.service: that runs after multi-user.target, which this unit (WantedBy) precedes
      ['After', 'network-online.target'],
      // installed once; a later boot finds them and has nothing to do
      ['ConditionPathExists', '!/usr/bin/kubeadm'],
    ],
    Service: [
      ['Type', 'oneshot'],
      ['RemainAfterExit', true],
      ['TimeoutStartSec', '40min'],
      ['ExecStart', KUBERNETES_PACKAGES_SCRIPT],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}
