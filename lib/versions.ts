/**
 * Every external version regionkit pins, in one place: Terraform providers, and (from the host-role
 * and platform work on) packages, container images and Helm charts.
 *
 * Changing a version here changes synthesized output; snapshot tests show where.
 */

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
