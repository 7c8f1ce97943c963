/**
 * `regionkit init [dir]`: scaffolds an infra repo that uses regionkit as a library: package.json (regionkit at the
 * version running, cdktf and constructs at regionkit's peer ranges, the tools at the versions regionkit is built and
 * tested with), tsconfig.json (strict, ES modules), cdktf.json, one region file whose `$schema` link points into
 * the installed package, a `main.ts` that synthesizes every region file, and a snapshot test of each region.
 *
 * Every file is written into a staging directory beside the target first and moved into place by rename, so a
 * failed run leaves nothing half-written. A non-empty target is refused unless `--force` (then only the scaffold's
 * own files are replaced; everything else in the directory is kept).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { SpecError } from '../../lib/errors.js';
import { PACKAGE_ROOT } from '../../lib/providers/paths.js';
import type { Io } from '../io.js';
import { EXIT_OK, type GlobalOptions } from '../options.js';

/** Options of `regionkit init`. */
export interface InitOptions extends GlobalOptions {
  /** Write into a non-empty directory, replacing the scaffold's files there. @default false */
  readonly force?: boolean;
}

interface OwnPackage {
  name: string;
  version: string;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** The SSH key the scaffold's region file carries until the user puts theirs (an example key, marked as such). */
const EXAMPLE_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILgOiVB+dvIiGhivlk1x7pTALz6I4O+2WxgCUcAjqq/R replace-me@example';

/** Path of the region file, relative to the project. */
export const INIT_REGION_FILE = 'regions/example.yaml';

/** The scaffold: relative path -> content. */
export function scaffold(name: string, own: OwnPackage): Record<string, string> {
  const dev = (p: string) => {
    const v = own.devDependencies[p];
    if (!v) throw new Error(`regionkit's package.json has no devDependency ${p}`);
    return v;
  };
  const packageJson = {
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: {
      build: 'tsc',
      synth: 'tsc && node dist/main.js',
      test: 'vitest run',
    },
    dependencies: {
      [own.name]: own.version,
      cdktf: own.peerDependencies.cdktf,
      constructs: own.peerDependencies.constructs,
    },
    devDependencies: {
      '@types/node': dev('@types/node'),
      'cdktf-cli': dev('cdktf-cli'),
      typescript: dev('typescript'),
      vitest: dev('vitest'),
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      outDir: 'dist',
      rootDir: '.',
      types: ['node'],
    },
    include: ['*.ts'],
    // vitest compiles the tests itself; compiled copies in dist/ would run twice
    exclude: ['*.test.ts'],
  };
  const cdktf = { language: 'typescript', app: 'npx tsc && node dist/main.js', output: 'cdktf.out' };
  const region = `# yaml-language-server: $schema=../node_modules/${own.name}/regions/region.schema.json
# One region. Field reference: hover a field in an editor with YAML support, or read the schema above.
name: example
cloud: openstack
openstack:
  cloud: example # the clouds.yaml entry holding the credentials
zones: 1
admin:
  # replace with your own public key(s): this example key lets nobody you know log in
  sshKeys: ['${EXAMPLE_KEY}']
  sshSources: [198.51.100.0/24]
hostGroups:
  - { name: bastion }
  - { name: web, count: 2 }
loadBalancers:
  - { name: www, public: true, backends: web, listeners: [{ port: 443 }] }
`;
  const main = `/**
 * The cdktf app: the stacks of each region file in regions/ (<region>-infra, and <region>-platform for a
 * Kubernetes region). Synthesize with \`npm run synth\` or \`npx cdktf synth\`; the JSON lands in cdktf.out/stacks/<stack>/.
 */
import { App } from 'cdktf';
import { addRegionStacks, loadRegionFiles } from '${own.name}';

import { regionFiles } from './regions.js';

const app = new App();
addRegionStacks(app, (await loadRegionFiles(await regionFiles())).map((loaded) => loaded.spec));
app.synth();
`;
  const regions = `import { readdir } from 'node:fs/promises';

/** The region files of this repository, in name order. */
export async function regionFiles(dir = 'regions'): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => \`\${dir}/\${f}\`);
}
`;
  const test = `/**
 * Each region's Terraform JSON, as reviewed: a change to a region file or to ${own.name} shows up as a snapshot
 * diff. Review it, then accept it with \`npx vitest run -u\`.
 */
import { Testing } from 'cdktf';
import { RegionStack, infraStackName, loadRegionFile } from '${own.name}';
import { expect, test } from 'vitest';

import { regionFiles } from './regions.js';

test.each(await regionFiles())('%s synthesizes as reviewed', async (file) => {
  const { spec } = await loadRegionFile(file);
  const stack = new RegionStack(Testing.app(), infraStackName(spec.name), { spec });
  expect(Testing.synth(stack)).toMatchSnapshot();
});
`;
  const gitignore = ['node_modules/', 'dist/', 'cdktf.out/', '*.tfstate', '*.tfstate.backup', '.terraform/', ''].join(
    '\n',
  );
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'cdktf.json': `${JSON.stringify(cdktf, null, 2)}\n`,
    '.gitignore': gitignore,
    [INIT_REGION_FILE]: region,
    'main.ts': main,
    'regions.ts': regions,
    'regions.test.ts': test,
  };
}

/** Writes the scaffold into `dir` (default: the current directory); stdout lists the files written. */
export async function run(dir: string | undefined, opts: InitOptions, io: Io): Promise<number> {
  const target = path.resolve(io.cwd, dir ?? '.');
  const entries = await readdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ENOTDIR') throw new SpecError(`init: ${target} is a file, not a directory`);
    throw err;
  });
  if (entries && entries.length > 0 && !opts.force) {
    throw new SpecError(`init: ${target} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`, {
      hint: 'run it in an empty or new directory, or add --force to write the scaffold there anyway (its files are replaced, nothing else is touched)',
    });
  }
  const own = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as OwnPackage;
  const name = path
    .basename(target)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '');
  const files = scaffold(name || 'infra', own);

  await mkdir(path.dirname(target), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.init-`));
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(staging, file)), { recursive: true });
      await writeFile(path.join(staging, file), content);
    }
    if (!entries || entries.length === 0) {
      // a new or empty directory: the whole scaffold appears at once
      if (entries) await rmdir(target);
      await rename(staging, target);
    } else {
      for (const file of Object.keys(files)) {
        await mkdir(path.dirname(path.join(target, file)), { recursive: true });
        await rename(path.join(staging, file), path.join(target, file));
      }
    }
  } finally {
    if (existsSync(staging) && (await stat(staging)).isDirectory()) await rm(staging, { recursive: true, force: true });
  }
  for (const file of Object.keys(files)) io.out(`${path.join(target, file)}\n`);
  if (!opts.quiet) {
    io.err(
      `next: cd ${path.relative(io.cwd, target) || '.'} && npm install && npm test; ` +
        `put your SSH key and cloud in ${INIT_REGION_FILE}\n`,
    );
  }
  return EXIT_OK;
}
