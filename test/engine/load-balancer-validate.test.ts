/**
 * Load balancers of every listener protocol, with the idle timeout at both ends of its range, through the real
 * engine and the pinned provider plugins. The openstack plugin runs; the alicloud one cannot be built here
 * (PLUGINS_NOT_SERVED), so that case is skipped with its reason and alicloud's ranges (`established_timeout`
 * IntBetween(10, 900), `idle_timeout` IntBetween(1, 60)) rest on the provider source at v1.289.0
 * (docs/load-balancer.md) and the schema conformance check.
 */
import path from 'node:path';

import { App } from 'cdktf';
import { describe, expect } from 'vitest';

import { initAndValidate, formatDiagnostic } from '../../bin/engine/engine.js';
import { pinnedProviders, type StackJson } from '../../bin/engine/stack-needs.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import { IDLE_TIMEOUT_SECONDS } from '../../lib/spec/region-spec.js';
import { RegionStack, type LoadBalancerInput } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES } from '../helpers.js';

import { tempDir, testWithEngine } from './engine-harness.js';

const LOAD_BALANCERS: LoadBalancerInput[] = [
  {
    name: 'mixed-short',
    backends: 'worker',
    listeners: [
      { port: 80, protocol: 'http' },
      { port: 9000, protocol: 'tcp' },
      { port: 53, protocol: 'udp' },
    ],
    idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS.min,
  },
  {
    name: 'http-longest',
    backends: 'worker',
    listeners: [{ port: 8080, protocol: 'http' }],
    healthCheck: { type: 'http', path: '/healthz' },
    idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS.maxHttp,
  },
  {
    name: 'tcp-longest',
    backends: 'worker',
    listeners: [{ port: 5432 }],
    idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS.max,
  },
];

async function build(file: string, outdir?: string): Promise<RegionStack> {
  const { spec } = await loadRegionFile(file);
  const app = new App({ outdir: outdir ?? '/nonexistent-never-written', skipValidation: true });
  const stack = new RegionStack(app, `${spec.name}-infra`, { spec });
  for (const lb of LOAD_BALANCERS) stack.addLoadBalancer(lb);
  if (outdir) app.synth();
  return stack;
}

const cases = await Promise.all(
  EXAMPLE_FILES.map(async (file) => {
    const stack = await build(file);
    return [path.basename(file, '.yaml'), file, pinnedProviders(stack.toTerraform() as StackJson)] as const;
  }),
);

describe.each(cases)('%s with load balancers of every protocol', (_name, file, providers) => {
  testWithEngine('tofu validate accepts every listener and idle timeout', providers, async (engine) => {
    const dir = await tempDir('lb-validate');
    const stack = await build(file, dir);
    const { init, validate } = await initAndValidate(engine, path.join(dir, 'stacks', stack.node.id), process.env);
    expect(init.exitCode, `${engine.kind} init failed:\n${init.stderr}${init.stdout}`).toBe(0);
    expect(validate!.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(validate!.valid).toBe(true);
  });
});
