/**
 * Reading region specs: from TypeScript objects or YAML files, validated as a whole, with every problem
 * reported with its field path before anything is built.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { LineCounter, parseDocument } from 'yaml';

import { SpecError, SpecValidationError, type SpecIssue } from '../errors.js';

import { fromZodIssues, suggest } from './issues.js';
import { GROUP_ROLE_NAMES, regionSpecSchema, type RegionSpec, type RegionSpecInput } from './region-spec.js';
import { semanticIssues } from './semantic.js';

/** A validated spec and where it came from. */
export interface LoadedSpec {
  readonly source: string;
  readonly spec: RegionSpec;
}

/** How region specs are checked beyond their schema. */
export interface ResolveOptions {
  /**
   * Names of the roles the program registered (`RoleRegistry.of(app).names`), which `hostGroups[].roles` may
   * name beside the built-in ones. @default - none: only built-in roles
   */
  readonly customRoles?: readonly string[];
}

/** Validates `input` and fills defaults; throws `SpecValidationError` listing every problem. */
export function resolveRegionSpec(
  input: RegionSpecInput | unknown,
  source = '<inline spec>',
  options: ResolveOptions = {},
): RegionSpec {
  const issues = regionSpecIssues(input, options);
  if (issues.problems.length > 0) throw new SpecValidationError(source, issues.problems);
  return issues.spec!;
}

function regionSpecIssues(input: unknown, options: ResolveOptions): { problems: SpecIssue[]; spec?: RegionSpec } {
  const parsed = regionSpecSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return { problems: fromZodIssues(parsed.error.issues, regionSpecSchema) };
  return { problems: [...roleNameIssues(parsed.data, options), ...semanticIssues(parsed.data)], spec: parsed.data };
}

/** Every role a host group names must be built in or registered. */
function roleNameIssues(spec: RegionSpec, options: ResolveOptions): SpecIssue[] {
  const custom = options.customRoles ?? [];
  const known: readonly string[] = [...GROUP_ROLE_NAMES, ...custom];
  return spec.hostGroups.flatMap((group, i) =>
    group.roles.flatMap((role, j) =>
      known.includes(role)
        ? []
        : [
            {
              path: `hostGroups[${i}].roles[${j}]`,
              message:
                `must be a built-in role (${GROUP_ROLE_NAMES.join(', ')}) or a registered one ` +
                `(${custom.length > 0 ? custom.join(', ') : 'none registered'}), got ${JSON.stringify(role)}` +
                suggest(role, known),
            },
          ],
    ),
  );
}

/**
 * Parses one YAML region file. Messages name it as given, or relative to `cwd` when one is passed (so
 * errors read `regions/x.yaml`, not a machine-specific absolute path).
 */
export async function loadRegionFile(file: string, cwd?: string, options: ResolveOptions = {}): Promise<LoadedSpec> {
  const source = cwd === undefined ? file : path.relative(cwd, path.resolve(cwd, file)) || file;
  let text: string;
  try {
    text = await readFile(cwd === undefined ? file : path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new SpecError(`${source}: cannot read region file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      hint: 'pass the path of a .yaml region file',
      cause: err,
    });
  }
  return { source, spec: resolveRegionSpec(parseYaml(text, source), source, options) };
}

/**
 * Loads several region files; every file is checked and all problems of all files are reported together.
 * Region names must be unique across the files (they name the stacks).
 */
export async function loadRegionFiles(
  files: readonly string[],
  cwd?: string,
  options: ResolveOptions = {},
): Promise<LoadedSpec[]> {
  const { loaded, errors } = await loadRegionFilesSettled(files, cwd, options);
  if (errors.length > 0) throw combineSpecErrors(errors);
  return loaded;
}

/**
 * Loads several region files and keeps going past invalid ones: the valid specs (in file order) and one
 * `SpecError` per invalid file (a repeated region name counts against the later file). Other errors throw.
 */
export async function loadRegionFilesSettled(
  files: readonly string[],
  cwd?: string,
  options: ResolveOptions = {},
): Promise<{ loaded: LoadedSpec[]; errors: SpecError[] }> {
  const results = await Promise.allSettled(files.map((f) => loadRegionFile(f, cwd, options)));
  const bug = results.find((r) => r.status === 'rejected' && !(r.reason instanceof SpecError));
  if (bug) throw (bug as PromiseRejectedResult).reason;
  const errors: SpecError[] = [];
  const loaded: LoadedSpec[] = [];
  const seen = new Map<string, string>();
  for (const result of results) {
    if (result.status === 'rejected') {
      errors.push(result.reason as SpecError);
      continue;
    }
    const { source, spec } = result.value;
    const other = seen.get(spec.name);
    if (other) {
      errors.push(
        new SpecValidationError(source, [
          {
            path: 'name',
            message: `must be unique across region files, got ${JSON.stringify(spec.name)} also in ${other}`,
          },
        ]),
      );
      continue;
    }
    seen.set(spec.name, source);
    loaded.push(result.value);
  }
  return { loaded, errors };
}

/** One `SpecError` carrying the messages of `errors`, one after another, and the first hint. */
export function combineSpecErrors(errors: readonly SpecError[]): SpecError {
  return new SpecError(errors.map((e) => e.message).join('\n'), { hint: errors.find((e) => e.hint)?.hint });
}

/** YAML text to a plain object; syntax errors and duplicate keys become a `SpecValidationError` with line:column. */
export function parseYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      source,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: `line ${pos.line}:${pos.col}`, message: `is not valid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/** The region files in a directory (`*.yaml`, `*.yml`), sorted. */
export async function regionFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new SpecError(`${dir}: cannot list region files (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      hint: 'run from the project directory or pass region files explicitly',
      cause: err,
    });
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}
