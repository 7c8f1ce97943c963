/**
 * Files whose consumer cannot run here (a daemon that needs the whole host, or a parser buried inside one):
 * checked against the consumer's documented grammar or key set, each stated with its source. Every check
 * returns '' or the problems, like the program checkers in checks.ts.
 */
import { parse } from 'yaml';

/**
 * systemd's EnvironmentFile= grammar (systemd.exec(5)): `KEY=VALUE` lines, `#`/`;` comments, keys of
 * letters, digits and `_`; values may be quoted as a whole.
 */
export function checkSystemdEnvFile(content: string): string {
  return lines(content, (line) => {
    if (/^\s*([#;]|$)/.test(line)) return '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return `not KEY=VALUE: ${line}`;
    const value = m[2]!;
    if (/^["']/.test(value) && !new RegExp(`^${value[0]}.*${value[0]}$`).test(value))
      return `unbalanced quotes: ${line}`;
    return '';
  });
}

/**
 * Docker's --env-file grammar (opts.ParseEnvFile): `KEY=value` lines taken literally (quotes stay), `#` comments;
 * a key without `=` would copy the variable from the caller's environment, which we never want.
 */
export function checkDockerEnvFile(content: string): string {
  return lines(content, (line) => {
    if (/^\s*(#|$)/.test(line)) return '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return `not KEY=value: ${line}`;
    if (/^["'].*["']$/.test(m[2]!)) return `quoted value (docker keeps the quotes): ${line}`;
    return '';
  });
}

/**
 * A GlusterFS volfile (glusterd.vol): `volume <name>` … `type <translator>` … `option <key> <value>` …
 * `end-volume` blocks, as glusterfs's volfile parser (libglusterfs graph.y) accepts.
 */
export function checkVolfile(content: string): string {
  let open: string | undefined;
  let typed = false;
  const problems = lines(content, (line) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return '';
    const [word, ...rest] = t.split(/\s+/);
    if (word === 'volume' && rest.length === 1 && !open) {
      open = rest[0];
      typed = false;
      return '';
    }
    if (!open) return `outside a volume block: ${line}`;
    if (word === 'type' && rest.length === 1) {
      typed = true;
      return '';
    }
    if (word === 'option' && rest.length >= 2) return '';
    if (word === 'subvolumes' && rest.length >= 1) return '';
    if (word === 'end-volume' && rest.length === 0) {
      const problem = typed ? '' : `volume ${open} has no type`;
      open = undefined;
      return problem;
    }
    return `not a volfile statement: ${line}`;
  });
  return [problems, open ? `volume ${open} is not closed` : ''].filter(Boolean).join('\n');
}

/**
 * The config.json keys Mesos-DNS documents (mesosphere/mesos-dns docs/docs/configuration-parameters.md,
 * https://mesosphere.github.io/mesos-dns/docs/configuration-parameters.html) and the IPSources values named there,
 * plus `httplistener`, which the page leaves out but the pinned release reads (mesosphere/mesos-dns v0.6.0,
 * records/config.go: `HTTPListener`, default 0.0.0.0; encoding/json matches keys case-insensitively).
 */
export const MESOS_DNS_KEYS = [
  'zk',
  'masters',
  'refreshSeconds',
  'ttl',
  'domain',
  'port',
  'resolvers',
  'timeout',
  'listener',
  'httplistener',
  'dnson',
  'httpon',
  'httpport',
  'externalon',
  'SOAMname',
  'SOARname',
  'SOARefresh',
  'SOARetry',
  'SOAExpire',
  'SOAMinttl',
  'recurseon',
  'enforceRFC952',
  'IPSources',
];
export const MESOS_DNS_IP_SOURCES = ['host', 'mesos', 'docker', 'netinfo'];

export function checkMesosDnsConfig(content: string): string {
  const config = json(content);
  if (typeof config === 'string') return config;
  const problems = Object.keys(config)
    .filter((k) => !MESOS_DNS_KEYS.includes(k))
    .map((k) => `${k}: not a documented Mesos-DNS setting`);
  for (const s of (config.IPSources as string[] | undefined) ?? []) {
    if (!MESOS_DNS_IP_SOURCES.includes(s)) problems.push(`IPSources: ${s} is not a documented source`);
  }
  if (config.zk === undefined && config.masters === undefined) problems.push('neither zk nor masters is set');
  return problems.join('\n');
}

/** A CNI network configuration (containernetworking/cni SPEC.md): cniVersion, name, and a plugin type. */
export function checkCniConfig(content: string): string {
  const conf = json(content);
  if (typeof conf === 'string') return conf;
  const problems: string[] = [];
  if (typeof conf.cniVersion !== 'string' || !/^\d+\.\d+\.\d+$/.test(conf.cniVersion))
    problems.push('cniVersion must be x.y.z');
  if (typeof conf.name !== 'string' || conf.name === '') problems.push('name is required');
  const plugins = Array.isArray(conf.plugins) ? (conf.plugins as Record<string, unknown>[]) : [conf];
  for (const p of plugins) if (typeof p.type !== 'string') problems.push('every plugin needs a type');
  return problems.join('\n');
}

/** A calicoctl manifest of IP pools (projectcalico.org/v3 IPPool). */
export function checkCalicoManifest(content: string): string {
  let docs: Record<string, unknown>[];
  try {
    const doc = parse(content) as Record<string, unknown>;
    docs = doc.kind === 'IPPoolList' ? (doc.items as Record<string, unknown>[]) : [doc];
  } catch (err) {
    return `not YAML: ${(err as Error).message}`;
  }
  const problems: string[] = [];
  for (const d of docs) {
    if (d.apiVersion !== 'projectcalico.org/v3')
      problems.push(`apiVersion must be projectcalico.org/v3, got ${String(d.apiVersion)}`);
    if (d.kind !== 'IPPool') problems.push(`kind must be IPPool, got ${String(d.kind)}`);
    const spec = d.spec as Record<string, unknown> | undefined;
    if (typeof (d.metadata as { name?: unknown } | undefined)?.name !== 'string')
      problems.push('metadata.name is required');
    if (typeof spec?.cidr !== 'string') problems.push('spec.cidr is required');
    for (const mode of ['ipipMode', 'vxlanMode'] as const) {
      if (spec?.[mode] !== undefined && !['Always', 'CrossSubnet', 'Never'].includes(String(spec[mode]))) {
        problems.push(`spec.${mode} must be Always, CrossSubnet or Never`);
      }
    }
  }
  return problems.join('\n');
}

function json(content: string): Record<string, unknown> | string {
  try {
    return JSON.parse(content) as Record<string, unknown>;
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
}

function lines(content: string, check: (line: string) => string): string {
  return content.split('\n').map(check).filter(Boolean).join('\n');
}
