/**
 * What every command shares: exit codes, the global options and the mapping of errors to exit codes.
 * Commands import this module, never `main.ts`, so the command modules stay leaves of the import graph.
 */
import { CommanderError, InvalidArgumentError } from 'commander';

import { SpecError } from '../lib/errors.js';

import type { EngineKind } from './engine/engine.js';
import type { Io } from './io.js';

/** Success, also for `--help` and `--version`. */
export const EXIT_OK = 0;
/** Anything unexpected: a regionkit bug. */
export const EXIT_BUG = 1;
/** Invalid input: a spec error or a usage error. */
export const EXIT_INVALID = 2;
/** `regionkit roll` stopped at a failed step (the engine failed, or a replaced host did not become healthy). */
export const EXIT_STOPPED = 3;

/** Commander parser of `--health-timeout` (seconds, 0 to 86400). */
export function parseHealthTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 86400) throw new InvalidArgumentError('must be seconds from 0 to 86400');
  return n;
}

/** Options given before the command (`regionkit -q synth`). */
export interface GlobalOptions {
  /** Print stack traces of internal errors. @default false */
  readonly verbose?: boolean;
  /** No progress lines on stderr. @default false */
  readonly quiet?: boolean;
}

/** Maps an error to an exit code, printing what the user needs. */
export function reportError(err: unknown, io: Io, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // help and version exit "with error" in commander's model; they are successes here
    // help shown because no command was given is a usage error, and commander says so with a non-zero exitCode
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code)) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_INVALID;
    }
    return EXIT_INVALID;
  }
  if (err instanceof SpecError) {
    io.err(`error: ${err.message}\n`);
    if (err.hint) io.err(`hint: ${err.hint}\n`);
    return EXIT_INVALID;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  io.err(`internal error: ${error.message}\n`);
  io.err(verbose ? `${error.stack ?? ''}\n` : 'run with --verbose for the stack trace; this is a regionkit bug\n');
  return EXIT_BUG;
}

/** `count` followed by `noun`, pluralized with an `s` unless it is one. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Commander parser of `--engine`. */
export function parseEngine(value: string): EngineKind {
  if (value !== 'tofu' && value !== 'terraform') throw new InvalidArgumentError('must be tofu or terraform');
  return value;
}

/** Commander parser of `--parallelism`. */
export function parseParallelism(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('must be an integer from 1 to 256');
  return n;
}
