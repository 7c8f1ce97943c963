/**
 * Every Kubernetes example's platform stack, and the alicloud kubeadm fixture's (the CCM's kubernetes resources, the
 * disk CSI release), through `tofu validate` with the real kubernetes and helm plugins
 * (`.ci/engine.sh`): zero diagnostics. The remote-state data source is the engine's own (`terraform`), so the
 * platform stack validates without its infra stack having been applied.
 */
import path from 'node:path';

import { App } from 'cdktf';
import { expect } from 'vitest';

import { formatDiagnostic, initAndValidate } from '../../bin/engine/engine.js';
import { loadRegionFiles } from '../../lib/spec/load.js';
import { GENERATED_PROVIDERS } from '../../lib/versions.js';
import { PlatformStack, platformStackName } from '../../stacks/platform-stack.js';
import { infraStackName } from '../../stacks/region-stack.js';
import { tempDir, testWithEngine } from '../engine/engine-harness.js';
import { ALICLOUD_KUBEADM_FIXTURE, K8S_EXAMPLE_FILES } from '../helpers.js';

import { platformProps, testInfraStack } from './test-infra.js';

const { kubernetes, helm } = GENERATED_PROVIDERS;

testWithEngine(
  'platform stacks of the Kubernetes examples and the alicloud kubeadm fixture pass tofu validate with the real kubernetes and helm plugins',
  [kubernetes, helm],
  async (engine) => {
    const dir = await tempDir('platform-validate');
    const app = new App({ outdir: dir, skipValidation: true });
    const platforms = (await loadRegionFiles([...K8S_EXAMPLE_FILES, ALICLOUD_KUBEADM_FIXTURE])).map(({ spec }) => {
      const infra = testInfraStack(app, infraStackName(spec.name));
      return new PlatformStack(app, platformStackName(spec.name), platformProps(spec, infra));
    });
    app.synth();
    expect(platforms.length).toBe(3);
    for (const platform of platforms) {
      const { init, validate } = await initAndValidate(engine, path.join(dir, 'stacks', platform.node.id), process.env);
      expect(init.exitCode, `${engine.kind} init failed:\n${init.stderr}${init.stdout}`).toBe(0);
      expect({ valid: validate!.valid, diagnostics: validate!.diagnostics.map(formatDiagnostic) }).toEqual({
        valid: true,
        diagnostics: [],
      });
    }
  },
);
