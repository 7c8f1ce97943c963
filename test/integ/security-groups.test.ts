/**
 * In the example regions every security-group rule is accounted for: SSH from the admin sources to the
 * bastion or from the bastion to a group, a port a role on that group declares, or a load balancer's
 * listener traffic. Nothing wider, and every declared port does get its rule.
 */
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';

import type { RolePort } from '../../constructs/roles/host-role.js';
import { loadRegionFile } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { EXAMPLE_FILES } from '../helpers.js';

describe.each(EXAMPLE_FILES.map((f) => [path.basename(f), f]))('%s', (_name, file) => {
  test('every rule comes from SSH, a declared role port or a load balancer listener', async () => {
    const { spec } = await loadRegionFile(file);
    const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
    const unexplained: string[] = [];
    for (const [name, group] of stack.hostGroups) {
      const roles = new Map(group.roles.map((r) => [r.roleName, r]));
      const lbPorts = spec.loadBalancers
        .filter((lb) => lb.backends === name)
        .flatMap((lb) => lb.listeners.map((l) => l.backendPort ?? l.port));
      for (const rule of group.securityGroup.ingressRules) {
        const peer = 'cidr' in rule.peer ? rule.peer.cidr : rule.peer.securityGroup.groupName;
        const ssh = rule.port.toString() === 'tcp/22' && /^ssh from (bastion|admin source )/.test(rule.description);
        const lb =
          /\(load balancer [a-z0-9-]+\)$/.test(rule.description) &&
          lbPorts.some((p) => rule.port.covers(rule.port.protocol, p));
        const roleName = /^([a-z-]+): /.exec(rule.description)?.[1];
        const role = roleName ? roles.get(roleName) : undefined;
        const declared = role?.ports.some((p: RolePort) =>
          p.protocol === 'vrrp'
            ? rule.port.protocol === 'vrrp'
            : rule.port.protocol === p.protocol &&
              rule.port.fromPort === p.port &&
              rule.port.toPort === (p.toPort ?? p.port),
        );
        if (!ssh && !lb && !declared)
          unexplained.push(`${name}: ${rule.port.toString()} from ${peer} (${rule.description})`);
        if ('cidr' in rule.peer && rule.peer.cidr === '0.0.0.0/0') {
          expect(lb, `${name}: only public load balancer listeners may be open to the world`).toBe(true);
        }
      }
    }
    expect(unexplained).toEqual([]);
  });

  test('every port a role declares (except load-balancer ones) has its rule', async () => {
    const { spec } = await loadRegionFile(file);
    const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
    const missing: string[] = [];
    for (const [name, group] of stack.hostGroups) {
      for (const role of group.roles) {
        for (const p of role.ports.filter(
          (x) => x.from !== 'loadBalancer' && !(x.from === 'bastion' && !stack.bastion),
        )) {
          const has = group.securityGroup.ingressRules.some(
            (r) =>
              r.description.startsWith(`${role.roleName}: `) &&
              (p.protocol === 'vrrp' ? r.port.protocol === 'vrrp' : r.port.fromPort === p.port),
          );
          if (!has) missing.push(`${name}: ${role.roleName} ${p.protocol}/${p.port} from ${p.from}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
