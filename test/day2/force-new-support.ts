/**
 * Replacement-forcing attributes of the support providers' resource types (hashicorp/tls, hashicorp/random),
 * read from their source at the pinned tags of lib/versions.ts. Both are plugin-framework providers: an
 * attribute forces replacement through a `RequiresReplace` plan modifier (or the tls provider's
 * `requireReplaceIfStateContainsPEMString`, which replaces on any change once state holds a PEM), with the
 * line of the attribute's definition in the file at the tag.
 *
 * Outside the schema: a tls certificate past `validity_end_time - early_renewal_hours` is replaced at plan
 * time (`ready_for_renewal`, internal/provider/common_cert.go:287-300 at v4.1.0); a day-2 diff of two synthesized
 * documents cannot see time, so that case is not modelled here.
 */
import type { ForceNewFacts, ProviderSource } from './force-new.js';

export const TLS_SOURCE: ProviderSource = {
  repository: 'https://github.com/hashicorp/terraform-provider-tls',
  tag: 'v4.1.0',
};
export const RANDOM_SOURCE: ProviderSource = {
  repository: 'https://github.com/hashicorp/terraform-provider-random',
  tag: 'v3.7.2',
};

const SUBJECT = (lines: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(lines).map(([k, v]) => [`subject.${k}`, v]));

export const TLS_FORCE_NEW: Readonly<Record<string, ForceNewFacts>> = {
  tls_private_key: {
    file: 'internal/provider/resource_private_key.go',
    attributes: { algorithm: 50, rsa_bits: 63, ecdsa_curve: 72 },
  },
  tls_cert_request: {
    file: 'internal/provider/resource_cert_request.go',
    attributes: {
      private_key_pem: 43,
      dns_names: 56,
      ip_addresses: 64,
      uris: 77,
      subject: 122,
      ...SUBJECT({
        organization: 132,
        common_name: 139,
        organizational_unit: 146,
        street_address: 153,
        email_address: 161,
        locality: 168,
        province: 175,
        country: 182,
        postal_code: 189,
        serial_number: 196,
      }),
    },
  },
  tls_locally_signed_cert: {
    file: 'internal/provider/resource_locally_signed_cert.go',
    attributes: {
      ca_cert_pem: 51,
      ca_private_key_pem: 59,
      cert_request_pem: 68,
      validity_period_hours: 76,
      allowed_uses: 86,
      is_ca_certificate: 106,
      set_subject_key_id: 130,
    },
  },
  tls_self_signed_cert: {
    file: 'internal/provider/resource_self_signed_cert.go',
    attributes: {
      private_key_pem: 52,
      validity_period_hours: 63,
      allowed_uses: 73,
      dns_names: 93,
      ip_addresses: 101,
      uris: 114,
      is_ca_certificate: 142,
      set_subject_key_id: 151,
      set_authority_key_id: 161,
      subject: 228,
      ...SUBJECT({
        organization: 238,
        common_name: 245,
        organizational_unit: 252,
        street_address: 259,
        locality: 267,
        province: 274,
        country: 281,
        postal_code: 288,
        serial_number: 295,
        email_address: 302,
      }),
    },
  },
};

export const RANDOM_FORCE_NEW: Readonly<Record<string, ForceNewFacts>> = {
  random_password: {
    file: 'internal/provider/resource_password.go',
    // keepers: RequiresReplaceIfValuesNotNull; override_special: unless an empty string becomes null
    attributes: {
      keepers: 571,
      length: 581,
      special: 599,
      upper: 609,
      lower: 618,
      number: 628,
      numeric: 649,
      min_numeric: 668,
      min_upper: 678,
      min_lower: 688,
      min_special: 698,
      override_special: 708,
    },
  },
};

/** OpenTofu's built-in provider, at the engine version of lib/versions.ts. */
export const OPENTOFU_SOURCE: ProviderSource = {
  repository: 'https://github.com/opentofu/opentofu',
  tag: 'v1.11.7',
};

export const BUILTIN_FORCE_NEW: Readonly<Record<string, ForceNewFacts>> = {
  // PlanResourceChange: a changed triggers_replace is appended to RequiresReplace (line 142); a changed input
  // is an in-place update of output (line 153).
  terraform_data: { file: 'internal/builtin/providers/tf/resource_data.go', attributes: { triggers_replace: 142 } },
};
