/**
 * KubeadmCluster inside a RegionStack of plain host groups (the region-stack wiring of `cluster: { kind:
 * kubernetes, mode: kubeadm }` is the KubernetesCluster dispatcher's, elsewhere).
 */
import { TerraformOutput, Testing, Token } from 'cdktf';
import { describe, expect, test } from 'vitest';

import { KubeadmCluster } from '../../constructs/cluster/kubeadm-cluster.js';
import type { KubernetesAccess } from '../../constructs/cluster/kubernetes-access.js';
import { KUBEADM_ADMIN_GROUP, KUBEADM_SECRETS } from '../../constructs/roles/kubeadm-pki.js';
import { KUBEADM_DISCOVERY_KUBECONFIG, KUBEADM_JOIN_CONFIG } from '../../constructs/roles/kubeadm.js';
import { cloudProviderPolicy } from '../../lib/cloud/alicloud/cluster-cloud-integration.js';
import type { CloudKind } from '../../lib/cloud/types.js';
import { planClusterRanges } from '../../lib/net/network-plan.js';
import type { RegionSpecInput } from '../../lib/spec/region-spec.js';
import { RegionStack } from '../../stacks/region-stack.js';
import { hostArtifacts } from '../checkers/artifacts.js';
import { checkCloudConfig } from '../checkers/checks.js';
import { testWith } from '../checkers/tools.js';
import { planDiff, type TerraformJson } from '../day2/plan-diff.js';
import { CLOUDS, conformanceProblems, minimalSpec, synthJson } from '../helpers.js';
import { kindOf } from '../integ/file-kinds.js';

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

const ADMIN = '203.0.113.0/28';

function region(
  cloud: CloudKind,
  control: { count?: number; zoneSpread?: number } = {},
  apiSources?: readonly string[],
) {
  const spec: RegionSpecInput = minimalSpec(cloud, {
    network: { cidr: '10.50.0.0/16' },
    hostGroups: [
      { name: 'control', count: control.count ?? 3, os: 'debian-13', zoneSpread: control.zoneSpread },
      { name: 'worker', count: 2, os: 'debian-13' },
    ],
  });
  const stack = new RegionStack(Testing.app(), 'test-infra', { spec });
  const { ranges } = planClusterRanges({ networkCidr: '10.50.0.0/16', zones: 3 });
  const make = () =>
    new KubeadmCluster(stack, 'Kubernetes', {
      name: 'test',
      controlPlane: stack.hostGroups.get('control')!,
      workers: [stack.hostGroups.get('worker')!],
      podCidr: ranges!.podCidr,
      serviceCidr: ranges!.serviceCidr,
      ...(apiSources ? { apiSources } : {}),
    });
  return { stack, make };
}

/** Every output of `value`'s fields, as synthesized. */
function resolvedAccess(stack: RegionStack, access: KubernetesAccess): Record<string, string> {
  for (const [key, value] of Object.entries(access)) new TerraformOutput(stack, `access_${key}`, { value });
  const outputs = synthJson(stack).output as unknown as Record<string, { value: string }>;
  return Object.fromEntries(Object.keys(access).map((key) => [key, outputs[`access_${key}`]!.value]));
}

describe.each(CLOUDS)('KubeadmCluster on %s', (cloud) => {
  test('an internal load balancer on 6443 in front of the control plane, its private address in every join', () => {
    const { stack, make } = region(cloud);
    const k8s = make();
    const address = k8s.loadBalancer.privateAddress!;
    expect(address).toMatch(/^10\.50\.\d+\.\d+$/);
    const json = synthJson(stack) as Json;
    if (cloud === 'openstack') {
      const lbs = Object.values(json.resource.openstack_lb_loadbalancer_v2!);
      expect(lbs.filter((lb) => lb.vip_address === address)).toHaveLength(1);
      const listeners = Object.values(json.resource.openstack_lb_listener_v2!);
      expect(listeners.map((l) => l.protocol_port)).toEqual([6443]);
      expect(Object.keys(json.resource)).not.toContain('openstack_networking_floatingip_v2');
    } else {
      const lbs = Object.values(json.resource.alicloud_slb_load_balancer!);
      expect(lbs.filter((lb) => lb.address === address && lb.address_type === 'intranet')).toHaveLength(1);
      const listeners = Object.values(json.resource.alicloud_slb_listener!);
      expect(listeners.map((l) => l.frontend_port)).toEqual([6443]);
    }
    const hosts = hostArtifacts('test-infra', json);
    expect(hosts.map((h) => h.host)).toEqual([
      'test-control-1',
      'test-control-2',
      'test-control-3',
      'test-worker-1',
      'test-worker-2',
    ]);
    for (const h of hosts) {
      expect(h.files.some((f) => f.path === KUBEADM_JOIN_CONFIG)).toBe(true);
      const discovery = h.files.find((f) => f.path === KUBEADM_DISCOVERY_KUBECONFIG)!;
      expect(discovery.content).toContain(`server: https://${address}:6443\n`);
      expect(h.cloudConfig).toContain(`endpoint=${address}:6443\n`);
    }
  });

  test('access: the load balancer endpoint, the tls CA and the admin certificate, all apply-time references', () => {
    const { stack, make } = region(cloud);
    const access = make().access;
    for (const [key, value] of Object.entries(access)) new TerraformOutput(stack, `access_${key}`, { value });
    const outputs = synthJson(stack).output as unknown as Record<string, { value: string }>;
    const resolved = Object.fromEntries(
      Object.keys(access).map((key) => [key, outputs[`access_${key}`]!.value]),
    ) as Record<keyof typeof access, string>;
    expect(resolved.endpoint).toMatch(
      cloud === 'openstack'
        ? /^https:\/\/\$\{openstack_lb_loadbalancer_v2\.[\w-]+\.vip_address\}:6443$/
        : /^https:\/\/\$\{alicloud_slb_load_balancer\.[\w-]+\.address\}:6443$/,
    );
    expect(resolved.clusterCaCertificate).toMatch(/^\$\{tls_self_signed_cert\.KubeadmPki_Ca_Cert_\w+\.cert_pem\}$/);
    expect(resolved.clientCertificate).toMatch(/^\$\{tls_locally_signed_cert\.KubeadmPki_Admin_Cert_\w+\.cert_pem\}$/);
    expect(resolved.clientKey).toMatch(/^\$\{tls_private_key\.KubeadmPki_Admin_Key_\w+\.private_key_pem\}$/);
  });

  test('PKI at apply time: three CAs, the service-account key, an admin certificate of kubeadm:cluster-admins', () => {
    const { stack, make } = region(cloud);
    make();
    const json = synthJson(stack) as Json;
    const r = json.resource;
    expect(Object.keys(r.tls_self_signed_cert!)).toHaveLength(3);
    expect(
      Object.values(r.tls_self_signed_cert!).map((c) => (c.subject as { common_name: string }[])[0]!.common_name),
    ).toEqual(['kubernetes', 'etcd-ca', 'front-proxy-ca']);
    for (const c of Object.values(r.tls_self_signed_cert!)) expect(c.is_ca_certificate).toBe(true);
    expect(Object.values(r.tls_private_key!).every((k) => k.algorithm === 'RSA' && k.rsa_bits === 2048)).toBe(true);
    expect(Object.values(r.tls_cert_request!)).toEqual([
      expect.objectContaining({ subject: [{ common_name: 'regionkit-platform', organization: KUBEADM_ADMIN_GROUP }] }),
    ]);
    expect(Object.values(r.tls_locally_signed_cert!)).toEqual([
      expect.objectContaining({ allowed_uses: ['digital_signature', 'key_encipherment', 'client_auth'] }),
    ]);
    // bootstrap token [a-z0-9]{6}.[a-z0-9]{16}
    expect(
      Object.values(r.random_password!)
        .map((p) => [p.length, p.lower, p.numeric, p.upper, p.special])
        .sort(),
    ).toEqual([
      [16, true, true, false, false],
      [6, true, true, false, false],
    ]);
  });

  test('no secret literal in the synthesized stack: keys and token reach the secret store as references only', () => {
    const { stack, make } = region(cloud);
    make();
    const text = Testing.synth(stack);
    expect(text).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    expect(text).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
    const json = JSON.parse(text) as Json;
    const [store, field] =
      cloud === 'alicloud' ? ['alicloud_kms_secret', 'secret_data'] : ['openstack_keymanager_secret_v1', 'payload'];
    const values = Object.values(json.resource[store]!).map((s) => String(s[field]));
    // one stored secret per name, whichever groups read it
    const kubeadmValues = values.filter((v) => /KubeadmPki/.test(v));
    expect(kubeadmValues.length).toBe(Object.keys(KUBEADM_SECRETS).length);
    for (const v of kubeadmValues) {
      expect(v).toMatch(
        /^\$\{(tls_private_key\.\w+\.(private_key_pem|public_key_pem)|tls_self_signed_cert\.\w+\.cert_pem|random_password\.\w+\.result)\}$/,
      );
    }
    for (const h of hostArtifacts('test-infra', json)) {
      expect(h.cloudConfig).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
      expect(h.cloudConfig).toContain('__REGIONKIT_SECRET_kubernetes_bootstrap_token_id__');
    }
  });

  test('workers never fetch the CA keys', () => {
    const { stack, make } = region(cloud);
    make();
    const workers = hostArtifacts('test-infra', synthJson(stack) as Json).filter((h) => h.host.includes('worker'));
    for (const h of workers) {
      const settings = JSON.parse(h.files.find((f) => f.path === '/etc/regionkit/secrets.json')!.content) as {
        secrets: Record<string, string>;
      };
      expect(Object.keys(settings.secrets).sort()).toEqual([
        KUBEADM_SECRETS.bootstrapTokenId,
        KUBEADM_SECRETS.bootstrapTokenSecret,
        KUBEADM_SECRETS.caCert,
      ]);
    }
  });

  test('each group may read only its own secrets from the store', () => {
    const { stack, make } = region(cloud);
    make();
    const r = synthJson(stack).resource;
    if (cloud === 'openstack') {
      const rules = Object.values(r.openstack_identity_application_credential_v3!)
        .filter((c) => String(c.name).endsWith('-secrets'))
        .map((c) => [c.name, (c.access_rules as unknown[]).length]);
      expect(rules).toEqual([
        ['test-control-secrets', Object.keys(KUBEADM_SECRETS).length],
        ['test-worker-secrets', 3],
      ]);
    } else {
      const policies = Object.values(r.alicloud_ram_policy!)
        .filter((p) => String(p.policy_name).endsWith('-secrets'))
        .map((p) => String(p.policy_document ?? p.document));
      expect(policies).toHaveLength(2);
      expect(policies.filter((p) => p.includes('kubernetes_ca_key'))).toHaveLength(1);
    }
  });

  test('kubelets run with the external cloud provider and their private address, and no provider id', () => {
    const { stack, make } = region(cloud);
    const k8s = make();
    expect(k8s.cloudIntegration?.kind).toBe(cloud);
    const hosts = hostArtifacts('test-infra', synthJson(stack) as Json);
    expect(hosts.length).toBeGreaterThan(0);
    for (const h of hosts) {
      const join = h.files.find((f) => f.path === KUBEADM_JOIN_CONFIG)!.content;
      expect(join).toContain('    - name: cloud-provider\n      value: external\n');
      // the CCM finds the instance by the node's one InternalIP (Alibaba Cloud v2.14.0: findCloudECSByIp) and
      // writes the provider id itself; the kubelet reports that address only when node-ip is given (kubelet
      // 1.36.3 pkg/kubelet/nodestatus/setters.go, external cloud provider without node IP: hostname only)
      expect(join).toMatch(/ {4}- name: node-ip\n {6}value: 10\.50\.\d+\.\d+\n/);
      expect(join).not.toContain('provider-id');
    }
  });

  test.each([1, 2, 4, 9])('fails if the control plane has %i hosts', (count) => {
    const { make } = region(cloud, { count });
    expect(make).toThrow(
      `test-infra/Kubernetes: controlPlane (group control) must have an odd number of hosts between 3 and 7 (etcd quorum), got ${count}`,
    );
  });

  test('fails if losing one zone would lose etcd quorum', () => {
    const { make } = region(cloud, { zoneSpread: 2 });
    expect(make).toThrow(
      'test-infra/Kubernetes: controlPlane (group control) must be spread so that losing one zone keeps etcd quorum: ' +
        '2 of its 3 hosts are in one zone, leaving 1 of the 2 needed',
    );
  });

  test('apiSources: a public address whose listener admits only them and the region network', async () => {
    const { stack, make } = region(cloud, {}, [ADMIN]);
    const k8s = make();
    const json = synthJson(stack) as Json;
    const allowed = ['10.50.0.0/16', ADMIN];
    if (cloud === 'openstack') {
      const [lbName] = Object.keys(json.resource.openstack_lb_loadbalancer_v2!);
      expect(Object.values(json.resource.openstack_lb_listener_v2!)).toEqual([
        expect.objectContaining({ protocol_port: 6443, allowed_cidrs: allowed }),
      ]);
      expect(Object.values(json.resource.openstack_networking_floatingip_associate_v2!)).toEqual([
        expect.objectContaining({ port_id: `\${openstack_lb_loadbalancer_v2.${lbName}.vip_port_id}` }),
      ]);
    } else {
      const [lbName] = Object.keys(json.resource.alicloud_slb_load_balancer!);
      const [aclName] = Object.keys(json.resource.alicloud_slb_acl!);
      expect(Object.values(json.resource.alicloud_slb_listener!)).toEqual([
        expect.objectContaining({
          frontend_port: 6443,
          acl_status: 'on',
          acl_type: 'white',
          acl_ids: [`\${alicloud_slb_acl.${aclName}.id}`],
        }),
      ]);
      expect(Object.values(json.resource.alicloud_slb_acl_entry_attachment!).map((e) => e.entry)).toEqual(allowed);
      expect(
        Object.values(json.resource.alicloud_eip_association!).filter((a) => a.instance_type === 'SlbInstance'),
      ).toEqual([expect.objectContaining({ instance_id: `\${alicloud_slb_load_balancer.${lbName}.id}` })]);
      // CLB layer 4 keeps client addresses: the control plane admits the admin CIDR on 6443 (it has no public
      // address of its own)
      const rules = stack.hostGroups.get('control')!.securityGroup.ingressRules;
      expect(rules.filter((r) => 'cidr' in r.peer && r.peer.cidr === ADMIN).map((r) => r.port.toString())).toEqual([
        'tcp/6443',
      ]);
    }
    expect(k8s.internalEndpoint).not.toEqual(k8s.endpoint);
    expect(await conformanceProblems(stack)).toEqual([]);
  });

  test('apiSources: access names the public address, verified as the certificate name kubeadm always gives', () => {
    const { stack, make } = region(cloud, {}, [ADMIN]);
    const resolved = resolvedAccess(stack, make().access);
    expect(resolved.endpoint).toMatch(
      cloud === 'openstack'
        ? /^https:\/\/\$\{openstack_networking_floatingip_v2\.[\w-]+\.address\}:6443$/
        : /^https:\/\/\$\{alicloud_eip_address\.[\w-]+\.ip_address\}:6443$/,
    );
    expect(resolved.tlsServerName).toBe('kubernetes');
  });

  test('apiSources change no host’s user data: nodes keep joining through the private address', () => {
    const internal = region(cloud);
    internal.make();
    const exposed = region(cloud, {}, [ADMIN]);
    const k8s = exposed.make();
    const before = hostArtifacts('test-infra', synthJson(internal.stack) as Json);
    const after = hostArtifacts('test-infra', synthJson(exposed.stack) as Json);
    expect(after.map((h) => h.cloudConfig)).toEqual(before.map((h) => h.cloudConfig));
    for (const h of after) expect(h.cloudConfig).toContain(`endpoint=${k8s.loadBalancer.privateAddress}:6443\n`);
  });

  test('day 2: adding apiSources to a running cluster replaces nothing and restarts no host', () => {
    const before = region(cloud);
    before.make();
    const after = region(cloud, {}, [ADMIN]);
    after.make();
    const changes = planDiff(synthJson(before.stack) as TerraformJson, synthJson(after.stack) as TerraformJson);
    expect(changes.filter((c) => c.action === 'replace' || c.action === 'destroy')).toEqual([]);
    expect(changes.filter((c) => c.restartedBy.length > 0)).toEqual([]);
    const updated = changes.filter((c) => c.action === 'update').map((c) => `${c.type} ${c.paths.join(',')}`);
    const created = [...new Set(changes.filter((c) => c.action === 'create').map((c) => c.type))].sort();
    if (cloud === 'openstack') {
      expect(updated).toEqual(['openstack_lb_listener_v2 allowed_cidrs[0],allowed_cidrs[1]']);
      expect(created).toEqual(['openstack_networking_floatingip_associate_v2', 'openstack_networking_floatingip_v2']);
    } else {
      expect(updated).toEqual(['alicloud_slb_listener acl_ids[0],acl_status,acl_type']);
      expect(created).toEqual([
        'alicloud_eip_address',
        'alicloud_eip_association',
        'alicloud_security_group_rule',
        'alicloud_slb_acl',
        'alicloud_slb_acl_entry_attachment',
      ]);
    }
  });

  test('without apiSources: no public address, no allow-list, no tls server name', () => {
    const { stack, make } = region(cloud);
    const resolved = resolvedAccess(stack, make().access);
    expect(resolved).not.toHaveProperty('tlsServerName');
    const types = Object.keys((synthJson(stack) as Json).resource);
    expect(types).not.toContain('alicloud_slb_acl');
    expect(types).not.toContain('openstack_networking_floatingip_associate_v2');
  });

  test('fails if apiSources is empty', () => {
    const { make } = region(cloud, {}, []);
    expect(make).toThrow('test-infra/Kubernetes: apiSources must list at least one CIDR when given, got []');
  });

  test('fails if a group is both control plane and worker', () => {
    const { stack } = region(cloud);
    const control = stack.hostGroups.get('control')!;
    expect(
      () =>
        new KubeadmCluster(stack, 'Kubernetes', {
          name: 'test',
          controlPlane: control,
          workers: [control],
          podCidr: '10.244.0.0/16',
          serviceCidr: '10.96.0.0/16',
        }),
    ).toThrow('test-infra/Kubernetes: controlPlane and workers must be different groups, got control, control');
  });
});

describe('KubeadmCluster in a whole region', () => {
  testWith('cloud-init', 'cloud-init accepts every host of the region as Terraform sends it', async () => {
    const { stack, make } = region('openstack');
    make();
    const hosts = hostArtifacts('test-infra', synthJson(stack) as Json);
    expect(hosts).toHaveLength(5);
    for (const h of [hosts[0]!, hosts[1]!, hosts[4]!]) expect(await checkCloudConfig(h.cloudConfig), h.host).toBe('');
  });

  test('every file a kubeadm host boots from is of a kind a checker covers (test/integ/file-kinds.ts)', () => {
    const { stack, make } = region('openstack');
    make();
    const unknown = hostArtifacts('test-infra', synthJson(stack) as Json).flatMap((a) =>
      a.files.filter((f) => kindOf(f) === undefined).map((f) => `${a.host}: ${f.path}`),
    );
    expect(unknown).toEqual([]);
  });

  test('cloud integration (openstack): a restricted application credential, and cloud.conf as one local of this stack', () => {
    const { stack, make } = region('openstack');
    const k8s = make();
    const json = synthJson(stack) as Json & { locals: Record<string, string> };
    const credentials = Object.entries(json.resource.openstack_identity_application_credential_v3!).filter(([, c]) =>
      String(c.name).endsWith('-cloud-provider'),
    );
    expect(credentials.map(([, c]) => ({ name: c.name, unrestricted: c.unrestricted, rules: c.access_rules }))).toEqual(
      [{ name: 'test-cloud-provider', unrestricted: false, rules: undefined }],
    );
    const [credentialId] = credentials[0]!;
    const conf = Object.values(json.locals)[0]!;
    expect(Object.keys(json.locals)).toHaveLength(1);
    const lines = conf.split('\n');
    expect(lines.filter((l) => l.startsWith('['))).toEqual(['[Global]', '[LoadBalancer]', '[Metadata]']);
    expect(lines).toContain(
      `application-credential-id=\${openstack_identity_application_credential_v3.${credentialId}.id}`,
    );
    expect(lines).toContain(
      `application-credential-secret=\${openstack_identity_application_credential_v3.${credentialId}.secret}`,
    );
    expect(lines.find((l) => l.startsWith('auth-url='))).toMatch(
      /^auth-url=\$\{\[for e in flatten\(.*identity.*public/,
    );
    expect(lines.find((l) => l.startsWith('region='))).toMatch(
      /^region=\$\{\[for e in .*e\.region if e\.interface == "public"\]\[0\]\}$/,
    );
    expect(lines.find((l) => l.startsWith('subnet-id='))).toMatch(/^subnet-id=\$\{openstack_networking_subnet_v2\./);
    expect(lines.find((l) => l.startsWith('floating-network-id='))).toMatch(
      /^floating-network-id=\$\{data\.openstack_networking_network_v2\./,
    );
    expect(lines).toContain('search-order=configDrive');
    // what the platform stack takes: a reference to the local (a cross-stack output there), never the text
    const file = k8s.cloudIntegration!.secretFiles['cloud.conf']!;
    expect(Token.isUnresolved(file)).toBe(true);
    expect(file).not.toContain('[Global]');
  });

  test('cloud integration (alicloud): a RAM user with the CCM and disk CSI policy, one AccessKey, the cloud config as one local', () => {
    const { stack, make } = region('alicloud');
    const k8s = make();
    const json = synthJson(stack) as Json & { locals: Record<string, string> };
    const users = Object.entries(json.resource.alicloud_ram_user!);
    expect(users.map(([, u]) => u.name)).toEqual(['test-cloud-provider']);
    const [userId] = users[0]!;
    const policy = Object.entries(json.resource.alicloud_ram_policy!).find(
      ([, p]) => p.policy_name === 'test-cloud-provider',
    )!;
    expect(JSON.parse(String(policy[1].policy_document))).toEqual(cloudProviderPolicy());
    expect(Object.values(json.resource.alicloud_ram_user_policy_attachment!)).toEqual([
      expect.objectContaining({
        policy_name: `\${alicloud_ram_policy.${policy[0]}.policy_name}`,
        policy_type: 'Custom',
        user_name: `\${alicloud_ram_user.${userId}.name}`,
      }),
    ]);
    const keys = Object.entries(json.resource.alicloud_ram_access_key!);
    expect(keys).toHaveLength(1);
    const [keyId, key] = keys[0]!;
    expect(key.user_name).toBe(`\${alicloud_ram_user.${userId}.name}`);
    expect(key.pgp_key).toBeUndefined();
    expect(key.secret_file).toBeUndefined();
    // the cloud config: JSON once Terraform has filled in the tokens
    expect(Object.keys(json.locals)).toHaveLength(1);
    const conf = Object.values(json.locals)[0]!;
    const filled = conf.replace(/\$\{[^}]*\}/g, 'X');
    expect(JSON.parse(filled)).toEqual({
      Global: {
        accessKeyID: 'X',
        accessKeySecret: 'X',
        clusterID: 'test',
        region: 'cn-hangzhou',
        vpcid: 'X',
        vswitchid: 'zone-a:X,zone-b:X,zone-c:X',
        zoneid: 'zone-a',
      },
    });
    expect(conf).toContain(`"accessKeyID": "\${base64encode(alicloud_ram_access_key.${keyId}.id)}"`);
    expect(conf).toContain(`"accessKeySecret": "\${base64encode(alicloud_ram_access_key.${keyId}.secret)}"`);
    // what the platform stack takes: references, never the text or a credential
    const files = k8s.cloudIntegration!.secretFiles;
    expect(Object.keys(files).sort()).toEqual(['cloud-config.conf', 'id', 'secret']);
    for (const value of Object.values(files)) expect(Token.isUnresolved(value)).toBe(true);
    expect(k8s.cloudIntegration!.configDrive).toBe(false);
  });

  test('cloud integration (alicloud): the policy is the CCM actions (node, service) and the disk CSI actions', () => {
    const doc = cloudProviderPolicy() as { Statement: { Action: string[] }[] };
    const actions = doc.Statement.flatMap((s) => s.Action);
    expect(actions).toContain('slb:CreateLoadBalancer');
    expect(actions).toContain('ecs:AttachDisk');
    expect(new Set(actions).size).toBe(actions.length);
    // nothing of the route, ENI, instance or ALB-ingress statements of the upstream master policy
    for (const left of ['vpc:CreateRouteEntry', 'ecs:CreateNetworkInterface', 'ecs:StopInstance', 'alb:CreateRule']) {
      expect(actions).not.toContain(left);
    }
  });

  test('cloud integration (openstack): every cluster host gets a config drive, other groups none', () => {
    const spec: RegionSpecInput = minimalSpec('openstack', {
      network: { cidr: '10.50.0.0/16' },
      hostGroups: [
        { name: 'control', count: 3, os: 'debian-13' },
        { name: 'worker', count: 2, os: 'debian-13' },
        { name: 'other', count: 1, os: 'debian-13' },
      ],
    });
    const stack = new RegionStack(Testing.app(), 'test-infra', { spec });
    const { ranges } = planClusterRanges({ networkCidr: '10.50.0.0/16', zones: 3 });
    new KubeadmCluster(stack, 'Kubernetes', {
      name: 'test',
      controlPlane: stack.hostGroups.get('control')!,
      workers: [stack.hostGroups.get('worker')!],
      podCidr: ranges!.podCidr,
      serviceCidr: ranges!.serviceCidr,
    });
    const instances = Object.values((synthJson(stack) as Json).resource.openstack_compute_instance_v2!);
    expect(instances.map((i) => [i.name, i.config_drive])).toEqual([
      ['test-control-1', true],
      ['test-control-2', true],
      ['test-control-3', true],
      ['test-other-1', undefined],
      ['test-worker-1', true],
      ['test-worker-2', true],
    ]);
  });

  test('construct tree', () => {
    const { stack, make } = region('openstack');
    make();
    const tree = Testing.renderConstructTree(stack.node.findChild('Kubernetes'));
    expect(tree).toMatchInlineSnapshot(`
      "Kubernetes (KubeadmCluster)
      ├── ApiLoadBalancer (LoadBalancer)
          └── Resource (Construct)
              ├── Resource (LbLoadbalancerV2)
              ├── Listener-tcp-6443 (LbListenerV2)
              ├── Pool-tcp-6443 (LbPoolV2)
              ├── Monitor-tcp-6443 (LbMonitorV2)
              ├── Member-tcp-6443-1 (LbMemberV2)
              ├── Member-tcp-6443-2 (LbMemberV2)
              └── Member-tcp-6443-3 (LbMemberV2)
      ├── CloudIntegration (Construct)
          ├── Credential (IdentityApplicationCredentialV3)
          └── CloudConf (TerraformLocal)
      └── Roles (Construct)
          ├── Containerd (Containerd)
          ├── Kubelet (Kubelet)
          ├── KubeadmControlPlane (Kubeadm)
          └── KubeadmWorker (Kubeadm)
      "
    `);
  });
});
