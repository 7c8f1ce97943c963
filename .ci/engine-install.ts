/**
 * Builds the engine cache (bin/engine/layout.ts): OpenTofu and the provider plugins at exactly the versions
 * lib/versions.ts pins, the Kubernetes binaries and the Helm CLI the tests run, from their published Go modules, plus a filesystem mirror and a CLI config so that
 * `tofu init` needs no network. Skips what is already built. A plugin the Go module proxy refuses is recorded
 * as missing in engine.json with the proxy's answer; the tests name which ones they need.
 *
 * Run by `.ci/engine.sh` (and `npm run engine:install`). Nothing it builds enters the repository.
 */
import { existsSync, statSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';

import {
  cliConfigText,
  engineDir,
  enginePaths,
  kubernetesPaths,
  pluginDir,
  pluginFile,
  readManifest,
  REGISTRY_HOSTS,
  type BuiltKubernetes,
  type BuiltPlugin,
  type EngineManifest,
  type MissingPlugin,
} from '../bin/engine/layout.js';
import { ALL_PROVIDERS, HELM_CLI, KUBERNETES_BUILD, OPENTOFU, PLUGIN_BUILDS } from '../lib/versions.js';

const paths = enginePaths(engineDir());
const log = (line: string) => process.stderr.write(`engine: ${line}\n`);

// The module proxy reachable from the project's machines does not serve the checksum database; the wrapper
// module's go.sum records what was built. A GOSUMDB set by the caller is respected.
const goEnv = {
  GOSUMDB: process.env.GOSUMDB ?? 'off',
  GOFLAGS: '-mod=mod',
  // alicloud's packages are large; two compile jobs fit 24 GiB, more would not on bigger machines either.
  GOMAXPROCS: process.env.GOMAXPROCS ?? '2',
  CGO_ENABLED: '0',
};

/** A go command; rejects with go's own message. */
async function go(args: string[], cwd: string): Promise<string> {
  const result = await execa('go', args, { cwd, env: goEnv, reject: false, all: true });
  if (result.exitCode !== 0) throw new Error((result.all ?? '').trim() || `go ${args.join(' ')} failed`);
  return result.stdout;
}

/** Downloads `module@version` and returns its go.mod text; throws with the proxy's answer when refused. */
async function moduleGoMod(module: string, version: string, cwd: string): Promise<string> {
  // go prints the JSON (with the proxy's answer in Error) also when the download fails
  const result = await execa('go', ['mod', 'download', '-json', `${module}@${version}`], {
    cwd,
    env: goEnv,
    reject: false,
  });
  let info: { GoMod?: string; Error?: string } = {};
  try {
    info = JSON.parse(result.stdout) as typeof info;
  } catch {
    throw new Error(result.stderr.trim() || `go mod download ${module}@${version} failed`);
  }
  if (info.Error || !info.GoMod) throw new Error(info.Error ?? `no go.mod for ${module}@${version}`);
  return readFile(info.GoMod, 'utf8');
}

/**
 * Writes a wrapper module that requires `module@version` and repeats its `replace` directives (`go install
 * module@version` refuses modules that have any), and returns its directory. Local-path replacements point
 * into the module's own tree, which a dependency download does not have: they are dropped, or, with
 * `localVersion`, pointed at that published version of the same module (k8s.io/kubernetes's staging modules).
 */
async function wrapperModule(module: string, version: string, name: string, localVersion?: string): Promise<string> {
  const work = path.join(paths.dir, 'build', name);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const goMod = await moduleGoMod(module, version, work);
  const replaces = replaceDirectives(goMod, localVersion);
  // The module's own go line: without one the wrapper loads the unpruned module graph, which names versions
  // the proxy does not serve.
  const goLine = /^go\s+\S+$/m.exec(goMod)?.[0] ?? 'go 1.25';
  await writeFile(
    path.join(work, 'go.mod'),
    [`module regionkit.local/engine/${name}`, '', goLine, '', `require ${module} ${version}`, '', ...replaces, ''].join(
      '\n',
    ),
  );
  return work;
}

/** Builds `pkg` of `module@version` into `out` from a wrapper module. */
async function buildFromModule(
  module: string,
  version: string,
  pkg: string,
  out: string,
  ldflags: string,
): Promise<void> {
  const work = await wrapperModule(module, version, path.basename(out));
  await go(['get', `${pkg}@${version}`], work);
  await go(['build', '-p', '2', '-trimpath', '-ldflags', ldflags, '-o', `${out}.next`, pkg], work);
  await rename(`${out}.next`, out);
  await rm(work, { recursive: true, force: true });
}

/**
 * The `replace` lines of a go.mod, single-line form (blocks are flattened). Local-path ones are dropped, or
 * with `localVersion` rewritten to that version of the replaced module.
 */
function replaceDirectives(goMod: string, localVersion?: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === 'replace (') inBlock = true;
    else if (inBlock && line === ')') inBlock = false;
    else if (inBlock && line) out.push(`replace ${line}`);
    else if (line.startsWith('replace ')) out.push(line);
  }
  const local = /^replace\s+(\S+)\s+=>\s*\.{1,2}\//;
  if (localVersion === undefined) return out.filter((r) => !local.test(r));
  return out.map((r) => r.replace(/^replace\s+(\S+)\s+=>\s*\.{1,2}\/.*$/, `replace $1 => $1 ${localVersion}`));
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && stat.size > 0 && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  log(`building ${what} …`);
  const value = await fn();
  const seconds = Math.round((performance.now() - start) / 100) / 10;
  log(`built ${what} in ${seconds} s`);
  return { value, seconds };
}

async function tofuVersion(): Promise<string | undefined> {
  if (!existsSync(paths.tofu)) return undefined;
  const result = await execa(paths.tofu, ['version', '-json'], { reject: false });
  if (result.exitCode !== 0) return undefined;
  return (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version;
}

async function installTofu(previous: EngineManifest | undefined): Promise<EngineManifest['tofu']> {
  if ((await tofuVersion()) === OPENTOFU.version) {
    log(`OpenTofu ${OPENTOFU.version} already built`);
    return previous?.tofu ?? { version: OPENTOFU.version, buildSeconds: 0 };
  }
  await mkdir(path.dirname(paths.tofu), { recursive: true });
  const { seconds } = await timed(`OpenTofu ${OPENTOFU.version}`, () =>
    buildFromModule(
      OPENTOFU.goModule,
      `v${OPENTOFU.version}`,
      OPENTOFU.goPackage,
      paths.tofu,
      // as OpenTofu's own release build does (.goreleaser.yaml), so it reports 1.11.7, not 1.11.7-dev
      `-s -w -X '${OPENTOFU.goModule}/version.dev=no'`,
    ),
  );
  const built = await tofuVersion();
  if (built !== OPENTOFU.version) throw new Error(`built tofu reports version ${built}, expected ${OPENTOFU.version}`);
  return { version: OPENTOFU.version, buildSeconds: seconds };
}

async function installPlugin(
  name: keyof typeof PLUGIN_BUILDS,
  previous: EngineManifest | undefined,
): Promise<BuiltPlugin | MissingPlugin> {
  const { source, version } = ALL_PROVIDERS[name];
  const build = PLUGIN_BUILDS[name];
  const file = pluginFile(source, version);
  const targets = Object.values(REGISTRY_HOSTS).map((host) =>
    path.join(pluginDir(paths.mirror, host, source, version), file),
  );
  const before = previous?.plugins.find((p) => p.source === source && p.version === version);
  // Built means: recorded as built from this very module version, and an executable, non-empty file in place.
  if (before?.goVersion === build.goVersion && targets.every((t) => isExecutableFile(t))) {
    log(`${source} ${version} already built`);
    return before;
  }
  const binary = path.join(paths.dir, 'build-out', file);
  await mkdir(path.dirname(binary), { recursive: true });
  try {
    const { seconds } = await timed(`${source} ${version} (${build.goModule}@${build.goVersion})`, () =>
      buildFromModule(build.goModule, build.goVersion, build.goModule, binary, `-s -w -X main.version=${version}`),
    );
    for (const target of targets) {
      await mkdir(path.dirname(target), { recursive: true });
      await rm(`${target}.next`, { force: true });
      await link(binary, `${target}.next`).catch(() => copyFile(binary, `${target}.next`));
      await chmod(`${target}.next`, 0o755);
      await rename(`${target}.next`, target);
    }
    await rm(binary, { force: true });
    return { source, version, goVersion: build.goVersion, buildSeconds: seconds };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 400);
    log(`!!! ${source} ${version} NOT built: ${reason}`);
    return { source, version, reason };
  }
}

/** Whether `binary --version` prints exactly the pinned release (kubeadm: `kubeadm version -o short`). */
async function kubernetesBinaryVersion(binary: string): Promise<string | undefined> {
  if (!isExecutableFile(binary)) return undefined;
  const args = path.basename(binary) === 'kubeadm' ? ['version', '-o', 'short'] : ['--version'];
  const result = await execa(binary, args, { reject: false });
  return /v(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1];
}

/**
 * Builds kube-apiserver, kube-controller-manager and kubeadm (lib/versions.ts KUBERNETES_BUILD) from one
 * wrapper module. Stamped with the release as Kubernetes' own build does (hack/lib/version.sh sets these
 * component-base variables), so they report it and kubeadm accepts configs for it. A failure is recorded, not
 * thrown: the tests that need the binaries name it.
 */
async function installKubernetes(previous: EngineManifest | undefined): Promise<BuiltKubernetes> {
  const { version, goModule, stagingVersion, commands } = KUBERNETES_BUILD;
  const kube = kubernetesPaths(paths.dir, version);
  const binaries = commands.map((c) => path.join(kube.bin, c));
  const versions = await Promise.all(binaries.map((b) => kubernetesBinaryVersion(b)));
  if (versions.every((v) => v === version)) {
    log(`Kubernetes ${version} binaries already built`);
    return previous?.kubernetes?.version === version ? previous.kubernetes : { version, buildSeconds: 0 };
  }
  const [major, minor] = version.split('.');
  const component = 'k8s.io/component-base/version';
  const ldflags = [
    '-s -w',
    `-X ${component}.gitVersion=v${version}`,
    `-X ${component}.gitMajor=${major}`,
    `-X ${component}.gitMinor=${minor}`,
    `-X ${component}.gitTreeState=clean`,
  ].join(' ');
  try {
    const { seconds } = await timed(`Kubernetes ${version} (${commands.join(', ')})`, async () => {
      const work = await wrapperModule(goModule, `v${version}`, 'kubernetes', stagingVersion);
      await mkdir(kube.bin, { recursive: true });
      for (const command of commands) {
        const pkg = `${goModule}/cmd/${command}`;
        await go(['get', `${pkg}@v${version}`], work);
        const out = path.join(kube.bin, command);
        await go(['build', '-p', '2', '-trimpath', '-ldflags', ldflags, '-o', `${out}.next`, pkg], work);
        await rename(`${out}.next`, out);
      }
      await rm(work, { recursive: true, force: true });
    });
    for (const binary of binaries) {
      const built = await kubernetesBinaryVersion(binary);
      if (built !== version) throw new Error(`${binary} reports version ${built}, expected ${version}`);
    }
    return { version, buildSeconds: seconds };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 400);
    log(`!!! Kubernetes ${version} NOT built: ${reason}`);
    return { version, reason };
  }
}

/** `helm version --short` of `binary` (`v3.22.0+g…` -> `3.22.0`), or undefined when it is absent or fails. */
async function helmVersion(binary: string): Promise<string | undefined> {
  if (!isExecutableFile(binary)) return undefined;
  const result = await execa(binary, ['version', '--short'], { reject: false });
  return /^v(\d+\.\d+\.\d+)/.exec(result.stdout.trim())?.[1];
}

/** Builds the Helm CLI (lib/versions.ts HELM_CLI) into `bin/helm`; a failure is recorded, not thrown. */
async function installHelm(previous: EngineManifest | undefined): Promise<BuiltKubernetes> {
  const { version, goModule, goPackage } = HELM_CLI;
  if ((await helmVersion(paths.helm)) === version) {
    log(`Helm ${version} already built`);
    return previous?.helm?.version === version ? previous.helm : { version, buildSeconds: 0 };
  }
  try {
    await mkdir(path.dirname(paths.helm), { recursive: true });
    const { seconds } = await timed(`Helm ${version}`, () =>
      // as helm's Makefile does for a tagged release: the version, no "unreleased" metadata
      buildFromModule(
        goModule,
        `v${version}`,
        goPackage,
        paths.helm,
        `-s -w -X ${goModule}/internal/version.version=v${version} -X ${goModule}/internal/version.metadata=`,
      ),
    );
    const built = await helmVersion(paths.helm);
    if (built !== version) throw new Error(`built helm reports version ${built}, expected ${version}`);
    return { version, buildSeconds: seconds };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 400);
    log(`!!! Helm ${version} NOT built: ${reason}`);
    return { version, reason };
  }
}

async function main(): Promise<void> {
  await execa('go', ['version']).catch(() => {
    throw new Error('go is not on the PATH; the engine is built from Go modules (Go ≥ 1.25)');
  });
  await mkdir(paths.dir, { recursive: true });
  const previous = readManifest(paths.dir);
  const started = performance.now();
  const tofu = await installTofu(previous);
  const plugins: BuiltPlugin[] = [];
  const missing: MissingPlugin[] = [];
  for (const name of Object.keys(PLUGIN_BUILDS) as (keyof typeof PLUGIN_BUILDS)[]) {
    const result = await installPlugin(name, previous);
    if ('reason' in result) missing.push(result);
    else plugins.push(result);
  }
  const kubernetes = await installKubernetes(previous);
  const helm = await installHelm(previous);
  const mirrored = plugins.flatMap((p) => Object.values(REGISTRY_HOSTS).map((host) => `${host}/${p.source}`));
  await writeFile(paths.cliConfig, cliConfigText(paths.mirror, mirrored));
  const manifest: EngineManifest = { tofu, kubernetes, helm, plugins, missing };
  await writeFile(`${paths.manifest}.next`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${paths.manifest}.next`, paths.manifest);
  await rm(path.join(paths.dir, 'build-out'), { recursive: true, force: true });
  log(`engine ready in ${paths.dir} (${Math.round((performance.now() - started) / 1000)} s)`);
  log(`  tofu ${tofu?.version} (build ${tofu?.buildSeconds} s)`);
  for (const p of plugins) log(`  ${p.source} ${p.version} (build ${p.buildSeconds} s)`);
  if (kubernetes.reason) log(`  MISSING Kubernetes ${kubernetes.version}: ${kubernetes.reason}`);
  else log(`  Kubernetes ${kubernetes.version} (build ${kubernetes.buildSeconds} s)`);
  if (helm.reason) log(`  MISSING Helm ${helm.version}: ${helm.reason}`);
  else log(`  Helm ${helm.version} (build ${helm.buildSeconds} s)`);
  for (const m of missing) log(`  MISSING ${m.source} ${m.version}: ${m.reason}`);
  process.stdout.write(`${paths.dir}\n`);
}

await main();
