/**
 * `testWithControlPlane`: a test that runs against a real kube-apiserver and kube-controller-manager on loopback
 * (kube-apiserver.ts) with OpenTofu and the kubernetes plugin from the engine cache. Shared by the tests that
 * apply Kubernetes objects for real.
 */
import path from 'node:path';

import { expect, onTestFinished, test } from 'vitest';

import type { Engine } from '../../bin/engine/engine.js';
import { engineDir, hasPlugin, kubernetesPaths, readManifest } from '../../bin/engine/layout.js';
import { ALL_PROVIDERS, KUBERNETES_BUILD } from '../../lib/versions.js';

import { engineFor, tempDir } from './engine-harness.js';
import { startControlPlane, type RunningControlPlane } from './kube-apiserver.js';

/**
 * `test` when the Kubernetes binaries, the engine and the kubernetes plugin are built; else a loud skip, or a
 * failure under CI=true (.ci/engine.sh builds them). `fn` gets the running control plane (stopped when the test
 * ends), the engine and a temporary directory.
 */
export function testWithControlPlane(
  name: string,
  fn: (cp: RunningControlPlane, engine: Engine, dir: string) => Promise<void>,
  timeoutMs: number,
): void {
  const manifest = readManifest(engineDir());
  const missing = [
    ...(manifest?.kubernetes?.version === KUBERNETES_BUILD.version && !manifest.kubernetes.reason
      ? []
      : [`Kubernetes ${KUBERNETES_BUILD.version} binaries (${manifest?.kubernetes?.reason ?? 'not built'})`]),
    ...(hasPlugin(manifest, ALL_PROVIDERS.kubernetes) ? [] : ['the hashicorp/kubernetes plugin']),
  ];
  if (missing.length > 0) {
    const what = `${missing.join(', ')} missing in ${engineDir()}`;
    if (process.env.CI === 'true') test(name, () => expect.fail(`${what}; .ci/engine.sh should have built it`));
    else {
      process.stderr.write(`\n!!! ${what}: "${name}" SKIPPED (run npm run engine:install)\n`);
      test.skip(`${name} [${what}]`, () => {});
    }
    return;
  }
  const kube = kubernetesPaths(engineDir(), KUBERNETES_BUILD.version);
  test(
    name,
    async () => {
      const engine = await engineFor('tofu');
      if (!engine) expect.fail(`the engine cache in ${engineDir()} has no working tofu`);
      const dir = await tempDir('control-plane-test');
      const cp = await startControlPlane(path.join(dir, 'control-plane'), {
        etcd: 'etcd',
        kubeApiserver: kube.kubeApiserver,
        kubeControllerManager: kube.kubeControllerManager,
      });
      onTestFinished(() => cp.stop());
      await fn(cp, engine, dir);
    },
    timeoutMs,
  );
}
