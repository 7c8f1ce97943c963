/**
 * The published package holds exactly what a consumer needs: the modules reachable from the `exports` entries
 * (JavaScript and declarations), the CLI bundle `bin` names with its chunks, the data files the code reads at
 * run time, and the documents the README links to. Nothing from the build's own scripts, tests or sources.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { execa, execaSync } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';

import { PACKAGE_ROOT } from '../../lib/providers/paths.js';

interface PackageJson {
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;

/** Module specifiers of every static import/export, `import type` and dynamic `import()` in `source`. */
export function importsOf(source: string): string[] {
  // `from` after whitespace or `}` only: generated bindings hold the string "from" (a NetworkPolicy field)
  return [...source.matchAll(/(?:(?<=[\s}])from\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** Files reachable from `entries` (package-relative) through relative imports; bare specifiers collected apart. */
function reachable(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const full = path.join(PACKAGE_ROOT, file);
    if (!existsSync(full)) throw new Error(`${file} is imported but missing; run npm run build`);
    files.add(file);
    for (const spec of importsOf(readFileSync(full, 'utf8'))) {
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      // declarations import `./x.js` and mean `./x.d.ts`
      const target = path.join(path.dirname(file), spec);
      visit(file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
    }
  };
  entries.forEach(visit);
  return { files, packages };
}

/** Every file an `exports` target names; `*` patterns expanded against the built `dist/`. */
function exportTargets(condition: 'types' | 'default'): string[] {
  const targets: string[] = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? (condition === 'default' ? target : undefined) : target[condition];
    if (!file) continue;
    if (!subpath.includes('*')) {
      targets.push(path.normalize(file));
      continue;
    }
    // one directory per resource below the pattern's prefix
    const [prefix, suffix] = file.split('*') as [string, string];
    for (const name of readdirSync(path.join(PACKAGE_ROOT, prefix), { withFileTypes: true })) {
      if (name.isDirectory()) targets.push(path.normalize(`${prefix}${name.name}${suffix}`));
    }
  }
  return targets;
}

describe('published files', () => {
  let packed: string[];

  beforeAll(async () => {
    if (!existsSync(path.join(PACKAGE_ROOT, 'dist', 'index.js')))
      throw new Error('dist/ is missing; run npm run build');
    const { stdout } = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT });
    packed = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
  });

  test('are exactly the entries, their modules, the CLI bundle, its data and its documents', () => {
    const js = reachable(exportTargets('default').filter((f) => f.endsWith('.js')));
    const dts = reachable(exportTargets('types'));
    // a module whose code or whose declarations a consumer reaches ships both
    const modules = new Set(
      [...js.files, ...dts.files].filter((f) => f.startsWith('dist/')).map((f) => f.replace(/\.(d\.ts|js)$/, '')),
    );
    // the CLI bundle is minified (import scanning would misread it): its entry and every chunk esbuild wrote
    const cli = [
      ...Object.values(pkg.bin).map((f) => path.normalize(f)),
      ...readdirSync(path.join(PACKAGE_ROOT, 'dist', 'regionkit-chunks'))
        .filter((f) => f.endsWith('.mjs'))
        .map((f) => `dist/regionkit-chunks/${f}`),
    ];
    const expected = new Set([
      ...[...modules].flatMap((m) => [`${m}.js`, `${m}.d.ts`]),
      ...cli.flatMap((f) => [f, `${f}.map`]),
      ...exportTargets('default').filter((f) => !f.endsWith('.js')),
      // read at run time: the conformance check (lib/providers/conformance.ts, every generated provider) and the
      // CLI; the flat index of tls, random, kubernetes and helm is left out (no package entry serves it)
      'lib/providers/schemas/alicloud.json',
      'lib/providers/schemas/helm.json',
      'lib/providers/schemas/kubernetes.json',
      'lib/providers/schemas/openstack.json',
      'lib/providers/schemas/random.json',
      'lib/providers/schemas/tls.json',
      // regionkit's own Gateways chart, copied into the platform stack as an asset (constructs/platform/gateway-api.ts)
      ...['Chart.yaml', 'values.yaml', 'templates/envoyproxy.yaml', 'templates/gatewayclass.yaml'].map(
        (f) => `charts/regionkit-gateways/${f}`,
      ),
      'charts/regionkit-gateways/templates/gateways.yaml',
      // documents: what README, the role index and the schema descriptions link to (test/docs/links.test.ts)
      'README.md',
      'LICENSE',
      'lib/providers/schemas/SOURCES.md',
      ...packed.filter((f) => f.startsWith('docs/') && f.endsWith('.md')),
      'constructs/roles/README.md',
      ...packed.filter((f) => f.startsWith('constructs/roles/docs/') && f.endsWith('.md')),
    ]);
    expect(packed).toEqual([...expected].sort());
  });

  test('ship no build script, test, TypeScript source or source map of a library module', () => {
    const offending = packed.filter(
      (f) =>
        /^(test|bench|\.ci)\//.test(f) ||
        f.startsWith('dist/bin/') ||
        /(^|\/)(generate|refresh|main-module)\.(js|d\.ts)$/.test(f) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
        (f.endsWith('.js.map') && !f.startsWith('dist/regionkit')),
    );
    expect(offending).toEqual([]);
  });

  test('every package the shipped code imports is a dependency or a peer, never a dev-only one', () => {
    const js = reachable(exportTargets('default').filter((f) => f.endsWith('.js')));
    const dts = reachable(exportTargets('types'));
    const imported = [...new Set([...js.packages, ...dts.packages])].filter((p) => !p.startsWith('node:')).sort();
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    expect(imported.filter((p) => !declared.has(p))).toEqual([]);
    // cdktf and constructs come from the consumer: one copy, so instanceof and addOverride reach every resource
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdktf', 'constructs']);
    expect(Object.keys(pkg.dependencies)).not.toContain('cdktf');
    expect(Object.keys(pkg.dependencies)).not.toContain('constructs');
  });

  test.each([
    ['alicloud', 'openstack'],
    ['openstack', 'alicloud'],
  ])('regionkit/%s loads its own bindings only, not regionkit/%s nor the constructs', (cloud, other) => {
    const target = (pkg.exports[`./${cloud}`] as Record<string, string>).default!;
    const { files, packages } = reachable([path.normalize(target)]);
    expect([...files].filter((f) => !f.startsWith(`dist/lib/gen/${cloud}/`))).toEqual([]);
    expect([...files].some((f) => f.includes(`/gen/${other}/`))).toBe(false);
    expect([...packages].filter((p) => p !== 'cdktf' && p !== 'constructs')).toEqual([]);
    // a deep entry loads one resource module
    const deep = reachable([`dist/lib/gen/${cloud}/provider/index.js`]).files;
    expect([...deep]).toEqual([`dist/lib/gen/${cloud}/provider/index.js`]);
  });

  test('CommonJS code can require() every entry (no top-level await; Node >= 20.19 loads such ES modules)', async () => {
    const entries = ['regionkit', 'regionkit/alicloud', 'regionkit/openstack/compute-instance-v2'];
    // self-reference: the package resolves its own name through `exports`, as a consumer's require() does
    const script = `for (const e of ${JSON.stringify(entries)}) console.log(e, Object.keys(require(e)).length > 0);`;
    const { stdout } = await execa('node', ['--input-type=commonjs', '-e', script], { cwd: PACKAGE_ROOT });
    expect(stdout.split('\n')).toEqual(entries.map((e) => `${e} true`));
  });
});

/** A heading's anchor as GitHub and npm render it. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

/** The documents whose links must resolve: README, docs/, the role pages and index, the JSON Schema. */
function documents(): string[] {
  const under = (dir: string) =>
    readdirSync(path.join(PACKAGE_ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.md'))
      .map((e) => path.relative(PACKAGE_ROOT, path.join(e.parentPath, e.name)));
  return ['README.md', ...under('docs'), ...under('constructs/roles'), 'regions/region.schema.json'];
}

/** Every `description` string in a JSON Schema. */
function descriptions(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(descriptions);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === 'description' && typeof v === 'string' ? [v] : descriptions(v),
  );
}

/**
 * Links in a document, each as `{ target, strict }`: Markdown link targets (strict: relative to the document)
 * and paths of documents named in prose or code (`see docs/roles.md`: relative to the document or the root).
 */
export function linksIn(text: string, markdown: boolean): { target: string; strict: boolean }[] {
  const links: { target: string; strict: boolean }[] = [];
  if (markdown) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(m[1]!)) links.push({ target: m[1]!, strict: true });
    }
  }
  const prose = markdown ? text.replace(/\[[^\]]*\]\([^)\s]+\)/g, '') : text;
  for (const m of prose.matchAll(/(?<![\w<>/.:-])((?:\.\.?\/)*[\w-]+(?:\/[\w.-]+)*\.md)\b/g)) {
    links.push({ target: m[1]!, strict: false });
  }
  return links;
}

describe('links in README, docs, role pages and the JSON Schema', () => {
  // the repository's files: tracked, or new and not ignored
  const tracked = new Set(
    execaSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: PACKAGE_ROOT }).stdout.split(
      '\n',
    ),
  );

  test('the scanner finds Markdown links and documents named in prose', () => {
    expect(linksIn('see [a](docs/a.md#x) and `../shared/DESIGN.md`, docs/roles.md, https://x.io/b.md', true)).toEqual([
      { target: 'docs/a.md#x', strict: true },
      { target: '../shared/DESIGN.md', strict: false },
      { target: 'docs/roles.md', strict: false },
    ]);
    expect(linksIn('edit constructs/roles/docs/<role>.md instead', true)).toEqual([]);
  });

  test.each(documents())('%s links only to files in the repository', (doc) => {
    const text = readFileSync(path.join(PACKAGE_ROOT, doc), 'utf8');
    const isMarkdown = doc.endsWith('.md');
    const links = linksIn(isMarkdown ? text : descriptions(JSON.parse(text)).join('\n'), isMarkdown);
    const broken = links.filter(({ target, strict }) => {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const candidates = [path.join(path.dirname(doc), file || path.basename(doc))];
      if (!strict) candidates.push(path.normalize(file));
      const exists = (c: string) => tracked.has(c) || (file.endsWith('/') && [...tracked].some((t) => t.startsWith(c)));
      const found = candidates.find((c) => !c.startsWith('..') && exists(c));
      if (!found) return true;
      if (anchor === undefined || !found.endsWith('.md')) return false;
      const headings = [...readFileSync(path.join(PACKAGE_ROOT, found), 'utf8').matchAll(/^#{1,6} (.+)$/gm)];
      return !headings.some((h) => slug(h[1]!) === anchor);
    });
    expect(broken.map((l) => l.target)).toEqual([]);
  });
});
