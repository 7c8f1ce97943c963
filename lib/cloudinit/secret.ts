/**
 * Secrets in host configuration never appear as literals in synthesized JSON. A role writes a reference
 * (`secretRef('rexray_cinder_password')`) where the value belongs; the cloud adapter turns each reference
 * into a Terraform expression (`${var.rexray_cinder_password}`) of a sensitive variable, so the value is
 * supplied at apply time (TF_VAR_… or a .tfvars file) and lives only in state.
 */

const REF = /__REGIONKIT_SECRET_([a-z][a-z0-9_]{0,62})__/g;

/** Longest value a secret variable accepts; used to bound user-data size at synth time. */
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

/** `text` with every reference replaced by `replace(name)`. */
export function replaceSecretRefs(text: string, replace: (name: string) => string): string {
  return text.replace(REF, (_, name: string) => replace(name));
}

/** Byte length of `text` once every reference holds a value of the maximum length. */
export function maxRenderedBytes(text: string): number {
  const refs = [...text.matchAll(REF)];
  const refBytes = refs.reduce((n, m) => n + Buffer.byteLength(m[0]), 0);
  return Buffer.byteLength(text) - refBytes + refs.length * MAX_SECRET_BYTES;
}
