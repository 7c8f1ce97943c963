/**
 * Every example region (regions/*.yaml) synthesized into one app through addRegionStacks, as `regionkit synth`
 * does: the Mesos regions' `-infra` stacks and the Kubernetes regions' `-infra` and `-platform` stacks.
 */
import { App } from 'cdktf';

import { loadRegionFiles } from '../../lib/spec/load.js';
import { addRegionStacks, type RegionAppStack } from '../../stacks/region-app.js';
import { EXAMPLE_FILES, K8S_EXAMPLE_FILES } from '../helpers.js';

/** Every example's stacks in a new app (synthesized into `outdir` by `app.synth()`). */
export async function exampleStacks(outdir: string): Promise<{ app: App; stacks: RegionAppStack[] }> {
  const app = new App({ outdir, skipValidation: true });
  const loaded = await loadRegionFiles([...EXAMPLE_FILES, ...K8S_EXAMPLE_FILES]);
  const stacks = addRegionStacks(
    app,
    loaded.map((l) => l.spec),
  );
  return { app, stacks };
}
