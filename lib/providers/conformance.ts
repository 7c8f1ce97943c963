/**
 * Checks synthesized Terraform JSON against the checked-in provider schemas, the way `terraform validate`
 * would check attribute names and literal types if a provider binary were available:
 * every attribute known, none read-only, every required one present, literal types right, nested block
 * counts within bounds, providers pinned with unqualified sources and exact versions.
 *
 * Values holding `${...}` are Terraform expressions; their type is only known at plan time, so they pass.
 */
import { readFileSync } from 'node:fs';

import { GENERATED_PROVIDERS, type GeneratedProviderName } from '../versions.js';

import { schemaPath } from './paths.js';
import {
  providerAddress,
  type ProviderSchema,
  type ProviderSchemaFile,
  type SchemaAttribute,
  type SchemaBlock,
  type SchemaNestedType,
  type SchemaType,
} from './schema-format.js';

/**
 * One problem the conformance check found in a synthesized stack: where, and what is wrong.
 */
export interface ConformanceProblem {
  /** `resource.alicloud_instance.<name>`, `provider.alicloud`, `terraform.required_providers`. */
  readonly address: string;
  /** Attribute path inside the block (`data_disks[0].size`), empty for the block itself. */
  readonly path: string;
  readonly message: string;
}

/** Formats a problem as one line. */
export function formatProblem(p: ConformanceProblem): string {
  return `${p.address}${p.path ? `.${p.path}` : ''}: ${p.message}`;
}

const RESOURCE_META = new Set([
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
  '//',
]);
const DATA_META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', '//']);
const LIFECYCLE_KEYS = new Set([
  'create_before_destroy',
  'prevent_destroy',
  'ignore_changes',
  'replace_triggered_by',
  'precondition',
  'postcondition',
]);

/** The schema of each generated provider, by local name. */
export function loadProviderSchemas(): Map<string, ProviderSchema> {
  const schemas = new Map<string, ProviderSchema>();
  for (const name of Object.keys(GENERATED_PROVIDERS) as GeneratedProviderName[]) {
    const pin = GENERATED_PROVIDERS[name];
    const file = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as ProviderSchemaFile;
    const schema = file.provider_schemas[providerAddress(pin)];
    if (!schema) throw new Error(`${schemaPath(name)} has no schema for ${providerAddress(pin)}`);
    schemas.set(pin.name, schema);
  }
  return schemas;
}

/**
 * A JSON value.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/**
 * A JSON object.
 */
export type JsonObject = { [key: string]: Json };

/** Every problem in one synthesized stack (`cdk.tf.json` parsed). */
export function checkStack(
  stack: JsonObject,
  schemas: Map<string, ProviderSchema> = loadProviderSchemas(),
): ConformanceProblem[] {
  const problems: ConformanceProblem[] = [];
  const add = (address: string, path: string, message: string) => problems.push({ address, path, message });

  checkRequiredProviders(stack, add);

  for (const [kind, section, meta] of [
    ['resource', 'resource_schemas', RESOURCE_META],
    ['data', 'data_source_schemas', DATA_META],
  ] as const) {
    for (const [type, instances] of Object.entries(asObject(stack[kind]) ?? {})) {
      const schema = schemas.get(type.split('_')[0]!);
      if (!schema) continue; // a provider without a checked-in schema (prebuilt bindings are typed already)
      const typeSchema = schema[section]?.[type];
      for (const [name, body] of Object.entries(asObject(instances) ?? {})) {
        const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
        if (!typeSchema) {
          add(address, '', `type ${type} is not in the ${type.split('_')[0]} schema file`);
          continue;
        }
        const obj = asObject(body);
        if (!obj) {
          add(address, '', 'must be an object');
          continue;
        }
        checkLifecycle(obj.lifecycle, typeSchema.block, (p, m) => add(address, p, m));
        checkBlock(obj, typeSchema.block, '', meta, (p, m) => add(address, p, m));
      }
    }
  }

  for (const [name, configs] of Object.entries(asObject(stack.provider) ?? {})) {
    const schema = schemas.get(name);
    if (!schema) continue;
    const list = Array.isArray(configs) ? configs : [configs];
    list.forEach((config, i) => {
      const obj = asObject(config);
      if (obj)
        checkBlock(obj, schema.provider.block, '', new Set(['alias']), (p, m) => add(`provider.${name}[${i}]`, p, m));
    });
  }
  return problems;
}

function checkRequiredProviders(stack: JsonObject, add: (a: string, p: string, m: string) => void): void {
  const required = asObject(asObject(stack.terraform)?.required_providers) ?? {};
  for (const [name, value] of Object.entries(required)) {
    const req = asObject(value) ?? {};
    const address = 'terraform.required_providers';
    if (typeof req.source !== 'string' || req.source.split('/').length !== 2) {
      add(
        address,
        name,
        `source must be unqualified <namespace>/<type> (no registry host), got ${JSON.stringify(req.source)}`,
      );
    }
    if (typeof req.version !== 'string' || !/^\d+\.\d+\.\d+$/.test(req.version)) {
      add(address, name, `version must be an exact x.y.z version, got ${JSON.stringify(req.version)}`);
    }
    const pin = Object.values(GENERATED_PROVIDERS).find((p) => p.name === name);
    if (pin && (req.source !== pin.source || req.version !== pin.version)) {
      add(
        address,
        name,
        `must be ${pin.source} ${pin.version} (lib/versions.ts), got ${String(req.source)} ${String(req.version)}`,
      );
    }
  }
}

function checkBlock(
  obj: JsonObject,
  block: SchemaBlock,
  at: string,
  meta: ReadonlySet<string>,
  add: (path: string, message: string) => void,
): void {
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  for (const [key, value] of Object.entries(obj)) {
    const path = join(at, key);
    if (meta.has(key)) continue;
    const attribute = attributes[key];
    const nested = blockTypes[key];
    if (attribute) {
      checkAttribute(value, attribute, path, add);
    } else if (nested) {
      const items =
        nested.nesting_mode === 'single' || nested.nesting_mode === 'group'
          ? [value]
          : Array.isArray(value)
            ? value
            : [value];
      if (nested.max_items && items.length > nested.max_items) {
        add(
          path,
          `must have at most ${nested.max_items} block${nested.max_items === 1 ? '' : 's'}, got ${items.length}`,
        );
      }
      if (nested.min_items && items.length < nested.min_items) {
        add(path, `must have at least ${nested.min_items} block(s), got ${items.length}`);
      }
      items.forEach((item, i) => {
        const itemObj = asObject(item);
        const itemPath = items.length === 1 && !Array.isArray(value) ? path : `${path}[${i}]`;
        if (isExpression(item)) return;
        if (!itemObj) add(itemPath, 'must be a block (object)');
        else checkBlock(itemObj, nested.block, itemPath, new Set(), add);
      });
    } else {
      add(
        path,
        `is not an attribute or block of this type${suggestion(key, [...Object.keys(attributes), ...Object.keys(blockTypes)])}`,
      );
    }
  }
  for (const [key, attribute] of Object.entries(attributes)) {
    if (attribute.required && !(key in obj)) add(join(at, key), 'is required');
  }
  for (const [key, nested] of Object.entries(blockTypes)) {
    if ((nested.min_items ?? 0) > 0 && !(key in obj))
      add(join(at, key), `is required (at least ${nested.min_items} block)`);
  }
}

/** One attribute's value: settable, and of its type (the objects of a nested attribute checked like blocks). */
function checkAttribute(
  value: Json,
  attribute: SchemaAttribute,
  path: string,
  add: (path: string, message: string) => void,
): void {
  if (attribute.computed && !attribute.optional && !attribute.required) {
    add(path, 'is read-only (computed by the provider) and must not be set');
  }
  if (attribute.type !== undefined) checkValue(value, attribute.type, path, add);
  else if (attribute.nested_type) checkNestedAttribute(value, attribute.nested_type, path, add);
}

/**
 * The value of a nested attribute: one object (`single`), a list or set of them, or a map of them, each with
 * only the nested type's attributes and all its required ones. Expressions pass, as everywhere.
 */
function checkNestedAttribute(
  value: Json,
  nested: SchemaNestedType,
  path: string,
  add: (path: string, message: string) => void,
): void {
  if (isExpression(value) || value === null) return;
  let items: [string, Json][];
  if (nested.nesting_mode === 'single') items = [[path, value]];
  else if (nested.nesting_mode === 'map') {
    const obj = asObject(value);
    if (!obj) return add(path, 'must be a map of objects');
    items = Object.entries(obj).map(([k, v]) => [`${path}["${k}"]`, v]);
  } else {
    if (!Array.isArray(value)) return add(path, `must be a ${nested.nesting_mode} of objects`);
    items = value.map((v, i) => [`${path}[${i}]`, v]);
    if (nested.max_items && items.length > nested.max_items) {
      add(path, `must have at most ${nested.max_items} element(s), got ${items.length}`);
    }
    if (nested.min_items && items.length < nested.min_items) {
      add(path, `must have at least ${nested.min_items} element(s), got ${items.length}`);
    }
  }
  for (const [itemPath, item] of items) {
    if (isExpression(item) || item === null) continue;
    const obj = asObject(item);
    if (!obj) {
      add(itemPath, 'must be an object');
      continue;
    }
    for (const [key, v] of Object.entries(obj)) {
      const attribute = nested.attributes[key];
      if (attribute) checkAttribute(v, attribute, join(itemPath, key), add);
      else
        add(
          join(itemPath, key),
          `is not an attribute of this object${suggestion(key, Object.keys(nested.attributes))}`,
        );
    }
    for (const [key, attribute] of Object.entries(nested.attributes)) {
      if (attribute.required && !(key in obj)) add(join(itemPath, key), 'is required');
    }
  }
}

function checkLifecycle(
  value: Json | undefined,
  block: SchemaBlock,
  add: (path: string, message: string) => void,
): void {
  if (value === undefined) return;
  const lifecycle = asObject(value);
  if (!lifecycle) return add('lifecycle', 'must be an object');
  for (const key of Object.keys(lifecycle)) {
    if (!LIFECYCLE_KEYS.has(key)) add(`lifecycle.${key}`, 'is not a lifecycle argument');
  }
  const ignore = lifecycle.ignore_changes;
  if (Array.isArray(ignore)) {
    for (const entry of ignore) {
      const root = typeof entry === 'string' ? entry.split(/[.[]/)[0]! : '';
      if (!(root in (block.attributes ?? {})) && !(root in (block.block_types ?? {}))) {
        add(
          'lifecycle.ignore_changes',
          `names ${JSON.stringify(entry)}, which is not an attribute or block of this type`,
        );
      }
    }
  } else if (ignore !== undefined && ignore !== 'all') {
    add('lifecycle.ignore_changes', 'must be a list of attribute names or "all"');
  }
}

function checkValue(value: Json, type: SchemaType, path: string, add: (path: string, message: string) => void): void {
  if (isExpression(value) || value === null || type === 'dynamic') return;
  const wrong = (expected: string) => add(path, `must be ${expected}, got ${JSON.stringify(value).slice(0, 60)}`);
  if (type === 'string') {
    if (typeof value !== 'string') wrong('a string');
    return;
  }
  if (type === 'number') {
    if (typeof value !== 'number') wrong('a number');
    return;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') wrong('a bool');
    return;
  }
  const [kind, inner] = type;
  if (kind === 'list' || kind === 'set') {
    if (!Array.isArray(value)) return wrong(`a ${kind}`);
    value.forEach((v, i) => checkValue(v, inner, `${path}[${i}]`, add));
  } else if (kind === 'map') {
    const obj = asObject(value);
    if (!obj) return wrong('a map');
    for (const [k, v] of Object.entries(obj)) checkValue(v, inner, `${path}["${k}"]`, add);
  } else if (kind === 'object') {
    const obj = asObject(value);
    if (!obj) return wrong('an object');
    for (const [k, v] of Object.entries(obj)) {
      const fieldType = inner[k];
      if (fieldType === undefined) add(`${path}.${k}`, 'is not a field of this object type');
      else checkValue(v, fieldType, `${path}.${k}`, add);
    }
  } else if (kind === 'tuple') {
    if (!Array.isArray(value)) return wrong('a tuple');
    value.forEach((v, i) =>
      inner[i] === undefined
        ? add(`${path}[${i}]`, 'is beyond the tuple')
        : checkValue(v, inner[i], `${path}[${i}]`, add),
    );
  }
}

function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

function asObject(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

function suggestion(key: string, known: string[]): string {
  const close = known.find((k) => k.replaceAll('_', '') === key.replaceAll('_', '').toLowerCase());
  return close ? `; did you mean ${close}?` : '';
}
