/**
 * Picks the adapter for a region's cloud and configures its provider block in `stack`.
 */
import type { Construct } from 'constructs';

import type { RegionSpec } from '../spec/region-spec.js';

import { AlicloudCloud } from './alicloud/alicloud-cloud.js';
import { OpenstackCloud } from './openstack/openstack-cloud.js';
import type { ICloud } from './types.js';

/**
 * Adds the cloud's provider block (exact version, unqualified source) to `stack` and returns the adapter that maps
 * regionkit's cloud-neutral specs to that cloud's resources.
 */
export function createCloud(stack: Construct, spec: RegionSpec): ICloud {
  switch (spec.cloud) {
    case 'alicloud':
      return new AlicloudCloud(stack, spec.alicloud!);
    case 'openstack':
      return new OpenstackCloud(stack, spec.openstack!);
  }
}
