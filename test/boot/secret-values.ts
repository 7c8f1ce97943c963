/**
 * The secret values of a region for the hosts the first-boot test boots with their secrets (the Mesos control
 * trios, whose quorums need them: `bootsWithSecrets` in expectations.ts).
 *
 * Every secret a regionkit stack puts in the cloud's secret store is made by a `random_*` or `tls_*` resource
 * of the same stack, and those providers make their values on the machine running the apply, with no cloud.
 * So the values come from a real `tofu apply` of exactly those resources, copied from the synthesized stack,
 * with one output per store entry holding the expression the store entry holds (an operator's password, a
 * Terraform variable, gets the test value the booted user data has for it). The store itself (KMS with an
 * instance RAM role, Keystone and Barbican) is what the test has not got: the values reach the host on its
 * NoCloud seed instead, and the fetch script reads them from there (REGIONKIT_SECRETS_VALUES_FILE,
 * lib/cloudinit/secret-fetch-script.ts). Everything after the store call runs as on a host: rendering the
 * role templates, modes, owners, symlinks, and the daemons starting with what was rendered.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import { findEngine, runEngine } from '../../bin/engine/engine.js';
import { SECRETS_CONFIG } from '../../lib/cloudinit/secret-delivery.js';

import { testSecret } from './replace.js';

/** A synthesized stack (cdk.tf.json) as an object. */
export type StackJson = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** Resource types whose providers make their values locally: the only ones the test applies. */
const LOCAL_RESOURCE = /^(random|tls)_/;

/** Secret store resource type (per cloud) → the attribute that holds the secret's value. */
const STORE_VALUE_ATTRIBUTE: Readonly<Record<string, string>> = {
  alicloud_kms_secret: 'secret_data',
  openstack_keymanager_secret_v1: 'payload',
};

/**
 * Logical id of a store entry: the cloud adapters put one per secret name under the construct `SecretStore`,
 * and cdktf names a resource after its construct path plus an 8-digit hash (`SecretStore_weave_password_9E4CF4DA`).
 */
const STORE_ENTRY_ID = /^SecretStore_([a-z0-9_]+)_[0-9A-F]{8}$/;

/**
 * A Terraform JSON configuration holding the stack's `random_*` and `tls_*` resources and their providers, the
 * declarations of the variables a store entry takes its value from (an operator's password, such as
 * `weave_password`), and one sensitive output per store entry (named after the role's secret name).
 * `variables` are the names to give values to (`-var`).
 * @throws Error when a store entry's value is made otherwise, or its logical id names no secret
 */
export function secretValuesConfig(stack: StackJson): {
  config: Record<string, unknown>;
  names: string[];
  variables: string[];
} {
  const resource: Record<string, unknown> = {};
  for (const [type, bodies] of Object.entries(stack.resource ?? {}))
    if (LOCAL_RESOURCE.test(type)) resource[type] = bodies;
  const output: Record<string, { value: unknown; sensitive: true }> = {};
  const problems: string[] = [];
  const variables = new Set<string>();
  for (const [type, attribute] of Object.entries(STORE_VALUE_ATTRIBUTE)) {
    for (const [id, body] of Object.entries(stack.resource?.[type] ?? {})) {
      const name = STORE_ENTRY_ID.exec(id)?.[1];
      const value = body[attribute];
      const refs = [...String(value).matchAll(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)].map((m) => [m[1]!, m[2]!]);
      const made =
        refs.length > 0 && refs.every(([t, n]) => LOCAL_RESOURCE.test(t) || (t === 'var' && stack.variable?.[n]));
      if (!name) problems.push(`${type}.${id}: its logical id names no secret (SecretStore_<name>_<hash>)`);
      else if (typeof value !== 'string' || !made)
        problems.push(
          `${type}.${id}.${attribute}: ${JSON.stringify(value)} is not made by random_*, tls_* or a variable`,
        );
      else {
        output[name] = { value, sensitive: true };
        for (const [t, n] of refs) if (t === 'var') variables.add(n);
      }
    }
  }
  if (problems.length > 0) throw new Error(`secret values cannot be made here:\n${problems.join('\n')}`);
  const used = new Set(Object.keys(resource).map((t) => t.split('_')[0]!));
  const required = (stack.terraform?.required_providers ?? {}) as Record<string, unknown>;
  const config = {
    terraform: { required_providers: Object.fromEntries(Object.entries(required).filter(([p]) => used.has(p))) },
    ...(variables.size > 0 ? { variable: Object.fromEntries([...variables].map((v) => [v, stack.variable![v]])) } : {}),
    ...(Object.keys(resource).length > 0 ? { resource } : {}),
    output,
  };
  return { config, names: Object.keys(output).sort(), variables: [...variables].sort() };
}

/**
 * Applies {@link secretValuesConfig} with the engine cache's OpenTofu and plugins in `dir` (created; its state
 * holds private keys and is removed afterwards) and resolves with secret name → value.
 * @throws Error when no engine is found or init, apply or output fails (with the engine's stderr)
 */
export async function applySecretValues(stack: StackJson, dir: string): Promise<Record<string, string>> {
  const { config, variables } = secretValuesConfig(stack);
  // the operator's passwords get the values the booted user data has for them (replace.ts)
  const vars = variables.flatMap((v) => ['-var', `${v}=${testSecret(v)}`]);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
    const engine = await findEngine('tofu', process.env);
    for (const args of [
      ['init', '-no-color', '-input=false'],
      ['apply', '-no-color', '-input=false', '-auto-approve', ...vars],
    ]) {
      const run = await runEngine(engine, args, dir, process.env);
      if (run.exitCode !== 0) throw new Error(`tofu ${args[0]} of the secret values failed:\n${run.stderr}`);
    }
    const out = await runEngine(engine, ['output', '-json'], dir, process.env);
    if (out.exitCode !== 0) throw new Error(`tofu output of the secret values failed:\n${out.stderr}`);
    const outputs = JSON.parse(out.stdout) as Record<string, { value: string }>;
    return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.value]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The secret names a host fetches: the keys of `secrets` in the SECRETS_CONFIG its user data writes (none without). */
export function fetchedSecretNames(userData: string): string[] {
  const doc = parse(userData) as { write_files?: { path: string; content?: string }[] };
  const config = doc.write_files?.find((f) => f.path === SECRETS_CONFIG);
  if (!config) return [];
  return Object.keys((JSON.parse(config.content ?? '{}') as { secrets?: Record<string, string> }).secrets ?? {}).sort();
}

/**
 * The values file a host gets on its seed: exactly the secrets it fetches, nothing of another host's.
 * @throws Error naming the secrets that have no value
 */
export function hostSecretValues(userData: string, values: Readonly<Record<string, string>>): Record<string, string> {
  const names = fetchedSecretNames(userData);
  const missing = names.filter((n) => values[n] === undefined);
  if (missing.length > 0) throw new Error(`no value for the secret(s) ${missing.join(', ')}`);
  return Object.fromEntries(names.map((n) => [n, values[n]!]));
}
