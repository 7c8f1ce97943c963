/**
 * `mesos-agent`: an Apache Mesos agent as a pinned, privileged container on the host network, launching
 * tasks through the host's Docker engine (and the Mesos containerizer for plain commands).
 *
 * Released Mesos (<= 1.11) knows only the cgroup v1 hierarchy; its Docker containerizer exits at start on a
 * host that mounts only cgroup2. So the host runs Debian 12, whose systemd 252 still mounts cgroup v1 when
 * the kernel command line says `systemd.unified_cgroup_hierarchy=0`: the role puts that in a GRUB drop-in at
 * first boot, and cloud-init reboots the host once at the end of first boot when the hierarchy is not yet
 * there. The agent unit is enabled but not started before that reboot, and refuses to start
 * (`ExecStartPre`) while the v1 controllers it needs are not mounted, so it never runs on cgroup2.
 *
 * The agent's image carries an old Docker CLI: dockerd must accept API 1.24 (`DOCKER_MIN_API_VERSION`, docker
 * role), see docs/mesos-agent.md.
 *
 * @see https://mesos.apache.org/documentation/latest/configuration/agent/
 * @see https://mesos.apache.org/documentation/latest/docker-containerizer/
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { containerService, execLine, renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { CGROUP_V1_OS } from '../../lib/spec/region-spec.js';
import { checkPattern, checkPinnedImage, checkPortRange, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext, type RoleGroup, type RoleSecret } from './host-role.js';
import { MESOS_PRINCIPALS, MesosCredentials } from './mesos-credentials.js';
import { addMesosDirectories, MESOS_LOG_DIR } from './mesos-master.js';
import { checkZkUrl } from './zookeeper.js';

export interface MesosAgentProps {
  /**
   * Full reference of the agent image (`mesosphere/mesos-slave:<version>`), as the hosts pull it; pinned.
   * The agent also starts its Docker executors from it (`--docker_mesos_image`).
   */
  readonly image: string;
  /** ZooKeeper URL the masters elect their leader in, `zk://h1:2181,h2:2181,h3:2181/mesos`. */
  readonly master: string;
  /** Agent API and libprocess port. @default 5051 */
  readonly port?: number;
  /** Host ports the agent offers to tasks, first and last. @default [31000, 32000] */
  readonly taskPortRange?: readonly [number, number];
  /**
   * Extra agent attributes for scheduling constraints (`rack: 'r1'`). `zone` is always set, to the host's
   * 1-based zone, and may not be given here. @default - none besides zone
   */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Container (and systemd unit) name. Not `mesos-…`: the agent removes unknown containers with that prefix. */
export const MESOS_AGENT_CONTAINER = 'mesos_agent';
/** The agent's credential for the masters (JSON, as `--credential` reads it at 1.7.1); a secret template. */
export const MESOS_AGENT_CREDENTIAL_FILE = '/etc/mesos/agent-credential';
/** Bind-mounted at the same path: dockerd mounts task sandboxes from here into task containers. */
export const MESOS_AGENT_WORK_DIR = '/var/lib/mesos/agent';
const DOCKER_SOCKET = '/var/run/docker.sock';
/** Sourced by grub-mkconfig after /etc/default/grub (grub-common 2.06-13, /usr/sbin/grub-mkconfig). */
export const CGROUP_V1_GRUB = '/etc/default/grub.d/60-regionkit-cgroup-v1.cfg';
/** `check` | `setup` | `needs-reboot` | `start <unit>`: the cgroup v1 steps of first boot and every start. */
export const CGROUP_V1_SCRIPT = '/usr/local/sbin/regionkit-cgroup-v1';
/** The kernel argument that makes systemd (<= 255) mount the cgroup v1 hierarchy. */
export const CGROUP_V1_KERNEL_ARG = 'systemd.unified_cgroup_hierarchy=0';
/** cgroup v1 controllers the agent's containerizers use (cpu, memory; freezer for the Linux launcher). */
export const CGROUP_V1_CONTROLLERS: readonly string[] = ['cpu', 'cpuacct', 'memory', 'freezer'];
/** Attribute names and text values as Mesos parses them (`[a-zA-Z0-9_/.-]`). */
const ATTRIBUTE_TEXT = /^[A-Za-z0-9_/.-]+$/;

export class MesosAgent extends HostRole {
  public readonly port: number;
  public readonly taskPortRange: readonly [number, number];
  private readonly image: string;
  private readonly master: string;
  private readonly attributes: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: MesosAgentProps) {
    const port = props.port ?? 5051;
    const [first, last] = props.taskPortRange ?? [31000, 32000];
    checkPortRange(scope, id, 'taskPortRange', [first, last]);
    super(scope, id, {
      roleName: 'mesos-agent',
      requires: ['docker'],
      ports: [
        { protocol: 'tcp', port, from: 'cluster', description: 'Mesos agent API and libprocess (masters, frameworks)' },
        {
          protocol: 'tcp',
          port: first,
          toPort: last,
          from: 'cluster',
          description: 'Mesos task ports (marathon-lb, clients)',
        },
      ],
    });
    this.port = port;
    this.taskPortRange = [first, last];
    this.image = props.image;
    this.master = props.master;
    this.attributes = { ...(props.attributes ?? {}) };
    checkPinnedImage(this, 'image', this.image);
    checkZkUrl(this, 'master', this.master);
    checkRange(this, 'port', port, 1024, 65535);
    if (port >= first && port <= last) {
      throw new SpecError(`${this.node.path}: taskPortRange must not contain port ${port}, got ${first}-${last}`);
    }
    for (const [name, value] of Object.entries(this.attributes)) {
      if (name === 'zone') {
        throw new SpecError(`${this.node.path}: attributes must not set zone, got zone: ${JSON.stringify(value)}`, {
          hint: "the role sets zone to the host's 1-based zone itself",
        });
      }
      checkPattern(this, 'attributes key', name, ATTRIBUTE_TEXT, 'letters, digits, "_", "/", "." or "-"');
      checkPattern(this, `attributes.${name}`, value, ATTRIBUTE_TEXT, 'letters, digits, "_", "/", "." or "-"');
    }
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    if (!CGROUP_V1_OS.includes(ctx.os)) {
      throw new SpecError(
        `${this.node.path}: the host OS must be ${CGROUP_V1_OS.join(' or ')} for a Mesos agent (cgroup v1), got ${ctx.os}`,
        { hint: `set the group's os to ${CGROUP_V1_OS[0]}` },
      );
    }
    const ip = ctx.host.privateIp;
    const attributes = Object.entries({ zone: String(ctx.host.zoneIndex + 1), ...this.attributes })
      .map(([name, value]) => `${name}:${value}`)
      .join(';');
    // 0755: tasks the Mesos containerizer runs as other users must reach their sandboxes below it.
    addMesosDirectories(config, MESOS_AGENT_WORK_DIR, '0755');
    const unit = `${MESOS_AGENT_CONTAINER}.service`;
    this.addCgroupV1(config, unit);
    const credential = {
      principal: MESOS_PRINCIPALS.agent.principal,
      secret: secretRef(MESOS_PRINCIPALS.agent.secret),
    };
    config.addFile({
      path: MESOS_AGENT_CREDENTIAL_FILE,
      content: `${JSON.stringify(credential, null, 2)}\n`,
      permissions: '0600',
    });
    config.addSystemdUnit({
      name: unit,
      // started by the cgroup v1 script once the hierarchy is there (after the first-boot reboot)
      enable: false,
      content: containerService({
        name: MESOS_AGENT_CONTAINER,
        description: 'Apache Mesos agent',
        image: this.image,
        runOptions: [
          // Privileged and in the host's PID namespace: the agent launches, watches and recovers task processes.
          '--privileged',
          '--pid',
          'host',
          '--volume',
          `${DOCKER_SOCKET}:${DOCKER_SOCKET}`,
          '--volume',
          '/sys:/sys',
          '--volume',
          `${MESOS_AGENT_WORK_DIR}:${MESOS_AGENT_WORK_DIR}`,
          '--volume',
          `${MESOS_LOG_DIR}:${MESOS_LOG_DIR}`,
          // the file itself: its tmpfs target is not in the container otherwise (Docker resolves the symlink)
          '--volume',
          `${MESOS_AGENT_CREDENTIAL_FILE}:${MESOS_AGENT_CREDENTIAL_FILE}:ro`,
        ],
        args: [
          `--master=${this.master}`,
          // the masters admit only authenticated agents (--authenticate_agents); CRAM-MD5 is the default authenticatee
          `--credential=${MESOS_AGENT_CREDENTIAL_FILE}`,
          `--work_dir=${MESOS_AGENT_WORK_DIR}`,
          `--log_dir=${MESOS_LOG_DIR}`,
          `--hostname=${ip}`,
          `--ip=${ip}`,
          `--port=${this.port}`,
          '--containerizers=docker,mesos',
          // Tasks run in Docker, whose limits dockerd enforces; the Linux launcher and cgroups/* isolators (limits
          // for Mesos-containerizer tasks, possible now on cgroup v1) are not switched on here yet.
          '--launcher=posix',
          '--isolation=posix/cpu,posix/mem',
          '--no-systemd_enable_support',
          `--docker_mesos_image=${this.image}`,
          // Image pulls happen before the executor registers; the 1 minute default is too short for them.
          '--executor_registration_timeout=5mins',
          `--resources=ports:[${this.taskPortRange[0]}-${this.taskPortRange[1]}]`,
          `--attributes=${attributes}`,
        ],
      }),
    });
  }

  /** The agents' password (the masters admit only authenticated agents). */
  public groupSecrets(group: RoleGroup): RoleSecret[] {
    return [MesosCredentials.of(group.scope).secret('agent')];
  }

  /** Kernel argument, reboot at the end of first boot, a unit that refuses cgroup2. */
  private addCgroupV1(config: CloudConfig, unit: string): void {
    config.addFile({
      path: CGROUP_V1_GRUB,
      content: [
        '# shellcheck shell=sh disable=SC2034',
        '# regionkit mesos-agent role: Mesos 1.x needs the cgroup v1 hierarchy (systemd 252 still mounts it)',
        `GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX ${CGROUP_V1_KERNEL_ARG}"`,
        '',
      ].join('\n'),
    });
    config.addScript(CGROUP_V1_SCRIPT, cgroupV1Script());
    config.addSystemdDropIn(
      unit,
      '50-regionkit-cgroup-v1.conf',
      renderUnit('mesos agent: never on cgroup2 (regionkit host role)', {
        Service: [['ExecStartPre', execLine([CGROUP_V1_SCRIPT, 'check'])]],
      }),
    );
    config.addRunCommand([CGROUP_V1_SCRIPT, 'setup']);
    config.addRunCommand(['systemctl', 'enable', unit]);
    config.addRunCommand([CGROUP_V1_SCRIPT, 'start', unit]);
    // The one reboot, after every other first-boot step; the agent starts on the way back up.
    config.setModule('power_state', {
      mode: 'reboot',
      delay: 'now',
      message: 'regionkit: reboot once for the cgroup v1 hierarchy of the Mesos agent',
      condition: [CGROUP_V1_SCRIPT, 'needs-reboot'],
    });
  }
}

function cgroupV1Script(): string {
  return `#!/bin/sh
# regionkit mesos-agent role: the cgroup v1 hierarchy Mesos 1.x needs.
#   check          exit 1 unless the v1 controllers ${CGROUP_V1_CONTROLLERS.join(', ')} are mounted (ExecStartPre)
#   setup          put ${CGROUP_V1_KERNEL_ARG} on the next boot's command line (${CGROUP_V1_GRUB})
#   needs-reboot   exit 0 when the host must reboot for it (cloud-init power_state condition)
#   start UNIT     start UNIT now if the hierarchy is there; otherwise it starts after the reboot
set -eu
mounts=\${REGIONKIT_PROC_MOUNTS:-/proc/mounts}

mounted() {
  for c in ${CGROUP_V1_CONTROLLERS.join(' ')}; do
    awk -v c="$c" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) found = 1 }
      END { exit !found }' "$mounts" || return 1
  done
}

case "\${1:-}" in
check)
  if ! mounted; then
    echo "regionkit-cgroup-v1: the cgroup v1 controllers (${CGROUP_V1_CONTROLLERS.join(', ')}) are not mounted" >&2
    echo "regionkit-cgroup-v1: boot with ${CGROUP_V1_KERNEL_ARG} (${CGROUP_V1_GRUB}, update-grub)" >&2
    exit 1
  fi
  ;;
setup)
  if ! mounted; then
    update-grub
  fi
  ;;
needs-reboot)
  ! mounted
  ;;
start)
  if mounted; then
    systemctl start --no-block "$2"
  else
    echo "regionkit-cgroup-v1: $2 starts after the reboot into the cgroup v1 hierarchy"
  fi
  ;;
*)
  echo "usage: $0 check|setup|needs-reboot|start UNIT" >&2
  exit 2
  ;;
esac
`;
}
