/**
 * What a synthesized stack needs from the machine that applies it, read from its cdk.tf.json: provider
 * plugins, cloud credentials (names of environment variables only, never values) and backend settings.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { CLOUD_CREDENTIALS, credentialSourceIn, describeCredentials } from '../../lib/cloud/credentials.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The parts of a stack's cdk.tf.json read here. */
export interface StackJson {
  readonly terraform?: {
    readonly required_providers?: Record<string, { readonly source: string; readonly version: string }>;
    readonly backend?: Record<string, Record<string, unknown>>;
  };
  readonly provider?: Record<string, readonly Record<string, unknown>[]>;
  readonly variable?: Record<string, { readonly default?: unknown }>;
}

/** The synthesized `cdk.tf.json` of the stack in `dir`. */
export async function readStackJson(dir: string): Promise<StackJson> {
  return JSON.parse(await readFile(path.join(dir, 'cdk.tf.json'), 'utf8')) as StackJson;
}

/** One unmet need, phrased for the operator. */
export interface Unmet {
  readonly what: string;
  readonly hint: string;
}

const CLOUD_OF_SOURCE: Record<string, keyof typeof CLOUD_CREDENTIALS> = {
  'aliyun/alicloud': 'alicloud',
  'terraform-provider-openstack/openstack': 'openstack',
};

/** Where gophercloud looks for clouds.yaml, in its order. */
export function cloudsYamlCandidates(env: Env, cwd: string): string[] {
  return [env.OS_CLIENT_CONFIG_FILE, ...standardCloudsYaml(env, cwd)].filter((p): p is string => !!p);
}

/** The fixed places gophercloud reads clouds.yaml from: the working directory, the user's, the system's. */
function standardCloudsYaml(env: Env, cwd: string): string[] {
  return [
    path.join(cwd, 'clouds.yaml'),
    path.join(env.HOME ?? os.homedir(), '.config', 'openstack', 'clouds.yaml'),
    '/etc/openstack/clouds.yaml',
  ];
}

/** Clouds whose provider the stack configures. */
export function cloudsOf(stack: StackJson): (keyof typeof CLOUD_CREDENTIALS)[] {
  return Object.values(stack.terraform?.required_providers ?? {})
    .map((p) => CLOUD_OF_SOURCE[p.source])
    .filter((c): c is keyof typeof CLOUD_CREDENTIALS => c !== undefined);
}

/** Cloud credentials the stack's providers need and the environment lacks. */
export function missingCredentials(stack: StackJson, env: Env, cwd: string): Unmet[] {
  const unmet: Unmet[] = [];
  for (const cloud of cloudsOf(stack)) {
    const configuredCloud = stack.provider?.openstack?.[0]?.cloud;
    if (cloud === 'openstack' && typeof configuredCloud === 'string') {
      // The region file names a clouds.yaml entry: the provider reads that file, not OS_* variables.
      if (!cloudsYamlCandidates(env, cwd).some((f) => existsSync(f))) {
        unmet.push({
          what: `openstack credentials: the region uses clouds.yaml entry "${configuredCloud}" and no clouds.yaml was found`,
          hint: `put it in ${standardCloudsYaml(env, cwd).join(', ')}, or name its file in OS_CLIENT_CONFIG_FILE`,
        });
      }
      continue;
    }
    const source = credentialSourceIn(cloud, env);
    if (!source) {
      unmet.push({
        what: `${cloud} credentials: none in the environment`,
        hint: `set ${describeCredentials(cloud)}; see ${CLOUD_CREDENTIALS[cloud].see}`,
      });
    } else if (cloud === 'openstack' && source.all.some((aliases) => aliases.includes('OS_CLOUD'))) {
      if (!cloudsYamlCandidates(env, cwd).some((f) => existsSync(f))) {
        unmet.push({
          what: `openstack credentials: OS_CLOUD names a clouds.yaml entry and no clouds.yaml was found`,
          hint: `put it in ${standardCloudsYaml(env, cwd).join(', ')}, or name its file in OS_CLIENT_CONFIG_FILE`,
        });
      }
    }
  }
  return unmet;
}

/** Backend settings or credentials the stack's state backend needs and lacks. */
export function missingBackendSettings(stack: StackJson, env: Env): Unmet[] {
  const [type, settings] = Object.entries(stack.terraform?.backend ?? {})[0] ?? ['local', {}];
  const unmet: Unmet[] = [];
  const need = (keys: string[]) => {
    for (const key of keys) {
      if (settings[key] === undefined || settings[key] === '') {
        unmet.push({ what: `${type} backend: ${key} is not set`, hint: `set backend.${key} in the region file` });
      }
    }
  };
  switch (type) {
    case 'local':
      need(['path']);
      break;
    case 'oss':
      need(['bucket', 'region']);
      if (!credentialSourceIn('alicloud', env)) {
        unmet.push({
          what: 'oss backend: no Alibaba Cloud credentials in the environment',
          hint: `set ${describeCredentials('alicloud')}`,
        });
      }
      break;
    case 's3':
      need(['bucket', 'region', 'key']);
      if (!(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) && !env.AWS_PROFILE) {
        unmet.push({
          what: 's3 backend: no S3 credentials in the environment',
          hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (EC2 credentials of the object store), or AWS_PROFILE',
        });
      }
      break;
    default:
      unmet.push({ what: `backend ${type} is not one regionkit writes`, hint: 'use local, oss or s3' });
  }
  return unmet;
}

/** Providers the stack pins, as `source version`. */
export function pinnedProviders(stack: StackJson): { source: string; version: string }[] {
  return Object.values(stack.terraform?.required_providers ?? {}).map((p) => ({
    source: p.source,
    version: p.version,
  }));
}
