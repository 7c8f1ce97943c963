/**
 * User data as a Terraform string: the rendered cloud-config in plain text (reviewable in the plan), with
 * Terraform's template sequences escaped. Secret references stay placeholders: the host fills them at boot
 * from the cloud's secret store (lib/cloudinit/secret-delivery.ts), so no secret and no sensitive variable
 * is ever part of user data. `hostRef` placeholders become the adapter's Terraform expressions (resource ids).
 */
import { replaceHostRefs } from '../cloudinit/secret-delivery.js';

/** Terraform JSON reads `${...}` and `%{...}` in any string as a template; `$${` and `%%{` are literal. */
export function escapeTemplate(text: string): string {
  // Function replacers: in a replacement string `$$` would collapse to `$`.
  return text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
}

/** The Terraform string for a rendered cloud-config; throws on a `hostRef` placeholder `refs` does not resolve. */
export function userDataExpression(rendered: string, refs: Readonly<Record<string, string>> = {}): string {
  return replaceHostRefs(escapeTemplate(rendered), (key) => {
    const value = refs[key];
    if (value === undefined) throw new Error(`user data: no value for host ref ${key}`);
    return value;
  });
}

/**
 * `${base64gzip("...")}` of a user-data string: `expression` (already a Terraform template, escapes and
 * references in place) as an HCL quoted string inside the call.
 * @see https://opentofu.org/docs/language/functions/base64gzip/
 */
export function base64gzipExpression(expression: string): string {
  const quoted = expression
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t');
  return `\${base64gzip("${quoted}")}`;
}
