import { describe, expect, test } from 'vitest';

import { engineErrors, firstError } from '../../../bin/engine/lifecycle.js';
import { stacksOfRegions } from '../../../bin/lifecycle-options.js';

const run = (stderr: string, stdout = '') => ({ exitCode: 1, stderr, stdout });

describe('engine error parsing', () => {
  test('takes the explanation after the source snippet, also past an indented value marker', () => {
    const stderr = [
      '',
      'Error: Invalid value for variable',
      '',
      '  on main.tf line 1:',
      '   1: variable "a" {',
      '    ├────────────────',
      '    │ var.a is "x"',
      '',
      'a is too short.',
      '',
      'This was checked by the validation rule at main.tf:3,3-13.',
    ].join('\n');
    expect(engineErrors(run(stderr))).toEqual(['Invalid value for variable: a is too short.']);
  });

  test('skips Terraform’s init preamble and reads boxed output', () => {
    const stderr = [
      'Terraform encountered problems during initialisation, including problems',
      'with the configuration, described below.',
      '',
      '╷',
      '│ Error: Unsupported argument',
      '│ ',
      '│   on main.tf.json line 3, in resource.random_pet.x:',
      '│    3:       "bogus": 1',
      '│ ',
      '│ An argument named "bogus" is not expected here.',
      '╵',
    ].join('\n');
    expect(firstError(run(stderr))).toBe('Unsupported argument: An argument named "bogus" is not expected here.');
  });

  test('prefers stderr, and falls back to the last lines when nothing says Error', () => {
    expect(firstError(run('', 'Error: from stdout\n\nwhy\n'))).toBe('from stdout: why');
    expect(firstError(run('something\nwent\nwrong'))).toBe('something went wrong');
  });
});

describe('stacksOfRegions', () => {
  const manifest = {
    stacks: Object.fromEntries(
      ['eu-infra', 'eu-platform', 'eu-west-infra'].map((name) => [
        name,
        { name, dependencies: [], workingDirectory: `stacks/${name}` },
      ]),
    ),
  };

  test('a region never owns the stacks of a region whose name it prefixes', () => {
    expect(stacksOfRegions(manifest, ['eu'])).toEqual(['eu-infra', 'eu-platform']);
    expect(stacksOfRegions(manifest, ['eu-west'])).toEqual(['eu-west-infra']);
    expect(stacksOfRegions(manifest, [])).toEqual(['eu-infra', 'eu-platform', 'eu-west-infra']);
  });

  test('names regions without stacks', () => {
    expect(() => stacksOfRegions(manifest, ['eu-we'])).toThrow(/no synthesized stack for region eu-we/);
  });
});
