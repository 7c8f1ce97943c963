import { describe, expect, test } from 'vitest';

import { Apt } from '../../../constructs/roles/apt.js';
import { Docker } from '../../../constructs/roles/docker.js';
import { MARATHON_LB_CONTAINER, MarathonLb, type MarathonLbProps } from '../../../constructs/roles/marathon-lb.js';
import { checkCloudConfig, checkUnits } from '../../checkers/checks.js';
import { testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, ruleLines, clusterFixture, execStartOf } from '../../role-helpers.js';

const IMAGE = 'docker.io/mesosphere/marathon-lb:v1.14.2';
const UNIT = `/etc/systemd/system/${MARATHON_LB_CONTAINER}.service`;

/** Two edge hosts with apt, docker and marathon-lb from `props`, in a cluster with 3 control hosts running Marathon. */
function edge(props: Partial<MarathonLbProps> = {}) {
  const f = clusterFixture({ other: 'edge' });
  const { control, other: group } = f;
  const lb = new MarathonLb(f.stack, 'MarathonLb', {
    image: IMAGE,
    marathonUrls: control.hosts.map((h) => `http://${h.privateIp}:8080`),
    ...props,
  });
  for (const role of [new Apt(f.stack, 'Apt'), new Docker(f.stack, 'Docker'), lb]) group.addRole(role);
  return { f, group, control };
}

const execStart = (doc: string) => execStartOf(doc, UNIT);

describe('MarathonLb', () => {
  test('minimal host: the whole cloud-config', () => {
    expect(renderAll(edge().group)[0]).toMatchSnapshot();
  });

  test('the unit runs marathon-lb in sse mode against every Marathon, with PORTS and NET_ADMIN', () => {
    expect(fileOf(renderAll(edge().group)[0]!, UNIT).content).toMatchInlineSnapshot(`
      "# marathon-lb: marathon-lb (HAProxy for Marathon apps) (regionkit host role)
      [Unit]
      Description=marathon-lb (HAProxy for Marathon apps)
      After=network-online.target docker.service
      Wants=network-online.target
      Requires=docker.service

      [Service]
      ExecStartPre=-/usr/bin/docker rm --force marathon-lb
      ExecStartPre=-/usr/bin/docker pull docker.io/mesosphere/marathon-lb:v1.14.2
      ExecStart=/usr/bin/docker run --rm --name marathon-lb --network host --env PORTS=80,443,9090,9091 --cap-add NET_ADMIN --volume /dev/log:/dev/log --volume /etc/marathon-lb/marathon-credentials:/etc/marathon-lb/marathon-credentials:ro docker.io/mesosphere/marathon-lb:v1.14.2 sse --marathon http://10.0.0.16:8080 http://10.0.16.16:8080 http://10.0.32.16:8080 --group external --health-check --marathon-auth-credential-file /etc/marathon-lb/marathon-credentials
      ExecStop=/usr/bin/docker stop --time 30 marathon-lb
      Restart=always
      RestartSec=5
      TimeoutStartSec=600
      TimeoutStopSec=40

      [Install]
      WantedBy=multi-user.target
      "
    `);
  });

  test('PORTS names every fixed HAProxy frontend', () => {
    expect(execStart(renderAll(edge().group)[0]!)).toContain(' --env PORTS=80,443,9090,9091 ');
  });

  test('runs with NET_ADMIN only, not privileged', () => {
    const line = execStart(renderAll(edge().group)[0]!);
    expect(line).toContain(' --cap-add NET_ADMIN ');
    expect(line).not.toContain('--privileged');
  });

  test('group and marathonUrls reach the command line', () => {
    const line = execStart(renderAll(edge({ group: 'internal', marathonUrls: ['http://10.0.0.16:8080'] }).group)[0]!);
    expect(line).toMatch(
      / sse --marathon http:\/\/10\.0\.0\.16:8080 --group internal --health-check --marathon-auth-credential-file \/etc\/marathon-lb\/marathon-credentials$/,
    );
  });

  test('80/443 are only declared for the load balancer; stats, app-id routing and service ports open to the cluster', () => {
    const { group } = edge();
    expect(ruleLines(group)).toEqual([
      'tcp/9090 test-control',
      'tcp/9090 test-edge',
      'tcp/9091 test-control',
      'tcp/9091 test-edge',
      'tcp/10000-20000 test-control',
      'tcp/10000-20000 test-edge',
    ]);
    const lb = group.roles.find((r) => r.roleName === 'marathon-lb')!;
    expect(lb.ports.filter((p) => p.from === 'loadBalancer').map((p) => p.port)).toEqual([80, 443]);
  });

  test('servicePortRange changes the service-port rule', () => {
    expect(ruleLines(edge({ servicePortRange: [10000, 10100] }).group)).toContain('tcp/10000-10100 test-edge');
  });

  test.each([
    [{ marathonUrls: [] }, 'marathonUrls must list at least one Marathon, got []'],
    [{ marathonUrls: ['10.0.0.16:8080'] }, 'marathonUrls[0] must be an http(s)://host:port URL, got "10.0.0.16:8080"'],
    [{ group: 'ex ternal' }, 'group must be letters, digits, "_", "." or "-", got "ex ternal"'],
    [{ servicePortRange: [9000, 9999] as const }, 'servicePortRange must not contain port 9090, got 9000-9999'],
    [
      { servicePortRange: [20000, 10000] as const },
      'servicePortRange must be a range of ports within 1024-65535, first <= last, got 20000-10000',
    ],
    [{ image: 'mesosphere/marathon-lb:latest' }, 'image must be an image reference pinned'],
  ])('fails if %o', (props, message) => {
    expect(() => edge(props)).toThrow(`test/MarathonLb: ${message}`);
  });

  testWith('systemd-analyze', 'systemd-analyze verify accepts the unit', async () => {
    const doc = renderAll(edge().group)[0]!;
    expect(await checkUnits([{ name: `${MARATHON_LB_CONTAINER}.service`, content: fileOf(doc, UNIT).content }])).toBe(
      '',
    );
  });

  testWith('cloud-init', 'cloud-init accepts the whole cloud-config', async () => {
    expect(await checkCloudConfig(renderAll(edge().group)[0]!)).toBe('');
  });
});
