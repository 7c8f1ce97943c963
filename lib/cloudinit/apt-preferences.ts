/**
 * apt preferences that keep a package off a host. cloud-init installs packages with their Recommends, and some
 * Recommends bring services a host of ours must not run (a daemon that fails without hardware a VM lacks, or
 * one that listens on every address). `Pin-Priority: -1` makes apt leave such a Recommends unsatisfied, which it
 * accepts; a package that Depends on a pinned one fails to install, so pin only what is merely recommended.
 *
 * The file is written by cloud-init's `write_files` (its init stage), before its package step (final stage).
 *
 * @see apt_preferences(5) of apt 2.6 (Debian 12): files in /etc/apt/preferences.d need no extension or `.pref`
 */
import type { CloudConfig } from './cloud-config.js';

/** The directory apt reads preferences parts from (`Dir::Etc::PreferencesParts`). */
export const APT_PREFERENCES_DIR = '/etc/apt/preferences.d/';

/** Where a role's pins go: `/etc/apt/preferences.d/regionkit-<role>.pref`. */
export function aptPreferencesPath(roleName: string): string {
  return `${APT_PREFERENCES_DIR}regionkit-${roleName}.pref`;
}

/**
 * Writes one file that pins each of `packages` to -1 on the host, with `why` as its `Explanation:` lines.
 * @param roleName names the file (letters, digits and `-`)
 */
export function neverInstall(config: CloudConfig, roleName: string, packages: readonly string[], why: string): void {
  const explanation = why
    .split('\n')
    .map((line) => `Explanation: ${line}`)
    .join('\n');
  config.addFile({
    path: aptPreferencesPath(roleName),
    content: `${packages.map((p) => `${explanation}\nPackage: ${p}\nPin: version *\nPin-Priority: -1\n`).join('\n')}`,
  });
}
