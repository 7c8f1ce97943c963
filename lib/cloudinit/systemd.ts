/**
 * systemd unit files as text, and the one shape every containerised daemon uses: a service that pulls a
 * pinned image and runs it on the host network, restarted by systemd.
 *
 * @see https://www.freedesktop.org/software/systemd/man/systemd.service.html
 */

/** `[Section]` → ordered `Key=value` lines; a key may repeat (ExecStartPre). */
export type UnitSections = Readonly<Record<string, readonly (readonly [string, string | number | boolean])[]>>;

/** Renders unit sections in the given order. */
export function renderUnit(header: string, sections: UnitSections): string {
  const blocks = Object.entries(sections).map(
    ([section, lines]) =>
      `[${section}]\n${lines.map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 'yes' : 'no') : v}`).join('\n')}\n`,
  );
  return `# ${header}\n${blocks.join('\n')}`;
}

/**
 * One word of an Exec*= command line: quoted when it holds spaces or quotes, with `$` and `%` escaped so
 * systemd neither expands variables nor specifiers.
 */
export function execArg(arg: string): string {
  const escaped = arg.replaceAll('\\', '\\\\').replaceAll('$', '$$').replaceAll('%', '%%');
  return /[\s"']/.test(arg) ? `"${escaped.replaceAll('"', '\\"')}"` : escaped;
}

/** A command line for Exec*=. */
export function execLine(argv: readonly string[]): string {
  return argv.map(execArg).join(' ');
}

export interface ContainerServiceOptions {
  /** Container and unit name (without .service). */
  readonly name: string;
  readonly description: string;
  /** Full image reference (already mapped through the registry mirror). */
  readonly image: string;
  /** Arguments after the image (the daemon's own flags). @default - none */
  readonly args?: readonly string[];
  /** `docker run` options before the image (volumes, env, privileges). @default - none */
  readonly runOptions?: readonly string[];
  /** Units to start after (besides docker.service). @default - none */
  readonly after?: readonly string[];
  /** Seconds systemd waits for a stop before killing. @default 30 */
  readonly stopTimeoutSeconds?: number;
}

/** The unit of a containerised daemon on the host network. */
export function containerService(o: ContainerServiceOptions): string {
  const docker = '/usr/bin/docker';
  const stop = o.stopTimeoutSeconds ?? 30;
  return renderUnit(`${o.name}: ${o.description} (regionkit host role)`, {
    Unit: [
      ['Description', o.description],
      ['After', ['network-online.target', 'docker.service', ...(o.after ?? [])].join(' ')],
      ['Wants', 'network-online.target'],
      ['Requires', 'docker.service'],
    ],
    Service: [
      ['ExecStartPre', `-${execLine([docker, 'rm', '--force', o.name])}`],
      // `-`: a failed pull is not fatal. The image pulled at first boot is still there, so a unit restarts after a
      // reboot while the registry (mirror) is down; only a host that never pulled it fails, at `docker run`.
      ['ExecStartPre', `-${execLine([docker, 'pull', o.image])}`],
      [
        'ExecStart',
        execLine([
          docker,
          'run',
          '--rm',
          '--name',
          o.name,
          '--network',
          'host',
          ...(o.runOptions ?? []),
          o.image,
          ...(o.args ?? []),
        ]),
      ],
      ['ExecStop', execLine([docker, 'stop', '--time', String(stop), o.name])],
      ['Restart', 'always'],
      ['RestartSec', 5],
      ['TimeoutStartSec', 600],
      ['TimeoutStopSec', stop + 10],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}
