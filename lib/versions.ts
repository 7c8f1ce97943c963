/**
 * Every external version regionkit pins, in one place: Terraform providers, container images and Docker
 * plugins the host roles run (Helm charts will join them). Distro packages follow the Ubuntu 24.04 archive.
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

/** IaaS providers whose bindings we generate from the checked-in schema files. */
export const GENERATED_PROVIDERS = {
  alicloud: { name: 'alicloud', source: 'aliyun/alicloud', version: '1.289.0' },
  openstack: { name: 'openstack', source: 'terraform-provider-openstack/openstack', version: '3.4.0' },
} as const satisfies Record<string, ProviderPin>;

/** Providers that come prebuilt from npm (`@cdktf/provider-*`); their versions are fixed by the package. */
export const PREBUILT_PROVIDERS = {
  kubernetes: { name: 'kubernetes', source: 'hashicorp/kubernetes', version: '2.38.0' },
  helm: { name: 'helm', source: 'hashicorp/helm', version: '3.1.1' },
} as const satisfies Record<string, ProviderPin>;

export type GeneratedProviderName = keyof typeof GENERATED_PROVIDERS;

/** The CDK for Terraform release this code is written against (frozen upstream; see README). */
export const CDKTF_VERSION = '0.21.0';

/** Oldest Terraform and OpenTofu releases the synthesized JSON is meant for. */
export const MIN_TERRAFORM_VERSION = '1.5.0';
export const MIN_OPENTOFU_VERSION = '1.6.0';

/**
 * Container images of daemons without a maintained Ubuntu 24.04 package. Pulled through the region's
 * registry mirror (lib/images/registry-mirror.ts).
 */
export const IMAGES = {
  mesosMaster: { registry: 'docker.io', repository: 'mesosphere/mesos-master', tag: '1.7.1' },
  mesosAgent: { registry: 'docker.io', repository: 'mesosphere/mesos-slave', tag: '1.7.1' },
  marathon: { registry: 'docker.io', repository: 'mesosphere/marathon', tag: 'v1.11.24' },
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
 * Docker managed plugins (installed with `docker plugin install`, straight from Docker Hub: registry
 * mirrors do not serve plugins).
 */
export const DOCKER_PLUGINS = {
  rexrayCinder: 'rexray/cinder:0.11.4',
  rexrayS3fs: 'rexray/s3fs:0.11.4',
} as const;
