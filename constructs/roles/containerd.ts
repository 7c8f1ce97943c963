/**
 * `containerd`: the container runtime of a kubeadm host, Debian 13's `containerd` package (1.7.24~ds1-6+deb13u1
 * in trixie), configured for the kubelet's CRI: runc through the systemd cgroup driver (the kubelet's default
 * driver since kubeadm 1.22, and the two must match), the pause image kubeadm expects, and the CNI directories
 * the cluster's network plugin uses.
 *
 * The package's own config.toml (version 2) sets only Debian's CNI `bin_dir` (`/usr/lib/cni`) and the `opt`
 * plugin path; this role's file replaces it. The CNI plugins (bridge, host-local, portmap, loopback, ...) come
 * with the `kubernetes-cni` package, a dependency of kubeadm from the Kubernetes package repository, in
 * `/opt/cni/bin`, where the network plugin's own binary goes too (constructs/roles/docs/containerd.md).
 *
 * @see https://github.com/containerd/containerd/blob/v1.7.24/docs/cri/config.md
 * @see https://kubernetes.io/docs/setup/production-environment/container-runtimes/#containerd-systemd
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { SpecError } from '../../lib/errors.js';

import { HostRole, type HostContext } from './host-role.js';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
/** The CRI socket the kubelet and kubeadm talk to (containerd's default `grpc.address`). */
export const CONTAINERD_SOCKET = 'unix:///run/containerd/containerd.sock';
/** Where CNI plugins are: `kubernetes-cni`'s directory, and the network plugin's install target. */
export const CNI_BIN_DIR = '/opt/cni/bin';
export const CNI_CONF_DIR = '/etc/cni/net.d';
/**
 * The pause (sandbox) image kubeadm 1.36 pulls and checks for: `PauseVersion` in k8s.io/kubernetes v1.36.3,
 * cmd/kubeadm/app/constants/constants.go. containerd 1.7.24's own default is `registry.k8s.io/pause:3.8`, and
 * kubeadm warns when the runtime's sandbox image differs from its own.
 */
export const KUBEADM_PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.2';

/**
 * Properties of a {@link Containerd} role.
 */
export interface ContainerdProps {
  /**
   * The pod sandbox image, as the host pulls it (through the region's registry mirror when there is one).
   * @default KUBEADM_PAUSE_IMAGE
   */
  readonly sandboxImage?: string;
}

/**
 * containerd from Debian, configured for the kubelet: the CRI plugin with runc under the systemd cgroup driver.
 * Throws a `SpecError` for a sandbox image with characters that do not belong in an image reference.
 */
export class Containerd extends HostRole {
  private readonly sandboxImage: string;

  constructor(scope: Construct, id: string, props: ContainerdProps = {}) {
    super(scope, id, { roleName: 'containerd', requires: ['apt'] });
    this.sandboxImage = props.sandboxImage ?? KUBEADM_PAUSE_IMAGE;
    if (!/^[a-z0-9][a-z0-9._:/@-]*$/.test(this.sandboxImage)) {
      throw new SpecError(`${this.node.path}: sandboxImage must be an image reference, got ${this.sandboxImage}`);
    }
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    if (ctx.os !== 'debian-13') {
      throw new SpecError(
        `${this.node.path}: group ${ctx.host.group} runs ${ctx.os}; the containerd role is made for Debian 13's containerd`,
      );
    }
    config.addPackages('containerd');
    // Deferred: written after the packages, over the package's own config.toml (a conffile).
    config.addFile({ path: CONTAINERD_CONFIG, content: containerdConfig(this.sandboxImage), defer: true });
    config.addRunCommand(['systemctl', 'enable', 'containerd.service']);
    config.addRunCommand(['systemctl', 'restart', 'containerd.service']);
  }
}

/** The config.toml (containerd 1.7, config format version 2). */
export function containerdConfig(sandboxImage: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `# regionkit containerd role: the CRI runtime of a kubeadm host (containerd 1.7, config version 2)
version = 2

[${cri}]
  sandbox_image = "${sandboxImage}"

  [${cri}.cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${CNI_CONF_DIR}"

  [${cri}.containerd]
    default_runtime_name = "runc"

  [${cri}.containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"

  # the kubelet's cgroup driver is systemd: runc must use the same one
  [${cri}.containerd.runtimes.runc.options]
    SystemdCgroup = true

# Debian's own setting (its package's config.toml): nothing under /opt/containerd
[plugins."io.containerd.internal.v1.opt"]
  path = "/var/lib/containerd/opt"
`;
}
