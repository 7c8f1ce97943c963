/**
 * Refuses to build on a construct tree made by another copy of cdktf or constructs than the one regionkit loads.
 *
 * cdktf and constructs are peer dependencies, so an install from the registry or a tarball has one copy of each.
 * A symlinked path install (`npm i ../regionkit`) does not: Node resolves regionkit's imports from the checkout,
 * which has its own development copy. Two copies of constructs crash deep inside a binding
 * (`scope.node._scopes is not iterable`); two copies of cdktf build, but `instanceof TerraformResource` in the
 * app's own code is false for every resource regionkit made, so an Aspect's `addOverride` silently does
 * nothing. Failing here, with both copies named, turns both into one clear error.
 */
import { createRequire } from 'node:module';

import { App, TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';

import { SpecError } from '../lib/errors.js';

const HINT =
  'install regionkit from the registry or a tarball, or a path with `npm install --install-links <dir>`, so that ' +
  'it shares your project’s cdktf and constructs (its peer dependencies); `npm ls cdktf constructs` shows the copies';

/**
 * Returns `scope`; throws `SpecError` when it belongs to a tree made by another copy of constructs, or to an
 * app or stack made by another copy of cdktf. Call it on the scope before `super(scope, id)`.
 */
export function assertSameCopies<T extends IConstruct>(scope: T): T {
  if (Construct.isConstruct(scope) && !(scope instanceof Construct)) throw twoCopies('constructs', scope);
  const root = scope.node.root;
  if (App.isApp(root) && !(root instanceof App)) throw twoCopies('cdktf', scope);
  const stack = scope.node.scopes.find((s) => TerraformStack.isStack(s));
  if (stack && !(stack instanceof TerraformStack)) throw twoCopies('cdktf', scope);
  return scope;
}

function twoCopies(pkg: 'cdktf' | 'constructs', scope: IConstruct): SpecError {
  let mine: string = pkg;
  try {
    mine = createRequire(import.meta.url).resolve(pkg);
  } catch {
    // only for the message
  }
  return new SpecError(
    `${scope.node.path || '(app)'}: two copies of ${pkg}: regionkit loads ${mine}, your app was made with ` +
      'another one; overrides and Aspects would miss regionkit’s resources',
    { hint: HINT },
  );
}
