import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

import { PACKAGE_ROOT } from '../../lib/providers/paths.js';

const UPPER_LAYERS = ['bin', 'stacks'].map((d) => path.join(PACKAGE_ROOT, d) + path.sep);

/** Relative module specifiers of every static import/export and dynamic import() in `source`. */
function relativeImports(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g);
  return [...found].map((m) => m[1]!);
}

/** Files under lib/ (not the generated bindings) importing a module in bin/ or stacks/, as `file -> import`. */
async function upwardImports(): Promise<string[]> {
  const lib = path.join(PACKAGE_ROOT, 'lib');
  const bad: string[] = [];
  for (const entry of await readdir(lib, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !file.endsWith('.ts') || file.startsWith(path.join(lib, 'gen') + path.sep)) continue;
    for (const spec of relativeImports(await readFile(file, 'utf8'))) {
      const target = path.resolve(path.dirname(file), spec);
      if (UPPER_LAYERS.some((dir) => target.startsWith(dir))) bad.push(`${path.relative(lib, file)} -> ${spec}`);
    }
  }
  return bad;
}

describe('layering', () => {
  test('nothing in lib/ imports bin/ or stacks/', async () => {
    expect(await upwardImports()).toEqual([]);
  });

  test('the import scanner sees static, re-export and dynamic imports', () => {
    expect(
      relativeImports(
        "import { a } from '../bin/main.js';\nexport * from './x.js';\nconst m = await import('../../stacks/y.js');",
      ),
    ).toEqual(['../bin/main.js', './x.js', '../../stacks/y.js']);
  });

  test('ESLint rejects an upward import in lib/ and allows it in bin/', async () => {
    const eslint = new ESLint({ cwd: PACKAGE_ROOT });
    const text = "import { main } from '../bin/main.js';\n\nexport const m = main;\n";
    const [inLib] = await eslint.lintText(text, { filePath: path.join(PACKAGE_ROOT, 'lib/upward.ts') });
    expect(inLib!.messages.map((m) => m.message)).toEqual([
      "'../bin/main.js' import is restricted from being used by a pattern. lib/ never imports bin/ or stacks/ (they are the layers above it)",
    ]);
    const [inStacks] = await eslint.lintText(text, { filePath: path.join(PACKAGE_ROOT, 'stacks/upward.ts') });
    expect(inStacks!.messages.filter((m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
  }, 60_000);
});
