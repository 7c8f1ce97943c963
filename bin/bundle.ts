/**
 * Bundles the CLI with esbuild into `dist/regionkit.mjs` plus lazily loaded chunks in `dist/regionkit-chunks/`,
 * so a cold `regionkit synth` reads a handful of files instead of resolving hundreds of modules from `dist/`
 * and `node_modules/`. `npm run build` runs it after tsc (whose output stays: `dist/index.js` is the
 * library's entry). `npm run bench` bundles its plain-cdktf baseline with the same options, so both sides of
 * the comparison load the same way.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

import { isMainModule } from '../lib/main-module.js';
import { PACKAGE_ROOT } from '../lib/providers/paths.js';

/** The bundled CLI, as `package.json` `bin` names it. */
export const BUNDLE_FILE = path.join(PACKAGE_ROOT, 'dist', 'regionkit.mjs');
const CHUNK_DIR = 'regionkit-chunks';

/**
 * Code splitting keeps `--help` from even parsing cdktf, the constructs and the bindings: with one 3.7 MiB
 * file `--help` took twice as long (0.36 s against 0.18 s), and synth took the same either way.
 * cdktf, constructs and commander are CommonJS; in an ESM bundle their `require('fs')` needs a real
 * `require`, hence the banner (aliased so it cannot clash with a bundled name).
 * Minifying whitespace and syntax cut a synth's CPU time by about a tenth (less source to compile); names are
 * kept, so stack traces stay readable (`node --enable-source-maps` maps them to the sources).
 */
const OPTIONS = {
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
  banner: {
    js: "import { createRequire as __regionkitCreateRequire } from 'node:module'; const require = __regionkitCreateRequire(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
} as const satisfies BuildOptions;

/**
 * With code splitting, esbuild turns `await import('cdktf')` (a CommonJS package) into an import of a chunk
 * that exports only `default`, so `const { App } = await import('cdktf')` gets undefined. This routes each
 * dynamic import of a package through a small module re-exporting the package's names, read at build time.
 */
const namedDynamicImports: Plugin = {
  name: 'named-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'dynamic-import' && !args.path.startsWith('node:')
        ? { path: args.path, namespace: 'named-dynamic-import', pluginData: args.resolveDir }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'named-dynamic-import' }, async (args) => {
      const names = Object.keys((await import(args.path)) as object).filter(
        (n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n),
      );
      const spec = JSON.stringify(args.path);
      return {
        contents: `import * as ns from ${spec};\nexport const { ${names.join(', ')} } = ns;\nexport default ns.default;\n`,
        resolveDir: args.pluginData as string,
        loader: 'js',
      };
    });
  },
};

/** Bundles `entries` (output name -> path relative to the package root) into `outdir`; returns the metafile. */
export async function bundle(entries: Record<string, string>, outdir: string): Promise<Metafile> {
  await rm(path.join(outdir, CHUNK_DIR), { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    ...OPTIONS,
    absWorkingDir: PACKAGE_ROOT,
    entryPoints: entries,
    outdir,
    plugins: [namedDynamicImports],
  });
  // a script module runs itself when it is the main module, and inside a bundle the bundle is the main module
  const scripts = Object.keys(result.metafile.inputs).filter((input) => input.endsWith('lib/main-module.ts'));
  if (scripts.length > 0) throw new Error(`bundle must not contain script modules (${scripts.join(', ')})`);
  return result.metafile;
}

if (isMainModule(import.meta.url)) {
  const metafile = await bundle({ regionkit: 'bin/regionkit.ts' }, path.dirname(BUNDLE_FILE));
  const chunks = await readdir(path.join(path.dirname(BUNDLE_FILE), CHUNK_DIR));
  const { size } = await stat(BUNDLE_FILE);
  process.stderr.write(
    `bundled ${Object.keys(metafile.inputs).length} modules into ${path.relative(PACKAGE_ROOT, BUNDLE_FILE)} ` +
      `(${(size / 1024).toFixed(0)} KiB) and ${chunks.filter((c) => c.endsWith('.mjs')).length} chunks in ` +
      `dist/${CHUNK_DIR}/\n`,
  );
}
