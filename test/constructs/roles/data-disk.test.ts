/**
 * The data-disk script run by sh against stand-ins for the block-device tools (this machine has no spare disk
 * to give it): a disk re-attached to a replacement host, already carrying our label, is kept as it is; a blank
 * disk of the declared size is formatted once; a disk with any other content is never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { dataDiskLabel, dataDiskScript } from '../../../constructs/roles/data-disk.js';

let dir: string;

/** Tools the script calls, answering from STUB_* variables; mkfs.ext4 records its arguments. */
const STUBS: Record<string, string> = {
  findmnt: 'echo /dev/vda1',
  lsblk: `case "$*" in
  "-no PKNAME /dev/vda1") echo vda ;;
  "-dnbo NAME,TYPE,SIZE,RO") printf 'vda disk 42949672960 0\\nvdb disk %s 0\\n' "$STUB_SIZE" ;;
  "-nro NAME /dev/vdb") echo vdb ;;
  *) : ;;
esac`,
  blkid: `case "$*" in
  *"-t LABEL="*) [ -n "$STUB_LABELLED" ] && echo "$STUB_LABELLED"; exit 0 ;;
  "-p /dev/vdb") exit "$STUB_PROBE_RC" ;;
esac`,
  'mkfs.ext4': 'echo "mkfs.ext4 $*" >> "$STUB_LOG"',
  udevadm: 'exit 0',
  flock: 'exit 0',
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-data-disk-'));
  for (const [name, body] of Object.entries(STUBS)) {
    await writeFile(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    await chmod(path.join(dir, name), 0o755);
  }
  // the lock file lives in /run on a host; here in the temporary directory
  await writeFile(path.join(dir, 'script'), dataDiskScript().replace('/run/regionkit-data-disk.lock', `${dir}/lock`));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

async function runScript(env: { labelled?: string; probeRc: number; sizeGiB: number }) {
  const log = path.join(dir, `mkfs-${Math.random().toString(36).slice(2)}.log`);
  await writeFile(log, '');
  const result = spawnSync('sh', [path.join(dir, 'script'), dataDiskLabel(0), '100', '0'], {
    encoding: 'utf8',
    env: {
      PATH: `${dir}:${process.env.PATH}`,
      STUB_LABELLED: env.labelled ?? '',
      STUB_PROBE_RC: String(env.probeRc),
      STUB_SIZE: String(env.sizeGiB * 1073741824),
      STUB_LOG: log,
    },
  });
  return { status: result.status, stderr: result.stderr, mkfs: (await readFile(log, 'utf8')).trim() };
}

describe('regionkit-data-disk', () => {
  test('passes shellcheck', () => {
    expect(() => execFileSync('shellcheck', ['-s', 'sh', path.join(dir, 'script')])).not.toThrow();
  });

  test('a re-attached disk already labelled regionkit-data1 is kept, not formatted again', async () => {
    const r = await runScript({ labelled: '/dev/vdb', probeRc: 0, sizeGiB: 100 });
    expect(r).toMatchObject({ status: 0, mkfs: '' });
    expect(r.stderr).toContain('regionkit-data1 is /dev/vdb');
  });

  test('a blank disk of the declared size is formatted once with the label', async () => {
    const r = await runScript({ probeRc: 2, sizeGiB: 100 });
    expect(r).toMatchObject({ status: 0, mkfs: 'mkfs.ext4 -q -L regionkit-data1 /dev/vdb' });
  });

  test('a disk with another signature, or another size, is never touched', async () => {
    for (const disk of [
      { probeRc: 0, sizeGiB: 100 },
      { probeRc: 2, sizeGiB: 200 },
    ]) {
      const r = await runScript(disk);
      expect(r).toMatchObject({ status: 1, mkfs: '' });
      expect(r.stderr).toContain('no disk labelled regionkit-data1 and no empty 100 GiB disk in 0 s');
    }
  });
});
