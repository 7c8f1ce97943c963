/**
 * Custom host roles by name: a program registers a role factory under a name on its app, and region files
 * (and `RegionStack.addHostGroup`) may then name the role in `hostGroups[].roles` like a built-in one.
 */
import type { Construct, IConstruct } from 'constructs';

import type { CloudKind } from '../../lib/cloud/types.js';
import { SpecError } from '../../lib/errors.js';
import { GROUP_ROLE_NAMES, ROLE_NAME, type RegionSpec } from '../../lib/spec/region-spec.js';

import type { IHostRole } from './host-role.js';

/** What a role factory knows about the region it builds a role for. */
export interface RoleFactoryContext {
  /** The region, validated and defaulted. */
  readonly spec: RegionSpec;
  /** The region's cloud. */
  readonly cloud: CloudKind;
}

/**
 * Makes the role for one region. Called at most once per region stack, the first time a group names the role;
 * every group naming it shares the object (as with built-in roles without settings). The role's `roleName`
 * must be the registered name.
 */
export type RoleFactory = (scope: Construct, id: string, context: RoleFactoryContext) => IHostRole;

/** One registry per construct tree, keyed by its root (the `App`). */
const registries = new WeakMap<IConstruct, RoleRegistry>();

/**
 * The custom roles of one app, by name. `RegionStack` reads the registry of the app it is built in, so register
 * before constructing the stacks (and before loading region files that name the roles: pass
 * `{ customRoles: RoleRegistry.of(app).names }` to `loadRegionFile`).
 *
 * @example
 * RoleRegistry.of(app).register('my-agent', (scope, id) => new MyAgent(scope, id));
 */
export class RoleRegistry {
  /** The registry of the app `scope` belongs to; created empty on first use. */
  public static of(scope: IConstruct): RoleRegistry {
    const root = scope.node.root;
    let registry = registries.get(root);
    if (!registry) {
      registry = new RoleRegistry();
      registries.set(root, registry);
    }
    return registry;
  }

  private readonly factories = new Map<string, RoleFactory>();

  private constructor() {}

  /** Registered names, in registration order. */
  public get names(): string[] {
    return [...this.factories.keys()];
  }

  /**
   * Registers `factory` under `name`.
   * @throws SpecError when `name` is not a role name (a DNS label), is a built-in role, or is registered already
   */
  public register(name: string, factory: RoleFactory): this {
    if (!ROLE_NAME.test(name)) {
      throw new SpecError(
        `role registry: name must be lower-case letters, digits and -, starting with a letter, got ${JSON.stringify(name)}`,
      );
    }
    if ((GROUP_ROLE_NAMES as readonly string[]).includes(name)) {
      throw new SpecError(`role registry: ${name} is a built-in role and cannot be registered again`);
    }
    if (this.factories.has(name)) throw new SpecError(`role registry: ${name} is registered already`);
    this.factories.set(name, factory);
    return this;
  }

  /** True when `name` is registered. */
  public has(name: string): boolean {
    return this.factories.has(name);
  }

  /**
   * Builds the role `name` in `scope`.
   * @throws SpecError when `name` is not registered or the factory's role carries another name
   */
  public create(scope: Construct, id: string, name: string, context: RoleFactoryContext): IHostRole {
    const factory = this.factories.get(name);
    if (!factory) throw new SpecError(`${scope.node.path}: no role ${name} is registered`);
    const role = factory(scope, id, context);
    if (role.roleName !== name) {
      throw new SpecError(
        `${scope.node.path}: the role registered as ${name} names itself ${JSON.stringify(role.roleName)}; ` +
          'register it under its roleName',
      );
    }
    return role;
  }
}
