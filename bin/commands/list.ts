/**
 * `regionkit list [files...]`: the regions in the region files and the stacks each synthesizes.
 */
import { zoneCount } from '../../lib/spec/semantic.js';
import type { Io } from '../io.js';
import type { GlobalOptions } from '../options.js';
import { loadAll } from '../synthesize.js';

/** Lists the regions of `files` (all of `regions/` when empty) as a table, or as JSON with `--json`. */
export async function run(files: readonly string[], opts: GlobalOptions & { json?: boolean }, io: Io): Promise<number> {
  const { infraStackName } = await import('../../stacks/region-stack.js');
  const rows = (await loadAll(files, io)).map(({ source, spec }) => ({
    region: spec.name,
    cloud: spec.cloud,
    location: spec.alicloud?.region ?? spec.openstack?.region ?? spec.openstack?.cloud ?? '-',
    zones: zoneCount(spec),
    hosts: spec.hostGroups.reduce((n, g) => n + g.count, 0),
    loadBalancers: spec.loadBalancers.length,
    stacks: [infraStackName(spec.name)],
    file: source,
  }));
  if (opts.json) {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const table = [
    ['REGION', 'CLOUD', 'LOCATION', 'ZONES', 'HOSTS', 'LBS', 'STACKS', 'FILE'],
    ...rows.map((r) => [
      r.region,
      r.cloud,
      r.location,
      String(r.zones),
      String(r.hosts),
      String(r.loadBalancers),
      r.stacks.join(','),
      r.file,
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table)
    io.out(
      `${row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  return 0;
}
