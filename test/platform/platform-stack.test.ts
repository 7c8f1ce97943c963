/**
 * `<region>-platform` on both clouds, from the Kubernetes example drafts on a test infra stack whose access tokens
 * are real tls resources: the whole stack (snapshot), providers configured only through remote state of the
 * infra stack, the stacks' order, the tenant baseline, the Gateway API releases and the storage classes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { App, TerraformStack, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { stackOrder, type CdktfManifest } from '../../bin/engine/stack-order.js';
import { CloudProvider } from '../../constructs/platform/cloud-provider.js';
import { NETWORK_POLICY_AGENT } from '../../constructs/platform/network-policy-agent.js';
import { managedCni } from '../../lib/cloud/kubernetes-network.js';
import { SpecError } from '../../lib/errors.js';
import { loadRegionFile, loadRegionFiles } from '../../lib/spec/load.js';
import type { RegionSpec } from '../../lib/spec/region-spec.js';
import { ALICLOUD_CCM, HELM_CHARTS } from '../../lib/versions.js';
import { PlatformStack, platformStackName } from '../../stacks/platform-stack.js';
import { infraStackName } from '../../stacks/region-stack.js';
import { tempDir } from '../engine/engine-harness.js';
import { ALICLOUD_KUBEADM_FIXTURE, K8S_EXAMPLE_FILES, MAGNUM_FIXTURE, minimalSpec } from '../helpers.js';

import { platformProps, testInfraStack } from './test-infra.js';

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

const specs = new Map<string, RegionSpec>(
  (await loadRegionFiles(K8S_EXAMPLE_FILES)).map(({ spec }) => [spec.cloud, spec] as const),
);

/** The platform stack of `spec` beside its test infra stack, synthesized into `outdir` when given. */
function platformOf(spec: RegionSpec, outdir?: string): { app: App; platform: PlatformStack } {
  const app = outdir ? new App({ outdir, skipValidation: true }) : Testing.app();
  const infra = testInfraStack(app, infraStackName(spec.name));
  const platform = new PlatformStack(app, platformStackName(spec.name), platformProps(spec, infra));
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
    // and nothing else in the stack names an endpoint: no URL but the chart repositories', no IP address but
    // the start of a kubeadm cluster's pod range (Flannel's network)
    const text = JSON.stringify(json);
    const kubeadm = spec.cluster?.kind === 'kubernetes' && spec.cluster.mode === 'kubeadm';
    const charts = kubeadm
      ? [
          HELM_CHARTS.envoyGateway,
          HELM_CHARTS.flannel,
          HELM_CHARTS.openstackCloudControllerManager,
          HELM_CHARTS.openstackCinderCsi,
        ]
      : [HELM_CHARTS.envoyGateway];
    expect(text.match(/[a-z]+:\/\/[^"\s\\]+/g)?.sort()).toEqual(charts.map((c) => c.repository).sort());
    const podRange = spec.cluster?.kind === 'kubernetes' ? spec.cluster.podCidr : undefined;
    expect(text.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g)).toEqual(kubeadm ? [podRange!.split('/')[0]] : null);
  });

  test('verifies the API server as the access’s tls server name, when it names one, on both providers', () => {
    const app = Testing.app();
    const infra = testInfraStack(app, infraStackName(spec.name));
    const props = platformProps(spec, infra);
    const platform = new PlatformStack(app, platformStackName(spec.name), {
      ...props,
      access: { ...props.access, tlsServerName: 'kubernetes' },
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

describe('PlatformStack of a kubeadm cluster (openstack example)', () => {
  const spec = specs.get('openstack')!;
  const remote = `\${data.terraform_remote_state.cross-stack-reference-input-${infraStackName(spec.name)}.outputs.`;

  test('the example is a kubeadm cluster with its pod range given', () => {
    expect(spec.cluster).toMatchObject({ kind: 'kubernetes', mode: 'kubeadm', podCidr: '172.20.0.0/16' });
  });

  test('installs Flannel (VXLAN, NetworkPolicy agent on) on the planned pod range, in a privileged namespace', async () => {
    const { json } = await synthesized(spec);
    const releases = Object.values(resources(json, 'helm_release'));
    const flannel = releases.find((r) => r.chart === HELM_CHARTS.flannel.chart)!;
    expect(flannel).toMatchObject({
      repository: HELM_CHARTS.flannel.repository,
      version: HELM_CHARTS.flannel.version,
      namespace: expect.stringMatching(
        /^\$\{kubernetes_namespace_v1\.PodNetwork_Namespace_[0-9A-F]+\.metadata\[0\]\.name\}$/,
      ),
    });
    const values = parse((flannel.values as string[])[0]!) as Record<string, unknown>;
    expect(values).toEqual({
      podCidr: '172.20.0.0/16',
      flannel: { backend: 'vxlan', resources: { requests: { cpu: '100m', memory: '50Mi' } } },
      netpol: { enabled: true },
    });
    const ns = Object.values(resources(json, 'kubernetes_namespace_v1'))
      .map((n) => one<{ name: string; labels: Record<string, string> }>(n.metadata))
      .find((n) => n.name === 'kube-flannel')!;
    expect(ns.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('writes cloud.conf from the infra stack into the Secret both charts mount, and no credential into values', async () => {
    const { json } = await synthesized(spec);
    const [secret, ...more] = Object.values(resources(json, 'kubernetes_secret_v1'));
    expect(more).toEqual([]);
    expect(one(secret!.metadata)).toMatchObject({ name: 'cloud-config', namespace: 'kube-system' });
    expect(secret!.data).toEqual({
      'cloud.conf': expect.stringMatching(
        new RegExp(`^${remote.replace(/[.$]/g, '\\$&')}cross-stack-output-[^}]+\\}$`),
      ),
    });
    const releases = Object.values(resources(json, 'helm_release'));
    const ccm = releases.find((r) => r.chart === HELM_CHARTS.openstackCloudControllerManager.chart)!;
    const csi = releases.find((r) => r.chart === HELM_CHARTS.openstackCinderCsi.chart)!;
    for (const [release, pin] of [
      [ccm, HELM_CHARTS.openstackCloudControllerManager],
      [csi, HELM_CHARTS.openstackCinderCsi],
    ] as const) {
      expect(release).toMatchObject({ repository: pin.repository, version: pin.version, namespace: 'kube-system' });
      const values = parse((release.values as string[])[0]!) as { secret: Record<string, unknown> };
      expect(values.secret).toMatchObject({ enabled: true, create: false, name: 'cloud-config' });
      expect((release.values as string[])[0]).not.toContain('remote_state');
      expect(release.depends_on).toContain(
        `kubernetes_secret_v1.${Object.keys(resources(json, 'kubernetes_secret_v1'))[0]}`,
      );
    }
    expect(parse((csi.values as string[])[0]!)).toMatchObject({ storageClass: { enabled: false } });
  });

  test('gives everything it installs resource requests, and the CSI controller two replicas and a PodDisruptionBudget', async () => {
    const { json } = await synthesized(spec);
    const releases = Object.values(resources(json, 'helm_release'));
    const csi = parse(
      (releases.find((r) => r.chart === HELM_CHARTS.openstackCinderCsi.chart)!.values as string[])[0]!,
    ) as { csi: Record<string, { resources?: unknown; controllerPlugin?: { replicas: number } }> };
    for (const container of [
      'attacher',
      'provisioner',
      'snapshotter',
      'resizer',
      'livenessprobe',
      'nodeDriverRegistrar',
      'plugin',
    ]) {
      expect(csi.csi[container]!.resources, container).toMatchObject({
        requests: { cpu: expect.any(String), memory: expect.any(String) },
      });
    }
    expect(csi.csi.plugin!.controllerPlugin).toEqual({ replicas: 2 });
    const ccm = parse(
      (releases.find((r) => r.chart === HELM_CHARTS.openstackCloudControllerManager.chart)!.values as string[])[0]!,
    ) as { resources: unknown };
    expect(ccm.resources).toEqual({ requests: { cpu: '200m', memory: '128Mi' } });
    const pdbs = Object.values(resources(json, 'kubernetes_pod_disruption_budget_v1'));
    expect(pdbs.map((p) => one(p.spec))).toEqual([
      {
        min_available: '1',
        selector: {
          match_labels: { app: 'openstack-cinder-csi', component: 'controllerplugin', release: 'cinder-csi' },
        },
      },
    ]);
    // the PDB does not wait for the release: it applies (and is checked) without the charts
    expect(pdbs[0]!.depends_on).toBeUndefined();
  });

  test('installs Envoy Gateway after the pod network and the cloud controller manager', async () => {
    const { json } = await synthesized(spec);
    const releases = Object.entries(resources(json, 'helm_release'));
    const id = (chart: string) => `helm_release.${releases.find(([, r]) => r.chart === chart)![0]}`;
    const [, envoy] = releases.find(([, r]) => r.chart === HELM_CHARTS.envoyGateway.chart)!;
    expect(envoy.depends_on).toEqual([
      id(HELM_CHARTS.flannel.chart),
      id(HELM_CHARTS.openstackCloudControllerManager.chart),
    ]);
  });

  test('fails if a kubeadm cluster on openstack has no cloud integration, or a managed one has one', () => {
    const app = Testing.app();
    const infra = testInfraStack(app, 'test-infra');
    expect(() => new PlatformStack(app, 'p1', { spec, access: infra.access })).toThrow(
      'stack p1: a kubeadm cluster on openstack needs props.cloudIntegration (KubeadmCluster.cloudIntegration)',
    );
    const managed = specs.get('alicloud')!;
    expect(
      () =>
        new PlatformStack(app, 'p2', { spec: managed, access: infra.access, cloudIntegration: infra.cloudIntegration }),
    ).toThrow("stack p2: cloudIntegration is for kubeadm clusters; a managed cluster runs its cloud's own");
    const alicloudKubeadm = {
      ...spec,
      cloud: 'alicloud' as const,
      openstack: undefined,
      alicloud: { region: 'cn-hangzhou' },
    };
    expect(
      () =>
        new PlatformStack(app, 'p3', {
          spec: alicloudKubeadm as never,
          access: infra.access,
          cloudIntegration: infra.cloudIntegration,
        }),
    ).toThrow(/integration is of cloud openstack, the region's cloud is alicloud/);
  });
});

const alicloudKubeadm = (await loadRegionFiles([ALICLOUD_KUBEADM_FIXTURE]))[0]!.spec;

describe('PlatformStack of a kubeadm cluster on alicloud (test fixture)', () => {
  const spec = alicloudKubeadm;
  const remote = `\${data.terraform_remote_state.cross-stack-reference-input-${infraStackName(spec.name)}.outputs.`;
  const csiRelease = (json: Json) =>
    Object.values(resources(json, 'helm_release')).find((r) => r.chart === HELM_CHARTS.alicloudCsiDriver.chart)!;

  test('snapshot', async () => {
    const { json } = await synthesized(spec);
    expect(json).toMatchSnapshot();
  });

  test('writes the cloud config and the AccessKey from the infra stack into one Secret, nothing else', async () => {
    const { json } = await synthesized(spec);
    const [secret, ...more] = Object.values(resources(json, 'kubernetes_secret_v1'));
    expect(more).toEqual([]);
    expect(one(secret!.metadata)).toMatchObject({ name: 'cloud-config', namespace: 'kube-system' });
    const ref = expect.stringMatching(new RegExp(`^${remote.replace(/[.$]/g, '\\$&')}cross-stack-output-[^}]+\\}$`));
    expect(secret!.data).toEqual({ 'cloud-config.conf': ref, id: ref, secret: ref });
    expect((csiRelease(json).values as string[])[0]).not.toContain('remote_state');
  });

  test('runs the CCM v2.14.0 on the control plane: image, flags, the Secret mounted, requests, RBAC, PDB', async () => {
    const { json } = await synthesized(spec);
    const [[dsName, ds], ...more] = Object.entries(resources(json, 'kubernetes_daemon_set_v1'));
    expect(more).toEqual([]);
    expect(one(ds!.metadata)).toMatchObject({ name: 'cloud-controller-manager', namespace: 'kube-system' });
    type Pod = {
      spec: {
        host_network: boolean;
        node_selector: Record<string, string>;
        service_account_name: string;
        container: { image: string; command: string[]; resources: unknown; volume_mount: unknown[] }[];
        volume: { secret: unknown }[];
      };
    };
    const pod = one<{ template: Pod }>(ds!.spec).template;
    const podSpec = one<Pod['spec']>(one<Pod>(pod).spec);
    expect(podSpec.host_network).toBe(true);
    expect(podSpec.node_selector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(podSpec.service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\..*\.metadata\[0\]\.name\}$/);
    const [container] = podSpec.container;
    expect(container!.image).toBe(ALICLOUD_CCM.image);
    expect(container!.command).toEqual([
      '/cloud-controller-manager',
      '--cloud-config=/etc/kubernetes/config/cloud-config.conf',
      '--metrics-bind-addr=0',
      '--configure-cloud-routes=false',
      '--controllers=node,service',
      `--cluster-name=${spec.name}`,
    ]);
    expect(one(container!.resources)).toMatchObject({ requests: { cpu: '100m', memory: '200Mi' } });
    expect(one(podSpec.volume[0]!.secret)).toMatchObject({
      secret_name: 'cloud-config',
      items: [{ key: 'cloud-config.conf', path: 'cloud-config.conf' }],
    });
    const secretId = Object.keys(resources(json, 'kubernetes_secret_v1'))[0]!;
    expect(ds!.depends_on).toContain(`kubernetes_secret_v1.${secretId}`);
    const roles = Object.values(resources(json, 'kubernetes_cluster_role_v1')).filter(
      (r) => one<{ name: string }>(r.metadata).name === 'system:cloud-controller-manager',
    );
    expect(roles).toHaveLength(1);
    expect(roles[0]!.rule).toContainEqual({
      api_groups: [''],
      resources: ['nodes/status'],
      verbs: ['patch', 'update'],
    });
    const bindings = Object.values(resources(json, 'kubernetes_cluster_role_binding_v1'));
    expect(bindings.map((b) => one(b.subject))).toEqual([
      expect.objectContaining({
        kind: 'ServiceAccount',
        name: expect.stringContaining('kubernetes_service_account_v1'),
      }),
    ]);
    const pdbs = Object.values(resources(json, 'kubernetes_pod_disruption_budget_v1')).map((p) => one(p.spec));
    expect(pdbs).toEqual([
      { max_unavailable: '1', selector: { match_labels: { app: 'cloud-controller-manager', tier: 'control-plane' } } },
    ]);
    expect(dsName).toBeDefined();
  });

  test('installs the disk CSI chart only (no NAS, OSS), outside ACK, with the AccessKey Secret and the region', async () => {
    const { json } = await synthesized(spec);
    const csi = csiRelease(json);
    expect(csi).toMatchObject({
      repository: HELM_CHARTS.alicloudCsiDriver.repository,
      version: HELM_CHARTS.alicloudCsiDriver.version,
      namespace: 'kube-system',
    });
    expect(parse((csi.values as string[])[0]!)).toEqual({
      csi: { nas: { enabled: false }, oss: { enabled: false } },
      defaultStorageClass: { enabled: false },
      deploy: { ack: false, regionID: 'cn-hangzhou', accessKey: { enabled: true, secretName: 'cloud-config' } },
    });
    const dsId = Object.keys(resources(json, 'kubernetes_daemon_set_v1'))[0]!;
    expect(csi.depends_on).toContain(`kubernetes_daemon_set_v1.${dsId}`);
    // the storage classes name the driver the chart installs
    const classes = Object.values(resources(json, 'kubernetes_storage_class_v1'));
    expect(classes.map((c) => c.storage_provisioner)).toEqual([
      'diskplugin.csi.alibabacloud.com',
      'diskplugin.csi.alibabacloud.com',
    ]);
  });

  test('installs Envoy Gateway after Flannel and the CCM', async () => {
    const { json } = await synthesized(spec);
    const releases = Object.entries(resources(json, 'helm_release'));
    const [, envoy] = releases.find(([, r]) => r.chart === HELM_CHARTS.envoyGateway.chart)!;
    const flannel = releases.find(([, r]) => r.chart === HELM_CHARTS.flannel.chart)![0];
    const dsId = Object.keys(resources(json, 'kubernetes_daemon_set_v1'))[0]!;
    expect(envoy.depends_on).toEqual([`helm_release.${flannel}`, `kubernetes_daemon_set_v1.${dsId}`]);
  });

  test('fails without a cloud integration, or without the Alibaba Cloud region', () => {
    const app = Testing.app();
    const infra = testInfraStack(app, 'test-infra');
    expect(() => new PlatformStack(app, 'p1', { spec: spec, access: infra.access })).toThrow(
      'stack p1: a kubeadm cluster on alicloud needs props.cloudIntegration (KubeadmCluster.cloudIntegration)',
    );
    const scope = new TerraformStack(app, 'test-platform');
    expect(
      () =>
        new CloudProvider(scope, 'CloudProvider', {
          cloud: 'alicloud',
          clusterName: 'test',
          integration: infra.alicloudIntegration,
        }),
    ).toThrow(SpecError);
  });
});

describe('NetworkPolicy enforcement', () => {
  test('a managed cluster whose CNI ignores NetworkPolicy (ACK Flannel) gets kube-network-policies', async () => {
    const { json } = await synthesized(specs.get('alicloud')!);
    expect(Object.keys(resources(json, 'kubernetes_daemon_set_v1'))).toEqual([
      expect.stringMatching(/^NetworkPolicyAgent_DaemonSet_/),
    ]);
    const role = Object.values(resources(json, 'kubernetes_cluster_role_v1')).find(
      (r) => one<{ name: string }>(r.metadata).name === NETWORK_POLICY_AGENT,
    );
    expect(role?.rule).toContainEqual({
      api_groups: ['networking.k8s.io'],
      resources: ['networkpolicies'],
      verbs: ['list', 'watch'],
    });
  });

  test('a managed cluster on Calico (Magnum) and a kubeadm cluster (Flannel with its netpol agent) do not', async () => {
    expect(managedCni('openstack').enforcesNetworkPolicy).toBe(true);
    const kubeadm = platformOf(specs.get('openstack')!).platform;
    expect(kubeadm.networkPolicyAgent).toBeUndefined();
    expect(kubeadm.podNetwork).toBeDefined(); // Flannel with `netpol.enabled` (pod-network.ts)
    const app = Testing.app();
    const { spec: managed } = await loadRegionFile(MAGNUM_FIXTURE);
    const infra = testInfraStack(app, infraStackName(managed.name));
    const platform = new PlatformStack(app, platformStackName(managed.name), { spec: managed, access: infra.access });
    expect(platform.networkPolicyAgent).toBeUndefined();
  });
});
