/**
 * The order stacks are planned and applied in: every stack after the stacks it reads outputs from (cdktf
 * records cross-stack references as `dependencies` in manifest.json), ties broken by name so the order is
 * stable. Destroy runs it backwards.
 */
import { SpecError } from '../../lib/errors.js';

/** The part of cdktf's manifest.json this reads. */
export interface CdktfManifest {
  readonly stacks: Readonly<
    Record<
      string,
      { readonly name: string; readonly dependencies: readonly string[]; readonly workingDirectory: string }
    >
  >;
}

/**
 * `wanted` and everything they depend on, dependencies first.
 * @throws SpecError when a stack is not in the manifest or the dependencies form a cycle
 */
export function stackOrder(manifest: CdktfManifest, wanted: readonly string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: readonly string[]): void => {
    const stack = manifest.stacks[name];
    if (!stack) {
      throw new SpecError(`stack ${name} is not in the synthesized output`, {
        hint: `synthesized stacks: ${Object.keys(manifest.stacks).sort().join(', ') || 'none'}`,
      });
    }
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new SpecError(`stacks depend on each other in a cycle: ${[...chain, name].join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const dep of [...stack.dependencies].sort()) visit(dep, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...wanted].sort()) visit(name, []);
  return order;
}
