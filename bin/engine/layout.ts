/**
 * Where the engine cache lives and how it is laid out. `.ci/engine.sh` writes it; the CLI and the tests read it.
 *
 * ```
 * <engine dir>/                     $REGIONKIT_ENGINE_DIR, else $XDG_CACHE_HOME/regionkit/engine, else ~/.cache/…
 *   bin/tofu                        OpenTofu built from its Go module
 *   plugins/<host>/<ns>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>
 *   tofurc                          CLI config: provider_installation { filesystem_mirror { path = plugins } }
 *   engine.json                     what was built, what could not be, and how long each build took
 *   kubernetes/<version>/bin/       kube-apiserver, kube-controller-manager, kubeadm (lib/versions.ts KUBERNETES_BUILD)
 * ```
 * The mirror holds each plugin under both registry hosts, since the synthesized JSON names providers without
 * a host: OpenTofu resolves them on registry.opentofu.org, Terraform on registry.terraform.io.
 * @see https://opentofu.org/docs/cli/config/config-file/#filesystem_mirror
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Registry hosts the filesystem mirror serves, one per engine. */
export const REGISTRY_HOSTS = { tofu: 'registry.opentofu.org', terraform: 'registry.terraform.io' } as const;

/** A plugin as recorded in `engine.json`. */
export interface BuiltPlugin {
  /** Unqualified source (`aliyun/alicloud`). */
  readonly source: string;
  readonly version: string;
  /** The Go module version it was built from. */
  readonly goVersion: string;
  readonly buildSeconds: number;
}

/** A pinned plugin the install could not build, with the reason it gave. */
export interface MissingPlugin {
  readonly source: string;
  readonly version: string;
  readonly reason: string;
}

/** Kubernetes binaries (or the Helm CLI) as recorded in `engine.json`, or why they could not be built. */
export interface BuiltKubernetes {
  readonly version: string;
  readonly buildSeconds?: number;
  /** Set when the build failed: the go command's answer. */
  readonly reason?: string;
}

/** Contents of `engine.json`. */
export interface EngineManifest {
  readonly tofu?: { readonly version: string; readonly buildSeconds: number };
  /** Absent in caches written before the Kubernetes binaries joined. */
  readonly kubernetes?: BuiltKubernetes;
  /** The Helm CLI (lib/versions.ts `HELM_CLI`), or why it could not be built; absent in older caches. */
  readonly helm?: BuiltKubernetes;
  readonly plugins: readonly BuiltPlugin[];
  readonly missing: readonly MissingPlugin[];
}

/** Whether the engine cache built the plugin of `pin` (same source, same version). */
export function hasPlugin(
  manifest: EngineManifest | undefined,
  pin: { readonly source: string; readonly version: string },
): boolean {
  return !!manifest?.plugins.some((p) => p.source === pin.source && p.version === pin.version);
}

/** The engine cache directory for an environment. */
export function engineDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.REGIONKIT_ENGINE_DIR) return path.resolve(env.REGIONKIT_ENGINE_DIR);
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(cache, 'regionkit', 'engine');
}

/** Paths inside one engine directory. */
export function enginePaths(dir: string) {
  return {
    dir,
    tofu: path.join(dir, 'bin', 'tofu'),
    helm: path.join(dir, 'bin', 'helm'),
    mirror: path.join(dir, 'plugins'),
    cliConfig: path.join(dir, 'tofurc'),
    manifest: path.join(dir, 'engine.json'),
  };
}

/**
 * Where the Kubernetes binaries of one version live in an engine directory.
 * @param version release without the `v` (`1.36.3`)
 */
export function kubernetesPaths(dir: string, version: string) {
  const bin = path.join(dir, 'kubernetes', version, 'bin');
  return {
    bin,
    kubeApiserver: path.join(bin, 'kube-apiserver'),
    kubeControllerManager: path.join(bin, 'kube-controller-manager'),
    kubeadm: path.join(bin, 'kubeadm'),
  };
}

/** `linux_amd64` and the like, in the engines' platform names. */
export function platform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' } as Record<string, string>)[os.arch()];
  return `${os.platform()}_${arch ?? os.arch()}`;
}

/** Directory of one plugin version in the mirror, for one registry host. */
export function pluginDir(mirror: string, host: string, source: string, version: string): string {
  const [namespace, type] = source.split('/');
  return path.join(mirror, host, namespace!, type!, version, platform());
}

/** Executable name the engines look for inside a plugin directory. */
export function pluginFile(source: string, version: string): string {
  return `terraform-provider-${source.split('/')[1]}_v${version}`;
}

/**
 * The CLI config: the providers built into the mirror are installed from it and never from a registry; any
 * other provider (one the Go module proxy could not serve) is installed the usual way, from the registry.
 * @see https://opentofu.org/docs/cli/config/config-file/#explicit-installation-method-configuration
 */
export function cliConfigText(mirror: string, mirrored: readonly string[]): string {
  const list = (indent: string) => mirrored.map((s) => `${indent}  ${JSON.stringify(s)},`).join('\n');
  return [
    '# Written by .ci/engine.sh. Providers built here come from the local mirror only.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = [',
    list('    '),
    '    ]',
    '  }',
    '  direct {',
    '    exclude = [',
    list('    '),
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The manifest of an engine directory, or undefined when nothing was installed there. */
export function readManifest(dir: string): EngineManifest | undefined {
  const file = enginePaths(dir).manifest;
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as EngineManifest;
}
