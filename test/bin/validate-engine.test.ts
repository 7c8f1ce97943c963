/**
 * `regionkit validate --engine`: the real engine and plugins judge the synthesized JSON, catching what the
 * schema-file conformance check cannot (a provider's own allowed values).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { expect, onTestFinished } from 'vitest';

import { validateWithEngine } from '../../bin/engine/validate-stacks.js';
import { main } from '../../bin/main.js';
import { checkStack, loadProviderSchemas } from '../../lib/providers/conformance.js';
import { GENERATED_PROVIDERS } from '../../lib/versions.js';
import { testWithEngine } from '../engine/engine-harness.js';

import { fakeIo } from './fake-io.js';
import { project } from './project.js';

const env = () =>
  Object.fromEntries(
    ['PATH', 'HOME', 'REGIONKIT_ENGINE_DIR'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]),
  );

testWithEngine(
  'passes the OpenStack example, and the provider rejects a value the schema check lets through',
  [GENERATED_PROVIDERS.openstack],
  async (engine) => {
    const dir = await project();
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const io = fakeIo(dir, env());
    expect(
      await main(['node', 'regionkit', 'validate', '--engine', 'tofu', 'regions/example-openstack.yaml'], io),
    ).toBe(0);
    expect(io.stdout).toBe('example-openstack-infra: ok\nexample-openstack-infra: tofu valid\n');

    // the same stack with a security-group rule direction no OpenStack knows
    expect(await main(['node', 'regionkit', 'synth', 'regions/example-openstack.yaml'], fakeIo(dir, env()))).toBe(0);
    const stackDir = path.join(dir, 'cdktf.out', 'stacks', 'example-openstack-infra');
    const file = path.join(stackDir, 'cdk.tf.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const rules = json.resource.openstack_networking_secgroup_rule_v2!;
    rules[Object.keys(rules)[0]!]!.direction = 'sideways';
    await writeFile(file, JSON.stringify(json));
    expect(checkStack(json as never, loadProviderSchemas())).toEqual([]);
    const [verdict] = await validateWithEngine(
      engine,
      new Map([['example-openstack-infra', stackDir]]),
      env(),
      () => {},
    );
    expect(verdict!.errors.join('\n')).toMatch(/direction.*sideways|sideways.*direction|expected direction/i);
  },
);
