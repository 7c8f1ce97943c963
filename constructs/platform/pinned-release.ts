/**
 * A `helm_release` of a chart pinned in lib/versions.ts `HELM_CHARTS`: repository, chart and exact version from
 * the pin, the values rendered once as YAML. Shared by the platform stack's constructs so that every release
 * takes its chart the same way.
 */
import type { Construct } from 'constructs';
import { stringify } from 'yaml';

import { Release, type ReleaseConfig } from '../../lib/gen/helm/release/index.js';
import type { HelmChartPin } from '../../lib/versions.js';

/** YAML for a release's `values`: no line folding, so a token inside a string stays whole. */
export function releaseValuesYaml(values: Record<string, unknown>): string {
  return stringify(values, { lineWidth: 0 });
}

/** What a pinned release takes besides the pin: `name`, `namespace`, its values object, and any other setting. */
export type PinnedReleaseConfig = Omit<ReleaseConfig, 'repository' | 'chart' | 'version' | 'values'> & {
  /** The chart values we set; every key must exist in the pinned chart's values (test/platform/chart-values). */
  readonly values: Record<string, unknown>;
};

/** `helm_release` of `pin` at its exact version with `config.values` as YAML. */
export function pinnedRelease(scope: Construct, id: string, pin: HelmChartPin, config: PinnedReleaseConfig): Release {
  const { values, ...rest } = config;
  return new Release(scope, id, {
    ...rest,
    repository: pin.repository,
    chart: pin.chart,
    version: pin.version,
    values: [releaseValuesYaml(values)],
  });
}
