/**
 * `regionkit destroy <region>`: destroys every stack of one region, dependents first, after the operator
 * types the region's name (or passes `--yes`, for CI).
 */
import { SpecError } from '../../lib/errors.js';
import { findEngine } from '../engine/engine.js';
import { destroyRegion, readStacksManifest } from '../engine/lifecycle.js';
import type { Io } from '../io.js';
import {
  lifecycleOptions,
  regionNames,
  reportingEngineFailure,
  stacksOfRegions,
  type EngineOptions,
} from '../lifecycle-options.js';
import { EXIT_INVALID, EXIT_OK } from '../options.js';

/** Options of `regionkit destroy`. */
export interface DestroyOptions extends EngineOptions {
  /** Skip the typed confirmation. @default false */
  readonly yes?: boolean;
}

export async function run(region: string, opts: DestroyOptions, io: Io): Promise<number> {
  const engine = await findEngine(opts.engine, io.env);
  const lifecycle = lifecycleOptions(engine, opts, io);
  const [name] = await regionNames([region], io);
  const stacks = stacksOfRegions(await readStacksManifest(lifecycle.outdir), [name!]);
  if (!opts.yes) {
    if (!io.ask) {
      throw new SpecError(`destroy of ${name} needs confirmation and there is no terminal to ask on`, {
        hint: `run it in a terminal and type the region name, or pass --yes`,
      });
    }
    const answer = await io.ask(`This destroys ${stacks.join(', ')}. Type the region name (${name}) to go on: `);
    if (answer?.trim() !== name) {
      io.err(`destroy of ${name} cancelled: the name typed did not match\n`);
      return EXIT_INVALID;
    }
  }
  return reportingEngineFailure(io, opts.verbose, async () => {
    const destroyed = await destroyRegion(stacks, lifecycle);
    io.out(destroyed.map((s) => `${s}: destroyed\n`).join(''));
    return EXIT_OK;
  });
}
