/**
 * `regionkit roll` and the "older configuration" report against the real engine, with local state and no
 * provider: the hosts are `terraform_data` resources standing in for instances (built into OpenTofu), each with
 * its configuration record from lib/host-records.ts. A new configuration is ignored by deploy and reported by
 * plan; a roll replaces the hosts with `-replace`, one quorum member per step, and the report is then empty.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { App, DataResource, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { expect } from 'vitest';

import { deployStacks, planStacks, type LifecycleOptions } from '../../bin/engine/lifecycle.js';
import { rollGroup } from '../../bin/engine/roll.js';
import { recordHostGroup } from '../../lib/host-records.js';

import { tempDir, testWithEngine } from './engine-harness.js';

/** One stack `hosts` with a quorum group of three "instances" whose configuration is `userData`. */
function synthHosts(outdir: string, userData: string): void {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'hosts');
  new LocalBackend(stack, { path: 'terraform.hosts.tfstate' });
  const group = new Construct(stack, 'Control');
  const hosts = [1, 2, 3].map((n) => {
    const scope = new Construct(group, `Host${n}`);
    // an instance ignores its user data once created, as the cloud adapters' instances do
    const instance = new DataResource(scope, 'Resource', {
      input: { userData },
      lifecycle: { ignoreChanges: ['input'] },
    });
    return { scope, n, instance };
  });
  recordHostGroup(group, 'control', {
    quorum: () => true,
    health: () => ({ protocol: 'tcp', port: 2181, source: 'ZooKeeper' }),
    hosts: hosts.map(({ scope, n, instance }) => ({
      scope,
      name: `control-${n}`,
      zoneIndex: n - 1,
      privateIp: `10.0.${n}.10`,
      instance,
      instanceId: instance.id,
      config: { userData: () => userData, image: 'default debian-12', placement: 'r-control' },
    })),
  });
  app.synth();
}

interface State {
  resources: { type: string; name: string; instances: { attributes: { id: string; input?: { value?: unknown } } }[] }[];
}

function instanceIds(outdir: string): string[] {
  const state = JSON.parse(
    readFileSync(path.join(outdir, 'stacks', 'hosts', 'terraform.hosts.tfstate'), 'utf8'),
  ) as State;
  return state.resources
    .filter((r) => r.type === 'terraform_data' && !r.name.includes('Config'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => r.instances[0]!.attributes.id);
}

testWithEngine('roll replaces a quorum group one host at a time; plan reports older configurations', [], async (e) => {
  const outdir = await tempDir('roll');
  const lines: string[] = [];
  const opts: LifecycleOptions = {
    engine: e,
    outdir,
    env: { ...process.env },
    cwd: outdir,
    progress: (l) => lines.push(l),
  };

  synthHosts(outdir, 'v1');
  await planStacks(['hosts'], opts);
  await deployStacks(['hosts'], [], opts);
  const before = instanceIds(outdir);

  // a new configuration: the instances ignore it, deploy changes nothing, plan names every host as older
  synthHosts(outdir, 'v2');
  const [planned] = await planStacks(['hosts'], opts);
  expect(planned!.status === 'planned' && planned!.summary).toMatchObject({
    add: 0,
    change: 0,
    destroy: 0,
    olderConfiguration: [{ group: 'control', hosts: ['control-1', 'control-2', 'control-3'] }],
  });
  await deployStacks(['hosts'], [], opts);
  expect(instanceIds(outdir)).toEqual(before);

  // the roll replaces them one per step (a quorum of three loses one at most), through the real engine
  const probed: string[] = [];
  const result = await rollGroup('hosts', 'control', {
    ...opts,
    probe: async (host) => {
      probed.push(host.name);
      return true;
    },
  });
  expect(result.steps).toEqual([
    { zone: 1, hosts: ['control-1'] },
    { zone: 2, hosts: ['control-2'] },
    { zone: 3, hosts: ['control-3'] },
  ]);
  expect(probed).toEqual(['control-1', 'control-2', 'control-3']);
  const after = instanceIds(outdir);
  expect(after.every((id, i) => id !== before[i])).toBe(true);

  // every host now runs the configuration of now
  const [again] = await planStacks(['hosts'], opts);
  expect(again!.status === 'planned' && again!.summary).toMatchObject({ add: 0, change: 0, olderConfiguration: [] });
});
