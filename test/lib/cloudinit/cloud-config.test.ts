import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { CloudConfig } from '../../../lib/cloudinit/cloud-config.js';

describe('CloudConfig', () => {
  function sample(): CloudConfig {
    const c = new CloudConfig();
    c.setHostname('r-web-1');
    c.addUser({ name: 'ops', sudo: true, groups: ['adm', 'sudo'], sshAuthorizedKeys: ['ssh-ed25519 AAAA x'] });
    c.addPackages('chrony', 'ca-certificates', 'chrony');
    c.addFile({ path: '/etc/motd', content: 'hello\n' });
    c.addRunCommand(['systemctl', 'enable', '--now', 'chrony.service']);
    c.setModule('timezone', 'Etc/UTC');
    return c;
  }

  test('renders a #cloud-config document', () => {
    expect(sample().render()).toMatchInlineSnapshot(`
      "#cloud-config
      hostname: r-web-1
      prefer_fqdn_over_hostname: false
      ssh_pwauth: false
      disable_root: true
      users:
        - name: ops
          shell: /bin/bash
          lock_passwd: true
          groups: adm, sudo
          sudo: ALL=(ALL) NOPASSWD:ALL
          ssh_authorized_keys:
            - ssh-ed25519 AAAA x
      timezone: Etc/UTC
      package_update: true
      packages:
        - ca-certificates
        - chrony
      write_files:
        - path: /etc/motd
          content: |
            hello
          owner: root:root
          permissions: "0644"
      runcmd:
        - - systemctl
          - enable
          - --now
          - chrony.service
      "
    `);
  });

  test('is deterministic and parses back as YAML', () => {
    const a = sample().render();
    expect(sample().render()).toBe(a);
    expect(parse(a)).toMatchObject({ hostname: 'r-web-1', packages: ['ca-certificates', 'chrony'] });
  });

  test('the same file twice is fine, different content throws', () => {
    const c = sample();
    c.addFile({ path: '/etc/motd', content: 'hello\n' });
    expect(() => c.addFile({ path: '/etc/motd', content: 'bye\n' })).toThrow(
      'cloud-config: file /etc/motd is written twice with different content',
    );
  });

  test('conflicting host names, users and modules throw', () => {
    const c = sample();
    expect(() => c.setHostname('other')).toThrow(/hostname is set twice/);
    expect(() => c.addUser({ name: 'ops' })).toThrow(/user ops is defined twice differently/);
    expect(() => c.setModule('timezone', 'Asia/Shanghai')).toThrow(/timezone is set twice/);
    expect(() => c.setModule('runcmd', [])).toThrow(/runcmd has its own method/);
  });
});
