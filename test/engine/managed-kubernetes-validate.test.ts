/**
 * Managed Kubernetes regions through the real engine: the OpenStack fixture (a Magnum cluster template, cluster
 * and per-zone node groups) and the Alibaba Cloud example (ACK) are synthesized and run through
 * `init -backend=false` and `validate -json` with the pinned plugins. The openstack plugin runs here; the
 * alicloud one cannot be built (PLUGINS_NOT_SERVED), so that case skips with its reason and the ACK stack rests
 * on the schema conformance check (test/stacks/managed-kubernetes.test.ts).
 */
import path from 'node:path';

import { App } from 'cdktf';
import { describe, expect } from 'vitest';

import { initAndValidate, formatDiagnostic } from '../../bin/engine/engine.js';
import { pinnedProviders, type StackJson } from '../../bin/engine/stack-needs.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { K8S_EXAMPLE_FILES, MAGNUM_FIXTURE } from '../helpers.js';

import { tempDir, testWithEngine } from './engine-harness.js';

async function build(file: string, outdir?: string): Promise<RegionStack> {
  const { spec } = await loadRegionFile(file);
  const app = new App({ outdir: outdir ?? '/nonexistent-never-written', skipValidation: true });
  const stack = new RegionStack(app, `${spec.name}-infra`, { spec });
  if (outdir) app.synth();
  return stack;
}

const FILES = [MAGNUM_FIXTURE, ...K8S_EXAMPLE_FILES.filter((f) => f.includes('alicloud'))];
const cases = await Promise.all(
  FILES.map(async (file) => {
    const stack = await build(file);
    return [path.basename(file, '.yaml'), file, pinnedProviders(stack.toTerraform() as StackJson)] as const;
  }),
);

describe.each(cases)('%s (managed Kubernetes) passes the real engine', (_name, file, providers) => {
  testWithEngine('tofu validate: no errors, no warnings', providers, async (engine) => {
    const dir = await tempDir('k8s-managed-validate');
    const stack = await build(file, dir);
    const { init, validate } = await initAndValidate(engine, path.join(dir, 'stacks', stack.node.id), process.env);
    expect(init.exitCode, `${engine.kind} init failed:\n${init.stderr}${init.stdout}`).toBe(0);
    expect(validate!.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(validate!.valid).toBe(true);
  });
});
