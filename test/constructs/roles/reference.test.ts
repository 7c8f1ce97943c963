import { existsSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { readReference, REFERENCE_FILE, roleReference } from '../../../bin/role-reference.js';

describe('role reference', () => {
  test('constructs/roles/README.md is current (run `npm run docs:roles` after changing a role)', async () => {
    expect(await readReference()).toBe(await roleReference());
  });

  test('every role in it has its own page in constructs/roles/docs/', async () => {
    const links = [...(await readReference()).matchAll(/\]\((docs\/[a-z-]+\.md)\)/g)].map((m) => m[1]!);
    // every group role of the examples (calico left them: no Calico on Mesos workers, see docs/calico.md)
    expect(links.length).toBeGreaterThanOrEqual(22);
    for (const link of links) expect(existsSync(path.join(path.dirname(REFERENCE_FILE), link)), link).toBe(true);
  });
});
