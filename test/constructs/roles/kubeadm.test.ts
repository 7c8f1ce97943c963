import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import { engineDir, kubernetesPaths } from '../../../bin/engine/layout.js';
import { Apt } from '../../../constructs/roles/apt.js';
import {
  CNI_BIN_DIR,
  CONTAINERD_CONFIG,
  Containerd,
  KUBEADM_PAUSE_IMAGE,
} from '../../../constructs/roles/containerd.js';
import { KUBEADM_SECRETS } from '../../../constructs/roles/kubeadm-pki.js';
import {
  KUBEADM_DISCOVERY_CA,
  KUBEADM_DISCOVERY_KUBECONFIG,
  KUBEADM_INIT_CONFIG,
  KUBEADM_JOIN_CONFIG,
  KUBEADM_SCRIPT,
  KUBEADM_SHARED_PKI_FILES,
  KUBEADM_UNIT,
  Kubeadm,
  KUBERNETES_PKI_DIR,
} from '../../../constructs/roles/kubeadm.js';
import {
  Kubelet,
  KUBERNETES_MODULES_FILE,
  KUBERNETES_PACKAGES_SCRIPT,
  KUBERNETES_PACKAGES_TRIES,
  KUBERNETES_PACKAGES_TRIES_ENV,
  KUBERNETES_PACKAGES_UNIT,
} from '../../../constructs/roles/kubelet.js';
import { SECRETS_CONFIG } from '../../../lib/cloudinit/secret-delivery.js';
import { PACKAGE_ROOT } from '../../../lib/providers/paths.js';
import { KUBERNETES_BUILD } from '../../../lib/versions.js';
import { checkCloudConfig, checkShell, checkUnits } from '../../checkers/checks.js';
import { runChecker, testWith } from '../../checkers/tools.js';
import { fileOf, renderAll, roleFixture, ruleLines } from '../../role-helpers.js';

const ENDPOINT = '10.0.0.5';

/**
 * A control-plane group of `count` and a worker group of 2, with the three roles each, on `cloud`; kubelets with
 * the external cloud provider on OpenStack, as KubeadmCluster makes them there (its adapter has a CCM integration).
 */
function cluster(
  count = 3,
  cloud: 'alicloud' | 'openstack' = 'openstack',
  externalCloudProvider: boolean = cloud === 'openstack',
) {
  const f = roleFixture(cloud);
  const control = f.group('control', count, 'debian-13');
  const workers = f.group('worker', 2, 'debian-13');
  const common = {
    clusterName: 'test',
    endpointAddress: ENDPOINT,
    podSubnet: '10.244.0.0/16',
    serviceSubnet: '10.96.0.0/16',
    externalCloudProvider,
  };
  const apt = new Apt(f.stack, 'Apt');
  const containerd = new Containerd(f.stack, 'Containerd');
  const kubelet = new Kubelet(f.stack, 'Kubelet');
  const controlRole = new Kubeadm(f.stack, 'KubeadmControl', { ...common, nodeRole: 'control-plane' });
  const workerRole = new Kubeadm(f.stack, 'KubeadmWorker', { ...common, nodeRole: 'worker' });
  for (const g of [control, workers]) {
    g.joinCluster('test', [control, workers]);
    g.addRole(apt);
    g.addRole(containerd);
    g.addRole(kubelet);
    g.addRole(g === control ? controlRole : workerRole);
  }
  return { f, control, workers };
}

/** Every file of a rendered cloud-config. */
function filesOf(doc: string): { path: string; content: string; permissions: string }[] {
  return (parse(doc) as { write_files: { path: string; content: string; permissions: string }[] }).write_files;
}

/** The systemd units and drop-ins a cloud-config writes, as `checkUnits` takes them. */
function unitsOf(doc: string): { name: string; content: string }[] {
  const prefix = '/etc/systemd/system/';
  return filesOf(doc)
    .filter((f) => f.path.startsWith(prefix))
    .map((f) => ({ name: f.path.slice(prefix.length), content: f.content }));
}

// ---------------------------------------------------------------------------------------------------------------
// kubeadm's configuration types at the pinned version: field names as test data (see the fixture's $comment)

interface FieldsFixture {
  readonly v1beta4: Record<string, string[]>;
  readonly bootstraptokenV1: Record<string, string[]>;
}
const FIELDS = JSON.parse(
  readFileSync(path.join(PACKAGE_ROOT, 'test/fixtures/kubeadm-v1beta4-fields.json'), 'utf8'),
) as FieldsFixture;
const TYPES: Record<string, string[]> = { ...FIELDS.v1beta4, ...FIELDS.bootstraptokenV1 };
/** Which Go type a field of a type holds (only the ones the rendered files use); `[]` marks a list. */
const FIELD_TYPES: Record<string, Record<string, string>> = {
  InitConfiguration: {
    bootstrapTokens: 'BootstrapToken[]',
    nodeRegistration: 'NodeRegistrationOptions',
    localAPIEndpoint: 'APIEndpoint',
  },
  ClusterConfiguration: { networking: 'Networking', apiServer: 'APIServer' },
  JoinConfiguration: {
    nodeRegistration: 'NodeRegistrationOptions',
    discovery: 'Discovery',
    controlPlane: 'JoinControlPlane',
  },
  NodeRegistrationOptions: { kubeletExtraArgs: 'Arg[]' },
  Discovery: { file: 'FileDiscovery', bootstrapToken: 'BootstrapTokenDiscovery' },
  JoinControlPlane: { localAPIEndpoint: 'APIEndpoint' },
};

/** Field names of a Go type, with its inlined structs' (TypeMeta: apiVersion, kind). */
function fieldsOf(type: string): string[] {
  const own = TYPES[type];
  if (!own) throw new Error(`no type ${type} in the fixture`);
  return own.flatMap((f) => {
    const inline = /^\(inline (?:metav1\.)?(\w+)\)$/.exec(f);
    if (!inline) return [f];
    return inline[1] === 'TypeMeta' ? ['apiVersion', 'kind'] : fieldsOf(inline[1]!);
  });
}

/** Every key of `value` (a `type`) that kubeadm's types do not have, as `path: key`. */
function unknownFields(value: unknown, type: string, at: string): string[] {
  const list = type.endsWith('[]');
  const base = type.replace(/\[\]$/, '');
  if (list) return (value as unknown[]).flatMap((v, i) => unknownFields(v, base, `${at}[${i}]`));
  const known = fieldsOf(base);
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    if (!known.includes(key)) return [`${at}.${key} (${base})`];
    const sub = FIELD_TYPES[base]?.[key];
    return sub ? unknownFields(v, sub, `${at}.${key}`) : [];
  });
}

/** Checks every document of a kubeadm configuration file against the fixture; returns the problems. */
function kubeadmFieldProblems(text: string): string[] {
  return parseAllDocuments(text).flatMap((d, i) => {
    const doc = d.toJS() as { apiVersion: string; kind: string };
    if (doc.apiVersion !== 'kubeadm.k8s.io/v1beta4') return [`document ${i}: apiVersion ${doc.apiVersion}`];
    return unknownFields(doc, doc.kind, doc.kind);
  });
}

describe('kubeadm configuration files', () => {
  test('the fixture holds the v1beta4 types the files use, from k8s.io/kubernetes v1.36.3', () => {
    expect(FIELDS).toMatchObject({ source: 'k8s.io/kubernetes@v1.36.3' });
    expect(fieldsOf('JoinConfiguration')).toContain('discovery');
    expect(fieldsOf('Discovery')).toEqual(['bootstrapToken', 'file', 'tlsBootstrapToken']);
  });

  test('the field checker catches a misspelt field', () => {
    const text = 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery:\n  files: {}\n';
    expect(kubeadmFieldProblems(text)).toEqual(['JoinConfiguration.discovery.files (Discovery)']);
  });

  test('init and join configurations use only fields of kubeadm.k8s.io/v1beta4', () => {
    const { control, workers } = cluster();
    const first = renderAll(control)[0]!;
    const init = fileOf(first, KUBEADM_INIT_CONFIG).content;
    expect(parseAllDocuments(init).map((d) => (d.toJS() as { kind: string }).kind)).toEqual([
      'InitConfiguration',
      'ClusterConfiguration',
    ]);
    expect(kubeadmFieldProblems(init)).toEqual([]);
    for (const doc of [...renderAll(control), ...renderAll(workers)]) {
      expect(kubeadmFieldProblems(fileOf(doc, KUBEADM_JOIN_CONFIG).content)).toEqual([]);
    }
  });

  test('the first control-plane host may create the cluster: endpoint, ranges, token, its own address', () => {
    const { control } = cluster();
    const init = parseAllDocuments(fileOf(renderAll(control)[0]!, KUBEADM_INIT_CONFIG).content).map((d) =>
      d.toJS(),
    ) as Record<string, unknown>[];
    expect(init[0]).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'InitConfiguration',
      bootstrapTokens: [
        {
          token:
            '__REGIONKIT_SECRET_kubernetes_bootstrap_token_id__.__REGIONKIT_SECRET_kubernetes_bootstrap_token_secret__',
          description: 'regionkit: nodes of test join with it',
          ttl: '0s',
          usages: ['signing', 'authentication'],
          groups: ['system:bootstrappers:kubeadm:default-node-token'],
        },
      ],
      nodeRegistration: {
        name: 'test-control-1',
        criSocket: 'unix:///run/containerd/containerd.sock',
        kubeletExtraArgs: [
          { name: 'node-ip', value: '10.0.0.16' },
          { name: 'cloud-provider', value: 'external' },
        ],
      },
      localAPIEndpoint: { advertiseAddress: '10.0.0.16', bindPort: 6443 },
    });
    expect(init[1]).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'ClusterConfiguration',
      clusterName: 'test',
      kubernetesVersion: 'stable-1.36',
      controlPlaneEndpoint: '10.0.0.5:6443',
      networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' },
      apiServer: { certSANs: ['10.0.0.5'] },
    });
  });

  test('only the first control-plane host has an init configuration; every host a join configuration', () => {
    const { control, workers } = cluster();
    const docs = renderAll(control);
    expect(() => fileOf(docs[0]!, KUBEADM_INIT_CONFIG)).not.toThrow();
    for (const doc of [...docs.slice(1), ...renderAll(workers)]) {
      expect(() => fileOf(doc, KUBEADM_INIT_CONFIG)).toThrow(/no file/);
    }
    const join = (doc: string) => parse(fileOf(doc, KUBEADM_JOIN_CONFIG).content) as Record<string, unknown>;
    expect(join(docs[1]!)).toMatchObject({
      controlPlane: { localAPIEndpoint: { advertiseAddress: '10.0.16.16', bindPort: 6443 } },
      discovery: { file: { kubeConfigPath: KUBEADM_DISCOVERY_KUBECONFIG } },
    });
    const worker = join(renderAll(workers)[1]!);
    expect(worker).not.toHaveProperty('controlPlane');
    expect(worker).toMatchObject({
      nodeRegistration: {
        name: 'test-worker-2',
        kubeletExtraArgs: [
          { name: 'node-ip', value: workers.hosts[1]!.privateIp },
          { name: 'cloud-provider', value: 'external' },
        ],
      },
      discovery: {
        tlsBootstrapToken:
          '__REGIONKIT_SECRET_kubernetes_bootstrap_token_id__.__REGIONKIT_SECRET_kubernetes_bootstrap_token_secret__',
      },
    });
  });

  test('file discovery: the endpoint and the delivered CA, no credentials, no skipped verification', () => {
    const doc = renderAll(cluster().workers)[0]!;
    const kubeconfig = parse(fileOf(doc, KUBEADM_DISCOVERY_KUBECONFIG).content) as Record<string, unknown>;
    expect(kubeconfig).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'test', cluster: { server: 'https://10.0.0.5:6443', 'certificate-authority': KUBEADM_DISCOVERY_CA } },
      ],
      users: [{ name: 'discovery', user: {} }],
      contexts: [{ name: 'discovery', context: { cluster: 'test', user: 'discovery' } }],
      'current-context': 'discovery',
    });
    expect(doc).not.toContain('unsafeSkipCAVerification');
  });

  for (const cloud of ['openstack', 'alicloud'] as const) {
    testWith(
      process.env.REGIONKIT_KUBEADM ?? kubeadmCachePath(),
      `kubeadm config validate accepts the init and join configurations (${cloud}, external cloud provider)`,
      async () => {
        const kubeadm = process.env.REGIONKIT_KUBEADM ?? kubeadmCachePath();
        // both clouds' kubeadm clusters have a CCM: kubelets get cloud-provider external and node-ip, no provider-id
        const { control, workers } = cluster(3, cloud, true);
        const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-kubeadm-'));
        // a stand-in token of the right form and the CA file discovery reads
        // the discovery kubeconfig must be a file on disk when kubeadm validates (cmd/kubeadm/app/apis/kubeadm/
        // validation: "not a valid HTTPS URL or a file on disk"): the rendered one, written where the test runs
        const discovery = path.join(dir, 'discovery.conf');
        await writeFile(discovery, fileOf(renderAll(workers)[0]!, KUBEADM_DISCOVERY_KUBECONFIG).content);
        const fill = (text: string) =>
          text
            .replaceAll(KUBEADM_DISCOVERY_KUBECONFIG, discovery)
            .replace('__REGIONKIT_SECRET_kubernetes_bootstrap_token_id__', 'abcdef')
            .replace('__REGIONKIT_SECRET_kubernetes_bootstrap_token_secret__', '0123456789abcdef')
            .replace(/^kubernetesVersion: .*$/m, 'kubernetesVersion: v1.36.0');
        const files = [
          ['init.yaml', fileOf(renderAll(control)[0]!, KUBEADM_INIT_CONFIG).content],
          ['join-control.yaml', fileOf(renderAll(control)[1]!, KUBEADM_JOIN_CONFIG).content],
          ['join-worker.yaml', fileOf(renderAll(workers)[0]!, KUBEADM_JOIN_CONFIG).content],
        ] as const;
        for (const [name, text] of files) {
          expect(text).toMatch(/ {4}- name: cloud-provider\n {6}value: external\n/);
          expect(text).not.toContain('provider-id');
          const file = path.join(dir, name);
          await writeFile(file, fill(text));
          const { ok, output } = await runChecker(kubeadm, ['config', 'validate', '--config', file]);
          expect(output).not.toMatch(/unknown field|error/i);
          expect(ok, output).toBe(true);
        }
      },
      60_000,
    );
  }
});

/** kubeadm as `.ci/engine.sh` builds it into the engine cache (lib/versions.ts KUBERNETES_BUILD). */
function kubeadmCachePath(): string {
  return kubernetesPaths(engineDir(), KUBERNETES_BUILD.version).kubeadm;
}

// ---------------------------------------------------------------------------------------------------------------

describe('containerd role', () => {
  test('config.toml: systemd cgroup driver, kubeadm 1.36 pause image, CNI in /opt/cni/bin', () => {
    const doc = renderAll(cluster().workers)[0]!;
    const file = fileOf(doc, CONTAINERD_CONFIG);
    expect(file.defer).toBe(true);
    expect(file.content).toMatch(/^ {4}SystemdCgroup = true$/m);
    expect(file.content).toContain(`sandbox_image = "${KUBEADM_PAUSE_IMAGE}"`);
    expect(file.content).toContain(`bin_dir = "${CNI_BIN_DIR}"`);
    expect(doc).toContain('- containerd\n');
  });

  const containerd = containerdBinary();
  testWith(
    containerd,
    '`containerd config dump` (Debian 13) reads every setting of the rendered config.toml',
    async () => {
      const content = fileOf(renderAll(cluster().workers)[0]!, CONTAINERD_CONFIG).content;
      const problems = await containerdConfigProblems(containerd, content);
      expect(problems).toEqual([]);
    },
  );

  testWith(
    containerd,
    'the containerd check catches a key containerd does not know, also in runtime options',
    async () => {
      const bad =
        'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_images = "x"\n' +
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroups = true\n';
      expect(await containerdConfigProblems(containerd, bad)).toEqual([
        'plugins."io.containerd.grpc.v1.cri".sandbox_images: unknown to this containerd',
        'plugins."io.containerd.grpc.v1.cri".sandbox_images: dumped as undefined, not "x"',
        'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options.SystemdCgroups: unknown to this containerd',
      ]);
    },
  );

  test('fails if the sandbox image is not an image reference', () => {
    const f = roleFixture();
    expect(() => new Containerd(f.stack, 'C', { sandboxImage: 'pause 3.10' })).toThrow(
      'test/C: sandboxImage must be an image reference, got pause 3.10',
    );
  });

  test('fails on a Debian 12 group', () => {
    const f = roleFixture();
    const g = f.group('old', 1, 'debian-12');
    g.addRole(new Apt(f.stack, 'Apt'));
    g.addRole(new Containerd(f.stack, 'Containerd'));
    expect(() => renderAll(g)).toThrow(/runs debian-12; the containerd role is made for Debian 13's containerd/);
  });
});

/** Debian 13's containerd, unpacked by .ci/install-containerd.sh (never installed). */
function containerdBinary(): string {
  const cache = process.env.REGIONKIT_CACHE ?? path.join(os.homedir(), '.cache/regionkit');
  const bin = path.join(cache, 'containerd/current/usr/bin/containerd');
  return existsSync(bin) ? realpathSync(bin) : bin;
}

/**
 * Problems of a config.toml as the real containerd reads it: it must load (`config dump` exits 0), every key must be
 * one `config default` prints in the same table (containerd drops unknown keys of its own tables silently, and
 * keeps any key in a runtime's free-form `options`), and `config dump` must give back each value we set.
 */
async function containerdConfigProblems(containerd: string, content: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-containerd-'));
  const file = path.join(dir, 'config.toml');
  await writeFile(file, content);
  const dump = await runChecker(containerd, ['--config', file, 'config', 'dump']);
  if (!dump.ok) return [dump.output];
  const defaults = await runChecker(containerd, ['config', 'default']);
  if (!defaults.ok) return [defaults.output];
  const known = tomlSettings(defaults.output);
  const dumped = tomlSettings(dump.output);
  return Object.entries(tomlSettings(content)).flatMap(([key, value]) => [
    ...(key in known ? [] : [`${key}: unknown to this containerd`]),
    ...(dumped[key] === value ? [] : [`${key}: dumped as ${dumped[key]}, not ${value}`]),
  ]);
}

/** `table.key` → value of a TOML file as containerd writes it (tables, `key = value` lines; no inline tables). */
function tomlSettings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let table = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      table = header[1]!;
      continue;
    }
    const kv = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (kv) out[table ? `${table}.${kv[1]}` : kv[1]!] = kv[2]!;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

describe('kubelet role', () => {
  test('installs kubelet, kubeadm and kubectl 1.36 from pkgs.k8s.io, held, after fetching the key', () => {
    const doc = renderAll(cluster().workers)[0]!;
    const script = fileOf(doc, KUBERNETES_PACKAGES_SCRIPT).content;
    expect(script).toContain('repo=https://pkgs.k8s.io/core:/stable:/v1.36/deb/\n');
    expect(script).toContain('"${repo}Release.key"');
    expect(script).toContain('Suites: /\nSigned-By: $keyring\n');
    expect(script).toContain('apt-get install -y -qq --no-install-recommends kubelet kubeadm kubectl\n');
    expect(script).toContain('apt-mark hold kubelet kubeadm kubectl');
    // the repository is not a cloud-init apt source: its missing key would fail cloud-init's own apt-get update
    expect(parse(doc)).not.toHaveProperty('apt.sources');
    const modules = fileOf(doc, KUBERNETES_MODULES_FILE).content;
    // modules-load.d(5): comments (# or ;) and one module name per line
    const lines = modules.split('\n').filter((l) => l !== '' && !/^[#;]/.test(l));
    expect(lines).toEqual(['overlay', 'br_netfilter']);
    expect(fileOf(doc, '/etc/sysctl.d/60-regionkit.conf').content).toContain('net.ipv4.ip_forward = 1\n');
  });

  test('runcmd never waits for the download or kubeadm: enabled, then started with --no-block, once each', () => {
    // A blocking start (`enable --now`) held up cloud-init's runcmd for the whole retry time of the download when
    // pkgs.k8s.io did not answer, and the `start --no-block` after it ran the download a second time.
    for (const doc of [...renderAll(cluster().control), ...renderAll(cluster().workers)]) {
      const runcmd = (parse(doc) as { runcmd: string[][] }).runcmd;
      for (const unit of [KUBERNETES_PACKAGES_UNIT, KUBEADM_UNIT]) {
        expect(runcmd.filter((c) => c.includes(unit))).toEqual([
          ['systemctl', 'enable', unit],
          ['systemctl', 'start', '--no-block', unit],
        ]);
      }
    }
  });

  test('each download is tried 30 times, 30 s apart, unless the environment says otherwise', () => {
    const script = fileOf(renderAll(cluster().workers)[0]!, KUBERNETES_PACKAGES_SCRIPT).content;
    expect(KUBERNETES_PACKAGES_TRIES).toBe(30);
    expect(script).toContain(
      `if [ "$tries" -ge "\${${KUBERNETES_PACKAGES_TRIES_ENV}:-30}" ]; then\n` +
        '      echo "regionkit-kubernetes-packages: giving up: $*" >&2\n      return 1\n    fi\n    sleep 30\n',
    );
  });

  test('the minor follows the prop', () => {
    const f = roleFixture();
    const g = f.group('w', 1, 'debian-13');
    for (const r of [
      new Apt(f.stack, 'Apt'),
      new Containerd(f.stack, 'C'),
      new Kubelet(f.stack, 'K', { minor: '1.35' }),
    ])
      g.addRole(r);
    expect(fileOf(renderAll(g)[0]!, KUBERNETES_PACKAGES_SCRIPT).content).toContain('/core:/stable:/v1.35/deb/');
  });

  test('fails if the minor is not a minor version', () => {
    const f = roleFixture();
    expect(() => new Kubelet(f.stack, 'K', { minor: '1.36.3' })).toThrow(
      'test/K: minor must be a Kubernetes minor version such as 1.36, got 1.36.3',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('kubeadm role', () => {
  test('control-plane hosts get the shared PKI files as secret references, 0600; workers only the CA', () => {
    const { control, workers } = cluster();
    for (const doc of renderAll(control)) {
      for (const [file, name] of KUBEADM_SHARED_PKI_FILES) {
        expect(fileOf(doc, `${KUBERNETES_PKI_DIR}/${file}`)).toMatchObject({
          content: `__REGIONKIT_SECRET_${name}__`,
          permissions: '0600',
        });
      }
    }
    for (const doc of renderAll(workers)) {
      // kubeadm join's preflight wants no ca.crt in /etc/kubernetes/pki on a worker
      expect(filesOf(doc).filter((f) => f.path.startsWith(KUBERNETES_PKI_DIR))).toEqual([]);
      const fetched = Object.keys(
        (JSON.parse(fileOf(doc, SECRETS_CONFIG).content) as { secrets: Record<string, string> }).secrets,
      ).sort();
      expect(fetched).toEqual(
        [KUBEADM_SECRETS.bootstrapTokenId, KUBEADM_SECRETS.bootstrapTokenSecret, KUBEADM_SECRETS.caCert].sort(),
      );
    }
  });

  test('every file holding a secret reference is 0600 and the kubeadm unit runs only after the fetch', () => {
    const { control } = cluster();
    const doc = renderAll(control)[0]!;
    const templates = filesOf(doc).filter((f) =>
      /^__REGIONKIT_SECRET_|: __REGIONKIT_SECRET_|"__REGIONKIT_SECRET_/m.test(f.content),
    );
    expect(templates.length).toBeGreaterThan(8);
    for (const f of templates) expect(f.permissions, f.path).toBe('0600');
    expect(fileOf(doc, `/etc/systemd/system/${KUBEADM_UNIT}.d/10-regionkit-secrets.conf`).content).toContain(
      'After=regionkit-secrets.service\nRequires=regionkit-secrets.service\n',
    );
  });

  test('the first control-plane host creates the cluster only when the endpoint serves none; others join', () => {
    const { control, workers } = cluster();
    const docs = renderAll(control);
    const first = fileOf(docs[0]!, KUBEADM_SCRIPT).content;
    expect(first).toContain('if ! cluster_up; then');
    expect(first).toContain('exec kubeadm init --config /run/regionkit/kubeadm/init.yaml');
    expect(first).toContain(`exec kubeadm join --config ${KUBEADM_JOIN_CONFIG}\n`);
    for (const doc of [docs[1]!, ...renderAll(workers)]) {
      const script = fileOf(doc, KUBEADM_SCRIPT).content;
      expect(script).not.toContain('exec kubeadm init');
      expect(script).toContain(`exec kubeadm join --config ${KUBEADM_JOIN_CONFIG}\n`);
    }
  });

  test.each(['openstack', 'alicloud'] as const)(
    'opens 6443 through the load balancer, etcd among control-plane hosts, kubelet and VXLAN in the cluster; node ports to the region only with a CCM (%s)',
    (cloud) => {
      const { control, workers } = cluster(3, cloud);
      // OpenStack's hosts run with the external cloud provider (cluster()), whose load balancers reach node ports
      const nodePorts = cloud === 'openstack' ? ['tcp/30000-32767 10.0.0.0/16'] : [];
      expect(ruleLines(control)).toEqual([
        'tcp/10250 test-control',
        'tcp/10250 test-worker',
        'tcp/2379-2380 test-control',
        'udp/8472 test-control',
        'udp/8472 test-worker',
        ...nodePorts,
      ]);
      expect(ruleLines(workers)).toEqual([
        'tcp/10250 test-control',
        'tcp/10250 test-worker',
        'udp/8472 test-control',
        'udp/8472 test-worker',
        ...nodePorts,
      ]);
    },
  );

  test('fails if the endpoint is not an IPv4 address', () => {
    const f = roleFixture();
    expect(
      () =>
        new Kubeadm(f.stack, 'K', {
          nodeRole: 'worker',
          clusterName: 'test',
          endpointAddress: '${openstack_lb.vip}',
          podSubnet: '10.244.0.0/16',
          serviceSubnet: '10.96.0.0/16',
        }),
    ).toThrow("test/K: endpointAddress must be the load balancer's private IPv4 address, got ${openstack_lb.vip}");
  });

  test('cloud-config of the first control-plane host', () => {
    expect(renderAll(cluster().control)[0]).toMatchSnapshot();
  });

  testWith('cloud-init', 'cloud-init accepts the cloud-configs of a control-plane host and a worker', async () => {
    const { control, workers } = cluster();
    for (const doc of [renderAll(control)[0]!, renderAll(control)[1]!, renderAll(workers)[0]!]) {
      expect(await checkCloudConfig(doc)).toBe('');
    }
  });

  testWith('shellcheck', 'shellcheck accepts the packages and kubeadm scripts', async () => {
    const { control, workers } = cluster();
    for (const doc of [renderAll(control)[0]!, renderAll(control)[1]!, renderAll(workers)[0]!]) {
      for (const script of [KUBERNETES_PACKAGES_SCRIPT, KUBEADM_SCRIPT]) {
        expect(await checkShell(script, fileOf(doc, script).content)).toBe('');
      }
    }
  });

  testWith(
    'systemd-analyze',
    'checkUnits catches a unit ordered after cloud-final but wanted by multi-user',
    async () => {
      const unit = {
        name: 'late.service',
        content:
          '[Unit]\nDescription=late\nAfter=cloud-final.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n' +
          '[Install]\nWantedBy=multi-user.target\n',
      };
      expect(await checkUnits([unit])).toBe(
        'ordering cycle once enabled: late.service after cloud-final.service after multi-user.target after late.service',
      );
    },
  );

  testWith('systemd-analyze', 'systemd-analyze verify accepts the units and drop-ins', async () => {
    const { control, workers } = cluster();
    for (const doc of [renderAll(control)[0]!, renderAll(workers)[0]!]) {
      const units = unitsOf(doc);
      expect(units.map((u) => u.name)).toEqual(expect.arrayContaining([KUBEADM_UNIT, KUBERNETES_PACKAGES_UNIT]));
      expect(await checkUnits(units)).toBe('');
    }
  });
});
