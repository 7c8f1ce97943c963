/**
 * Turns zod issues into regionkit's `field.path: must be ..., got <value>` lines.
 */
import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';

import type { SpecIssue } from '../errors.js';

type ZodIssue = z.core.$ZodIssue & { input?: unknown };

/** `hostGroups[2].count` from `['hostGroups', 2, 'count']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** A value as it appears in a message: JSON, cut to 60 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One readable issue per zod issue; `schema` resolves the allowed keys for unknown-field errors. */
export function fromZodIssues(issues: readonly ZodIssue[], schema: z.ZodType): SpecIssue[] {
  return issues.flatMap((issue) => fromZodIssue(issue, schema));
}

function fromZodIssue(issue: ZodIssue, schema: z.ZodType): SpecIssue[] {
  const path = formatPath(issue.path);
  const got = `, got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, message: `is required (${article(issue.expected)})` }];
      return [{ path, message: `${customOr(issue, `must be ${article(issue.expected)}`)}${got}` }];
    case 'too_small':
    case 'too_big':
      return [{ path, message: `${customOr(issue, bound(issue))}${got}` }];
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, issue.path, issue.input);
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: `is not a known field${suggest(key, allowed)}; allowed: ${allowed.join(', ')}`,
      }));
    }
    case 'invalid_key': {
      const inner = issue.issues[0] as ZodIssue | undefined;
      return [{ path, message: `${inner ? customOr(inner, 'must be a valid key') : 'must be a valid key'}${got}` }];
    }
    case 'invalid_union': {
      // A discriminated union names the discriminator in the path; show its value, not the whole object.
      const discriminator = (issue as { discriminator?: string }).discriminator;
      const value = discriminator ? (issue.input as Record<string, unknown> | undefined)?.[discriminator] : issue.input;
      return [{ path, message: `${customOr(issue, issue.message)}, got ${describeValue(value)}` }];
    }
    case 'invalid_value':
      return [{ path, message: `${customOr(issue, `must be one of ${issue.values.map(String).join(', ')}`)}${got}` }];
    default:
      return [{ path, message: `${customOr(issue, issue.message)}${got}` }];
  }
}

/** Our schema's own `error` text when it set one (they all start with "must"), else the fallback. */
function customOr(issue: ZodIssue, fallback: string): string {
  return issue.message.startsWith('must') ? issue.message : fallback;
}

function bound(issue: Extract<ZodIssue, { code: 'too_small' | 'too_big' }>): string {
  const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive ?? true;
  const op = issue.code === 'too_small' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(limit)} item${limit === 1 ? '' : 's'}`;
    case 'string':
      return `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(limit)} characters`;
    default:
      return `must be ${op} ${String(limit)}`;
  }
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * Keys the object schema at `path` accepts (empty if the path does not lead to an object). For a discriminated
 * union, `input` (the object at `path`) picks the variant its discriminator names; without one, every variant's
 * keys.
 */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[], input?: unknown): string[] {
  let node: z.core.$ZodType | undefined = schema;
  for (const key of path) {
    node = unwrap(node);
    const def: z.core.$ZodTypeDef | undefined = node?._zod.def;
    if (def?.type === 'array') node = (def as z.core.$ZodArrayDef).element;
    else if (def?.type === 'object') node = (def as z.core.$ZodObjectDef).shape[String(key)];
    // a union (cluster kinds) leads on through the first variant that has the field
    else if (def?.type === 'union') node = unionField(def as z.core.$ZodUnionDef, String(key));
    else return [];
  }
  return objectKeys(unwrap(node), input);
}

function unionField(def: z.core.$ZodUnionDef, key: string): z.core.$ZodType | undefined {
  for (const option of def.options) {
    const optionDef = unwrap(option)?._zod.def;
    if (optionDef?.type === 'object' && key in (optionDef as z.core.$ZodObjectDef).shape) {
      return (optionDef as z.core.$ZodObjectDef).shape[key];
    }
  }
  return undefined;
}

function objectKeys(node: z.core.$ZodType | undefined, input?: unknown): string[] {
  const def = node?._zod.def;
  if (def?.type === 'object') return Object.keys((def as z.core.$ZodObjectDef).shape);
  const discriminator = (def as { discriminator?: string } | undefined)?.discriminator;
  if (def?.type === 'union' && discriminator && input && typeof input === 'object') {
    const value = (input as Record<string, unknown>)[discriminator];
    const variant = (def as z.core.$ZodUnionDef).options.find((o) => {
      const shape = (unwrap(o)?._zod.def as Partial<z.core.$ZodObjectDef> | undefined)?.shape;
      const literal = shape?.[discriminator]?._zod.def as { values?: unknown[] } | undefined;
      return literal?.values?.includes(value) ?? false;
    });
    if (variant) return objectKeys(unwrap(variant));
  }
  if (def?.type === 'union')
    return [...new Set((def as z.core.$ZodUnionDef).options.flatMap((o) => objectKeys(unwrap(o))))];
  return [];
}

function unwrap(node: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let current = node;
  for (;;) {
    const def = current?._zod.def as { type?: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType } | undefined;
    if (
      def?.innerType &&
      ['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type ?? '')
    ) {
      current = def.innerType;
    } else if (def?.type === 'pipe' && def.in) {
      current = def.in;
    } else {
      return current;
    }
  }
}

/** `; did you mean "count"?` for a key within edit distance 2 of an allowed one. */
export function suggest(key: string, allowed: readonly string[]): string {
  const best = allowed
    .map((candidate) => ({ candidate, distance: distance(key.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= 2 ? ` (did you mean ${JSON.stringify(best.candidate)}?)` : '';
}
