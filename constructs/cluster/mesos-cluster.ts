/**
 * An Apache Mesos cluster made of host roles, the way the playbooks built it:
 * - control hosts (odd count, at least 3, spread over zones): ZooKeeper, Mesos master, Marathon, Chronos, mesos-dns;
 * - workers: Mesos agent, with cAdvisor and the REX-Ray volume plugin;
 * - edge hosts: marathon-lb, behind the region's public load balancer;
 * - every host: dnsmasq (the Mesos domain goes to mesos-dns), docker, docker-clean, node-exporter.
 *
 * Quorums and ZooKeeper URLs are computed from the control group, never typed by hand.
 */
import { Construct } from 'constructs';

import { SpecError } from '../../lib/errors.js';
import type { HostConfig } from '../../lib/spec/region-spec.js';
import { IMAGES } from '../../lib/versions.js';
import type { HostGroup } from '../compute/host-group.js';
import type { RoleCatalog } from '../roles/catalog.js';
import { Chronos } from '../roles/chronos.js';
import { MarathonLb } from '../roles/marathon-lb.js';
import { Marathon } from '../roles/marathon.js';
import { MesosAgent } from '../roles/mesos-agent.js';
import { MesosDns } from '../roles/mesos-dns.js';
import { MesosMaster } from '../roles/mesos-master.js';
import { quorumOf, ZooKeeper, zkUrl } from '../roles/zookeeper.js';

/**
 * Properties of a {@link MesosCluster}: its name and its control, worker and optional edge host groups.
 */
export interface MesosClusterProps {
  /** Cluster name (Mesos `--cluster`), usually the region name. */
  readonly name: string;
  /** ZooKeeper, masters, Marathon, Chronos, mesos-dns. */
  readonly control: HostGroup;
  /** Mesos agents. */
  readonly workers: HostGroup;
  /** marathon-lb. @default - no edge group, no marathon-lb */
  readonly edge?: HostGroup;
  /** Where the roles every host shares come from. */
  readonly catalog: RoleCatalog;
  /** The host-role settings of a group. */
  readonly hostConfig: (group: HostGroup) => HostConfig;
  /** DNS domain served by mesos-dns. @default 'mesos' */
  readonly domain?: string;
  /** Run Chronos. @default true */
  readonly chronos?: boolean;
  /** Install the REX-Ray volume plugin on the workers. @default true */
  readonly rexray?: boolean;
  /** Upstream resolvers for mesos-dns. @default - the ones each control host itself uses */
  readonly dnsResolvers?: readonly string[];
}

/** The Mesos agents' Docker CLI is old: dockerd must still accept its API version (Docker 29 refuses < 1.44). */
export const AGENT_DOCKER_MIN_API_VERSION = '1.24';
const MASTER_PORT = 5050;
const MARATHON_PORT = 8080;
const MESOS_DNS_PORT = 8053;

/**
 * An Apache Mesos cluster built from host roles: ZooKeeper, Mesos masters, Marathon, Chronos and mesos-dns on the
 * control group, agents on the workers, marathon-lb on the edge group. The master quorum and the ZooKeeper URLs
 * are computed from the control group. Throws a `SpecError` when the control, worker and edge groups are not three
 * different groups (the region spec checks the control group's odd count of 3 to 9).
 * @see https://mesos.apache.org/documentation/latest/high-availability/
 */
export class MesosCluster extends Construct {
  /** `zk://…/mesos`: how frameworks and agents find the leading master. */
  public readonly mesosZk: string;
  /** Masters that must agree: a majority of the control hosts. */
  public readonly quorum: number;
  public readonly marathonUrls: readonly string[];

  constructor(scope: Construct, id: string, props: MesosClusterProps) {
    super(scope, id);
    const domain = props.domain ?? 'mesos';
    const { control, workers, edge, catalog } = props;
    const groups = [control, workers, ...(edge ? [edge] : [])];
    if (new Set(groups).size !== groups.length) {
      throw new SpecError(`${this.node.path}: control, worker and edge groups must be different groups`);
    }
    for (const group of groups) group.joinCluster(props.name, groups);

    const ensemble = control.hosts;
    this.mesosZk = zkUrl(ensemble, 'mesos');
    this.quorum = quorumOf(ensemble.length);
    this.marathonUrls = ensemble.map((h) => `http://${h.privateIp}:${MARATHON_PORT}`);
    catalog.addDnsForward({ domain, servers: ensemble.map((h) => h.privateIp), port: MESOS_DNS_PORT });

    // every host of the cluster
    for (const group of groups) {
      const config = props.hostConfig(group);
      const docker =
        group === workers
          ? { ...config, dockerMinApiVersion: config.dockerMinApiVersion ?? AGENT_DOCKER_MIN_API_VERSION }
          : config;
      group.addRole(catalog.role('dnsmasq', config, group));
      group.addRole(catalog.role('docker', docker, group));
      group.addRole(catalog.role('docker-clean', config, group));
      group.addRole(catalog.role('node-exporter', config, group));
    }

    // control
    const roles = new Construct(this, 'Roles');
    control.addRole(new ZooKeeper(roles, 'ZooKeeper', { ensemble }));
    control.addRole(
      new MesosMaster(roles, 'MesosMaster', {
        image: catalog.image(IMAGES.mesosMaster),
        zk: this.mesosZk,
        quorum: this.quorum,
        clusterName: props.name,
        port: MASTER_PORT,
      }),
    );
    control.addRole(
      new Marathon(roles, 'Marathon', {
        image: catalog.image(IMAGES.marathon),
        master: this.mesosZk,
        zk: zkUrl(ensemble, 'marathon'),
        httpPort: MARATHON_PORT,
      }),
    );
    if (props.chronos ?? true) {
      control.addRole(
        new Chronos(roles, 'Chronos', {
          image: catalog.image(IMAGES.chronos),
          master: this.mesosZk,
          zkHosts: ensemble.map((h) => `${h.privateIp}:2181`).join(','),
        }),
      );
    }
    control.addRole(
      new MesosDns(roles, 'MesosDns', {
        image: catalog.image(IMAGES.mesosDns),
        zk: this.mesosZk,
        masters: ensemble.map((h) => `${h.privateIp}:${MASTER_PORT}`),
        domain,
        dnsPort: MESOS_DNS_PORT,
        resolvers: props.dnsResolvers,
      }),
    );

    // workers
    workers.addRole(
      new MesosAgent(roles, 'MesosAgent', { image: catalog.image(IMAGES.mesosAgent), master: this.mesosZk }),
    );
    workers.addRole(catalog.role('cadvisor', props.hostConfig(workers), workers));
    if (props.rexray ?? true) workers.addRole(catalog.role('rexray', props.hostConfig(workers), workers));

    // edge
    if (edge) {
      edge.addRole(
        new MarathonLb(roles, 'MarathonLb', {
          image: catalog.image(IMAGES.marathonLb),
          marathonUrls: this.marathonUrls,
        }),
      );
    }
  }
}
