/**
 * Secret delivery on the host: how a secret a role references reaches the daemon without ever being in
 * user data, and how the metadata service is closed to workloads. The threat model is docs/security.md.
 *
 * A role writes a file holding secret references (`secretRef('weave_password')`) as before. What cloud-init
 * writes is only that template; at every boot, `regionkit-secrets.service` (root, before Docker) fetches the
 * values from the cloud's secret store with the host's cloud identity (an instance RAM role on Alibaba Cloud,
 * a restricted application credential on OpenStack), renders each template to tmpfs under
 * `/run/regionkit/secrets` with the mode and owner the role gave the file, and makes the role's path a symlink
 * to it. Units that read such a file get a drop-in that requires the fetch.
 *
 * The metadata service (user data, and on Alibaba Cloud the role's STS credentials) is closed in two steps by
 * `regionkit-metadata-guard`: early in boot only root's own processes reach it and nothing forwarded
 * (containers, other network namespaces) does; once the secrets are fetched, nothing on the host reaches it
 * until the next boot. Both happen before docker.service and containerd.service start.
 *
 * Pure TypeScript (no cdktf): the cloud adapters supply the fetch settings, with `hostRef` placeholders for
 * values Terraform knows only at apply time.
 *
 * @see https://www.freedesktop.org/software/systemd/man/systemd.unit.html (Before=, After=, Requires=)
 * @see https://ipset.netfilter.org/iptables-extensions.man.html (owner match, REJECT)
 */
import type { CloudKind } from '../spec/region-spec.js';

import { CloudConfig, type CloudConfigFile } from './cloud-config.js';
import { FETCH_SCRIPT } from './secret-fetch-script.js';
import { secretNames } from './secret.js';
import { renderUnit } from './systemd.js';

/** tmpfs directory holding one file per secret (0600 root) and the rendered files (`files/`). */
export const SECRETS_DIR = '/run/regionkit/secrets';
/** Oneshot unit that fetches the host's secrets; units reading a secret file require it. */
export const SECRETS_UNIT = 'regionkit-secrets.service';
/** Oneshot unit, early in boot: metadata reachable only by root's own processes. */
export const METADATA_GUARD_UNIT = 'regionkit-metadata-guard.service';
/** Oneshot unit, after the fetch and before Docker: metadata reachable by nothing until the next boot. */
export const METADATA_CLOSE_UNIT = 'regionkit-metadata-close.service';
export const METADATA_GUARD_SCRIPT = '/usr/local/sbin/regionkit-metadata-guard';
export const FETCH_SCRIPT_PATH = '/usr/local/lib/regionkit/regionkit-secrets';
/** Fetch settings: secret names and store references, the files to render. Root-only; holds no secret. */
export const SECRETS_CONFIG = '/etc/regionkit/secrets.json';
/** OpenStack only: the application credential's secret (the bootstrap credential, see docs/security.md). */
export const SECRETS_CREDENTIAL = '/etc/regionkit/secrets-credential';
/** Units that must never start before the metadata service is closed: every container comes through them. */
export const WORKLOAD_RUNTIMES = ['docker.service', 'containerd.service'] as const;

/**
 * Link-local addresses of each cloud's metadata service.
 * @see https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata (100.100.100.200)
 * @see https://docs.openstack.org/nova/latest/user/metadata.html (169.254.169.254, fe80::a9fe:a9fe)
 */
export const METADATA_ADDRESSES: Readonly<Record<CloudKind, { readonly ipv4: string; readonly ipv6?: string }>> = {
  alicloud: { ipv4: '100.100.100.200' },
  openstack: { ipv4: '169.254.169.254', ipv6: 'fe80::a9fe:a9fe' },
};

/** A value Terraform fills at apply time (an adapter resolves `key` to an expression in the user data). */
export function hostRef(key: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(key)) throw new Error(`host ref ${JSON.stringify(key)} must be lower_snake_case`);
  return `__REGIONKIT_REF_${key}__`;
}

/** `text` with every `hostRef` placeholder replaced by `resolve(key)`. */
export function replaceHostRefs(text: string, resolve: (key: string) => string): string {
  return text.replace(/__REGIONKIT_REF_([a-z][a-z0-9_]{0,62})__/g, (_, key: string) => resolve(key));
}

/** Where a host fetches its secrets from; values may hold `hostRef` placeholders. */
export type SecretFetchSettings =
  | {
      readonly kind: 'alicloud';
      /** Instance RAM role whose STS credentials the metadata service hands out. */
      readonly roleName: string;
      /** KMS endpoint reachable from the VPC (`kms-vpc.<region>.aliyuncs.com`). */
      readonly endpoint: string;
      /** Role secret name → KMS secret name. */
      readonly secrets: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'openstack';
      /** Keystone v3 URL (ends in `/v3`). */
      readonly authUrl: string;
      readonly credentialId: string;
      /** The application credential's secret: written to its own root-only file, never to the JSON. */
      readonly credentialSecret: string;
      /** Role secret name → Barbican secret reference (URL). */
      readonly secrets: Readonly<Record<string, string>>;
    };

export interface SecretDeliveryProps {
  readonly cloud: CloudKind;
  /** How this host's group fetches its secrets. @default - the group has no secrets: no fetch, guard only */
  readonly fetch?: SecretFetchSettings;
}

/**
 * A cloud-config whose files holding secret references are recorded as templates for the fetch. Roles use
 * it like any `CloudConfig`; `beginSecretDelivery` must run before the roles (its units start first at first
 * boot) and `finishSecretDelivery` after them.
 */
export class HostCloudConfig extends CloudConfig {
  private readonly templates = new Map<string, CloudConfigFile>();

  public override addFile(file: CloudConfigFile): void {
    super.addFile(file);
    if (secretNames(file.content).length > 0) {
      if (!/^0[0-7]{3}$/.test(file.permissions ?? '0644') || /[0-7]{2}[1-7]$/.test(file.permissions ?? '0644')) {
        throw new Error(`cloud-config: ${file.path} holds secrets and must not be world-readable`);
      }
      this.templates.set(file.path, file);
    }
  }

  /** Files that hold secret references, by path. */
  public get secretFiles(): CloudConfigFile[] {
    return [...this.templates.values()].map((f) => ({ ...f }));
  }
}

/** Adds the metadata guard and (with secrets) the fetch unit; their starts come first in `runcmd`. */
export function beginSecretDelivery(config: HostCloudConfig, props: SecretDeliveryProps): void {
  config.addPackages('iptables');
  config.addScript(METADATA_GUARD_SCRIPT, guardScript(props.cloud));
  config.addSystemdUnit({ name: METADATA_GUARD_UNIT, content: guardUnit() });
  if (props.fetch) {
    config.addPackages('python3');
    config.addFile({ path: FETCH_SCRIPT_PATH, content: FETCH_SCRIPT, permissions: '0700' });
    config.addSystemdUnit({ name: SECRETS_UNIT, content: fetchUnit() });
    // The fetch may wait for the store up to its deadline: first boot queues it and goes on (below).
    config.startWithoutWaiting(SECRETS_UNIT);
  }
  config.addSystemdUnit({ name: METADATA_CLOSE_UNIT, content: closeUnit(props.fetch !== undefined) });
}

/**
 * Writes the fetch settings (the files to render are known once every role has configured the host) and
 * orders every unit that reads a secret file after the fetch. Throws when a file references a secret the
 * group does not fetch.
 */
export function finishSecretDelivery(config: HostCloudConfig, props: SecretDeliveryProps): void {
  const files = config.secretFiles;
  if (files.length === 0) return;
  const fetch = props.fetch;
  const known = new Set(Object.keys(fetch?.secrets ?? {}));
  for (const file of files) {
    const missing = secretNames(file.content).filter((n) => !known.has(n));
    if (missing.length > 0) {
      throw new Error(`cloud-config: ${file.path} references secrets the host does not fetch: ${missing.join(', ')}`);
    }
  }
  if (!fetch) return; // unreachable: a file with references and no fetch settings threw above
  const { credentialSecret, ...settings } = fetch.kind === 'openstack' ? fetch : { ...fetch, credentialSecret: '' };
  // Only what this host's files reference: a group's identity may read more (one etcd member's key is not
  // another's), but a host keeps only its own in tmpfs.
  const referenced = new Set(files.flatMap((f) => secretNames(f.content)));
  const json = {
    ...settings,
    secrets: Object.fromEntries(Object.entries(settings.secrets).filter(([name]) => referenced.has(name))),
    ...(fetch.kind === 'openstack' ? { credentialFile: SECRETS_CREDENTIAL } : {}),
    files: files.map((f) => ({ path: f.path, mode: f.permissions ?? '0644', owner: f.owner ?? 'root:root' })),
  };
  config.addFile({ path: SECRETS_CONFIG, content: `${JSON.stringify(json, null, 2)}\n`, permissions: '0600' });
  if (fetch.kind === 'openstack') {
    config.addFile({ path: SECRETS_CREDENTIAL, content: `${credentialSecret}\n`, permissions: '0600' });
  }
  const consumers = secretConsumers(config, files);
  for (const unit of consumers) {
    config.addSystemdDropIn(
      unit,
      '10-regionkit-secrets.conf',
      renderUnit(`${unit} reads a secret file: only after the fetch (regionkit secret delivery)`, {
        Unit: [
          ['After', SECRETS_UNIT],
          ['Requires', SECRETS_UNIT],
        ],
      }),
    );
  }
  // A unit that needs the secrets waits, at its start, for a store that may be briefly unreachable (or, on
  // first boot, for the role or credential still being attached): first boot queues its start instead of
  // waiting, so cloud-init never blocks on the store or reports its error; systemd starts the unit once the
  // fetch is done, or marks it failed (`systemctl --failed`) when the fetch gives up.
  for (const unit of secretGated(config, consumers)) config.startWithoutWaiting(unit);
}

/**
 * The units that cannot start without the fetch: `consumers` and every unit of the host that requires one of
 * them (`Requires=`, `BindsTo=`, `Requisite=` in its file or a drop-in), transitively.
 */
export function secretGated(config: CloudConfig, consumers: readonly string[]): string[] {
  const prefix = '/etc/systemd/system/';
  const deps = new Map<string, string[]>();
  for (const f of config.fileList) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const unit = rest.includes('/') ? rest.slice(0, rest.indexOf('/')).replace(/\.d$/, '') : rest;
    const required = [...f.content.matchAll(/^(?:Requires|BindsTo|Requisite)=(.*)$/gm)].flatMap((m) =>
      m[1]!.trim().split(/\s+/),
    );
    deps.set(unit, [...(deps.get(unit) ?? []), ...required]);
  }
  const gated = new Set([SECRETS_UNIT, ...consumers]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [unit, required] of deps) {
      if (!gated.has(unit) && required.some((r) => gated.has(r))) {
        gated.add(unit);
        grew = true;
      }
    }
  }
  gated.delete(SECRETS_UNIT);
  return [...gated].sort();
}

/** Units whose file names a secret file, or a script that does. */
function secretConsumers(config: CloudConfig, secretFiles: readonly CloudConfigFile[]): string[] {
  const all = config.fileList;
  const secretPaths = secretFiles.map((f) => f.path);
  const readers = all
    .filter((f) => !secretPaths.includes(f.path) && secretPaths.some((p) => f.content.includes(p)))
    .map((f) => f.path);
  const unitPrefix = '/etc/systemd/system/';
  return all
    .filter((f) => f.path.startsWith(unitPrefix) && !f.path.slice(unitPrefix.length).includes('/'))
    .filter((f) => [...secretPaths, ...readers].some((p) => f.content.includes(p)))
    .map((f) => f.path.slice(unitPrefix.length))
    .filter((name) => name !== SECRETS_UNIT)
    .sort();
}

function guardScript(cloud: CloudKind): string {
  const { ipv4, ipv6 } = METADATA_ADDRESSES[cloud];
  return `#!/bin/sh
# regionkit secret delivery: closes the ${cloud} metadata service to workloads (docs/security.md).
#   early  only root's own processes reach it; nothing forwarded (containers, other namespaces) does
#   close  nothing on the host reaches it until the next boot (run once the secrets are fetched)
set -eu
phase=\${1:-}
case $phase in
  early | close) ;;
  *)
    echo "usage: $0 early|close" >&2
    exit 2
    ;;
esac
chain=REGIONKIT-METADATA

# $1: iptables or ip6tables, $2: the metadata address
guard() {
  ipt=$1
  addr=$2
  "$ipt" -w -N "$chain" 2>/dev/null || "$ipt" -w -F "$chain"
  if [ "$phase" = early ]; then
    "$ipt" -w -A "$chain" -m owner --uid-owner 0 -j RETURN
  fi
  "$ipt" -w -A "$chain" -j REJECT
  "$ipt" -w -C OUTPUT -d "$addr" -j "$chain" 2>/dev/null || "$ipt" -w -I OUTPUT 1 -d "$addr" -j "$chain"
  # Packets from containers and other namespaces arrive through PREROUTING, whatever the bridge or CNI;
  # the raw table sees them before Docker's own FORWARD and DOCKER-USER rules.
  "$ipt" -w -t raw -C PREROUTING -d "$addr" -j DROP 2>/dev/null ||
    "$ipt" -w -t raw -I PREROUTING 1 -d "$addr" -j DROP
}

guard iptables ${ipv4}
${ipv6 ? `guard ip6tables ${ipv6}\n` : ''}`;
}

function guardUnit(): string {
  return renderUnit('regionkit secret delivery: metadata service closed to non-root processes and containers', {
    Unit: [
      ['Description', 'Close the cloud metadata service to non-root processes and containers (regionkit)'],
      ['DefaultDependencies', false],
      ['After', 'local-fs.target'],
      ['Before', `network-pre.target ${WORKLOAD_RUNTIMES.join(' ')}`],
      ['Wants', 'network-pre.target'],
    ],
    Service: [
      ['Type', 'oneshot'],
      ['RemainAfterExit', true],
      ['ExecStart', `${METADATA_GUARD_SCRIPT} early`],
    ],
    Install: [['WantedBy', 'sysinit.target']],
  });
}

function fetchUnit(): string {
  return renderUnit("regionkit secret delivery: fetch this host's secrets into /run/regionkit/secrets", {
    Unit: [
      ['Description', "Fetch this host's secrets from the cloud secret store (regionkit)"],
      ['Wants', 'network-online.target'],
      // cloud-init.service reads the metadata service on every boot; it must be done before it is closed.
      ['After', `network-online.target cloud-init.service ${METADATA_GUARD_UNIT}`],
      ['Requires', METADATA_GUARD_UNIT],
      ['Before', `${METADATA_CLOSE_UNIT} ${WORKLOAD_RUNTIMES.join(' ')}`],
    ],
    Service: [
      ['Type', 'oneshot'],
      ['RemainAfterExit', true],
      ['UMask', '0077'],
      // The fetch retries for 15 minutes: on first boot the role or credential may still be being attached.
      ['TimeoutStartSec', '20min'],
      ['ExecStart', `/usr/bin/python3 ${FETCH_SCRIPT_PATH} ${SECRETS_CONFIG}`],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}

function closeUnit(afterFetch: boolean): string {
  return renderUnit('regionkit secret delivery: metadata service closed to every process until the next boot', {
    Unit: [
      ['Description', 'Close the cloud metadata service to every process until the next boot (regionkit)'],
      ['After', ['cloud-init.service', METADATA_GUARD_UNIT, ...(afterFetch ? [SECRETS_UNIT] : [])].join(' ')],
      ['Requires', METADATA_GUARD_UNIT],
      ['Before', WORKLOAD_RUNTIMES.join(' ')],
    ],
    Service: [
      ['Type', 'oneshot'],
      ['RemainAfterExit', true],
      ['ExecStart', `${METADATA_GUARD_SCRIPT} close`],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}
