/**
 * The region spec explains itself in the editor: every field of every object of the spec (array elements and
 * union variants included) has a description in the zod definition, and that description is the JSDoc of the
 * field in the declarations `tsc` emits (what an editor shows on hover), on both the output (`RegionSpec`) and
 * the input (`RegionSpecInput`) interfaces.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';

import { SPEC_TYPES_FILE, specFields, specTypesSource } from '../../../bin/spec-types.js';
import { PACKAGE_ROOT } from '../../../lib/providers/paths.js';

/** The `.d.ts` text tsc emits for `file`, compiled with the project's options. */
function emittedDeclaration(file: string): string {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
  });
  let text: string | undefined;
  const { emitSkipped, diagnostics } = program.emit(
    program.getSourceFile(file),
    (name, data) => {
      if (name.endsWith('region-spec-types.d.ts')) text = data;
    },
    undefined,
    true,
  );
  expect(emitSkipped, diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')).toBe(
    false,
  );
  return text!;
}

/** `interface name -> member -> JSDoc text` of a declaration file. */
function memberDocs(dts: string): Map<string, Map<string, string>> {
  const source = ts.createSourceFile('spec.d.ts', dts, ts.ScriptTarget.ES2022, true);
  const docs = new Map<string, Map<string, string>>();
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    const members = new Map<string, string>();
    for (const member of statement.members) {
      if (!ts.isPropertySignature(member)) continue;
      const jsdoc = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      members.set(member.name.getText(source), jsdoc.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join('\n'));
    }
    docs.set(statement.name.text, members);
  }
  return docs;
}

const normalize = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('region spec types', () => {
  const fields = specFields();
  let docs: Map<string, Map<string, string>>;

  beforeAll(() => {
    docs = memberDocs(emittedDeclaration(path.join(PACKAGE_ROOT, SPEC_TYPES_FILE)));
  }, 120_000);

  test(`the checked-in ${SPEC_TYPES_FILE} is current (run \`npm run schema\` after changing the spec)`, async () => {
    expect(readFileSync(path.join(PACKAGE_ROOT, SPEC_TYPES_FILE), 'utf8')).toBe(await specTypesSource());
  });

  test('the walk covers the whole spec: top level, nested objects, array elements, union variants', () => {
    const paths = fields.map((f) => f.path);
    for (const p of ['name', 'zones', 'admin.sshSources', 'hostGroups.count', 'hostGroups.dataDisks.sizeGiB']) {
      expect(paths).toContain(p.replace(/^hostGroups\./, 'hostGroups[].').replace('dataDisks.', 'dataDisks[].'));
    }
    expect(paths).toContain('loadBalancers[].healthCheck.intervalSeconds');
    expect(paths).toContain('backend.tablestoreTable');
    expect(paths).toContain('cluster.controlGroup');
    expect(paths).toContain('hostGroups[].hostConfig.dockerIptables');
    expect(fields.length).toBeGreaterThan(100);
  });

  test('every field of the spec has a description', () => {
    expect(fields.filter((f) => !f.description?.trim()).map((f) => f.path)).toEqual([]);
  });

  test.each(['output', 'input'] as const)(
    'every field carries its description as JSDoc in the emitted .d.ts (%s types)',
    (io) => {
      const missing = fields.filter((f) => {
        const owner = io === 'output' ? f.owner : `${f.owner}Input`;
        const doc = docs.get(owner)?.get(f.name);
        return doc === undefined || !normalize(doc).includes(normalize(f.description ?? '\u0000'));
      });
      expect(missing.map((f) => f.path)).toEqual([]);
    },
  );

  test('defaults are stated on the input types, where a field may be left out', () => {
    const input = docs.get('HostGroupSpecInput')!;
    const source = ts.createSourceFile(
      'x.ts',
      readFileSync(path.join(PACKAGE_ROOT, SPEC_TYPES_FILE), 'utf8'),
      ts.ScriptTarget.ES2022,
    );
    expect(input.get('count')).toMatch(/Number of hosts/);
    expect(source.text).toMatch(/Number of hosts\.\n\s+\* @default 1\n\s+\*\/\n\s+count\?:/);
  });
});
