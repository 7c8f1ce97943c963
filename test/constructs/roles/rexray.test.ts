import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { REXRAY_ENV, REXRAY_SCRIPT, REXRAY_UNIT, Rexray, type RexrayProps } from '../../../constructs/roles/rexray.js';
import { secretNames, secretRef } from '../../../lib/cloudinit/secret.js';
import { checkCloudConfig, checkShell, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture } from '../../role-helpers.js';

const CINDER: RexrayProps = {
  driver: 'cinder',
  pluginImage: 'rexray/cinder:0.11.4',
  authUrl: 'https://keystone.example.com:5000/v3',
  username: 'rexray',
  projectName: 'platform',
};
const S3FS: RexrayProps = {
  driver: 's3fs',
  pluginImage: 'rexray/s3fs:0.11.4',
  endpoint: 's3.oss-cn-hangzhou-internal.aliyuncs.com',
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI5tExampleKeyId',
  virtualHostedStyle: true,
};

/** Three worker hosts (one per zone) with apt, docker and REX-Ray made from `props`. */
function workers(props: RexrayProps) {
  const f = roleFixture();
  const group = f.group('worker', 3);
  const role = new Rexray(f.stack, 'Rexray', props);
  for (const r of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), role]) group.addRole(r);
  return { f, group, role };
}

const make = (props: RexrayProps) => () => new Rexray(roleFixture().stack, 'Rexray', props);

describe('Rexray', () => {
  test('minimal cinder host: the whole cloud-config', () => {
    expect(renderAll(workers(CINDER).group)[0]).toMatchSnapshot();
  });

  test('cinder settings: Keystone login, project, default domain; the password is a secret', () => {
    const doc = renderAll(workers({ ...CINDER, regionName: 'RegionOne' }).group)[0]!;
    const env = fileOf(doc, REXRAY_ENV);
    expect(env.permissions).toBe('0600');
    expect(env.content).toBe(
      [
        '# regionkit rexray role: rexray/cinder plugin settings, one KEY=value per line, taken literally',
        'CINDER_AUTHURL=https://keystone.example.com:5000/v3',
        'CINDER_USERNAME=rexray',
        `CINDER_PASSWORD=${secretRef('rexray_cinder_password')}`,
        'CINDER_TENANTNAME=platform',
        'CINDER_DOMAINNAME=Default',
        'CINDER_REGIONNAME=RegionOne',
        '',
      ].join('\n'),
    );
    expect(secretNames(doc)).toEqual(['rexray_cinder_password']);
  });

  test("cinder: each host creates volumes in its own zone's availability zone", () => {
    const docs = renderAll(workers({ ...CINDER, availabilityZones: ['az-1', 'az-2', 'az-3'] }).group);
    const zones = docs.map((d) => /^CINDER_AVAILABILITYZONENAME=(.*)$/m.exec(fileOf(d, REXRAY_ENV).content)?.[1]);
    expect(zones).toEqual(['az-1', 'az-2', 'az-3']);
  });

  test('s3fs settings: endpoint, region, key id, virtual-hosted buckets; the secret key is a secret', () => {
    const { group, role } = workers(S3FS);
    const doc = renderAll(group)[0]!;
    expect(fileOf(doc, REXRAY_ENV).content).toBe(
      [
        '# regionkit rexray role: rexray/s3fs plugin settings, one KEY=value per line, taken literally',
        // REX-Ray 0.11.4 mounts with S3FS_OPTIONS only; without url= the mount would go to AWS
        'S3FS_OPTIONS=url=https://s3.oss-cn-hangzhou-internal.aliyuncs.com endpoint=cn-hangzhou',
        'S3FS_ENDPOINT=s3.oss-cn-hangzhou-internal.aliyuncs.com',
        'S3FS_REGION=cn-hangzhou',
        'S3FS_ACCESSKEY=LTAI5tExampleKeyId',
        `S3FS_SECRETKEY=${secretRef('rexray_s3fs_secret_key')}`,
        'S3FS_DISABLEPATHSTYLE=true',
        '',
      ].join('\n'),
    );
    expect(secretNames(doc)).toEqual(['rexray_s3fs_secret_key']);
    expect(role.secrets.map((s) => s.name)).toEqual(['rexray_s3fs_secret_key']);
    const plain = renderAll(workers({ ...S3FS, virtualHostedStyle: false }).group)[0]!;
    expect(fileOf(plain, REXRAY_ENV).content).not.toContain('S3FS_DISABLEPATHSTYLE');
  });

  test('declares only the secret of its driver', () => {
    expect(workers(CINDER).role.secrets.map((s) => s.name)).toEqual(['rexray_cinder_password']);
  });

  test('installs the plugin from a one-shot unit after docker, so a failed first boot is retried', () => {
    const doc = renderAll(workers(CINDER).group)[0]!;
    const unit = fileOf(doc, `/etc/systemd/system/${REXRAY_UNIT}`).content;
    expect(unit).toContain('Requires=docker.service\n');
    expect(unit).toContain(`Type=oneshot\nRemainAfterExit=yes\nExecStart=${REXRAY_SCRIPT}\nRestart=on-failure\n`);
    const runcmd = doc.slice(doc.indexOf('runcmd:'));
    expect(runcmd.indexOf(REXRAY_UNIT)).toBeGreaterThan(runcmd.indexOf('docker.service'));
  });

  test('declares no ports', () => {
    const { group } = workers(CINDER);
    expect(group.securityGroup.ingressRules).toEqual([]);
  });

  test.each([
    [{ ...CINDER, authUrl: undefined }, 'authUrl is required with driver cinder, got undefined'],
    [{ ...CINDER, username: undefined }, 'username is required with driver cinder, got undefined'],
    [{ ...CINDER, projectName: undefined }, 'projectName is required with driver cinder, got undefined'],
    [{ ...S3FS, endpoint: undefined }, 'endpoint is required with driver s3fs, got undefined'],
    [{ ...S3FS, region: undefined }, 'region is required with driver s3fs, got undefined'],
    [{ ...S3FS, accessKeyId: undefined }, 'accessKeyId is required with driver s3fs, got undefined'],
  ])('fails if a required setting is missing (%#)', (props, message) => {
    expect(make(props)).toThrow(`test/Rexray: ${message}`);
  });

  test('fails if settings of the other driver are given', () => {
    expect(make({ ...CINDER, endpoint: 'oss.example.com', region: 'x' })).toThrow(
      'test/Rexray: endpoint, region must not be set with driver cinder, got "oss.example.com", "x"',
    );
    expect(make({ ...S3FS, domainName: 'Default' })).toThrow(
      'test/Rexray: domainName must not be set with driver s3fs, got "Default"',
    );
  });

  test('fails if the plugin is not the driver given', () => {
    expect(make({ ...CINDER, pluginImage: 'rexray/s3fs:0.11.4' })).toThrow(
      'test/Rexray: pluginImage must be a rexray/cinder plugin for driver cinder, got rexray/s3fs:0.11.4',
    );
  });

  test('fails if the plugin is not pinned', () => {
    expect(make({ ...CINDER, pluginImage: 'rexray/cinder:latest' })).toThrow(
      'test/Rexray: pluginImage must be an image reference pinned to a tag other than latest or to a digest, got "rexray/cinder:latest"',
    );
  });

  test('fails if the driver is unknown', () => {
    expect(make({ ...CINDER, driver: 'ebs' as 'cinder' })).toThrow(
      'test/Rexray: driver must be cinder or s3fs, got "ebs"',
    );
  });

  test.each([
    [{ ...CINDER, authUrl: 'keystone:5000' }, 'authUrl must be an http(s):// URL, got "keystone:5000"'],
    [
      { ...CINDER, projectName: 'two\nlines' },
      'projectName must be a single line without surrounding spaces, got "two\\nlines"',
    ],
    [{ ...CINDER, username: ' rexray' }, 'username must be a single line without surrounding spaces, got " rexray"'],
    [
      { ...S3FS, endpoint: 'https://oss.example.com' },
      'endpoint must be a host name, optionally with :port, got "https://oss.example.com"',
    ],
    [{ ...CINDER, availabilityZones: [] }, 'availabilityZones must list one zone per network zone, got []'],
  ])('fails if a setting is malformed (%#)', (props, message) => {
    expect(make(props)).toThrow(`test/Rexray: ${message}`);
  });

  test('fails if a host is in a zone without an availability zone', () => {
    const { group } = workers({ ...CINDER, availabilityZones: ['az-1', 'az-2'] });
    expect(() => renderAll(group)).toThrow(
      'test/Rexray: availabilityZones must name the zone of every host, got none for zone 3 (test-worker-3)',
    );
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(workers(CINDER).group)[0]!;
    expect(
      await checkUnits([{ name: REXRAY_UNIT, content: fileOf(doc, `/etc/systemd/system/${REXRAY_UNIT}`).content }]),
    ).toBe('');
  });

  testWith('shellcheck', 'the install script passes shellcheck', async () => {
    expect(
      await checkShell('regionkit-rexray-plugin', fileOf(renderAll(workers(S3FS).group)[0]!, REXRAY_SCRIPT).content),
    ).toBe('');
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(workers(S3FS).group)[0]!)).toBe('');
  });
});

describe('the install script, with a stand-in docker', () => {
  /**
   * Runs the rendered script on a settings file with `docker` replaced by a recorder; `inspect` prints
   * `enabled` (or fails when undefined: no such plugin). Each call is recorded one argument per line.
   */
  async function run(settings: string, enabled?: 'true' | 'false') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-rexray-'));
    const log = path.join(dir, 'calls');
    const inspect = enabled === undefined ? 'exit 1' : `echo ${enabled}; exit 0`;
    await writeFile(
      path.join(dir, 'docker'),
      `#!/bin/sh\n{ for a in "$@"; do printf '[%s]' "$a"; done; echo; } >>"${log}"\n[ "$2" = inspect ] && { ${inspect}; }\nexit 0\n`,
    );
    await chmod(path.join(dir, 'docker'), 0o755);
    const script = path.join(dir, 'script');
    await writeFile(script, fileOf(renderAll(workers(CINDER).group)[0]!, REXRAY_SCRIPT).content, { mode: 0o755 });
    await writeFile(path.join(dir, 'plugin.env'), settings);
    const result = await execa(script, [path.join(dir, 'plugin.env')], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      reject: false,
    });
    return { exitCode: result.exitCode, calls: (await readFile(log, 'utf8')).trim().split('\n') };
  }

  const INSPECT = '[plugin][inspect][--format][{{.Enabled}}][rexray]';

  test('installs the plugin as rexray with every setting as one literal argument', async () => {
    const tricky = `p a$(touch /tmp/x)"'\\ss`;
    const settings = `# comment\nCINDER_AUTHURL=https://k:5000/v3\n\nCINDER_PASSWORD=${tricky}\nCINDER_TENANTNAME=platform`;
    expect(await run(settings)).toEqual({
      exitCode: 0,
      calls: [
        INSPECT,
        '[plugin][install][--grant-all-permissions][--alias][rexray][rexray/cinder:0.11.4]' +
          `[CINDER_AUTHURL=https://k:5000/v3][CINDER_PASSWORD=${tricky}][CINDER_TENANTNAME=platform]`,
      ],
    });
  });

  test('leaves an installed, enabled plugin alone', async () => {
    expect(await run('CINDER_TENANTNAME=platform\n', 'true')).toEqual({ exitCode: 0, calls: [INSPECT] });
  });

  test('enables an installed but disabled plugin', async () => {
    expect(await run('CINDER_TENANTNAME=platform\n', 'false')).toEqual({
      exitCode: 0,
      calls: [INSPECT, '[plugin][enable][rexray]'],
    });
  });
});
