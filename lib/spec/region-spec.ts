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

import { regionCidrProblem, isIpv4Cidr, isAnyIpv4 } from '../net/network-plan.js';

/** Clouds a region can live on. */
export const CLOUDS = ['alicloud', 'openstack'] as const;
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

const alicloudSettings = z
  .strictObject({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z0-9]+)+$/, { error: 'must be an Alibaba Cloud region id such as cn-hangzhou' })
      .meta({ description: 'Alibaba Cloud region id, e.g. cn-hangzhou. Credentials come from the environment.' }),
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
    dnsNameservers: z
      .array(z.ipv4({ error: 'must be an IPv4 address' }))
      .max(5)
      .default([])
      .meta({ description: 'DNS servers handed out by DHCP on the region subnets; empty uses the cloud default.' }),
  })
  .meta({ description: 'OpenStack settings; required when cloud is openstack.' });

const dataDisk = z.strictObject({
  sizeGiB: sizeGiB(20, 32768).meta({ description: 'Size in GiB.' }),
  type: cloudTerm('a disk type in the cloud’s terms (cloud_essd, a Cinder volume type)')
    .optional()
    .meta({ description: "Disk type in the cloud's own terms. Default: the adapter's general-purpose SSD type." }),
});

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
    .meta({ description: "Exact image name as the cloud lists it. Default: the adapter's Ubuntu 24.04 LTS image." }),
  systemDiskSizeGiB: sizeGiB(20, 2048).default(40).meta({ description: 'Root disk size in GiB.' }),
  systemDiskType: cloudTerm('a disk type in the cloud’s terms')
    .optional()
    .meta({ description: "Root disk type in the cloud's own terms. Default: the adapter's SSD type." }),
  dataDisks: z.array(dataDisk).max(16).default([]).meta({ description: 'Extra disks, attached in order.' }),
  zoneSpread: z
    .int({ error: `must be an integer between 1 and ${MAX_ZONES}` })
    .min(1)
    .max(MAX_ZONES)
    .optional()
    .meta({ description: "Spread hosts round-robin over this many of the region's zones. Default: all of them." }),
  roles: z
    .array(itemName)
    .default([])
    .meta({ description: 'Host role names rendered into cloud-init, in order (see the role reference).' }),
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

const loadBalancer = z.strictObject({
  name: itemName.meta({ description: 'Load balancer name.' }),
  public: z
    .boolean()
    .default(false)
    .meta({ description: 'Reachable from the internet (true) or only inside the network.' }),
  backends: itemName.meta({ description: 'Name of the host group that receives the traffic.' }),
  listeners: z.array(listener).min(1).max(20).meta({ description: 'Ports the load balancer listens on.' }),
  healthCheck: healthCheck.default(healthCheck.parse({})).meta({ description: 'Backend health check; always on.' }),
});

const backend = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('local') }).meta({
      description: 'State in terraform.<stack>.tfstate in the project directory (one operator, no locking).',
    }),
    z
      .strictObject({
        type: z.literal('oss'),
        bucket: z.string().regex(BUCKET, { error: 'must be an OSS bucket name (3-63 lower-case characters)' }),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9._/-]{1,100}$/)
          .default('regionkit'),
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z0-9]+)+$/)
          .optional(),
        tablestoreEndpoint: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
        tablestoreTable: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/)
          .optional(),
      })
      .meta({
        description: 'Alibaba Cloud OSS, locked through a Tablestore table when both tablestore fields are set.',
      }),
    z
      .strictObject({
        type: z.literal('s3'),
        bucket: z.string().regex(BUCKET, { error: 'must be an S3 bucket name (3-63 lower-case characters)' }),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9._/-]{1,100}$/)
          .default('regionkit'),
        region: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,64}$/)
          .default('us-east-1'),
        endpoint: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
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
    zones: z
      .union(
        [
          z.int({ error: ZONES_ALLOWED }).min(1, { error: ZONES_ALLOWED }).max(MAX_ZONES, { error: ZONES_ALLOWED }),
          z
            .array(z.string().regex(ZONE_NAME, { error: 'must be a zone name such as cn-hangzhou-h or nova' }))
            .min(1, { error: ZONES_ALLOWED })
            .max(MAX_ZONES, { error: ZONES_ALLOWED }),
        ],
        { error: ZONES_ALLOWED },
      )
      .default(3)
      .meta({
        description:
          'Zones to spread over: a count (the first N the cloud lists) or explicit zone names (recommended for production: ' +
          'a count follows the cloud’s list, which can change).',
      }),
    network: z
      .strictObject({
        cidr: privateCidr.default('10.0.0.0/16').meta({ description: 'Private IPv4 CIDR of the region, /12 to /20.' }),
      })
      .default({ cidr: '10.0.0.0/16' }),
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
      })
      .meta({ description: 'Administrative access: SSH only, only through the bastion.' }),
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
  })
  .meta({
    title: 'regionkit region',
    description: 'One region: network, hosts and load balancers on Alibaba Cloud or OpenStack.',
  });

/** A region as written (TypeScript or YAML): defaults may be left out. */
export type RegionSpecInput = z.input<typeof regionSpecSchema>;
/** A validated region with every default filled in. */
export type RegionSpec = z.output<typeof regionSpecSchema>;
export type HostGroupSpec = RegionSpec['hostGroups'][number];
export type DataDiskSpec = HostGroupSpec['dataDisks'][number];
export type LoadBalancerSpec = RegionSpec['loadBalancers'][number];
export type ListenerSpec = LoadBalancerSpec['listeners'][number];
export type HealthCheckSpec = LoadBalancerSpec['healthCheck'];
export type BackendSpec = RegionSpec['backend'];
export type OpenstackSettings = NonNullable<RegionSpec['openstack']>;
export type AlicloudSettings = NonNullable<RegionSpec['alicloud']>;

/** Name of the host group that becomes the bastion. */
export const BASTION_GROUP = 'bastion';
