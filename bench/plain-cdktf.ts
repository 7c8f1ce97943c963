/**
 * The bench's baseline: plain cdktf emitting the same Terraform JSON as regionkit, with no regionkit code.
 * `plain-cdktf <outdir> <cdk.tf.json>...` reads stacks regionkit synthesized earlier and, in a fresh process,
 * rebuilds each one with cdktf core alone: one TerraformStack per file, the provider, backend, variables,
 * data sources, resources (at their original construct paths, so ids and metadata match) and outputs, then
 * `app.synth()`. What is left of regionkit's time beyond this is the cost of regionkit itself.
 */
import { readFileSync } from 'node:fs';

import {
  App,
  LocalBackend,
  TerraformDataSource,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
} from 'cdktf';
import { Construct } from 'constructs';

type Json = Record<string, unknown>;
type Blocks = Record<string, Record<string, Json>>;
type TerraformElementWithId = TerraformResource | TerraformDataSource;

interface StackJson {
  '//': { metadata: { stackName: string }; outputs?: Json };
  terraform: { backend?: Json; required_providers?: Record<string, { source: string; version: string }> };
  provider?: Record<string, Json[]>;
  variable?: Record<string, Json>;
  data?: Blocks;
  resource?: Blocks;
  output?: Record<string, Json>;
}

const KNOWN_BLOCKS = new Set(['//', 'terraform', 'provider', 'variable', 'data', 'resource', 'output']);
/** Kept apart from the attributes: cdktf writes its own meta-arguments last and would blank them. */
const META_ARGUMENTS = new Set([
  'count',
  'depends_on',
  'for_each',
  'lifecycle',
  'provider',
  'provisioner',
  'connection',
]);

/** A provider whose attributes are given as Terraform JSON. */
class RawProvider extends TerraformProvider {
  constructor(
    scope: Construct,
    type: string,
    pin: { source: string; version: string },
    private readonly attributes: Json,
  ) {
    super(scope, type, {
      terraformResourceType: type,
      terraformProviderSource: pin.source,
      terraformGeneratorMetadata: { providerName: type, providerVersion: pin.version },
    });
  }

  protected synthesizeAttributes(): Json {
    return this.attributes;
  }
}

/** A resource whose attributes and meta-arguments are given as Terraform JSON. */
class RawResource extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    type: string,
    private readonly attributes: Json,
    private readonly metaArguments: Json,
  ) {
    super(scope, id, { terraformResourceType: type });
  }

  public override get terraformMetaArguments(): Json {
    return this.metaArguments;
  }

  protected synthesizeAttributes(): Json {
    return this.attributes;
  }
}

/** A data source whose attributes and meta-arguments are given as Terraform JSON. */
class RawDataSource extends TerraformDataSource {
  constructor(
    scope: Construct,
    id: string,
    type: string,
    private readonly attributes: Json,
    private readonly metaArguments: Json,
  ) {
    super(scope, id, { terraformResourceType: type });
  }

  public override get terraformMetaArguments(): Json {
    return this.metaArguments;
  }

  protected synthesizeAttributes(): Json {
    return this.attributes;
  }
}

/** The construct at `segments` below `stack`, creating plain Constructs on the way. */
function scopeAt(stack: TerraformStack, segments: readonly string[]): Construct {
  let scope: Construct = stack;
  for (const id of segments) scope = (scope.node.tryFindChild(id) as Construct | undefined) ?? new Construct(scope, id);
  return scope;
}

/** Adds the elements of `blocks` at the construct paths their metadata names. */
function addBlocks(
  stack: TerraformStack,
  blocks: Blocks | undefined,
  make: (scope: Construct, id: string, type: string, attributes: Json, meta: Json) => TerraformElementWithId,
): void {
  for (const [type, byName] of Object.entries(blocks ?? {})) {
    for (const [name, { '//': meta, ...all }] of Object.entries(byName)) {
      const segments = (meta as { metadata: { path: string } }).metadata.path.split('/').slice(1);
      const entries = Object.entries(all);
      const element = make(
        scopeAt(stack, segments.slice(0, -1)),
        segments.at(-1)!,
        type,
        Object.fromEntries(entries.filter(([key]) => !META_ARGUMENTS.has(key))),
        Object.fromEntries(entries.filter(([key]) => META_ARGUMENTS.has(key))),
      );
      if (element.friendlyUniqueId !== name) element.overrideLogicalId(name);
    }
  }
}

/** Adds outputs at the construct paths recorded in the stack's `//.outputs` metadata. */
function addOutputs(stack: TerraformStack, outputs: Record<string, Json>, tree: Json, segments: string[]): void {
  for (const [id, node] of Object.entries(tree)) {
    if (typeof node !== 'string') {
      addOutputs(stack, outputs, node as Json, [...segments, id]);
      continue;
    }
    const { value, description, sensitive, ...rest } = outputs[node]!;
    const output = new TerraformOutput(scopeAt(stack, segments), id, {
      value,
      description: description as string | undefined,
      sensitive: sensitive as boolean | undefined,
    });
    output.overrideLogicalId(node);
    for (const [key, v] of Object.entries(rest)) output.addOverride(key, v);
  }
}

function addStack(app: App, json: StackJson): void {
  const unknown = Object.keys(json).filter((key) => !KNOWN_BLOCKS.has(key));
  if (unknown.length > 0) throw new Error(`plain-cdktf: no support for top-level ${unknown.join(', ')}`);
  const stack = new TerraformStack(app, json['//'].metadata.stackName);

  for (const [type, configs] of Object.entries(json.provider ?? {})) {
    const pin = json.terraform.required_providers?.[type];
    if (!pin || configs.length !== 1) throw new Error(`plain-cdktf: provider ${type} needs one pinned block`);
    new RawProvider(stack, type, pin, configs[0]!);
  }
  const { local, ...otherBackends } = json.terraform.backend ?? {};
  if (Object.keys(otherBackends).length > 0) throw new Error('plain-cdktf: only the local backend is supported');
  if (local) new LocalBackend(stack, local as { path: string });

  for (const [name, { validation, ...config }] of Object.entries(json.variable ?? {})) {
    new TerraformVariable(stack, name, {
      ...config,
      validation: (validation as { condition: string; error_message: string }[] | undefined)?.map((v) => ({
        condition: v.condition,
        errorMessage: v.error_message,
      })),
    });
  }
  addBlocks(stack, json.data, (...args) => new RawDataSource(...args));
  addBlocks(stack, json.resource, (...args) => new RawResource(...args));
  addOutputs(stack, json.output ?? {}, (json['//'].outputs?.[stack.node.id] ?? {}) as Json, []);
  // comment keys regionkit adds beside cdktf's own (the stateful list): the same stack-level override
  for (const [key, value] of Object.entries(json['//'])) {
    if (key !== 'metadata' && key !== 'outputs') stack.addOverride(`//.${key}`, value);
  }
}

const [outdir, ...files] = process.argv.slice(2);
if (!outdir || files.length === 0) throw new Error('usage: plain-cdktf <outdir> <cdk.tf.json>...');
const app = new App({ outdir });
for (const file of files) addStack(app, JSON.parse(readFileSync(file, 'utf8')) as StackJson);
app.synth();
