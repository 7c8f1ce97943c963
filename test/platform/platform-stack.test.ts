/**
 * `<region>-platform` on both clouds, from the Kubernetes example drafts on a test infra stack whose access tokens
 * are real tls resources: the whole stack (snapshot), providers configured only through remote state of the
 * infra stack, the stacks' order, the tenant baseline, the Gateway API releases and the storage classes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { App, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { stackOrder, type CdktfManifest } from '../../bin/engine/stack-order.js';
import { SpecError } from '../../lib/errors.js';
import { loadRegionFiles } from '../../lib/spec/load.js';
import type { RegionSpec } from '../../lib/spec/region-spec.js';
import { HELM_CHARTS } from '../../lib/versions.js';
import { PlatformStack, platformStackName } from '../../stacks/platform-stack.js';
import { infraStackName } from '../../stacks/region-stack.js';
import { tempDir } from '../engine/engine-harness.js';
import { K8S_EXAMPLE_FILES, minimalSpec } from '../helpers.js';

import { testInfraStack } from './test-infra.js';

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

const specs = new Map<string, RegionSpec>(
  (await loadRegionFiles(K8S_EXAMPLE_FILES)).map(({ spec }) => [spec.cloud, spec] as const),
);

/** The platform stack of `spec` beside its test infra stack, synthesized into `outdir` when given. */
function platformOf(spec: RegionSpec, outdir?: string): { app: App; platform: PlatformStack } {
  const app = outdir ? new App({ outdir, skipValidation: true }) : Testing.app();
  const infra = testInfraStack(app, infraStackName(spec.name));
  const platform = new PlatformStack(app, platformStackName(spec.name), { spec, access: infra.access });
  return { app, platform };
}

async function synthesized(spec: RegionSpec): Promise<{ json: Json; manifest: CdktfManifest }> {
  const dir = await tempDir('platform');
  const { app, platform } = platformOf(spec, dir);
  app.synth();
  const read = async (file: string) => JSON.parse(await readFile(path.join(dir, file), 'utf8')) as unknown;
  return {
    json: (await read(path.join('stacks', platform.node.id, 'cdk.tf.json'))) as Json,
    manifest: (await read('manifest.json')) as CdktfManifest,
  };
}

/** The synthesized resources of one type, metadata removed. */
function resources(json: Json, type: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, body] of Object.entries(json.resource?.[type] ?? {})) {
    const { ['//']: _metadata, ...rest } = body;
    out[name] = rest;
  }
  return out;
}

/** A nested block as synthesized: an object, or a list of one. */
function one<T>(block: unknown): T {
  return (Array.isArray(block) ? block[0] : block) as T;
}

describe.each(['alicloud', 'openstack'] as const)('PlatformStack on %s', (cloud) => {
  const spec = specs.get(cloud)!;

  test('synthesizes the whole stack (snapshot)', async () => {
    const { json } = await synthesized(spec);
    expect(json).toMatchSnapshot();
  });

  test('configures the kubernetes and helm providers only from the infra stack’s remote state', async () => {
    const { json } = await synthesized(spec);
    const remote = `data.terraform_remote_state.cross-stack-reference-input-${infraStackName(spec.name)}.outputs.`;
    const fields = ['client_certificate', 'client_key', 'cluster_ca_certificate', 'host'];
    const kubernetes = (json.provider!.kubernetes as unknown as Record<string, string>[])[0]!;
    const helm = (json.provider!.helm as unknown as { kubernetes: Record<string, string> }[])[0]!.kubernetes;
    for (const block of [kubernetes, helm]) {
      expect(Object.keys(block).sort()).toEqual(fields);
      for (const value of Object.values(block)) {
        expect(value).toMatch(
          new RegExp(`^\\$\\{${remote.replace(/[.$]/g, '\\$&')}cross-stack-output-[A-Za-z0-9_.-]+\\}$`),
        );
      }
    }
    expect(Object.keys(json.data!)).toEqual(['terraform_remote_state']);
    expect(json.data!.terraform_remote_state).toEqual({
      [`cross-stack-reference-input-${infraStackName(spec.name)}`]: {
        backend: 'local',
        config: { path: `../${infraStackName(spec.name)}/terraform.${infraStackName(spec.name)}.tfstate` },
        workspace: '${terraform.workspace}',
      },
    });
    // and nothing else in the stack names an endpoint: no URL but the chart repository's, no IP address
    const text = JSON.stringify(json);
    expect(text.match(/[a-z]+:\/\/[^"\s\\]+/g)).toEqual([HELM_CHARTS.envoyGateway.repository]);
    expect(text.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g)).toBeNull();
  });

  test('verifies the API server as the access’s tls server name, when it names one, on both providers', () => {
    const app = Testing.app();
    const infra = testInfraStack(app, infraStackName(spec.name));
    const platform = new PlatformStack(app, platformStackName(spec.name), {
      spec,
      access: { ...infra.access, tlsServerName: 'kubernetes' },
    });
    const json = JSON.parse(Testing.synth(platform)) as Json;
    const kubernetes = (json.provider!.kubernetes as unknown as Record<string, string>[])[0]!;
    const helm = (json.provider!.helm as unknown as { kubernetes: Record<string, string> }[])[0]!.kubernetes;
    expect(kubernetes.tls_server_name).toBe('kubernetes');
    expect(helm.tls_server_name).toBe('kubernetes');
  });

  test('is planned and applied after the infra stack (manifest dependency, regionkit’s stack order)', async () => {
    const { manifest } = await synthesized(spec);
    const platform = platformStackName(spec.name);
    expect(manifest.stacks[platform]!.dependencies).toEqual([infraStackName(spec.name)]);
    expect(stackOrder(manifest, [platform])).toEqual([infraStackName(spec.name), platform]);
  });

  test('gives every tenant a restricted namespace, its quota, defaults, policies and admin binding', async () => {
    const { json } = await synthesized(spec);
    const tenant = spec.tenants[0]!;
    const namespaces = Object.values(resources(json, 'kubernetes_namespace_v1')).map((n) =>
      one<{ name: string; labels: Record<string, string> }>(n.metadata),
    );
    const ns = namespaces.find((n) => n.name === tenant.name)!;
    expect(ns.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': `v${spec.cluster!.kind === 'kubernetes' ? spec.cluster!.version : ''}`,
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const ofTenant = (type: string) =>
      Object.entries(resources(json, type))
        .filter(([id]) => id.startsWith(`Tenants_${tenant.name}_`))
        .map(([, r]) => r);
    expect(spec.tenants.length).toBeGreaterThan(0);
    const [quota] = ofTenant('kubernetes_resource_quota_v1');
    expect(one<{ hard: unknown }>(quota!.spec).hard).toEqual({
      'requests.cpu': tenant.quota.cpu,
      'requests.memory': tenant.quota.memory,
      pods: `${tenant.quota.pods}`,
    });
    const policies = ofTenant('kubernetes_network_policy_v1').map((p) => one<{ name: string }>(p.metadata).name);
    expect(policies.sort()).toEqual(['allow-dns', 'allow-from-gateway', 'allow-same-namespace', 'default-deny']);
    const [binding] = ofTenant('kubernetes_role_binding_v1');
    expect(one(binding!.role_ref)).toEqual({
      api_group: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'admin',
    });
    expect(binding!.subject).toEqual([{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: tenant.group }]);
  });

  test('lets no other namespace in but the Gateway’s: every ingress peer is the own namespace or the Gateway’s', async () => {
    const { json } = await synthesized(spec);
    for (const tenant of spec.tenants) {
      const policies = Object.entries(resources(json, 'kubernetes_network_policy_v1'))
        .filter(([id]) => id.startsWith(`Tenants_${tenant.name}_`))
        .map(([, p]) =>
          one<{ pod_selector: unknown; policy_types: string[]; ingress?: { from: unknown[] }[] }>(p.spec),
        );
      // default-deny selects every pod for both directions
      expect(policies).toContainEqual({ pod_selector: {}, policy_types: ['Ingress', 'Egress'] });
      const peers = policies.flatMap((p) => (p.ingress ?? []).flatMap((rule) => rule.from));
      expect(peers.length).toBeGreaterThan(0);
      for (const peer of peers) {
        expect([
          { pod_selector: {} },
          { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } } },
        ]).toContainEqual(peer);
      }
      // no ipBlock anywhere: an address range could name another tenant's pods
      expect(JSON.stringify(policies)).not.toContain('ip_block');
    }
  });

  test('installs Envoy Gateway at the pinned chart, then the Gateways chart after it', async () => {
    const { json } = await synthesized(spec);
    const releases = Object.entries(resources(json, 'helm_release'));
    const [controllerId, controller] = releases.find(([, r]) => r.chart === HELM_CHARTS.envoyGateway.chart)!;
    expect(controller).toMatchObject({
      repository: HELM_CHARTS.envoyGateway.repository,
      version: HELM_CHARTS.envoyGateway.version,
    });
    const [, gateways] = releases.find(([, r]) => r.name === 'regionkit-gateways')!;
    expect(gateways.depends_on).toEqual([`helm_release.${controllerId}`]);
    expect(gateways.chart).toMatch(/^\.\/assets\/[A-Za-z0-9_]+\/[0-9A-F]{32}$/);
    const values = (gateways.values as string[])[0]!;
    for (const hostname of spec.tenants[0]!.hostnames) expect(values).toContain(`- ${hostname}`);
  });

  test('makes the cloud CSI class the default and a Retain class beside it', async () => {
    const { json } = await synthesized(spec);
    const classes = Object.values(resources(json, 'kubernetes_storage_class_v1'));
    const provisioner = cloud === 'alicloud' ? 'diskplugin.csi.alibabacloud.com' : 'cinder.csi.openstack.org';
    expect(classes.map((c) => [c.storage_provisioner, c.reclaim_policy])).toEqual([
      [provisioner, 'Delete'],
      [provisioner, 'Retain'],
    ]);
    const annotations = classes.map((c) => one<{ annotations?: Record<string, string> }>(c.metadata).annotations);
    expect(annotations).toEqual([{ 'storageclass.kubernetes.io/is-default-class': 'true' }, undefined]);
  });
});

test('fails if the region has no Kubernetes cluster', () => {
  const app = Testing.app();
  const infra = testInfraStack(app, 'test-infra');
  expect(
    () => new PlatformStack(app, 'test-platform', { spec: minimalSpec('openstack'), access: infra.access }),
  ).toThrow(SpecError);
  expect(
    () => new PlatformStack(app, 'test-platform2', { spec: minimalSpec('openstack'), access: infra.access }),
  ).toThrow(/stack test-platform2: a platform stack needs cluster kind kubernetes, got none/);
});
