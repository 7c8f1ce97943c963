/**
 * Secret delivery (issue 7, fault 13): no secret and no sensitive variable in user data, the fetch script
 * and the metadata guard accepted by their checkers, the guard and the fetch ordered before every workload,
 * and the cloud grants limited to exactly the secrets of the region.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import type { IHostRole } from '../../../constructs/roles/host-role.js';
import { kmsSecretReadPolicy } from '../../../lib/cloud/alicloud/alicloud-cloud.js';
import { base64gzipExpression, userDataExpression, userDataTemplate } from '../../../lib/cloud/user-data.js';
import {
  FETCH_SCRIPT_PATH,
  METADATA_CLOSE_UNIT,
  METADATA_GUARD_SCRIPT,
  METADATA_GUARD_UNIT,
  SECRETS_CONFIG,
  SECRETS_CREDENTIAL,
  SECRETS_UNIT,
} from '../../../lib/cloudinit/secret-delivery.js';
import { FETCH_SCRIPT } from '../../../lib/cloudinit/secret-fetch-script.js';
import { secretRef } from '../../../lib/cloudinit/secret.js';
import { loadRegionFile } from '../../../lib/spec/load.js';
import { RegionStack } from '../../../stacks/region-stack.js';
import { checkShell, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { CLOUDS, EXAMPLE_FILES, synthJson } from '../../helpers.js';
import { fileOf, roleFixture } from '../../role-helpers.js';

type Json = ReturnType<typeof synthJson>;

const USER_DATA_TYPES: Record<string, string> = {
  alicloud_instance: 'user_data',
  openstack_compute_instance_v2: 'user_data',
};

/** Every instance's user data in a synthesized stack. */
function userDataOf(json: Json): string[] {
  return Object.entries(USER_DATA_TYPES).flatMap(([type, key]) =>
    // the Terraform template inside base64gzip(), as the plain encoding would send it
    Object.values(json.resource?.[type] ?? {}).map((r) => userDataTemplate((r as Record<string, string>)[key]!)),
  );
}

/** A role with a secret in a root-only env file read by a unit. */
function secretRole(mode = '0600'): IHostRole {
  return {
    roleName: 'app',
    requires: [],
    ports: [],
    secrets: [{ name: 'app_password', description: 'the app password' }],
    configure: (_ctx, config) => {
      config.addFile({
        path: '/etc/app/app.env',
        content: `PASSWORD=${secretRef('app_password')}\n`,
        permissions: mode,
      });
      config.addSystemdUnit({
        name: 'app.service',
        content: '[Unit]\nDescription=app\n[Service]\nEnvironmentFile=/etc/app/app.env\nExecStart=/usr/bin/true\n',
      });
    },
  };
}

/**
 * Units of a rendered cloud-config that cannot start without `regionkit-secrets.service`: those whose unit
 * file or drop-in requires it (Requires=, BindsTo=, Requisite=), and transitively those requiring one of them.
 */
function gatedBySecrets(doc: { write_files?: { path: string; content: string }[] }): Set<string> {
  const requires: [string, string[]][] = (doc.write_files ?? [])
    .filter((f) => f.path.startsWith('/etc/systemd/system/'))
    .map((f) => [
      f.path.split('/')[4]!.replace(/\.d$/, ''),
      [...f.content.matchAll(/^(?:Requires|BindsTo|Requisite)=(.*)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/)),
    ]);
  const gated = new Set([SECRETS_UNIT]);
  for (let size = 0; size !== gated.size;) {
    size = gated.size;
    for (const [unit, required] of requires) if (required.some((r) => gated.has(r))) gated.add(unit);
  }
  return gated;
}

describe.each(EXAMPLE_FILES.map((f) => [path.basename(f), f]))('%s', (_name, file) => {
  test('first boot never waits on the secret store: every start of a unit the fetch gates is --no-block', async () => {
    // A real store can be briefly unreachable (and on first boot the RAM role or credential may still be in
    // the making); a blocking start in runcmd would hold first boot up to the fetch deadline and, as runcmd's
    // last command, fail cloud-init. The units' own state shows whether they started.
    const { spec } = await loadRegionFile(file);
    const json = synthJson(new RegionStack(Testing.app(), `${spec.name}-infra`, { spec }));
    let checked = 0;
    for (const text of userDataOf(json)) {
      const doc = parse(text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')) as {
        write_files?: { path: string; content: string }[];
        runcmd?: string[][];
      };
      const gated = gatedBySecrets(doc);
      for (const cmd of doc.runcmd ?? []) {
        if (cmd[0] !== 'systemctl' || !['enable', 'start', 'restart'].includes(cmd[1]!)) continue;
        if (cmd[1] === 'enable' && !cmd.includes('--now')) continue;
        if (cmd.slice(2).some((u) => gated.has(u))) {
          checked++;
          expect(cmd, cmd.join(' ')).toContain('--no-block');
        }
      }
    }
    // every host of a Mesos cluster has secrets: the check ran on real starts
    expect(checked).toBeGreaterThan(10);
  });

  test('no user data holds a secret or a sensitive variable; each variable feeds only the secret store', async () => {
    const { spec } = await loadRegionFile(file);
    const json = synthJson(new RegionStack(Testing.app(), `${spec.name}-infra`, { spec }));
    const variables = Object.entries(json.variable ?? {})
      .filter(([, v]) => (v as { sensitive?: boolean }).sensitive)
      .map(([name]) => name);
    expect(variables.length).toBeGreaterThan(0);
    const userData = userDataOf(json);
    expect(userData.length).toBeGreaterThan(0);
    for (const u of userData) expect(u).not.toMatch(/\$\{var\./);
    // where each sensitive variable is read: the store's value attribute, nowhere else
    const text = JSON.stringify(json.resource);
    for (const name of variables) {
      const uses = [...text.matchAll(new RegExp(`"([a-z_]+)":"\\$\\{var\\.${name}\\}"`, 'g'))].map((m) => m[1]);
      expect(uses.length).toBeGreaterThan(0);
      for (const key of uses) expect(['secret_data', 'payload']).toContain(key);
      expect(text.match(new RegExp(`var\\.${name}\\b`, 'g'))).toHaveLength(uses.length);
    }
  });
});

describe.each(CLOUDS)('%s host', (cloud) => {
  const render = (role: IHostRole = secretRole()) => {
    const f = roleFixture(cloud);
    const g = f.group('app');
    g.addRole(role);
    return { f, g, doc: g.renderUserData(g.hosts[0]!) };
  };

  test('the file keeps its references; the fetch settings name the files to render and hold no value', () => {
    const { doc } = render();
    expect(fileOf(doc, '/etc/app/app.env')).toMatchObject({
      content: `PASSWORD=${secretRef('app_password')}\n`,
      permissions: '0600',
    });
    const settings = JSON.parse(fileOf(doc, SECRETS_CONFIG).content) as Record<string, unknown>;
    expect(fileOf(doc, SECRETS_CONFIG).permissions).toBe('0600');
    expect(settings).toMatchObject({
      kind: cloud,
      files: [{ path: '/etc/app/app.env', mode: '0600', owner: 'root:root' }],
    });
    expect(Object.keys(settings.secrets as object)).toEqual(['app_password']);
    expect(JSON.stringify(settings)).not.toMatch(/credential_secret|credentialSecret/);
  });

  test('guard, fetch and close start before any role unit at first boot, each before Docker on reboot', () => {
    const { doc } = render();
    const runcmd = (parse(doc) as { runcmd: string[][] }).runcmd.map((c) => c.join(' '));
    const starts = runcmd.filter((c) => c.startsWith('systemctl enable --now'));
    expect(starts.slice(0, 3)).toEqual([
      `systemctl enable --now ${METADATA_GUARD_UNIT}`,
      `systemctl enable --now --no-block ${SECRETS_UNIT}`,
      `systemctl enable --now ${METADATA_CLOSE_UNIT}`,
    ]);
    const unit = (name: string) => fileOf(doc, `/etc/systemd/system/${name}`).content;
    for (const name of [METADATA_GUARD_UNIT, SECRETS_UNIT, METADATA_CLOSE_UNIT]) {
      expect(unit(name)).toMatch(/^Before=.*\bdocker\.service\b.*\bcontainerd\.service\b/m);
    }
    expect(unit(METADATA_GUARD_UNIT)).toMatch(/^Before=network-pre\.target /m);
    expect(unit(METADATA_GUARD_UNIT)).toMatch(/^DefaultDependencies=no$/m);
    // cloud-init reads the metadata service on every boot before it is closed
    expect(unit(SECRETS_UNIT)).toMatch(/^After=.*\bcloud-init\.service\b/m);
    expect(unit(METADATA_CLOSE_UNIT)).toMatch(/^After=cloud-init\.service .*regionkit-secrets\.service$/m);
    // the unit reading the secret file requires the fetch
    expect(fileOf(doc, '/etc/systemd/system/app.service.d/10-regionkit-secrets.conf').content).toMatch(
      /^After=regionkit-secrets\.service\nRequires=regionkit-secrets\.service$/m,
    );
  });

  test('first boot queues the fetch and every unit needing it (--no-block): cloud-init never waits on the store', () => {
    // A unit that requires the secret reader, as a role might add (the kind: anything the fetch gates).
    const role = secretRole();
    const withDependent: IHostRole = {
      ...role,
      configure: (ctx, config) => {
        role.configure(ctx, config);
        config.addSystemdUnit({
          name: 'app-sidecar.service',
          content:
            '[Unit]\nDescription=sidecar\nRequires=app.service\nAfter=app.service\n[Service]\nExecStart=/usr/bin/true\n',
        });
        config.addSystemdUnit({
          name: 'plain.service',
          content: '[Unit]\nDescription=plain\n[Service]\nExecStart=/usr/bin/true\n',
        });
      },
    };
    const { doc } = render(withDependent);
    const runcmd = (parse(doc) as { runcmd: string[][] }).runcmd.map((c) => c.join(' '));
    expect(runcmd).toContain(`systemctl enable --now --no-block ${SECRETS_UNIT}`);
    expect(runcmd).toContain('systemctl enable --now --no-block app.service');
    expect(runcmd).toContain('systemctl enable --now --no-block app-sidecar.service');
    // units the fetch does not gate, and the close unit (ordered after the fetch, never failed by it), still wait
    expect(runcmd).toContain('systemctl enable --now plain.service');
    expect(runcmd).toContain(`systemctl enable --now ${METADATA_CLOSE_UNIT}`);
  });

  test('a host without secrets gets the guard, not the fetch', () => {
    const f = roleFixture(cloud);
    const g = f.group('plain');
    const doc = g.renderUserData(g.hosts[0]!);
    expect(() => fileOf(doc, METADATA_GUARD_SCRIPT)).not.toThrow();
    expect(() => fileOf(doc, FETCH_SCRIPT_PATH)).toThrow();
    expect(fileOf(doc, `/etc/systemd/system/${METADATA_CLOSE_UNIT}`).content).not.toContain(SECRETS_UNIT);
  });

  test('fails if a file holding secrets is world-readable', () => {
    expect(() => render(secretRole('0644'))).toThrow(
      /\/etc\/app\/app\.env holds secrets and must not be world-readable/,
    );
  });

  test('fails if a file references a secret its role does not declare', () => {
    const role = { ...secretRole(), secrets: [] };
    expect(() => render(role)).toThrow(/references secrets the host does not fetch: app_password/);
  });

  testWith('shellcheck', 'the metadata guard passes shellcheck', async () => {
    const { doc } = render();
    expect(await checkShell('regionkit-metadata-guard', fileOf(doc, METADATA_GUARD_SCRIPT).content)).toBe('');
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the guard, fetch and close units', async () => {
    const { doc } = render();
    const units = [METADATA_GUARD_UNIT, SECRETS_UNIT, METADATA_CLOSE_UNIT].map((name) => ({
      name,
      content: fileOf(doc, `/etc/systemd/system/${name}`).content,
    }));
    expect(await checkUnits(units)).toBe('');
  });
});

describe('metadata guard', () => {
  test.each([
    ['alicloud', ['iptables 100.100.100.200']],
    ['openstack', ['iptables 169.254.169.254', 'ip6tables fe80::a9fe:a9fe']],
  ] as const)('%s: closes exactly its metadata addresses', (cloud, calls) => {
    const f = roleFixture(cloud);
    const g = f.group('plain');
    const script = fileOf(g.renderUserData(g.hosts[0]!), METADATA_GUARD_SCRIPT).content;
    expect([...script.matchAll(/^guard (.+)$/gm)].map((m) => m[1])).toEqual(calls);
    // early: root only; forwarded traffic (containers) dropped before Docker's FORWARD chains
    expect(script).toContain('-m owner --uid-owner 0 -j RETURN');
    expect(script).toContain('-t raw -I PREROUTING 1 -d "$addr" -j DROP');
  });
});

describe('alicloud grants', () => {
  test('one RAM role per group, attached to each host, allowed GetSecretValue on exactly its secrets', () => {
    const f = roleFixture('alicloud');
    const g = f.group('app', 2);
    g.addRole(secretRole());
    f.group('other');
    const json = synthJson(f.stack);
    const r = json.resource!;
    expect(Object.keys(r.alicloud_ram_role!)).toHaveLength(1);
    expect(Object.keys(r.alicloud_ecs_ram_role_attachment!)).toHaveLength(2);
    const role = Object.values(r.alicloud_ram_role!)[0] as Record<string, string>;
    expect(JSON.parse(role.assume_role_policy_document!)).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } }],
    });
    const policy = JSON.parse((Object.values(r.alicloud_ram_policy!)[0] as Record<string, string>).policy_document!);
    const secret = Object.values(r.alicloud_kms_secret!)[0] as Record<string, unknown>;
    expect(secret).toMatchObject({ secret_data: '${var.app_password}', force_delete_without_recovery: true });
    expect(policy).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['kms:GetSecretValue'],
          Resource: [`acs:kms:cn-hangzhou:*:secret/${secret.secret_name as string}`],
        },
      ],
    });
    const settings = JSON.parse(fileOf(g.renderUserData(g.hosts[0]!), SECRETS_CONFIG).content) as object;
    expect(settings).toMatchObject({
      roleName: role.role_name,
      endpoint: 'kms-vpc.cn-hangzhou.aliyuncs.com',
      secrets: { app_password: secret.secret_name },
    });
  });

  test('the policy names only the given secrets of this region', () => {
    expect(kmsSecretReadPolicy('eu-central-1', 'r1', ['b', 'a'])).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['kms:GetSecretValue'],
          Resource: ['acs:kms:eu-central-1:*:secret/regionkit/r1/a', 'acs:kms:eu-central-1:*:secret/regionkit/r1/b'],
        },
      ],
    });
    expect(() => kmsSecretReadPolicy('eu-central-1', 'r1', [])).toThrow();
  });
});

describe('openstack grants', () => {
  test('a restricted application credential per group, allowed to GET exactly its payloads', () => {
    const f = roleFixture('openstack');
    const g = f.group('app');
    g.addRole(secretRole());
    const json = synthJson(f.stack);
    const r = json.resource!;
    const credential = Object.values(r.openstack_identity_application_credential_v3!)[0] as Record<string, unknown>;
    const [secretId] = Object.keys(r.openstack_keymanager_secret_v1!);
    expect(credential).toMatchObject({
      unrestricted: false,
      access_rules: [
        {
          service: 'key-manager',
          method: 'GET',
          path: `/v1/secrets/\${basename(openstack_keymanager_secret_v1.${secretId}.secret_ref)}/payload`,
        },
      ],
    });
    // the bootstrap credential: its secret is in the host's root-only credential file, and nowhere else
    const userData = userDataOf(json)[0]!;
    const credentialId = Object.keys(r.openstack_identity_application_credential_v3!)[0]!;
    const doc = parse(userData) as { write_files: { path: string; content: string; permissions: string }[] };
    const holders = doc.write_files.filter((w) => w.content.includes(`${credentialId}.secret}`));
    expect(holders.map((w) => [w.path, w.permissions])).toEqual([[SECRETS_CREDENTIAL, '0600']]);
  });

  test('user data refuses a host ref no adapter resolves', () => {
    expect(() => userDataExpression('x __REGIONKIT_REF_nope__')).toThrow(/no value for host ref nope/);
  });
});

describe('fetch script', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regionkit-secrets-'));
  const file = path.join(dir, 'regionkit_secrets.py');
  writeFileSync(file, FETCH_SCRIPT);
  const python = (code: string) =>
    execFileSync('python3', ['-c', code], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });

  /** The fetch unit as a host's user data renders it (the variables the boot test sets must not be in it). */
  const renderedFetchUnit = () => {
    const g = roleFixture('openstack').group('app');
    g.addRole(secretRole());
    return fileOf(g.renderUserData(g.hosts[0]!), `/etc/systemd/system/${SECRETS_UNIT}`).content;
  };

  testWith('python3', 'compiles with python3 -m py_compile', () => {
    execFileSync('python3', ['-m', 'py_compile', file], { env: { ...process.env, PYTHONPYCACHEPREFIX: dir } });
  });

  // Test_GetAuthorization of github.com/alibabacloud-go/openapi-util service/service_test.go: the SDK's own
  // known answer for signature V3 (query test=ok and empty=, header x-acs-test: http,https).
  testWith('python3', 'signs requests as Alibaba Cloud SDK does (ACS3-HMAC-SHA256 known answer)', () => {
    const out = python(
      "import regionkit_secrets as m; print(m.acs3_authorization('', '', {'test': 'ok', 'empty': ''}, " +
        "{'x-acs-test': 'http,https'}, '55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23', " +
        "'acesskey', 'secret'))",
    );
    expect(out.trim()).toBe(
      'ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=4ab59fffe3c5738ff8a2729f90cc04fe18b02a4b15b2102cbaf92f9ff3df2ea3',
    );
  });

  testWith('python3', 'retries 15 min by default; the deadline variable only the boot test image sets', () => {
    const { REGIONKIT_SECRETS_DEADLINE_SECONDS: _unset, ...inherited } = process.env;
    const deadline = (env: Record<string, string>) =>
      execFileSync('python3', ['-c', 'import regionkit_secrets as m; print(m.DEADLINE_SECONDS)'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...inherited, PYTHONDONTWRITEBYTECODE: '1', ...env },
      }).trim();
    expect(deadline({})).toBe('900');
    expect(deadline({ REGIONKIT_SECRETS_DEADLINE_SECONDS: '60' })).toBe('60');
    // hosts never set it: the unit as rendered has no Environment= for it
    expect(renderedFetchUnit()).not.toMatch(/REGIONKIT_SECRETS_DEADLINE_SECONDS/);
  });

  testWith(
    'python3',
    'reads a values file only where the environment names one (the boot test), and needs every name',
    () => {
      const { REGIONKIT_SECRETS_VALUES_FILE: _unset, ...inherited } = process.env;
      const values = path.join(dir, 'values.json');
      writeFileSync(values, JSON.stringify({ a: 'x', b: 'y', other: 'z' }));
      const run = (secrets: string[], env: Record<string, string>) =>
        execFileSync(
          'python3',
          [
            '-c',
            'import json, sys, regionkit_secrets as m\n' +
              'cfg = {"kind": "openstack", "secrets": {n: "ref" for n in sys.argv[1:]}}\n' +
              'try:\n    print(m.VALUES_FILE, json.dumps(m.file_values(cfg), sort_keys=True))\n' +
              'except RuntimeError as e:\n    print(e)\n',
            ...secrets,
          ],
          { cwd: dir, encoding: 'utf8', env: { ...inherited, PYTHONDONTWRITEBYTECODE: '1', ...env } },
        ).trim();
      // exactly the host's names, not another host's
      expect(run(['a', 'b'], { REGIONKIT_SECRETS_VALUES_FILE: values })).toBe(`${values} {"a": "x", "b": "y"}`);
      expect(run(['a', 'c'], { REGIONKIT_SECRETS_VALUES_FILE: values })).toBe(`${values} has no value for c`);
      // a file that is not there fails the fetch at once: no retries until the deadline
      const cfg = path.join(dir, 'cfg.json');
      writeFileSync(cfg, JSON.stringify({ kind: 'alicloud', secrets: { a: 'ref' }, files: [] }));
      const started = Date.now();
      const missing = spawnSync(
        'python3',
        ['-c', 'import sys, regionkit_secrets as m; sys.exit(m.main(sys.argv))', cfg],
        {
          cwd: dir,
          encoding: 'utf8',
          env: {
            ...inherited,
            PYTHONDONTWRITEBYTECODE: '1',
            REGIONKIT_SECRETS_VALUES_FILE: path.join(dir, 'none.json'),
          },
        },
      );
      expect([missing.status, missing.stderr.trim()]).toEqual([
        1,
        expect.stringMatching(/^regionkit-secrets: .*none\.json/),
      ]);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(python('import regionkit_secrets as m; print(m.VALUES_FILE)').trim()).toBe('None');
      // hosts never set it
      expect(renderedFetchUnit()).not.toMatch(/REGIONKIT_SECRETS_VALUES_FILE/);
    },
  );

  // The first-boot test's alicloud control trio found etcd (User=etcd) unable to open its certificate: the
  // unit's UMask=0077 made /run/regionkit 0700. Delivered under that umask, every directory down to the file
  // is traversable and the file is its owner's to read through the role's symlink.
  testWith('python3', 'delivers under UMask=0077 so that a non-root owner reads its file through the symlink', () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'regionkit-deliver-'));
    chmodSync(base, 0o711);
    const root = process.getuid?.() === 0;
    const owner = root
      ? 'nobody:nogroup'
      : `${os.userInfo().username}:${execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim()}`;
    const target = path.join(base, 'etc', 'member.crt');
    mkdirSync(path.dirname(target), { mode: 0o755 });
    writeFileSync(target, 'cert=__REGIONKIT_SECRET_c__\n');
    const out = python(
      'import json, os, regionkit_secrets as m\n' +
        `m.RUN_DIR = ${JSON.stringify(path.join(base, 'run', 'regionkit', 'secrets'))}\n` +
        `m.TEMPLATE_DIR = ${JSON.stringify(path.join(base, 'templates'))}\n` +
        'os.umask(0o077)\n' +
        `m.deliver({'files': [{'path': ${JSON.stringify(target)}, 'mode': '0400', 'owner': ${JSON.stringify(owner)}}]}, {'c': 'pem'})\n` +
        "print(' '.join(oct(os.stat(d).st_mode & 0o777) for d in (os.path.dirname(m.RUN_DIR), m.RUN_DIR, m.RUN_DIR + '/files')))\n",
    );
    // /run itself is the system's (0755); the test's stand-in for it is made by os.makedirs too
    expect(out.trim()).toBe('0o711 0o711 0o711');
    if (root) {
      chmodSync(path.join(base, 'run'), 0o755);
      expect(execFileSync('runuser', ['-u', 'nobody', '--', 'cat', target], { encoding: 'utf8' })).toBe('cert=pem\n');
    }
    rmSync(base, { recursive: true, force: true });
  });

  testWith('python3', 'renders templates and refuses a reference it did not fetch', () => {
    const out = python(
      'import regionkit_secrets as m\n' +
        "print(m.render('A=__REGIONKIT_SECRET_a__\\n', {'a': 'x'}), end='')\n" +
        "try:\n    m.render('__REGIONKIT_SECRET_b__', {'a': 'x'})\nexcept RuntimeError as e:\n    print('refused')\n",
    );
    expect(out).toBe('A=x\nrefused\n');
  });
});

describe('alicloud user data', () => {
  const tofu = path.join(os.homedir(), '.cache/regionkit/engine/bin/tofu');
  // The real engine evaluates base64gzip(); gunzip must give back the text byte for byte, escapes included.
  testWith(
    tofu,
    'tofu evaluates base64gzip of the user data back to the plain text',
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'regionkit-gzip-'));
      const text = '#cloud-config\nx: "q\\\\ \t ${literal} %{also} $${double}"\n';
      writeFileSync(
        path.join(dir, 'main.tf.json'),
        JSON.stringify({ output: { x: { value: base64gzipExpression(userDataExpression(text)) } } }),
      );
      const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1' };
      execFileSync(tofu, ['init', '-no-color'], { cwd: dir, env, stdio: 'ignore' });
      execFileSync(tofu, ['apply', '-auto-approve', '-no-color'], { cwd: dir, env, stdio: 'ignore' });
      const b64 = execFileSync(tofu, ['output', '-raw', 'x'], { cwd: dir, env, encoding: 'utf8' });
      writeFileSync(path.join(dir, 'x.gz'), Buffer.from(b64, 'base64'));
      execFileSync('gzip', ['-d', path.join(dir, 'x.gz')]);
      expect(readFileSync(path.join(dir, 'x'), 'utf8')).toBe(text);
    },
    60_000,
  );
});
