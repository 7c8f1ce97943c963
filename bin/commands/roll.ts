/**
 * `regionkit roll <region> <group> [--zone Z]`: synth, then replace the group's hosts on purpose, zone by zone
 * and within quorum, waiting for each step's hosts to be healthy (bin/engine/roll.ts). Exit 0 when every step
 * passed, 3 when a step failed (later steps did not run), 2 for invalid input or pending changes.
 */
import { SpecError } from '../../lib/errors.js';
import { findEngine } from '../engine/engine.js';
import { DEFAULT_HEALTH_TIMEOUT_SECONDS, rollGroup, RollStopped } from '../engine/roll.js';
import { progress, type Io } from '../io.js';
import { lifecycleOptions, regionFiles, reportingEngineFailure, type EngineOptions } from '../lifecycle-options.js';
import { EXIT_OK, EXIT_STOPPED } from '../options.js';
import { loadAll } from '../synthesize.js';

import { run as synth } from './synth.js';

/** Options of `regionkit roll`. */
export interface RollCommandOptions extends EngineOptions {
  /** Only this zone: its number (1-based) or its name in the region file. @default - every zone, in order */
  readonly zone?: string;
  /** Seconds to wait for each step's hosts to answer their health endpoint; 0 does not wait. @default 900 */
  readonly healthTimeout?: number;
  /** Stateful resources a step may replace or destroy. @default - none */
  readonly allowReplace?: readonly string[];
  /** Print the steps as JSON on stdout. @default false */
  readonly json?: boolean;
}

export async function run(region: string, group: string, opts: RollCommandOptions, io: Io): Promise<number> {
  const files = regionFiles([region], io);
  const [loaded] = await loadAll(files, io);
  const spec = loaded!.spec;
  const zone = opts.zone === undefined ? undefined : zoneNumber(opts.zone, spec.zones);
  const synthIo: Io = { ...io, out: (text) => progress(io, opts.quiet, text.trimEnd()) };
  await synth(files, { out: opts.out, ...(opts.quiet ? { quiet: true } : {}) }, synthIo);
  const engine = await findEngine(opts.engine, io.env);
  const lifecycle = lifecycleOptions(engine, opts, io);
  return reportingEngineFailure(io, opts.verbose, async () => {
    try {
      const result = await rollGroup(`${spec.name}-infra`, group, {
        ...lifecycle,
        ...(zone !== undefined ? { zone } : {}),
        healthTimeoutSeconds: opts.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT_SECONDS,
        allowReplace: opts.allowReplace ?? [],
      });
      io.out(
        opts.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : result.steps.map((s, i) => `step ${i + 1}: zone ${s.zone}: replaced ${s.hosts.join(', ')}\n`).join(''),
      );
      return EXIT_OK;
    } catch (err) {
      if (!(err instanceof RollStopped)) throw err;
      io.err(`error: ${err.message}\n`);
      io.err(
        `replaced before the failure: ${err.replaced.length > 0 ? err.replaced.join(', ') : 'none'}; later steps did not run\n`,
      );
      return EXIT_STOPPED;
    }
  });
}

/** `--zone` as a zone number: a number from 1, or a zone name the region file lists. */
function zoneNumber(value: string, zones: number | readonly string[]): number {
  const count = typeof zones === 'number' ? zones : zones.length;
  const byName = typeof zones === 'number' ? -1 : zones.indexOf(value);
  if (byName >= 0) return byName + 1;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= count) return n;
  const names = typeof zones === 'number' ? '' : ` or one of ${zones.join(', ')}`;
  throw new SpecError(`--zone must be a zone number from 1 to ${count}${names}, got ${value}`);
}
