/**
 * The region spec: one typed definition that is at once the TypeScript type (`RegionSpecInput` in,
 * `RegionSpec` out), the YAML file format, the validator (with field paths) and the source of the editor
 * JSON Schema. Every default of a region file is filled in here and nowhere else; defaults that depend on
 * the construct they feed (a host group's zone spread, a health check's port) are documented on the
 * constructs.
 *
 * Error messages: each check states what is allowed ("must be ..."); the loader appends `, got <value>`.
 */
import { z } from 'zod';

import { regionCidrProblem, isIpv4Cidr, isAnyIpv4, POD_CIDR_PREFIX, SERVICE_CIDR_PREFIX } from '../net/network-plan.js';
import { KUBERNETES_MINOR } from '../versions.js';

/** Clouds a region can live on. */
export const CLOUDS = ['alicloud', 'openstack'] as const;
/**
 * A cloud a region can live on: `alicloud` or `openstack`.
 */
export type CloudKind = (typeof CLOUDS)[number];

const REGION_NAME = /^[a-z][a-z0-9-]{0,28}[a-z0-9]$/;
const ITEM_NAME = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;
const ZONE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/;
const CLOUD_TERM = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const LINUX_USER = /^[a-z_][a-z0-9_-]{0,30}$/;
const SSH_PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;
const TAG_KEY = /^(?!aliyun|acs:|https?:\/\/)[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,62}$/;
const TAG_VALUE = /^(?!https?:\/\/)[^,\n]{0,128}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Host operating systems a group can run. Mesos 1.x needs the cgroup v1 hierarchy, which only Debian 12's
 * systemd 252 still mounts (with `systemd.unified_cgroup_hierarchy=0`); systemd 256 and later (Debian 13's
 * 257) refuse it unless forced.
 * @see https://github.com/systemd/systemd/blob/v256/NEWS
 */
export const HOST_OS = ['debian-12', 'debian-13', 'ubuntu-24.04'] as const;
/**
 * A host operating system a group can run (see {@link HOST_OS}).
 */
export type HostOs = (typeof HOST_OS)[number];
/**
 * Host OSes a Mesos agent may run on: the ones whose cgroup v1 boot regionkit sets up and tests. (Ubuntu
 * 24.04's systemd 255 still accepts the switch, but its hosts are not built or booted by the tests.)
 */
export const CGROUP_V1_OS: readonly HostOs[] = ['debian-12'];
/** OS of the hosts of a Mesos cluster's groups unless the group says otherwise. */
export const MESOS_HOST_OS: HostOs = 'debian-12';
/** OS of every other group unless it says otherwise. */
export const DEFAULT_HOST_OS: HostOs = 'debian-13';

/** Most zones a region spreads over; the address plan has room for 16, clouds rarely offer more than 8. */
export const MAX_ZONES = 8;
const ZONES_ALLOWED = `must be a zone count between 1 and ${MAX_ZONES} or a list of 1-${MAX_ZONES} zone names`;

const regionName = z.string().regex(REGION_NAME, {
  error: "must be 2-30 lower-case letters, digits and '-', starting with a letter and not ending with '-'",
});
const itemName = z.string().regex(ITEM_NAME, {
  error: "must be 1-20 lower-case letters, digits and '-', starting with a letter and not ending with '-'",
});
const cloudTerm = (what: string) =>
  z.string().regex(CLOUD_TERM, { error: `must be ${what}: 1-128 characters without spaces` });
const port = z.int({ error: 'must be an integer port between 1 and 65535' }).min(1).max(65535);
const sizeGiB = (min: number, max: number) =>
  z
    .int({ error: `must be a whole number of GiB between ${min} and ${max}` })
    .min(min)
    .max(max);
const privateCidr = z.string().superRefine((value, ctx) => {
  const problem = regionCidrProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
});
const sourceCidr = z
  .string()
  .refine(isIpv4Cidr, { error: 'must be a network-aligned IPv4 CIDR such as 198.51.100.0/24' })
  .refine((c) => !isAnyIpv4(c), { error: 'must not be 0.0.0.0/0: SSH is never open to the whole internet' });
const apiSourceCidr = z
  .string()
  .refine(isIpv4Cidr, { error: 'must be a network-aligned IPv4 CIDR such as 198.51.100.0/24' })
  .refine((c) => !isAnyIpv4(c), {
    error: 'must not be 0.0.0.0/0: the Kubernetes API server is never open to the whole internet',
  });

const accessKeyId = z.string().regex(/^[A-Za-z0-9]{8,64}$/, { error: 'must be an access key id (letters and digits)' });
const alicloudSettings = z
  .strictObject({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z0-9]+)+$/, { error: 'must be an Alibaba Cloud region id such as cn-hangzhou' })
      .meta({ description: 'Alibaba Cloud region id, e.g. cn-hangzhou. Credentials come from the environment.' }),
    rexray: z
      .strictObject({
        accessKeyId: accessKeyId.meta({
          description:
            'Access key id the REX-Ray s3fs plugin uses on OSS; its secret is the Terraform variable rexray_s3fs_secret_key.',
        }),
        endpoint: z
          .string()
          .regex(/^[a-z0-9.-]+$/, { error: 'must be a host name such as oss-cn-hangzhou-internal.aliyuncs.com' })
          .optional()
          .meta({ description: "OSS endpoint host. Default: the region's internal endpoint." }),
      })
      .optional()
      .meta({ description: 'REX-Ray volume plugin settings (s3fs on OSS: Alibaba has no REX-Ray disk driver).' }),
    dataDiskSnapshots: z
      .strictObject({
        retentionDays: z
          .int({ error: 'must be an integer between 1 and 65535' })
          .min(1)
          .max(65535)
          .default(7)
          .meta({ description: 'Days each automatic snapshot is kept.' }),
        hour: z.int({ error: 'must be an integer between 0 and 23' }).min(0).max(23).default(3).meta({
          description: "Hour of the day (0-23) the daily snapshot starts, as the ECS API's TimePoints counts it.",
        }),
      })
      .default({ retentionDays: 7, hour: 3 })
      .meta({
        description:
          'Automatic snapshot policy of the data disks of stateful roles: one snapshot a day, kept retentionDays.',
      }),
  })
  .meta({ description: 'Alibaba Cloud settings; required when cloud is alicloud.' });

const openstackSettings = z
  .strictObject({
    cloud: cloudTerm('a clouds.yaml entry name')
      .optional()
      .meta({ description: 'Entry in clouds.yaml to use (OS_CLOUD). Credentials never go in the region file.' }),
    region: cloudTerm('an OpenStack region name')
      .optional()
      .meta({ description: 'OpenStack region name (OS_REGION_NAME); unset means the cloud default.' }),
    externalNetwork: cloudTerm('a network name')
      .default('public')
      .meta({ description: 'Name of the external (provider) network for the router gateway and floating IPs.' }),
    privateDns: z
      .enum(['designate', 'neutron', 'none'], { error: 'must be one of designate, neutron, none' })
      .default('neutron')
      .meta({
        description:
          "Where the region's host names (<host>.<region>.internal) live. neutron: Neutron's internal DNS, the " +
          "network's dns_domain and each port's dns_name (needs the dns-integration extension; names resolve " +
          "through the DHCP ports' resolver, so leave dnsNameservers empty or forward the domain there). designate: a " +
          "Designate zone with one A record per host (resolvable where the cloud's resolvers serve Designate zones). " +
          'none: no names; hosts reach each other by address only, which every built-in role does (names are for ' +
          'operators and logs).',
      }),
    dnsNameservers: z
      .array(z.ipv4({ error: 'must be an IPv4 address' }))
      .max(5)
      .default([])
      .meta({ description: 'DNS servers handed out by DHCP on the region subnets; empty uses the cloud default.' }),
    rexray: z
      .strictObject({
        authUrl: z
          .url({
            protocol: /^https?$/,
            error: 'must be the Keystone URL, e.g. https://keystone.example:5000/v3',
          })
          .meta({
            description: 'Keystone (identity) URL the plugin authenticates at, e.g. https://keystone.example:5000/v3.',
          }),
        username: cloudTerm('a Keystone user name').meta({ description: 'Keystone user the plugin acts as.' }),
        projectName: cloudTerm('a project name').meta({ description: "Project holding the plugin's volumes." }),
        domainName: cloudTerm('a Keystone domain name')
          .default('Default')
          .meta({ description: 'Keystone domain of the user and the project.' }),
        regionName: cloudTerm('an OpenStack region name')
          .optional()
          .meta({ description: "OpenStack region of the volumes. Default: the cloud's only region." }),
      })
      .optional()
      .meta({
        description: 'REX-Ray Cinder plugin settings; the password is the Terraform variable rexray_cinder_password.',
      }),
  })
  .meta({ description: 'OpenStack settings; required when cloud is openstack.' });

const dataDisk = z.strictObject({
  sizeGiB: sizeGiB(20, 32768).meta({ description: 'Size in GiB.' }),
  type: cloudTerm('a disk type in the cloud’s terms (cloud_essd, a Cinder volume type)')
    .optional()
    .meta({ description: "Disk type in the cloud's own terms. Default: the adapter's general-purpose SSD type." }),
});

/** Roles a region file may add to a host group by name; cluster roles come with `cluster` instead. */
export const GROUP_ROLE_NAMES = [
  'apt',
  'ntp',
  'common',
  'hosts',
  'dnsmasq',
  'docker',
  'docker-clean',
  'node-exporter',
  'cadvisor',
  'glusterfs-server',
  'glusterfs-client',
  'etcd',
  'calico',
  'weave',
  'keepalived',
  'rexray',
] as const;
/**
 * A built-in role a region file may name in `hostGroups[].roles`.
 */
export type GroupRoleName = (typeof GROUP_ROLE_NAMES)[number];
/**
 * A role a region file names: a built-in one (`GROUP_ROLE_NAMES`) or one the program registered with
 * `RoleRegistry` before loading the file. Which names are known is checked when the spec is resolved.
 */
export type RoleName = GroupRoleName | (string & {});
/** Role names: a DNS label, as the built-in ones are. */
export const ROLE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const roleName = z
  .string()
  .regex(ROLE_NAME, { error: 'must be a role name: lower-case letters, digits and -, starting with a letter' })
  .meta({ examples: [...GROUP_ROLE_NAMES] }) as unknown as z.ZodType<RoleName, RoleName>;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/;
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });
const domainName = z.string().regex(DOMAIN, { error: 'must be a DNS name such as registry.example.internal' });

/**
 * Settings of the host roles. At region level every field has its default; a host group's `hostConfig`
 * overrides single fields for its hosts (`dockerIptables: false` on edge hosts, say).
 */
function hostConfigSchema(withDefaults: boolean) {
  // typed as the region's (defaults); groupHostConfig below re-types the overrides as optional keys
  const d = <T extends z.ZodType>(schema: T, value: z.output<T>) =>
    (withDefaults ? schema.default(value as never) : schema.optional()) as unknown as z.ZodDefault<T>;
  return z.strictObject({
    aptMirror: httpUrl.optional().meta({
      description:
        "Archive mirror of the group's OS (a Debian mirror for debian-*, an Ubuntu one for ubuntu-*). Default: Alibaba's internal mirror on alicloud, the image's sources elsewhere.",
    }),
    unattendedUpgrades: d(z.enum(['security', 'off'], { error: 'must be security or off' }), 'security').meta({
      description: 'Install security updates automatically (never reboots).',
    }),
    ntpServers: z
      .array(domainName)
      .min(1)
      .max(8)
      .optional()
      .meta({ description: "NTP servers. Default: the cloud's own." }),
    dnsRedirects: d(z.record(domainName, z.ipv4({ error: 'must be an IPv4 address' })), {}).meta({
      description: 'Names the local resolver answers itself, e.g. registry domains pointed at the region mirror.',
    }),
    dockerRegistryMirrors: d(z.array(httpUrl).max(5), []).meta({
      description: 'registry-mirrors of dockerd (docker.io pulls).',
    }),
    dockerInsecureRegistries: d(
      z.array(z.string().regex(HOST_PORT, { error: 'must be host[:port]' })).max(10),
      [],
    ).meta({
      description: 'Registries dockerd reaches over plain HTTP.',
    }),
    dockerLogMaxSizeMiB: d(z.int().min(1).max(1024), 100).meta({ description: 'Rotate container logs at this size.' }),
    dockerLogMaxFiles: d(z.int().min(1).max(20), 5).meta({ description: 'Rotated log files kept per container.' }),
    dockerStorageDriver: z
      .enum(['overlay2', 'zfs', 'btrfs'], { error: 'must be one of overlay2, zfs, btrfs' })
      .optional()
      .meta({ description: "dockerd graph driver. Default: dockerd's own (the containerd image store on Docker 29)." }),
    dockerLiveRestore: d(z.boolean(), true).meta({ description: 'Keep containers running while dockerd restarts.' }),
    dockerIptables: d(z.boolean(), true).meta({
      description:
        "Let dockerd manage iptables; turn off on high-traffic hosts whose conntrack tables docker's rules fill.",
    }),
    dockerMinApiVersion: z
      .string()
      .regex(/^1\.\d{2}$/, { error: 'must be a Docker API version such as 1.24' })
      .optional()
      .meta({
        description:
          "Oldest Docker API clients may use (Docker 29 refuses < 1.44). Default: dockerd's; 1.24 on Mesos workers.",
      }),
    dockerCleanSchedule: d(
      z
        .string()
        .regex(/^[A-Za-z0-9*:,./ ~-]{1,64}$/, { error: 'must be a systemd OnCalendar expression such as daily' }),
      'daily',
    ).meta({ description: 'When docker-clean prunes (systemd OnCalendar).' }),
    dockerCleanKeepHours: d(z.int().min(1).max(8760), 168).meta({
      description: 'Keep unused images and stopped containers this long.',
    }),
    sysctls: d(
      z.record(
        z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_-]+)+$/, { error: 'must be a sysctl key such as net.core.somaxconn' }),
        z.union([z.string().regex(/^[^\n]{1,128}$/), z.number()]),
      ),
      {},
    ).meta({
      description: 'Extra kernel parameters (they win over the common role defaults).',
    }),
    calicoIpPoolCidr: z
      .string()
      .refine(isIpv4Cidr, { error: 'must be a network-aligned IPv4 CIDR such as 172.20.0.0/16' })
      .optional()
      .meta({
        description:
          'Container addresses of the calico role; must not overlap the region network. Required with calico.',
      }),
    weaveIpallocRange: z
      .string()
      .refine(isIpv4Cidr, { error: 'must be a network-aligned IPv4 CIDR such as 10.32.0.0/12' })
      .optional()
      .meta({
        description:
          'Container addresses of the weave role; must not overlap the region network. Default: 10.32.0.0/12.',
      }),
    keepalivedCheckPorts: d(z.array(z.int().min(1).max(65535)).max(8), []).meta({
      description: 'TCP ports whose service must answer for a keepalived host to keep the virtual IP.',
    }),
    nofileLimit: d(z.int().min(1024).max(16777216), 1048576).meta({
      description: 'Open-files limit of logins and services.',
    }),
  });
}
const regionHostConfig = hostConfigSchema(true);
type RegionHostConfigShape = typeof regionHostConfig.shape;
type AsOverride<S> = S extends z.ZodDefault<infer T> ? z.ZodOptional<T> : S;
// the same fields without defaults: each an optional key (`?:`) of the group's hostConfig
const groupHostConfig = hostConfigSchema(false) as unknown as z.ZodObject<
  { [K in keyof RegionHostConfigShape]: AsOverride<RegionHostConfigShape[K]> },
  z.core.$strict
>;

const hostGroup = z.strictObject({
  name: itemName.meta({
    description: 'Group name; part of every host name (<region>-<group>-<n>). "bastion" is the SSH entry.',
  }),
  count: z
    .int({ error: 'must be an integer between 1 and 100' })
    .min(1)
    .max(100)
    .default(1)
    .meta({ description: 'Number of hosts.' }),
  instanceType: cloudTerm('an instance type or flavor name')
    .optional()
    .meta({ description: "Instance type (ecs.g7.large) or flavor (m1.large). Default: the adapter's small type." }),
  image: z
    .string()
    .regex(/^[^\s\p{Cc}](?:[^\p{Cc}]{0,126}[^\s\p{Cc}])?$/u, {
      error: 'must be an image name: 1-128 characters, no leading or trailing spaces',
    })
    .optional()
    .meta({
      description:
        "Exact image name as the cloud lists it; must run the group's os. Default: the adapter's image of os.",
    }),
  os: z
    .enum(HOST_OS, { error: `must be one of ${HOST_OS.join(', ')}` })
    .optional()
    .meta({
      description: `Host operating system. Default: ${MESOS_HOST_OS} for the groups of a Mesos cluster (cgroup v1), ${DEFAULT_HOST_OS} for the rest.`,
    }),
  systemDiskSizeGiB: sizeGiB(20, 2048).default(40).meta({ description: 'Root disk size in GiB.' }),
  systemDiskType: cloudTerm('a disk type in the cloud’s terms')
    .optional()
    .meta({ description: "Root disk type in the cloud's own terms. Default: the adapter's SSD type." }),
  dataDisks: z
    .array(dataDisk)
    .max(16)
    .default([])
    .meta({
      description:
        'Extra disks, attached in order. The first holds the state of roles that keep any (etcd, ZooKeeper, ' +
        'GlusterFS bricks): formatted once, mounted at /srv/data1, required by their units. Such roles need one; ' +
        'a disk no role uses is an error.',
    }),
  zoneSpread: z
    .int({ error: `must be an integer between 1 and ${MAX_ZONES}` })
    .min(1)
    .max(MAX_ZONES)
    .optional()
    .meta({ description: "Spread hosts round-robin over this many of the region's zones. Default: all of them." }),
  roles: z.array(roleName).default([]).meta({
    description:
      'Extra host roles for this group, by name: a built-in role (constructs/roles/README.md) or one the program registered with RoleRegistry; cluster roles come with `cluster`.',
  }),
  hostConfig: groupHostConfig.optional().meta({ description: "Overrides of the region's hostConfig for this group." }),
});

const listener = z.strictObject({
  port: port.meta({ description: 'Port the load balancer listens on.' }),
  protocol: z
    .enum(['tcp', 'udp', 'http'], { error: 'must be one of tcp, udp, http' })
    .default('tcp')
    .meta({ description: 'Listener protocol.' }),
  backendPort: port.optional().meta({ description: 'Port on the backend hosts. Default: the listener port.' }),
});

const healthCheck = z.strictObject({
  type: z
    .enum(['tcp', 'http'], { error: 'must be one of tcp, http' })
    .default('tcp')
    .meta({ description: 'tcp: connection check (UDP connect for udp listeners); http: GET path, expect 2xx/3xx.' }),
  port: port.optional().meta({ description: "Backend port probed. Default: each listener's own backend port." }),
  path: z
    .string()
    .regex(/^\/[\x21-\x7e]{0,79}$/, { error: "must be a URL path starting with '/', at most 80 characters" })
    .optional()
    .meta({ description: 'HTTP path for type http. Default: /.' }),
  intervalSeconds: z.int().min(2).max(50).default(5).meta({ description: 'Seconds between probes.' }),
  timeoutSeconds: z.int().min(1).max(50).default(3).meta({ description: 'Probe timeout; less than intervalSeconds.' }),
  healthyThreshold: z.int().min(2).max(10).default(3).meta({ description: 'Successes before a backend is healthy.' }),
  unhealthyThreshold: z.int().min(2).max(10).default(3).meta({ description: 'Failures before it is taken out.' }),
});

/**
 * Idle timeout of load balancer connections, seconds: the range both clouds accept for every listener protocol
 * that has one, and one default valid for all of them. Alibaba Cloud CLB (aliyun/alicloud 1.289.0,
 * alicloud/resource_alicloud_slb_listener.go): tcp `established_timeout` 10–900 (default 900), http
 * `idle_timeout` 1–60 (default 15). Octavia (11.0.0, octavia/common/constants.py `MIN_TIMEOUT`/`MAX_TIMEOUT`):
 * `timeout_client_data` / `timeout_member_data` 0 ms–24 days (default 50 s). udp listeners have none on either
 * cloud. See docs/load-balancer.md.
 */
export const IDLE_TIMEOUT_SECONDS = {
  /** alicloud tcp established_timeout's lower bound. */
  min: 10,
  /** alicloud tcp established_timeout's upper bound. */
  max: 900,
  /** Upper bound with an http listener: alicloud idle_timeout's. */
  maxHttp: 60,
  /** Valid for every listener protocol on both clouds. */
  default: 60,
} as const;

const loadBalancer = z.strictObject({
  name: itemName.meta({ description: 'Load balancer name.' }),
  public: z
    .boolean()
    .default(false)
    .meta({ description: 'Reachable from the internet (true) or only inside the network.' }),
  backends: itemName.meta({ description: 'Name of the host group that receives the traffic.' }),
  listeners: z.array(listener).min(1).max(20).meta({ description: 'Ports the load balancer listens on.' }),
  healthCheck: healthCheck.default(healthCheck.parse({})).meta({ description: 'Backend health check; always on.' }),
  idleTimeoutSeconds: z
    .int()
    .min(IDLE_TIMEOUT_SECONDS.min)
    .max(IDLE_TIMEOUT_SECONDS.max)
    .default(IDLE_TIMEOUT_SECONDS.default)
    .meta({
      description: `Seconds an idle connection is kept, the same on both clouds (tcp and http listeners; udp has none). At most ${IDLE_TIMEOUT_SECONDS.maxHttp} with an http listener.`,
    }),
});

const mesosCluster = z
  .strictObject({
    kind: z.literal('mesos').meta({ description: 'Apache Mesos.' }),
    controlGroup: itemName.default('control').meta({
      description: 'Group running ZooKeeper, Mesos masters, Marathon, Chronos, mesos-dns (odd count, at least 3).',
    }),
    workerGroup: itemName.default('worker').meta({ description: 'Group running Mesos agents.' }),
    edgeGroup: itemName
      .optional()
      .meta({ description: 'Group running marathon-lb behind the public load balancer. Default: none.' }),
    domain: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,30}$/, { error: 'must be a DNS label such as mesos' })
      .default('mesos')
      .meta({ description: 'DNS domain mesos-dns serves.' }),
    chronos: z.boolean().default(true).meta({ description: 'Run Chronos on the control hosts.' }),
    rexray: z
      .boolean()
      .default(true)
      .meta({ description: "Install the REX-Ray volume plugin on the workers (the cloud's volume service)." }),
  })
  .meta({ description: 'Apache Mesos with Marathon, built from host roles.' });

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes clusters (`cluster: { kind: kubernetes }`) and the tenants of their platform stack

/** How a Kubernetes cluster comes about: the cloud's managed service, or kubeadm on the region's host groups. */
export const KUBERNETES_MODES = ['managed', 'kubeadm'] as const;
export type KubernetesMode = (typeof KUBERNETES_MODES)[number];
/** Taint effects Kubernetes knows (core/v1 `TaintEffect`). */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** `prefix/name` or `name`: a Kubernetes qualified name, as label and taint keys are (k8s.io/apimachinery validation). */
const QUALIFIED_NAME =
  /^(?=[^/]{1,253}\/|[^/]*$)([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or up to 63 characters starting and ending with a letter or digit. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** A namespace name: an RFC 1123 DNS label (may start with a digit, unlike `DNS_LABEL` in lib/names.ts). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Gateway API hostname: a DNS name, optionally with a leading `*.` wildcard label; no IP addresses. */
const GATEWAY_HOSTNAME =
  /^(?=.{1,253}$)(?![0-9.]+$)(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
/** CPU as a Kubernetes quantity: whole or decimal cores (`8`, `0.5`) or millicores (`500m`). */
const CPU_QUANTITY = /^([0-9]{1,6}(\.[0-9]{1,3})?|[0-9]{1,9}m)$/;
/** Memory as a Kubernetes quantity: bytes with an optional binary or decimal suffix (`64Gi`, `500M`). */
const MEMORY_QUANTITY = /^[0-9]{1,15}(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const clusterCidr = (what: string, example: string, prefix: { min: number; max: number }) =>
  z
    .string()
    .refine(isIpv4Cidr, { error: `must be a network-aligned IPv4 CIDR such as ${example}` })
    .refine(
      (c) => {
        const bits = Number(c.split('/')[1]);
        return !isIpv4Cidr(c) || (bits >= prefix.min && bits <= prefix.max);
      },
      { error: `must be a ${what} CIDR with a prefix between /${prefix.min} and /${prefix.max}` },
    );

/** A zone count or zone names, as the region's `zones` and a node pool's `zones` take them. */
const zoneCountOrNames = z.union(
  [
    z.int({ error: ZONES_ALLOWED }).min(1, { error: ZONES_ALLOWED }).max(MAX_ZONES, { error: ZONES_ALLOWED }),
    z
      .array(z.string().regex(ZONE_NAME, { error: 'must be a zone name such as cn-hangzhou-h or nova' }))
      .min(1, { error: ZONES_ALLOWED })
      .max(MAX_ZONES, { error: ZONES_ALLOWED }),
  ],
  { error: ZONES_ALLOWED },
);

const zonesOfPool = zoneCountOrNames.optional();

const taint = z.strictObject({
  key: z
    .string()
    .regex(QUALIFIED_NAME, { error: 'must be a taint key: [prefix/]name, name up to 63 letters, digits, -, _ and .' })
    .meta({ description: 'Taint key, e.g. dedicated or example.com/gpu.' }),
  value: z
    .string()
    .regex(LABEL_VALUE, {
      error: 'must be a taint value: up to 63 letters, digits, -, _ and ., alphanumeric at the ends',
    })
    .optional()
    .meta({ description: 'Taint value. Default: none.' }),
  effect: z.enum(TAINT_EFFECTS, { error: `must be one of ${TAINT_EFFECTS.join(', ')}` }).meta({
    description:
      'NoSchedule: pods without a toleration are not scheduled here; PreferNoSchedule: avoided if possible; NoExecute: also evicted.',
  }),
});

const nodePool = z.strictObject({
  name: itemName.meta({ description: 'Node pool name; part of its nodes’ names.' }),
  instanceType: cloudTerm('an instance type or flavor name').meta({
    description: 'Instance type (ecs.g7.xlarge) or flavor (m1.xlarge) of the nodes.',
  }),
  count: z
    .int({ error: 'must be an integer between 1 and 500' })
    .min(1)
    .max(500)
    .optional()
    .meta({ description: 'Fixed number of nodes over all of the pool’s zones. Set count or autoscaling, not both.' }),
  autoscaling: z
    .strictObject({
      min: z
        .int({ error: 'must be an integer between 0 and 500' })
        .min(0)
        .max(500)
        .meta({ description: 'Fewest nodes the cluster autoscaler keeps.' }),
      max: z
        .int({ error: 'must be an integer between 1 and 500' })
        .min(1)
        .max(500)
        .meta({ description: 'Most nodes the cluster autoscaler adds; at least min.' }),
    })
    .optional()
    .meta({
      description: 'Let the cluster autoscaler size the pool between min and max nodes. Set count or autoscaling.',
    }),
  systemDiskSizeGiB: sizeGiB(40, 2048)
    .default(120)
    .meta({ description: 'Root disk of each node in GiB; container images and logs live on it.' }),
  systemDiskType: cloudTerm('a disk type in the cloud’s terms')
    .optional()
    .meta({ description: "Root disk type in the cloud's own terms. Default: the adapter's SSD type." }),
  labels: z
    .record(
      z.string().regex(QUALIFIED_NAME, {
        error: 'must be a label key: [prefix/]name, name up to 63 letters, digits, -, _ and .',
      }),
      z.string().regex(LABEL_VALUE, {
        error: 'must be a label value: up to 63 letters, digits, -, _ and ., alphanumeric at the ends',
      }),
    )
    .default({})
    .meta({ description: 'Kubernetes labels of the nodes (node selectors and affinities match them).' }),
  taints: z
    .array(taint)
    .max(20)
    .default([])
    .meta({ description: 'Taints of the nodes: only pods that tolerate them run there.' }),
  zones: zonesOfPool.meta({
    description:
      "Zones the pool spreads over: a count (the region's first N) or zone names from the region's zones list. Default: all of the region's zones.",
  }),
  autoRepair: z
    .boolean()
    .default(true)
    .meta({ description: 'Replace nodes that stay NotReady (the managed service’s node auto-repair).' }),
});

const managedKubernetes = z
  .strictObject({
    nodePools: z
      .array(nodePool)
      .min(1)
      .max(20)
      .meta({ description: 'Groups of identical worker nodes the managed service runs.' }),
    deletionProtection: z.boolean().default(true).meta({
      description:
        "Refuse to delete the cluster through the cloud API (ACK's deletion protection) until this is turned off.",
    }),
    controlPlaneLogging: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .meta({ description: "Collect the control plane's logs (API server, controller manager, scheduler)." }),
        retentionDays: z
          .int({ error: 'must be an integer between 1 and 3650' })
          .min(1)
          .max(3650)
          .default(30)
          .meta({ description: 'Days the logs are kept (ACK control_plane_log_ttl; its default is 30).' }),
      })
      .default({ enabled: true, retentionDays: 30 })
      .meta({ description: "The managed control plane's logs, kept in the cloud's log service." }),
  })
  .meta({
    description: 'Settings of a managed cluster (ACK on alicloud, Magnum on openstack); required with mode managed.',
  });

const kubeadmKubernetes = z
  .strictObject({
    controlPlaneGroup: itemName.default('control').meta({
      description:
        'Host group running the control plane (API server, etcd, controller manager, scheduler): an odd count of 3-7, spread so that losing one zone keeps etcd quorum.',
    }),
    workerGroups: z
      .array(itemName)
      .min(1)
      .max(10)
      .default(['worker'])
      .meta({ description: 'Host groups that join the cluster as worker nodes.' }),
  })
  .meta({ description: 'Settings of a kubeadm cluster on the region’s host groups; required with mode kubeadm.' });

const kubernetesCluster = z
  .strictObject({
    kind: z.literal('kubernetes').meta({ description: 'Kubernetes.' }),
    mode: z.enum(KUBERNETES_MODES, { error: `must be one of ${KUBERNETES_MODES.join(', ')}` }).meta({
      description:
        "managed: the cloud's managed Kubernetes (ACK on alicloud, Magnum on openstack) with node pools; kubeadm: a cluster kubeadm builds on the region's host groups.",
    }),
    version: z
      .string()
      .regex(/^1\.[0-9]{2}$/, { error: 'must be a Kubernetes minor version such as 1.36' })
      .default(KUBERNETES_MINOR)
      .meta({
        description: `Kubernetes minor version (major.minor); the patch is the newest the cloud or package channel offers. Default: ${KUBERNETES_MINOR} (lib/versions.ts).`,
      }),
    podCidr: clusterCidr('pod', '10.244.0.0/16', POD_CIDR_PREFIX).optional().meta({
      description:
        'Pod IP range; each node gets a /24 of it. Must not overlap network.cidr or serviceCidr. Default: planned by lib/net (10.244.0.0/16 unless that overlaps).',
    }),
    serviceCidr: clusterCidr('service', '10.96.0.0/16', SERVICE_CIDR_PREFIX).optional().meta({
      description:
        'Service (ClusterIP) range. Must not overlap network.cidr or podCidr. Default: planned by lib/net (10.96.0.0/16 unless that overlaps).',
    }),
    managed: managedKubernetes.optional(),
    kubeadm: kubeadmKubernetes.optional(),
  })
  .meta({ description: 'Kubernetes, managed by the cloud or built with kubeadm on host groups.' });

const tenant = z.strictObject({
  name: z
    .string()
    .regex(NAMESPACE_NAME, {
      error: "must be a namespace name: 1-63 lower-case letters, digits and '-', alphanumeric at the ends",
    })
    .meta({ description: 'Tenant name; also the name of its namespace.' }),
  group: z
    .string()
    .regex(/^(?!system:)\S(.{0,254}\S)?$/, {
      error: 'must be a group name of 1-256 characters, no leading or trailing spaces, not starting with system:',
    })
    .meta({
      description:
        "Group (as the cluster's authentication names it, e.g. an OIDC groups claim) bound to the namespace-admin role in the tenant's namespace.",
    }),
  quota: z
    .strictObject({
      cpu: z
        .string()
        .regex(CPU_QUANTITY, { error: 'must be a CPU quantity such as 8, 0.5 or 500m' })
        .meta({ description: 'CPU all pods of the namespace may request together (ResourceQuota requests.cpu).' }),
      memory: z
        .string()
        .regex(MEMORY_QUANTITY, { error: 'must be a memory quantity such as 32Gi or 500M' })
        .meta({ description: 'Memory all pods may request together (ResourceQuota requests.memory).' }),
      pods: z
        .int({ error: 'must be an integer between 1 and 10000' })
        .min(1)
        .max(10000)
        .meta({ description: 'Most pods the namespace may hold (ResourceQuota pods).' }),
    })
    .meta({ description: "The namespace's ResourceQuota." }),
  hostnames: z
    .array(z.string().regex(GATEWAY_HOSTNAME, { error: 'must be a DNS name such as app.example.com or *.example.com' }))
    .max(16)
    .default([])
    .meta({
      description: "Hostnames the tenant's Gateway serves (Gateway API listener hostnames; *.x wildcards allowed).",
    }),
});

const cluster = z.discriminatedUnion('kind', [mesosCluster, kubernetesCluster], {
  error: 'must have kind mesos or kubernetes',
});

const registryMirror = z
  .strictObject({
    host: domainName.meta({ description: 'Host name of the mirror (a Harbor with proxy-cache projects).' }),
    projects: z
      .partialRecord(z.enum(['docker.io', 'gcr.io', 'quay.io', 'ghcr.io']), itemName)
      .default({
        'docker.io': 'dockerhub-proxy',
        'gcr.io': 'gcr-proxy',
        'quay.io': 'quay-proxy',
        'ghcr.io': 'ghcr-proxy',
      })
      .meta({ description: 'Proxy-cache project of each upstream registry.' }),
  })
  .meta({ description: "The region's registry mirror: every pinned image is pulled through it." });

const backend = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('local').meta({ description: 'Local state files.' }) }).meta({
      description: 'State in terraform.<stack>.tfstate inside the stack directory (one operator, no locking).',
    }),
    z
      .strictObject({
        type: z.literal('oss').meta({ description: 'Alibaba Cloud OSS.' }),
        bucket: z
          .string()
          .regex(BUCKET, { error: 'must be an OSS bucket name (3-63 lower-case characters)' })
          .meta({ description: 'OSS bucket holding the state; it must exist.' }),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9._/-]{1,100}$/)
          .default('regionkit')
          .meta({ description: 'Directory in the bucket; each stack keeps <prefix>/<stack>.tfstate.' }),
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z0-9]+)+$/)
          .optional()
          .meta({ description: "Region of the bucket. Default: alicloud.region, the region's own." }),
        tablestoreEndpoint: z
          .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
          .optional()
          .meta({ description: 'Tablestore instance endpoint used for state locking; set with tablestoreTable.' }),
        tablestoreTable: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/)
          .optional()
          .meta({ description: 'Tablestore table holding the locks; set with tablestoreEndpoint.' }),
      })
      .meta({
        description: 'Alibaba Cloud OSS, locked through a Tablestore table when both tablestore fields are set.',
      }),
    z
      .strictObject({
        type: z.literal('s3').meta({ description: 'S3 or an S3-compatible store.' }),
        bucket: z
          .string()
          .regex(BUCKET, { error: 'must be an S3 bucket name (3-63 lower-case characters)' })
          .meta({ description: 'Bucket holding the state; it must exist.' }),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9._/-]{1,100}$/)
          .default('regionkit')
          .meta({ description: 'Key prefix; each stack keeps <keyPrefix>/<stack>.tfstate.' }),
        region: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,64}$/)
          .default('us-east-1')
          .meta({ description: 'Region name the store expects (S3-compatible stores mostly accept any).' }),
        endpoint: z
          .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
          .optional()
          .meta({ description: "URL of an S3-compatible store (path-style requests). Default: AWS S3's own." }),
      })
      .meta({ description: 'S3 or an S3-compatible store (Ceph RGW, Swift s3api) at endpoint.' }),
  ],
  { error: 'must have type local, oss or s3' },
);

/** The region file. */
export const regionSpecSchema = z
  .strictObject({
    name: regionName.meta({ description: 'Region name; prefixes every cloud resource and names the stacks.' }),
    cloud: z
      .enum(CLOUDS, { error: `must be one of ${CLOUDS.join(', ')}` })
      .meta({ description: 'Cloud the region lives on.' }),
    alicloud: alicloudSettings.optional(),
    openstack: openstackSettings.optional(),
    zones: zoneCountOrNames.default(3).meta({
      description:
        'Zones to spread over: a count (the first N the cloud lists) or explicit zone names (recommended for production: ' +
        'a count follows the cloud’s list, which can change).',
    }),
    network: z
      .strictObject({
        cidr: privateCidr.default('10.0.0.0/16').meta({ description: 'Private IPv4 CIDR of the region, /12 to /20.' }),
      })
      .default({ cidr: '10.0.0.0/16' })
      .meta({ description: "The region's private network." }),
    admin: z
      .strictObject({
        user: z
          .string()
          .regex(LINUX_USER, { error: 'must be a Linux user name (lower-case, at most 31 characters)' })
          .default('ops')
          .meta({ description: 'Admin login created on every host.' }),
        sshKeys: z
          .array(
            z
              .string()
              .regex(SSH_PUBLIC_KEY, { error: 'must be an OpenSSH public key line (ssh-ed25519 AAAA... comment)' }),
          )
          .min(1)
          .meta({ description: 'Public keys allowed to log in as the admin user.' }),
        sshSources: z
          .array(sourceCidr)
          .max(20)
          .default([])
          .meta({ description: 'CIDRs allowed to reach the bastion on SSH. Never 0.0.0.0/0.' }),
        apiSources: z
          .array(apiSourceCidr)
          .max(20)
          .optional()
          .meta({
            description:
              "CIDRs allowed to reach a kubeadm cluster's Kubernetes API server on its public address (whoever " +
              'deploys the <region>-platform stack: operators, CI runners). Never 0.0.0.0/0. Default: sshSources.',
          }),
      })
      .meta({
        description:
          'Administrative access: SSH only through the bastion, the Kubernetes API of a kubeadm cluster from apiSources.',
      }),
    hostGroups: z.array(hostGroup).min(1).meta({ description: 'Groups of identical hosts.' }),
    loadBalancers: z.array(loadBalancer).default([]).meta({ description: 'Load balancers in front of host groups.' }),
    tags: z
      .record(
        z
          .string()
          .regex(TAG_KEY, { error: 'must be a tag key of 1-63 characters, not starting with aliyun, acs: or http' }),
        z.string().regex(TAG_VALUE, { error: 'must be a tag value of at most 128 characters without commas' }),
      )
      .default({})
      .refine((t) => Object.keys(t).length <= 16, { error: 'must have at most 16 tags' })
      .meta({ description: 'Tags (labels, metadata) put on every resource that takes them.' }),
    backend: backend.default({ type: 'local' }).meta({ description: 'Where Terraform keeps the state of the stacks.' }),
    hostConfig: regionHostConfig
      .default(regionHostConfig.parse({}))
      .meta({ description: 'Settings of the host roles, for every host.' }),
    registryMirror: registryMirror.optional(),
    cluster: cluster.optional().meta({ description: 'The cluster the host groups form. Default: none (plain hosts).' }),
    tenants: z.array(tenant).max(100).default([]).meta({
      description:
        'Teams sharing a Kubernetes region: each gets a namespace with a quota, its group as namespace admins, and a Gateway for its hostnames. Only with cluster kind kubernetes.',
    }),
  })
  .meta({
    title: 'regionkit region',
    description: 'One region: network, hosts and load balancers on Alibaba Cloud or OpenStack.',
  });

// The spec's types are named interfaces generated from regionSpecSchema (`npm run schema`), so that every field's
// description is JSDoc in the editor and in the emitted declarations. RegionSpecInput: a region as written
// (defaults may be left out); RegionSpec: a validated region with every default filled in.
export type * from './region-spec-types.js';
import type { HostGroupSpec, RegionSpec } from './region-spec-types.js';

/**
 * The OS of a group: its own `os`, else {@link MESOS_HOST_OS} when the region's Mesos cluster names the group
 * (control, worker or edge), else {@link DEFAULT_HOST_OS}.
 */
export function groupOs(spec: Pick<RegionSpec, 'cluster'>, group: Pick<HostGroupSpec, 'name' | 'os'>): HostOs {
  if (group.os) return group.os;
  const c = spec.cluster;
  const mesosGroups = c?.kind === 'mesos' ? [c.controlGroup, c.workerGroup, c.edgeGroup] : [];
  return mesosGroups.includes(group.name) ? MESOS_HOST_OS : DEFAULT_HOST_OS;
}

/** Name of the host group that becomes the bastion. */
export const BASTION_GROUP = 'bastion';

/**
 * The CIDRs that reach a kubeadm cluster's API server from outside the network: `admin.apiSources`, else
 * `admin.sshSources`.
 */
export function adminApiSources(spec: Pick<RegionSpec, 'admin'>): readonly string[] {
  return spec.admin.apiSources ?? spec.admin.sshSources;
}
