/**
 * `regionkit validate --engine`: each synthesized stack through the real engine, `init -backend=false` then
 * `validate -json`, so every provider validates its own blocks (value ranges, allowed values, conflicts).
 */
import { formatDiagnostic, initAndValidate, type Engine } from './engine.js';
import { hasPlugin } from './layout.js';
import { EngineFailure, firstError } from './lifecycle.js';
import { pinnedProviders, readStackJson, type StackJson } from './stack-needs.js';

type Env = Readonly<Record<string, string | undefined>>;

/** One stack's verdict: error and warning lines as the engine phrased them. */
export interface EngineVerdict {
  readonly stack: string;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** Why the stack was not validated (a pinned plugin this machine does not have). */
  readonly skipped?: string;
}

/** Pinned providers of a stack that the engine cache's mirror lacks (none when the cache is not in use). */
function absentPlugins(engine: Engine, stack: StackJson): string[] {
  if (!engine.cliConfigFile || !engine.manifest) return [];
  return pinnedProviders(stack)
    .filter((p) => !hasPlugin(engine.manifest, p))
    .map((p) => `${p.source} ${p.version}`);
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
    const absent = absentPlugins(engine, await readStackJson(dir));
    if (absent.length > 0) {
      // init would go to the registry for them; without the plugin there is nothing to validate with here
      verdicts.push({ stack, errors: [], warnings: [], skipped: `no plugin on this machine for ${absent.join(', ')}` });
      continue;
    }
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
