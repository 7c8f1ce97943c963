/**
 * Writes the source of `lib/spec/region-spec-types.ts`: the region spec's TypeScript interfaces, generated from
 * the zod definition (`regionSpecSchema`) so that each field carries its `description` as JSDoc. `z.input` and
 * `z.output` alone give an editor types without words, and `tsc` emits no comments on inferred types; named
 * interfaces whose members are JSDoc-commented reach the emitted `.d.ts` and every editor's hover.
 *
 * Each member's type is the zod type itself (an indexed access into `z.output<typeof regionSpecSchema>` or
 * `z.input<…>`), so the interfaces cannot drift from the validator; the generated file also asserts at compile
 * time that each root interface and the zod type are assignable both ways. `npm run schema` writes it;
 * `test/lib/spec/spec-types.test.ts` fails when the checked-in file is stale.
 */
import path from 'node:path';

import * as prettier from 'prettier';
import { z } from 'zod';

import { PACKAGE_ROOT } from '../lib/providers/paths.js';
import { regionSpecSchema } from '../lib/spec/region-spec.js';

/** Path of the generated file, relative to the package root. */
export const SPEC_TYPES_FILE = 'lib/spec/region-spec-types.ts';

type Io = 'input' | 'output';

/** Interface names of the objects of the spec, by field path (`[]`: an array's element, `=x`: a union variant). */
const NAMES: Record<string, string> = {
  '': 'RegionSpec',
  alicloud: 'AlicloudSettings',
  'alicloud.rexray': 'AlicloudRexraySettings',
  openstack: 'OpenstackSettings',
  'openstack.rexray': 'OpenstackRexraySettings',
  network: 'RegionNetworkSpec',
  admin: 'AdminSpec',
  'hostGroups[]': 'HostGroupSpec',
  'hostGroups[].dataDisks[]': 'DataDiskSpec',
  'hostGroups[].hostConfig': 'HostConfigOverrides',
  'loadBalancers[]': 'LoadBalancerSpec',
  'loadBalancers[].listeners[]': 'ListenerSpec',
  'loadBalancers[].healthCheck': 'HealthCheckSpec',
  backend: 'BackendSpec',
  'backend=local': 'LocalBackendSpec',
  'backend=oss': 'OssBackendSpec',
  'backend=s3': 'S3BackendSpec',
  hostConfig: 'HostConfig',
  registryMirror: 'RegistryMirrorSpec',
  cluster: 'ClusterSpec',
  'cluster=mesos': 'MesosClusterSpec',
  'cluster=kubernetes': 'KubernetesClusterSpec',
  'cluster=kubernetes.managed': 'ManagedKubernetesSpec',
  'cluster=kubernetes.managed.nodePools[]': 'NodePoolSpec',
  'cluster=kubernetes.managed.nodePools[].autoscaling': 'NodePoolAutoscalingSpec',
  'cluster=kubernetes.managed.nodePools[].taints[]': 'TaintSpec',
  'cluster=kubernetes.managed.controlPlaneLogging': 'ControlPlaneLoggingSpec',
  'cluster=kubernetes.kubeadm': 'KubeadmKubernetesSpec',
  'tenants[]': 'TenantSpec',
  'tenants[].quota': 'TenantQuotaSpec',
};

/** A zod schema's definition, as far as this generator reads it. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  discriminator?: string;
  defaultValue?: unknown;
  values?: unknown[];
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** One field of an object of the spec, for documentation and the tests. */
export interface SpecField {
  /** Dotted path (`hostGroups[].count`). */
  readonly path: string;
  /** Name of the interface declaring it, in the output types. */
  readonly owner: string;
  readonly name: string;
  /** Its description in the zod definition (undefined: none). */
  readonly description: string | undefined;
}

/** The wrappers around a field's value type, outermost first, and its description (on the outermost that has one). */
function unwrap(schema: z.ZodType): {
  core: z.ZodType;
  optional: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
  description: string | undefined;
} {
  let current = schema;
  let optional = false;
  let hasDefault = false;
  let defaultValue: unknown;
  let description: string | undefined;
  for (;;) {
    description ??= z.globalRegistry.get(current)?.description;
    const def = defOf(current);
    if (def.type === 'optional') optional = true;
    else if (def.type === 'default' || def.type === 'prefault') {
      if (!optional && !hasDefault) {
        hasDefault = true;
        defaultValue = typeof def.defaultValue === 'function' ? undefined : def.defaultValue;
      }
    } else if (def.type !== 'readonly' && def.type !== 'nonoptional') break;
    current = def.innerType!;
  }
  return { core: current, optional, hasDefault, defaultValue, description };
}

const isObject = (s: z.ZodType) => defOf(s).type === 'object';
const isObjectUnion = (s: z.ZodType) =>
  defOf(s).type === 'union' && !!defOf(s).discriminator && (defOf(s).options ?? []).every(isObject);

/** The discriminator value of a union variant. */
function variantValue(variant: z.ZodType, discriminator: string): string {
  const literal = defOf(unwrap(defOf(variant).shape![discriminator]!).core);
  return String(literal.values![0]);
}

function pascal(pathKey: string): string {
  return pathKey
    .split(/[.[\]=]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

function nameOf(pathKey: string, io: Io): string {
  const base = NAMES[pathKey] ?? `${pascal(pathKey)}Spec`;
  return io === 'input' ? `${base}Input` : base;
}

/** JSDoc for a member or an interface; `@default` from the zod default when it is short. */
function jsdoc(description: string | undefined, defaultValue?: { value: unknown }, indent = ''): string {
  const lines: string[] = [];
  if (description) lines.push(...description.split('\n'));
  if (defaultValue) {
    const json = JSON.stringify(defaultValue.value);
    lines.push(
      json !== undefined && json.length <= 60 ? `@default ${json}` : '@default - each field takes its own default',
    );
  }
  if (lines.length === 0) return '';
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  return `${indent}/**\n${safe.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

/** Walks the schema, emitting one interface (or union alias) per object; returns the declarations in order. */
function emit(io: Io, fields: SpecField[] | undefined): string[] {
  const zodType = `z.${io}<typeof regionSpecSchema>`;
  const out: string[] = [];

  const object = (schema: z.ZodType, pathKey: string, typeExpr: string, description: string | undefined) => {
    const name = nameOf(pathKey, io);
    const members: string[] = [];
    for (const [key, field] of Object.entries(defOf(schema).shape!)) {
      const f = unwrap(field);
      const fieldPath = pathKey ? `${pathKey}.${key}` : key;
      fields?.push({ path: fieldPath.replace(/=\w+/g, ''), owner: name, name: key, description: f.description });
      const optional = f.optional || (io === 'input' && f.hasDefault);
      const access = `${typeExpr}['${key}']`;
      let type = access;
      const coreDef = defOf(f.core);
      if (isObject(f.core)) {
        type = nested(f.core, fieldPath, `NonNullable<${access}>`, f.description);
      } else if (isObjectUnion(f.core)) {
        type = union(f.core, fieldPath, `NonNullable<${access}>`, f.description);
      } else if (coreDef.type === 'array' && isObject(unwrap(coreDef.element!).core)) {
        const element = unwrap(coreDef.element!);
        const doc = element.description ?? `One entry of \`${fieldPath}\`: ${f.description ?? ''}`;
        type = `${nested(element.core, `${fieldPath}[]`, `NonNullable<${access}>[number]`, doc)}[]`;
      }
      const doc = jsdoc(
        f.description,
        f.hasDefault && io === 'output' ? undefined : f.hasDefault ? { value: f.defaultValue } : undefined,
        '  ',
      );
      members.push(`${doc}  ${key}${optional ? '?' : ''}: ${type};`);
    }
    out.push(`${jsdoc(description)}export interface ${name} {\n${members.join('\n')}\n}`);
    return name;
  };

  const nested = (schema: z.ZodType, pathKey: string, typeExpr: string, description: string | undefined) =>
    object(schema, pathKey, typeExpr, description);

  const union = (schema: z.ZodType, pathKey: string, typeExpr: string, description: string | undefined) => {
    const { options, discriminator } = defOf(schema) as Required<Pick<Def, 'options' | 'discriminator'>>;
    const variants = options.map((variant) => {
      const value = variantValue(variant, discriminator);
      const own = unwrap(variant).description;
      return object(
        unwrap(variant).core,
        `${pathKey}=${value}`,
        `Extract<${typeExpr}, { ${discriminator}: '${value}' }>`,
        own,
      );
    });
    const name = nameOf(pathKey, io);
    out.push(`${jsdoc(description)}export type ${name} = ${variants.join(' | ')};`);
    return name;
  };

  const root = unwrap(regionSpecSchema);
  const rootName = object(root.core, '', zodType, root.description);
  out.push(
    `// the interfaces and the validator's own types are the same types\n` +
      `type Check${rootName} = Assert<Same<${rootName}, ${zodType}>>;`,
  );
  return out;
}

/** Every field of every object of the spec (both union variants, array elements), with its description. */
export function specFields(): SpecField[] {
  const fields: SpecField[] = [];
  emit('output', fields);
  return fields;
}

/** The generated file's text, formatted as the repository formats TypeScript. */
export async function specTypesSource(): Promise<string> {
  const header = `// Generated by \`npm run schema\` (bin/spec-types.ts) from regionSpecSchema in region-spec.ts: do not edit.
/**
 * The region spec as named interfaces, so that every field's description reaches the editor and the emitted
 * declarations. \`RegionSpecInput\` is a region as written (defaults may be left out), \`RegionSpec\` a validated
 * region with every default filled in. Each member's type is the validator's own (\`z.input\` / \`z.output\` of
 * \`regionSpecSchema\`).
 */
import type { z } from 'zod';

import type { regionSpecSchema } from './region-spec.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
`;
  const body = [...emit('output', undefined), ...emit('input', undefined)].join('\n\n');
  const checks = 'export type { CheckRegionSpec as _CheckRegionSpec, CheckRegionSpecInput as _CheckRegionSpecInput };';
  const file = path.join(PACKAGE_ROOT, SPEC_TYPES_FILE);
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(`${header}\n${body}\n\n${checks}\n`, { ...options, filepath: file });
}
