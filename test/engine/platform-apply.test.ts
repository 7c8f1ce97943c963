/**
 * The platform stack's Kubernetes objects, applied for real: a kube-apiserver and kube-controller-manager
 * built from the k8s.io/kubernetes Go module run on loopback with Debian's etcd (test/engine/kube-apiserver.ts);
 * regionkit's own plan/deploy/destroy (bin/engine/lifecycle.ts, what `regionkit deploy` runs) drives OpenTofu
 * with the real kubernetes provider.
 *
 * The infra stack is a stand-in: the cloud that would make the cluster is not here, so a stack of the infra
 * stack's name holds the control plane's endpoint and credentials as variables, and the platform stack reads
 * them through the same cross-stack references it reads the real infra outputs with. The platform stack is
 * applied as synthesized, minus its Helm releases (their charts come from registries this machine cannot
 * reach) and what depends on them. A kubeadm region's cloud-provider Secret is written from stand-in variables
 * of the same stack (the real ones are the OpenStack adapter's local, and the Alibaba Cloud adapter's local and
 * AccessKey), applied and read back; on Alibaba Cloud also the CCM's ServiceAccount, RBAC, DaemonSet and
 * PodDisruptionBudget (the alicloud kubeadm test fixture).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { App, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { expect } from 'vitest';

import { deployStacks, destroyRegion, planStacks, type LifecycleOptions } from '../../bin/engine/lifecycle.js';
import type { KubernetesAccess } from '../../constructs/cluster/kubernetes-access.js';
import type { CloudKind, ClusterCloudIntegrationRefs } from '../../lib/cloud/types.js';
import { loadRegionFiles } from '../../lib/spec/load.js';
import { ALICLOUD_CCM } from '../../lib/versions.js';
import { PlatformStack } from '../../stacks/platform-stack.js';
import { ALICLOUD_KUBEADM_FIXTURE, K8S_EXAMPLE_FILES } from '../helpers.js';

import { testWithControlPlane } from './control-plane-harness.js';
import { getWithAdmin, type RunningControlPlane } from './kube-apiserver.js';

const REGION = 'apply-test';
const INFRA = `${REGION}-infra`;
const PLATFORM = `${REGION}-platform`;

/** What the stand-in `cloud.conf` holds: no credential, only what shows it arrived. */
const STAND_IN_CLOUD_CONF = '[Global]\n# regionkit platform-apply stand-in\n';

/** What the stand-in AccessKey holds (Alibaba Cloud integration): no credential, only what shows it arrived. */
const STAND_IN_ACCESS_KEY = { id: 'stand-in-access-key-id', secret: 'stand-in-access-key-secret' };

/** The control plane's access and the stand-in cloud.conf, as the stand-in infra stack's variables take them. */
function standInEnv(cp: RunningControlPlane): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_VAR_endpoint: cp.endpoint,
    TF_VAR_cluster_ca_certificate: cp.caPem,
    TF_VAR_client_certificate: cp.clientCertPem,
    TF_VAR_client_key: cp.clientKeyPem,
    TF_VAR_cloud_conf: STAND_IN_CLOUD_CONF,
    TF_VAR_access_key_id: STAND_IN_ACCESS_KEY.id,
    TF_VAR_access_key_secret: STAND_IN_ACCESS_KEY.secret,
  };
}

/**
 * The stand-in infra stack: the control plane's endpoint and admin credentials as variables (set through
 * `TF_VAR_*`, never written into the JSON), with the state layout RegionStack gives every stack; and a kubeadm
 * cluster's cloud integration on either cloud, its files sensitive variables too (Alibaba Cloud's cloud config is
 * the same stand-in text as OpenStack's `cloud.conf`; the CCM that would read it is not run here).
 */
function standInInfra(app: App): {
  access: KubernetesAccess;
  integrations: Record<CloudKind, ClusterCloudIntegrationRefs>;
} {
  const stack = new TerraformStack(app, INFRA);
  new LocalBackend(stack, { path: `../${INFRA}/terraform.${INFRA}.tfstate` });
  const variable = (name: string, sensitive: boolean) =>
    new TerraformVariable(stack, name, { type: 'string', sensitive }).stringValue;
  const cloudConf = variable('cloud_conf', true);
  return {
    access: {
      endpoint: variable('endpoint', false),
      clusterCaCertificate: variable('cluster_ca_certificate', false),
      clientCertificate: variable('client_certificate', true),
      clientKey: variable('client_key', true),
    },
    integrations: {
      openstack: { kind: 'openstack', secretFiles: { 'cloud.conf': cloudConf }, configDrive: true },
      alicloud: {
        kind: 'alicloud',
        secretFiles: {
          'cloud-config.conf': cloudConf,
          id: variable('access_key_id', true),
          secret: variable('access_key_secret', true),
        },
        configDrive: false,
      },
    },
  };
}

interface StackJson {
  resource?: Record<string, Record<string, { depends_on?: string[] }>>;
  provider?: Record<string, unknown>;
  terraform?: { required_providers?: Record<string, unknown> };
}

/**
 * Drops the Helm releases, the helm provider and every resource that depends on a release, from a
 * synthesized stack; returns the addresses dropped.
 */
export function withoutHelm(json: StackJson): string[] {
  const dropped = new Set(Object.keys(json.resource?.helm_release ?? {}).map((name) => `helm_release.${name}`));
  delete json.resource?.helm_release;
  delete json.provider?.helm;
  delete json.terraform?.required_providers?.helm;
  // what waits for a release (a CRD's objects, a release's PodDisruptionBudget) goes with it, transitively
  for (let changed = true; changed;) {
    changed = false;
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const address = `${type}.${name}`;
        const text = JSON.stringify(body);
        if ([...dropped].some((d) => text.includes(d))) {
          dropped.add(address);
          delete byName[name];
          changed = true;
        }
      }
      if (Object.keys(byName).length === 0) delete json.resource![type];
    }
  }
  return [...dropped].sort();
}

/**
 * The platform stack as the library builds it, reading `access` (and, for a kubeadm cluster, its cloud's
 * integration) from the stand-in infra stack.
 */
export type PlatformBuilder = (
  app: App,
  id: string,
  access: KubernetesAccess,
  integrations: Record<CloudKind, ClusterCloudIntegrationRefs>,
) => TerraformStack;

/**
 * Synthesizes stand-in infra + platform into `outdir`, then plans, deploys, re-plans and destroys both with
 * regionkit's lifecycle against `cp`. Returns what was dropped as Helm-bound and the objects read back.
 */
export async function applyPlatform(
  build: PlatformBuilder,
  cp: RunningControlPlane,
  outdir: string,
  engine: LifecycleOptions['engine'],
): Promise<{ dropped: string[]; lines: string[] }> {
  const app = new App({ outdir });
  const infra = standInInfra(app);
  build(app, PLATFORM, infra.access, infra.integrations);
  app.synth();
  const file = path.join(outdir, 'stacks', PLATFORM, 'cdk.tf.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as StackJson;
  const dropped = withoutHelm(json);
  await writeFile(file, JSON.stringify(json, null, 2));

  const lines: string[] = [];
  const env = standInEnv(cp);
  const opts: LifecycleOptions = { engine, outdir, env, cwd: outdir, progress: (l) => lines.push(l) };
  // round one: the infra stand-in is planned and applied; the platform waits for its outputs
  const first = await planStacks([PLATFORM], opts);
  expect(first.map((p) => [p.stack, p.status])).toEqual([
    [INFRA, 'planned'],
    [PLATFORM, 'deferred'],
  ]);
  await deployStacks([PLATFORM], [], opts);
  // round two: the platform is planned from the infra outputs and applied
  const second = await planStacks([PLATFORM], opts);
  const platformPlan = second.find((p) => p.stack === PLATFORM);
  expect(platformPlan?.status).toBe('planned');
  expect(platformPlan?.status === 'planned' && platformPlan.summary.add).toBeGreaterThan(0);
  expect(await deployStacks([PLATFORM], [], opts)).toContainEqual({ stack: PLATFORM, status: 'applied' });
  // round three: nothing left to change anywhere
  const third = await planStacks([PLATFORM], opts);
  for (const plan of third) {
    expect(plan.status === 'planned' && plan.summary, `${plan.stack} re-plans clean`).toMatchObject({
      add: 0,
      change: 0,
      destroy: 0,
    });
  }
  return { dropped, lines };
}

/** Lists `GET <path>` items' names. */
async function names(cp: RunningControlPlane, apiPath: string): Promise<string[]> {
  const res = await getWithAdmin(cp, `${cp.endpoint}${apiPath}`);
  expect(res.status, `GET ${apiPath}: ${res.body.slice(0, 300)}`).toBe(200);
  return (JSON.parse(res.body) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
}

for (const file of [...K8S_EXAMPLE_FILES, ALICLOUD_KUBEADM_FIXTURE]) {
  testWithControlPlane(
    `${path.basename(file)}: the platform stack's objects apply, re-plan clean and destroy`,
    async (cp, engine, dir) => {
      const [{ spec }] = await loadRegionFiles([file]);
      const outdir = path.join(dir, 'out');
      const kubeadm = spec!.cluster?.kind === 'kubernetes' && spec!.cluster.mode === 'kubeadm';
      const build: PlatformBuilder = (app, id, access, integrations) =>
        new PlatformStack(app, id, {
          spec: { ...spec!, name: REGION },
          access,
          ...(kubeadm ? { cloudIntegration: integrations[spec!.cloud] } : {}),
        });
      const { dropped, lines } = await applyPlatform(build, cp, outdir, engine);
      // only the two releases (Envoy Gateway, then the Gateways chart) are left out
      expect(dropped.every((a) => a.startsWith('helm_release.'))).toBe(true);
      // read back from the API server: each tenant's namespace with Pod Security Admission, quota, limits,
      // policies and admin binding; the storage classes
      const namespaces = await names(cp, '/api/v1/namespaces');
      for (const tenant of spec!.tenants) {
        expect(namespaces).toContain(tenant.name);
        const ns = await getWithAdmin(cp, `${cp.endpoint}/api/v1/namespaces/${tenant.name}`);
        const labels = (JSON.parse(ns.body) as { metadata: { labels: Record<string, string> } }).metadata.labels;
        expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
        expect(await names(cp, `/api/v1/namespaces/${tenant.name}/resourcequotas`)).not.toHaveLength(0);
        expect(await names(cp, `/api/v1/namespaces/${tenant.name}/limitranges`)).not.toHaveLength(0);
        expect(await names(cp, `/apis/networking.k8s.io/v1/namespaces/${tenant.name}/networkpolicies`)).toContain(
          'default-deny',
        );
        expect(
          await names(cp, `/apis/rbac.authorization.k8s.io/v1/namespaces/${tenant.name}/rolebindings`),
        ).not.toHaveLength(0);
      }
      expect(await names(cp, '/apis/storage.k8s.io/v1/storageclasses')).toEqual(
        expect.arrayContaining(['regionkit-default', 'regionkit-retain']),
      );
      if (kubeadm) {
        // the pod network's privileged namespace; the cloud-provider Secret with the infra stack's cloud.conf; the
        // CSI controller's PodDisruptionBudget
        const ns = await getWithAdmin(cp, `${cp.endpoint}/api/v1/namespaces/kube-flannel`);
        expect(ns.status, ns.body.slice(0, 300)).toBe(200);
        const nsLabels = (JSON.parse(ns.body) as { metadata: { labels: Record<string, string> } }).metadata.labels;
        expect(nsLabels['pod-security.kubernetes.io/enforce']).toBe('privileged');
        const secret = await getWithAdmin(cp, `${cp.endpoint}/api/v1/namespaces/kube-system/secrets/cloud-config`);
        expect(secret.status, secret.body.slice(0, 300)).toBe(200);
        const data = (JSON.parse(secret.body) as { data: Record<string, string> }).data;
        const text = (key: string) => Buffer.from(data[key]!, 'base64').toString('utf8');
        if (spec!.cloud === 'openstack') {
          expect(text('cloud.conf')).toBe(STAND_IN_CLOUD_CONF);
          expect(await names(cp, '/apis/policy/v1/namespaces/kube-system/poddisruptionbudgets')).toContain(
            'cinder-csi-controllerplugin',
          );
        } else {
          // the cloud config and the AccessKey; the CCM's ServiceAccount, RBAC, DaemonSet (control-plane nodes
          // only: none here) and PodDisruptionBudget
          expect([text('cloud-config.conf'), text('id'), text('secret')]).toEqual([
            STAND_IN_CLOUD_CONF,
            STAND_IN_ACCESS_KEY.id,
            STAND_IN_ACCESS_KEY.secret,
          ]);
          expect(await names(cp, '/api/v1/namespaces/kube-system/serviceaccounts')).toContain(
            'cloud-controller-manager',
          );
          expect(await names(cp, '/apis/rbac.authorization.k8s.io/v1/clusterroles')).toContain(
            'system:cloud-controller-manager',
          );
          expect(await names(cp, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings')).toContain(
            'system:cloud-controller-manager',
          );
          const ds = await getWithAdmin(
            cp,
            `${cp.endpoint}/apis/apps/v1/namespaces/kube-system/daemonsets/cloud-controller-manager`,
          );
          expect(ds.status, ds.body.slice(0, 300)).toBe(200);
          const dsSpec = (
            JSON.parse(ds.body) as {
              spec: { template: { spec: { containers: { image: string; resources: { requests: unknown } }[] } } };
            }
          ).spec.template.spec;
          expect(dsSpec.containers[0]!.image).toBe(ALICLOUD_CCM.image);
          expect(dsSpec.containers[0]!.resources.requests).toEqual({ cpu: '100m', memory: '200Mi' });
          expect(await names(cp, '/apis/policy/v1/namespaces/kube-system/poddisruptionbudgets')).toContain(
            'cloud-controller-manager',
          );
        }
      }
      const opts: LifecycleOptions = {
        engine,
        outdir,
        env: standInEnv(cp),
        cwd: outdir,
        progress: (l) => lines.push(l),
      };
      await destroyRegion([PLATFORM, INFRA], opts);
      const left = await names(cp, '/api/v1/namespaces');
      for (const tenant of spec!.tenants) expect(left).not.toContain(tenant.name);
      expect(await names(cp, '/apis/storage.k8s.io/v1/storageclasses')).not.toContain('regionkit-retain');
      if (kubeadm) {
        expect(left).not.toContain('kube-flannel');
        expect(await names(cp, '/api/v1/namespaces/kube-system/secrets')).not.toContain('cloud-config');
        expect(await names(cp, '/apis/apps/v1/namespaces/kube-system/daemonsets')).not.toContain(
          'cloud-controller-manager',
        );
      }
    },
    900_000,
  );
}
