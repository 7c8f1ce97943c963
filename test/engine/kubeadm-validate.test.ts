/**
 * The draft kubeadm example region (test/fixtures/k8s-drafts/example-openstack-k8s.yaml) built through
 * KubeadmCluster and checked by the real engine with the pinned plugins (openstack, tls, random). Until the
 * KubernetesCluster dispatcher wires `cluster: { kind: kubernetes, mode: kubeadm }` into RegionStack, the region's
 * host groups are made by a RegionStack without the cluster block, and the cluster by KubeadmCluster with the
 * block's settings, lib/net's planned ranges and the admin API sources (a public API address restricted to them),
 * as the dispatcher will.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { App } from 'cdktf';
import { expect } from 'vitest';
import { parse } from 'yaml';

import { initAndValidate, formatDiagnostic } from '../../bin/engine/engine.js';
import { pinnedProviders, type StackJson } from '../../bin/engine/stack-needs.js';
import { KubeadmCluster } from '../../constructs/cluster/kubeadm-cluster.js';
import { planClusterRanges } from '../../lib/net/network-plan.js';
import { PACKAGE_ROOT } from '../../lib/providers/paths.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import { adminApiSources, type RegionSpecInput } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';

import { tempDir, testWithEngine } from './engine-harness.js';

const DRAFT = path.join(PACKAGE_ROOT, 'test/fixtures/k8s-drafts/example-openstack-k8s.yaml');

async function build(outdir?: string): Promise<RegionStack> {
  const { spec } = await loadRegionFile(DRAFT);
  if (spec.cluster?.kind !== 'kubernetes' || !spec.cluster.kubeadm) throw new Error('the draft is a kubeadm region');
  const { cluster: _cluster, tenants: _tenants, ...plain } = parse(await readFile(DRAFT, 'utf8')) as RegionSpecInput;
  const app = new App({ outdir: outdir ?? '/nonexistent-never-written', skipValidation: true });
  const stack = new RegionStack(app, `${spec.name}-infra`, { spec: plain });
  const { ranges } = planClusterRanges({
    networkCidr: spec.network.cidr,
    zones: 3,
    podCidr: spec.cluster.podCidr,
    serviceCidr: spec.cluster.serviceCidr,
  });
  new KubeadmCluster(stack, 'Kubernetes', {
    name: spec.name,
    controlPlane: stack.hostGroups.get(spec.cluster.kubeadm.controlPlaneGroup)!,
    workers: spec.cluster.kubeadm.workerGroups.map((g) => stack.hostGroups.get(g)!),
    podCidr: ranges!.podCidr,
    serviceCidr: ranges!.serviceCidr,
    version: spec.cluster.version,
    apiSources: adminApiSources(spec),
  });
  for (const group of stack.hostGroups.values()) group.validateRoles();
  if (outdir) app.synth();
  return stack;
}

const providers = pinnedProviders((await build()).toTerraform() as StackJson);

testWithEngine(
  'tofu validate accepts the draft kubeadm region built through KubeadmCluster',
  providers,
  async (engine) => {
    expect(providers.map((p) => p.source).sort()).toEqual([
      'hashicorp/random',
      'hashicorp/tls',
      'terraform-provider-openstack/openstack',
    ]);
    const dir = await tempDir('kubeadm-validate');
    const stack = await build(dir);
    const { init, validate } = await initAndValidate(engine, path.join(dir, 'stacks', stack.node.id), process.env);
    expect(init.exitCode, `${engine.kind} init failed:\n${init.stderr}${init.stdout}`).toBe(0);
    expect(validate!.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(validate!.valid).toBe(true);
    // the API server's public address and its listener's allow-list are part of what was validated
    const json = stack.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.values(json.resource.openstack_lb_listener_v2!).map((l) => l.allowed_cidrs)).toEqual([
      expect.arrayContaining([...adminApiSources(stack.spec)]),
    ]);
    expect(Object.keys(json.resource)).toContain('openstack_networking_floatingip_associate_v2');
  },
);
