/**
 * `regionkit plan [regions...]`: synth, then `init` and `plan -out=tfplan` per stack in dependency order. Prints
 * a table of add/change/destroy per stack (or `--json`), and a loud line on stderr for every resource the plan
 * would replace or destroy.
 */
import { findEngine } from '../engine/engine.js';
import { planStacks, readStacksManifest, type StackPlan } from '../engine/lifecycle.js';
import { progress, displayPath, type Io } from '../io.js';
import {
  lifecycleOptions,
  regionFiles,
  reportingEngineFailure,
  stacksOfRegions,
  type EngineOptions,
} from '../lifecycle-options.js';
import { EXIT_OK } from '../options.js';
import { loadAll } from '../synthesize.js';

import { run as synth } from './synth.js';

/** Options of `regionkit plan`. */
export interface PlanOptions extends EngineOptions {
  /** Print the plans as JSON on stdout. @default false */
  readonly json?: boolean;
}

export async function run(regions: readonly string[], opts: PlanOptions, io: Io): Promise<number> {
  const files = regionFiles(regions, io);
  const loaded = await loadAll(files, io);
  // synth's own stdout (the stack files) is progress here: plan's stdout is the plan table
  const synthIo: Io = { ...io, out: (text) => progress(io, opts.quiet, text.trimEnd()) };
  await synth(files, { out: opts.out, ...(opts.quiet ? { quiet: true } : {}) }, synthIo);
  const engine = await findEngine(opts.engine, io.env);
  const lifecycle = lifecycleOptions(engine, opts, io);
  const manifest = await readStacksManifest(lifecycle.outdir);
  const stacks = stacksOfRegions(
    manifest,
    loaded.map((l) => l.spec.name),
  );
  return reportingEngineFailure(io, opts.verbose, async () => {
    const plans = await planStacks(stacks, lifecycle);
    for (const plan of plans) {
      if (plan.status !== 'planned') continue;
      for (const loss of plan.summary.losing) {
        io.err(
          `!!! ${plan.stack}: ${loss.address} will be ${loss.action === 'replace' ? 'REPLACED' : 'DESTROYED'}` +
            `${loss.stateful ? ` — it holds state (${loss.stateful}); deploy refuses unless --allow-replace ${loss.address}` : ''}\n`,
        );
      }
    }
    io.out(
      opts.json
        ? `${JSON.stringify(
            plans.map((p) => jsonPlan(p, io)),
            null,
            2,
          )}\n`
        : table(plans, io) + olderConfiguration(plans),
    );
    return EXIT_OK;
  });
}

function jsonPlan(plan: StackPlan, io: Io): unknown {
  return plan.status === 'planned' ? { ...plan, planFile: displayPath(io, plan.planFile) } : plan;
}

/** Per group, the hosts that run an older configuration than a new host would get (immutable hosts ignore it). */
function olderConfiguration(plans: readonly StackPlan[]): string {
  return plans
    .flatMap((p) =>
      p.status === 'planned'
        ? p.summary.olderConfiguration.map(
            (o) =>
              `${p.stack}: group ${o.group}: ${o.hosts.length === 1 ? '1 host runs' : `${o.hosts.length} hosts run`} an older configuration ` +
              `(${o.hosts.join(', ')}); regionkit roll ${p.stack.replace(/-[a-z0-9]+$/, '')} ${o.group} replaces them\n`,
          )
        : [],
    )
    .join('');
}

function table(plans: readonly StackPlan[], io: Io): string {
  const rows = [
    ['stack', 'add', 'change', 'destroy', 'plan'],
    ...plans.map((p) =>
      p.status === 'planned'
        ? [
            p.stack,
            String(p.summary.add),
            String(p.summary.change),
            String(p.summary.destroy),
            displayPath(io, p.planFile),
          ]
        : [p.stack, '-', '-', '-', `deferred: plan again after deploying ${p.waitsFor.join(', ')}`],
    ),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') +
    '\n'
  );
}
