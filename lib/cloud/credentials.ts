/**
 * Which environment variables each cloud's provider (and state backend) reads its credentials from, by name
 * only: regionkit never reads or prints their values. `regionkit doctor` and `regionkit plan` use this to say
 * exactly what to set.
 */
import { ALICLOUD_CREDENTIALS } from './alicloud/credentials.js';
import { OPENSTACK_CREDENTIALS } from './openstack/credentials.js';

/** One way to authenticate: every variable of `all` set, or a file that exists. */
export interface CredentialSource {
  /** What this way is called in the provider's docs. */
  readonly name: string;
  /** Variables that must all be non-empty (any one of each inner list's aliases). */
  readonly all: readonly (readonly string[])[];
}

/** The credential sources of a cloud's provider. */
export interface CloudCredentials {
  readonly provider: string;
  readonly sources: readonly CredentialSource[];
  /** @see the provider's documentation at the pinned version */
  readonly see: string;
}

export const CLOUD_CREDENTIALS = {
  alicloud: ALICLOUD_CREDENTIALS,
  openstack: OPENSTACK_CREDENTIALS,
} as const satisfies Record<string, CloudCredentials>;

type Env = Readonly<Record<string, string | undefined>>;

/** The first source whose variables are all set, or undefined. */
export function credentialSourceIn(cloud: keyof typeof CLOUD_CREDENTIALS, env: Env): CredentialSource | undefined {
  return CLOUD_CREDENTIALS[cloud].sources.find((s) => s.all.every((aliases) => aliases.some((v) => !!env[v])));
}

/** `A and B`, or `C`, or …: how to satisfy one cloud, for messages. */
export function describeCredentials(cloud: keyof typeof CLOUD_CREDENTIALS): string {
  return CLOUD_CREDENTIALS[cloud].sources
    .map((s) => `${s.all.map((aliases) => aliases[0]).join(' and ')} (${s.name})`)
    .join(', or ');
}
