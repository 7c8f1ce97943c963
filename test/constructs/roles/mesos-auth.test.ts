/**
 * Mesos authentication in the example regions (both clouds): masters admit only frameworks and agents with a
 * credential, Marathon and Chronos register with theirs, agents with theirs, and every password is generated
 * at apply time and reaches only the hosts that use it, through the secret store.
 */
import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { CHRONOS_HTTP_ENV_FILE, CHRONOS_MESOS_SECRET_FILE } from '../../../constructs/roles/chronos.js';
import { MARATHON_LB_CREDENTIAL_FILE } from '../../../constructs/roles/marathon-lb.js';
import {
  MARATHON_HTTP_ENV_FILE,
  MARATHON_MESOS_SECRET_FILE,
  MARATHON_ZK_ENV_FILE,
} from '../../../constructs/roles/marathon.js';
import { MESOS_AGENT_CREDENTIAL_FILE } from '../../../constructs/roles/mesos-agent.js';
import { MESOS_PRINCIPALS } from '../../../constructs/roles/mesos-credentials.js';
import { MESOS_CREDENTIALS_FILE, MESOS_MASTER_ZK_FILE } from '../../../constructs/roles/mesos-master.js';
import { Password } from '../../../lib/gen/random/password/index.js';
import { loadRegionFile } from '../../../lib/spec/load.js';
import { RegionStack } from '../../../stacks/region-stack.js';
import { hostArtifacts, type HostArtifacts } from '../../checkers/artifacts.js';
import { EXAMPLE_FILES, synthJson } from '../../helpers.js';

const ref = (principal: keyof typeof MESOS_PRINCIPALS) => `__REGIONKIT_SECRET_${MESOS_PRINCIPALS[principal].secret}__`;

const regions: { name: string; synth: string; hosts: HostArtifacts[] }[] = [];
for (const file of EXAMPLE_FILES) {
  const { spec } = await loadRegionFile(file);
  const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
  regions.push({
    name: spec.name,
    synth: Testing.synth(stack),
    hosts: hostArtifacts(stack.node.id, synthJson(stack) as never),
  });
}

function execStart(host: HostArtifacts, unit: string): string {
  const content = host.files.find((f) => f.path === `/etc/systemd/system/${unit}`)?.content ?? '';
  return /^ExecStart=(.*)$/m.exec(content)?.[1] ?? '';
}

function file(host: HostArtifacts, path: string) {
  const found = host.files.find((f) => f.path === path);
  if (!found) throw new Error(`${host.host}: no ${path}`);
  return found;
}

const fetched = (host: HostArtifacts) =>
  Object.keys((JSON.parse(file(host, '/etc/regionkit/secrets.json').content) as { secrets: object }).secrets);

describe.each(regions)('$name', ({ synth, hosts }) => {
  const masters = hosts.filter((h) => execStart(h, 'mesos_master.service'));
  const agents = hosts.filter((h) => execStart(h, 'mesos_agent.service'));

  test('the example has masters and agents', () => {
    expect(masters.length).toBeGreaterThan(0);
    expect(agents.length).toBeGreaterThan(0);
  });

  test('masters admit only authenticated frameworks, agents and read-write HTTP requests (flags at 1.7.1)', () => {
    for (const h of masters) {
      const line = execStart(h, 'mesos_master.service');
      for (const flag of [
        '--authenticate_frameworks=true',
        '--authenticate_agents=true',
        '--authenticate_http_frameworks=true',
        '--http_framework_authenticators=basic',
        '--authenticate_http_readwrite=true',
        `--credentials=${MESOS_CREDENTIALS_FILE}`,
        `--volume ${MESOS_CREDENTIALS_FILE}:${MESOS_CREDENTIALS_FILE}:ro`,
      ]) {
        expect(line).toContain(` ${flag}`);
      }
      // the volume is a docker option, before the image; the flags are the master's, after it
      expect(line.indexOf(`--volume ${MESOS_CREDENTIALS_FILE}`)).toBeLessThan(line.indexOf('--zk='));
    }
  });

  test("the masters' credentials file: every principal, each secret a reference (the --credentials JSON at 1.7.1)", () => {
    for (const h of masters) {
      const f = file(h, MESOS_CREDENTIALS_FILE);
      expect(f.permissions).toBe('0600');
      expect(JSON.parse(f.content)).toEqual({
        credentials: [
          { principal: 'agent', secret: ref('agent') },
          { principal: 'chronos', secret: ref('chronos') },
          { principal: 'marathon', secret: ref('marathon') },
          { principal: 'operator', secret: ref('operator') },
        ],
      });
      expect(fetched(h)).toEqual(expect.arrayContaining(Object.values(MESOS_PRINCIPALS).map((p) => p.secret)));
    }
  });

  test('Marathon registers as principal marathon with its secret file (flags at v1.8.244)', () => {
    for (const h of masters) {
      const line = execStart(h, 'marathon.service');
      expect(line).toContain(
        ` --mesos_authentication --mesos_authentication_principal marathon --mesos_authentication_secret_file ${MARATHON_MESOS_SECRET_FILE}`,
      );
      expect(line).toContain(` --volume ${MARATHON_MESOS_SECRET_FILE}:${MARATHON_MESOS_SECRET_FILE}:ro `);
      const f = file(h, MARATHON_MESOS_SECRET_FILE);
      // read whole, so not even a newline around the value
      expect(f.content).toBe(ref('marathon'));
      expect(f.permissions).toBe('0400');
      // the image runs Marathon as nobody (build.sbt daemonUser at v1.8.244)
      expect(h.cloudConfig).toContain(
        `- path: ${MARATHON_MESOS_SECRET_FILE}\n    content: ${ref('marathon')}\n    owner: nobody:nogroup\n`,
      );
    }
  });

  test('Chronos registers as principal chronos with its secret file (flags at v3.0.2)', () => {
    for (const h of masters) {
      const line = execStart(h, 'chronos.service');
      expect(line).not.toBe('');
      expect(line).toContain(
        ` --mesos_authentication_principal chronos --mesos_authentication_secret_file ${CHRONOS_MESOS_SECRET_FILE}`,
      );
      expect(line).toContain(` --volume ${CHRONOS_MESOS_SECRET_FILE}:${CHRONOS_MESOS_SECRET_FILE}:ro `);
      const f = file(h, CHRONOS_MESOS_SECRET_FILE);
      expect(f.content).toBe(ref('chronos'));
      // Chronos refuses a secret file others may read or write
      expect(f.permissions).toBe('0600');
    }
  });

  test('agents authenticate as principal agent (the --credential JSON at 1.7.1) and fetch only that secret of Mesos', () => {
    for (const h of agents) {
      const line = execStart(h, 'mesos_agent.service');
      expect(line).toContain(` --credential=${MESOS_AGENT_CREDENTIAL_FILE}`);
      expect(line).toContain(` --volume ${MESOS_AGENT_CREDENTIAL_FILE}:${MESOS_AGENT_CREDENTIAL_FILE}:ro `);
      const f = file(h, MESOS_AGENT_CREDENTIAL_FILE);
      expect(f.permissions).toBe('0600');
      expect(JSON.parse(f.content)).toEqual({ principal: 'agent', secret: ref('agent') });
      const mesos = fetched(h).filter((n) => n.startsWith('mesos_'));
      expect(mesos).toEqual(['mesos_agent_secret']);
    }
  });

  test('each password is a random_password of 32 letters and digits, made once per stack, and never in user data', () => {
    const json = JSON.parse(synth) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const passwords = Object.values(json.resource.random_password ?? {});
    // 4 Mesos principals, 2 framework APIs, 2 ZooKeeper users (mesos, marathon)
    expect(passwords).toHaveLength(8);
    expect(synth).toHaveResourceWithProperties(Password, { length: 32, special: false });
    for (const p of passwords) expect(p).toMatchObject({ length: 32, special: false });
    // hostArtifacts above throws on any Terraform expression in user data other than the delivery's own
    expect(synth.match(/\$\{random_password\.[\w-]+\.result\}/g)?.length).toBeGreaterThanOrEqual(8);
  });

  test("Marathon's and Chronos' APIs need basic auth: MESOSPHERE_HTTP_CREDENTIALS from an env file (v1.8.244, Chaos 0.8.7)", () => {
    for (const h of masters) {
      for (const [unit, env, secret] of [
        ['marathon.service', MARATHON_HTTP_ENV_FILE, 'marathon_http_password'],
        ['chronos.service', CHRONOS_HTTP_ENV_FILE, 'chronos_http_password'],
      ] as const) {
        const line = execStart(h, unit);
        // a docker option: before the image, and the password never on the command line
        expect(line).toContain(` --env-file=${env} `);
        expect(line.indexOf(` --env-file=${env} `)).toBeLessThan(line.search(/ \S+\/mesosphere\//));
        const f = file(h, env);
        expect(f.permissions).toBe('0600');
        expect(f.content).toBe(`MESOSPHERE_HTTP_CREDENTIALS=operator:__REGIONKIT_SECRET_${secret}__\n`);
      }
      expect(fetched(h)).toEqual(expect.arrayContaining(['marathon_http_password', 'chronos_http_password']));
    }
  });

  test('ZooKeeper: masters as user mesos, Marathons as marathon, each from a secret file; no command line holds one', () => {
    for (const h of masters) {
      expect(file(h, MESOS_MASTER_ZK_FILE).content).toMatch(
        /^zk:\/\/mesos:__REGIONKIT_SECRET_zk_mesos_password__@\S+\/mesos$/,
      );
      expect(file(h, MARATHON_ZK_ENV_FILE).content).toMatch(
        /^MARATHON_ZK=zk:\/\/marathon:__REGIONKIT_SECRET_zk_marathon_password__@\S+\/marathon\n$/,
      );
      expect(fetched(h)).toEqual(expect.arrayContaining(['zk_mesos_password', 'zk_marathon_password']));
    }
    for (const h of hosts) {
      const units = h.files.filter((f) => f.path.startsWith('/etc/systemd/system/'));
      for (const u of units) {
        // neither a credential in a zk:// URL nor a secret reference (rendered at boot) on any command line
        for (const line of u.content.split('\n').filter((l) => /^Exec/.test(l))) {
          expect(line).not.toMatch(/zk:\/\/[^\s/]*@/);
          expect(line).not.toContain('__REGIONKIT_SECRET_');
        }
      }
      // agents, edges: readers of /mesos without credentials (world-readable: EVERYONE_READ_CREATOR_ALL)
      const fetches = h.files.some((f) => f.path === '/etc/regionkit/secrets.json');
      if (!masters.includes(h) && fetches) expect(fetched(h).filter((n) => n.startsWith('zk_'))).toEqual([]);
    }
  });

  test("marathon-lb reads Marathon's API with that user and password (--marathon-auth-credential-file, v1.14.2)", () => {
    const lbs = hosts.filter((h) => execStart(h, 'marathon-lb.service'));
    expect(lbs.length).toBeGreaterThan(0);
    for (const h of lbs) {
      const line = execStart(h, 'marathon-lb.service');
      expect(line).toContain(` --marathon-auth-credential-file ${MARATHON_LB_CREDENTIAL_FILE}`);
      expect(line).toContain(` --volume ${MARATHON_LB_CREDENTIAL_FILE}:${MARATHON_LB_CREDENTIAL_FILE}:ro `);
      const f = file(h, MARATHON_LB_CREDENTIAL_FILE);
      expect(f.permissions).toBe('0600');
      // common.py reads the first line, user:password
      expect(f.content).toBe('operator:__REGIONKIT_SECRET_marathon_http_password__\n');
      expect(fetched(h).filter((n) => n.includes('http') || n.startsWith('mesos_'))).toEqual([
        'marathon_http_password',
      ]);
    }
  });
});
