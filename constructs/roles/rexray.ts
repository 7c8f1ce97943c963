/**
 * `rexray`: a REX-Ray Docker volume plugin (Docker managed plugin, `docker plugin install`), so containers
 * get volumes that outlive the host: `docker volume create --driver rexray ...`, or Marathon apps with
 * external volumes. The plugin is installed under the alias `rexray` whatever the driver, so apps name one
 * driver on every cloud.
 *
 * - `cinder` (OpenStack): block volumes from Cinder, attached to the host that mounts them.
 * - `s3fs`: a bucket of an S3-compatible object store mounted with s3fs (FUSE). REX-Ray has no Alibaba Cloud
 *   disk driver; on Alibaba Cloud this driver against OSS's S3-compatible endpoint is the option. That is file
 *   storage on object storage, not block storage: no atomic renames, slow small writes, no databases.
 *
 * Settings go to a root-only file; a script installs the plugin with them once (the plugin starts as soon
 * as it is installed, so they cannot be set later) and does nothing when it is there. It runs from a one-shot
 * unit, so a boot with Docker Hub out of reach is retried; plugins are pulled from Docker Hub directly
 * (registry mirrors do not serve plugins).
 *
 * @see https://rexray.readthedocs.io/en/stable/user-guide/schedulers/docker/plug-ins/
 * @see https://docs.docker.com/reference/cli/docker/plugin/install/
 */
import type { Construct } from 'constructs';

import type { CloudConfig } from '../../lib/cloudinit/cloud-config.js';
import { secretRef } from '../../lib/cloudinit/secret.js';
import { renderUnit } from '../../lib/cloudinit/systemd.js';
import { SpecError } from '../../lib/errors.js';
import { checkPattern, checkPinnedImage } from '../../lib/validate.js';

import { HostRole, type HostContext } from './host-role.js';

export interface RexrayProps {
  /** Storage driver: `cinder` (OpenStack block volumes) or `s3fs` (S3-compatible buckets, e.g. Alibaba OSS). */
  readonly driver: 'cinder' | 's3fs';
  /** The plugin to install, pinned: `rexray/cinder:<version>` or `rexray/s3fs:0.11.4`, matching `driver`. */
  readonly pluginImage: string;

  /** cinder: Keystone URL (`https://keystone.example.com:5000/v3`). @default - none; required with cinder */
  readonly authUrl?: string;
  /** cinder: user the plugin logs in as; its password is the secret `rexray_cinder_password`. @default - none; required with cinder */
  readonly username?: string;
  /** cinder: project (tenant) the volumes belong to. @default - none; required with cinder */
  readonly projectName?: string;
  /** cinder: Keystone domain of the user and the project. @default 'Default' */
  readonly domainName?: string;
  /** cinder: OpenStack region. @default - the cloud's only region */
  readonly regionName?: string;
  /**
   * cinder: the Cinder availability zone of each network zone, in zone order; each host creates volumes in
   * its own zone's, so they can be attached to it.
   * @default - Cinder's default zone
   */
  readonly availabilityZones?: readonly string[];

  /**
   * s3fs: the object store's S3-compatible endpoint host (`s3.oss-cn-hangzhou-internal.aliyuncs.com` on
   * Alibaba OSS), reached over HTTPS. It serves both the plugin's API calls (`S3FS_ENDPOINT`) and the FUSE
   * mounts (`url=` in `S3FS_OPTIONS`).
   * @default - none; required with s3fs
   */
  readonly endpoint?: string;
  /** s3fs: the store's region name. @default - none; required with s3fs */
  readonly region?: string;
  /** s3fs: access key id; its secret key is the secret `rexray_s3fs_secret_key`. @default - none; required with s3fs */
  readonly accessKeyId?: string;
  /**
   * s3fs: address buckets as `<bucket>.<endpoint>` instead of `<endpoint>/<bucket>`. Alibaba OSS accepts
   * only this virtual-hosted style.
   * @default false
   */
  readonly virtualHostedStyle?: boolean;
}

/** Docker's name of the installed plugin, and the volume driver name apps use. */
export const REXRAY_ALIAS = 'rexray';
export const REXRAY_ENV = '/etc/rexray/plugin.env';
export const REXRAY_SCRIPT = '/usr/local/sbin/regionkit-rexray-plugin';
export const REXRAY_UNIT = 'rexray-plugin.service';
export const REXRAY_CINDER_PASSWORD_SECRET = 'rexray_cinder_password';
export const REXRAY_S3FS_SECRET_KEY_SECRET = 'rexray_s3fs_secret_key';

const CINDER_PROPS = ['authUrl', 'username', 'projectName', 'domainName', 'regionName', 'availabilityZones'] as const;
const S3FS_PROPS = ['endpoint', 'region', 'accessKeyId', 'virtualHostedStyle'] as const;
/** One line of the settings file: no line breaks, no surrounding whitespace (the script takes lines literally). */
const SETTING = /^\S(?:[^\r\n]*\S)?$/;

export class Rexray extends HostRole {
  public readonly driver: 'cinder' | 's3fs';
  private readonly props: RexrayProps;

  constructor(scope: Construct, id: string, props: RexrayProps) {
    super(scope, id, {
      roleName: 'rexray',
      requires: ['docker'],
      secrets: [
        props.driver === 'cinder'
          ? { name: REXRAY_CINDER_PASSWORD_SECRET, description: 'OpenStack password of the REX-Ray Cinder user' }
          : { name: REXRAY_S3FS_SECRET_KEY_SECRET, description: 'secret access key of the REX-Ray s3fs access key id' },
      ],
    });
    this.driver = props.driver;
    this.props = props;
    if (props.driver !== 'cinder' && props.driver !== 's3fs') {
      throw new SpecError(`${this.node.path}: driver must be cinder or s3fs, got ${JSON.stringify(props.driver)}`);
    }
    checkPinnedImage(this, 'pluginImage', props.pluginImage);
    const repository = /\/([a-z0-9]+)(?::|@)/.exec(props.pluginImage)?.[1];
    if (repository !== props.driver) {
      throw new SpecError(
        `${this.node.path}: pluginImage must be a rexray/${props.driver} plugin for driver ${props.driver}, got ${props.pluginImage}`,
      );
    }
    const [own, other] = props.driver === 'cinder' ? [CINDER_PROPS, S3FS_PROPS] : [S3FS_PROPS, CINDER_PROPS];
    const misplaced = other.filter((p) => props[p] !== undefined);
    if (misplaced.length > 0) {
      throw new SpecError(
        `${this.node.path}: ${misplaced.join(', ')} must not be set with driver ${props.driver}, got ${misplaced.map((p) => JSON.stringify(props[p])).join(', ')}`,
        {
          hint: `settings of the other driver have no effect on ${props.driver}`,
        },
      );
    }
    const required =
      props.driver === 'cinder'
        ? (['authUrl', 'username', 'projectName'] as const)
        : (['endpoint', 'region', 'accessKeyId'] as const);
    for (const p of required) {
      if (props[p] === undefined)
        throw new SpecError(`${this.node.path}: ${p} is required with driver ${props.driver}, got undefined`);
    }
    for (const p of own) {
      const value = props[p];
      if (typeof value === 'string') checkPattern(this, p, value, SETTING, 'a single line without surrounding spaces');
    }
    if (props.authUrl !== undefined)
      checkPattern(this, 'authUrl', props.authUrl, /^https?:\/\/[^\s/]+(?:\/\S*)?$/, 'an http(s):// URL');
    if (props.endpoint !== undefined)
      checkPattern(
        this,
        'endpoint',
        props.endpoint,
        /^[A-Za-z0-9.-]+(?::\d{1,5})?$/,
        'a host name, optionally with :port',
      );
    if (props.availabilityZones !== undefined) {
      if (props.availabilityZones.length === 0) {
        throw new SpecError(`${this.node.path}: availabilityZones must list one zone per network zone, got []`, {
          hint: "leave it out to use Cinder's default zone",
        });
      }
      props.availabilityZones.forEach((z, i) =>
        checkPattern(this, `availabilityZones[${i}]`, z, SETTING, 'a single line without surrounding spaces'),
      );
    }
  }

  /** The plugin settings of one host, in `KEY=value` form (secrets as references). */
  public settings(ctx: HostContext): string[] {
    const p = this.props;
    if (p.driver === 'cinder') {
      const zones = p.availabilityZones;
      const zone = zones?.[ctx.host.zoneIndex];
      if (zones && zone === undefined) {
        throw new SpecError(
          `${this.node.path}: availabilityZones must name the zone of every host, got none for zone ${ctx.host.zoneIndex + 1} (${ctx.host.name})`,
        );
      }
      return [
        `CINDER_AUTHURL=${p.authUrl!}`,
        `CINDER_USERNAME=${p.username!}`,
        `CINDER_PASSWORD=${secretRef(REXRAY_CINDER_PASSWORD_SECRET)}`,
        `CINDER_TENANTNAME=${p.projectName!}`,
        `CINDER_DOMAINNAME=${p.domainName ?? 'Default'}`,
        ...(p.regionName !== undefined ? [`CINDER_REGIONNAME=${p.regionName}`] : []),
        ...(zone !== undefined ? [`CINDER_AVAILABILITYZONENAME=${zone}`] : []),
      ];
    }
    return [
      // REX-Ray 0.11.4 uses S3FS_ENDPOINT only for its own API calls (storage/s3fs_storage.go); the FUSE mount
      // is built from S3FS_OPTIONS alone (executor/s3fs_executor.go: each space-separated word becomes one
      // -o option of s3fs), so without url= every mount would go to s3.amazonaws.com. endpoint= is the
      // region s3fs signs requests for.
      `S3FS_OPTIONS=url=https://${p.endpoint!} endpoint=${p.region!}`,
      `S3FS_ENDPOINT=${p.endpoint!}`,
      `S3FS_REGION=${p.region!}`,
      `S3FS_ACCESSKEY=${p.accessKeyId!}`,
      `S3FS_SECRETKEY=${secretRef(REXRAY_S3FS_SECRET_KEY_SECRET)}`,
      ...(p.virtualHostedStyle ? ['S3FS_DISABLEPATHSTYLE=true'] : []),
    ];
  }

  public configure(ctx: HostContext, config: CloudConfig): void {
    config.addFile({
      path: REXRAY_ENV,
      content: `# regionkit rexray role: rexray/${this.driver} plugin settings, one KEY=value per line, taken literally\n${this.settings(ctx).join('\n')}\n`,
      permissions: '0600',
    });
    config.addScript(REXRAY_SCRIPT, this.installScript());
    config.addSystemdUnit({ name: REXRAY_UNIT, content: REXRAY_UNIT_CONTENT });
  }

  private installScript(): string {
    return `#!/bin/sh
# regionkit rexray role: installs the REX-Ray Docker volume plugin as "${REXRAY_ALIAS}" with the settings of
# ${REXRAY_ENV}; leaves an installed plugin as it is (enabling it if it is disabled). Each settings line is
# passed to docker as one KEY=value argument, never evaluated by the shell.
set -eu
plugin=${this.props.pluginImage}
name=${REXRAY_ALIAS}
settings=\${1:-${REXRAY_ENV}}

if enabled=$(docker plugin inspect --format '{{.Enabled}}' "$name" 2>/dev/null); then
  if [ "$enabled" != true ]; then
    docker plugin enable "$name"
  fi
  echo "regionkit-rexray-plugin: plugin $name is installed"
  exit 0
fi

set --
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    '' | '#'*) ;;
    *) set -- "$@" "$line" ;;
  esac
done <"$settings"
docker plugin install --grant-all-permissions --alias "$name" "$plugin" "$@"
echo "regionkit-rexray-plugin: installed $plugin as $name"
`;
  }
}

const REXRAY_UNIT_CONTENT = renderUnit('rexray-plugin: REX-Ray Docker volume plugin (regionkit rexray role)', {
  Unit: [
    ['Description', 'REX-Ray Docker volume plugin'],
    ['After', 'network-online.target docker.service'],
    ['Wants', 'network-online.target'],
    ['Requires', 'docker.service'],
  ],
  Service: [
    ['Type', 'oneshot'],
    ['RemainAfterExit', true],
    ['ExecStart', REXRAY_SCRIPT],
    ['Restart', 'on-failure'],
    ['RestartSec', 60],
    ['TimeoutStartSec', 900],
  ],
  Install: [['WantedBy', 'multi-user.target']],
});
