/**
 * `regionkit`: synth, validate and list region files. Heavy modules (cdktf, constructs) load inside the
 * actions, so `--help` stays instant.
 */
import { Command } from 'commander';

import { processIo, type Io } from './io.js';
import { EXIT_OK, reportError, type GlobalOptions } from './options.js';

/** Runs the CLI on `argv` (as in `process.argv`) and returns the exit code; never exits the process. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = EXIT_OK;
  const program = new Command('regionkit')
    .description('Synthesize whole cloud regions (network, hosts, load balancers) as Terraform JSON')
    .version(await packageVersion(), '-V, --version')
    .option('-v, --verbose', 'print stack traces of internal errors')
    .option('-q, --quiet', 'no progress lines on stderr')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command('synth')
    .description('render cdktf.out/stacks/<region>-infra/cdk.tf.json for region files (all of regions/ by default)')
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
    .action(async (files: string[]) => {
      code = await (await import('./commands/validate.js')).run(files, globals(), io);
    });
  program
    .command('list')
    .description('list the regions and the stacks they synthesize')
    .argument('[files...]', 'region files (.yaml)')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], opts: { json?: boolean }) => {
      code = await (await import('./commands/list.js')).run(files, { ...globals(), ...opts }, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'node' });
  } catch (err) {
    code = reportError(err, io, globals().verbose ?? false);
  }
  return code;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { PACKAGE_ROOT } = await import('../lib/providers/paths.js');
  const pkg = JSON.parse(await readFile(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string };
  return pkg.version;
}
