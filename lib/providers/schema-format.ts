/**
 * Types for the JSON that `terraform providers schema -json` prints (format_version 1.0), the format of the
 * checked-in files in `lib/providers/schemas/`.
 */
import type { ProviderPin } from '../versions.js';

/** A Terraform type expression as JSON: `"string"`, `["list", "string"]`, `["object", {...}]`. */
export type SchemaType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list' | 'set' | 'map', SchemaType]
  | readonly ['object', Readonly<Record<string, SchemaType>>]
  | readonly ['tuple', readonly SchemaType[]];

/**
 * An attribute in `terraform providers schema -json` output.
 * @see https://developer.hashicorp.com/terraform/cli/commands/providers/schema
 */
export interface SchemaAttribute {
  /** The attribute's type; absent when it is a nested attribute (`nested_type`). */
  readonly type?: SchemaType;
  /**
   * An attribute holding objects with attributes of their own (plugin framework providers: helm's `kubernetes`
   * and `set`). Unlike a nested block it is assigned (`set = [{ … }]`), in JSON the same shape either way.
   */
  readonly nested_type?: SchemaNestedType;
  readonly description?: string;
  readonly description_kind?: string;
  readonly deprecated?: boolean;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  /** Write-only: accepted in configuration, never stored in state (Terraform ≥ 1.11, OpenTofu ≥ 1.11). */
  readonly write_only?: boolean;
}

/** The object type of a nested attribute, as `providers schema -json` prints it. */
export interface SchemaNestedType {
  readonly attributes: Readonly<Record<string, SchemaAttribute>>;
  readonly nesting_mode: 'single' | 'list' | 'set' | 'map';
  readonly min_items?: number;
  readonly max_items?: number;
}

/**
 * A nested block type in `terraform providers schema -json` output: nesting mode and item counts.
 * @see https://developer.hashicorp.com/terraform/cli/commands/providers/schema
 */
export interface SchemaBlockType {
  readonly nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  readonly block: SchemaBlock;
  readonly min_items?: number;
  readonly max_items?: number;
}

/**
 * A block in `terraform providers schema -json` output: attributes and nested block types.
 * @see https://developer.hashicorp.com/terraform/cli/commands/providers/schema
 */
export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, SchemaBlockType>>;
  readonly description_kind?: string;
  readonly deprecated?: boolean;
}

/**
 * The schema of one resource or data-source type (version and block) in `terraform providers schema -json` output.
 * @see https://developer.hashicorp.com/terraform/cli/commands/providers/schema
 */
export interface TypeSchema {
  readonly version: number;
  readonly block: SchemaBlock;
}

/**
 * One provider in `terraform providers schema -json` output: its own block and its resource and data-source
 * schemas.
 * @see https://developer.hashicorp.com/terraform/cli/commands/providers/schema
 */
export interface ProviderSchema {
  readonly provider: TypeSchema;
  readonly resource_schemas?: Readonly<Record<string, TypeSchema>>;
  readonly data_source_schemas?: Readonly<Record<string, TypeSchema>>;
}

export interface ProviderSchemaFile {
  readonly format_version: string;
  readonly provider_schemas: Readonly<Record<string, ProviderSchema>>;
}

/** The fully qualified address Terraform uses as the key in `provider_schemas`. */
export function providerAddress(pin: ProviderPin): string {
  return `registry.terraform.io/${pin.source}`;
}
