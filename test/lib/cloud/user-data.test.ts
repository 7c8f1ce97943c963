/**
 * lib/cloud/user-data.ts: the base64gzip encoding both adapters send, read back and evaluated by the real engine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { describe, expect, test } from 'vitest';

import {
  estimatedUserDataBytes,
  MAX_HOST_REF_BYTES,
  parseUserDataValue,
  userDataTemplate,
  userDataValue,
} from '../../../lib/cloud/user-data.js';
import { hostRef } from '../../../lib/cloudinit/secret-delivery.js';
import { testWith } from '../../checkers/tools.js';

/** Text with everything HCL or Terraform's templates treat specially. */
const TEXT =
  '#cloud-config\nx: "q\\\\ \t ${literal} %{also} $${double} %%{double} }{ \r\n' +
  `a: ${hostRef('auth_url')}\nb: "${hostRef('credential_id')}" ünï\n`;
/** Reference expressions as the adapters give them: a literal `${...}` with nested quotes and braces, a token-free reference. */
const REFS = {
  auth_url: '${[for s in ["a}", "b{\\"c"] : s if s != "a}"][0]}',
  credential_id: '${var.x}',
};

describe('user data encodings', () => {
  test('base64gzip reads back to the template the plain encoding sends', () => {
    const gz = userDataValue(TEXT, REFS, 'base64gzip');
    expect(gz.startsWith('${base64gzip("#cloud-config\\n')).toBe(true);
    expect(userDataTemplate(gz)).toBe(userDataValue(TEXT, REFS, 'plain'));
    expect(parseUserDataValue(gz).parts.filter((p) => 'expression' in p)).toEqual([
      { expression: '[for s in ["a}", "b{\\"c"] : s if s != "a}"][0]' },
      { expression: 'var.x' },
    ]);
    // a plain value reads back as itself
    const plain = userDataValue(TEXT, REFS, 'plain');
    expect(userDataTemplate(plain)).toBe(plain);
  });

  test('refuses a reference that is neither a token nor an expression', () => {
    expect(() => userDataValue(`a ${hostRef('x')}`, { x: 'literal' }, 'base64gzip')).toThrow(
      /host ref value must be a token or a \$\{\.\.\.\} expression, got literal/,
    );
  });

  test('the size estimate counts each reference at its longest', () => {
    const one = estimatedUserDataBytes(`a ${hostRef('x')}`, 'plain');
    expect(one).toBe(4 * Math.ceil((2 + MAX_HOST_REF_BYTES) / 3));
  });

  // The real engine evaluates both encodings: gunzip of one is the other, byte for byte.
  const tofu = path.join(os.homedir(), '.cache/regionkit/engine/bin/tofu');
  testWith(
    tofu,
    'tofu evaluates base64gzip to the gzip of what it evaluates the plain template to',
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'regionkit-userdata-'));
      writeFileSync(
        path.join(dir, 'main.tf.json'),
        JSON.stringify({
          variable: { x: { type: 'string', default: 'value "of" x' } },
          output: {
            gz: { value: userDataValue(TEXT, REFS, 'base64gzip') },
            plain: { value: userDataValue(TEXT, REFS, 'plain') },
          },
        }),
      );
      const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1' };
      execFileSync(tofu, ['init', '-no-color'], { cwd: dir, env, stdio: 'ignore' });
      execFileSync(tofu, ['apply', '-auto-approve', '-no-color'], { cwd: dir, env, stdio: 'ignore' });
      const out = JSON.parse(execFileSync(tofu, ['output', '-json'], { cwd: dir, env, encoding: 'utf8' })) as Record<
        string,
        { value: string }
      >;
      const plain = out.plain!.value;
      expect(plain).toContain('a: b{"c\nb: "value "of" x" ünï');
      expect(plain).toContain('${literal} %{also} $${double} %%{double}');
      expect(gunzipSync(Buffer.from(out.gz!.value, 'base64')).toString('utf8')).toBe(plain);
    },
    60_000,
  );
});
