/**
 * User data as a Terraform string: the rendered cloud-config (reviewable in the plan), with Terraform's template
 * sequences escaped. Secret references stay placeholders: the host fills them at boot from the cloud's secret
 * store (lib/cloudinit/secret-delivery.ts), so no secret and no sensitive variable is ever part of user data.
 * `hostRef` placeholders become the adapter's Terraform expressions (resource ids, Keystone's URL).
 *
 * Both adapters send `${base64gzip("...")}` (`userDataValue(…, 'base64gzip')`): Terraform gzips the text and
 * Base64-encodes it, both providers pass Base64 through unchanged, and cloud-init unpacks gzip. The plain text
 * stays readable inside the call. `userDataTemplate` and `parseUserDataValue` read such a value back.
 */
import { gzipSync } from 'node:zlib';

import { Tokenization } from 'cdktf';

import { replaceHostRefs } from '../cloudinit/secret-delivery.js';

/**
 * How an adapter sends user data: `plain`, the text itself (the provider Base64-encodes it), or `base64gzip`,
 * Terraform's `base64gzip()` of the text (the provider passes the Base64 through as it is).
 */
export type UserDataEncoding = 'plain' | 'base64gzip';

/** Terraform JSON reads `${...}` and `%{...}` in any string as a template; `$${` and `%%{` are literal. */
export function escapeTemplate(text: string): string {
  // Function replacers: in a replacement string `$$` would collapse to `$`.
  return text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
}

/** The Terraform string for a rendered cloud-config; throws on a `hostRef` placeholder `refs` does not resolve. */
export function userDataExpression(rendered: string, refs: Readonly<Record<string, string>> = {}): string {
  return replaceHostRefs(escapeTemplate(rendered), refValue(refs));
}

/**
 * The Terraform string an adapter puts in `user_data`: `userDataExpression` for `plain`; for `base64gzip` the
 * same template inside `${base64gzip("...")}`, its literal text quoted as an HCL string and each reference an
 * interpolation of that string (a bare cdktf token is wrapped in `${...}`, an expression that already is one
 * is kept as it is, quotes included: HCL reads nested quotes inside an interpolation).
 * Throws on a `hostRef` placeholder `refs` does not resolve.
 * @see https://opentofu.org/docs/language/functions/base64gzip/
 * @see https://opentofu.org/docs/language/expressions/strings/ (escape sequences, interpolation)
 */
export function userDataValue(
  rendered: string,
  refs: Readonly<Record<string, string>>,
  encoding: UserDataEncoding,
): string {
  if (encoding === 'plain') return userDataExpression(rendered, refs);
  const resolve = refValue(refs);
  // placeholders hold no character hclQuote changes, so they survive the quoting and become interpolations after it
  return replaceHostRefs(base64gzipExpression(escapeTemplate(rendered)), (key) => interpolation(resolve(key)));
}

/**
 * Longest value Terraform fills into one `hostRef` at apply time, bytes: Keystone's application credential id
 * (32 hex digits) and generated secret (86 characters), a Barbican secret reference or Keystone's URL (a URL).
 */
export const MAX_HOST_REF_BYTES = 256;

/**
 * The Base64 size of a rendered cloud-config (`hostRef` placeholders in place) as the adapter sends it, for the
 * synth-time limit check, each reference counted at `MAX_HOST_REF_BYTES` and incompressible. `plain`: exact
 * up to the references. `base64gzip`: Terraform compresses with Go's compress/gzip at its default level, which
 * Node cannot reproduce byte for byte; zlib's level 6 plus 5% stands in for it, and
 * test/integ/user-data-size.test.ts checks against the real engine that this never undercounts.
 */
export function estimatedUserDataBytes(rendered: string, encoding: UserDataEncoding): number {
  let refs = 0;
  const text = replaceHostRefs(rendered, () => {
    refs += 1;
    return '';
  });
  const body = encoding === 'plain' ? Buffer.byteLength(text) : Math.ceil(gzipSync(text, { level: 6 }).length * 1.05);
  return 4 * Math.ceil((body + refs * MAX_HOST_REF_BYTES) / 3);
}

/**
 * `${base64gzip("...")}` of a user-data string: `expression` (already a Terraform template, escapes in place,
 * with no reference; `hostRef` placeholders pass through unchanged) as an HCL quoted string inside the call.
 * @see https://opentofu.org/docs/language/functions/base64gzip/
 */
export function base64gzipExpression(expression: string): string {
  return `\${base64gzip("${hclQuote(expression)}")}`;
}

/** One piece of a user-data value: literal template text (`$${`, `%%{` still escaped) or a reference. */
export type UserDataPart = { readonly literal: string } | { readonly expression: string };

/**
 * A synthesized `user_data` string taken apart: its encoding and the Terraform template inside, as literal text
 * and references (`expression` without its `${ }`). Joining the parts (`userDataTemplate`) gives the template
 * the `plain` encoding would have sent; Terraform evaluates the template, then (`base64gzip`) compresses it.
 * Throws on a value this module did not write (an unterminated string or interpolation).
 */
export function parseUserDataValue(value: string): { encoding: UserDataEncoding; parts: UserDataPart[] } {
  const gz = /^\$\{base64gzip\("([\s\S]*)"\)\}$/.exec(value);
  const body = gz ? gz[1]! : value;
  const quoted = gz !== null;
  const parts: UserDataPart[] = [];
  let literal = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (quoted && c === '\\') {
      const next = body[i + 1];
      const unescaped = next === undefined ? undefined : HCL_UNESCAPE[next];
      if (unescaped === undefined) throw new Error(`user data: unknown escape \\${next ?? ''} at ${i}`);
      literal += unescaped;
      i += 2;
    } else if ((c === '$' || c === '%') && body.startsWith(`${c}${c}{`, i)) {
      literal += `${c}${c}{`;
      i += 3;
    } else if (c === '$' && body[i + 1] === '{') {
      const end = interpolationEnd(body, i + 2);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ expression: body.slice(i + 2, end) });
      i = end + 1;
    } else {
      literal += c;
      i += 1;
    }
  }
  if (literal) parts.push({ literal });
  return { encoding: quoted ? 'base64gzip' : 'plain', parts };
}

/**
 * The Terraform template inside a synthesized `user_data` string, whatever its encoding: what the `plain`
 * encoding sends (`$${` and `%%{` escaped, references as `${...}`). A first-boot harness or a checker reads a
 * host's cloud-config through this, then fills the references.
 */
export function userDataTemplate(value: string): string {
  return parseUserDataValue(value)
    .parts.map((p) => ('literal' in p ? p.literal : `\${${p.expression}}`))
    .join('');
}

/** The escapes `hclQuote` writes, and what each stands for. */
const HCL_UNESCAPE: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n', r: '\r', t: '\t' };

/** Text as the inside of an HCL quoted string (template sequences already escaped). */
function hclQuote(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t');
}

function refValue(refs: Readonly<Record<string, string>>): (key: string) => string {
  return (key) => {
    const value = refs[key];
    if (value === undefined) throw new Error(`user data: no value for host ref ${key}`);
    return value;
  };
}

/** A reference as an interpolation inside an HCL quoted string. */
function interpolation(value: string): string {
  const fragments = Tokenization.reverseString(value);
  // cdktf writes a token inside an open `${` without braces of its own
  if (fragments.length === 1 && fragments.firstToken !== undefined) return `\${${value}}`;
  if (/^\$\{[\s\S]*\}$/.test(value) && !/^\$\{base64gzip\(/.test(value)) return value;
  throw new Error(`user data: host ref value must be a token or a \${...} expression, got ${value}`);
}

/** Index of the `}` closing an interpolation whose expression starts at `start` (strings and braces nest). */
function interpolationEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{') {
      depth += 1;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  throw new Error(`user data: unterminated interpolation at ${start - 2}`);
}
