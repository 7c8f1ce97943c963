/**
 * Secrets in host configuration: a role writes a reference (`secretRef('rexray_cinder_password')`) where the
 * value belongs in a file it adds, and declares the secret (`RoleSecret`). The reference is only a
 * placeholder: user data carries it as it is, and the host replaces it at boot with the value it fetches
 * from the cloud's secret store (lib/cloudinit/secret-delivery.ts, docs/security.md). The value itself comes
 * from a sensitive Terraform variable of the same name and goes only into the secret store resource.
 */

const REF = /__REGIONKIT_SECRET_([a-z][a-z0-9_]{0,62})__/g;

/** Longest value a secret variable accepts: values are spliced into one line of a config file on the host. */
export const MAX_SECRET_BYTES = 256;

/** A placeholder for the secret `name` (lower_snake_case, also the Terraform variable name). */
export function secretRef(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`secret name ${JSON.stringify(name)} must be lower_snake_case`);
  return `__REGIONKIT_SECRET_${name}__`;
}

/** Names of the secrets referenced in `text`, sorted, each once. */
export function secretNames(text: string): string[] {
  return [...new Set([...text.matchAll(REF)].map((m) => m[1]!))].sort();
}
