/**
 * plan and deploy against the real engine and a real provider (hashicorp/random, local state): dependency
 * order from cross-stack references, deferred plans, saved plans applied exactly once, and the refusal to
 * replace a stateful resource unless it is named.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { App, LocalBackend, TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { expect } from 'vitest';

import {
  deployStacks,
  planStacks,
  PLAN_FILE,
  readStacksManifest,
  type LifecycleOptions,
} from '../../bin/engine/lifecycle.js';
import { stackOrder } from '../../bin/engine/stack-order.js';
import { SpecError } from '../../lib/errors.js';
import { markStateful } from '../../lib/stateful.js';
import { ALL_PROVIDERS } from '../../lib/versions.js';

import { tempDir, testWithEngine } from './engine-harness.js';

const random = ALL_PROVIDERS.random;

/** hashicorp/random with no arguments (the prebuilt binding is not a dependency yet). */
class RandomProvider extends TerraformProvider {}

/** Two stacks: `base` holds a stateful random_pet, `app` reads its id through a cross-stack reference. */
function synthTwoStacks(outdir: string, keeper: string, petId = 'Pet'): void {
  const app = new App({ outdir });
  const stack = (id: string) => {
    const s = new TerraformStack(app, id);
    // the layout RegionStack writes: state in the stack's own directory, reachable from its siblings
    new LocalBackend(s, { path: `../${id}/terraform.${id}.tfstate` });
    new RandomProvider(s, 'random', {
      terraformResourceType: 'random',
      terraformGeneratorMetadata: { providerName: 'random', providerVersion: random.version },
      terraformProviderSource: random.source,
    });
    s.addOverride('terraform.required_providers.random.version', random.version);
    return s;
  };
  const base = stack('base');
  const pet = new TerraformResource(base, petId, { terraformResourceType: 'random_pet' });
  pet.addOverride('keepers', { generation: keeper });
  markStateful(pet, 'the name every host was given');
  const consumer = stack('app');
  const named = new TerraformResource(consumer, 'Named', { terraformResourceType: 'random_pet' });
  named.addOverride('prefix', pet.getStringAttribute('id'));
  app.synth();
}

function options(engine: LifecycleOptions['engine'], outdir: string, lines: string[]): LifecycleOptions {
  return { engine, outdir, env: { ...process.env }, cwd: outdir, progress: (l) => lines.push(l) };
}

testWithEngine(
  'plan and deploy follow cross-stack dependencies, and stateful replacement needs consent',
  [random],
  async (engine) => {
    const outdir = await tempDir('lifecycle');
    const lines: string[] = [];
    const opts = options(engine, outdir, lines);
    synthTwoStacks(outdir, 'one');

    // the consumer's dependency comes first, whatever the order asked for
    expect(stackOrder(await readStacksManifest(outdir), ['app'])).toEqual(['base', 'app']);

    // deploy refuses without any saved plan
    await expect(deployStacks(['app'], [], opts)).rejects.toThrow(/no saved plan for base, app/);

    // first plan: base adds one resource; app waits for base's outputs
    const first = await planStacks(['app'], opts);
    expect(first.map((p) => [p.stack, p.status])).toEqual([
      ['base', 'planned'],
      ['app', 'deferred'],
    ]);
    expect(first[0]!.status === 'planned' && first[0]!.summary).toMatchObject({ add: 1, change: 0, destroy: 0 });
    expect(existsSync(path.join(outdir, 'stacks', 'base', PLAN_FILE))).toBe(true);

    // deploy applies the saved plan of base once, and removes it; app has none yet
    const deployed = await deployStacks(['app'], [], opts);
    expect(deployed).toEqual([
      { stack: 'base', status: 'applied' },
      { stack: 'app', status: 'no-plan' },
    ]);
    expect(existsSync(path.join(outdir, 'stacks', 'base', PLAN_FILE))).toBe(false);
    expect(existsSync(path.join(outdir, 'stacks', 'base', 'terraform.base.tfstate'))).toBe(true);

    // second round: base unchanged, app reads base's state and adds its resource
    const second = await planStacks(['app'], opts);
    expect(second.map((p) => (p.status === 'planned' ? [p.stack, p.summary.add] : [p.stack, p.status]))).toEqual([
      ['base', 0],
      ['app', 1],
    ]);
    await deployStacks(['app'], [], opts);
    const appState = JSON.parse(readFileSync(path.join(outdir, 'stacks', 'app', 'terraform.app.tfstate'), 'utf8')) as {
      resources: { type: string; instances: { attributes: { id: string } }[] }[];
    };
    const basePet = (
      JSON.parse(readFileSync(path.join(outdir, 'stacks', 'base', 'terraform.base.tfstate'), 'utf8')) as typeof appState
    ).resources.find((r) => r.type === 'random_pet')!.instances[0]!.attributes.id;
    expect(
      appState.resources.find((r) => r.type === 'random_pet')!.instances[0]!.attributes.id.startsWith(basePet),
    ).toBe(true);

    // a change that replaces the stateful pet is named loudly and refused until allowed by address
    synthTwoStacks(outdir, 'two');
    const third = await planStacks(['base'], opts);
    const summary = third[0]!.status === 'planned' ? third[0]!.summary : undefined;
    expect(summary?.losing).toEqual([
      {
        address: expect.stringMatching(/^random_pet\.Pet/),
        action: 'replace',
        stateful: 'the name every host was given',
      },
    ]);
    const address = summary!.losing[0]!.address;
    const refusal = await deployStacks(['base'], [], opts).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(SpecError);
    expect((refusal as SpecError).message).toContain(`would replace ${address}`);
    expect((refusal as SpecError).hint).toContain(`--allow-replace ${address}`);
    expect(await deployStacks(['base'], [address], opts)).toEqual([{ stack: 'base', status: 'applied' }]);
    expect(lines.some((l) => l.startsWith('apply base'))).toBe(true);
  },
);
