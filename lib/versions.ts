/**
 * Every external version regionkit pins, in one place: Terraform providers, container images and Docker
 * plugins the host roles run (Helm charts will join them). Distro packages follow each host group's OS release
 * (Debian 12 for Mesos hosts, Debian 13 for the rest; lib/spec/region-spec.ts `HOST_OS`).
 * Evidence for each pin: docs/versions.md.
 *
 * Changing a version here changes synthesized output; snapshot tests show where.
 */

import type { ImagePin } from './images/registry-mirror.js';

/** A Terraform provider as it appears in `terraform.required_providers`. */
export interface ProviderPin {
  /** Local name used in resource type prefixes and the `provider` block. */
  readonly name: string;
  /** Unqualified source, so Terraform and OpenTofu each resolve it from their own registry. */
  readonly source: string;
  /** Exact version; never a range, so every machine plans against the same provider. */
  readonly version: string;
}

/** Providers whose bindings we generate from the checked-in schema files (lib/providers/schemas/). */
export const GENERATED_PROVIDERS = {
  alicloud: { name: 'alicloud', source: 'aliyun/alicloud', version: '1.289.0' },
  openstack: { name: 'openstack', source: 'terraform-provider-openstack/openstack', version: '3.4.0' },
  // etcd's CA and member certificates, made at apply time (constructs/roles/etcd-pki.ts)
  tls: { name: 'tls', source: 'hashicorp/tls', version: '4.1.0' },
  // Mesos, Marathon and Chronos credentials, made at apply time (constructs/roles/mesos-credentials.ts)
  random: { name: 'random', source: 'hashicorp/random', version: '3.7.2' },
  // The platform stack of a Kubernetes region (issue 10). Pinned to the releases whose schema the plugins the
  // Go module proxy serves have; see PLUGIN_BUILDS and docs/versions.md.
  kubernetes: { name: 'kubernetes', source: 'hashicorp/kubernetes', version: '3.2.1' },
  helm: { name: 'helm', source: 'hashicorp/helm', version: '3.2.0' },
} as const satisfies Record<string, ProviderPin>;

/**
 * Providers that come prebuilt from npm (`@cdktf/provider-*`); their versions are fixed by the package. None:
 * the last prebuilt kubernetes and helm packages target 2.38.0 and 3.1.1, whose plugins cannot be built here,
 * so their bindings are generated from the plugins that can (docs/versions.md).
 */
export const PREBUILT_PROVIDERS = {} as const satisfies Record<string, ProviderPin>;

export type GeneratedProviderName = keyof typeof GENERATED_PROVIDERS;

/** Providers the next issues need, pinned to the prebuilt cdktf packages' targets (none left: tls and random are generated). */
export const SUPPORT_PROVIDERS = {} as const satisfies Record<string, ProviderPin>;

/** Every provider the synthesized JSON may pin, by local name. */
export const ALL_PROVIDERS = { ...GENERATED_PROVIDERS, ...PREBUILT_PROVIDERS, ...SUPPORT_PROVIDERS } as const;

/**
 * OpenTofu, built from its published Go module by `.ci/engine.sh` into the engine cache. Its go.mod carries a
 * `replace` directive, so it is built from a wrapper module that repeats it.
 * @see https://github.com/opentofu/opentofu/blob/v1.11.7/go.mod
 */
export const OPENTOFU = {
  version: '1.11.7',
  goModule: 'github.com/opentofu/opentofu',
  goPackage: 'github.com/opentofu/opentofu/cmd/tofu',
} as const;

/**
 * The Helm CLI `.ci/engine.sh` builds from its Go module into the engine cache, for the tests that lint and render
 * this package's own chart (charts/regionkit-gateways) the way `helm_release` installs it. Never shipped: the
 * helm provider embeds its own Helm library. The chart is `apiVersion: v2`, which every Helm 3 reads.
 * @see https://github.com/helm/helm/blob/v3.22.0/Makefile (the `internal/version.version` ldflag of a release build)
 */
export const HELM_CLI = {
  version: '3.22.0',
  goModule: 'helm.sh/helm/v3',
  goPackage: 'helm.sh/helm/v3/cmd/helm',
} as const;

/** How `.ci/engine.sh` builds one provider plugin from the Go module proxy. */
export interface PluginBuild {
  /** Go module path (with `/vN` where the module has one). */
  readonly goModule: string;
  /**
   * Module version to build. Providers whose module path lacks the `/vN` suffix of their release line are
   * pinned by the release tag's commit, as the pseudo-version Go derives for it.
   */
  readonly goVersion: string;
  /**
   * Commit the module version builds: the release tag's, unless {@link PluginBuild.afterRelease} says otherwise
   * (evidence; docs/versions.md).
   */
  readonly commit?: string;
  /**
   * Set when the proxy does not serve the release tag's commit, only a later one: the release tag, and what the
   * built commit changes after it (none of it a schema change; evidence: docs/versions.md). The schema files are
   * what the built plugin prints.
   */
  readonly afterRelease?: { readonly tag: string; readonly commit?: string; readonly changes: string };
}

/** The plugin build of every provider in {@link ALL_PROVIDERS}, at exactly the pinned release. */
export const PLUGIN_BUILDS = {
  alicloud: {
    goModule: 'github.com/aliyun/terraform-provider-alicloud',
    goVersion: 'v1.289.0',
    commit: '28ee93bc63fa0e5f919a21fc1711bde8c45d7b44',
  },
  openstack: {
    goModule: 'github.com/terraform-provider-openstack/terraform-provider-openstack/v3',
    goVersion: 'v3.4.0',
  },
  // The proxy refuses the v3.2.1 tag's commit and serves the one two commits after it.
  kubernetes: {
    goModule: 'github.com/hashicorp/terraform-provider-kubernetes',
    goVersion: 'v1.13.4-0.20260821094251-3a33fb6cc605',
    commit: '3a33fb6cc6055853584af1731b1369164c35ffc7',
    afterRelease: {
      tag: 'v3.2.1',
      commit: '28fb611cb6be20c5059efadd6cbf16b9ad64cd6c',
      changes: 'go.mod/go.sum (google.golang.org/grpc 1.79.3 -> 1.82.1, golang.org/x/*), .changelog, CODEOWNERS',
    },
  },
  // The proxy refuses the v3.1.1 tag's commit; the one 3.x commit it is known to serve is the 3.2.0 release's
  // content plus an unreleased upgrade of the Helm library the plugin embeds (full hash not in any mirror here).
  helm: {
    goModule: 'github.com/hashicorp/terraform-provider-helm',
    goVersion: 'v1.3.3-0.20260629194918-a4f1c1d8b008',
    afterRelease: {
      tag: 'v3.2.0',
      changes:
        'helm.sh/helm/v3 3.18.5 -> 3.20.2 with k8s.io/* 0.33.3 -> 0.35.1 (.changelog/1807.txt, not yet released), ' +
        'go.mod/go.sum, the structured-merge-diff v4 -> v6 import in helm/kube_resources.go, tests',
    },
  },
  tls: {
    goModule: 'github.com/hashicorp/terraform-provider-tls',
    goVersion: 'v1.2.1-0.20250423195406-eefba144662d',
    commit: 'eefba144662d715aa78a1ec051d88037b141826c',
  },
  // The module still declares its pre-2020 path; the hashicorp/ path serves a go.mod that does not match it.
  random: {
    goModule: 'github.com/terraform-providers/terraform-provider-random',
    goVersion: 'v1.3.2-0.20250422105519-bc2ddb552b46',
    commit: 'bc2ddb552b4676d16997987a9bf2875c7b98d342',
  },
} as const satisfies Record<keyof typeof ALL_PROVIDERS, PluginBuild>;

/** The CDK for Terraform release this code is written against (frozen upstream; see README). */
export const CDKTF_VERSION = '0.21.0';

/** Oldest Terraform and OpenTofu releases the synthesized JSON is meant for. */
export const MIN_TERRAFORM_VERSION = '1.5.0';
export const MIN_OPENTOFU_VERSION = '1.6.0';

/**
 * Container images of daemons without a maintained Debian package. Pulled through the region's registry mirror
 * (lib/images/registry-mirror.ts).
 *
 * The Mesos set: Mesos 1.7.1 with Marathon 1.8. Marathon 1.9 and later suppress and revive offers with the
 * UPDATE_FRAMEWORK call (mesosphere/marathon v1.9.109 and v1.10.26,
 * src/main/scala/mesosphere/marathon/core/launchqueue/impl/ReviveOffersActor.scala), which masters understand
 * only from Mesos 1.9 on (apache/mesos 1.9.0 CHANGELOG, MESOS-9793; absent from 1.7.1's
 * include/mesos/v1/scheduler/scheduler.proto). Marathon v1.8.244 calls reviveOffers/suppressOffers only and
 * needs Mesos >= 1.5.0 (its changelog.md). No Mesos >= 1.9 image from the Mesos or Mesosphere projects is
 * evidenced, so the masters stay at the evidenced mesosphere 1.7.1 and Marathon goes back to 1.8.
 */
export const IMAGES = {
  mesosMaster: { registry: 'docker.io', repository: 'mesosphere/mesos-master', tag: '1.7.1' },
  mesosAgent: { registry: 'docker.io', repository: 'mesosphere/mesos-slave', tag: '1.7.1' },
  marathon: { registry: 'docker.io', repository: 'mesosphere/marathon', tag: 'v1.8.244' },
  chronos: { registry: 'docker.io', repository: 'mesosphere/chronos', tag: 'v3.0.2' },
  mesosDns: { registry: 'docker.io', repository: 'mesosphere/mesos-dns', tag: 'v0.6.0' },
  marathonLb: { registry: 'docker.io', repository: 'mesosphere/marathon-lb', tag: 'v1.14.2' },
  cadvisor: { registry: 'ghcr.io', repository: 'google/cadvisor', tag: 'v0.60.5' },
  calicoNode: { registry: 'quay.io', repository: 'calico/node', tag: 'v3.32.2' },
  calicoCni: { registry: 'quay.io', repository: 'calico/cni', tag: 'v3.32.2' },
  calicoCtl: { registry: 'quay.io', repository: 'calico/ctl', tag: 'v3.32.2' },
  // The maintained fork: upstream weaveworks/weave 2.8.1 speaks Docker API 1.18, which Docker 26+ refuses.
  weave: { registry: 'docker.io', repository: 'avhost/weave', tag: '2.10.1' },
} as const satisfies Record<string, ImagePin>;

/**
 * Images the platform stack runs in a cluster itself (not through a chart, not on hosts). Pulled from their own
 * registries by the cluster's nodes.
 *
 * kube-network-policies (kubernetes-sigs, SIG Network's NetworkPolicy agent): v1.1.1 is the newest release tag
 * (commit c81c094); the release builds and pushes `registry.k8s.io/networking/kube-network-policies:<tag>`, the
 * tag the repository's chart pins (charts/kube-network-policies/values.yaml after the release).
 */
export const PLATFORM_IMAGES = {
  kubeNetworkPolicies: 'registry.k8s.io/networking/kube-network-policies:v1.1.1',
} as const;

/**
 * Docker managed plugins (installed with `docker plugin install`, straight from Docker Hub: registry
 * mirrors do not serve plugins).
 */
export const DOCKER_PLUGINS = {
  rexrayCinder: 'rexray/cinder:0.11.4',
  rexrayS3fs: 'rexray/s3fs:0.11.4',
} as const;

/**
 * The Kubernetes minor version a `cluster: { kind: kubernetes }` region runs unless its `version` says otherwise:
 * managed clusters (ACK, Magnum) and kubeadm hosts (kubelet, kubeadm and kubectl from the official package
 * repository's `v<minor>` channel) alike. One minor, not a patch: the patch follows the cloud's or the package
 * channel's newest.
 *
 * Why 1.36: it is the newest minor that both upstream patch support and Alibaba Cloud ACK cover well past this
 * release. Upstream: k8s.io/kubernetes v1.36.3 is on the Go module proxy (the newest minor there is 1.37, so 1.36
 * is inside the three maintained branches). ACK ("Support for Kubernetes versions", help.aliyun.com) plans the
 * minor after 1.35 (1.36 by its four-month cadence) for May 2026 with end of support May 30, 2027, and creates
 * clusters of its three newest minors; 1.35, the newest it lists as released, ends February 28, 2027. ACK's 1.36
 * is inferred, not read: docs/versions.md.
 * @see https://www.alibabacloud.com/help/en/ack/product-overview/support-for-kubernetes-versions
 */
export const KUBERNETES_MINOR = '1.36';

/**
 * Kubernetes binaries the tests run, built from the `k8s.io/kubernetes` Go module by `.ci/engine.sh` into the
 * engine cache (bin/engine/layout.ts `kubernetesPaths`): a kube-apiserver and kube-controller-manager that the
 * platform stack's objects are applied to, and the kubeadm that checks rendered kubeadm configs. The patch
 * release of {@link KUBERNETES_MINOR} the module proxy serves.
 *
 * The module's go.mod points each `k8s.io/*` staging module at a path inside its own tree (`./staging/src/…`),
 * which a module download does not have; the wrapper module replaces each with its published release, whose
 * version is the same release as v0.<minor>.<patch> (`stagingVersion`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.36.3/go.mod
 * @see https://github.com/kubernetes/kubernetes/tree/v1.36.3/staging (README: "published to their own repositories")
 */
export const KUBERNETES_BUILD = {
  version: '1.36.3',
  goModule: 'k8s.io/kubernetes',
  stagingVersion: 'v0.36.3',
  commands: ['kube-apiserver', 'kube-controller-manager', 'kubeadm'],
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Helm charts of a Kubernetes region's platform stack (stacks/platform-stack.ts)

/** A Helm chart at one version, with where its values were read. */
export interface HelmChartPin {
  /** Repository URL (`oci://…` or `https://…`) as the helm provider's `repository` takes it. */
  readonly repository: string;
  /** Chart name in that repository. */
  readonly chart: string;
  /** Exact chart version; never a range. */
  readonly version: string;
  /** Source of the chart at that version: the values keys we set are checked against it (test/fixtures/charts). */
  readonly source: { readonly repo: string; readonly tag: string; readonly commit: string; readonly path: string };
}

/**
 * Helm charts the platform stack installs.
 *
 * Envoy Gateway is the Gateway API implementation (DESIGN.md: traffic enters through the Gateway API; ingress-nginx
 * was retired in March 2026). Why it: it is a CNCF Envoy sub-project implementing only the Gateway API (no legacy
 * Ingress model to carry), its chart ships the Gateway API CRDs with its own (so one release brings both), and its
 * EnvoyProxy resource sets the data plane's replicas, resource requests, PodDisruptionBudget and Service per
 * GatewayClass, with `mergeGateways` so every tenant's Gateway shares one proxy fleet and one cloud load
 * balancer. The chart is published under the release tag (`helm package --version ${RELEASE_VERSION}`,
 * tools/make/helm.mk at v1.9.0), so its version carries the `v`.
 * @see https://github.com/envoyproxy/gateway/tree/v1.9.0/charts/gateway-helm
 */
export const HELM_CHARTS = {
  envoyGateway: {
    repository: 'oci://docker.io/envoyproxy',
    chart: 'gateway-helm',
    version: 'v1.9.0',
    source: {
      repo: 'github.com/envoyproxy/gateway',
      tag: 'v1.9.0',
      commit: '39763b1c07ec30a5526fe70434a2cfe4181de642',
      path: 'charts/gateway-helm/values.tmpl.yaml',
    },
  },
  // The pod network of a kubeadm cluster (managed clusters bring their cloud's own CNI). flannel-io/flannel's
  // chart (chart/kube-flannel, Chart.yaml `name: flannel`, version = the release tag), published at the Helm
  // repository its README names (README.md "Deploying Flannel with Helm" at v0.28.9). v0.28.9 is the newest tag.
  flannel: {
    repository: 'https://flannel-io.github.io/flannel/',
    chart: 'flannel',
    version: 'v0.28.9',
    source: {
      repo: 'github.com/flannel-io/flannel',
      tag: 'v0.28.9',
      commit: '5cd0d52648e891d73a6dcb9bb2c67d7c365cf7aa',
      path: 'chart/kube-flannel/values.yaml',
    },
  },
  // OpenStack cloud controller manager and Cinder CSI of a kubeadm cluster on OpenStack: the 2.36 chart line is
  // cloud-provider-openstack's release for Kubernetes 1.36 (appVersion v1.36.0; the chart tags
  // openstack-cloud-controller-manager-2.36.0 and openstack-cinder-csi-2.36.0 are the v1.36.0 commit). Helm
  // repository: charts/openstack-cloud-controller-manager/README.md and charts/cinder-csi-plugin/README.md at
  // v1.36.0 (`helm repo add cpo https://kubernetes.github.io/cloud-provider-openstack`).
  openstackCloudControllerManager: {
    repository: 'https://kubernetes.github.io/cloud-provider-openstack',
    chart: 'openstack-cloud-controller-manager',
    version: '2.36.0',
    source: {
      repo: 'github.com/kubernetes/cloud-provider-openstack',
      tag: 'openstack-cloud-controller-manager-2.36.0',
      commit: 'bae07f4939caf612e71c43a3a65eaa42cc2bfbae',
      path: 'charts/openstack-cloud-controller-manager/values.yaml',
    },
  },
  openstackCinderCsi: {
    repository: 'https://kubernetes.github.io/cloud-provider-openstack',
    chart: 'openstack-cinder-csi',
    version: '2.36.0',
    source: {
      repo: 'github.com/kubernetes/cloud-provider-openstack',
      tag: 'openstack-cinder-csi-2.36.0',
      commit: 'bae07f4939caf612e71c43a3a65eaa42cc2bfbae',
      path: 'charts/cinder-csi-plugin/values.yaml',
    },
  },
  // Alibaba Cloud disk CSI of a kubeadm cluster on Alibaba Cloud (ACK brings its own): kubernetes-sigs'
  // alibaba-cloud-csi-driver chart (deploy/charts/alibaba-cloud-csi-driver, Chart.yaml version 1.36.2, appVersion
  // v1.36.2) at its chart tag; Helm repository from docs/install.md at that tag (`helm repo add
  // alibaba-cloud-csi-driver https://kubernetes-sigs.github.io/alibaba-cloud-csi-driver`).
  alicloudCsiDriver: {
    repository: 'https://kubernetes-sigs.github.io/alibaba-cloud-csi-driver',
    chart: 'alibaba-cloud-csi-driver',
    version: '1.36.2',
    source: {
      repo: 'github.com/kubernetes-sigs/alibaba-cloud-csi-driver',
      tag: 'alibaba-cloud-csi-driver-1.36.2',
      commit: '68d4c40e168ca3d73b1a506cd6e7c6c3c8387014',
      path: 'deploy/charts/alibaba-cloud-csi-driver/values.yaml',
    },
  },
} as const satisfies Record<string, HelmChartPin>;

/**
 * Alibaba Cloud's cloud controller manager of a kubeadm cluster on Alibaba Cloud. kubernetes/cloud-provider-alibaba-cloud
 * publishes no Helm chart; its image is `$(REGISTRY):$(TAG)` with `REGISTRY` the amd64 repository below and `TAG`
 * `git describe --tags` (Makefile lines 18 and 20 at v2.14.0), the repository the manifest
 * deploy/v2/cloud-controller-manager.yaml names. v2.14.0 is the newest tag.
 * @see https://github.com/kubernetes/cloud-provider-alibaba-cloud/blob/v2.14.0/Makefile
 */
export const ALICLOUD_CCM = {
  image: 'registry.cn-hangzhou.aliyuncs.com/acs/cloud-controller-manager-amd64:v2.14.0',
  source: {
    repo: 'github.com/kubernetes/cloud-provider-alibaba-cloud',
    tag: 'v2.14.0',
    commit: 'eeb0ddc687ee5ee9d3726559d6a8ec056f694947',
    path: 'deploy/v2/cloud-controller-manager.yaml',
  },
} as const;
