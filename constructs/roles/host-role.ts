/**
 * The host-role model: what an Ansible role used to do to a host, as a construct that only adds to the
 * host's first-boot cloud-config, plus the ports it listens on (from which security-group rules are
 * derived) and the roles that must be configured before it.
 */
import { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import type { CloudKind, HostOs } from '../../lib/spec/region-spec.js';
import { checkRange } from '../../lib/validate.js';

import type { RoleDataDir } from './data-disk.js';

export type { RoleDataDir } from './data-disk.js';

/** Who may reach a role's port. Rules are derived from this and nothing wider. */
export type PortSource =
  /** hosts of the same host group */
  | 'group'
  /** hosts of every group of the cluster the group belongs to */
  | 'cluster'
  /** the region's bastion (SSH tunnels for admin UIs) */
  | 'bastion'
  /** any address of the region's network (e.g. monitoring scrapes) */
  | 'region'
  /** a load balancer in front of the group; its own listener rules open the port, the role only declares it */
  | 'loadBalancer';

/** A port a role listens on. */
export interface RolePort {
  readonly protocol: 'tcp' | 'udp' | 'vrrp';
  /** First (or only) port; ignored for vrrp. */
  readonly port: number;
  /** Last port of a range. @default - `port` */
  readonly toPort?: number;
  readonly from: PortSource;
  /** What the port is for, e.g. "client connections". */
  readonly description: string;
}

/** A secret a role reads (see `lib/cloudinit/secret.ts`): a Terraform sensitive variable, or a value made at apply time. */
export interface RoleSecret {
  /** Secret (and variable) name, lower_snake_case, unique in the stack. */
  readonly name: string;
  readonly description: string;
  /**
   * Terraform expression of a value the stack makes at apply time (a generated key or certificate); it goes only
   * to the secret store. @default - the sensitive variable of the same name (`TF_VAR_<name>`)
   */
  readonly value?: string;
}

/** The host group a role is added to, as `IHostRole.groupSecrets` sees it. */
export interface RoleGroup {
  /** The group construct: resources the role makes for it go in its stack. */
  readonly scope: Construct;
  readonly groupName: string;
  /** Every host of the group, in order. */
  readonly hosts: readonly InventoryHost[];
}

/** One host of the region as roles see it. */
export interface InventoryHost {
  readonly name: string;
  readonly group: string;
  readonly privateIp: string;
  /** 0-based index in its group. */
  readonly index: number;
  readonly zoneIndex: number;
}

/** What a role knows when it configures one host. */
export interface HostContext {
  /** The host being configured. */
  readonly host: InventoryHost;
  /** Every host of this host's group, in order. */
  readonly groupHosts: readonly InventoryHost[];
  /**
   * The region. There is deliberately no list of the region's hosts here: a host's configuration depends on its
   * own group and on stable endpoints it is given (the control group's), never on other groups' sizes; other
   * hosts are found by name through the region's private DNS (`dnsDomain`).
   */
  readonly region: {
    readonly name: string;
    readonly cidr: string;
    readonly cloud: CloudKind;
    /** Domain of the region's private DNS zone, host names below it. @default - none: the cloud gives none */
    readonly dnsDomain?: string;
  };
  /** The host's operating system (package names, file locations and kernel settings differ). */
  readonly os: HostOs;
  /** Names of every role on this host (`dnsmasq`, `docker`, ...). */
  readonly roles: readonly string[];
}

/** A host role. */
export interface IHostRole {
  /** Name as used in region files and dependencies (`docker`, `zookeeper`). */
  readonly roleName: string;
  /** Roles that must be on the same host and are configured before this one. */
  readonly requires: readonly string[];
  readonly ports: readonly RolePort[];
  readonly secrets: readonly RoleSecret[];
  /**
   * State the role keeps on a data disk of its group (see `data-disk.ts`): a group without a fitting data
   * disk is a synth-time error, and the role's units must `RequiresMountsFor=` each path.
   * @default - none
   */
  readonly dataDirs?: readonly RoleDataDir[];
  /**
   * Secrets whose values the role makes for one group's hosts (keys and certificates generated at apply time),
   * called once by `HostGroup.addRole`; they are delivered like `secrets`. @default - none
   */
  groupSecrets?(group: RoleGroup): readonly RoleSecret[];
  /** Adds this role's packages, files, units and commands for one host. */
  configure(ctx: HostContext, config: CloudConfig): void;
}

/** What every role declares about itself. */
export interface HostRoleDeclaration {
  readonly roleName: string;
  /** @default - none */
  readonly requires?: readonly string[];
  /** @default - none */
  readonly ports?: readonly RolePort[];
  /** @default - none */
  readonly secrets?: readonly RoleSecret[];
  /** @default - none */
  readonly dataDirs?: readonly RoleDataDir[];
}

/** Base of the bundled roles: a construct holding its declaration; subclasses implement `configure`. */
export abstract class HostRole extends Construct implements IHostRole {
  public readonly roleName: string;
  public readonly requires: readonly string[];
  public readonly ports: readonly RolePort[];
  public readonly secrets: readonly RoleSecret[];
  public readonly dataDirs: readonly RoleDataDir[];

  protected constructor(scope: Construct, id: string, declaration: HostRoleDeclaration) {
    super(scope, id);
    this.roleName = declaration.roleName;
    this.requires = [...(declaration.requires ?? [])];
    this.ports = [...(declaration.ports ?? [])];
    this.secrets = [...(declaration.secrets ?? [])];
    this.dataDirs = [...(declaration.dataDirs ?? [])];
    for (const port of this.ports) {
      if (port.protocol === 'vrrp') continue;
      checkRange(this, `port ${port.description}`, port.port, 1, 65535);
      checkRange(this, `port ${port.description} (range end)`, port.toPort ?? port.port, port.port, 65535);
    }
  }

  public abstract configure(ctx: HostContext, config: CloudConfig): void;
}
