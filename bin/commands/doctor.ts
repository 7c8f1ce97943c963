/**
 * `regionkit doctor [regions...]`: can `deploy` proceed from here? The engine and its version, a plugin for
 * every provider the stacks pin, the credentials each cloud needs (names only) and the backend settings.
 * Exit 0 only when nothing failed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { doctorChecks, doctorExitCode, type Check } from '../engine/doctor.js';
import { findEngine, type Engine } from '../engine/engine.js';
import type { Io } from '../io.js';
import { regionFiles, type EngineOptions } from '../lifecycle-options.js';
import { loadAll, synthesizeInto } from '../synthesize.js';

/** Options of `regionkit doctor`. */
export interface DoctorOptions extends Omit<EngineOptions, 'out' | 'parallelism'> {
  /** Print the checks as JSON on stdout. @default false */
  readonly json?: boolean;
}

const MARK: Record<Check['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export async function run(regions: readonly string[], opts: DoctorOptions, io: Io): Promise<number> {
  const loaded = await loadAll(regions.length ? regionFiles(regions, io) : [], io);
  let engine: Engine | undefined;
  let engineError: string | undefined;
  try {
    engine = await findEngine(opts.engine, io.env);
  } catch (err) {
    engineError = err instanceof Error ? err.message : String(err);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-doctor-'));
  try {
    const stacks = await synthesizeInto(loaded, dir, io, true);
    const stackDirs = new Map(stacks.map((s) => [s.name, path.join(dir, s.relativeDir)]));
    const checks = await doctorChecks(engine, engineError, stackDirs, io.env, io.cwd);
    if (opts.json) io.out(`${JSON.stringify(checks, null, 2)}\n`);
    else {
      for (const c of checks) {
        io.out(`${MARK[c.status]}  ${c.subject}: ${c.detail}\n`);
        if (c.hint && c.status !== 'ok') io.out(`      ${c.hint}\n`);
      }
    }
    const code = doctorExitCode(checks);
    io.err(code === 0 ? 'deploy can proceed from here\n' : 'deploy cannot proceed from here: fix the FAIL lines\n');
    return code;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
