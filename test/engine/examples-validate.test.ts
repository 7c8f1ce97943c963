/**
 * Every stack of every example region (`-infra` and `-platform`) through the real engine: `init -backend=false` from the local mirror,
 * then `validate -json`, which runs each provider's own validation of every block (value ranges, allowed
 * values, conflicts, required blocks). Zero errors; a warning fails unless KNOWN_WARNINGS lists it with its
 * reason. With Terraform on the PATH the same runs under Terraform too.
 */
import path from 'node:path';

import { App } from 'cdktf';
import { describe, expect } from 'vitest';

import { initAndValidate, formatDiagnostic, findEngine, type Engine } from '../../bin/engine/engine.js';
import { pinnedProviders, type StackJson } from '../../bin/engine/stack-needs.js';
import { loadRegionFiles } from '../../lib/spec/load.js';
import { addRegionStacks } from '../../stacks/region-app.js';
import { EXAMPLE_FILES, K8S_EXAMPLE_FILES } from '../helpers.js';

import { tempDir, terraformOnPath, testWithEngine } from './engine-harness.js';

/** The four examples: their `-infra` stacks and the Kubernetes regions' `-platform` stacks. */
const ALL_EXAMPLES = [...EXAMPLE_FILES, ...K8S_EXAMPLE_FILES];

/** Warnings the engine prints for the examples that are accepted, each with why. */
const KNOWN_WARNINGS: readonly { readonly summary: RegExp; readonly why: string }[] = [];

async function synthExamples(): Promise<Map<string, string>> {
  const dir = await tempDir('engine-validate');
  const loaded = await loadRegionFiles(ALL_EXAMPLES);
  const app = new App({ outdir: dir });
  const stacks = addRegionStacks(
    app,
    loaded.map((l) => l.spec),
  );
  app.synth();
  return new Map(stacks.map((s) => [s.node.id, path.join(dir, 'stacks', s.node.id)]));
}

// The providers each example stack pins, read once from a synthesis at collection time.
const exampleProviders = new Map<string, { source: string; version: string }[]>();
{
  const loaded = await loadRegionFiles(ALL_EXAMPLES);
  const app = new App({ outdir: '/nonexistent-never-written', skipValidation: true });
  for (const stack of addRegionStacks(
    app,
    loaded.map((l) => l.spec),
  )) {
    const json = stack.toTerraform() as StackJson;
    exampleProviders.set(stack.node.id, pinnedProviders(json));
  }
}

async function expectValid(engine: Engine, stackDir: string): Promise<void> {
  const { init, validate } = await initAndValidate(engine, stackDir, process.env);
  expect(init.exitCode, `${engine.kind} init failed:\n${init.stderr}${init.stdout}`).toBe(0);
  const errors = validate!.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  expect(errors).toEqual([]);
  const unexpected = validate!.diagnostics
    .filter((d) => d.severity === 'warning' && !KNOWN_WARNINGS.some((k) => k.summary.test(d.summary)))
    .map(formatDiagnostic);
  expect(unexpected).toEqual([]);
  expect(validate!.valid).toBe(true);
}

describe.each([...exampleProviders].map(([stack, providers]) => [stack, providers] as const))(
  '%s passes the real engine',
  (stack, providers) => {
    testWithEngine('tofu validate: no errors, no unlisted warning', providers, async (engine) => {
      const dirs = await synthExamples();
      await expectValid(engine, dirs.get(stack)!);
    });
    const terraform = terraformOnPath();
    if (terraform) {
      testWithEngine('terraform validate: no errors, no unlisted warning', providers, async (tofu) => {
        const engine = await findEngine('terraform', process.env);
        expect(engine.cliConfigFile).toBe(tofu.cliConfigFile);
        const dirs = await synthExamples();
        await expectValid(engine, dirs.get(stack)!);
      });
    }
  },
);
