/**
 * Every values key the platform stack sets exists in the chart it sets it for: Envoy Gateway's, Flannel's, the
 * OpenStack cloud controller manager's, Cinder CSI's and Alibaba Cloud CSI's at the pinned versions (the key lists in
 * test/fixtures/charts, each with its source: repository, tag, commit, path) and regionkit's own Gateways chart
 * (its values.yaml in the package). Read from the synthesized `helm_release.values`, so what
 * is checked is what is deployed.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { App } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { GATEWAYS_CHART_DIR } from '../../constructs/platform/gateway-api.js';
import { loadRegionFiles } from '../../lib/spec/load.js';
import { HELM_CHARTS } from '../../lib/versions.js';
import { PlatformStack, platformStackName } from '../../stacks/platform-stack.js';
import { infraStackName } from '../../stacks/region-stack.js';
import { tempDir } from '../engine/engine-harness.js';
import { ALICLOUD_KUBEADM_FIXTURE, K8S_EXAMPLE_FILES } from '../helpers.js';

import { platformProps, testInfraStack } from './test-infra.js';

interface ValuesKeys {
  readonly chart: string;
  readonly version: string;
  readonly source: { readonly repo: string; readonly tag: string; readonly commit: string; readonly path: string };
  readonly keys: readonly string[];
  readonly freeFormMaps: readonly string[];
  /** Keys the chart's templates read that its values file has only as a comment: key -> where (file, line). */
  readonly templateKeys?: Readonly<Record<string, string>>;
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'charts', name), 'utf8')) as ValuesKeys;

/** Dotted paths of every leaf of `values` (a list is a leaf: its items are the chart's to read). */
function leafKeys(values: unknown, prefix = ''): string[] {
  if (!values || typeof values !== 'object' || Array.isArray(values)) return [prefix];
  return Object.entries(values).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

/** The keys of `values` the chart does not have: neither a key of its values nor under a free-form map of them. */
function unknownKeys(
  values: unknown,
  chart: Pick<ValuesKeys, 'keys' | 'freeFormMaps'> & Pick<Partial<ValuesKeys>, 'templateKeys'>,
): string[] {
  const keys = new Set([...chart.keys, ...Object.keys(chart.templateKeys ?? {})]);
  return leafKeys(values).filter(
    (key) => !keys.has(key) && !chart.freeFormMaps.some((map) => key.startsWith(`${map}.`)),
  );
}

/** Key list of a values.yaml, in the fixture's shape. */
function keysOf(valuesYaml: string): Pick<ValuesKeys, 'keys' | 'freeFormMaps'> {
  const keys: string[] = [];
  const freeFormMaps: string[] = [];
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      keys.push(key);
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        if (Object.keys(v).length === 0) freeFormMaps.push(key);
        else walk(v as Record<string, unknown>, key);
      }
    }
  };
  walk(parse(valuesYaml) as Record<string, unknown>, '');
  return { keys, freeFormMaps };
}

/** `values` of every helm_release of the platform stacks of `files` (every Kubernetes example), by chart. */
async function releaseValues(
  files: readonly string[] = K8S_EXAMPLE_FILES,
): Promise<{ chart: string; values: unknown }[]> {
  const dir = await tempDir('chart-values');
  const app = new App({ outdir: dir, skipValidation: true });
  const platforms = (await loadRegionFiles(files)).map(({ spec }) => {
    const infra = testInfraStack(app, infraStackName(spec.name));
    return new PlatformStack(app, platformStackName(spec.name), platformProps(spec, infra));
  });
  app.synth();
  const out: { chart: string; values: unknown }[] = [];
  for (const p of platforms) {
    const json = JSON.parse(await readFile(path.join(dir, 'stacks', p.node.id, 'cdk.tf.json'), 'utf8')) as {
      resource: { helm_release: Record<string, { chart: string; values: string[] }> };
    };
    for (const release of Object.values(json.resource.helm_release)) {
      for (const v of release.values) out.push({ chart: release.chart, values: parse(v) });
    }
  }
  return out;
}

describe('Helm values keys', () => {
  const envoy = fixture('envoy-gateway-helm-v1.9.0.values-keys.json');

  test('the key list is of the pinned Envoy Gateway chart', () => {
    const pin = HELM_CHARTS.envoyGateway;
    expect({ chart: envoy.chart, version: envoy.version }).toEqual({ chart: pin.chart, version: pin.version });
    expect(envoy.source).toMatchObject(pin.source);
    expect(envoy.keys).toContain('podDisruptionBudget.minAvailable');
  });

  test('every key set for Envoy Gateway exists in its values at the pinned version', async () => {
    const sets = (await releaseValues()).filter((r) => r.chart === HELM_CHARTS.envoyGateway.chart);
    expect(sets.length).toBe(K8S_EXAMPLE_FILES.length);
    for (const { values } of sets) {
      expect(leafKeys(values)).toContain('podDisruptionBudget.minAvailable');
      expect(unknownKeys(values, envoy)).toEqual([]);
    }
  });

  test('every key set for the Gateways chart exists in its values.yaml', async () => {
    const chart = keysOf(readFileSync(path.join(GATEWAYS_CHART_DIR, 'values.yaml'), 'utf8'));
    const sets = (await releaseValues()).filter((r) => r.chart.startsWith('./assets/'));
    expect(sets.length).toBe(K8S_EXAMPLE_FILES.length);
    for (const { values } of sets) expect(unknownKeys(values, chart)).toEqual([]);
  });

  // the charts a kubeadm cluster gets (the OpenStack example is one)
  const kubeadmCharts = [
    [HELM_CHARTS.flannel, 'flannel-v0.28.9.values-keys.json', 'netpol.enabled'],
    [
      HELM_CHARTS.openstackCloudControllerManager,
      'openstack-cloud-controller-manager-2.36.0.values-keys.json',
      'secret.name',
    ],
    [
      HELM_CHARTS.openstackCinderCsi,
      'openstack-cinder-csi-2.36.0.values-keys.json',
      'csi.plugin.controllerPlugin.replicas',
    ],
  ] as const;

  test.each(kubeadmCharts)('the key list of $chart is of the pinned chart', (pin, file, key) => {
    const keys = fixture(file);
    expect({ chart: keys.chart, version: keys.version }).toEqual({ chart: pin.chart, version: pin.version });
    expect(keys.source).toMatchObject(pin.source);
    expect([...keys.keys, ...Object.keys(keys.templateKeys ?? {})]).toContain(key);
  });

  test.each(kubeadmCharts)('every key set for $chart exists in its values at the pinned version', async (pin, file) => {
    const sets = (await releaseValues()).filter((r) => r.chart === pin.chart);
    expect(sets).toHaveLength(1);
    for (const { values } of sets) expect(unknownKeys(values, fixture(file))).toEqual([]);
  });

  // the disk CSI chart of a kubeadm cluster on Alibaba Cloud (test fixture region)
  const alicloudCsi = fixture('alibaba-cloud-csi-driver-1.36.2.values-keys.json');

  test('the key list of alibaba-cloud-csi-driver is of the pinned chart', () => {
    const pin = HELM_CHARTS.alicloudCsiDriver;
    expect({ chart: alicloudCsi.chart, version: alicloudCsi.version }).toEqual({
      chart: pin.chart,
      version: pin.version,
    });
    expect(alicloudCsi.source).toMatchObject(pin.source);
    expect(alicloudCsi.keys).toContain('deploy.accessKey.secretName');
  });

  test('every key set for alibaba-cloud-csi-driver exists in its values at the pinned version', async () => {
    const sets = (await releaseValues([ALICLOUD_KUBEADM_FIXTURE])).filter(
      (r) => r.chart === HELM_CHARTS.alicloudCsiDriver.chart,
    );
    expect(sets).toHaveLength(1);
    for (const { values } of sets) {
      expect(leafKeys(values)).toContain('deploy.accessKey.secretName');
      expect(unknownKeys(values, alicloudCsi)).toEqual([]);
    }
  });

  test('a key only a chart template reads is accepted only where the fixture names its template', () => {
    const cinder = fixture('openstack-cinder-csi-2.36.0.values-keys.json');
    expect(cinder.keys).not.toContain('secret.name');
    expect(cinder.templateKeys?.['secret.name']).toMatch(/templates\/controllerplugin-deployment\.yaml/);
    expect(unknownKeys({ secret: { name: 'x' } }, cinder)).toEqual([]);
    expect(unknownKeys({ secret: { name: 'x' } }, { ...cinder, templateKeys: {} })).toEqual(['secret.name']);
  });

  test('the check finds a misspelled or invented key, and accepts keys under a free-form map', () => {
    expect(
      unknownKeys(
        {
          podDisruptionBudget: { minAvailble: 1 },
          deployment: { replicas: 2, pod: { labels: { team: 'a' } } },
          invented: { x: true },
        },
        envoy,
      ),
    ).toEqual(['podDisruptionBudget.minAvailble', 'invented.x']);
  });
});
