/**
 * The host-role settings that apply to one group: the region's `hostConfig` with the group's overrides.
 */
import type { HostConfig, HostGroupSpec, RegionSpec } from './region-spec.js';

export function groupHostConfig(
  spec: Pick<RegionSpec, 'hostConfig'>,
  group: Pick<HostGroupSpec, 'hostConfig'>,
): HostConfig {
  const overrides = Object.fromEntries(Object.entries(group.hostConfig ?? {}).filter(([, v]) => v !== undefined));
  return { ...spec.hostConfig, ...overrides } as HostConfig;
}
