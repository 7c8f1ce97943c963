import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { CADVISOR_CONTAINER, Cadvisor, type CadvisorProps } from '../../../constructs/roles/cadvisor.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { checkCloudConfig, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture, ruleLines, execStartOf } from '../../role-helpers.js';

const IMAGE = 'ghcr.io/google/cadvisor:v0.60.5';
const UNIT = `/etc/systemd/system/${CADVISOR_CONTAINER}.service`;

/** Two worker hosts with apt, docker and cAdvisor made from `props`. */
function workers(props: Partial<CadvisorProps> = {}) {
  const f = roleFixture();
  const group = f.group('worker', 2);
  const role = new Cadvisor(f.stack, 'Cadvisor', { image: IMAGE, ...props });
  for (const r of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), role]) group.addRole(r);
  return { f, group, role };
}

const execStart = (doc: string) => execStartOf(doc, UNIT);

describe('Cadvisor', () => {
  test('minimal host: the whole cloud-config', () => {
    expect(renderAll(workers().group)[0]).toMatchSnapshot();
  });

  test('the unit runs the documented privileged container, listening on the private address', () => {
    expect(fileOf(renderAll(workers().group)[1]!, UNIT).content).toMatchInlineSnapshot(`
      "# cadvisor: cAdvisor container metrics (regionkit host role)
      [Unit]
      Description=cAdvisor container metrics
      After=network-online.target docker.service
      Wants=network-online.target
      Requires=docker.service

      [Service]
      ExecStartPre=-/usr/bin/docker rm --force cadvisor
      ExecStartPre=-/usr/bin/docker pull ghcr.io/google/cadvisor:v0.60.5
      ExecStart=/usr/bin/docker run --rm --name cadvisor --network host --privileged --device=/dev/kmsg --volume=/:/rootfs:ro --volume=/var/run:/var/run:ro --volume=/sys:/sys:ro --volume=/var/lib/docker/:/var/lib/docker:ro --volume=/dev/disk/:/dev/disk:ro ghcr.io/google/cadvisor:v0.60.5 --listen_ip=10.0.16.16 --port=8081 --housekeeping_interval=10s --docker_only=true
      ExecStop=/usr/bin/docker stop --time 30 cadvisor
      Restart=always
      RestartSec=5
      TimeoutStartSec=600
      TimeoutStopSec=40

      [Install]
      WantedBy=multi-user.target
      "
    `);
  });

  test('port and housekeeping interval are passed as flags', () => {
    const line = execStart(renderAll(workers({ port: 9180, housekeepingIntervalSeconds: 30 }).group)[0]!);
    expect(line).toContain(' --port=9180 ');
    expect(line).toContain(' --housekeeping_interval=30s ');
    expect(line).not.toContain('--port=8081');
  });

  test('starts after docker, from its own unit', () => {
    const doc = renderAll(workers().group)[0]!;
    const runcmd = doc.slice(doc.indexOf('runcmd:'));
    expect(runcmd.indexOf('cadvisor.service')).toBeGreaterThan(runcmd.indexOf('docker.service'));
  });

  test('opens its port to the whole region network, for Prometheus wherever it runs', () => {
    const { group } = workers({ port: 9180 });
    const rules = ruleLines(group);
    expect(rules).toEqual(['tcp/9180 10.0.0.0/16']);
  });

  test('fails if the image is not pinned', () => {
    const f = roleFixture();
    expect(() => new Cadvisor(f.stack, 'Cadvisor', { image: 'ghcr.io/google/cadvisor:latest' })).toThrow(
      'test/Cadvisor: image must be an image reference pinned to a tag other than latest or to a digest, got "ghcr.io/google/cadvisor:latest"',
    );
  });

  test.each([80, 1023])('fails if port is %i', (port) => {
    const f = roleFixture();
    expect(() => new Cadvisor(f.stack, 'Cadvisor', { image: IMAGE, port })).toThrow(
      `test/Cadvisor: port must be an integer between 1024 and 65535, got ${port}`,
    );
  });

  test.each([0, 1.5, 301])('fails if housekeepingIntervalSeconds is %d', (n) => {
    const f = roleFixture();
    expect(() => new Cadvisor(f.stack, 'Cadvisor', { image: IMAGE, housekeepingIntervalSeconds: n })).toThrow(
      `test/Cadvisor: housekeepingIntervalSeconds must be an integer between 1 and 300, got ${n}`,
    );
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(workers().group)[0]!;
    expect(await checkUnits([{ name: `${CADVISOR_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe('');
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(workers().group)[0]!)).toBe('');
  });
});
