/**
 * What the first-boot test changes in a host's user data before it boots it, and nothing more: the
 * endpoints that exist only inside a cloud (apt mirror, NTP servers, DNS resolvers, metadata service) are
 * pointed at what exists here, and Terraform's sensitive variables get test values, as Terraform would
 * fill them. Every replacement is counted, so the test can assert each was applied exactly as often as
 * expected and that the document differs from the rendered one at exactly the replaced places.
 */
import { isDeepStrictEqual } from 'node:util';

import { parse, stringify } from 'yaml';

import { userDataTemplate } from '../../lib/cloud/user-data.js';

/** QEMU user networking's built-in DNS forwarder, as the guest sees it. */
export const QEMU_USER_DNS = '10.0.2.3';
/** Debian's own mirror and security archive, which the guest reaches through QEMU user networking. */
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEBIAN_SECURITY = 'http://deb.debian.org/debian-security';
/** NTP servers reachable from anywhere (the cloud's own are reachable only inside it). */
export const PUBLIC_NTP = '2.debian.pool.ntp.org';

/** A rule that rewrites a cloud-only endpoint in the contents of `write_files`. */
interface ContentRule {
  readonly id: string;
  readonly why: string;
  readonly pattern: RegExp;
  readonly to: string;
}

/** Rules applied to every written file's content. The ids are the keys of the expected-count table. */
export const CONTENT_RULES: readonly ContentRule[] = [
  {
    id: 'ntp:alicloud',
    why: "Alibaba Cloud's NTP servers answer only inside its network",
    pattern: /\bntp\d*\.cloud\.aliyuncs\.com\b/g,
    to: PUBLIC_NTP,
  },
  {
    id: 'dns:alicloud',
    why: "Alibaba Cloud's VPC resolvers exist only inside its network",
    pattern: /\b100\.100\.2\.13[68]\b/g,
    to: QEMU_USER_DNS,
  },
  {
    id: 'metadata',
    why: 'the metadata service (Alibaba Cloud 100.100.100.200, OpenStack 169.254.169.254) does not exist here',
    pattern: /\b(100\.100\.100\.200|169\.254\.169\.254)\b/g,
    to: '10.0.2.2',
  },
];

/** What `prepareUserData` did: counts per rule id, plus `var.<name>` per secret. */
export interface Prepared {
  /** The user data to boot (`#cloud-config` document). */
  readonly userData: string;
  /** How often each rule applied; rules that never applied are present with 0. */
  readonly counts: Readonly<Record<string, number>>;
  /** Paths (`write_files[3].content`, `apt.primary[0].uri`) where the document was changed. */
  readonly changedPaths: readonly string[];
  /** Paths where the parsed documents differ, computed independently of the rules. */
  readonly differingPaths: readonly string[];
}

/** Test value of a Terraform sensitive variable. */
export function testSecret(name: string): string {
  return `boot-test-${name.replaceAll('_', '-')}`;
}

/**
 * Terraform's view of the user data (escapes undone, `${var.x}` filled with test values), then the cloud-only
 * endpoints replaced.
 */
export function prepareUserData(terraformUserData: string): Prepared {
  const counts: Record<string, number> = {};
  // user data travels as base64gzip("...") on both clouds; read back the template inside
  terraformUserData = userDataTemplate(terraformUserData);
  // variables, and on OpenStack the bootstrap application credential and Keystone's URL (docs/security.md)
  const withSecrets = terraformUserData
    .replace(/(?<!\$)\$\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_, expr: string) => {
      const variable = /^var\.([a-z0-9_]+)$/.exec(expr);
      if (variable) {
        counts[`var.${variable[1]!}`] = (counts[`var.${variable[1]!}`] ?? 0) + 1;
        return testSecret(variable[1]!);
      }
      if (!/^(data\.)?openstack_|^\[for /.test(expr)) {
        throw new Error(`user data holds an unexpected Terraform expression: \${${expr}}`);
      }
      counts['openstack-reference'] = (counts['openstack-reference'] ?? 0) + 1;
      return `boot-test-ref-${expr.length}`;
    })
    .replaceAll('$${', '${')
    .replaceAll('%%{', '%{');
  if (!withSecrets.startsWith('#cloud-config\n')) throw new Error('user data is not a #cloud-config document');
  const original = parse(withSecrets) as Record<string, unknown>;
  const doc = structuredClone(original);
  const changed: string[] = [];

  counts['apt:primary'] = 0;
  counts['apt:security'] = 0;
  const apt = doc.apt as { primary?: { uri?: string }[]; security?: { uri?: string }[] } | undefined;
  for (const [key, to] of [
    ['primary', DEBIAN_MIRROR],
    ['security', DEBIAN_SECURITY],
  ] as const) {
    (apt?.[key] ?? []).forEach((entry, i) => {
      if (entry.uri === undefined) return;
      entry.uri = to;
      counts[`apt:${key}`]! += 1;
      changed.push(`apt.${key}[${i}].uri`);
    });
  }

  const files = (doc.write_files ?? []) as { path: string; content: string }[];
  for (const rule of CONTENT_RULES) counts[rule.id] = 0;
  files.forEach((file, i) => {
    let content = file.content;
    for (const rule of CONTENT_RULES) {
      content = content.replace(rule.pattern, () => {
        counts[rule.id]! += 1;
        return rule.to;
      });
    }
    if (content !== file.content) {
      file.content = content;
      changed.push(`write_files[${i}].content`);
    }
  });
  // Endpoints outside written files (commands, other modules) are not rewritten: count them so that a rule's
  // pattern showing up there fails the exact-count assertion instead of slipping through.
  const rest = JSON.stringify({ ...doc, write_files: undefined, apt: undefined });
  for (const rule of CONTENT_RULES) {
    const outside = rest.match(rule.pattern)?.length ?? 0;
    if (outside > 0) counts[`${rule.id}:outside-files`] = outside;
  }

  return {
    userData: `#cloud-config\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`,
    counts,
    changedPaths: changed.sort(),
    differingPaths: differingPaths(original, doc).sort(),
  };
}

/** Leaf paths where two parsed documents differ. */
export function differingPaths(a: unknown, b: unknown, at = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => differingPaths(x, b[i], `${at}[${i}]`));
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differingPaths(a[k], b[k], at ? `${at}.${k}` : k));
  }
  return [at];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
