import os from 'node:os';
import path from 'node:path';

import { expect, test } from 'vitest';

import { RUN_TMP_PREFIX } from './global-setup.js';

test('test workers write temporary files into the per-run directory global setup removes', () => {
  expect(path.basename(os.tmpdir())).toMatch(new RegExp(`^${RUN_TMP_PREFIX}`));
});
