/**
 * What hosts will boot from, read back from synthesized Terraform JSON exactly as Terraform would send it:
 * the user data with template escapes undone and sensitive variables filled with stand-in values.
 */
import { parse } from 'yaml';

import { userDataTemplate } from '../../lib/cloud/user-data.js';

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

export interface HostArtifacts {
  readonly stack: string;
  readonly host: string;
  /** The user data Terraform sends (escapes undone, secrets filled). */
  readonly cloudConfig: string;
  readonly files: readonly { path: string; content: string; permissions: string; defer: boolean }[];
  readonly runcmd: readonly (readonly string[])[];
  readonly packages: readonly string[];
}

const INSTANCE_TYPES: Record<string, string> = {
  alicloud_instance: 'host_name',
  openstack_compute_instance_v2: 'name',
};

/**
 * Terraform's view of a user-data string: `$${` and `%%{` are literal, `${var.x}` is a variable and other
 * references (the secret delivery's resource ids, Keystone's URL) get stand-ins; `${base64gzip("...")}`
 * (both clouds) is unwrapped to the plain text Terraform compresses (lib/cloud/user-data.ts).
 */
export function terraformString(value: string, secret: (name: string) => string = (n) => `stand-in-${n}`): string {
  value = userDataTemplate(value);
  const reference = /(?<!\$)\$\{((?:[^{}]|\{[^{}]*\})*)\}/g;
  return value
    .replace(reference, (_, expr: string) => {
      const variable = /^var\.([a-z0-9_]+)$/.exec(expr);
      if (variable) return secret(variable[1]!);
      if (!/^(data\.)?openstack_|^\[for /.test(expr)) {
        throw new Error(`user data holds an unexpected Terraform expression: \${${expr}}`);
      }
      return `stand-in-ref-${expr.length}`;
    })
    .replaceAll('$${', '${')
    .replaceAll('%%{', '%{');
}

/** Every host's artifacts in a synthesized stack. */
export function hostArtifacts(stackName: string, json: Json): HostArtifacts[] {
  const out: HostArtifacts[] = [];
  for (const [type, nameKey] of Object.entries(INSTANCE_TYPES)) {
    for (const body of Object.values(json.resource?.[type] ?? {})) {
      const cloudConfig = terraformString(String(body.user_data));
      const doc = parse(cloudConfig) as {
        write_files?: { path: string; content: string; permissions: string; defer?: boolean }[];
        runcmd?: string[][];
        packages?: string[];
      };
      out.push({
        stack: stackName,
        host: String(body[nameKey]),
        cloudConfig,
        files: (doc.write_files ?? []).map((f) => ({ ...f, defer: f.defer ?? false })),
        runcmd: doc.runcmd ?? [],
        packages: doc.packages ?? [],
      });
    }
  }
  return out.sort((a, b) => a.host.localeCompare(b.host));
}
