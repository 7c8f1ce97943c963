/**
 * Physical (cloud-side) names. Every name a resource gets in the cloud comes from here, so that one region's
 * resources are recognisable by prefix and never collide with another region's in the same account.
 */
import { SpecError } from './errors.js';

/** A DNS label: what every part of a name and every host name must be. */
export const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/** Longest host name both clouds accept as an RFC 1123 label (ECS allows 64, Nova and cloud-init 63). */
export const MAX_HOST_NAME = 63;

/** Longest resource name we emit; the tightest limit among the resource types we create (SLB names, 80). */
export const MAX_RESOURCE_NAME = 80;

/** `<region>-<part>-…`, lower-case; throws if the result is not a valid name for `limit` characters. */
export function physicalName(region: string, parts: readonly (string | number)[], limit = MAX_RESOURCE_NAME): string {
  const name = [region, ...parts].map((p) => String(p).toLowerCase()).join('-');
  if (name.length > limit || !DNS_LABEL.test(name)) {
    throw new SpecError(
      `name ${JSON.stringify(name)} must be at most ${limit} lower-case letters, digits and '-', got ${name.length} characters`,
      { hint: 'shorten the region or group name' },
    );
  }
  return name;
}

/** Host name of the `n`-th (1-based) host of a group: `<region>-<group>-<n>`. */
/**
 * Domain of a region's private DNS zone, `<region>.internal`: `.internal` is the top-level domain ICANN
 * reserved for private use (2024), so it is never delegated on the internet.
 * @see https://www.icann.org/en/board-activities-and-meetings/materials/approved-resolutions-special-meeting-of-the-icann-board-29-07-2024-en
 */
export function regionDnsDomain(region: string): string {
  return `${region}.internal`;
}

export function hostName(region: string, group: string, n: number): string {
  return physicalName(region, [group, n], MAX_HOST_NAME);
}
