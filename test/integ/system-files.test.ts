/**
 * Files no standalone program can check here: /etc/hosts (read by glibc), PAM limits (read by pam_limits)
 * and systemd manager/resolved drop-ins (read by PID 1 and systemd-resolved, neither of which may run on a
 * CI machine). They are checked against their documented line formats, and the systemd keys against the
 * key tables inside systemd's own binaries.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Testing } from 'cdktf';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

import { loadRegionFile } from '../../lib/spec/load.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { hostArtifacts, type HostArtifacts } from '../checkers/artifacts.js';
import { testWith } from '../checkers/tools.js';
import { EXAMPLE_FILES, synthJson } from '../helpers.js';

import { kindOf } from './file-kinds.js';

const artifacts: HostArtifacts[] = [];
for (const file of EXAMPLE_FILES) {
  const { spec } = await loadRegionFile(file);
  const stack = new RegionStack(Testing.app(), `${spec.name}-infra`, { spec });
  artifacts.push(...hostArtifacts(stack.node.id, synthJson(stack) as never));
}
const files = (kind: string) =>
  artifacts.flatMap((a) => a.files.filter((f) => kindOf(f) === kind).map((f) => ({ ...f, host: a.host })));

describe('/etc/hosts', () => {
  test('every line is a comment or "address name..." and the host names itself, and only itself', () => {
    for (const f of files('hosts-file')) {
      const entries = f.content
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('#'))
        .map((l) => l.trim().split(/\s+/));
      for (const [address, ...names] of entries) {
        expect(address).toMatch(/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+)$/);
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) expect(name).toMatch(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/);
      }
      const names = entries.flatMap(([, ...n]) => n);
      expect(names.filter((n) => n === f.host)).toHaveLength(1);
      // other hosts resolve through the region's private DNS, never through a baked-in inventory
      const region = artifacts.find((x) => x.host === f.host)!.stack.replace(/-infra$/, '');
      expect(names.filter((n) => n.startsWith(`${region}-`) && n !== f.host && !n.startsWith(`${f.host}.`))).toEqual(
        [],
      );
    }
  });
});

describe('PAM limits', () => {
  test('every line is "<domain> <soft|hard|-> <item> <value>" with items pam_limits knows', () => {
    const items = ['nofile', 'nproc', 'memlock', 'core', 'stack', 'as', 'fsize'];
    for (const f of files('pam-limits')) {
      for (const line of f.content.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))) {
        const [domain, type, item, value, ...rest] = line.trim().split(/\s+/);
        expect(rest).toEqual([]);
        expect(domain).toMatch(/^(\*|@?[a-z_][a-z0-9_-]*)$/);
        expect(['soft', 'hard', '-']).toContain(type);
        expect(items).toContain(item);
        expect(value).toMatch(/^(\d+|unlimited|infinity)$/);
      }
    }
  });
});

describe('systemd manager and resolved drop-ins', () => {
  const parse = (content: string) => {
    let section = '';
    return content
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .flatMap((l) => {
        const header = /^\[(\w+)\]$/.exec(l);
        if (header) {
          section = header[1]!;
          return [];
        }
        const kv = /^(\w+)=(.*)$/.exec(l);
        if (!kv) throw new Error(`not "Key=value": ${l}`);
        return [{ section, key: kv[1]!, value: kv[2]! }];
      });
  };

  testWith(
    '/usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so',
    'system.conf.d keys are [Manager] settings systemd knows',
    async () => {
      const core = await readFile('/usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so', 'latin1');
      for (const f of files('systemd-config').filter((x) => x.path.startsWith('/etc/systemd/system.conf.d/'))) {
        for (const { section, key } of parse(f.content)) {
          expect(section).toBe('Manager');
          expect(core.includes(`\0${key}\0`), `${key} is a key in systemd's manager table`).toBe(true);
        }
      }
    },
  );

  testWith(
    'apt-get',
    'resolved.conf.d keys are [Resolve] settings systemd-resolved knows',
    async () => {
      const resolved = await resolvedBinary();
      for (const f of files('systemd-config').filter((x) => x.path.startsWith('/etc/systemd/resolved.conf.d/'))) {
        for (const { section, key } of parse(f.content)) {
          expect(resolved.includes(`${section}.${key}`), `${section}.${key} is in systemd-resolved's gperf table`).toBe(
            true,
          );
        }
      }
    },
    60_000,
  );
});

/**
 * The systemd-resolved binary from Debian's package, unpacked into a temporary directory (downloaded, never
 * installed: installing it would take over this machine's resolver).
 */
async function resolvedBinary(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-resolved-'));
  await execa('apt-get', ['download', 'systemd-resolved'], { cwd: dir });
  const deb = (await readdir(dir)).find((f) => f.endsWith('.deb'))!;
  await execa('dpkg-deb', ['-x', deb, 'root'], { cwd: dir });
  const binary = path.join(dir, 'root/lib/systemd/systemd-resolved');
  if (!existsSync(binary)) throw new Error('systemd-resolved binary not found in the package');
  return readFile(binary, 'latin1');
}
