/**
 * `regionkit validate --engine`: each synthesized stack through the real engine, `init -backend=false` then
 * `validate -json`, so every provider validates its own blocks (value ranges, allowed values, conflicts).
 */
import { formatDiagnostic, initAndValidate, type Engine } from './engine.js';
import { EngineFailure, firstError } from './lifecycle.js';

type Env = Readonly<Record<string, string | undefined>>;

/** One stack's verdict: error and warning lines as the engine phrased them. */
export interface EngineVerdict {
  readonly stack: string;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** Validates each stack directory (`stack name → dir`) in turn. */
export async function validateWithEngine(
  engine: Engine,
  stackDirs: ReadonlyMap<string, string>,
  env: Env,
  progress: (line: string) => void,
): Promise<EngineVerdict[]> {
  const verdicts: EngineVerdict[] = [];
  for (const [stack, dir] of stackDirs) {
    progress(`${engine.kind} validate ${stack}`);
    const { init, validate } = await initAndValidate(engine, dir, env);
    if (!validate) {
      // A plugin that cannot be installed here is the machine's problem, not the stack's.
      throw new EngineFailure(`${stack}: ${engine.kind} init failed: ${firstError(init)}`, init.stderr);
    }
    const lines = (severity: 'error' | 'warning') =>
      validate.diagnostics.filter((d) => d.severity === severity).map(formatDiagnostic);
    verdicts.push({ stack, errors: lines('error'), warnings: lines('warning') });
  }
  return verdicts;
}
