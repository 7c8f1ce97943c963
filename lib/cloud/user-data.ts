/**
 * User data as a Terraform string: the rendered cloud-config in plain text (reviewable in the plan), with
 * Terraform's template sequences escaped and secret references turned into sensitive-variable expressions.
 */
import { replaceSecretRefs } from '../cloudinit/secret.js';

/** Terraform JSON reads `${...}` and `%{...}` in any string as a template; `$${` and `%%{` are literal. */
export function escapeTemplate(text: string): string {
  // Function replacers: in a replacement string `$$` would collapse to `$`.
  return text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
}

/** The Terraform string for a rendered cloud-config. */
export function userDataExpression(rendered: string): string {
  return replaceSecretRefs(escapeTemplate(rendered), (name) => `\${var.${name}}`);
}
