/**
 * Every type a consumer meets through the public API (`index.ts`) is exported by name: the props of an exported
 * class, the type of a public field (`RegionStack.cluster` is a `MesosCluster`), the shapes an exported
 * interface mentions. A type missing from the exports cannot be named in the consumer's own code.
 */
import path from 'node:path';

import ts from 'typescript';
import { describe, expect, test } from 'vitest';

import { PACKAGE_ROOT } from '../../lib/providers/paths.js';

/** Types declared in this repository (not dependencies, not generated bindings) that `entry`'s exports mention. */
function unexportedTypes(entry: string): string[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const ours = (file: string) => !file.includes('node_modules') && !file.includes(`${path.sep}gen${path.sep}`);
  const exported = new Set(
    checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!).map(resolve),
  );
  const missing = new Set<string>();
  const seen = new Set<ts.Symbol>();
  const visit = (symbol: ts.Symbol) => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    for (const declaration of symbol.declarations ?? []) {
      if (!ours(declaration.getSourceFile().fileName)) continue;
      const walk = (node: ts.Node): void => {
        // bodies and private members are not part of the API
        if (ts.isBlock(node) || ts.isArrowFunction(node)) return;
        if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) {
          return;
        }
        if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
          const name = ts.isTypeReferenceNode(node)
            ? node.typeName
            : ts.isTypeQueryNode(node)
              ? node.exprName
              : node.expression;
          const target = checker.getSymbolAtLocation(name);
          const resolved = target && resolve(target);
          const file = resolved?.declarations?.[0]?.getSourceFile().fileName;
          if (resolved && file && ours(file) && !(resolved.flags & ts.SymbolFlags.TypeParameter)) {
            if (!exported.has(resolved)) missing.add(`${resolved.name} (${path.relative(PACKAGE_ROOT, file)})`);
            visit(resolved);
          }
        }
        ts.forEachChild(node, walk);
      };
      walk(declaration);
    }
  };
  exported.forEach(visit);
  return [...missing].sort();
}

describe('public API', () => {
  test('every type reachable from an export of index.ts is exported itself', () => {
    expect(unexportedTypes(path.join(PACKAGE_ROOT, 'index.ts'))).toEqual([]);
  });
});
