/**
 * Orders a host's roles so that every role comes after the roles it requires, keeping the order they were
 * added in wherever dependencies allow (so output is stable). Missing dependencies and cycles are errors.
 */
import { SpecError } from '../../lib/errors.js';

import type { IHostRole } from './host-role.js';

/** The roles in dependency order; `where` prefixes error messages (a construct path). */
export function orderRoles<R extends Pick<IHostRole, 'roleName' | 'requires'>>(
  roles: readonly R[],
  where: string,
): R[] {
  const byName = new Map(roles.map((r) => [r.roleName, r]));
  for (const role of roles) {
    const missing = role.requires.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      throw new SpecError(
        `${where}: role ${role.roleName} requires ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not on these hosts`,
        { hint: `add ${missing.join(', ')} to the group's roles` },
      );
    }
  }
  const ordered: R[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (role: R, path: string[]): void => {
    const seen = state.get(role.roleName);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(role.roleName)), role.roleName];
      throw new SpecError(`${where}: roles form a dependency cycle: ${cycle.join(' -> ')}`, {
        hint: 'a role may not (indirectly) require itself',
      });
    }
    state.set(role.roleName, 'visiting');
    for (const dep of role.requires) visit(byName.get(dep)!, [...path, role.roleName]);
    state.set(role.roleName, 'done');
    ordered.push(role);
  };
  for (const role of roles) visit(role, []);
  return ordered;
}
