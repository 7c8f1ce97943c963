/**
 * `weave`: a Weave Net router on every host of the weave network, as a pinned container of the maintained
 * fork's router image (`avhost/weave`): upstream weaveworks/weave 2.8.1 speaks Docker API 1.18, which Docker 25
 * and later refuse (their oldest API is 1.24). Every router connects to a fixed set of seed peers (the hosts of
 * one stable group, the cluster's control group), known at synth time from their deterministic addresses, and
 * the address space is split among the seeds from the outset (`--ipalloc-init seed=`): a host's configuration
 * names only the seeds, never how many other peers there are. Traffic between peers is encrypted with a shared
 * password, and the router's Docker network plugin gives containers a `weave` network (`docker run --network weave`).
 *
 * The router container is run directly, with the options `weave launch` would give it, instead of installing
 * the `weave` launcher script: a script fetched at boot would need a checksum we can vouch for, and the
 * script's other work (the Docker API proxy, weaveDNS, CNI plugins) is not used here.
 *
 * The router uses its sleeve transport (UDP 6783), which encrypts with the password. The encrypted fast
 * datapath would need IPsec ESP (IP protocol 50) between hosts, which security groups here cannot admit.
 *
 * @see https://github.com/AVENTER-UG/weave
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { containerService } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { cidrsOverlap } from '../../lib/net/network-plan.js';
import type { HostOs } from '../../lib/spec/region-spec.js';
import { checkIpv4Cidr, checkPinnedImage } from '../../lib/validate.js';

import { HostRole, type HostContext, type InventoryHost } from './host-role.js';

export interface WeaveProps {
  /** Full reference of the Weave Net router image as the hosts pull it, pinned (`avhost/weave:2.10.1`). */
  readonly image: string;
  /**
   * The seed peers, read when each host is configured: the weave hosts of one stable group (the cluster's
   * control group). Every router connects to them, and they own the address space from the start
   * (`--ipalloc-init seed=`); other peers get their ranges from them. Growing or shrinking any other group
   * changes no host's configuration; changing the seeds changes every peer's (a deliberate roll).
   * @see https://github.com/weaveworks/weave/blob/v2.8.1/site/tasks/ipam/ipam.md
   */
  readonly seeds: () => readonly InventoryHost[];
  /**
   * Addresses of the weave network. Must not overlap the region network (nor anything else the containers
   * reach); 10.32.0.0/12 collides with region CIDRs between 10.32.0.0 and 10.47.255.255.
   * @default '10.32.0.0/12'
   */
  readonly ipallocRange?: string;
}

export const WEAVE_CONTAINER = 'weave';
export const WEAVE_ENV = '/etc/weave/weave.env';
/** Control connections (TCP) and the encrypted sleeve transport (UDP). */
export const WEAVE_PORT = 6783;
/**
 * Docker API version the router uses, per host OS: the fork's own 1.24 where the engine accepts it (Debian 12's
 * Docker 20.10 serves 1.12 to 1.41, Debian 13's 26.1 from 1.24 on), 1.44 on Ubuntu 24.04, whose Docker 29
 * refuses anything older by default. 1.44 on Docker 20.10 would be refused as too new.
 */
export const WEAVE_DOCKER_API_VERSION: Readonly<Record<HostOs, string>> = {
  'debian-12': '1.24',
  'debian-13': '1.24',
  'ubuntu-24.04': '1.44',
};
export const WEAVE_PASSWORD_SECRET = 'weave_password';

/**
 * The Weave peer name of a host: a 48-bit name written like a MAC address (what `--name` and `seed=` take),
 * `02:00:` and the four octets of its private IPv4 address in hex. The locally administered bit keeps it apart
 * from the interface MACs weave would otherwise name peers after; addresses are unique in a region, so names are.
 * @see https://github.com/weaveworks/weave/blob/v2.8.1/site/tasks/ipam/ipam.md
 */
export function weavePeerName(privateIp: string): string {
  const octets = privateIp.split('.').map(Number);
  return ['02', '00', ...octets.map((o) => o.toString(16).padStart(2, '0'))].join(':');
}

export class Weave extends HostRole {
  public readonly ipallocRange: string;
  private readonly image: string;
  private readonly seeds: () => readonly InventoryHost[];

  constructor(scope: Construct, id: string, props: WeaveProps) {
    super(scope, id, {
      roleName: 'weave',
      requires: ['docker'],
      ports: [
        { protocol: 'tcp', port: WEAVE_PORT, from: 'cluster', description: 'Weave Net control connections' },
        { protocol: 'udp', port: WEAVE_PORT, from: 'cluster', description: 'Weave Net encrypted sleeve transport' },
      ],
      secrets: [
        {
          name: WEAVE_PASSWORD_SECRET,
          description: 'Weave Net password encrypting traffic between peers; the same on every host of the network',
        },
      ],
    });
    this.image = props.image;
    this.seeds = props.seeds;
    this.ipallocRange = props.ipallocRange ?? '10.32.0.0/12';
    checkPinnedImage(this, 'image', this.image);
    checkIpv4Cidr(this, 'ipallocRange', this.ipallocRange, 8, 24);
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    const seeds = [...this.seeds()];
    if (seeds.length === 0) {
      throw new SpecError(`${this.node.path}: seeds must return at least one host, got none`, {
        hint: 'pass the weave hosts of the cluster control group',
      });
    }
    if (cidrsOverlap(this.ipallocRange, ctx.region.cidr)) {
      throw new SpecError(
        `${this.node.path}: ipallocRange must not overlap the region network ${ctx.region.cidr}, got ${this.ipallocRange}`,
        {
          hint: 'container addresses that are also VPC addresses would be unreachable; pick a private range outside it',
        },
      );
    }
    // Root-only: the router reads the password from its environment (docker --env-file takes values literally).
    config.addFile({
      path: WEAVE_ENV,
      content: `# regionkit weave role (docker --env-file)\nWEAVE_PASSWORD=${secretRef(WEAVE_PASSWORD_SECRET)}\n`,
      permissions: '0600',
    });
    config.addSystemdUnit({
      name: `${WEAVE_CONTAINER}.service`,
      content: containerService({
        name: WEAVE_CONTAINER,
        description: 'Weave Net router',
        image: this.image,
        // What `weave launch` gives the router container, minus the launcher's own volume containers: the
        // peer data lives in the named volume weavedb.
        runOptions: [
          '--privileged',
          '--pid=host',
          `--env-file=${WEAVE_ENV}`,
          `--env=DOCKER_API_VERSION=${WEAVE_DOCKER_API_VERSION[ctx.os]}`,
          '--volume=weavedb:/weavedb',
          '--volume=/var/run/docker.sock:/var/run/docker.sock',
          '--volume=/var/run/weave:/var/run/weave',
          '--volume=/run/docker/plugins:/run/docker/plugins',
          '--volume=/etc:/host/etc',
          '--volume=/var/lib/dbus:/host/var/lib/dbus',
        ],
        args: [
          '--port',
          String(WEAVE_PORT),
          // A fixed peer name, so the seeds can be named ahead of time (a replacement host keeps it).
          '--name',
          weavePeerName(ctx.host.privateIp),
          '--nickname',
          ctx.host.name,
          '--host-root=/host',
          '--db-prefix',
          '/weavedb/weave',
          '--ipalloc-range',
          this.ipallocRange,
          // Every peer gets the same seed list: the seeds split the range among themselves from the start, no
          // consensus round and no peer count that changes when a group grows.
          '--ipalloc-init',
          `seed=${seeds.map((p) => weavePeerName(p.privateIp)).join(',')}`,
          // HTTP API and status on loopback only.
          '--http-addr',
          '127.0.0.1:6784',
          '--status-addr',
          '127.0.0.1:6782',
          // Port 53 belongs to the host's resolver; Mesos-DNS names the tasks.
          '--no-dns',
          // Sleeve only: the fast datapath would be tried first and fail without IPsec ESP between hosts.
          '--no-fastdp',
          '--plugin',
          ...seeds.filter((p) => p.privateIp !== ctx.host.privateIp).map((p) => p.privateIp),
        ],
      }),
    });
  }
}
