/**
 * The cdktf "app" (cdktf.json): synthesizes every region file in `regions/` (or the files listed, comma-
 * separated, in REGIONKIT_REGIONS) into CDKTF_OUTDIR, exactly as `regionkit synth` does.
 */
import { App } from 'cdktf';

import { SpecError } from '../lib/errors.js';
import { loadRegionFiles, regionFilesIn } from '../lib/spec/load.js';
import { addRegionStacks } from '../stacks/region-app.js';

try {
  const listed = process.env.REGIONKIT_REGIONS?.split(',').filter(Boolean);
  const loaded = await loadRegionFiles(listed ?? (await regionFilesIn('regions')));
  const app = new App();
  addRegionStacks(
    app,
    loaded.map((l) => l.spec),
  );
  app.synth();
} catch (err) {
  if (!(err instanceof SpecError)) throw err;
  process.stderr.write(`${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
  process.exitCode = 2;
}
