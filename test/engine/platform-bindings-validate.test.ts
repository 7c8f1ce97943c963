/**
 * The kubernetes and helm bindings generated from the checked-in schema files, the conformance check on those
 * files, and the real plugins (`.ci/engine.sh`, hashicorp/kubernetes 3.2.1 and hashicorp/helm 3.2.0) agree:
 * a stack using every type the platform stack of a Kubernetes region needs synthesizes to JSON that both the
 * conformance check and `tofu validate` accept; a `set` entry without its required `name` is rejected by both,
 * and a misspelled key in it only by the check (the engine drops unknown keys of a nested attribute's objects).
 */
import path from 'node:path';

import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { formatDiagnostic, initAndValidate } from '../../bin/engine/engine.js';
import { HelmProvider } from '../../lib/gen/helm/provider/index.js';
import { Release } from '../../lib/gen/helm/release/index.js';
import { ClusterRoleV1 } from '../../lib/gen/kubernetes/cluster-role-v1/index.js';
import { LimitRangeV1 } from '../../lib/gen/kubernetes/limit-range-v1/index.js';
import { Manifest } from '../../lib/gen/kubernetes/manifest/index.js';
import { NamespaceV1 } from '../../lib/gen/kubernetes/namespace-v1/index.js';
import { NetworkPolicyV1 } from '../../lib/gen/kubernetes/network-policy-v1/index.js';
import { PodDisruptionBudgetV1 } from '../../lib/gen/kubernetes/pod-disruption-budget-v1/index.js';
import { KubernetesProvider } from '../../lib/gen/kubernetes/provider/index.js';
import { ResourceQuotaV1 } from '../../lib/gen/kubernetes/resource-quota-v1/index.js';
import { RoleBindingV1 } from '../../lib/gen/kubernetes/role-binding-v1/index.js';
import { StorageClassV1 } from '../../lib/gen/kubernetes/storage-class-v1/index.js';
import { checkStack, formatProblem } from '../../lib/providers/conformance.js';
import { GENERATED_PROVIDERS } from '../../lib/versions.js';
import { synthJson } from '../helpers.js';

import { tempDir, testWithEngine } from './engine-harness.js';

const STACK = 'platform-bindings';

/** Every platform type once, configured from variables (as the platform stack is from infra outputs). */
function platformStack(app: App, options: { set?: Record<string, string>[] } = {}): TerraformStack {
  const stack = new TerraformStack(app, STACK);
  const host = new TerraformVariable(stack, 'host', { type: 'string' });
  const ca = new TerraformVariable(stack, 'ca', { type: 'string', sensitive: true });
  const token = new TerraformVariable(stack, 'token', { type: 'string', sensitive: true });
  new KubernetesProvider(stack, 'kubernetes', {
    host: host.stringValue,
    clusterCaCertificate: ca.stringValue,
    token: token.stringValue,
  });
  new HelmProvider(stack, 'helm', {
    kubernetes: { host: host.stringValue, clusterCaCertificate: ca.stringValue, token: token.stringValue },
  });
  const ns = new NamespaceV1(stack, 'ns', {
    metadata: { name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
  const namespace = ns.metadata.name;
  new ResourceQuotaV1(stack, 'quota', {
    metadata: { name: 'quota', namespace },
    spec: { hard: { 'requests.cpu': '8', 'requests.memory': '16Gi' } },
  });
  new LimitRangeV1(stack, 'limits', {
    metadata: { name: 'limits', namespace },
    spec: { limit: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' } }] },
  });
  new NetworkPolicyV1(stack, 'deny', {
    metadata: { name: 'default-deny', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  new ClusterRoleV1(stack, 'role', {
    metadata: { name: 'team-a-extra' },
    rule: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
  });
  new RoleBindingV1(stack, 'admins', {
    metadata: { name: 'admins', namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
    subject: [{ kind: 'Group', name: 'team-a', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  new StorageClassV1(stack, 'sc', {
    metadata: { name: 'retain' },
    storageProvisioner: 'cinder.csi.openstack.org',
    reclaimPolicy: 'Retain',
  });
  new PodDisruptionBudgetV1(stack, 'pdb', {
    metadata: { name: 'gateway', namespace },
    spec: { minAvailable: '1', selector: { matchLabels: { app: 'gateway' } } },
  });
  new Manifest(stack, 'gateway', {
    manifest: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'team-a', namespace: 'team-a' },
      spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    },
  });
  const release = new Release(stack, 'release', {
    name: 'gateway',
    chart: 'gateway-helm',
    repository: 'oci://example.invalid/charts',
    version: '1.0.0',
    ...(options.set ? {} : { set: [{ name: 'deployment.replicas', value: '2' }] }),
  });
  // the bindings' types forbid mistakes; a raw override does not
  if (options.set) release.addOverride('set', options.set);
  return stack;
}

const MISSING_NAME = [{ value: 'b' }];
const MISSPELLED = [{ name: 'a', valu: 'b' }];

const synth = (options: { set?: Record<string, string>[] } = {}) =>
  synthJson(platformStack(new App({ outdir: '/nonexistent-never-written', skipValidation: true }), options));

describe('kubernetes and helm bindings generated from the plugins’ schemas', () => {
  test('write the pinned providers and JSON the conformance check accepts', () => {
    const json = synth();
    const { kubernetes, helm } = GENERATED_PROVIDERS;
    expect(json.terraform!.required_providers).toEqual({
      kubernetes: { source: kubernetes.source, version: kubernetes.version },
      helm: { source: helm.source, version: helm.version },
    });
    expect(checkStack(json as never).map(formatProblem)).toEqual([]);
    expect(checkStack(synth({ set: MISSING_NAME }) as never).map(formatProblem)).toEqual([
      'helm_release.release.set[0].name: is required',
    ]);
    expect(checkStack(synth({ set: MISSPELLED }) as never).map(formatProblem)).toEqual([
      'helm_release.release.set[0].valu: is not an attribute of this object',
    ]);
  });

  const { kubernetes, helm } = GENERATED_PROVIDERS;
  testWithEngine(
    'pass tofu validate with the real plugins, which reject a nested object without its required attribute',
    [kubernetes, helm],
    async (engine) => {
      const validate = async (options: { set?: Record<string, string>[] } = {}) => {
        const dir = await tempDir('platform-validate');
        const app = new App({ outdir: dir, skipValidation: true });
        platformStack(app, options);
        app.synth();
        const { init, validate } = await initAndValidate(engine, path.join(dir, 'stacks', STACK), process.env);
        expect(init.exitCode, `${engine.kind} init failed:\n${init.stderr}${init.stdout}`).toBe(0);
        return { valid: validate!.valid, diagnostics: validate!.diagnostics.map(formatDiagnostic) };
      };
      expect(await validate()).toEqual({ valid: true, diagnostics: [] });
      const missing = await validate({ set: MISSING_NAME });
      expect(missing.valid).toBe(false);
      expect(missing.diagnostics.join('\n')).toMatch(/"name" is required/);
      // The engine drops an object's unknown keys when it converts the value to the nested type, so only the
      // conformance check (above) reports a misspelled one.
      expect(await validate({ set: MISSPELLED })).toEqual({ valid: true, diagnostics: [] });
    },
  );
});
