/**
 * `mesos-agent`: an Apache Mesos agent as a pinned, privileged container on the host network, launching
 * tasks through the host's Docker engine (and the Mesos containerizer for plain commands).
 *
 * Ubuntu 24.04 mounts only cgroup v2, which released Mesos (<= 1.11) cannot use, so the agent runs without
 * anything that needs cgroup v1: the POSIX launcher and isolators, no systemd integration. Docker itself
 * enforces the CPU and memory limits of Docker tasks on cgroup v2.
 *
 * The agent's image carries an old Docker CLI: on Docker 29 (noble's `docker.io`) dockerd must accept API
 * 1.24 (`min-api-version` in daemon.json), see docs/mesos-agent.md.
 *
 * @see https://mesos.apache.org/documentation/latest/configuration/agent/
 * @see https://mesos.apache.org/documentation/latest/docker-containerizer/
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { containerService } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkPinnedImage, checkPortRange, checkRange } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';
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
/** Bind-mounted at the same path: dockerd mounts task sandboxes from here into task containers. */
export const MESOS_AGENT_WORK_DIR = '/var/lib/mesos/agent';
const DOCKER_SOCKET = '/var/run/docker.sock';
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
    const ip = ctx.host.privateIp;
    const attributes = Object.entries({ zone: String(ctx.host.zoneIndex + 1), ...this.attributes })
      .map(([name, value]) => `${name}:${value}`)
      .join(';');
    // 0755: tasks the Mesos containerizer runs as other users must reach their sandboxes below it.
    addMesosDirectories(config, MESOS_AGENT_WORK_DIR, '0755');
    config.addSystemdUnit({
      name: `${MESOS_AGENT_CONTAINER}.service`,
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
        ],
        args: [
          `--master=${this.master}`,
          `--work_dir=${MESOS_AGENT_WORK_DIR}`,
          `--log_dir=${MESOS_LOG_DIR}`,
          `--hostname=${ip}`,
          `--ip=${ip}`,
          `--port=${this.port}`,
          '--containerizers=docker,mesos',
          // cgroup v2 only: the Linux launcher needs the v1 freezer hierarchy, the cgroups/* isolators v1 too.
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
}
