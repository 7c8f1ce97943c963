/**
 * regionkit's Gateways chart through the real Helm: `helm lint` and `helm template` with the values the platform
 * stack of each Kubernetes example synthesizes (namespace references replaced by the tenants' names, as Terraform
 * will), and the rendered objects are what the tenants ask for. Runs the Helm CLI `.ci/engine.sh` builds into
 * the engine cache (lib/versions.ts `HELM_CLI`), or REGIONKIT_HELM, or `helm` on the PATH; without one the test is
 * skipped with a warning, and fails under `CI=true`.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { App } from 'cdktf';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { onPath } from '../../bin/engine/engine.js';
import { engineDir, enginePaths } from '../../bin/engine/layout.js';
import { GATEWAY_CLASS, GATEWAY_NAMESPACE, GATEWAYS_CHART_DIR } from '../../constructs/platform/gateway-api.js';
import { loadRegionFiles } from '../../lib/spec/load.js';
import { PlatformStack, platformStackName } from '../../stacks/platform-stack.js';
import { infraStackName } from '../../stacks/region-stack.js';
import { tempDir } from '../engine/engine-harness.js';
import { K8S_EXAMPLE_FILES } from '../helpers.js';

import { platformProps, testInfraStack } from './test-infra.js';

const cached = enginePaths(engineDir()).helm;
const helm = process.env.REGIONKIT_HELM ?? (existsSync(cached) ? cached : onPath('helm', process.env));
const missing = !helm && process.env.CI !== 'true';
if (missing) {
  process.stderr.write(
    '\n!!! no helm binary (engine cache: npm run engine:install; REGIONKIT_HELM; PATH): Gateways chart render test SKIPPED\n',
  );
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

test.skipIf(missing)('the Gateways chart lints and renders what every example’s tenants ask for', async () => {
  expect(helm, 'no helm binary: .ci/engine.sh builds it into the engine cache').toBeDefined();
  const dir = await tempDir('gateways-chart');
  const app = new App({ outdir: dir, skipValidation: true });
  const loaded = await loadRegionFiles(K8S_EXAMPLE_FILES);
  const platforms = loaded.map(({ spec }) => {
    const infra = testInfraStack(app, infraStackName(spec.name));
    return new PlatformStack(app, platformStackName(spec.name), platformProps(spec, infra));
  });
  app.synth();
  for (const platform of platforms) {
    const json = JSON.parse(await readFile(path.join(dir, 'stacks', platform.node.id, 'cdk.tf.json'), 'utf8')) as {
      resource: { helm_release: Record<string, { name: string; values: string[] }> };
    };
    const release = Object.values(json.resource.helm_release).find((r) => r.name === 'regionkit-gateways')!;
    // Terraform's interpolation of the tenant namespaces' names
    const values = release.values[0]!.replace(
      /\$\{kubernetes_namespace_v1\.Tenants_([a-z0-9-]+)_[0-9A-F]{8}\.metadata\[0\]\.name\}/g,
      '$1',
    );
    const valuesFile = path.join(dir, `${platform.node.id}-values.yaml`);
    await writeFile(valuesFile, values);
    const lint = await execa(helm!, ['lint', GATEWAYS_CHART_DIR, '--strict', '-f', valuesFile], { reject: false });
    expect(lint.exitCode, lint.stdout + lint.stderr).toBe(0);
    const rendered = await execa(helm!, [
      'template',
      'regionkit-gateways',
      GATEWAYS_CHART_DIR,
      '-n',
      GATEWAY_NAMESPACE,
      '-f',
      valuesFile,
    ]);
    const objects = parseAllDocuments(rendered.stdout)
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => o !== null);

    const [gatewayClass] = objects.filter((o) => o.kind === 'GatewayClass');
    expect(gatewayClass!.metadata.name).toBe(GATEWAY_CLASS);
    expect(gatewayClass!.spec).toEqual({
      controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
      parametersRef: {
        group: 'gateway.envoyproxy.io',
        kind: 'EnvoyProxy',
        name: 'regionkit',
        namespace: GATEWAY_NAMESPACE,
      },
    });
    const [proxy] = objects.filter((o) => o.kind === 'EnvoyProxy');
    expect(proxy!.metadata).toEqual({ name: 'regionkit', namespace: GATEWAY_NAMESPACE });
    expect(proxy!.spec).toMatchObject({
      mergeGateways: true,
      provider: {
        type: 'Kubernetes',
        kubernetes: {
          envoyDeployment: { replicas: 2, container: { resources: { requests: { cpu: '100m', memory: '512Mi' } } } },
          envoyPDB: { minAvailable: 1 },
          envoyService: { type: 'LoadBalancer' },
        },
      },
    });

    const spec = loaded.find((l) => platformStackName(l.spec.name) === platform.node.id)!.spec;
    const gateways = objects.filter((o) => o.kind === 'Gateway');
    const wanted = spec.tenants.filter((t) => t.hostnames.length > 0);
    expect(gateways.map((g) => g.metadata)).toEqual(wanted.map((t) => ({ name: t.name, namespace: t.name })));
    for (const [i, gateway] of gateways.entries()) {
      expect(gateway.spec.gatewayClassName).toBe(GATEWAY_CLASS);
      expect(gateway.spec.listeners).toEqual(
        wanted[i]!.hostnames.map((hostname, n) => ({
          name: `http-${n}`,
          hostname,
          port: 80,
          protocol: 'HTTP',
          allowedRoutes: { namespaces: { from: 'Same' } },
        })),
      );
    }
  }
});
