/**
 * OpenStack adapter: Neutron network, subnets and router, security groups, ports with fixed addresses,
 * Nova instances booting from Cinder volumes, Octavia load balancers, floating IPs. The only module that
 * creates `openstack_*` resources.
 *
 * @see https://registry.terraform.io/providers/terraform-provider-openstack/openstack/3.4.0/docs
 */
import { Fn, Lazy, TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';

import { hostRef } from '../../cloudinit/secret-delivery.js';
import { SpecError } from '../../errors.js';
import { BlockstorageVolumeV3 } from '../../gen/openstack/blockstorage-volume-v3/index.js';
import { ComputeInstanceV2 } from '../../gen/openstack/compute-instance-v2/index.js';
import { ComputeServergroupV2 } from '../../gen/openstack/compute-servergroup-v2/index.js';
import { ComputeVolumeAttachV2 } from '../../gen/openstack/compute-volume-attach-v2/index.js';
import { ContainerinfraClusterV1 } from '../../gen/openstack/containerinfra-cluster-v1/index.js';
import { ContainerinfraClustertemplateV1 } from '../../gen/openstack/containerinfra-clustertemplate-v1/index.js';
import { ContainerinfraNodegroupV1 } from '../../gen/openstack/containerinfra-nodegroup-v1/index.js';
import { DataOpenstackComputeAvailabilityZonesV2 } from '../../gen/openstack/data-openstack-compute-availability-zones-v2/index.js';
import { DataOpenstackIdentityAuthScopeV3 } from '../../gen/openstack/data-openstack-identity-auth-scope-v3/index.js';
import { DataOpenstackImagesImageV2 } from '../../gen/openstack/data-openstack-images-image-v2/index.js';
import { DataOpenstackNetworkingNetworkV2 } from '../../gen/openstack/data-openstack-networking-network-v2/index.js';
import { DnsRecordsetV2 } from '../../gen/openstack/dns-recordset-v2/index.js';
import { DnsZoneV2 } from '../../gen/openstack/dns-zone-v2/index.js';
import { IdentityApplicationCredentialV3 } from '../../gen/openstack/identity-application-credential-v3/index.js';
import { KeymanagerSecretV1 } from '../../gen/openstack/keymanager-secret-v1/index.js';
import { LbListenerV2 } from '../../gen/openstack/lb-listener-v2/index.js';
import { LbLoadbalancerV2 } from '../../gen/openstack/lb-loadbalancer-v2/index.js';
import { LbMemberV2 } from '../../gen/openstack/lb-member-v2/index.js';
import { LbMonitorV2 } from '../../gen/openstack/lb-monitor-v2/index.js';
import { LbPoolV2 } from '../../gen/openstack/lb-pool-v2/index.js';
import { NetworkingFloatingipAssociateV2 } from '../../gen/openstack/networking-floatingip-associate-v2/index.js';
import { NetworkingFloatingipV2 } from '../../gen/openstack/networking-floatingip-v2/index.js';
import { NetworkingNetworkV2 } from '../../gen/openstack/networking-network-v2/index.js';
import { NetworkingPortV2 } from '../../gen/openstack/networking-port-v2/index.js';
import { NetworkingRouterInterfaceV2 } from '../../gen/openstack/networking-router-interface-v2/index.js';
import { NetworkingRouterV2 } from '../../gen/openstack/networking-router-v2/index.js';
import { NetworkingSecgroupRuleV2 } from '../../gen/openstack/networking-secgroup-rule-v2/index.js';
import { NetworkingSecgroupV2 } from '../../gen/openstack/networking-secgroup-v2/index.js';
import { NetworkingSubnetV2 } from '../../gen/openstack/networking-subnet-v2/index.js';
import { OpenstackProvider } from '../../gen/openstack/provider/index.js';
import type { HostOs, OpenstackSettings } from '../../spec/region-spec.js';
import { markStateful } from '../../stateful.js';
import { GENERATED_PROVIDERS } from '../../versions.js';
import { healthCheckTransport, listenerTransport, mergeSources } from '../load-balancing.js';
import type {
  BackendSource,
  ClusterCloudIntegrationRefs,
  ClusterCloudIntegrationSpec,
  HostDefaults,
  HostRefs,
  HostSecretsSpec,
  HostSecretValue,
  HostSpec,
  ICloud,
  IHostSecrets,
  IngressRuleSpec,
  LoadBalancerRefs,
  LoadBalancerSourcesSpec,
  LoadBalancerSpec,
  ManagedClusterRefs,
  ManagedClusterSpec,
  ManagedNodePoolSpec,
  NetworkRefs,
  NetworkSpec,
  RexrayCloudSettings,
  SecurityGroupSpec,
  VirtualIpSpec,
} from '../types.js';
import { userDataValue } from '../user-data.js';

// defaults; every OpenStack cloud names flavors and images its own way, so regions usually set both
/** The flavor name most clouds keep from the devstack defaults (2 vCPU, 4 GiB). */
export const DEFAULT_FLAVOR = 'm1.medium';
/**
 * Image name per OS, as OpenStack deployers commonly name the distributions' own cloud images
 * (cloud.debian.org's `debian-12-genericcloud-amd64`, Canonical's noble image); clouds differ, so regions
 * usually set `image`.
 */
export const DEFAULT_IMAGE_NAME: Readonly<Record<HostOs, string>> = {
  'debian-12': 'Debian 12',
  'debian-13': 'Debian 13',
  'ubuntu-24.04': 'Ubuntu 24.04',
};
/** TTL of host records: a replaced host keeps its address, so records rarely change. */
const DNS_TTL_SECONDS = 300;
/**
 * What a host's lifecycle leaves alone once it runs. At v3.4.0 resource_openstack_compute_instance_v2.go marks
 * `user_data` ForceNew (line 88) and `scheduler_hints.group` ForceNew (line 291): new user data, a newer image
 * build or a region adopting placement would each replace every server. Hosts are replaced on purpose
 * (`regionkit roll`), and a replacement picks all three up.
 */
export const INSTANCE_IGNORE_CHANGES = ['block_device[0].uuid', 'user_data', 'scheduler_hints'];
/**
 * Nova accepts at most 65535 bytes of user data, counted as the Base64 text it receives: the server create
 * schema's `user_data` is `{'type': 'string', 'format': 'base64', 'maxLength': 65535}`.
 * @see https://github.com/openstack/nova/blob/master/nova/api/openstack/compute/schemas/servers.py
 * @see https://docs.openstack.org/api-ref/compute/#create-server (user_data: "Restricted to 65535 bytes")
 */
export const MAX_USER_DATA_BYTES = 65535;

/** Masters of a Magnum cluster: three, the smallest etcd quorum that survives losing one. */
export const MAGNUM_MASTER_COUNT = 3;
/** The image property Magnum chooses its Kubernetes driver by (`os_distro`), for Fedora CoreOS images. */
export const MAGNUM_IMAGE_OS_DISTRO = 'fedora-coreos';

/**
 * The `kubelet_options` label of a Magnum node group carrying the pool's Kubernetes labels and taints as kubelet
 * flags (`--node-labels`, `--register-with-taints`: kubelet's command-line reference); empty when it has none.
 */
export function kubeletOptions(pool: ManagedNodePoolSpec): { kubelet_options?: string } {
  const flags: string[] = [];
  const labels = Object.entries(pool.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0) flags.push(`--node-labels=${labels.join(',')}`);
  const taints = pool.taints.map((t) => `${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`);
  if (taints.length > 0) flags.push(`--register-with-taints=${taints.join(',')}`);
  return flags.length > 0 ? { kubelet_options: flags.join(' ') } : {};
}

export class OpenstackCloud implements ICloud {
  public readonly kind = 'openstack' as const;
  public readonly provider = GENERATED_PROVIDERS.openstack;
  public readonly maxUserDataBytes = MAX_USER_DATA_BYTES;
  public readonly userDataEncoding = 'base64gzip' as const;
  // OpenStack clouds differ: the OS's own NTP pool (ntp role), the image's archive, the DHCP-provided resolvers
  // unless the region names them (`dnsNameservers`, which DHCP then hands out)
  public readonly hostDefaults: HostDefaults;
  public readonly rexray?: RexrayCloudSettings;
  private readonly images = new Map<string, DataOpenstackImagesImageV2>();
  private externalNetwork?: DataOpenstackNetworkingNetworkV2;
  /** The region's Designate zone (privateDns: designate), made with the network. */
  private dnsZone?: DnsZoneV2;
  /** Domain of the region's host names, without the trailing dot; unset with privateDns: none. */
  private dnsDomain?: string;
  /** Each host's port by instance id, so virtual IPs can be allowed on them later. */
  private readonly ports = new Map<string, { port: NetworkingPortV2; extraAddresses: string[] }>();

  constructor(
    private readonly stack: Construct,
    private readonly settings: OpenstackSettings,
  ) {
    // Credentials come from the environment (OS_* variables) or clouds.yaml.
    new OpenstackProvider(stack, 'Openstack', {
      ...(settings.cloud ? { cloud: settings.cloud } : {}),
      ...(settings.region ? { region: settings.region } : {}),
    });
    if (settings.rexray) this.rexray = { driver: 'cinder', ...settings.rexray };
    this.hostDefaults = settings.dnsNameservers.length > 0 ? { dnsResolvers: [...settings.dnsNameservers] } : {};
  }

  public network(scope: Construct, id: string, spec: NetworkSpec): NetworkRefs {
    const root = new Construct(scope, id);
    const dns = this.settings.privateDns;
    if (dns !== 'none') this.dnsDomain = spec.dnsDomain;
    const network = new NetworkingNetworkV2(root, 'Network', {
      name: spec.name,
      adminStateUp: true,
      // Neutron's internal DNS: ports' dns_name below this domain (the dns-integration extension)
      ...(dns === 'neutron' ? { dnsDomain: `${spec.dnsDomain}.` } : {}),
      tags: tagList(spec.tags),
    });
    if (dns === 'designate') {
      this.dnsZone = new DnsZoneV2(root, 'DnsZone', {
        name: `${spec.dnsDomain}.`,
        // Designate requires a contact address for a primary zone's SOA record
        email: `hostmaster@${spec.dnsDomain}`,
        type: 'PRIMARY',
        ttl: DNS_TTL_SECONDS,
        description: `regionkit: host names of ${spec.name}`,
      });
    }
    const subnets = spec.zones.map(
      (zone) =>
        new NetworkingSubnetV2(root, `Subnet${zone.index + 1}`, {
          name: `${spec.name}-zone-${zone.index + 1}`,
          networkId: network.id,
          cidr: zone.cidr,
          ipVersion: 4,
          gatewayIp: zone.gatewayIp,
          // Fixed host addresses lie below this pool; Neutron hands out only what is in it.
          allocationPool: [{ start: zone.dynamicPool.start, end: zone.dynamicPool.end }],
          ...(this.settings.dnsNameservers.length > 0 ? { dnsNameservers: [...this.settings.dnsNameservers] } : {}),
          tags: tagList(spec.tags),
        }),
    );
    // outbound internet: one router with SNAT on the external network, an interface per subnet
    const router = new NetworkingRouterV2(root, 'Router', {
      name: spec.name,
      adminStateUp: true,
      externalNetworkId: this.external(root).id,
      tags: tagList(spec.tags),
    });
    subnets.forEach(
      (subnet, i) =>
        new NetworkingRouterInterfaceV2(root, `RouterInterface${i + 1}`, { routerId: router.id, subnetId: subnet.id }),
    );
    const zoneNames = spec.zoneNames ? [...spec.zoneNames] : this.listedZones(root, spec.zones.length);
    return {
      networkId: network.id,
      subnetIds: subnets.map((s) => s.id),
      zoneNames,
      ...(this.dnsDomain ? { dnsDomain: this.dnsDomain } : {}),
    };
  }

  public securityGroup(scope: Construct, id: string, spec: SecurityGroupSpec): { id: string } {
    const group = new NetworkingSecgroupV2(scope, id, {
      name: spec.name,
      description: spec.description,
      tags: tagList(spec.tags),
    });
    return { id: group.id };
  }

  public ingressRule(scope: Construct, id: string, spec: IngressRuleSpec): void {
    new NetworkingSecgroupRuleV2(scope, id, {
      securityGroupId: spec.securityGroupId,
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: spec.protocol,
      ...(spec.protocol === 'icmp' || spec.protocol === 'vrrp'
        ? {}
        : { portRangeMin: spec.fromPort, portRangeMax: spec.toPort }),
      description: spec.description,
      ...(spec.cidr ? { remoteIpPrefix: spec.cidr } : { remoteGroupId: spec.sourceSecurityGroupId }),
    });
  }

  public host(scope: Construct, id: string, spec: HostSpec): HostRefs {
    const root = new Construct(scope, id);
    const port = new NetworkingPortV2(root, 'Port', {
      name: spec.name,
      networkId: spec.networkId,
      adminStateUp: true,
      fixedIp: [{ subnetId: spec.subnetId, ipAddress: spec.privateIp }],
      securityGroupIds: [...spec.securityGroupIds],
      ...(this.settings.privateDns === 'neutron' ? { dnsName: spec.name } : {}),
      tags: tagList(spec.tags),
    });
    if (this.dnsZone) {
      new DnsRecordsetV2(root, 'DnsRecord', {
        zoneId: this.dnsZone.id,
        name: `${spec.name}.${this.dnsDomain}.`,
        type: 'A',
        records: [spec.privateIp],
        ttl: DNS_TTL_SECONDS,
      });
    }
    const instance = new ComputeInstanceV2(root, 'Resource', {
      name: spec.name,
      flavorName: spec.instanceType ?? DEFAULT_FLAVOR,
      availabilityZone: spec.zoneName,
      // Gzip: a Mesos control host with etcd TLS, GlusterFS and weave outgrows Nova's 65535 Base64 bytes in plain
      // text. At v3.4.0 the provider hands the string to gophercloud v2.8.0, whose servers.CreateOpts passes
      // valid Base64 through unchanged (openstack/compute/v2/servers/requests.go, lines 526-534), and stores only
      // its SHA-1 (the `user_data` StateFunc); Nova's metadata service and config drive serve the decoded bytes,
      // and cloud-init unpacks gzip (convert_string in cloudinit/user_data.py, 22.4.2 and 25.1.4). The plain
      // text stays reviewable in the synthesized JSON, inside base64gzip().
      userData: Lazy.stringValue({
        produce: () => userDataValue(spec.renderUserData(), spec.userDataRefs?.() ?? {}, this.userDataEncoding),
      }),
      network: [{ port: port.id }],
      // Boot from a Cinder volume so the root disk size is ours, not the flavor's.
      blockDevice: [
        {
          uuid: this.imageId(spec.image, spec.os),
          sourceType: 'image',
          destinationType: 'volume',
          volumeSize: spec.systemDiskSizeGiB,
          ...(spec.systemDiskType ? { volumeType: spec.systemDiskType } : {}),
          bootIndex: 0,
          deleteOnTermination: true,
        },
      ],
      metadata: { ...spec.tags },
      tags: tagList(spec.tags),
      // placement: the group's hosts on different compute hosts
      ...(spec.placementGroup ? { schedulerHints: [{ group: this.serverGroup(scope, spec.placementGroup).id }] } : {}),
      lifecycle: { ignoreChanges: [...INSTANCE_IGNORE_CHANGES] },
    });
    // Read at synth: the cluster that asks for it is made after its host groups. ForceNew (day-2 facts), so only
    // hosts created with it have it.
    instance.configDrive = Lazy.anyValue({ produce: () => (spec.configDrive?.() ? true : undefined) }) as never;
    // Token strings differ per read; keep one, so the map key and the returned id are the same string.
    const instanceId = instance.id;
    const entry = { port, extraAddresses: [] as string[] };
    this.ports.set(instanceId, entry);
    // Resolved at synth, so virtual IPs added after the host still reach its port.
    port.putAllowedAddressPairs(
      Lazy.anyValue({
        produce: () =>
          entry.extraAddresses.length
            ? entry.extraAddresses.map((ipAddress) => ({ ip_address: ipAddress }))
            : undefined,
      }) as never,
    );
    spec.dataDisks.forEach((disk, i) => {
      const volume = new BlockstorageVolumeV3(root, `DataDisk${i + 1}`, {
        name: disk.name,
        size: disk.sizeGiB,
        availabilityZone: spec.zoneName,
        ...(disk.type ? { volumeType: disk.type } : {}),
        metadata: { ...spec.tags },
        // the volume outlives its server: a replacement server gets it attached again
        lifecycle: { preventDestroy: true },
      });
      markStateful(volume, `data disk ${i + 1} of ${spec.name}`);
      new ComputeVolumeAttachV2(root, `DataDisk${i + 1}Attachment`, { instanceId: instance.id, volumeId: volume.id });
    });
    let publicIp: string | undefined;
    if (spec.publicIp) publicIp = this.floatingIp(root, spec.name, port.id, spec.tags);
    return { id: instanceId, privateIp: spec.privateIp, publicIp };
  }

  public loadBalancer(scope: Construct, id: string, spec: LoadBalancerSpec): LoadBalancerRefs {
    const root = new Construct(scope, id);
    const lb = new LbLoadbalancerV2(root, 'Resource', {
      name: spec.name,
      vipSubnetId: spec.subnetId,
      ...(spec.privateAddress ? { vipAddress: spec.privateAddress } : {}),
      tags: tagList(spec.tags),
    });
    const hc = spec.healthCheck;
    for (const listener of spec.listeners) {
      const lid = `${listener.protocol}-${listener.port}`;
      const protocol = listener.protocol.toUpperCase();
      const created = new LbListenerV2(root, `Listener-${lid}`, {
        name: `${spec.name}-${lid}`,
        loadbalancerId: lb.id,
        protocol,
        protocolPort: listener.port,
        // Idle timeout in milliseconds on both sides of the amphora's proxy (Octavia's default is 50 s); UDP
        // listeners run in LVS, which does not use them.
        ...(listener.protocol === 'udp'
          ? {}
          : { timeoutClientData: spec.idleTimeoutSeconds * 1000, timeoutMemberData: spec.idleTimeoutSeconds * 1000 }),
        // The only client CIDRs the listener admits (docs/resources/lb_listener_v2.md at v3.4.0, `allowed_cidrs`:
        // "denying all other source addresses"); a floating IP rewrites only the destination of inbound traffic.
        ...(spec.allowedSources ? { allowedCidrs: [...spec.allowedSources] } : {}),
        tags: tagList(spec.tags),
      });
      const pool = new LbPoolV2(root, `Pool-${lid}`, {
        name: `${spec.name}-${lid}`,
        listenerId: created.id,
        protocol,
        lbMethod: 'ROUND_ROBIN',
      });
      new LbMonitorV2(root, `Monitor-${lid}`, {
        poolId: pool.id,
        name: `${spec.name}-${lid}`,
        type: hc.type === 'http' ? 'HTTP' : listener.protocol === 'udp' ? 'UDP-CONNECT' : 'TCP',
        delay: hc.intervalSeconds,
        timeout: hc.timeoutSeconds,
        maxRetries: hc.healthyThreshold,
        maxRetriesDown: hc.unhealthyThreshold,
        ...(hc.type === 'http' ? { urlPath: hc.path ?? '/', httpMethod: 'GET', expectedCodes: '200-399' } : {}),
      });
      spec.members.forEach(
        (member, i) =>
          new LbMemberV2(root, `Member-${lid}-${i + 1}`, {
            poolId: pool.id,
            address: member.privateIp,
            protocolPort: listener.backendPort,
            subnetId: member.subnetId,
            ...(hc.port !== undefined ? { monitorPort: hc.port } : {}),
          }),
      );
    }
    if (spec.public) return { id: lb.id, address: this.floatingIp(root, spec.name, lb.vipPortId, spec.tags) };
    // An internal load balancer's public address: a floating IP on the same VIP port, the fixed address unchanged.
    const publicAddress = spec.publicAddress ? this.floatingIp(root, spec.name, lb.vipPortId, spec.tags) : undefined;
    return { id: lb.id, address: lb.vipAddress, publicAddress };
  }

  public virtualIp(scope: Construct, id: string, spec: VirtualIpSpec): void {
    const root = new Construct(scope, id);
    // A device-less port holds the address in Neutron, so DHCP never hands it to anyone else.
    new NetworkingPortV2(root, 'Resource', {
      name: spec.name,
      networkId: spec.networkId,
      adminStateUp: true,
      fixedIp: [{ subnetId: spec.subnetId, ipAddress: spec.address }],
      tags: tagList(spec.tags),
    });
    for (const hostId of spec.hostIds) {
      const entry = this.ports.get(hostId);
      if (!entry) throw new Error(`openstack: no port of host ${hostId} for virtual IP ${spec.address}`);
      entry.extraAddresses.push(spec.address);
    }
  }

  /**
   * Barbican holds the values (one secret per secret and stack). Each host group gets an application
   * credential of the deploying user, restricted (`unrestricted: false`) and limited by access rules to
   * `GET /v1/secrets/<uuid>/payload` of exactly its secrets. OpenStack gives instances no identity of their
   * own, so that credential reaches the hosts in user data: the bootstrap credential of docs/security.md.
   *
   * @see https://docs.openstack.org/keystone/latest/user/application_credentials.html
   * @see https://docs.openstack.org/barbican/latest/api/reference/secrets.html
   */
  public hostSecrets(scope: Construct, id: string, spec: HostSecretsSpec): IHostSecrets {
    const root = new Construct(scope, id);
    const secrets = new Map<string, KeymanagerSecretV1>();
    const credential = new IdentityApplicationCredentialV3(root, 'Credential', {
      name: `${spec.name}-secrets`,
      description: `regionkit: hosts of ${spec.name} read their secrets from Barbican`,
      unrestricted: false,
      accessRules: Lazy.anyValue({
        produce: () =>
          [...secrets.keys()].sort().map((name) => ({
            service: 'key-manager',
            method: 'GET',
            path: `/v1/secrets/${Fn.basename(secrets.get(name)!.secretRef)}/payload`,
          })),
      }) as never,
    });
    // Keep one token string per attribute so the refs below are stable.
    const credentialId = credential.id;
    const credentialSecret = credential.secret;
    return {
      addSecret: (secret: HostSecretValue) => {
        if (!secrets.has(secret.name)) secrets.set(secret.name, this.barbicanSecret(spec, secret));
      },
      fetchSettings: () => ({
        kind: 'openstack',
        authUrl: hostRef('auth_url'),
        credentialId: hostRef('credential_id'),
        credentialSecret: hostRef('credential_secret'),
        secrets: Object.fromEntries([...secrets.keys()].sort().map((n) => [n, hostRef(`secret_${n}`)])),
      }),
      refs: () => ({
        auth_url: this.keystoneUrl(),
        credential_id: credentialId,
        credential_secret: credentialSecret,
        ...Object.fromEntries([...secrets.entries()].map(([n, s]) => [`secret_${n}`, s.secretRef])),
      }),
    };
  }

  /**
   * The identity of a kubeadm cluster's OpenStack cloud controller manager and Cinder CSI driver: an application
   * credential of the deploying user (restricted: it cannot make other application credentials or trusts; it
   * acts with the user's roles on the project, which the CCM needs for Nova, Neutron and Octavia and the CSI
   * driver for Cinder and Nova), and the `cloud.conf` both read (one file, one Secret: the CSI driver reads
   * `[Global]`, `[Metadata]` and `[BlockStorage]`, the CCM `[Global]` and `[LoadBalancer]`; both parse with
   * `gcfg.FatalOnly`, so a section the other one reads is no error).
   *
   * - `[Global]`: Keystone's URL from the deploying token's catalog, the credential, and the region (the
   *   region file's, else the one of that Keystone endpoint: the docs mark `region` required);
   * - `[LoadBalancer]`: Services of type LoadBalancer get their Octavia VIP on zone 0's subnet and a floating
   *   IP from the region's external network;
   * - `[Metadata] search-order = configDrive`: regionkit closes the metadata service on its hosts after boot
   *   (docs/security.md), so the CSI node plugin can learn its instance id and zone only from a config drive.
   *
   * The file holds the credential's secret, so it is a single Terraform local, sensitive, that the platform
   * stack reads through a cross-stack reference (a sensitive output) into its Secret.
   *
   * @see https://github.com/kubernetes/cloud-provider-openstack/blob/v1.36.0/pkg/client/client.go (AuthOpts keys)
   * @see https://github.com/kubernetes/cloud-provider-openstack/blob/v1.36.0/pkg/openstack/openstack.go (LoadBalancerOpts)
   * @see https://github.com/kubernetes/cloud-provider-openstack/blob/v1.36.0/pkg/util/metadata/metadata.go (search order)
   * @see https://github.com/kubernetes/cloud-provider-openstack/blob/v1.36.0/docs/openstack-cloud-controller-manager/using-openstack-cloud-controller-manager.md
   */
  public clusterCloudIntegration(
    scope: Construct,
    id: string,
    spec: ClusterCloudIntegrationSpec,
  ): ClusterCloudIntegrationRefs {
    const root = new Construct(scope, id);
    const credential = new IdentityApplicationCredentialV3(root, 'Credential', {
      // the cluster is usually named after its region: say it once
      name: `${spec.name === spec.clusterName ? spec.name : `${spec.name}-${spec.clusterName}`}-cloud-provider`,
      description: `regionkit: cloud controller manager and Cinder CSI of cluster ${spec.clusterName}`,
      unrestricted: false,
    });
    const region = this.settings.region ?? this.keystoneRegion();
    const text = [
      '[Global]',
      `auth-url=${this.keystoneUrl()}`,
      `application-credential-id=${credential.id}`,
      `application-credential-secret=${credential.secret}`,
      `region=${region}`,
      '',
      '[LoadBalancer]',
      `subnet-id=${spec.subnetIds[0]}`,
      `floating-network-id=${this.external(root).id}`,
      '',
      '[Metadata]',
      'search-order=configDrive',
      '',
    ].join('\n');
    const cloudConf = new TerraformLocal(root, 'CloudConf', text);
    return { kind: 'openstack', secretFiles: { 'cloud.conf': cloudConf.asString }, configDrive: true };
  }

  /** The stack's Barbican secret holding `secret`, created on first use. */
  private barbicanSecret(spec: HostSecretsSpec, secret: HostSecretValue): KeymanagerSecretV1 {
    const store =
      (this.stack.node.tryFindChild('SecretStore') as Construct | undefined) ??
      new Construct(this.stack, 'SecretStore');
    const existing = store.node.tryFindChild(secret.name);
    if (existing) return existing as KeymanagerSecretV1;
    return new KeymanagerSecretV1(store, secret.name, {
      name: `regionkit-${spec.regionName}-${secret.name}`,
      secretType: 'passphrase',
      payload: secret.value,
      payloadContentType: 'text/plain',
      metadata: storeTags(spec.tags),
    });
  }

  /** Terraform expression of the region of Keystone's public endpoint, from the deploying token's catalog. */
  private keystoneRegion(): string {
    return (
      `\${[for e in flatten([for s in ${this.authScope().fqn}.service_catalog : s.endpoints if s.type == "identity"]) : ` +
      `e.region if e.interface == "public"][0]}`
    );
  }

  private authScope(): DataOpenstackIdentityAuthScopeV3 {
    return (
      (this.stack.node.tryFindChild('AuthScope') as DataOpenstackIdentityAuthScopeV3 | undefined) ??
      new DataOpenstackIdentityAuthScopeV3(this.stack, 'AuthScope', { name: 'regionkit' })
    );
  }

  /** Terraform expression of Keystone's public endpoint, from the deploying token's service catalog. */
  private keystoneUrl(): string {
    const scope = this.authScope();
    const region = this.settings.region ? ` && e.region == "${this.settings.region}"` : '';
    return (
      `\${[for e in flatten([for s in ${scope.fqn}.service_catalog : s.endpoints if s.type == "identity"]) : ` +
      `e.url if e.interface == "public"${region}][0]}`
    );
  }

  /**
   * Octavia's amphora gets an address on each member's subnet and sends that member's traffic and health checks
   * from it (`octavia-member-subnets`): each subnet holding a member admits the backend ports from itself.
   */
  public loadBalancerSources(spec: LoadBalancerSourcesSpec): BackendSource[] {
    const sources: BackendSource[] = [];
    for (const cidr of spec.memberSubnetCidrs) {
      for (const l of spec.listeners) {
        sources.push({
          protocol: listenerTransport(l),
          port: l.backendPort,
          cidr,
          description: `${l.protocol} ${l.port} via amphorae`,
          facts: ['octavia-member-subnets'],
        });
      }
      for (const l of spec.listeners) {
        sources.push({
          protocol: healthCheckTransport(l, spec.healthCheck.type),
          port: spec.healthCheck.port ?? l.backendPort,
          cidr,
          description: 'health checks',
          facts: ['octavia-member-subnets'],
        });
      }
    }
    return mergeSources(sources);
  }

  // managed Kubernetes -------------------------------------------------------------------------------------------

  /**
   * A Magnum cluster in the region network: a cluster template, the cluster (an HA control plane of
   * {@link MAGNUM_MASTER_COUNT} masters behind a load balancer, no worker of its own) and one node group per
   * node pool and zone, as Magnum spans zones (doc/source/user/node-groups.rst, "Availability zone"). Arguments
   * from terraform-provider-openstack v3.4.0 (docs/resources/containerinfra_*_v1.md and their schemas); labels
   * from Magnum's user guide (doc/source/user/index.rst at openstack/magnum 5a492d64).
   *
   * - Pod and service ranges are the `calico_ipv4pool` and `service_cluster_ip_range` labels (Calico, the
   *   network driver whose pod range is a label).
   * - A pool's count and autoscaling bounds are split over its zones (the first zones get one more); zones left
   *   with no node get no node group. Kubernetes labels and taints reach the nodes' kubelet through the
   *   `kubelet_options` label (`--node-labels`, `--register-with-taints`); the root disk size is
   *   `boot_volume_size`. Auto-repair and autoscaling are Magnum's cluster-wide `auto_healing_enabled` and
   *   `auto_scaling_enabled`, always on (a fixed pool's node groups get min = max = their size); a pool with
   *   `autoRepair: false` is refused.
   * - The image is the newest one whose `os_distro` is `fedora-coreos`, the property Magnum picks its Kubernetes
   *   driver by.
   * - Kubernetes version: Magnum's `kube_tag` names a full release, which a minor cannot; without it Magnum
   *   installs its driver's default release.
   * - Deletion protection and control-plane logging have no Magnum counterpart; the spec's values are not
   *   used here (docs/outputs.md says so).
   */
  public managedKubernetes(scope: Construct, id: string, spec: ManagedClusterSpec): ManagedClusterRefs {
    const root = new Construct(scope, id);
    const image = new DataOpenstackImagesImageV2(root, 'Image', {
      properties: { os_distro: MAGNUM_IMAGE_OS_DISTRO },
      mostRecent: true,
    });
    const noRepair = spec.nodePools.findIndex((p) => !p.autoRepair);
    if (noRepair >= 0) {
      throw new SpecError(
        `${scope.node.path}: cluster.managed.nodePools[${noRepair}].autoRepair must be true on openstack, got false; ` +
          "Magnum's auto-healing (the auto_healing_enabled label) is one switch for the whole cluster",
        { hint: 'leave autoRepair at its default (true) on OpenStack' },
      );
    }
    const template = new ContainerinfraClustertemplateV1(root, 'Template', {
      name: spec.name,
      coe: 'kubernetes',
      image: image.id,
      serverType: 'vm',
      networkDriver: 'calico',
      volumeDriver: 'cinder',
      externalNetworkId: this.external(root).id,
      fixedNetwork: spec.networkId,
      // Neutron subnets are not tied to zones: the first zone's subnet carries the nodes of every zone
      fixedSubnet: spec.subnetIds[0]!,
      ...(this.settings.dnsNameservers.length > 0 ? { dnsNameserver: this.settings.dnsNameservers[0]! } : {}),
      // no worker flavor: the cluster has no default workers, every node group names its own
      masterFlavor: DEFAULT_FLAVOR,
      masterLbEnabled: true,
      floatingIpEnabled: false,
      labels: {
        calico_ipv4pool: spec.podCidr,
        service_cluster_ip_range: spec.serviceCidr,
        container_runtime: 'containerd',
        // the API server's load balancer gets a floating IP so the platform stack can be applied from outside
        master_lb_floating_ip_enabled: 'true',
        // constants: Magnum refuses to update a template its clusters use, so nothing here follows the pools
        auto_healing_enabled: 'true',
        auto_scaling_enabled: 'true',
      },
    });
    const cluster = new ContainerinfraClusterV1(root, 'Cluster', {
      name: spec.name,
      clusterTemplateId: template.id,
      masterCount: MAGNUM_MASTER_COUNT,
      // every worker is in a node group of its own (microversion 1.10 allows a cluster without workers)
      nodeCount: 0,
    });
    const nodePools = new Map<string, ContainerinfraNodegroupV1[]>();
    for (const pool of spec.nodePools) {
      const zones = pool.zoneIndexes.length;
      const groups: ContainerinfraNodegroupV1[] = [];
      pool.zoneIndexes.forEach((zone, i) => {
        const share = (total: number) => Math.floor(total / zones) + (i < total % zones ? 1 : 0);
        const max = share(pool.autoscaling?.max ?? pool.count!);
        if (max === 0) return;
        const min = pool.autoscaling ? share(pool.autoscaling.min) : undefined;
        groups.push(
          new ContainerinfraNodegroupV1(root, `NodePool${pascalName(pool.name)}Zone${zone + 1}`, {
            clusterId: cluster.id,
            name: `${pool.name}-zone-${zone + 1}`,
            role: pool.name,
            flavorId: pool.instanceType,
            nodeCount: min ?? max,
            // a fixed pool's bounds are its size, so the cluster-wide autoscaler leaves it alone
            minNodeCount: min ?? max,
            maxNodeCount: max,
            mergeLabels: true,
            labels: {
              availability_zone: spec.zoneNames[zone]!,
              boot_volume_size: String(pool.systemDiskSizeGiB),
              ...(pool.systemDiskType ? { boot_volume_type: pool.systemDiskType } : {}),
              ...kubeletOptions(pool),
            },
          }),
        );
      });
      nodePools.set(pool.name, groups);
    }
    const kubeconfig = cluster.kubeconfig;
    return {
      cluster,
      clusterId: cluster.id,
      nodePools,
      access: {
        endpoint: cluster.apiAddress,
        clusterCaCertificate: kubeconfig.lookup('cluster_ca_certificate'),
        clientCertificate: kubeconfig.lookup('client_certificate'),
        clientKey: kubeconfig.lookup('client_key'),
      },
      kubeconfig: kubeconfig.lookup('raw_config'),
    };
  }

  /**
   * The group's server group with the `anti-affinity` policy, made with its first host: Nova schedules each
   * member on a different compute host and fails a boot it cannot place so. Every argument forces a new group
   * (ForceNew in resource_openstack_compute_servergroup_v2.go at v3.4.0).
   * @see https://docs.openstack.org/nova/latest/user/server-groups.html
   */
  private serverGroup(scope: Construct, name: string): ComputeServergroupV2 {
    const existing = scope.node.tryFindChild('ServerGroup');
    if (existing) return existing as ComputeServergroupV2;
    return new ComputeServergroupV2(scope, 'ServerGroup', { name, policies: ['anti-affinity'] });
  }

  private external(scope: Construct): DataOpenstackNetworkingNetworkV2 {
    this.externalNetwork ??= new DataOpenstackNetworkingNetworkV2(scope, 'ExternalNetwork', {
      name: this.settings.externalNetwork,
      external: true,
    });
    return this.externalNetwork;
  }

  private listedZones(scope: Construct, count: number): string[] {
    const zones = new DataOpenstackComputeAvailabilityZonesV2(scope, 'Zones', { state: 'available' });
    // element() wraps around, so a single-zone cloud ("nova") serves every zone index.
    return Array.from({ length: count }, (_, i) => Fn.element(zones.names, i) as string);
  }

  private imageId(name: string | undefined, os: HostOs): string {
    const key = name ?? DEFAULT_IMAGE_NAME[os];
    let image = this.images.get(key);
    if (!image) {
      image = new DataOpenstackImagesImageV2(this.stack, `Image${this.images.size + 1}`, {
        name: key,
        mostRecent: true,
      });
      this.images.set(key, image);
    }
    return image.id;
  }

  private floatingIp(scope: Construct, name: string, portId: string, tags: Readonly<Record<string, string>>): string {
    const fip = new NetworkingFloatingipV2(scope, 'FloatingIp', {
      pool: this.settings.externalNetwork,
      description: name,
      tags: tagList(tags),
    });
    new NetworkingFloatingipAssociateV2(scope, 'FloatingIpAssociation', { floatingIp: fip.address, portId });
    return fip.address;
  }
}

/** Neutron and Nova tags are plain strings: `key=value`, sorted for stable output. */
function tagList(tags: Readonly<Record<string, string>>): string[] {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .sort();
}

/** Tags of a stack-wide secret store entry: the group's tags without the group, since every group shares it. */
function storeTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => k !== 'regionkit-group'));
}

/** `system-pool` -> `SystemPool`: construct ids are PascalCase. */
function pascalName(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
