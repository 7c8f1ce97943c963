/**
 * `regionkit deploy [regions...]`: applies the plans `regionkit plan` saved, in dependency order; never plans
 * again by itself. Refuses, before applying anything, a stack without a saved plan (when no stack has one) and
 * a plan that replaces or destroys a stateful resource that no `--allow-replace <address>` names.
 */
import { findEngine } from '../engine/engine.js';
import { deployStacks, readStacksManifest } from '../engine/lifecycle.js';
import type { Io } from '../io.js';
import {
  lifecycleOptions,
  regionNames,
  reportingEngineFailure,
  stacksOfRegions,
  type EngineOptions,
} from '../lifecycle-options.js';
import { EXIT_OK } from '../options.js';

/** Options of `regionkit deploy`. */
export interface DeployOptions extends EngineOptions {
  /** Addresses of stateful resources the plan may replace or destroy. @default - none */
  readonly allowReplace?: readonly string[];
  /** Print the outcome as JSON on stdout. @default false */
  readonly json?: boolean;
}

export async function run(regions: readonly string[], opts: DeployOptions, io: Io): Promise<number> {
  const engine = await findEngine(opts.engine, io.env);
  const lifecycle = lifecycleOptions(engine, opts, io);
  const stacks = stacksOfRegions(await readStacksManifest(lifecycle.outdir), await regionNames(regions, io));
  return reportingEngineFailure(io, opts.verbose, async () => {
    const results = await deployStacks(stacks, opts.allowReplace ?? [], lifecycle);
    io.out(
      opts.json
        ? `${JSON.stringify(results, null, 2)}\n`
        : results
            .map(
              (r) => `${r.stack}: ${r.status === 'applied' ? 'applied' : 'no saved plan: run regionkit plan again'}\n`,
            )
            .join(''),
    );
    return EXIT_OK;
  });
}
