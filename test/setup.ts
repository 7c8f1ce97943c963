/**
 * Registers cdktf's matchers with Vitest. They accept a generated class (with `tfResourceType`) or a type name.
 */
import { Testing } from 'cdktf';
import { expect } from 'vitest';

type TypeRef = string | { readonly tfResourceType: string };
const typeName = (t: TypeRef) => (typeof t === 'string' ? t : t.tfResourceType);

function matcher(fn: (received: string, type: string, props?: Record<string, unknown>) => boolean, what: string) {
  return function (this: { isNot: boolean }, received: string, type: TypeRef, props?: Record<string, unknown>) {
    const pass = fn(received, typeName(type), props);
    return {
      pass,
      message: () =>
        `expected synthesized stack ${this.isNot ? 'not ' : ''}to have ${what} ${typeName(type)}` +
        (props ? ` with ${JSON.stringify(props)}` : ''),
    };
  };
}

expect.extend({
  toHaveResource: matcher((r, t) => Testing.toHaveResource(r, t), 'resource'),
  toHaveResourceWithProperties: matcher((r, t, p) => Testing.toHaveResourceWithProperties(r, t, p), 'resource'),
  toHaveDataSource: matcher((r, t) => Testing.toHaveDataSource(r, t), 'data source'),
  toHaveDataSourceWithProperties: matcher((r, t, p) => Testing.toHaveDataSourceWithProperties(r, t, p), 'data source'),
  toHaveProviderWithProperties: matcher((r, t, p) => Testing.toHaveProviderWithProperties(r, t, p), 'provider'),
});

interface CdktfMatchers<R = unknown> {
  toHaveResource(type: TypeRef): R;
  toHaveResourceWithProperties(type: TypeRef, props: Record<string, unknown>): R;
  toHaveDataSource(type: TypeRef): R;
  toHaveDataSourceWithProperties(type: TypeRef, props: Record<string, unknown>): R;
  toHaveProviderWithProperties(type: TypeRef, props: Record<string, unknown>): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any -- Vitest's own signature
  interface Assertion<T = any> extends CdktfMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends CdktfMatchers {}
}
