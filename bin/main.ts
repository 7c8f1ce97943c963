/**
 * `regionkit`: synth, validate and list region files; plan, deploy, roll and destroy them with the engine; doctor; init.
 * Heavy modules (cdktf, constructs) load inside the actions, so `--help` stays instant.
 */
import { Command } from 'commander';

import type { DeployOptions } from './commands/deploy.js';
import type { DestroyOptions } from './commands/destroy.js';
import type { DoctorOptions } from './commands/doctor.js';
import type { PlanOptions } from './commands/plan.js';
import type { RollCommandOptions } from './commands/roll.js';
import type { EngineKind } from './engine/engine.js';
import { processIo, type Io } from './io.js';
import {
  EXIT_OK,
  parseEngine,
  parseHealthTimeout,
  parseParallelism,
  reportError,
  type GlobalOptions,
} from './options.js';

/** Runs the CLI on `argv` (as in `process.argv`) and returns the exit code; never exits the process. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = EXIT_OK;
  const program = new Command('regionkit')
    .description(
      'Synthesize whole cloud regions as Terraform JSON, and plan, deploy and destroy them with OpenTofu or Terraform',
    )
    .version(await packageVersion(), '-V, --version')
    .option('-v, --verbose', "print stack traces of internal errors and the engine's whole output")
    .option('-q, --quiet', 'no progress lines on stderr')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command('synth')
    .description(
      'render cdktf.out/stacks/<region>-infra (and <region>-platform for Kubernetes regions) for region files (all of regions/ by default)',
    )
    .argument('[files...]', 'region files (.yaml)')
    .option('-o, --out <dir>', 'output directory', 'cdktf.out')
    .option('--prune', 'remove stacks whose region file is gone (stale stacks are reported either way)')
    .action(async (files: string[], opts: { out: string; prune?: boolean }) => {
      code = await (await import('./commands/synth.js')).run(files, { ...globals(), ...opts }, io);
    });
  program
    .command('validate')
    .description('check region files and the Terraform JSON they synthesize against the provider schemas')
    .argument('[files...]', 'region files (.yaml)')
    .option(
      '--engine [engine]',
      'also run every stack through tofu or terraform validate (default engine: tofu)',
      engineOrFile,
    )
    .action(async (files: string[], opts: { engine?: EngineKind | true | { file: string } }) => {
      // `--engine regions/x.yaml`: the optional value took a file argument; give it back
      const engine = typeof opts.engine === 'object' ? true : opts.engine;
      const all = typeof opts.engine === 'object' ? [opts.engine.file, ...files] : files;
      code = await (
        await import('./commands/validate.js')
      ).run(all, { ...globals(), ...(engine ? { engine } : {}) }, io);
    });
  program
    .command('list')
    .description('list the regions and the stacks they synthesize')
    .argument('[files...]', 'region files (.yaml)')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], opts: { json?: boolean }) => {
      code = await (await import('./commands/list.js')).run(files, { ...globals(), ...opts }, io);
    });

  const engineCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .option('-o, --out <dir>', 'output directory holding the synthesized stacks', 'cdktf.out')
      .option(
        '--engine <engine>',
        'tofu or terraform (default: tofu, from the engine cache or the PATH, else terraform)',
        parseEngine,
      )
      .option('--parallelism <n>', "concurrent operations of the engine (default: the engine's, 10)", parseParallelism);
  engineCommand(
    'plan',
    'synth, then init and plan every stack of the regions in dependency order; saves each plan as <stack dir>/tfplan',
  )
    .argument('[regions...]', 'region names or files (all of regions/ by default)')
    .option('--json', 'machine-readable output')
    .action(async (regions: string[], opts: PlanOptions) => {
      code = await (await import('./commands/plan.js')).run(regions, { ...globals(), ...opts }, io);
    });
  engineCommand('deploy', 'apply the saved plans in dependency order (never plans again)')
    .argument('[regions...]', 'region names (all synthesized stacks by default)')
    .option(
      '--allow-replace <address>',
      'a stateful resource the plan may replace or destroy (repeatable)',
      collect,
      [],
    )
    .option('--json', 'machine-readable output')
    .action(async (regions: string[], opts: DeployOptions) => {
      code = await (await import('./commands/deploy.js')).run(regions, { ...globals(), ...opts }, io);
    });
  engineCommand('destroy', 'destroy every stack of one region, after you type its name')
    .argument('<region>', 'region name')
    .option('--yes', 'do not ask (for CI)')
    .action(async (region: string, opts: DestroyOptions) => {
      code = await (await import('./commands/destroy.js')).run(region, { ...globals(), ...opts }, io);
    });
  engineCommand(
    'roll',
    'replace the hosts of one group on purpose: zone by zone, within quorum, waiting for each step to be healthy',
  )
    .argument('<region>', 'region name or file')
    .argument('<group>', 'host group name')
    .option('--zone <zone>', 'only this zone: its number (from 1) or its name in the region file')
    .option(
      '--health-timeout <seconds>',
      "seconds to wait for each step's hosts to answer their health endpoint (0: do not wait)",
      parseHealthTimeout,
      900,
    )
    .option('--allow-replace <address>', 'a stateful resource a step may replace or destroy (repeatable)', collect, [])
    .option('--json', 'machine-readable output')
    .action(async (region: string, group: string, opts: RollCommandOptions) => {
      code = await (await import('./commands/roll.js')).run(region, group, { ...globals(), ...opts }, io);
    });
  program
    .command('init')
    .description(
      'scaffold an infra repo using regionkit as a library: package.json, tsconfig, cdktf.json, a region file, main.ts, a snapshot test',
    )
    .argument('[dir]', 'directory to create or fill (default: the current directory); must be empty unless --force')
    .option('--force', "write into a non-empty directory, replacing the scaffold's own files there")
    .action(async (dir: string | undefined, opts: { force?: boolean }) => {
      code = await (await import('./commands/init.js')).run(dir, { ...globals(), ...opts }, io);
    });
  program
    .command('doctor')
    .description('check that deploy can proceed from here: engine, plugins, credentials (names only), backend')
    .argument('[regions...]', 'region names or files (all of regions/ by default)')
    .option('--engine <engine>', 'tofu or terraform', parseEngine)
    .option('--json', 'machine-readable output')
    .action(async (regions: string[], opts: DoctorOptions) => {
      code = await (await import('./commands/doctor.js')).run(regions, { ...globals(), ...opts }, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'node' });
  } catch (err) {
    code = reportError(err, io, globals().verbose ?? false);
  }
  return code;
}

function engineOrFile(value: string): EngineKind | { file: string } {
  return value === 'tofu' || value === 'terraform' ? value : { file: value };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { PACKAGE_ROOT } = await import('../lib/providers/paths.js');
  const pkg = JSON.parse(await readFile(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string };
  return pkg.version;
}
