/**
 * The report the test image prints on its second serial port (guest/regionkit-boot-report), parsed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The report script as the seed carries it. */
export const REPORT_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'guest', 'regionkit-boot-report');

/**
 * The Python program of the report's etcd probe (its `<<'PY'` here-document), so a test can run it against a real
 * cluster. Arguments: address, port (default 2379); `REGIONKIT_ETCD_PKI` names the directory with ca.crt,
 * member.crt and member.key (default /etc/etcd/pki); `REGIONKIT_ETCD_PROBE_SECONDS` is how long it tries again
 * (default 240). Prints one line: `members=3 linearizable-read=ok raft_term=9 attempts=1 seconds=4`, or
 * `no linearizable read within 240 s, N attempts, the last at the <step>: <error>`. Throws when the script has
 * no such here-document.
 */
export function etcdProbeProgram(): string {
  const m = /<<'PY'[^\n]*\n([\s\S]*?)\nPY\n/.exec(readFileSync(REPORT_SCRIPT, 'utf8'));
  if (!m) throw new Error(`${REPORT_SCRIPT}: no <<'PY' here-document (the etcd probe)`);
  return `${m[1]}\n`;
}

/** One unit as `systemctl show` describes it. */
export interface UnitState {
  readonly id: string;
  readonly load: string;
  readonly active: string;
  readonly sub: string;
  readonly result: string;
  readonly fileState: string;
  /** Times systemd restarted the service since boot (`NRestarts`; 0 for other units and older reports). */
  readonly restarts: number;
  /** systemd's delay before a restart (`RestartUSec`: `5s`, `2min`); empty for other units and older reports. */
  readonly restartDelay: string;
}

/** A listening socket from `ss -Hl[tu]np`. */
export interface Listener {
  readonly protocol: 'tcp' | 'udp';
  /** Local address without brackets: `10.20.0.48`, `0.0.0.0`, `::`, `*`, `127.0.0.1%lo`. */
  readonly address: string;
  readonly port: number;
  /** Process names from the `users:` column. */
  readonly processes: readonly string[];
}

export interface Report {
  readonly sections: Readonly<Record<string, string>>;
  readonly systemState: string;
  readonly bootId: string;
  /** `status:` line of `cloud-init status --long`. */
  readonly cloudInitStatus: string;
  /** The `errors:` / `recoverable_errors:` part of `cloud-init status --long` and `detail:`. */
  readonly cloudInitDetail: string;
  /** Units `systemctl --failed` lists. */
  readonly failed: readonly string[];
  readonly units: readonly UnitState[];
  readonly listeners: readonly Listener[];
  /** Mount targets with source and fstype. */
  readonly mounts: readonly { target: string; source: string; fstype: string }[];
  readonly cmdline: string;
  /** `cgroup2fs` (unified) or `tmpfs` (v1 or hybrid). */
  readonly cgroupFs: string;
  /** Probe lines: `zookeeper <addr> Mode: follower`, `etcd <addr> members=3 linearizable-read=ok raft_term=7 attempts=1 seconds=4`. */
  readonly probes: readonly string[];
}

/** Parses the text between the report markers. */
export function parseReport(text: string): Report {
  const sections: Record<string, string> = {};
  let current = '';
  for (const line of text.replaceAll('\r', '').split('\n')) {
    const m = /^### (\S+)$/.exec(line);
    if (m) {
      current = m[1]!;
      sections[current] = '';
    } else if (current) {
      sections[current] += `${line}\n`;
    }
  }
  const lines = (name: string) => (sections[name] ?? '').split('\n').filter((l) => l.trim() !== '');
  const meta = Object.fromEntries(lines('meta').map((l) => [l.split(' ')[0], l.slice(l.indexOf(' ') + 1)]));
  const status = sections['cloud-init-status'] ?? '';
  return {
    sections,
    systemState: meta.system_state ?? '',
    bootId: meta.boot_id ?? '',
    cloudInitStatus: /^status: (\S+)/m.exec(status)?.[1] ?? '',
    cloudInitDetail: status,
    failed: lines('failed').map((l) => l.trim().split(/\s+/)[0]!),
    units: lines('units').map(parseUnit),
    listeners: [
      ...lines('listen-tcp').map((l) => parseListener('tcp', l)),
      ...lines('listen-udp').map((l) => parseListener('udp', l)),
    ],
    mounts: lines('mounts').map((l) => {
      const [target = '', source = '', fstype = ''] = l.split(' ');
      return { target: unescapeMount(target), source, fstype };
    }),
    cmdline: (sections.cmdline ?? '').trim(),
    cgroupFs: (sections.cgroup ?? '').trim(),
    probes: lines('probes'),
  };
}

function parseUnit(line: string): UnitState {
  const get = (k: string) => new RegExp(`(?:^| )${k}=(\\S*)`).exec(line)?.[1] ?? '';
  return {
    id: get('Id'),
    load: get('LoadState'),
    active: get('ActiveState'),
    sub: get('SubState'),
    result: get('Result'),
    fileState: get('UnitFileState'),
    restarts: Number(get('NRestarts')) || 0,
    restartDelay: get('RestartUSec'),
  };
}

function parseListener(protocol: 'tcp' | 'udp', line: string): Listener {
  // State Recv-Q Send-Q Local:Port Peer:Port [users:(("name",pid=1,fd=3),...)]
  const cols = line.trim().split(/\s+/);
  const local = cols[3] ?? '';
  const at = local.lastIndexOf(':');
  const address = local.slice(0, at).replace(/^\[|\]$/g, '');
  const processes = [...line.matchAll(/\("([^"]+)"/g)].map((m) => m[1]!);
  return { protocol, address, port: Number(local.slice(at + 1)), processes: [...new Set(processes)] };
}

function unescapeMount(s: string): string {
  return s.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
