import { App, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import * as regionkit from '../index.js';

import { EXAMPLE_KEY } from './helpers.js';

describe('package entry', () => {
  test('an infra repo composes a region from the public API alone', () => {
    const app = new App({ outdir: '/nonexistent' });
    const [stack] = regionkit.addRegionStacks(app, [
      regionkit.resolveRegionSpec({
        name: 'lib-demo',
        cloud: 'openstack',
        openstack: { externalNetwork: 'ext' },
        zones: ['nova'],
        admin: { sshKeys: [EXAMPLE_KEY] },
        hostGroups: [{ name: 'web', count: 2 }],
        loadBalancers: [{ name: 'www', public: true, backends: 'web', listeners: [{ port: 443 }] }],
      }),
    ]);
    expect(stack!.node.id).toBe('lib-demo-infra');
    expect(regionkit.checkStack(JSON.parse(Testing.synth(stack!)))).toEqual([]);
  });
});
