/**
 * Picks the adapter for a region's cloud and configures its provider block in `stack`.
 */
import type { Construct } from 'constructs';

import type { RegionSpec } from '../spec/region-spec.js';

import { AlicloudCloud } from './alicloud/alicloud-cloud.js';
import { OpenstackCloud } from './openstack/openstack-cloud.js';
import type { ICloud } from './types.js';

export function createCloud(stack: Construct, spec: RegionSpec): ICloud {
  switch (spec.cloud) {
    case 'alicloud':
      return new AlicloudCloud(stack, spec.alicloud!);
    case 'openstack':
      return new OpenstackCloud(stack, spec.openstack!);
  }
}
