/**
 * regionkit as a platform team uses it: a separate TypeScript project (strict, ES modules), scaffolded by
 * `regionkit init`, installs the packed
 * tarball beside the newest cdktf 0.21, constructs 10 and cdktf-cli 0.21 from the registry, type-checks a typed
 * region, registers a role and names it in a region file, adds a resource from `regionkit/openstack`, an
 * override and an Aspect, and synthesizes with `app.synth()` and with `cdktf synth`. The README's library
 * snippets are compiled and run there as written, and a symlinked path install (a second cdktf) fails loudly
 * instead of losing overrides.
 *
 * The tarball is packed from a copy of the sources (so building it never touches this checkout's `dist/`,
 * which other tests read). npm runs with --prefer-offline, so a warm npm cache makes it a local install.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa, execaSync, type Options } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';

import { PACKAGE_ROOT } from '../../lib/providers/paths.js';

const TSC = path.join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
const ENV = { CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1', CI: 'true' };
/** Seconds each step took, printed at the end. */
const timings: [string, number][] = [];

async function timed<T>(step: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    timings.push([step, Math.round((performance.now() - start) / 100) / 10]);
  }
}

async function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  options: Pick<Options, 'reject'> = {},
): Promise<{ stdout: string; all: string; exitCode: number }> {
  const result = await execa(cmd, args, { cwd, env: ENV, all: true, ...options });
  return { stdout: String(result.stdout), all: String(result.all), exitCode: result.exitCode ?? -1 };
}

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILgOiVB+dvIiGhivlk1x7pTALz6I4O+2WxgCUcAjqq/R ops@example';

const REGION_FILE = `# yaml-language-server: $schema=../node_modules/regionkit/regions/region.schema.json
name: eu1
cloud: openstack
openstack: { cloud: eu1 }
zones: [az1, az2]
admin:
  sshKeys: ['${KEY}']
  sshSources: [198.51.100.0/24]
hostGroups:
  - { name: bastion }
  - { name: api, count: 2, roles: [docker, my-agent] }
  - { name: db }
`;

const MAIN = `import { App, Aspects, TerraformResource, type IAspect } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import {
  HostRole,
  RegionStack,
  RoleRegistry,
  loadRegionFile,
  type CloudConfig,
  type HostContext,
  type MesosCluster,
  type RegionSpecInput,
} from 'regionkit';
import { ComputeInstanceV2 } from 'regionkit/openstack';
import { NetworkingSecgroupRuleV2 } from 'regionkit/openstack/networking-secgroup-rule-v2';

class MyAgent extends HostRole {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      roleName: 'my-agent',
      requires: ['common'],
      ports: [{ protocol: 'tcp', port: 7070, from: 'region', description: 'my-agent API' }],
    });
  }
  public configure(ctx: HostContext, config: CloudConfig): void {
    config.addFile({ path: '/etc/my-agent.conf', content: \`host=\${ctx.host.name}\\n\` });
  }
}

/** Counts what it visits: with one cdktf copy, both tests see every resource. */
class Protect implements IAspect {
  public viaSymbol = 0;
  public viaInstanceof = 0;
  public visit(node: IConstruct): void {
    if (node instanceof TerraformResource) this.viaInstanceof++;
    if (!TerraformResource.isTerraformResource(node)) return;
    this.viaSymbol++;
    if (node.terraformResourceType === 'openstack_blockstorage_volume_v3') {
      node.addOverride('lifecycle.prevent_destroy', true);
    }
  }
}

const app = new App();
const roles = RoleRegistry.of(app).register('my-agent', (scope, id) => new MyAgent(scope, id));
const { spec } = await loadRegionFile('regions/eu1.yaml', undefined, { customRoles: roles.names });
const stack = new RegionStack(app, 'eu1-infra', { spec });
for (const instance of stack.hostGroups.get('api')!.instances) {
  if (instance instanceof ComputeInstanceV2) instance.addOverride('stop_before_destroy', true);
}
new NetworkingSecgroupRuleV2(stack, 'DbFromOffice', {
  securityGroupId: stack.hostGroups.get('db')!.securityGroup.securityGroupId,
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  portRangeMin: 5432,
  portRangeMax: 5432,
  remoteIpPrefix: '198.51.100.0/24',
});
const protect = new Protect();
Aspects.of(stack).add(protect);

// a typed region, checked under strict
const typed = {
  name: 'eu2',
  cloud: 'alicloud',
  alicloud: { region: 'cn-hangzhou' },
  zones: 2,
  admin: { sshKeys: ['${KEY}'] },
  hostGroups: [{ name: 'web', count: 2, systemDiskSizeGiB: 60 }],
  loadBalancers: [{ name: 'www', public: true, backends: 'web', listeners: [{ port: 443 }] }],
} satisfies RegionSpecInput;
const eu2 = new RegionStack(app, 'eu2-infra', { spec: typed });
const cluster: MesosCluster | undefined = eu2.cluster;

app.synth();
console.log(JSON.stringify({ viaSymbol: protect.viaSymbol, viaInstanceof: protect.viaInstanceof, cluster: cluster === undefined }));
`;

/** Must not type-check: the spec types are real. */
const TYPE_ERROR = `import type { RegionSpecInput } from 'regionkit';
export const bad: RegionSpecInput = {
  name: 'eu3',
  cloud: 'openstack',
  admin: { sshKeys: ['k'] },
  hostGroups: [{ name: 'web', count: 'three' }],
};
`;

/** The ```ts blocks of README's library section, as written. */
async function readmeSnippets(): Promise<string[]> {
  const readme = await readFile(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it as a library'), readme.indexOf('## Provider bindings'));
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

type Tf = { resource: Record<string, Record<string, Record<string, unknown>>> };

describe('a separate project consuming the packed library', () => {
  let work: string;
  let consumer: string;
  let tarball: string;
  let source: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'regionkit-consumer-'));
    // 1. pack from a copy of the sources, built as publishing builds it (prepare)
    source = path.join(work, 'regionkit');
    await timed('copy sources', async () => {
      const tracked = execaSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
        cwd: PACKAGE_ROOT,
      }).stdout.split('\n');
      for (const file of [...tracked, ...(await listFiles(path.join(PACKAGE_ROOT, 'lib', 'gen')))]) {
        await cp(path.join(PACKAGE_ROOT, file), path.join(source, file), { force: true });
      }
      await symlink(path.join(PACKAGE_ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
      // the last build, so tsc's incremental build recompiles only what changed since (and the result is the same)
      await cp(path.join(PACKAGE_ROOT, 'dist'), path.join(source, 'dist'), { recursive: true }).catch(() => undefined);
    });
    const packed = await timed('npm pack (build)', () =>
      run('npm', ['pack', '--json', '--pack-destination', work, ...NPM_FLAGS], source),
    );
    // the prepare script's own output may precede npm's JSON
    tarball = path.join(work, /"filename":\s*"([^"]+)"/.exec(packed.stdout)![1]!);

    // 2. the consumer project, as `regionkit init` scaffolds it (the CLI the tarball was built with), then the
    // test's own region file and app beside the scaffold's
    consumer = path.join(work, 'infra');
    await timed('regionkit init', () =>
      run('node', [path.join(source, 'dist', 'regionkit.mjs'), 'init', consumer], work),
    );
    await writeFile(path.join(consumer, 'regions', 'eu1.yaml'), REGION_FILE);
    await writeFile(path.join(consumer, 'main.ts'), MAIN);
    const snippets = await readmeSnippets();
    for (const [i, snippet] of snippets.entries()) await writeFile(path.join(consumer, `readme-${i + 1}.ts`), snippet);
    // package.json names regionkit at its version, cdktf and constructs at its peer ranges: the tarball stands in
    // for the registry's regionkit, the rest resolves to the newest matching release
    await timed('npm install (registry, prefer-offline)', () =>
      run('npm', ['install', ...NPM_FLAGS, tarball], consumer),
    );
  }, 600_000);

  test('regionkit and the app share one cdktf and one constructs: the newest 0.21 and 10', async () => {
    // resolved as each side resolves them at run time (cdktf-cli keeps its own pinned constructs; it never
    // touches the app's construct tree, which runs in its own process)
    const script =
      "const { createRequire } = require('node:module');\n" +
      "const rk = createRequire(require.resolve('regionkit'));\n" +
      "console.log(JSON.stringify(['cdktf', 'constructs'].map((p) => [require.resolve(p), rk.resolve(p)])));";
    const pairs = JSON.parse((await run('node', ['--input-type=commonjs', '-e', script], consumer)).stdout) as [
      string,
      string,
    ][];
    for (const [app, regionkit] of pairs) expect(regionkit).toBe(app);
    const version = async (p: string) =>
      (
        JSON.parse(await readFile(path.join(consumer, 'node_modules', p, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    const newest = async (spec: string) =>
      ([] as string[])
        .concat(JSON.parse((await run('npm', ['view', spec, 'version', '--json', ...NPM_FLAGS], consumer)).stdout))
        .at(-1);
    expect(await version('cdktf')).toBe(await newest('cdktf@~0.21.0'));
    expect(await version('constructs')).toBe(await newest('constructs@^10'));
    // regionkit's own dependencies may nest (a version cdktf-cli also uses); its peers never do
    const nested = await readdir(path.join(consumer, 'node_modules', 'regionkit', 'node_modules')).catch(() => []);
    expect(nested.filter((n) => n === 'cdktf' || n === 'constructs')).toEqual([]);
  }, 300_000);

  test("init's scaffold: the $schema link resolves into the installed package; its snapshot test runs", async () => {
    const region = await readFile(path.join(consumer, 'regions', 'example.yaml'), 'utf8');
    const link = /\$schema=(\S+)/.exec(region)![1]!;
    const script = "console.log(require.resolve('regionkit/region.schema.json'))";
    const resolved = (await run('node', ['--input-type=commonjs', '-e', script], consumer)).stdout.trim();
    expect(path.resolve(consumer, 'regions', link)).toBe(resolved);
    // first run writes the snapshots, the second (CI) compares against them
    // only the scaffold's own region: eu1.yaml names a role only MAIN registers
    const only = ['-t', 'regions/example.yaml'];
    await timed('scaffold vitest -u', () => run('npx', ['vitest', 'run', '-u', ...only], consumer));
    const again = await timed('scaffold vitest', () =>
      run('npx', ['vitest', 'run', '--reporter=verbose', ...only], consumer),
    );
    expect(again.all).toMatch(/regions\/example\.yaml synthesizes as reviewed/);
    const snapshots = await readFile(path.join(consumer, '__snapshots__', 'regions.test.ts.snap'), 'utf8');
    expect(snapshots).toContain('example-web-1');
  }, 300_000);

  test('type-checks under strict; a wrong spec field does not', async () => {
    await timed('tsc', () => run('node', [TSC, '-p', '.'], consumer));
    await writeFile(path.join(consumer, 'type-error.ts'), TYPE_ERROR);
    const bad = await run(
      'node',
      [TSC, '--noEmit', '--strict', '--skipLibCheck', '--module', 'NodeNext', 'type-error.ts'],
      consumer,
      {
        reject: false,
      },
    );
    expect(bad.exitCode).not.toBe(0);
    expect(bad.all).toMatch(/type-error\.ts\(6,\d+\): error TS2322: Type 'string' is not assignable to type 'number/);
    // the scaffold's cdktf.json app compiles every *.ts of the project before it runs
    await rm(path.join(consumer, 'type-error.ts'));
  }, 300_000);

  test('app.synth() and cdktf synth write the same JSON, with the custom role, the extra resource and overrides', async () => {
    const synth = await timed('node dist/main.js (app.synth)', () => run('node', ['dist/main.js'], consumer));
    const counts = JSON.parse(synth.stdout.trim().split('\n').at(-1)!) as Record<string, number | boolean>;
    expect(counts.viaSymbol).toBeGreaterThan(20);
    expect(counts.viaInstanceof).toBe(counts.viaSymbol);
    const fromApp = await readFile(path.join(consumer, 'cdktf.out', 'stacks', 'eu1-infra', 'cdk.tf.json'), 'utf8');

    await timed('cdktf synth', () => run('npx', ['cdktf', 'synth', '--output', 'cdktf.cli.out'], consumer));
    const fromCli = await readFile(path.join(consumer, 'cdktf.cli.out', 'stacks', 'eu1-infra', 'cdk.tf.json'), 'utf8');
    expect(fromCli).toBe(fromApp);

    const tf = JSON.parse(fromApp) as Tf;
    const instances = Object.values(tf.resource.openstack_compute_instance_v2!);
    const byGroup = (g: string) => instances.filter((i) => String(i.name).startsWith(`eu1-${g}-`));
    expect(byGroup('api').map((i) => i.stop_before_destroy)).toEqual([true, true]);
    expect(byGroup('db').map((i) => i.stop_before_destroy)).toEqual([undefined]);
    expect(byGroup('api').every((i) => String(i.user_data).includes('/etc/my-agent.conf'))).toBe(true);
    expect(byGroup('db').some((i) => String(i.user_data).includes('/etc/my-agent.conf'))).toBe(false);
    // no role keeps state on this region's groups, so no data volume (a disk no role uses is an error)
    expect(tf.resource.openstack_blockstorage_volume_v3).toBeUndefined();
    expect(Object.values(tf.resource.openstack_networking_secgroup_rule_v2!)).toContainEqual(
      expect.objectContaining({ port_range_min: 5432, remote_ip_prefix: '198.51.100.0/24' }),
    );
    const rules = Object.values(tf.resource.openstack_networking_secgroup_rule_v2!);
    expect(rules.some((r) => r.port_range_min === 7070 && r.description === 'my-agent: my-agent API')).toBe(true);
  }, 300_000);

  test("README's library snippets compile and run as written", async () => {
    const snippets = await readmeSnippets();
    expect(snippets.length).toBeGreaterThanOrEqual(3);
    for (const i of snippets.keys()) {
      const dir = path.join(consumer, `run-readme-${i + 1}`);
      await mkdir(path.join(dir, 'regions'), { recursive: true });
      await writeFile(path.join(dir, 'regions', 'eu1.yaml'), REGION_FILE);
      await timed(`README snippet ${i + 1}`, () =>
        run('node', [path.join(consumer, 'dist', `readme-${i + 1}.js`)], dir),
      );
      expect((await readdir(path.join(dir, 'cdktf.out', 'stacks'))).length).toBeGreaterThan(0);
    }
  }, 300_000);

  test('a CommonJS project require()s it', async () => {
    const cjs = path.join(consumer, 'cjs');
    await mkdir(cjs, { recursive: true });
    await writeFile(path.join(cjs, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    await writeFile(
      path.join(cjs, 'main.cjs'),
      "const { App } = require('cdktf');\nconst { RegionStack } = require('regionkit');\n" +
        "const { ComputeInstanceV2 } = require('regionkit/openstack');\nconst app = new App({ outdir: 'out' });\n" +
        `const s = new RegionStack(app, 'cjs1-infra', { spec: { name: 'cjs1', cloud: 'openstack', openstack: {}, zones: 1, admin: { sshKeys: ['${KEY}'] }, hostGroups: [{ name: 'web' }] } });\n` +
        "console.log(s.hostGroups.get('web').instances[0] instanceof ComputeInstanceV2);\napp.synth();\n",
    );
    expect((await run('node', ['main.cjs'], cjs)).stdout.trim()).toBe('true');
  }, 300_000);

  test('a symlinked path install (a second cdktf) fails loudly instead of losing overrides', async () => {
    // The layout `npm install <dir>` makes (install-links is off by default): node_modules/regionkit is a symlink
    // to the checkout, so Node resolves regionkit's cdktf and constructs from the checkout's own node_modules.
    // Built by hand beside the consumer's packages instead of a second install, to keep the test lean.
    const linked = path.join(work, 'infra-linked');
    await mkdir(path.join(linked, 'regions'), { recursive: true });
    await mkdir(path.join(linked, 'node_modules'));
    await writeFile(
      path.join(linked, 'package.json'),
      JSON.stringify({ name: 'linked', private: true, type: 'module' }),
    );
    await writeFile(path.join(linked, 'regions', 'eu1.yaml'), REGION_FILE);
    await cp(path.join(consumer, 'dist', 'main.js'), path.join(linked, 'main.js'));
    for (const name of await readdir(path.join(consumer, 'node_modules'))) {
      const target = name === 'regionkit' ? source : path.join(consumer, 'node_modules', name);
      await symlink(target, path.join(linked, 'node_modules', name), 'dir');
    }
    const result = await run('node', ['main.js'], linked, { reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toMatch(/two copies of (cdktf|constructs): regionkit loads \S+, your app was made with another/);
    expect(result.all).toMatch(/npm install --install-links/);
    // nothing synthesized (App made the empty output directory before the stack refused)
    expect(await readdir(path.join(linked, 'cdktf.out', 'stacks')).catch(() => [])).toEqual([]);
  }, 300_000);

  test('timings', () => {
    process.stderr.write(`consumer test timings (s): ${timings.map(([s, t]) => `${s} ${t}`).join(', ')}\n`);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(PACKAGE_ROOT, path.join(e.parentPath, e.name)));
}
