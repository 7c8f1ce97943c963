/**
 * The example regions' control hosts, read back from synthesized JSON, form a real ZooKeeper ensemble.
 */
import { Testing } from 'cdktf';
import { describe, expect } from 'vitest';

import { loadRegionFile } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { hostArtifacts } from '../checkers/artifacts.js';
import { testWith } from '../checkers/tools.js';
import { runEnsemble, ZOOKEEPER_JAR } from '../checkers/zookeeper.js';
import { EXAMPLE_FILES, synthJson } from '../helpers.js';

describe.each(EXAMPLE_FILES.map((f) => [f.split('/').pop()!, f]))('%s', (_name, file) => {
  testWith(
    ZOOKEEPER_JAR,
    'the control hosts reach quorum from their rendered zoo.cfg and myid',
    async () => {
      const { spec } = await loadRegionFile(file);
      const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
      const members = hostArtifacts(stack.node.id, synthJson(stack) as never)
        .filter((a) => a.files.some((f) => f.path === '/etc/zookeeper/conf/zoo.cfg'))
        .map((a) => ({
          zooCfg: a.files.find((f) => f.path === '/etc/zookeeper/conf/zoo.cfg')!.content,
          myid: a.files.find((f) => f.path === '/etc/zookeeper/conf/myid')!.content,
        }));
      expect(members).toHaveLength(3);
      expect((await runEnsemble(members)).sort()).toEqual(['follower', 'follower', 'leader']);
    },
    120_000,
  );
});
